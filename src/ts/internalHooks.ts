/**
 * Internal hooks for layers built inside this package (not part of the public API;
 * symbol keys keep them out of any options object or property a user could write).
 * The W3C layer (src/ts/webrtc) is their user.
 */
import type { RtpParameters } from './RtpParameters';

/**
 * A consume() options key whose value, a function, may rewrite the new Consumer's
 * rtpParameters before the engine sees them: the W3C layer sends with the payload
 * types and extension ids of the remote's own offer.
 */
export const kAdjustConsumerRtpParameters = Symbol('mediaplane.adjustConsumerRtpParameters');

export type AdjustConsumerRtpParameters = (rtpParameters: RtpParameters) => void;

/**
 * A consumeData() options key: announce the DataConsumer's channel to the peer in band
 * (DATA_CHANNEL_OPEN, RFC 8832), on a stream id of the given parity (RFC 8832 §6: even
 * for the DTLS client's channels, odd for the DTLS server's).
 */
export const kOpenDataChannelInBand = Symbol('mediaplane.openDataChannelInBand');

export type OpenDataChannelInBand = { streamIdParity: 0 | 1 };

/**
 * A Transport property: an EventEmitter of the peer's in-band channel events, 'open'
 * ({ streamId, label, protocol, ordered, maxRetransmits?, maxPacketLifeTime? }) for a
 * DATA_CHANNEL_OPEN on a stream with no DataProducer, and 'streamsreset' (streamIds)
 * when the peer closed channels.
 */
export const kDataChannelEvents = Symbol('mediaplane.dataChannelEvents');

export type InBandDataChannel = {
	streamId: number;
	label: string;
	protocol: string;
	ordered: boolean;
	maxRetransmits?: number;
	maxPacketLifeTime?: number;
};
