'use strict';
// Listen infos on real sockets (127.0.0.1, and "::" where the machine has IPv6): the
// flags (udpReusePort, ipv6Only), portRange, socket buffer sizes (read back from the
// kernel with `ss`), ICE candidate priorities (mediasoup's formula, preferUdp/preferTcp,
// announcedAddress and exposeInternalIp) and the validation of bad listen infos, for
// WebRtcTransport, PlainTransport, PipeTransport and WebRtcServer.
const t = require('tap');
const dgram = require('node:dgram');
const net = require('node:net');
const { execFileSync } = require('node:child_process');
const { ensureDebianProgram } = require('../scripts/ensure-debian-program');
const mediaplane = require('..');

const LOCAL = '127.0.0.1';
const mediaCodecs = [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }];

// mediasoup's host candidate priority: 2^24 * 64 + 2^8 * local preference + (256 - 1).
const priorityFor = (localPreference) => 64 * 2 ** 24 + 256 * localPreference + 255;

function bindUdp(ip, port) {
	return new Promise((resolve, reject) => {
		const socket = dgram.createSocket(net.isIPv6(ip) ? 'udp6' : 'udp4');
		socket.once('error', reject);
		socket.bind(port, ip, () => resolve(socket));
	});
}

function listenTcp(ip, port) {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', reject);
		server.listen(port, ip, () => resolve(server));
	});
}

async function isFree(port, ip = LOCAL) {
	try {
		const socket = await bindUdp(ip, port);
		const server = await listenTcp(ip, port).catch(() => undefined);
		socket.close();
		if (!server) return false;
		await new Promise((resolve) => server.close(resolve));
		return true;
	} catch {
		return false;
	}
}

// `count` consecutive ports free for UDP and TCP right now.
async function freePortRange(count) {
	for (let attempt = 0; attempt < 200; ++attempt) {
		const min = 20000 + Math.floor(Math.random() * 30000);
		let free = true;
		for (let port = min; port < min + count && free; ++port) free = await isFree(port);
		if (free) return { min, max: min + count - 1 };
	}
	throw new Error('no free port range found');
}

const freePort = async () => (await freePortRange(1)).min;

// The kernel's skmem of the socket bound to `port` (rb/tb: SO_RCVBUF/SO_SNDBUF as getsockopt
// reports them, i.e. twice what was asked for on Linux).
function socketMemory(protocol, port) {
	const args = ['-H', '-n', '-m', protocol === 'udp' ? '-ua' : '-tl', `sport = :${port}`];
	const out = execFileSync('ss', args, { encoding: 'utf8' });
	const match = /rb(\d+),t\d+,tb(\d+)/.exec(out);
	if (!match) throw new Error(`no socket on ${protocol} port ${port} in: ${out}`);
	return { rb: Number(match[1]), tb: Number(match[2]) };
}

// `ss` is Debian's iproute2, installed here when missing (as the browser and ffmpeg
// tests install theirs), so that the buffer-size checks run on a fresh machine too.
let ssMissing;
try {
	ensureDebianProgram({ caller: 'listen-info.test.js', program: '/usr/bin/ss', pkg: 'iproute2', purpose: 'socket buffer checks' });
	execFileSync('ss', ['-V'], { stdio: 'ignore' });
} catch (error) {
	ssMissing = `\`ss\` (iproute2) is not installed: ${error.message}`;
}

async function hasIpv6DualStack() {
	try {
		const socket = await bindUdp('::', 0);
		socket.close();
	} catch {
		return 'no IPv6 on this machine';
	}
	try {
		const { readFileSync } = require('node:fs');
		if (readFileSync('/proc/sys/net/ipv6/bindv6only', 'utf8').trim() !== '0') return 'net.ipv6.bindv6only is set';
	} catch {}
	return undefined;
}

let worker;
let router;

t.before(async () => {
	worker = await mediaplane.createWorker({ logLevel: 'none' });
	router = await worker.createRouter({ mediaCodecs });
});

