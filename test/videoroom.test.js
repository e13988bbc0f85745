'use strict';
// The video-room demo (examples/videoroom, what `npm start` runs), end to end: two
// Chromium tabs (fake camera and microphone) join one room through the demo's own page
// and signaling; each must decode the other's video and receive its audio. Then bad
// input on a raw WebSocket gets error answers while the room keeps working, and a tab
// that leaves disappears from the other tab and from the server (no transports left).
// WHIP and WHEP: a plain RTCPeerConnection page publishes into the room (both tabs play
// it) and player.html plays the room, with nothing left after DELETE.
// Last, the command line: it prints the address and exits 0 on SIGINT and SIGTERM.
//
// MEDIAPLANE_DEMO_SCREENSHOT=/path.png keeps the screenshot of a tab with both
// participants (default: a file in the temp dir, printed as a TAP comment).
const t = require('tap');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { WebSocket } = require('ws');

const { startServer } = require('../examples/videoroom/server');
const { ensureChromium } = require('../scripts/ensure-chromium');
const { CHROMIUM_ARGS, chromiumProcessIds, processRunning } = require('./browser/harness');

const ROOM = 'test room';
const SERVER_SCRIPT = path.join(__dirname, '..', 'examples', 'videoroom', 'server.js');

function withTimeout(promise, ms, what) {
	let timer;
	const timeout = new Promise((_, reject) => {
		timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms);
	});
	return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function waitFor(predicate, timeoutMs, what) {
	const deadline = Date.now() + timeoutMs;
	let last;
	while (Date.now() < deadline) {
		last = await predicate();
		if (last) return last;
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
	throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// --- the server and the browser, shared by the tests below -------------------------

let server;
let context;
let userDataDir;
const serverLog = [];
const pages = {};

/** page.evaluate of window.demo[name](...args), bounded. */
function demo(page, name, ...args) {
	return withTimeout(page.evaluate(([n, a]) => window.demo[n](...a), [name, args]), 30_000, `demo.${name}()`);
}

async function closeBrowser() {
	if (!context) return;
	const pids = chromiumProcessIds(userDataDir);
	await withTimeout(context.close(), 15_000, 'closing Chromium').catch(() => {});
	for (let i = 0; i < 50 && pids.some(processRunning); i++) await sleep(100);
	for (const pid of chromiumProcessIds(userDataDir).concat(pids).filter(processRunning)) {
		try {
			process.kill(pid, 'SIGKILL');
		} catch {}
	}
	context = undefined;
	fs.rmSync(userDataDir, { recursive: true, force: true, maxRetries: 3 });
}

t.before(async () => {
	server = await startServer({ host: '127.0.0.1', port: 0, workers: 2, log: (line) => serverLog.push(line) });
	const executablePath = ensureChromium();
	const { chromium } = require('playwright-core');
	userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mediaplane-videoroom-'));
	context = await chromium.launchPersistentContext(userDataDir, {
		executablePath,
		headless: true,
		args: [...CHROMIUM_ARGS, '--headless=new'],
		viewport: { width: 1100, height: 520 },
		timeout: 60_000,
	});
	context.setDefaultTimeout(20_000);
	for (const name of ['alice', 'bob']) {
		const page = name === 'alice' ? (context.pages()[0] ?? (await context.newPage())) : await context.newPage();
		page.on('pageerror', (error) => process.stderr.write(`[${name} pageerror] ${error.stack || error.message}\n`));
		page.on('console', (msg) => {
			if (msg.type() === 'error') process.stderr.write(`[${name} console.error] ${msg.text()}\n`);
		});
		await page.goto(server.url, { waitUntil: 'load', timeout: 30_000 });
		await page.waitForFunction(() => window.demo && window.demo.ready === true, null, { timeout: 30_000 });
		pages[name] = page;
	}
});

t.teardown(async () => {
	await closeBrowser();
	await server?.close();
});

function remote(stats, kind) {
	return stats.find((s) => s.kind === kind) ?? {};
}

async function roomState() {
	const state = await server.dumpState();
	return state.rooms.find((r) => r.name === ROOM);
}

// --- tests ------------------------------------------------------------------------

t.test('the page is served, with the bundled mediasoup-client', async (t) => {
	t.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
	const title = await pages.alice.title();
	t.equal(title, 'mediaplane video room');
	const bundle = await fetchText(`${server.url}/app.js`);
	t.equal(bundle.status, 200);
	t.ok(bundle.body.length > 50_000, `app.js is a bundle (${bundle.body.length} bytes)`);
	t.equal((await fetchText(`${server.url}/../package.json`)).status, 404, 'nothing else is served');
});

t.test('two tabs in one room: each decodes the other one\'s video and hears its audio', async (t) => {
	const alice = await demo(pages.alice, 'join', ROOM, 'Alice');
	const bob = await demo(pages.bob, 'join', ROOM, 'Bob'); // a late joiner: consumes what is there
	t.equal(alice.room, ROOM);
	t.not(alice.peerId, bob.peerId);

	for (const [name, page, other] of [['alice', pages.alice, bob], ['bob', pages.bob, alice]]) {
		const stats = await waitFor(async () => {
			const s = await demo(page, 'getRemoteStats');
			const video = remote(s, 'video');
			const audio = remote(s, 'audio');
			return video.framesDecoded >= 30 && audio.packetsReceived >= 50 && audio.totalSamplesReceived > 0 ? s : false;
		}, 30_000, `${name} decoding 30 frames and receiving 50 audio packets`);
		t.equal(remote(stats, 'video').peerId, other.peerId, `${name}'s video comes from the other tab`);
		t.equal(remote(stats, 'audio').peerId, other.peerId, `${name}'s audio comes from the other tab`);
		t.ok(remote(stats, 'video').framesDecoded >= 30, `${name} decoded ${remote(stats, 'video').framesDecoded} frames`);
		t.ok(remote(stats, 'audio').packetsReceived >= 50, `${name} received ${remote(stats, 'audio').packetsReceived} audio packets`);
	}

	// The video elements play: a size, and a currentTime that moves.
	for (const [name, page, other] of [['alice', pages.alice, bob], ['bob', pages.bob, alice]]) {
		const tileOf = async () => (await demo(page, 'getTiles')).find((tile) => tile.peerId === other.peerId);
		const before = await waitFor(async () => {
			const tile = await tileOf();
			return tile && tile.videoWidth > 0 && tile.currentTime > 0 ? tile : false;
		}, 15_000, `${name}'s tile of the other playing`);
		await sleep(1000);
		const after = await tileOf();
		t.ok(after.videoWidth > 0, `${name}: the other's video is ${after.videoWidth} px wide`);
		t.ok(after.currentTime > before.currentTime, `${name}: currentTime advances (${before.currentTime} → ${after.currentTime})`);
		t.equal(after.videoPaused, false);
		t.equal(after.audioTracks, 1, `${name}: the other's audio is attached`);
		const tiles = await demo(page, 'getTiles');
		t.equal(tiles.length, 2, `${name} shows two participants`);
		t.ok(tiles.find((tile) => tile.self).videoWidth > 0, `${name}'s own preview plays`);
	}

	// Live stats from the server's getStats(), on each tile.
	for (const [name, page, other] of [['alice', pages.alice, bob], ['bob', pages.bob, alice]]) {
		const state = await waitFor(async () => {
			const s = await demo(page, 'getState');
			const v = s.serverStats?.peers?.[other.peerId]?.video;
			const own = s.serverStats?.self?.video;
			return v && v.bitrate > 0 && v.score > 0 && own && own.bitrate > 0 && own.score > 0 ? s : false;
		}, 15_000, `${name}'s server stats`);
		const video = state.serverStats.peers[other.peerId].video;
		t.ok(video.bitrate > 10_000, `${name} gets the other's video at ${video.bitrate} bps (server stats)`);
		t.equal(typeof video.packetsLost, 'number');
		const tile = (await demo(page, 'getTiles')).find((x) => x.peerId === other.peerId);
		t.match(tile.stats, /video +\d+ kbps · lost \d+ · score \d+/, `${name}'s tile shows the stats`);
	}

	// The server holds two participants, each with two transports, two producers, two consumers.
	const room = await roomState();
	t.equal(room.peers.length, 2);
	for (const peer of room.peers) {
		t.equal(peer.transportIds.length, 2, `${peer.displayName} has a send and a recv transport`);
		t.equal(peer.producerIds.length, 2, `${peer.displayName} produces camera and microphone`);
		t.equal(peer.consumerIds.length, 2, `${peer.displayName} consumes the other's two`);
		for (const id of peer.transportIds) t.ok(room.router.transportIds.includes(id), 'the router has the transport');
	}

	// A screenshot for people.
	const screenshot = process.env.MEDIAPLANE_DEMO_SCREENSHOT || path.join(os.tmpdir(), 'mediaplane-videoroom.png');
	await waitFor(async () => /kbps/.test((await demo(pages.alice, 'getTiles')).map((x) => x.stats).join()), 5000, 'stats on screen');
	await pages.alice.screenshot({ path: screenshot, timeout: 15_000 });
	t.ok(fs.statSync(screenshot).size > 10_000, `screenshot written to ${screenshot}`);
	t.comment(`screenshot: ${screenshot}`);
});

t.test('mute: pausing the microphone pauses the other side\'s consumer, and back', async (t) => {
	const alice = await demo(pages.alice, 'getState');
	const audioId = alice.producers.find((p) => p.kind === 'audio').id;
	await demo(pages.alice, 'setPaused', 'audio', true);
	await waitFor(async () => {
		const s = await demo(pages.bob, 'getState');
		return s.serverStats?.peers?.[alice.peerId]?.audio?.paused === true;
	}, 10_000, 'bob seeing alice\'s audio paused');
	const badges = await pages.bob.locator(`.tile[data-peer-id="${alice.peerId}"] .badges span`).allTextContents();
	t.same(badges, ['mic off'], 'bob sees "mic off" on alice\'s tile');
	await demo(pages.alice, 'setPaused', 'audio', false);
	await waitFor(async () => {
		const s = await demo(pages.bob, 'getState');
		return s.serverStats?.peers?.[alice.peerId]?.audio?.paused === false;
	}, 10_000, 'bob seeing alice\'s audio resumed');
	const before = remote(await demo(pages.bob, 'getRemoteStats'), 'audio').packetsReceived;
	await waitFor(async () => remote(await demo(pages.bob, 'getRemoteStats'), 'audio').packetsReceived > before + 20, 10_000, 'audio flowing again');
	t.ok(audioId, 'paused and resumed the microphone producer');
});

t.test('bad input on the WebSocket gets error answers; the room keeps working', async (t) => {
	const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws`);
	t.teardown(() => ws.terminate());
	const inbox = [];
	const waiters = [];
	ws.on('message', (data) => {
		const message = JSON.parse(data.toString());
		inbox.push(message);
		for (const w of waiters.splice(0)) w();
	});
	await withTimeout(new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject)), 10_000, 'ws open');

	const answer = (predicate, what) =>
		withTimeout(
			(async () => {
				for (;;) {
					const index = inbox.findIndex(predicate);
					if (index >= 0) return inbox.splice(index, 1)[0];
					await new Promise((resolve) => waiters.push(resolve));
				}
			})(),
			10_000,
			what
		);
	const request = async (id, method, data) => {
		ws.send(JSON.stringify({ id, method, data }));
		return answer((m) => m.id === id, `answer to ${method} #${id}`);
	};
	const expectError = async (sent, code, what) => {
		const reply = await sent;
		t.equal(reply.ok, false, `${what}: an error answer`);
		t.equal(reply.error?.code, code, `${what}: ${reply.error?.message}`);
		return reply;
	};

	const framesBefore = remote(await demo(pages.bob, 'getRemoteStats'), 'video').framesDecoded;

	ws.send('{"id": 1, "method": "join", ');
	await expectError(answer((m) => m.id === null && m.error?.code === 'invalid_json', 'invalid JSON answer'), 'invalid_json', 'invalid JSON');
	ws.send('[1, 2, 3]');
	await expectError(answer((m) => m.id === null, 'array answer'), 'bad_request', 'a JSON array');
	ws.send(JSON.stringify({ method: 'join' }));
	await expectError(answer((m) => m.id === null, 'no id answer'), 'bad_request', 'no id');
	ws.send(Buffer.from([1, 2, 3]), { binary: true });
	await expectError(answer((m) => m.id === null, 'binary answer'), 'bad_request', 'a binary message');
	await expectError(request(2, 'fly', {}), 'unknown_method', 'unknown method');
	await expectError(request(3, 'constructor', {}), 'unknown_method', 'a method name from Object.prototype');
	await expectError(request(4, 'consume', { producerId: crypto.randomUUID() }), 'invalid_state', 'consume before join');
	await expectError(request(5, 'join', { room: 42, displayName: 'Mallory' }), 'bad_request', 'a room that is not a string');
	await expectError(request(6, 'join', { room: '', displayName: 'Mallory' }), 'bad_request', 'an empty room name');
	await expectError(request(7, 'join', { room: ROOM, displayName: 'x'.repeat(41) }), 'bad_request', 'a long display name');
	await expectError(request(8, 'join', { room: ROOM, displayName: 'Mallory', admin: true }), 'bad_request', 'an unknown field');
	await expectError(request(9, 'join', { room: '../etc', displayName: 'Mallory' }), 'bad_request', 'a room name with odd characters');
	ws.send(JSON.stringify({ id: 10, method: 'join', data: 'lobby' }));
	await expectError(answer((m) => m.id === 10, 'data string answer'), 'bad_request', 'data that is not an object');

	// Now a participant of the same room, sending nonsense.
	const joined = await request(11, 'join', { room: ROOM, displayName: 'Mallory' });
	t.equal(joined.ok, true, 'a valid join works');
	t.equal(joined.data.peers.length, 2, 'and lists the two tabs');
	const someProducer = joined.data.peers[0].producers[0].producerId;
	await expectError(request(12, 'join', { room: ROOM, displayName: 'Mallory' }), 'invalid_state', 'joining twice');
	await expectError(request(13, 'consume', { producerId: crypto.randomUUID() }), 'not_found', 'consume of a producer that does not exist');
	await expectError(request(14, 'consume', { producerId: '../../x' }), 'bad_request', 'consume with a malformed id');
	await expectError(request(15, 'consume', { producerId: someProducer }), 'invalid_state', 'consume before setRtpCapabilities');
	await expectError(request(16, 'setRtpCapabilities', { rtpCapabilities: { codecs: 'all' } }), 'bad_request', 'capabilities that are not capabilities');
	await expectError(request(17, 'createTransport', { direction: 'sideways' }), 'bad_request', 'a bad direction');
	await expectError(request(18, 'resumeConsumer', { consumerId: crypto.randomUUID() }), 'not_found', 'resuming a consumer that is not there');
	await expectError(request(19, 'pauseProducer', { producerId: someProducer }), 'not_found', 'pausing someone else\'s producer');
	const send = await request(20, 'createTransport', { direction: 'send' });
	t.equal(send.ok, true, 'a valid createTransport works');
	t.equal(send.data.iceCandidates.length, 2, 'with a UDP and a TCP candidate');
	t.ok(send.data.iceCandidates.every((c) => c.address === '127.0.0.1'), 'on loopback');
	await expectError(request(21, 'createTransport', { direction: 'send' }), 'invalid_state', 'a second send transport');
	await expectError(
		request(22, 'connectTransport', { transportId: send.data.id, dtlsParameters: { role: 'client', fingerprints: [] } }),
		'bad_request',
		'DTLS parameters without fingerprints'
	);
	await expectError(
		request(23, 'connectTransport', { transportId: crypto.randomUUID(), dtlsParameters: { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: 'AB:CD' }] } }),
		'not_found',
		'connecting a transport that is not yours'
	);
	await expectError(
		request(24, 'produce', { transportId: send.data.id, kind: 'video', rtpParameters: { codecs: [{ mimeType: 'video/VP8' }], encodings: [{}] } }),
		'bad_request',
		'RTP parameters that mediaplane rejects'
	);
	await expectError(
		request(25, 'produce', { transportId: send.data.id, kind: 'smell', rtpParameters: {} }),
		'bad_request',
		'a bad kind'
	);
	const deep = { a: {} };
	let cursor = deep.a;
	for (let i = 0; i < 20; i++) cursor = cursor.b = {};
	await expectError(
		request(26, 'setRtpCapabilities', { rtpCapabilities: { codecs: [deep] } }),
		'bad_request',
		'deeply nested capabilities'
	);
	const stats = await request(27, 'getStats', {});
	t.equal(stats.ok, true, 'getStats works for the odd participant');

	// The two tabs never noticed (beyond a third name joining).
	await waitFor(
		async () => remote(await demo(pages.bob, 'getRemoteStats'), 'video').framesDecoded > framesBefore + 20,
		10_000,
		'bob still decoding alice'
	);
	await waitFor(async () => (await demo(pages.alice, 'getTiles')).length === 3, 5000, 'alice showing Mallory');
	const room = await roomState();
	t.equal(room.peers.length, 3, 'three participants on the server');
	const mallory = room.peers.find((p) => p.displayName === 'Mallory');
	t.equal(mallory.transportIds.length, 1);

	// An oversized message closes only that socket (maxPayload); its participant leaves.
	const closed = new Promise((resolve) => ws.once('close', (code) => resolve(code)));
	ws.send(JSON.stringify({ id: 28, method: 'join', data: { room: 'x'.repeat(100_000) } }));
	t.equal(await withTimeout(closed, 10_000, 'oversized message closing the socket'), 1009, 'closed with 1009 (message too big)');
	await waitFor(async () => (await roomState()).peers.length === 2, 10_000, 'Mallory gone from the server');
	t.notOk((await roomState()).router.transportIds.includes(mallory.transportIds[0]), 'and her transport too');
	await waitFor(async () => (await demo(pages.alice, 'getTiles')).length === 2, 5000, 'alice no longer showing Mallory');

	// A cross-site page cannot open a session.
	const foreign = new WebSocket(`${server.url.replace('http', 'ws')}/ws`, { origin: 'http://evil.example' });
	const refused = await withTimeout(
		new Promise((resolve) => {
			foreign.once('open', () => resolve('open'));
			foreign.once('error', (error) => resolve(error.message));
		}),
		10_000,
		'foreign origin'
	);
	foreign.terminate();
	t.match(refused, /401|403|Unexpected server response/, `a foreign Origin is refused (${refused})`);
});

