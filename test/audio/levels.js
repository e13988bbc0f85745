'use strict';
// Opus RTP that carries RFC 6464 audio levels, sent from UDP sockets on 127.0.0.1 into
// comedia PlainTransports: what the RTP observer tests feed their observers with.
const dgram = require('node:dgram');

const LOCAL = '127.0.0.1';
const AUDIO_LEVEL_URI = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';
const EXTENSION_ID = 10;
/** Milliseconds between packets: one 20 ms opus frame each, as browsers send. */
const PACKET_INTERVAL_MS = 20;
/** RFC 6464 §3: 127 is -127 dBov, silence. */
const SILENCE = 127;

function opusParameters(ssrc) {
	return {
		codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }],
		headerExtensions: [{ uri: AUDIO_LEVEL_URI, id: EXTENSION_ID }],
		encodings: [{ ssrc }],
	};
}

// An RTP packet with a one-byte header extension block (RFC 8285 §4.2) holding the
// audio level: |V| level| with level in -dBov (RFC 6464 §3).
function audioPacket(ssrc, seq, level) {
	const packet = Buffer.alloc(12 + 8 + 40);
	packet[0] = 0x90; // V=2, X=1
	packet[1] = 111;
	packet.writeUInt16BE(seq & 0xffff, 2);
	packet.writeUInt32BE((seq * 960) >>> 0, 4);
	packet.writeUInt32BE(ssrc, 8);
	packet.writeUInt16BE(0xbede, 12);
	packet.writeUInt16BE(1, 14); // one 32-bit word of extensions
	packet[16] = (EXTENSION_ID << 4) | 0; // length - 1 = 0
	packet[17] = 0x80 | level; // V (voice) + level
	return packet;
}

async function udpSocket(t) {
	const socket = dgram.createSocket('udp4');
	await new Promise((resolve) => socket.bind(0, LOCAL, resolve));
	t.teardown(() => socket.close());
	return socket;
}

/**
 * Sends one packet every 20 ms per speaker while `level()` gives a level for it
 * (undefined: nothing sent). Returns the function that stops it.
 */
function talk(speakers) {
	let seq = 0;
	const timer = setInterval(() => {
		seq++;
		for (const s of speakers) {
			const level = s.level();
			if (level !== undefined) s.socket.send(audioPacket(s.ssrc, seq, level), s.port, LOCAL);
		}
	}, PACKET_INTERVAL_MS);
	return () => clearInterval(timer);
}

module.exports = { LOCAL, AUDIO_LEVEL_URI, EXTENSION_ID, PACKET_INTERVAL_MS, SILENCE, opusParameters, audioPacket, udpSocket, talk };