t.teardown(async () => {
	worker.close();
	if (!worker.subprocessClosed) await new Promise((resolve) => worker.once('subprocessclose', resolve));
});

// Each transport type as: create(listenInfo) -> { port, close }.
const kinds = {
	WebRtcTransport: async (info) => {
		const transport = await router.createWebRtcTransport({ listenInfos: [info] });
		return { port: transport.iceCandidates[0].port, close: () => transport.close() };
	},
	PlainTransport: async (info) => {
		const transport = await router.createPlainTransport({ listenInfo: info });
		return { port: transport.tuple.localPort, close: () => transport.close() };
	},
	PipeTransport: async (info) => {
		const transport = await router.createPipeTransport({ listenInfo: info });
		return { port: transport.tuple.localPort, close: () => transport.close() };
	},
	WebRtcServer: async (info) => {
		const server = await worker.createWebRtcServer({ listenInfos: [info] });
		// The server's port, as its transports announce it.
		const transport = await router.createWebRtcTransport({ webRtcServer: server });
		const port = transport.iceCandidates[0].port;
		return { port, close: () => server.close() };
	},
};

t.test('udpReusePort: two of each kind on the same ip:port succeed with the flag, fail without', async (t) => {
	for (const [kind, create] of Object.entries(kinds)) {
		const port = await freePort();
		const info = { protocol: 'udp', ip: LOCAL, port, flags: { udpReusePort: true } };
		const first = await create(info);
		const second = await create(info);
		t.equal(first.port, port, `${kind}: first bound the port asked for`);
		t.equal(second.port, port, `${kind}: second bound the same port with udpReusePort`);
		first.close();
		second.close();

		const plainPort = await freePort();
		const plain = { protocol: 'udp', ip: LOCAL, port: plainPort, flags: { udpReusePort: false } };
		const only = await create(plain);
		t.equal(only.port, plainPort, `${kind}: bound without the flag`);
		const error = await create(plain).then(() => undefined, (e) => e);
		t.ok(error instanceof Error, `${kind}: a second bind of ${LOCAL}:${plainPort} without udpReusePort rejects`);
		t.notOk(error instanceof TypeError, `${kind}: with an Error, not a TypeError`);
		t.match(error?.message, /in use/i, `${kind}: saying the address is in use`);
		// One side with the flag is not enough (the kernel needs it on both sockets).
		const mixed = await create({ ...plain, flags: { udpReusePort: true } }).then(() => undefined, (e) => e);
		t.ok(mixed instanceof Error, `${kind}: udpReusePort on the second socket only still fails`);
		only.close();
	}
});

t.test('udpReusePort is ignored for TCP (as mediasoup)', async (t) => {
	const port = await freePort();
	const info = { protocol: 'tcp', ip: LOCAL, port, flags: { udpReusePort: true } };
	const first = await router.createWebRtcTransport({ listenInfos: [info] });
	t.equal(first.iceCandidates[0].port, port);
	await t.rejects(router.createWebRtcTransport({ listenInfos: [info] }), Error, 'second TCP listener on the port fails');
	first.close();
});

t.test('ipv6Only', async (t) => {
	const skip = await hasIpv6DualStack();
	if (skip) {
		t.skip(skip);
		return;
	}
	// Without ipv6Only, "::" is dual stack and also takes the IPv4 port; with it, the IPv4
	// port stays free.
	let port = await freePort();
	const dual = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '::', port } });
	await t.rejects(router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOCAL, port } }), Error,
		'dual-stack "::" holds the IPv4 port too');
	dual.close();

	port = await freePort();
	const v6 = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '::', port, flags: { ipv6Only: true } } });
	const v4 = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOCAL, port } });
	t.equal(v4.tuple.localPort, port, 'with ipv6Only, the IPv4 port stays free');
	v6.close();
	v4.close();

	port = await freePort();
	const tcp6 = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'tcp', ip: '::', port, flags: { ipv6Only: true } }] });
	const tcp4 = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'tcp', ip: LOCAL, port }] });
	t.equal(tcp4.iceCandidates[0].port, port, 'TCP: with ipv6Only, the IPv4 port stays free');
	tcp6.close();
	tcp4.close();
	port = await freePort();
	const tcpDual = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'tcp', ip: '::', port }] });
	await t.rejects(router.createWebRtcTransport({ listenInfos: [{ protocol: 'tcp', ip: LOCAL, port }] }), Error,
		'TCP: dual-stack "::" holds the IPv4 port too');
	tcpDual.close();

	// ::1 itself works as a listen ip.
	const loopback6 = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '::1', flags: { ipv6Only: true } }] });
	t.equal(loopback6.iceCandidates[0].address, '::1');
	loopback6.close();
});

