'use strict';
// WHIP (RFC 9725) and WHEP with real Chromium pages running a plain RTCPeerConnection
// (examples/videoroom/public/whip-whep.js, no mediasoup-client): a publisher POSTs
// camera and microphone to /whip/<room>, a player POSTs to /whep/<room> and must decode
// the publisher's video and audio; DELETE ends each session and leaves nothing on the
// server. Also VP8 simulcast and H.264, the HTTP error answers (401, 415, 400, 422),
// and PATCH (trickle ICE 204, ETag 412, ICE restart 200 + sdpfrag).
const t = require('tap');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const mediaplane = require('..');
const { startPlainPage } = require('./browser/harness');

const LOCAL = '127.0.0.1';
const TOKEN = 'secret-token';
const CLIENT_JS = fs.readFileSync(path.join(__dirname, '..', 'examples', 'videoroom', 'public', 'whip-whep.js'));
const mediaCodecs = [
	{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
	{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
	{
		kind: 'video',
		mimeType: 'video/H264',
		clockRate: 90000,
		parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 },
	},
];

async function waitFor(predicate, timeoutMs, what) {
	const deadline = Date.now() + timeoutMs;
	let last;
	while (Date.now() < deadline) {
		last = await predicate();
		if (last) return last;
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	throw new Error(`timed out waiting for ${what}`);
}

let worker;
let router;
let server;
let baseUrl;
let browser;
let whip;
let whep;
const rooms = new Map(); // room name -> Producer[] published there over WHIP

t.before(async () => {
	worker = await mediaplane.createWorker({ logLevel: 'warn' });
	router = await worker.createRouter({ mediaCodecs });
	const transportOptions = { listenInfos: [{ protocol: 'udp', ip: LOCAL }] };
	whip = mediaplane.webrtc.createWhipHandler({
		path: '/whip',
		authorize: ({ token }) => token === TOKEN,
		prepare: ({ endpoint }) => (/^[\w-]+$/.test(endpoint) ? { router, transportOptions } : undefined),
		onSession: (session) => {
			const list = rooms.get(session.endpoint) ?? [];
			list.push(...session.producers.map((p) => p.producer));
			rooms.set(session.endpoint, list);
		},
		onSessionClose: (session) => {
			const gone = new Set(session.producers.map((p) => p.producer));
			rooms.set(session.endpoint, (rooms.get(session.endpoint) ?? []).filter((p) => !gone.has(p)));
		},
	});
	whep = mediaplane.webrtc.createWhepHandler({
		path: '/whep',
		prepare: ({ endpoint }) => (rooms.has(endpoint) ? { router, transportOptions } : undefined),
		producers: ({ endpoint }) => rooms.get(endpoint) ?? [],
	});
	server = http.createServer(async (req, res) => {
		if (await whip(req, res)) return;
		if (await whep(req, res)) return;
		if (req.url === '/whip-whep.js') {
			res.writeHead(200, { 'content-type': 'text/javascript' }).end(CLIENT_JS);
		} else if (req.url === '/favicon.ico') {
			res.writeHead(204).end();
		} else if (req.url === '/') {
			res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><video id="v" muted autoplay playsinline></video><script src="/whip-whep.js"></script>');
		} else {
			res.writeHead(404).end();
		}
	});
	await new Promise((resolve) => server.listen(0, LOCAL, resolve));
	baseUrl = `http://${LOCAL}:${server.address().port}`;
	browser = await startPlainPage(`${baseUrl}/`);
});

t.teardown(async () => {
	await browser?.close();
	whip?.close();
	whep?.close();
	server?.closeAllConnections?.();
	await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
	worker?.close();
});

/** Opens another page of the same browser on the test page. */
async function newPage() {
	const page = await browser.page.context().newPage();
	await page.goto(`${baseUrl}/`, { waitUntil: 'load' });
	return page;
}

async function transportCount() {
	return (await router.dump()).transportIds.length;
}

/** Publishes over WHIP in `page`, plays over WHEP in `player`, returns what played. */
async function publishAndPlay(t, room, publishOptions) {
	const page = browser.page;
	const player = await newPage();
	try {
		await page.evaluate(
			async ([url, options]) => {
				window.publisher = await window.mediaplaneWhip.publish(url, options);
			},
			[`${baseUrl}/whip/${room}`, { token: TOKEN, ...publishOptions }]
		);
		t.equal(whip.sessions.size, 1, 'one WHIP session');
		const [session] = whip.sessions.values();
		t.equal(session.pc.connectionState === 'closed', false);
		const kinds = session.producers.map((p) => p.producer.kind).sort();
		t.same(kinds, ['audio', 'video'], 'the offer made an audio and a video Producer');
		for (const { producer, info } of session.producers) {
			t.equal(info.kind, producer.kind);
			t.ok(info.mid, 'the Producer event names its mid');
			t.ok(info.streamId, 'and its msid stream');
		}
		await waitFor(() => session.pc.connectionState === 'connected', 15000, 'WHIP connection connected');
		const video = session.producers.find((p) => p.producer.kind === 'video').producer;
		await waitFor(async () => (await video.getStats()).some((s) => s.packetCount > 50), 15000, 'video RTP at the Producer');

		await player.evaluate(async (url) => {
			window.player = await window.mediaplaneWhip.play(url, { video: document.getElementById('v') });
		}, `${baseUrl}/whep/${room}`);
		t.equal(whep.sessions.size, 1, 'one WHEP session');
		const [playSession] = whep.sessions.values();
		t.equal(playSession.pc.getConsumers().length, 2, 'the player gets a Consumer per Producer');
		const played = await waitFor(
			async () => {
				const stats = await player.evaluate(() => window.mediaplaneWhip.receivedStats(window.player.pc));
				return stats.videoFramesDecoded >= 60 && stats.audioSamplesReceived > 0 ? stats : undefined;
			},
			20000,
			'the player decoding 60 video frames and audio'
		);
		t.ok(played.videoFramesDecoded >= 60, `the player decoded ${played.videoFramesDecoded} frames`);
		t.ok(played.audioSamplesReceived > 0, `and ${played.audioSamplesReceived} audio samples`);

		// DELETE both sessions: nothing is left on the server.
		t.equal(await player.evaluate(() => window.player.stop()), 200, 'WHEP DELETE → 200');
		t.equal(await page.evaluate(() => window.publisher.stop()), 200, 'WHIP DELETE → 200');
		t.equal(whip.sessions.size + whep.sessions.size, 0, 'no session left');
		await waitFor(async () => (await transportCount()) === 0, 5000, 'no transport left');
		t.equal(rooms.get(room).length, 0, 'the room has no Producer left');
		return { played, session };
	} finally {
		await player.close();
	}
}

t.test('WHIP camera and microphone (VP8) → WHEP player decodes video and audio; DELETE leaves nothing', async (t) => {
	const { played, session } = await publishAndPlay(t, 'room1', {});
	t.equal(played.videoCodec.toLowerCase(), 'video/vp8');
	t.equal(session.producers.find((p) => p.producer.kind === 'video').producer.rtpParameters.codecs[0].mimeType.toLowerCase(), 'video/vp8');
});

t.test('WHIP VP8 simulcast (three RIDs) → the player gets a layer it can take', async (t) => {
	const { played, session } = await publishAndPlay(t, 'room-simulcast', { simulcast: true });
	const video = session.producers.find((p) => p.producer.kind === 'video').producer;
	t.same(video.rtpParameters.encodings.map((e) => e.rid), ['q', 'h', 'f'], 'the Producer has the three RIDs');
	t.equal(video.type, 'simulcast');
	t.ok(played.frameWidth > 0, `frames of width ${played.frameWidth}`);
});

t.test('WHIP H.264 → WHEP player decodes H.264', async (t) => {
	const { played, session } = await publishAndPlay(t, 'room-h264', { codec: 'H264' });
	t.equal(session.producers.find((p) => p.producer.kind === 'video').producer.rtpParameters.codecs[0].mimeType.toLowerCase(), 'video/h264');
	t.equal(played.videoCodec.toLowerCase(), 'video/h264');
});

t.test('HTTP answers: 401, 415, 400, 422, 404, 405, OPTIONS; nothing left behind', async (t) => {
	const offer = await browser.page.evaluate(async () => {
		const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
		pc.addTransceiver('audio', { direction: 'sendonly' });
		pc.addTransceiver('video', { direction: 'sendonly' });
		const { sdp } = await pc.createOffer();
		pc.close();
		return sdp;
	});
	const post = (url, body, headers = {}) =>
		fetch(`${baseUrl}${url}`, { method: 'POST', body, headers: { 'content-type': 'application/sdp', authorization: `Bearer ${TOKEN}`, ...headers } });

	let res = await post('/whip/room2', offer, { authorization: 'Bearer wrong' });
	t.equal(res.status, 401, 'a wrong token → 401');
	t.equal(res.headers.get('www-authenticate'), 'Bearer');
	res = await post('/whip/room2', offer, { authorization: '' });
	t.equal(res.status, 401, 'no token → 401');
	res = await post('/whip/room2', offer, { 'content-type': 'text/plain' });
	t.equal(res.status, 415, 'not application/sdp → 415');
	res = await post('/whip/room2', 'hello');
	t.equal(res.status, 400, 'not an SDP → 400');
	res = await post('/whip/room2', offer.replace(/a=group:BUNDLE[^\r\n]*\r\n/, ''));
	t.equal(res.status, 422, 'no BUNDLE → 422');
	t.match(await res.text(), /BUNDLE/);
	res = await post('/whip/room2', offer.replace(/a=rtcp-mux\r\n/g, ''));
	t.equal(res.status, 422, 'no rtcp-mux → 422');
	// Only codecs the router does not have.
	const noCommon = offer.replace(/^m=(audio|video) (\d+) ([^ ]+) .*$/gm, 'm=$1 $2 $3 126').replace(/^a=(rtpmap|fmtp|rtcp-fb):\d+ .*\r\n/gm, '') + '';
	res = await post('/whip/room2', noCommon.replace(/(m=audio [^\r\n]*\r\n)/, '$1').replace(/(a=mid:0\r\n)/, '$1a=rtpmap:126 PCMU/8000\r\n').replace(/(a=mid:1\r\n)/, '$1a=rtpmap:126 H265/90000\r\n'));
	t.equal(res.status, 422, 'no codec in common → 422');
	res = await post('/whip/no such room!', offer);
	t.equal(res.status, 404, 'an endpoint prepare() refuses → 404');
	res = await fetch(`${baseUrl}/whip/room2`, { method: 'GET' });
	t.equal(res.status, 405, 'GET on an endpoint → 405');
	res = await fetch(`${baseUrl}/whip/room2`, { method: 'OPTIONS' });
	t.equal(res.status, 204, 'OPTIONS → 204');
	t.equal(res.headers.get('accept-post'), 'application/sdp');
	t.equal(res.headers.get('access-control-allow-origin'), '*');
	res = await fetch(`${baseUrl}/whip/room2/sessions/00000000-0000-0000-0000-000000000000`, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } });
	t.equal(res.status, 404, 'DELETE of an unknown session → 404');
	t.equal(whip.sessions.size, 0, 'no session was kept');
	t.equal(await transportCount(), 0, 'no transport was kept');
});

