'use strict';
// WHIP (RFC 9725) and WHEP with libdatachannel (npm node-datachannel, the WebRTC stack
// OBS uses for WHIP) as both clients, no browser: a publisher PeerConnection offers a
// sendonly VP8 track and a sendonly Opus track (own SSRCs and cname, non-trickle: the
// offer waits for gathering), POSTs it to /whip/<room> and sends RTP it writes itself
// (30 VP8 packets/s with a valid payload descriptor, key frames on PLI and every 30
// frames; 50 Opus packets/s); the WHIP session must have an audio and a video Producer
// with the offer's SSRCs and cname, whose packetCount grows and that get a score. A
// player PeerConnection offers recvonly VP8 and Opus with payload types unlike both the
// publisher's and the router's, POSTs to /whep/<room> and must receive RTP on both
// tracks with its own payload types, from the Consumers' SSRCs (and the publisher gets a
// PLI for it). DELETE ends both sessions and leaves no session and no transport.
const t = require('tap');
const http = require('node:http');
const sdpTransform = require('sdp-transform');
const mediaplane = require('..');
const { ndc } = require('./datachannel/libdatachannel');
const { waitFor, withTimeout } = require('./datachannel/util');

const LOCAL = '127.0.0.1';
const ROOM = 'ldc-room';
const PUB = { videoPt: 96, audioPt: 111, videoSsrc: 0x1234abcd, audioSsrc: 0x2345bcde, cname: 'ldc-publisher' };
const PLAYER = { videoPt: 98, audioPt: 109 }; // neither the publisher's (96/111) nor the router's numbers
const MAX_SECONDS = 20; // the senders stop by themselves after this much media
const mediaCodecs = [
	{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
	{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
];

let worker;
let router;
let server;
let baseUrl;
let whip;
let whep;
const peers = [];
// node-datachannel closes a Track whose JS object is garbage-collected (TrackWrapper's
// destructor), silently ending its onMessage: every Track stays referenced here.
const tracks = [];
const timers = [];
const rooms = new Map(); // room -> Producers published there over WHIP

t.before(async () => {
	worker = await mediaplane.createWorker({ logLevel: 'warn' });
	router = await worker.createRouter({ mediaCodecs });
	const transportOptions = { listenInfos: [{ protocol: 'udp', ip: LOCAL }] };
	whip = mediaplane.webrtc.createWhipHandler({
		path: '/whip',
		prepare: () => ({ router, transportOptions }),
		onSession: (session) => rooms.set(session.endpoint, [...(rooms.get(session.endpoint) ?? []), ...session.producers.map((p) => p.producer)]),
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
		if (!(await whip(req, res)) && !(await whep(req, res))) res.writeHead(404).end();
	});
	await new Promise((resolve) => server.listen(0, LOCAL, resolve));
	baseUrl = `http://${LOCAL}:${server.address().port}`;
});

t.teardown(async () => {
	for (const timer of timers) clearInterval(timer);
	const tryClose = (closable) => {
		try {
			closable.close();
		} catch {}
	};
	[...tracks, ...peers].forEach(tryClose);
	whip?.close();
	whep?.close();
	server?.closeAllConnections?.();
	await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
	worker?.close();
	ndc.cleanup(); // libdatachannel's threads keep the process alive otherwise
});

/** A libdatachannel PeerConnection on 127.0.0.1, closed by the teardown. */
function newPeer(name) {
	const pc = new ndc.PeerConnection(name, { iceServers: [], bindAddress: LOCAL, enableIceTcp: false });
	peers.push(pc);
	return pc;
}

/** Non-trickle offer: setLocalDescription, then the SDP once gathering is complete. */
async function gatheredOffer(t, pc) {
	const complete = new Promise((resolve) => pc.onGatheringStateChange((state) => state === 'complete' && resolve()));
	pc.setLocalDescription();
	await withTimeout(complete, 5000, 'ICE gathering');
	const { sdp, type } = pc.localDescription();
	t.equal(type, 'offer', 'libdatachannel made an offer');
	return sdp;
}

/** POSTs `offer` to baseUrl + url; checks 201, Location and ETag; applies the answer. */
async function post(t, pc, url, offer) {
	const res = await fetch(`${baseUrl}${url}`, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: offer });
	const answer = await res.text();
	t.equal(res.status, 201, `POST ${url} → 201${res.status === 201 ? '' : `: ${answer}`}`);
	t.equal(res.headers.get('content-type'), 'application/sdp', 'an SDP answer');
	t.match(res.headers.get('location'), new RegExp(`^${url}/sessions/[0-9a-f-]{36}$`), 'a Location for the session');
	t.match(res.headers.get('etag'), /^".+"$/, 'an ETag');
	if (res.status !== 201) throw new Error(`POST ${url}: ${res.status} ${answer}`);
	pc.setRemoteDescription(answer, 'answer');
	return { location: new URL(res.headers.get('location'), baseUrl).href, answer: sdpTransform.parse(answer) };
}

function rtpPacket(pt, seq, timestamp, ssrc, marker, payload) {
	const header = Buffer.alloc(12);
	header[0] = 0x80; // V=2, no padding, no extension, no CSRC
	header[1] = (marker ? 0x80 : 0) | pt;
	header.writeUInt16BE(seq & 0xffff, 2);
	header.writeUInt32BE(timestamp >>> 0, 4);
	header.writeUInt32BE(ssrc >>> 0, 8);
	return Buffer.concat([header, payload]);
}

/** RFC 7741 payload: descriptor (X, S, PID 0; 15-bit PictureID) + VP8 frame header + filler. */
function vp8Payload(pictureId, keyFrame) {
	const descriptor = Buffer.from([0x90, 0x80, 0x80 | ((pictureId >> 8) & 0x7f), pictureId & 0xff]);
	// |Size0|H|VER|P|: P=0 is a key frame, which then carries the start code and 320x240.
	const frame = keyFrame ? [0x50, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00] : [0x51, 0x02, 0x00];
	return Buffer.concat([descriptor, Buffer.from(frame), Buffer.alloc(500, pictureId & 0xff)]);
}

/** Is this a PLI (RTCP PT 206, FMT 1) anywhere in a compound RTCP packet? */
function hasPli(buf) {
	for (let off = 0, n = 0; off + 4 <= buf.length && n < 16; n++) {
		if (buf[off + 1] === 206 && (buf[off] & 0x1f) === 1) return true;
		off += (buf.readUInt16BE(off + 2) + 1) * 4;
	}
	return false;
}
const isRtp = (buf) => buf.length >= 12 && buf[0] >> 6 === 2 && !(buf[1] >= 192 && buf[1] <= 223);
const ptOf = (answer, mid) => Number(answer.media.find((m) => String(m.mid) === mid).rtp[0].payload);

t.test('libdatachannel publishes VP8 + Opus over WHIP, a libdatachannel player gets them over WHEP with its own payload types; DELETE leaves nothing', async (t) => {
	// 1. Publisher.
	const pub = newPeer('publisher');
	const video = new ndc.Video('video', 'SendOnly');
	video.addVP8Codec(PUB.videoPt);
	video.addSSRC(PUB.videoSsrc, PUB.cname, 'ldc-stream', 'ldc-video');
	const audio = new ndc.Audio('audio', 'SendOnly');
	audio.addOpusCodec(PUB.audioPt);
	audio.addSSRC(PUB.audioSsrc, PUB.cname, 'ldc-stream', 'ldc-audio');
	const videoTrack = pub.addTrack(video);
	const audioTrack = pub.addTrack(audio);
	tracks.push(videoTrack, audioTrack);
	const pubOpen = Promise.all([videoTrack, audioTrack].map((track) => new Promise((resolve) => track.onOpen(resolve))));
	let plis = 0;
	let keyFrameWanted = true;
	videoTrack.onMessage((buf) => {
		if (!isRtp(buf) && hasPli(buf)) {
			plis++;
			keyFrameWanted = true;
		}
	});
	const published = await post(t, pub, `/whip/${ROOM}`, await gatheredOffer(t, pub));
	const [videoPt, audioPt] = [ptOf(published.answer, 'video'), ptOf(published.answer, 'audio')];
	t.same([videoPt, audioPt], [PUB.videoPt, PUB.audioPt], 'the answer keeps the offer\'s payload types');
	t.same(published.answer.media.map((m) => m.direction), ['recvonly', 'recvonly'], 'the WHIP answer receives on both m-sections');
	await withTimeout(pubOpen, 10_000, 'the publisher\'s tracks opening');

	const sent = { video: 0, audio: 0 };
	let [videoSeq, videoTs, audioSeq, audioTs] = [1000, 12345, 5000, 67890];
	timers.push(
		setInterval(() => {
			if (sent.video >= 30 * MAX_SECONDS || !videoTrack.isOpen()) return;
			const keyFrame = keyFrameWanted || sent.video % 30 === 0;
			keyFrameWanted = false;
			videoTrack.sendMessageBinary(rtpPacket(videoPt, videoSeq++, (videoTs += 3000), PUB.videoSsrc, true, vp8Payload(sent.video & 0x7fff, keyFrame)));
			sent.video++;
		}, 1000 / 30),
		setInterval(() => {
			if (sent.audio >= 50 * MAX_SECONDS || !audioTrack.isOpen()) return;
			const opus = Buffer.concat([Buffer.from([0xfc]), Buffer.alloc(80, sent.audio & 0xff)]); // TOC: CELT FB 20 ms
			audioTrack.sendMessageBinary(rtpPacket(audioPt, audioSeq++, (audioTs += 960), PUB.audioSsrc, false, opus));
			sent.audio++;
		}, 20)
	);

	t.equal(whip.sessions.size, 1, 'one WHIP session');
	const [session] = whip.sessions.values();
	t.same(session.producers.map((p) => p.producer.kind).sort(), ['audio', 'video'], 'an audio and a video Producer');
	await waitFor(() => session.pc.connectionState === 'connected', 10_000, 'the WHIP session connected', () => session.pc.connectionState);
	for (const { producer, info } of session.producers) {
		const { kind } = producer;
		t.equal(info.mid, kind, `the ${kind} Producer is mid "${kind}"`);
		t.equal(producer.rtpParameters.rtcp.cname, PUB.cname, `${kind}: the offer's cname`);
		t.equal(producer.rtpParameters.encodings[0].ssrc, kind === 'video' ? PUB.videoSsrc : PUB.audioSsrc, `${kind}: the declared SSRC`);
		const first = await waitFor(async () => (await producer.getStats()).find((s) => s.packetCount > 0), 10_000, `${kind} RTP at the Producer`);
		const later = await waitFor(async () => (await producer.getStats()).find((s) => s.packetCount >= first.packetCount + 20), 5000, `${kind} packetCount growing`);
		t.ok(later.packetCount > first.packetCount, `${kind}: packetCount grows (${first.packetCount} → ${later.packetCount})`);
		t.equal(later.ssrc, kind === 'video' ? PUB.videoSsrc : PUB.audioSsrc, `${kind}: the stats are of the declared SSRC`);
		const score = await waitFor(() => producer.score.find((s) => s.score > 0), 5000, `a ${kind} score`, () => JSON.stringify(producer.score));
		t.ok(score.score > 0, `${kind}: score ${score.score}`);
	}

	// 2. Player, with payload types of its own.
	const routerPt = (mimeType) => router.rtpCapabilities.codecs.find((c) => c.mimeType === mimeType).preferredPayloadType;
	t.ok(PLAYER.videoPt !== routerPt('video/VP8') && PLAYER.audioPt !== routerPt('audio/opus'), 'the player\'s payload types are not the router\'s');
	const player = newPeer('player');
	const playVideo = new ndc.Video('0', 'RecvOnly');
	playVideo.addVP8Codec(PLAYER.videoPt);
	const playAudio = new ndc.Audio('1', 'RecvOnly');
	playAudio.addOpusCodec(PLAYER.audioPt);
	const received = { video: new Map(), audio: new Map() }; // payload type -> packets
	const ssrcs = { video: new Set(), audio: new Set() };
	const count = (map) => [...map.values()].reduce((a, b) => a + b, 0);
	for (const [kind, media] of [['video', playVideo], ['audio', playAudio]]) {
		const track = player.addTrack(media);
		tracks.push(track);
		// Receiver reports, as a real player sends (libdatachannel 0.24's are not accurate;
		// nothing here depends on them).
		track.setMediaHandler(new ndc.RtcpReceivingSession());
		track.onMessage((buf) => {
			if (!isRtp(buf)) return;
			received[kind].set(buf[1] & 0x7f, (received[kind].get(buf[1] & 0x7f) ?? 0) + 1);
			ssrcs[kind].add(buf.readUInt32BE(8));
		});
	}
	const plisBefore = plis;
	const playerOffer = await gatheredOffer(t, player);
	const offered = sdpTransform.parse(playerOffer);
	t.same([ptOf(offered, '0'), ptOf(offered, '1')], [PLAYER.videoPt, PLAYER.audioPt], 'the player offered its payload types');
	const played = await post(t, player, `/whep/${ROOM}`, playerOffer);
	t.same(played.answer.media.map((m) => m.direction), ['sendonly', 'sendonly'], 'the WHEP answer sends on both m-sections');
	t.same([ptOf(played.answer, '0'), ptOf(played.answer, '1')], [PLAYER.videoPt, PLAYER.audioPt], 'the WHEP answer uses the player\'s payload types');
	t.equal(whep.sessions.size, 1, 'one WHEP session');
	const [playSession] = whep.sessions.values();
	const consumers = playSession.pc.getConsumers();
	t.equal(consumers.length, 2, 'a Consumer per Producer');
	for (const c of consumers) t.equal(c.rtpParameters.codecs[0].payloadType, c.kind === 'video' ? PLAYER.videoPt : PLAYER.audioPt, `the ${c.kind} Consumer sends with the player's payload type`);
	await waitFor(
		() => count(received.video) >= 50 && count(received.audio) >= 50,
		12_000,
		'50 video and 50 audio RTP packets at the player',
		() => `video ${JSON.stringify([...received.video])}, audio ${JSON.stringify([...received.audio])}, sent ${JSON.stringify(sent)}, PLIs ${plis}, player ${player.state()}`
	);
	t.same([...received.video.keys()], [PLAYER.videoPt], `video RTP (${count(received.video)} packets) has only the player's VP8 payload type`);
	t.same([...received.audio.keys()], [PLAYER.audioPt], `audio RTP (${count(received.audio)} packets) has only the player's Opus payload type`);
	for (const c of consumers) t.same([...ssrcs[c.kind]], [c.rtpParameters.encodings[0].ssrc], `${c.kind} RTP comes from the Consumer's SSRC`);
	t.ok(plis > plisBefore, `the player's video Consumer asked the publisher for a key frame (PLIs: ${plisBefore} before the player, ${plis} after; ${sent.video} video frames sent)`);

	// 3. DELETE both sessions. The senders stop first: the publisher's tracks close with its session.
	for (const timer of timers) clearInterval(timer);
	for (const { location } of [played, published]) {
		const res = await fetch(location, { method: 'DELETE' });
		t.equal(res.status, 200, `DELETE ${new URL(location).pathname} → 200`);
	}
	t.equal(whip.sessions.size, 0, 'no WHIP session left');
	t.equal(whep.sessions.size, 0, 'no WHEP session left');
	t.equal((await router.dump()).transportIds.length, 0, 'no transport left');
	t.same(rooms.get(ROOM), [], 'the room has no Producer left');
});