t.test('portRange: ports within the range, Error when exhausted, range wins over port', async (t) => {
	for (const [kind, create] of Object.entries(kinds)) {
		const portRange = await freePortRange(2);
		const info = { protocol: 'udp', ip: LOCAL, portRange };
		const first = await create(info);
		const second = await create(info);
		for (const [name, bound] of [['first', first], ['second', second]]) {
			t.ok(bound.port >= portRange.min && bound.port <= portRange.max,
				`${kind}: ${name} port ${bound.port} in ${portRange.min}-${portRange.max}`);
		}
		t.not(first.port, second.port, `${kind}: two distinct ports`);
		const error = await create(info).then(() => undefined, (e) => e);
		t.ok(error instanceof Error && !(error instanceof TypeError), `${kind}: a third rejects with Error`);
		t.match(error?.message, /no free port/, `${kind}: saying the range is exhausted`);
		first.close();
		second.close();
		// Freed ports are usable again.
		const again = await create(info);
		t.ok(again.port >= portRange.min && again.port <= portRange.max, `${kind}: a freed port is reused`);
		again.close();
	}

	const tcpRange = await freePortRange(1);
	const tcp = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'tcp', ip: LOCAL, portRange: tcpRange }] });
	t.equal(tcp.iceCandidates[0].port, tcpRange.min, 'TCP candidate from the portRange');
	await t.rejects(router.createWebRtcTransport({ listenInfos: [{ protocol: 'tcp', ip: LOCAL, portRange: tcpRange }] }),
		Error, 'TCP range exhausted');
	tcp.close();

	const range = await freePortRange(1);
	const otherPort = await freePort();
	const plain = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOCAL, port: otherPort, portRange: range } });
	t.equal(plain.tuple.localPort, range.min, 'portRange wins over port (as mediasoup)');
	plain.close();

	await t.rejects(router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOCAL, portRange: { min: 4000, max: 3000 } } }),
		TypeError, 'min > max is a TypeError');
});

t.test('sendBufferSize and recvBufferSize reach the sockets', { skip: ssMissing }, async (t) => {
	const send = 50000;
	const recv = 70000;
	// Linux doubles SO_SNDBUF/SO_RCVBUF (bookkeeping) and reports the doubled value.
	const expected = { rb: 2 * recv, tb: 2 * send };
	for (const [kind, create] of Object.entries(kinds)) {
		const bound = await create({ protocol: 'udp', ip: LOCAL, sendBufferSize: send, recvBufferSize: recv });
		t.same(socketMemory('udp', bound.port), expected, `${kind}: UDP socket buffers`);
		bound.close();
		const plain = await create({ protocol: 'udp', ip: LOCAL });
		t.not(socketMemory('udp', plain.port).rb, expected.rb, `${kind}: without the options, the system default`);
		plain.close();
	}
	const tcp = await router.createWebRtcTransport({
		listenInfos: [{ protocol: 'tcp', ip: LOCAL, sendBufferSize: send, recvBufferSize: recv }],
	});
	t.same(socketMemory('tcp', tcp.iceCandidates[0].port), expected, 'TCP listening socket buffers');
	tcp.close();
	// Only the RTCP socket of a non-muxed PlainTransport gets rtcpListenInfo's sizes.
	const plain = await router.createPlainTransport({
		listenInfo: { protocol: 'udp', ip: LOCAL },
		rtcpMux: false,
		rtcpListenInfo: { protocol: 'udp', ip: LOCAL, recvBufferSize: recv },
	});
	t.equal(socketMemory('udp', plain.rtcpTuple.localPort).rb, expected.rb, 'rtcpListenInfo.recvBufferSize on the RTCP socket');
	t.not(socketMemory('udp', plain.tuple.localPort).rb, expected.rb, 'not on the RTP socket');
	plain.close();
});