t.test('PATCH: trickle ICE → 204, a stale ETag → 412, ICE restart → 200 with new credentials', async (t) => {
	const page = browser.page;
	await page.evaluate(async (url) => {
		window.publisher = await window.mediaplaneWhip.publish(url, { token: 'secret-token' });
	}, `${baseUrl}/whip/room3`);
	const { location, etag } = await page.evaluate(() => ({ location: window.publisher.location, etag: window.publisher.etag }));
	const [session] = whip.sessions.values();
	const patch = (headers, body) =>
		fetch(location, { method: 'PATCH', body, headers: { 'content-type': 'application/trickle-ice-sdpfrag', authorization: `Bearer ${TOKEN}`, ...headers } });
	const ufrag = session.pc.remoteIceUsernameFragment;
	const trickle = `a=ice-ufrag:${ufrag}\r\na=ice-pwd:whatever\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\na=candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host\r\n`;
	let res = await patch({ 'if-match': etag }, trickle);
	t.equal(res.status, 204, 'trickle with the ETag → 204');
	res = await patch({ 'if-match': '"stale"' }, trickle);
	t.equal(res.status, 412, 'a stale ETag → 412');
	res = await patch({}, trickle);
	t.equal(res.status, 428, 'no If-Match → 428');
	res = await patch({ 'if-match': etag, 'content-type': 'application/sdp' }, trickle);
	t.equal(res.status, 415, 'not an sdpfrag → 415');
	const before = session.pc.transport.iceParameters.usernameFragment;
	res = await patch({ 'if-match': '*' }, 'a=ice-ufrag:newufrag\r\na=ice-pwd:newpasswordnewpassword1234\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\n');
	t.equal(res.status, 200, 'ICE restart → 200');
	t.equal(res.headers.get('content-type'), 'application/trickle-ice-sdpfrag');
	t.not(res.headers.get('etag'), etag, 'a new ETag');
	const frag = await res.text();
	const after = session.pc.transport.iceParameters.usernameFragment;
	t.not(after, before, 'the transport has new ICE credentials');
	t.ok(frag.split('\r\n').includes(`a=ice-ufrag:${after}`), 'the sdpfrag carries them');
	t.notMatch(frag, /^[vost]=/m, 'an sdpfrag has no v=, o=, s= or t= line (RFC 8840 §9)');
	t.match(frag, /a=candidate:\S+ 1 udp \d+ 127\.0\.0\.1 \d+ typ host/, 'and our candidates');
	t.equal(session.pc.remoteIceUsernameFragment, 'newufrag');
	t.equal(await page.evaluate(() => window.publisher.stop()), 200);
	t.equal(whip.sessions.size, 0);
});
