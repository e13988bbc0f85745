'use strict';
// SDP for a data-channel-only peer of a mediaplane WebRtcTransport, written and read
// with sdp-transform (the parser mediasoup-client uses; never by hand).
//
// The server transport has no SDP: it has iceParameters, iceCandidates, dtlsParameters
// and sctpParameters. `transportSdp()` turns them into the remote description an
// ordinary WebRTC stack (libdatachannel here) expects: one m=application section,
// UDP/DTLS/SCTP webrtc-datachannel, a=sctp-port and a=max-message-size, ice-lite.
// `peerParameters()` reads back from the peer's own description what the server needs
// for transport.connect({ dtlsParameters }): its fingerprints and its DTLS role.

const sdpTransform = require('sdp-transform');

/**
 * The server transport's parameters as an SDP offer or answer.
 * transport: { iceParameters, iceCandidates, dtlsParameters, sctpParameters }
 * options:
 *   type    'offer' | 'answer'
 *   setup   the server's a=setup: 'actpass' (offers only), 'active' (the server will
 *           be the DTLS client) or 'passive' (the DTLS server)
 *   mid     the m-section's mid; an answer must use the offer's (default '0')
 *   maxMessageSize  a=max-message-size (default sctpParameters.maxMessageSize, or
 *           maxReceiveMessageSize: what the server accepts)
 *   iceLite default transport.iceParameters.iceLite ?? true
 */
function transportSdp(transport, { type, setup, mid = '0', maxMessageSize, iceLite } = {}) {
	if (type !== 'offer' && type !== 'answer') throw new TypeError(`transportSdp: type must be 'offer' or 'answer'`);
	if (!['actpass', 'active', 'passive'].includes(setup)) throw new TypeError(`transportSdp: bad setup ${setup}`);
	if (type === 'answer' && setup === 'actpass') throw new TypeError('transportSdp: an answer cannot say actpass');
	const { iceParameters, iceCandidates, dtlsParameters, sctpParameters } = transport;
	if (!sctpParameters) throw new TypeError('transportSdp: the transport has no sctpParameters (enableSctp: true?)');
	const fingerprint =
		dtlsParameters.fingerprints.find((f) => f.algorithm === 'sha-256') ?? dtlsParameters.fingerprints[0];
	const udp = iceCandidates.filter((c) => c.protocol === 'udp');
	if (udp.length === 0) throw new TypeError('transportSdp: the transport has no UDP candidate');
	const first = udp[0];
	const address = (c) => c.address ?? c.ip;
	const session = {
		version: 0,
		origin: {
			username: 'mediaplane-test',
			sessionId: String(Date.now()),
			sessionVersion: 1,
			netType: 'IN',
			ipVer: 4,
			address: '127.0.0.1',
		},
		name: '-',
		timing: { start: 0, stop: 0 },
		groups: [{ type: 'BUNDLE', mids: mid }],
		msidSemantic: { semantic: 'WMS', token: '*' },
		media: [
			{
				type: 'application',
				port: first.port,
				protocol: 'UDP/DTLS/SCTP',
				payloads: 'webrtc-datachannel',
				connection: { version: 4, ip: address(first) },
				mid,
				iceUfrag: iceParameters.usernameFragment,
				icePwd: iceParameters.password,
				fingerprint: { type: fingerprint.algorithm, hash: fingerprint.value },
				setup,
				sctpPort: sctpParameters.port,
				maxMessageSize: maxMessageSize ?? sctpParameters.maxMessageSize ?? sctpParameters.maxReceiveMessageSize,
				candidates: udp.map((c) => ({
					foundation: c.foundation,
					component: 1,
					transport: 'udp',
					priority: c.priority,
					ip: address(c),
					port: c.port,
					type: c.type ?? 'host',
				})),
				endOfCandidates: 'end-of-candidates',
			},
		],
	};
	if (iceLite ?? iceParameters.iceLite ?? true) session.icelite = 'ice-lite';
	return sdpTransform.write(session);
}

/**
 * What the server needs from the peer's SDP: { mid, fingerprints: [{ algorithm, value }],
 * setup, role, sctpPort, maxMessageSize, iceUfrag }. `role` is the peer's DTLS role as
 * mediaplane's transport.connect() takes it: a=setup:active -> 'client', passive ->
 * 'server', actpass (an offer) -> undefined (decided by the answer).
 */
function peerParameters(sdp) {
	const parsed = sdpTransform.parse(sdp);
	const media = (parsed.media ?? []).find((m) => m.type === 'application');
	if (!media) throw new Error('peerParameters: the SDP has no m=application section');
	const fp = media.fingerprint ?? parsed.fingerprint;
	if (!fp) throw new Error('peerParameters: the SDP has no fingerprint');
	const setup = media.setup ?? parsed.setup;
	const role = setup === 'active' ? 'client' : setup === 'passive' ? 'server' : undefined;
	return {
		mid: media.mid !== undefined ? String(media.mid) : undefined,
		protocol: media.protocol,
		payloads: String(media.payloads),
		fingerprints: [{ algorithm: fp.type.toLowerCase(), value: fp.hash.toUpperCase() }],
		setup,
		role,
		sctpPort: media.sctpPort,
		maxMessageSize: media.maxMessageSize,
		iceUfrag: media.iceUfrag ?? parsed.iceUfrag,
		icePwd: media.icePwd ?? parsed.icePwd,
		candidates: (media.candidates ?? []).map((c) => ({
			foundation: String(c.foundation),
			priority: c.priority,
			address: c.ip,
			protocol: String(c.transport).toLowerCase(),
			port: c.port,
			type: c.type,
		})),
	};
}

module.exports = { transportSdp, peerParameters };
