'use strict';
// The receiving side of the forwarding benchmark's WebRtcServer rows, run by
// bench/forwarding.js in its own process (on core 1, with the load generator) and driven
// over the IPC channel: N libdatachannel PeerConnections (npm node-datachannel: libjuice
// ICE, OpenSSL DTLS, libsrtp), each offering one recvonly VP8 track, answered by
// mediaplane.webrtc.RTCPeerConnections on one WebRtcServer, so that every consumer's
// packets leave through the server's one UDP socket.
//   offers   { n }        makes the N PeerConnections, returns their gathered offers
//   answers  { answers }  applies the answers, waits until every track is open
//   stop                  returns what the sampled players received, closes everything
//
// libdatachannel decrypts every packet of every track (SRTP) on its own threads. Only the
// first SAMPLED tracks hand their packets to JavaScript (all N would cost this core more
// than the SFU's whole fan-out): they count packets, sequence gaps, and the latency from
// the generator's send time in the payload (CLOCK_MONOTONIC ns at payload bytes 16..23,
// as bench/forwarding/fwdtool.c writes it) to the JS callback. That latency includes
// libdatachannel's hop to the JS thread, which shares core 1 with every player's SRTP:
// the bench keeps it in its JSON only, it says little about the SFU.
const ndc = require('node-datachannel');

const LOCAL = '127.0.0.1';
const VP8_PT = 96;
const SAMPLED = 10;
const CONNECT_TIMEOUT_MS = 20_000;
const SEND_TIME_OFFSET = 16; // in the VP8 payload, after the RTP header

const peers = [];
const tracks = []; // node-datachannel closes a Track whose JS object is collected: keep them
const samples = [];

function rtpPayloadOffset(buf) {
	if (buf.length < 12 || buf[0] >> 6 !== 2) return -1;
	let offset = 12 + 4 * (buf[0] & 0x0f);
	if (buf[0] & 0x10) {
		if (buf.length < offset + 4) return -1;
		offset += 4 + 4 * buf.readUInt16BE(offset + 2);
	}
	return offset <= buf.length ? offset : -1;
}

function sampler() {
	const sample = { received: 0, gaps: 0, lastSeq: -1, latenciesUs: [] };
	return {
		sample,
		onMessage(buf) {
			const pt = buf[1] & 0x7f;
			if (pt >= 64 && pt <= 95) return; // RTCP (RFC 5761 §4)
			const offset = rtpPayloadOffset(buf);
			if (offset < 0 || buf.length < offset + SEND_TIME_OFFSET + 8) return;
			sample.received++;
			const seq = buf.readUInt16BE(2);
			if (sample.lastSeq >= 0 && seq !== ((sample.lastSeq + 1) & 0xffff)) sample.gaps++;
			sample.lastSeq = seq;
			const sentNs = buf.readBigUInt64BE(offset + SEND_TIME_OFFSET);
			sample.latenciesUs.push(Number(process.hrtime.bigint() - sentNs) / 1000);
		},
	};
}

async function offers({ n }) {
	const gathered = [];
	for (let i = 0; i < n; i++) {
		const pc = new ndc.PeerConnection(`player-${i}`, { iceServers: [], bindAddress: LOCAL, enableIceTcp: false });
		peers.push(pc);
		const video = new ndc.Video('0', 'RecvOnly');
		video.addVP8Codec(VP8_PT);
		const track = pc.addTrack(video);
		tracks.push(track);
		track.opened = new Promise((resolve) => track.onOpen(resolve));
		if (i < SAMPLED) {
			const { sample, onMessage } = sampler();
			samples.push(sample);
			track.onMessage(onMessage);
		}
		const complete = new Promise((resolve) => pc.onGatheringStateChange((state) => state === 'complete' && resolve()));
		pc.setLocalDescription();
		gathered.push(complete.then(() => pc.localDescription().sdp));
	}
	return { offers: await Promise.all(gathered) };
}

async function answers({ answers: list }) {
	list.forEach((sdp, i) => peers[i].setRemoteDescription(sdp, 'answer'));
	let timer;
	const timeout = new Promise((_, reject) => {
		timer = setTimeout(() => reject(new Error(`players: ${tracks.filter((t) => !t.isOpen()).length} of ${tracks.length} tracks not open after ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
	});
	try {
		await Promise.race([Promise.all(tracks.map((t) => t.opened)), timeout]);
	} finally {
		clearTimeout(timer);
	}
	return { open: tracks.filter((t) => t.isOpen()).length };
}

function percentile(sorted, p) {
	return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
}

async function stop() {
	const latencies = samples.flatMap((s) => s.latenciesUs).sort((a, b) => a - b);
	const result = {
		sampled: samples.length,
		received: samples.reduce((a, s) => a + s.received, 0),
		gaps: samples.reduce((a, s) => a + s.gaps, 0),
		p50Ms: percentile(latencies, 50) / 1000,
		p99Ms: percentile(latencies, 99) / 1000,
	};
	for (const closable of [...tracks, ...peers]) {
		try {
			closable.close();
		} catch {
			// already closed
		}
	}
	return result;
}

const handlers = { offers, answers, stop };

process.on('message', async ({ id, cmd, args }) => {
	try {
		process.send({ id, ok: true, result: await handlers[cmd](args) });
	} catch (error) {
		process.send({ id, ok: false, error: String(error?.stack || error) });
	}
	if (cmd === 'stop') {
		ndc.cleanup(); // libdatachannel's threads keep the process alive otherwise
		setTimeout(() => process.exit(0), 100);
	}
});
process.on('disconnect', () => process.exit(0));
