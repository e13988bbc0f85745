/**
 * Internal hooks into consume() for layers built inside this package (not part of the
 * public API; a symbol key keeps them out of any options object a user could write).
 */
import type { RtpParameters } from './RtpParameters';

/**
 * A consume() options key whose value, a function, may rewrite the new Consumer's
 * rtpParameters before the engine sees them. The W3C layer (src/ts/webrtc) uses it to
 * send with the payload types and extension ids of the remote's own offer.
 */
export const kAdjustConsumerRtpParameters = Symbol('mediaplane.adjustConsumerRtpParameters');

export type AdjustConsumerRtpParameters = (rtpParameters: RtpParameters) => void;