t.test('WHIP and WHEP: a plain RTCPeerConnection publishes into the room and the tabs see it; player.html plays the room', async (t) => {
	const alice = await demo(pages.alice, 'getState');
	const publisherPage = await context.newPage();
	const playerPage = await context.newPage();
	try {
		await publisherPage.goto(`${server.url}/player.html`, { waitUntil: 'load' });
		const published = await withTimeout(
			publisherPage.evaluate(async (url) => {
				window.publisher = await window.mediaplaneWhip.publish(url);
				return { location: window.publisher.location };
			}, `${server.url}/whip/${encodeURIComponent(ROOM)}`),
			30_000,
			'WHIP publish'
		);
		t.match(published.location, /\/whip\/test%20room\/sessions\/[0-9a-f-]{36}$/, 'the session resource');
		const room = await waitFor(async () => {
			const r = await roomState();
			return r.peers.length === 3 ? r : false;
		}, 10_000, 'the WHIP publisher joining the room');
		const whipPeer = room.peers.find((p) => /^WHIP \d+$/.test(p.displayName));
		t.ok(whipPeer, `the room has the publisher as "${whipPeer?.displayName}"`);
		t.equal(whipPeer.producerIds.length, 2, 'with its camera and microphone');

		// The mediasoup-client tabs see the WHIP publisher.
		for (const [name, page] of [['alice', pages.alice], ['bob', pages.bob]]) {
			const tile = await waitFor(async () => {
				const found = (await demo(page, 'getTiles')).find((x) => x.peerId === whipPeer.id);
				return found && found.videoWidth > 0 && found.currentTime > 0 ? found : false;
			}, 20_000, `${name} playing the WHIP publisher's video`);
			t.ok(tile.videoWidth > 0, `${name} plays the WHIP publisher (${tile.videoWidth} px wide)`);
		}

		// player.html plays the room over WHEP: Alice's, Bob's and the publisher's streams.
		await playerPage.goto(`${server.url}/player.html?room=${encodeURIComponent(ROOM)}`, { waitUntil: 'load' });
		await playerPage.click('#play');
		// window.player is set once play() resolved (the WHEP answer applied). The status
		// line then says 'playing', and is overwritten by the connection state as it
		// changes: on a fast machine 'connected' follows within milliseconds.
		await playerPage.waitForFunction(() => window.player !== undefined && window.player !== null, null, { timeout: 20_000 })
			.catch(async (error) => {
				// Say what the page shows and what the server logged: a bare timeout is all
				// a failed CI run would otherwise leave.
				const status = await playerPage.evaluate(() => document.getElementById('status').textContent).catch((e) => `(${e.message})`);
				throw new Error(`${error.message}; the player's status: "${status}"; the server's last lines:\n${serverLog.slice(-15).join('\n')}`);
			});
		const status = await playerPage.evaluate(() => document.getElementById('status').textContent);
		t.ok(['playing', 'new', 'connecting', 'connected'].includes(status), `the player's status line says it plays ("${status}")`);
		const played = await waitFor(async () => {
			const stats = await playerPage.evaluate(() => window.mediaplaneWhip.receivedStats(window.player.pc));
			return stats.videoFramesDecoded >= 60 && stats.audioSamplesReceived > 0 ? stats : false;
		}, 20_000, 'the WHEP player decoding 60 frames and audio');
		t.ok(played.videoFramesDecoded >= 60, `the WHEP player decoded ${played.videoFramesDecoded} frames`);
		t.ok(played.audioSamplesReceived > 0, 'and audio');
		const videos = await playerPage.evaluate(() => document.querySelectorAll('#streams video').length);
		t.equal(videos, 3, 'one video per participant (Alice, Bob, the WHIP publisher)');
		t.same((await server.dumpState()).webrtcHttpSessions, { whip: 1, whep: 1 });

		// Stop and DELETE: the server holds nothing of either.
		await playerPage.click('#stop');
		t.equal(await publisherPage.evaluate(async () => {
			const status = await window.publisher.stop();
			window.publisher = undefined; // stopped: the finally below has nothing left to end
			return status;
		}), 200, 'WHIP DELETE → 200');
		await waitFor(async () => {
			const state = await server.dumpState();
			return state.webrtcHttpSessions.whip === 0 && state.webrtcHttpSessions.whep === 0 ? state : false;
		}, 10_000, 'both sessions ended');
		const after = await waitFor(async () => {
			const r = await roomState();
			return r.peers.length === 2 && r.router.transportIds.length === 4 ? r : false;
		}, 10_000, 'the room back to Alice and Bob, with their four transports');
		t.notOk(after.peers.some((p) => p.id === whipPeer.id), 'the WHIP publisher left the room');
		await waitFor(async () => !(await demo(pages.alice, 'getTiles')).some((x) => x.peerId === whipPeer.id), 10_000, 'alice removing the publisher\'s tile');
		t.equal((await demo(pages.alice, 'getState')).peerId, alice.peerId);
	} finally {
		// Ended with a DELETE, not only by closing the tab: otherwise, after a failure
		// above, the server keeps the publisher until ICE consent expires (30 s) and the
		// next test sees it still in the room.
		await withTimeout(publisherPage.evaluate(() => window.publisher?.stop()), 5_000, 'WHIP DELETE').catch(() => {});
		await publisherPage.close().catch(() => {});
		await playerPage.close().catch(() => {});
	}
});