t.test('ICE candidate priorities follow listenInfos order (mediasoup formula)', async (t) => {
	for (const prefer of [{}, { preferUdp: true }, { preferTcp: true }, { preferUdp: true, preferTcp: true }]) {
		const transport = await router.createWebRtcTransport({
			listenInfos: [
				{ protocol: 'tcp', ip: LOCAL },
				{ protocol: 'udp', ip: LOCAL },
				{ protocol: 'tcp', ip: LOCAL, announcedAddress: 'media.example.com' },
				{ protocol: 'udp', ip: LOCAL, announcedIp: '9.9.9.9' },
			],
			enableUdp: true,
			enableTcp: true,
			...prefer,
		});
		const label = JSON.stringify(prefer);
		const candidates = transport.iceCandidates;
		t.same(candidates.map((c) => [c.protocol, c.address]),
			[['tcp', LOCAL], ['udp', LOCAL], ['tcp', 'media.example.com'], ['udp', '9.9.9.9']], `${label}: in listenInfos order`);
		t.same(candidates.map((c) => c.priority), [0, 1, 2, 3].map((i) => priorityFor(10000 - 100 * i)),
			`${label}: local preference 10000, 9900, ... whatever preferUdp/preferTcp say`);
		for (let i = 1; i < candidates.length; ++i) {
			t.ok(candidates[i - 1].priority > candidates[i].priority, `${label}: candidate ${i - 1} above ${i}`);
		}
		t.equal(candidates[2].ip, 'media.example.com', 'the deprecated ip field follows address');
		transport.close();
	}
});

t.test('preferUdp/preferTcp order the deprecated listenIps (as mediasoup)', async (t) => {
	const cases = [
		[{}, ['udp', 'tcp']],
		[{ preferUdp: true }, ['udp', 'tcp']],
		[{ preferTcp: true }, ['tcp', 'udp']],
		[{ preferUdp: true, preferTcp: true }, ['udp', 'tcp']],
	];
	for (const [prefer, order] of cases) {
		const transport = await router.createWebRtcTransport({
			listenIps: [{ ip: LOCAL, announcedIp: '9.9.9.9' }, LOCAL],
			enableUdp: true,
			enableTcp: true,
			...prefer,
		});
		const label = JSON.stringify(prefer);
		const candidates = transport.iceCandidates;
		t.same(candidates.map((c) => [c.protocol, c.address]),
			[[order[0], '9.9.9.9'], [order[1], '9.9.9.9'], [order[0], LOCAL], [order[1], LOCAL]], `${label}: ${order}`);
		for (let i = 1; i < candidates.length; ++i) {
			t.ok(candidates[i - 1].priority > candidates[i].priority, `${label}: candidate ${i - 1} above ${i}`);
		}
		transport.close();
	}
});

