/**
 * mediaplane.webrtc: the W3C WebRTC 1.0 layer over the object API (a server-side
 * RTCPeerConnection) and the WHIP/WHEP request handlers built on it. docs/WEBRTC.md.
 */
export { RTCPeerConnection } from './RTCPeerConnection';
export type {
	RTCPeerConnectionOptions,
	RTCPeerConnectionEvents,
	RTCSessionDescriptionInit,
	RTCSdpType,
	RTCSignalingState,
	RTCIceConnectionState,
	RTCPeerConnectionState,
	RTCRtpTransceiverInfo,
	RemoteTrackInfo,
} from './RTCPeerConnection';
export { createWhipHandler, createWhepHandler, createWebRtcHttpHandler } from './httpEndpoints';
export type {
	WebRtcHttpHandler,
	WebRtcHttpHandlerOptions,
	WebRtcHttpProtocol,
	WebRtcHttpRequest,
	WebRtcHttpSession,
} from './httpEndpoints';