t.test('leaving: the other tab removes the tile, the server holds nothing of the one who left', async (t) => {
	const alice = await demo(pages.alice, 'getState');
	const bob = await demo(pages.bob, 'getState');
	const before = await roomState();
	const bobOnServer = before.peers.find((p) => p.id === bob.peerId);
	t.equal(bobOnServer.transportIds.length, 2);
	t.equal(bobOnServer.producerIds.length, 2);

	await demo(pages.bob, 'leave');
	t.same(await demo(pages.bob, 'getState'), { joined: false }, 'bob is out');

	await waitFor(async () => !(await demo(pages.alice, 'getTiles')).some((tile) => tile.peerId === bob.peerId), 10_000, 'alice removing bob\'s tile');
	t.equal((await demo(pages.alice, 'getTiles')).length, 1, 'alice sees only herself');
	await waitFor(async () => (await demo(pages.alice, 'getRemoteStats')).length === 0, 10_000, 'alice\'s consumers of bob closed');

	const after = await waitFor(async () => {
		const room = await roomState();
		return room.peers.length === 1 && room.peers[0].consumerIds.length === 0 ? room : false;
	}, 10_000, 'the server forgetting bob');
	t.equal(after.peers[0].id, alice.peerId);
	for (const id of bobOnServer.transportIds) t.notOk(after.router.transportIds.includes(id), `bob's transport ${id} is closed`);
	t.equal(after.router.transportIds.length, 2, 'only alice\'s two transports remain in the router');
	for (const id of bobOnServer.producerIds) {
		t.notOk(after.router.mapProducerIdConsumerIds.some((e) => e.key === id), `bob's producer ${id} is gone`);
	}
	t.equal(after.router.mapConsumerIdProducerId.length, 0, 'no consumers left in the router');

	// Bob comes back: a fresh participant, and both see each other again.
	const again = await demo(pages.bob, 'join', ROOM, 'Bob');
	t.not(again.peerId, bob.peerId);
	await waitFor(async () => remote(await demo(pages.alice, 'getRemoteStats'), 'video').framesDecoded >= 10, 20_000, 'alice decoding bob again');
	await waitFor(async () => remote(await demo(pages.bob, 'getRemoteStats'), 'video').framesDecoded >= 10, 20_000, 'bob decoding alice again');

	// Closing a tab (the WebSocket) is leaving too; the last one out closes the room.
	await withTimeout(pages.bob.close(), 10_000, 'closing bob\'s tab');
	await waitFor(async () => (await roomState()).peers.length === 1, 10_000, 'bob\'s closed tab leaving');
	await withTimeout(pages.alice.close(), 10_000, 'closing alice\'s tab');
	await waitFor(async () => (await server.dumpState()).rooms.length === 0, 10_000, 'the empty room closing');
	t.ok(serverLog.some((line) => line.includes(`room "${ROOM}" closed`)), 'the server logged the room closing');
});

