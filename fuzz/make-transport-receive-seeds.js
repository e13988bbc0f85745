// Writes the committed seeds of fuzz/transport_receive_fuzzer.cpp (records of [op]
// [length, 2 bytes] [payload], see the target's header): VP8 simulcast with RTX, NACK and
// PLI from the consumer side; VP9 SVC with FIR and REMB; opus and H.264 by RID; ICE to the
// WebRtcTransport then junk, a bad ClientHello, or a real DTLS handshake and SRTP. The
// consumer SSRCs are those of the target's recorded setup.
//
//   node fuzz/make-transport-receive-seeds.js
const fs = require('fs');
const path = require('path');
const out = path.join(__dirname, 'corpus', 'transport_receive');
fs.mkdirSync(out, { recursive: true });
const rec = (op, payload) => { const h = Buffer.alloc(3); h[0] = op; h.writeUInt16BE(payload.length, 1); return Buffer.concat([h, payload]); };
function oneByteExt(elems) { // [[id, Buffer]]
	let body = Buffer.concat(elems.map(([id, v]) => Buffer.concat([Buffer.from([(id << 4) | (v.length - 1)]), v])));
	while (body.length % 4) body = Buffer.concat([body, Buffer.from([0])]);
	const h = Buffer.alloc(4); h.writeUInt16BE(0xbede, 0); h.writeUInt16BE(body.length / 4, 2);
	return Buffer.concat([h, body]);
}
function rtp({ pt, seq, ts, ssrc, marker = false, ext, payload }) {
	const h = Buffer.alloc(12);
	h[0] = 0x80 | (ext ? 0x10 : 0); h[1] = (marker ? 0x80 : 0) | pt;
	h.writeUInt16BE(seq & 0xffff, 2); h.writeUInt32BE(ts >>> 0, 4); h.writeUInt32BE(ssrc >>> 0, 8);
	return Buffer.concat([h, ext ?? Buffer.alloc(0), payload]);
}
const tcc = (n) => { const b = Buffer.alloc(2); b.writeUInt16BE(n); return b; };
const abs = Buffer.from([0x12, 0x34, 0x56]);
const vp8Key = (pic) => Buffer.concat([Buffer.from([0x90, 0xe0, 0x80 | ((pic >> 8) & 0x7f), pic & 0xff, 0x05, 0x00, 0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00]), Buffer.alloc(40, 0x33)]);
const vp8Delta = (pic, tid) => Buffer.concat([Buffer.from([0x90, 0xe0, 0x80 | ((pic >> 8) & 0x7f), pic & 0xff, 0x05, (tid << 6) | 0x20, 0x11, 0x02, 0x00]), Buffer.alloc(30, 0x44)]);
const vp9Key = (pic, sid) => Buffer.concat([Buffer.from([0xae, 0x80 | ((pic >> 8) & 0x7f), pic & 0xff, (0 << 5) | (sid << 1), 0x00, 0x58, 0x01, 0x40, 0x00, 0xf0, 0x02, 0x80, 0x01, 0xe0, 0x05, 0x00, 0x02, 0xd0, 0x01, 0x04, 0x01]), Buffer.alloc(40, 0x55)]);
const vp9Delta = (pic, sid, tid) => Buffer.concat([Buffer.from([0xcc | (sid === 2 ? 0x04 : 0) & 0, 0x80 | ((pic >> 8) & 0x7f), pic & 0xff, (tid << 5) | (sid << 1), 0x00]), Buffer.alloc(30, 0x66)]);
const opus = Buffer.from([0x78, 0x01, 0x02, 0x03, 0x04, 0x05]);
const stapA = Buffer.from([0x18, 0x00, 0x04, 0x67, 0x42, 0xe0, 0x1f, 0x00, 0x02, 0x68, 0xce, 0x00, 0x03, 0x65, 0x88, 0x84]);
const sr = (ssrc) => { const b = Buffer.alloc(28); b[0] = 0x80; b[1] = 200; b.writeUInt16BE(6, 2); b.writeUInt32BE(ssrc, 4); b.writeUInt32BE(0xe0000000, 8); b.writeUInt32BE(1000, 16); b.writeUInt32BE(10, 20); b.writeUInt32BE(1000, 24); return b; };
const sdes = (ssrc) => { const cname = Buffer.from('c'); const b = Buffer.concat([Buffer.from([0x81, 202, 0, 2]), Buffer.alloc(4), Buffer.from([1, cname.length]), cname, Buffer.from([0])]); b.writeUInt32BE(ssrc, 4); return b; };
const pli = (media) => { const b = Buffer.alloc(12); b[0] = 0x81; b[1] = 206; b.writeUInt16BE(2, 2); b.writeUInt32BE(1, 4); b.writeUInt32BE(media, 8); return b; };
const fir = (media) => { const b = Buffer.alloc(20); b[0] = 0x84; b[1] = 206; b.writeUInt16BE(4, 2); b.writeUInt32BE(1, 4); b.writeUInt32BE(media, 12); b[16] = 1; return b; };
const nack = (media, pid, blp) => { const b = Buffer.alloc(16); b[0] = 0x81; b[1] = 205; b.writeUInt16BE(3, 2); b.writeUInt32BE(1, 4); b.writeUInt32BE(media, 8); b.writeUInt16BE(pid, 12); b.writeUInt16BE(blp, 14); return b; };
const rr = (media) => { const b = Buffer.alloc(32); b[0] = 0x81; b[1] = 201; b.writeUInt16BE(7, 2); b.writeUInt32BE(1, 4); b.writeUInt32BE(media, 8); b[12] = 10; b.writeUInt32BE(5, 16); return b; };
const remb = (bps, ssrcs) => { const exp = 4; const mant = Math.floor(bps / 16); const b = Buffer.alloc(20 + 4 * ssrcs.length); b[0] = 0x8f; b[1] = 206; b.writeUInt16BE(4 + ssrcs.length, 2); b.writeUInt32BE(1, 4); b.write('REMB', 12); b[16] = ssrcs.length; b[17] = (exp << 2) | ((mant >> 16) & 3); b.writeUInt16BE(mant & 0xffff, 18); ssrcs.forEach((s, i) => b.writeUInt32BE(s, 20 + 4 * i)); return b; };
const CV8 = 987349498, CV9 = 914403096, CA = 295957353;
const seeds = {};
// A: simulcast VP8 (3 streams), a lost packet, its RTX, SR
let s = [];
for (let i = 0; i < 3; i++) s.push(rec(1, rtp({ pt: 96, seq: 100 + i, ts: 9000 * i, ssrc: 2221 + i, marker: true, ext: oneByteExt([[4, abs], [5, tcc(i)]]), payload: vp8Key(1) })));
s.push(rec(1, rtp({ pt: 96, seq: 101, ts: 9000, ssrc: 2221, ext: oneByteExt([[5, tcc(7)]]), payload: vp8Delta(2, 1) })));
s.push(rec(1, rtp({ pt: 96, seq: 103, ts: 12000, ssrc: 2221, marker: true, payload: vp8Delta(3, 0) })));
s.push(rec(1, rtp({ pt: 97, seq: 1, ts: 12000, ssrc: 2231, payload: Buffer.concat([Buffer.from([0, 102]), vp8Delta(3, 2)]) })));
s.push(rec(2, Buffer.concat([sr(2221), sdes(2221)])));
s.push(rec(6, Buffer.from([3])));
s.push(rec(3, Buffer.concat([rr(CV8), nack(CV8, 100, 0x0003)])));
s.push(rec(3, pli(CV8)));
seeds['vp8-simulcast-nack-pli'] = s;
// A: VP9 SVC key frame with 3 spatial layers, then deltas; B: FIR, REMB
s = [];
for (let sid = 0; sid < 3; sid++) s.push(rec(1, rtp({ pt: 98, seq: 500 + sid, ts: 90000, ssrc: 3333, marker: sid === 2, ext: oneByteExt([[5, tcc(20 + sid)]]), payload: vp9Key(10, sid) })));
for (let k = 0; k < 6; k++) s.push(rec(1, rtp({ pt: 98, seq: 503 + k, ts: 93000 + 3000 * Math.floor(k / 3), ssrc: 3333, marker: k % 3 === 2, payload: vp9Delta(11 + Math.floor(k / 3), k % 3, k % 2) })));
s.push(rec(7, Buffer.from([3])));
s.push(rec(3, fir(CV9)));
s.push(rec(3, remb(300000, [CV9, CV8])));
s.push(rec(6, Buffer.from([2])));
seeds['vp9-svc-fir-remb'] = s;
// A: opus and H.264 by RID (rtp-stream-id extension), audio level
s = [];
for (let i = 0; i < 4; i++) s.push(rec(1, rtp({ pt: 111, seq: 7 + i, ts: 960 * i, ssrc: 1111, ext: oneByteExt([[10, Buffer.from([0x80 | 30])], [1, Buffer.from('a')]]), payload: opus })));
s.push(rec(1, rtp({ pt: 102, seq: 40, ts: 3000, ssrc: 4444, marker: true, ext: oneByteExt([[2, Buffer.from('r0')], [1, Buffer.from('h')]]), payload: stapA })));
s.push(rec(1, rtp({ pt: 102, seq: 1, ts: 3000, ssrc: 4445, marker: true, ext: oneByteExt([[2, Buffer.from('r1')]]), payload: stapA })));
s.push(rec(3, rr(CA)));
s.push(rec(7, Buffer.from([9])));
seeds['opus-h264-rid'] = s;
// C: ICE binding with USE-CANDIDATE, then DTLS-looking records and SRTP-looking junk from that tuple
s = [rec(5, Buffer.from([1, 0x6e, 0, 1, 0xff]))];
const dtls = Buffer.concat([Buffer.from([22, 0xfe, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 40, 1, 0, 0, 28, 0, 0, 0, 0, 0, 0, 0, 28, 0xfe, 0xfd]), Buffer.alloc(26, 1)]);
s.push(rec(4, rtp({ pt: 111, seq: 1, ts: 0, ssrc: 5555, payload: opus })));
s.push(rec(4, Buffer.from([0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])));
s.push(rec(6, Buffer.from([1])));
s.push(rec(7, Buffer.from([11])));
seeds['webrtc-ice-junk'] = s;
seeds['webrtc-ice-dtls-hello'] = [rec(5, Buffer.from([1, 0x6e, 0, 1, 0xff])), rec(4, dtls), rec(6, Buffer.from([1])), rec(7, Buffer.from([11]))];
// Raw junk and unprotected RTP at the SRTP transport
s = [rec(0, rtp({ pt: 96, seq: 1, ts: 1, ssrc: 2221, payload: vp8Key(1) })), rec(0, Buffer.from([0x80, 200, 0, 1, 0, 0, 0, 1])), rec(2, Buffer.from([0x80, 201, 0, 1, 0, 0, 0, 9])), rec(7, Buffer.from([6])), rec(7, Buffer.from([7]))];
seeds['srtp-junk-pause'] = s;
// C: ICE, a real DTLS handshake by the harness client, then SRTP audio, SRTCP RR/PLI for the VP8 consumer
s = [rec(5, Buffer.from([1, 0x6e, 0, 1, 0xff])), rec(8, Buffer.alloc(0))];
for (let i = 0; i < 4; i++) s.push(rec(6, Buffer.from([1])), rec(8, Buffer.alloc(0)));
for (let i = 0; i < 3; i++) s.push(rec(9, rtp({ pt: 111, seq: 20 + i, ts: 960 * i, ssrc: 5555, ext: oneByteExt([[10, Buffer.from([0x85])], [5, tcc(i)]]), payload: opus })));
s.push(rec(9, Buffer.concat([rr(517905381), pli(517905381)])));
s.push(rec(7, Buffer.from([11])));
seeds['webrtc-dtls-srtp'] = s;
for (const [name, records] of Object.entries(seeds)) fs.writeFileSync(path.join(out, name), Buffer.concat(records));
console.log(Object.keys(seeds).join(' '));