t.test('preferUdp/preferTcp with a WebRtcServer raise that protocol by 1000', async (t) => {
	const server = await worker.createWebRtcServer({
		listenInfos: [
			{ protocol: 'udp', ip: LOCAL },
			{ protocol: 'tcp', ip: LOCAL },
			{ protocol: 'udp', ip: LOCAL, announcedAddress: '9.9.9.9', exposeInternalIp: true },
		],
	});
	const cases = [
		[{}, [10000, 9900, 9800]],
		[{ preferUdp: true }, [11000, 9900, 10800]],
		[{ preferTcp: true }, [10000, 10900, 9800]],
	];
	for (const [prefer, preferences] of cases) {
		const label = JSON.stringify(prefer);
		const transport = await router.createWebRtcTransport({ webRtcServer: server, ...prefer });
		const candidates = transport.iceCandidates;
		t.same(candidates.map((c) => [c.protocol, c.address]),
			[['udp', LOCAL], ['tcp', LOCAL], ['udp', '9.9.9.9'], ['udp', LOCAL]], `${label}: server order, internal ip after its announced one`);
		const [udp, tcp, announced, internal] = candidates.map((c) => c.priority);
		t.same([udp, tcp, announced], preferences.map(priorityFor), `${label}: local preferences ${preferences}`);
		t.equal(internal, announced - 1000, `${label}: exposeInternalIp candidate 1000 below`);
		t.equal(candidates[3].port, candidates[2].port, 'same socket');
		if (prefer.preferTcp) t.ok(tcp > udp, 'preferTcp puts TCP above the earlier UDP');
		else t.ok(udp > tcp, 'UDP first');
		transport.close();
	}
	// enableTcp: false drops the TCP candidate but keeps the others' preferences.
	const udpOnly = await router.createWebRtcTransport({ webRtcServer: server, enableTcp: false });
	t.same(udpOnly.iceCandidates.map((c) => c.priority), [priorityFor(10000), priorityFor(9800), priorityFor(9800) - 1000]);
	udpOnly.close();
	server.close();
});

t.test('exposeInternalIp adds a candidate with the ip (with announcedAddress only)', async (t) => {
	const transport = await router.createWebRtcTransport({
		listenInfos: [
			{ protocol: 'udp', ip: LOCAL, announcedAddress: '9.9.9.1', exposeInternalIp: true },
			{ protocol: 'tcp', ip: LOCAL, announcedAddress: '9.9.9.1', exposeInternalIp: true },
			{ protocol: 'udp', ip: LOCAL, announcedAddress: 'foo.example.com' },
			{ protocol: 'udp', ip: LOCAL, exposeInternalIp: true },
		],
		enableTcp: true,
	});
	const candidates = transport.iceCandidates;
	t.same(candidates.map((c) => [c.protocol, c.address]), [
		['udp', '9.9.9.1'], ['udp', LOCAL],
		['tcp', '9.9.9.1'], ['tcp', LOCAL],
		['udp', 'foo.example.com'],
		['udp', LOCAL],
	], 'one more candidate per listen info with both announcedAddress and exposeInternalIp');
	t.equal(candidates[1].port, candidates[0].port, 'UDP internal candidate on the same socket');
	t.equal(candidates[3].port, candidates[2].port, 'TCP internal candidate on the same socket');
	t.equal(candidates[3].tcpType, 'passive');
	t.equal(candidates[1].priority, candidates[0].priority - 1000);
	for (let i = 1; i < candidates.length; ++i) {
		t.ok(candidates[i - 1].priority > candidates[i].priority, `candidate ${i - 1} above ${i}`);
	}
	const dump = await transport.dump();
	t.same(dump.iceCandidates, candidates, 'dump() lists the same candidates');
	transport.close();
});