t.test('npm start: prints the address, serves the page, exits 0 on SIGINT and SIGTERM', async (t) => {
	for (const signal of ['SIGINT', 'SIGTERM']) {
		const child = spawn(process.execPath, [SERVER_SCRIPT, '--port', '0', '--workers', '1'], {
			stdio: ['ignore', 'pipe', 'pipe'],
			env: { ...process.env, MEDIAPLANE_DEMO_HOST: '127.0.0.1' },
		});
		const exited = new Promise((resolve) => child.once('exit', (code, sig) => resolve({ code, sig })));
		t.teardown(() => {
			if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
		});
		let output = '';
		child.stdout.on('data', (d) => (output += d));
		child.stderr.on('data', (d) => (output += d));
		const url = await waitFor(() => /Open (http:\/\/127\.0\.0\.1:\d+) in two browser tabs/.exec(output)?.[1], 20_000, 'the printed address');
		t.match(output, /--announced-address/, 'says how to reach it from another machine');
		t.match(output, /https/i, 'and that remote browsers need HTTPS');
		const page = await fetchText(url);
		t.equal(page.status, 200);
		t.match(page.body, /mediaplane video room/);
		child.kill(signal);
		const { code } = await withTimeout(exited, 15_000, `exit after ${signal}`);
		t.equal(code, 0, `exit code 0 after ${signal}`);
	}
});

t.test('startServer checks its options', async (t) => {
	await t.rejects(startServer({ port: 70000 }), TypeError);
	await t.rejects(startServer({ port: 0, cert: 'x.pem' }), /cert and key/);
	await t.rejects(startServer({ port: 0, workers: 0 }), TypeError);
});

function fetchText(url) {
	return withTimeout(
		new Promise((resolve, reject) => {
			http
				.get(url, (res) => {
					let body = '';
					res.setEncoding('utf8');
					res.on('data', (d) => (body += d));
					res.on('end', () => resolve({ status: res.statusCode, body }));
				})
				.on('error', reject);
		}),
		10_000,
		`GET ${url}`
	);
}
