// Records the requests the TypeScript layer sends for the setup of
// fuzz/transport_receive_fuzzer.cpp (kSetup there): ids renamed to the short ones the
// target's canned requests and seeds use, B's remote port a placeholder the harness
// fills in. The SSRCs the router picks (mapped and consumer SSRCs) are random: after
// re-recording, update the consumer SSRCs in make-transport-receive-seeds.js (CV8, CV9,
// CA, and the cc consumer's) and rewrite the seeds. Re-run after a change to what the
// TypeScript layer sends, and paste:
//
//   npx tsc -p tsconfig.json && node fuzz/record-transport-receive-setup.js
const path = require('path');
const mediaplane = require(path.join(__dirname, '..'));
(async () => {
  const worker = await mediaplane.createWorker({ logLevel: 'none' });
  const ch = worker.channelForTesting;
  const lines = [];
  const ids = new Map();
  const orig = ch.request.bind(ch);
  ch.request = (method, handlerId, data) => { lines.push([method, handlerId, data]); return orig(method, handlerId, data); };
  const origB = ch.requestWithBinary.bind(ch);
  ch.requestWithBinary = (method, handlerId, data) => { lines.push([method, handlerId, JSON.parse(JSON.stringify(data, (k, v) => (v && v.type === 'Buffer' && Array.isArray(v.data)) ? { $hex: Buffer.from(v.data).toString('hex') } : v))]); return origB(method, handlerId, data); };
  const LOCAL = '127.0.0.1';
  const router = await worker.createRouter({ mediaCodecs: [
    { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
    { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
    { kind: 'video', mimeType: 'video/VP9', clockRate: 90000, parameters: { 'profile-id': 0 } },
    { kind: 'video', mimeType: 'video/H264', clockRate: 90000, parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 } },
  ] });
  const a = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOCAL }, comedia: true, rtcpMux: true, enableSrtp: true, srtpCryptoSuite: 'AES_CM_128_HMAC_SHA1_80' });
  await a.connect({ srtpParameters: { cryptoSuite: 'AES_CM_128_HMAC_SHA1_80', keyBase64: Buffer.alloc(30, 7).toString('base64') } });
  const ext = [
    { uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 1 },
    { uri: 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id', id: 2 },
    { uri: 'urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id', id: 3 },
    { uri: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time', id: 4 },
    { uri: 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01', id: 5 },
    { uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level', id: 10 },
    { uri: 'urn:3gpp:video-orientation', id: 11 },
  ];
  const fb = [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }, { type: 'transport-cc' }];
  const pAudio = await a.produce({ kind: 'audio', rtpParameters: { mid: 'a', codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, rtcpFeedback: [{ type: 'transport-cc' }] }], headerExtensions: ext.filter(e => e.id !== 11), encodings: [{ ssrc: 1111 }], rtcp: { cname: 'c' } } });
  const pVp8 = await a.produce({ kind: 'video', rtpParameters: { mid: 'v', codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, rtcpFeedback: fb }, { mimeType: 'video/rtx', payloadType: 97, clockRate: 90000, parameters: { apt: 96 } }], headerExtensions: ext, encodings: [{ ssrc: 2221, rtx: { ssrc: 2231 }, scalabilityMode: 'L1T3' }, { ssrc: 2222, rtx: { ssrc: 2232 }, scalabilityMode: 'L1T3' }, { ssrc: 2223, rtx: { ssrc: 2233 }, scalabilityMode: 'L1T3' }], rtcp: { cname: 'c' } } });
  const pVp9 = await a.produce({ kind: 'video', rtpParameters: { mid: 's', codecs: [{ mimeType: 'video/VP9', payloadType: 98, clockRate: 90000, parameters: { 'profile-id': 0 }, rtcpFeedback: fb }, { mimeType: 'video/rtx', payloadType: 99, clockRate: 90000, parameters: { apt: 98 } }], headerExtensions: ext, encodings: [{ ssrc: 3333, rtx: { ssrc: 3334 }, scalabilityMode: 'L3T3_KEY' }], rtcp: { cname: 'c' } } });
  const pH264 = await a.produce({ kind: 'video', rtpParameters: { mid: 'h', codecs: [{ mimeType: 'video/H264', payloadType: 102, clockRate: 90000, parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 }, rtcpFeedback: fb }], headerExtensions: ext, encodings: [{ rid: 'r0' }, { rid: 'r1' }], rtcp: { cname: 'c' } } });
  const b = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOCAL }, rtcpMux: true });
  await b.connect({ ip: LOCAL, port: 9 });
  for (const p of [pAudio, pVp8, pVp9, pH264]) await b.consume({ producerId: p.id, rtpCapabilities: router.rtpCapabilities });
  const c = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: LOCAL }] });
  await c.connect({ dtlsParameters: { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: Array(32).fill('AB').join(':') }] } });
  await c.produce({ kind: 'audio', rtpParameters: { mid: 'a', codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }], headerExtensions: ext.filter(e => e.id !== 11), encodings: [{ ssrc: 5555 }], rtcp: { cname: 'c' } } });
  await c.consume({ producerId: pVp8.id, rtpCapabilities: router.rtpCapabilities });
  // Stable ids, in the order the requests created them.
  let text = lines.filter(([m]) => !m.startsWith('worker.')).map(([m, h, d]) => `${m} ${h ?? '-'} ${JSON.stringify(d ?? null)}`).join('\n');
  const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
  const names = ['r', 'A', 'pa', 'pv8', 'pv9', 'ph264', 'B', 'ca', 'cv8', 'cv9', 'ch264', 'C', 'pc', 'cc'];
  const map = new Map();
  text = text.replace(uuid, (u) => { if (!map.has(u)) map.set(u, names[map.size]); return map.get(u); });
  text = text.replace('"ip":"127.0.0.1","port":9}', '"ip":"127.0.0.1","port":HARNESS_PORT}');
  console.log(text);
  worker.close();
})();