t.test('bad listen infos: TypeError naming the field', async (t) => {
	const base = { protocol: 'udp', ip: LOCAL };
	const cases = [
		[{ ip: LOCAL }, 'protocol'],
		[{ ...base, protocol: 'sctp' }, 'protocol'],
		[{ protocol: 'udp' }, 'ip'],
		[{ ...base, ip: 1234 }, 'ip'],
		[{ ...base, ip: 'not-an-ip' }, 'ip'],
		[{ ...base, port: 'x' }, 'port'],
		[{ ...base, port: 70000 }, 'port'],
		[{ ...base, portRange: 2000 }, 'portRange'],
		[{ ...base, portRange: { min: 'a', max: 3000 } }, 'portRange.min'],
		[{ ...base, portRange: { min: 2000, max: 1.5 } }, 'portRange.max'],
		[{ ...base, portRange: { min: 4000, max: 3000 } }, 'portRange'],
		[{ ...base, flags: 'reuse' }, 'flags'],
		[{ ...base, flags: { udpReusePort: 'yes' } }, 'flags.udpReusePort'],
		[{ ...base, flags: { ipv6Only: 1 } }, 'flags.ipv6Only'],
		[{ ...base, sendBufferSize: -1 }, 'sendBufferSize'],
		[{ ...base, recvBufferSize: 'big' }, 'recvBufferSize'],
		[{ ...base, announcedAddress: 5 }, 'announcedAddress'],
		[{ ...base, exposeInternalIp: 'yes' }, 'exposeInternalIp'],
	];
	for (const [info, field] of cases) {
		const label = JSON.stringify(info);
		const escaped = field.replace(/\./g, '\\.');
		const webrtc = await router.createWebRtcTransport({ listenInfos: [base, info] }).then(() => undefined, (e) => e);
		t.ok(webrtc instanceof TypeError, `WebRtcTransport ${label}: TypeError`);
		t.match(webrtc?.message, new RegExp(`listenInfos\\[1\\]\\.${escaped}\\b`), `names listenInfos[1].${field}`);
		const plain = await router.createPlainTransport({ listenInfo: info }).then(() => undefined, (e) => e);
		t.ok(plain instanceof TypeError, `PlainTransport ${label}: TypeError`);
		t.match(plain?.message, new RegExp(`listenInfo\\.${escaped}\\b`), `names listenInfo.${field}`);
		const pipe = await router.createPipeTransport({ listenInfo: info }).then(() => undefined, (e) => e);
		t.ok(pipe instanceof TypeError, `PipeTransport ${label}: TypeError`);
		const server = await worker.createWebRtcServer({ listenInfos: [info] }).then(() => undefined, (e) => e);
		t.ok(server instanceof TypeError, `WebRtcServer ${label}: TypeError`);
		t.match(server?.message, new RegExp(`listenInfos\\[0\\]\\.${escaped}\\b`), `names listenInfos[0].${field}`);
	}
	const rtcp = await router.createPlainTransport({ listenInfo: base, rtcpMux: false, rtcpListenInfo: { protocol: 'udp' } })
		.then(() => undefined, (e) => e);
	t.ok(rtcp instanceof TypeError, 'bad rtcpListenInfo: TypeError');
	t.match(rtcp?.message, /rtcpListenInfo\.ip/, 'names rtcpListenInfo.ip');
	await t.rejects(router.createWebRtcTransport({ listenInfos: [] }), TypeError, 'empty listenInfos');
	await t.rejects(router.createWebRtcTransport({ listenInfos: base }), TypeError, 'listenInfos not an array');
	// Nothing was left bound or registered by the failures.
	t.same((await router.dump()).transportIds, [], 'no transport left behind');
});

t.test('a non-bindable IP rejects with Error', async (t) => {
	for (const [kind, create] of Object.entries(kinds)) {
		const error = await create({ protocol: 'udp', ip: '8.8.8.8', portRange: { min: 2000, max: 3000 } }).then(() => undefined, (e) => e);
		t.ok(error instanceof Error && !(error instanceof TypeError), `${kind}: Error`);
		t.match(error?.message, /8\.8\.8\.8/, `${kind}: naming the address`);
	}
	const tcp = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'tcp', ip: '8.8.8.8' }] }).then(() => undefined, (e) => e);
	t.ok(tcp instanceof Error && !(tcp instanceof TypeError), 'TCP: Error');
	// A failure after a first listen info bound closes what was bound.
	const port = await freePort();
	await t.rejects(router.createWebRtcTransport({
		listenInfos: [{ protocol: 'udp', ip: LOCAL, port }, { protocol: 'udp', ip: '8.8.8.8' }],
	}), Error);
	// The socket is closed on the worker's loop right after the response: allow it a moment.
	let free = false;
	for (let i = 0; i < 50 && !free; ++i) {
		free = await isFree(port);
		if (!free) await new Promise((resolve) => setTimeout(resolve, 10));
	}
	t.ok(free, 'the first listen info\'s port was released');
});
