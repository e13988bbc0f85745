// libFuzzer target: the receive path of real transports (issue 14). Arbitrary datagram
// sequences, sent over loopback UDP from the harness's own socket, into:
//  - A: a PlainTransport with comedia and SRTP (AES_CM_128_HMAC_SHA1_80, a fixed key the
//    harness also holds), producing opus, VP8 simulcast (3 streams with RTX), VP9 SVC
//    (L3T3_KEY with RTX) and H.264 by RID;
//  - B: a PlainTransport connected to the harness socket, consuming all four (so RTCP
//    from the harness reaches consumers: NACK, PLI, FIR, REMB, RR...);
//  - C: a WebRtcTransport (DTLS server) producing opus and consuming the VP8 producer,
//    reached through ICE: the harness can send a valid STUN binding request (its
//    credentials from the transport's iceParameters), after which C's DTLS and SRTP take
//    what follows from that tuple; and the harness can run a real DTLS client (the
//    engine's DtlsTransport, with a certificate C was told about) to a connected session,
//    after which it sends SRTP with the negotiated keys.
// with requests (key frame requests, preferred layers, pause/resume) and the worker's
// timers interleaved. The engine objects are the real ones, built through the same
// request handlers the channel reaches (the JSON below was recorded from the TypeScript
// layer, ids renamed), on a uv loop this thread runs: no worker thread, so each input
// is processed deterministically apart from timer timing.
//
// Input: records of [op (1 byte)] [length (2 bytes, big endian)] [payload]:
//   op % 10 = 0 raw datagram to A         1 payload SRTP-protected as RTP, to A
//            2 payload SRTCP-protected, to A  3 raw datagram to B
//            4 raw datagram to C         5 a valid ICE binding request to C (payload[0]
//                                          bit 0: USE-CANDIDATE; payload[1..4]: PRIORITY)
//            6 let timers run: sleep payload[0] % 4 ms, then run the loop
//            7 a request, payload[0] picks it (see kRequests)
//            8 the DTLS client: start it (first time), then its timer
//            9 payload SRTP-protected with the DTLS-SRTP keys (RTP, or RTCP when
//              payload[1] is 200..206), to C; raw when DTLS has not connected
// After each record the loop runs once (UV_RUN_NOWAIT): loopback UDP delivers at
// sendto(), so every datagram sent is read before the next record.
//
// Invariants: no crash, leak (LeakSanitizer), UB or hang; every request answers (a
// RequestError is an answer); closing the router (every 100 inputs, see RunOne) leaves
// the handler registry empty and the loop without handles, and the process has the file
// descriptors it had before.
//
// Ports: the transports take ports from 62000-62999 (this context's rtcMinPort..Max),
// apart from the channel_requests target's range and from Linux's ephemeral ports.

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <uv.h>

#include "../src/cpp/engine/channel/Channel.hpp"
#include "../src/cpp/engine/channel/Method.hpp"
#include "../src/cpp/engine/common/JsonReader.hpp"
#include "../src/cpp/engine/common/RequestError.hpp"
#include "../src/cpp/engine/dtls/DtlsCertificate.hpp"
#include "../src/cpp/engine/dtls/DtlsTransport.hpp"
#include "../src/cpp/engine/ice/StunMessage.hpp"
#include "../src/cpp/engine/net/UdpSendBatcher.hpp"
#include "../src/cpp/engine/router/Router.hpp"
#include "../src/cpp/engine/srtp/SrtpSession.hpp"
#include "../src/cpp/engine/worker/RequestHandler.hpp"
#include "../src/cpp/engine/worker/WorkerContext.hpp"
#include "FuzzSupport.hpp"

using namespace mediaplane;

namespace {

// Recorded from the TypeScript layer (a router with opus, VP8, VP9 and H.264); see the
// header comment. HARNESS_PORT is replaced by the harness socket's port.
constexpr std::string_view kSetup = R"SETUP(router.createPlainTransport r {"transportId":"A","listenInfo":{"protocol":"udp","ip":"127.0.0.1","port":0,"exposeInternalIp":false},"rtcpMux":true,"comedia":true,"enableSrtp":true,"srtpCryptoSuite":"AES_CM_128_HMAC_SHA1_80","enableSctp":false,"maxSendMessageSize":262144,"maxReceiveMessageSize":262144,"sctpSendBufferSize":2000000,"sctpPerStreamSendQueueLimit":2000000,"sctpMaxReceiverWindowBufferSize":5242880,"sctpDefaultStreamBufferedAmountLowThreshold":1024}
transport.connect A {"srtpParameters":{"cryptoSuite":"AES_CM_128_HMAC_SHA1_80","key":{"$hex":"070707070707070707070707070707070707070707070707070707070707"}}}
transport.produce A {"producerId":"pa","kind":"audio","rtpParameters":{"mid":"a","codecs":[{"mimeType":"audio/opus","payloadType":111,"clockRate":48000,"channels":2,"rtcpFeedback":[{"type":"transport-cc","parameter":""}],"parameters":{}}],"headerExtensions":[{"uri":"urn:ietf:params:rtp-hdrext:sdes:mid","id":1,"encrypt":false,"parameters":{}},{"uri":"urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id","id":2,"encrypt":false,"parameters":{}},{"uri":"urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id","id":3,"encrypt":false,"parameters":{}},{"uri":"http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time","id":4,"encrypt":false,"parameters":{}},{"uri":"http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01","id":5,"encrypt":false,"parameters":{}},{"uri":"urn:ietf:params:rtp-hdrext:ssrc-audio-level","id":10,"encrypt":false,"parameters":{}}],"encodings":[{"ssrc":1111,"dtx":false}],"rtcp":{"cname":"c","reducedSize":true}},"rtpMapping":{"codecs":[{"payloadType":111,"mappedPayloadType":100}],"encodings":[{"mappedSsrc":730427927,"ssrc":1111}]},"consumableRtpEncodings":[{"ssrc":730427927,"dtx":false}],"keyFrameRequestDelay":0,"paused":false,"enableMediasoupPacketIdHeaderExtension":false}
transport.produce A {"producerId":"pv8","kind":"video","rtpParameters":{"mid":"v","codecs":[{"mimeType":"video/VP8","payloadType":96,"clockRate":90000,"rtcpFeedback":[{"type":"nack","parameter":""},{"type":"nack","parameter":"pli"},{"type":"ccm","parameter":"fir"},{"type":"transport-cc","parameter":""}],"parameters":{}},{"mimeType":"video/rtx","payloadType":97,"clockRate":90000,"parameters":{"apt":96},"rtcpFeedback":[]}],"headerExtensions":[{"uri":"urn:ietf:params:rtp-hdrext:sdes:mid","id":1,"encrypt":false,"parameters":{}},{"uri":"urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id","id":2,"encrypt":false,"parameters":{}},{"uri":"urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id","id":3,"encrypt":false,"parameters":{}},{"uri":"http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time","id":4,"encrypt":false,"parameters":{}},{"uri":"http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01","id":5,"encrypt":false,"parameters":{}},{"uri":"urn:ietf:params:rtp-hdrext:ssrc-audio-level","id":10,"encrypt":false,"parameters":{}},{"uri":"urn:3gpp:video-orientation","id":11,"encrypt":false,"parameters":{}}],"encodings":[{"ssrc":2221,"rtx":{"ssrc":2231},"scalabilityMode":"L1T3","dtx":false},{"ssrc":2222,"rtx":{"ssrc":2232},"scalabilityMode":"L1T3","dtx":false},{"ssrc":2223,"rtx":{"ssrc":2233},"scalabilityMode":"L1T3","dtx":false}],"rtcp":{"cname":"c","reducedSize":true}},"rtpMapping":{"codecs":[{"payloadType":96,"mappedPayloadType":101},{"payloadType":97,"mappedPayloadType":102}],"encodings":[{"mappedSsrc":806197967,"ssrc":2221,"scalabilityMode":"L1T3"},{"mappedSsrc":806197968,"ssrc":2222,"scalabilityMode":"L1T3"},{"mappedSsrc":806197969,"ssrc":2223,"scalabilityMode":"L1T3"}]},"consumableRtpEncodings":[{"ssrc":806197967,"scalabilityMode":"L1T3","dtx":false},{"ssrc":806197968,"scalabilityMode":"L1T3","dtx":false},{"ssrc":806197969,"scalabilityMode":"L1T3","dtx":false}],"keyFrameRequestDelay":0,"paused":false,"enableMediasoupPacketIdHeaderExtension":false}
transport.produce A {"producerId":"pv9","kind":"video","rtpParameters":{"mid":"s","codecs":[{"mimeType":"video/VP9","payloadType":98,"clockRate":90000,"parameters":{"profile-id":0},"rtcpFeedback":[{"type":"nack","parameter":""},{"type":"nack","parameter":"pli"},{"type":"ccm","parameter":"fir"},{"type":"transport-cc","parameter":""}]},{"mimeType":"video/rtx","payloadType":99,"clockRate":90000,"parameters":{"apt":98},"rtcpFeedback":[]}],"headerExtensions":[{"uri":"urn:ietf:params:rtp-hdrext:sdes:mid","id":1,"encrypt":false,"parameters":{}},{"uri":"urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id","id":2,"encrypt":false,"parameters":{}},{"uri":"urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id","id":3,"encrypt":false,"parameters":{}},{"uri":"http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time","id":4,"encrypt":false,"parameters":{}},{"uri":"http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01","id":5,"encrypt":false,"parameters":{}},{"uri":"urn:ietf:params:rtp-hdrext:ssrc-audio-level","id":10,"encrypt":false,"parameters":{}},{"uri":"urn:3gpp:video-orientation","id":11,"encrypt":false,"parameters":{}}],"encodings":[{"ssrc":3333,"rtx":{"ssrc":3334},"scalabilityMode":"L3T3_KEY","dtx":false}],"rtcp":{"cname":"c","reducedSize":true}},"rtpMapping":{"codecs":[{"payloadType":98,"mappedPayloadType":103},{"payloadType":99,"mappedPayloadType":104}],"encodings":[{"mappedSsrc":179630539,"ssrc":3333,"scalabilityMode":"L3T3_KEY"}]},"consumableRtpEncodings":[{"ssrc":179630539,"scalabilityMode":"L3T3_KEY","dtx":false}],"keyFrameRequestDelay":0,"paused":false,"enableMediasoupPacketIdHeaderExtension":false}
transport.produce A {"producerId":"ph264","kind":"video","rtpParameters":{"mid":"h","codecs":[{"mimeType":"video/H264","payloadType":102,"clockRate":90000,"parameters":{"packetization-mode":1,"profile-level-id":"42e01f","level-asymmetry-allowed":1},"rtcpFeedback":[{"type":"nack","parameter":""},{"type":"nack","parameter":"pli"},{"type":"ccm","parameter":"fir"},{"type":"transport-cc","parameter":""}]}],"headerExtensions":[{"uri":"urn:ietf:params:rtp-hdrext:sdes:mid","id":1,"encrypt":false,"parameters":{}},{"uri":"urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id","id":2,"encrypt":false,"parameters":{}},{"uri":"urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id","id":3,"encrypt":false,"parameters":{}},{"uri":"http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time","id":4,"encrypt":false,"parameters":{}},{"uri":"http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01","id":5,"encrypt":false,"parameters":{}},{"uri":"urn:ietf:params:rtp-hdrext:ssrc-audio-level","id":10,"encrypt":false,"parameters":{}},{"uri":"urn:3gpp:video-orientation","id":11,"encrypt":false,"parameters":{}}],"encodings":[{"rid":"r0","dtx":false},{"rid":"r1","dtx":false}],"rtcp":{"cname":"c","reducedSize":true}},"rtpMapping":{"codecs":[{"payloadType":102,"mappedPayloadType":105}],"encodings":[{"mappedSsrc":145242624,"rid":"r0"},{"mappedSsrc":145242625,"rid":"r1"}]},"consumableRtpEncodings":[{"dtx":false,"ssrc":145242624},{"dtx":false,"ssrc":145242625}],"keyFrameRequestDelay":0,"paused":false,"enableMediasoupPacketIdHeaderExtension":false}
router.createPlainTransport r {"transportId":"B","listenInfo":{"protocol":"udp","ip":"127.0.0.1","port":0,"exposeInternalIp":false},"rtcpMux":true,"comedia":false,"enableSrtp":false,"srtpCryptoSuite":"AES_CM_128_HMAC_SHA1_80","enableSctp":false,"maxSendMessageSize":262144,"maxReceiveMessageSize":262144,"sctpSendBufferSize":2000000,"sctpPerStreamSendQueueLimit":2000000,"sctpMaxReceiverWindowBufferSize":5242880,"sctpDefaultStreamBufferedAmountLowThreshold":1024}
transport.connect B {"ip":"127.0.0.1","port":HARNESS_PORT}
transport.consume B {"consumerId":"ca","producerId":"pa","kind":"audio","rtpParameters":{"codecs":[{"mimeType":"audio/opus","payloadType":100,"clockRate":48000,"channels":2,"parameters":{},"rtcpFeedback":[]}],"headerExtensions":[{"uri":"urn:ietf:params:rtp-hdrext:sdes:mid","id":1,"encrypt":false,"parameters":{}},{"uri":"http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time","id":4,"encrypt":false,"parameters":{}},{"uri":"urn:ietf:params:rtp-hdrext:ssrc-audio-level","id":6,"encrypt":false,"parameters":{}},{"uri":"http://www.webrtc.org/experiments/rtp-hdrext/playout-delay","id":11,"encrypt":false,"parameters":{}},{"uri":"urn:mediasoup:params:rtp-hdrext:packet-id","id":12,"encrypt":false,"parameters":{}}],"encodings":[{"ssrc":295957353}],"rtcp":{"cname":"c","reducedSize":true},"mid":"0"},"type":"simple","consumableRtpEncodings":[{"ssrc":730427927,"dtx":false}],"paused":false,"ignoreDtx":false}
transport.consume B {"consumerId":"cv8","producerId":"pv8","kind":"video","rtpParameters":{"codecs":[{"mimeType":"video/VP8","payloadType":101,"clockRate":90000,"parameters":{},"rtcpFeedback":[{"type":"nack","parameter":""},{"type":"nack","parameter":"pli"},{"type":"ccm","parameter":"fir"},{"type":"transport-cc","parameter":""}]},{"mimeType":"video/rtx","payloadType":102,"clockRate":90000,"parameters":{"apt":101},"rtcpFeedback":[]}],"headerExtensions":[{"uri":"urn:ietf:params:rtp-hdrext:sdes:mid","id":1,"encrypt":false,"parameters":{}},{"uri":"http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time","id":4,"encrypt":false,"parameters":{}},{"uri":"http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01","id":5,"encrypt":false,"parameters":{}},{"uri":"urn:3gpp:video-orientation","id":8,"encrypt":false,"parameters":{}},{"uri":"urn:ietf:params:rtp-hdrext:toffset","id":9,"encrypt":false,"parameters":{}},{"uri":"http://www.webrtc.org/experiments/rtp-hdrext/playout-delay","id":11,"encrypt":false,"parameters":{}},{"uri":"urn:mediasoup:params:rtp-hdrext:packet-id","id":12,"encrypt":false,"parameters":{}}],"encodings":[{"ssrc":987349498,"rtx":{"ssrc":987349499},"scalabilityMode":"L3T3"}],"rtcp":{"cname":"c","reducedSize":true},"mid":"1"},"type":"simulcast","consumableRtpEncodings":[{"ssrc":806197967,"scalabilityMode":"L1T3","dtx":false},{"ssrc":806197968,"scalabilityMode":"L1T3","dtx":false},{"ssrc":806197969,"scalabilityMode":"L1T3","dtx":false}],"paused":false,"ignoreDtx":false}
transport.consume B {"consumerId":"cv9","producerId":"pv9","kind":"video","rtpParameters":{"codecs":[{"mimeType":"video/VP9","payloadType":103,"clockRate":90000,"parameters":{"profile-id":0},"rtcpFeedback":[{"type":"nack","parameter":""},{"type":"nack","parameter":"pli"},{"type":"ccm","parameter":"fir"},{"type":"transport-cc","parameter":""}]},{"mimeType":"video/rtx","payloadType":104,"clockRate":90000,"parameters":{"apt":103},"rtcpFeedback":[]}],"headerExtensions":[{"uri":"urn:ietf:params:rtp-hdrext:sdes:mid","id":1,"encrypt":false,"parameters":{}},{"uri":"http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time","id":4,"encrypt":false,"parameters":{}},{"uri":"http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01","id":5,"encrypt":false,"parameters":{}},{"uri":"urn:3gpp:video-orientation","id":8,"encrypt":false,"parameters":{}},{"uri":"urn:ietf:params:rtp-hdrext:toffset","id":9,"encrypt":false,"parameters":{}},{"uri":"http://www.webrtc.org/experiments/rtp-hdrext/playout-delay","id":11,"encrypt":false,"parameters":{}},{"uri":"urn:mediasoup:params:rtp-hdrext:packet-id","id":12,"encrypt":false,"parameters":{}}],"encodings":[{"ssrc":914403096,"rtx":{"ssrc":914403097},"scalabilityMode":"L3T3_KEY"}],"rtcp":{"cname":"c","reducedSize":true},"mid":"2"},"type":"svc","consumableRtpEncodings":[{"ssrc":179630539,"scalabilityMode":"L3T3_KEY","dtx":false}],"paused":false,"ignoreDtx":false}
transport.consume B {"consumerId":"ch264","producerId":"ph264","kind":"video","rtpParameters":{"codecs":[{"mimeType":"video/H264","payloadType":105,"clockRate":90000,"parameters":{"packetization-mode":1,"profile-level-id":"42e01f","level-asymmetry-allowed":1},"rtcpFeedback":[{"type":"nack","parameter":""},{"type":"nack","parameter":"pli"},{"type":"ccm","parameter":"fir"},{"type":"transport-cc","parameter":""}]},{"mimeType":"video/rtx","payloadType":106,"clockRate":90000,"parameters":{"apt":105},"rtcpFeedback":[]}],"headerExtensions":[{"uri":"urn:ietf:params:rtp-hdrext:sdes:mid","id":1,"encrypt":false,"parameters":{}},{"uri":"http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time","id":4,"encrypt":false,"parameters":{}},{"uri":"http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01","id":5,"encrypt":false,"parameters":{}},{"uri":"urn:3gpp:video-orientation","id":8,"encrypt":false,"parameters":{}},{"uri":"urn:ietf:params:rtp-hdrext:toffset","id":9,"encrypt":false,"parameters":{}},{"uri":"http://www.webrtc.org/experiments/rtp-hdrext/playout-delay","id":11,"encrypt":false,"parameters":{}},{"uri":"urn:mediasoup:params:rtp-hdrext:packet-id","id":12,"encrypt":false,"parameters":{}}],"encodings":[{"ssrc":650483798,"rtx":{"ssrc":650483799},"scalabilityMode":"L2T1"}],"rtcp":{"cname":"c","reducedSize":true},"mid":"3"},"type":"simulcast","consumableRtpEncodings":[{"dtx":false,"ssrc":145242624},{"dtx":false,"ssrc":145242625}],"paused":false,"ignoreDtx":false}
router.createWebRtcTransport r {"transportId":"C","listenInfos":[{"protocol":"udp","ip":"127.0.0.1","port":0,"exposeInternalIp":false}],"enableUdp":true,"enableTcp":true,"preferUdp":false,"preferTcp":false,"iceConsentTimeout":30,"initialAvailableOutgoingBitrate":600000,"enableSctp":false,"maxSendMessageSize":262144,"maxReceiveMessageSize":262144,"sctpSendBufferSize":2000000,"sctpPerStreamSendQueueLimit":2000000,"sctpMaxReceiverWindowBufferSize":5242880,"sctpDefaultStreamBufferedAmountLowThreshold":1024}
transport.connect C {"dtlsParameters":{"role":"client","fingerprints":[{"algorithm":"sha-256","value":"AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB"}]}}
transport.produce C {"producerId":"pc","kind":"audio","rtpParameters":{"mid":"a","codecs":[{"mimeType":"audio/opus","payloadType":111,"clockRate":48000,"channels":2,"parameters":{},"rtcpFeedback":[]}],"headerExtensions":[{"uri":"urn:ietf:params:rtp-hdrext:sdes:mid","id":1,"encrypt":false,"parameters":{}},{"uri":"urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id","id":2,"encrypt":false,"parameters":{}},{"uri":"urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id","id":3,"encrypt":false,"parameters":{}},{"uri":"http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time","id":4,"encrypt":false,"parameters":{}},{"uri":"http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01","id":5,"encrypt":false,"parameters":{}},{"uri":"urn:ietf:params:rtp-hdrext:ssrc-audio-level","id":10,"encrypt":false,"parameters":{}}],"encodings":[{"ssrc":5555,"dtx":false}],"rtcp":{"cname":"c","reducedSize":true}},"rtpMapping":{"codecs":[{"payloadType":111,"mappedPayloadType":100}],"encodings":[{"mappedSsrc":872574885,"ssrc":5555}]},"consumableRtpEncodings":[{"ssrc":872574885,"dtx":false}],"keyFrameRequestDelay":0,"paused":false,"enableMediasoupPacketIdHeaderExtension":false}
transport.consume C {"consumerId":"cc","producerId":"pv8","kind":"video","rtpParameters":{"codecs":[{"mimeType":"video/VP8","payloadType":101,"clockRate":90000,"parameters":{},"rtcpFeedback":[{"type":"nack","parameter":""},{"type":"nack","parameter":"pli"},{"type":"ccm","parameter":"fir"},{"type":"transport-cc","parameter":""}]},{"mimeType":"video/rtx","payloadType":102,"clockRate":90000,"parameters":{"apt":101},"rtcpFeedback":[]}],"headerExtensions":[{"uri":"urn:ietf:params:rtp-hdrext:sdes:mid","id":1,"encrypt":false,"parameters":{}},{"uri":"http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time","id":4,"encrypt":false,"parameters":{}},{"uri":"http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01","id":5,"encrypt":false,"parameters":{}},{"uri":"urn:3gpp:video-orientation","id":8,"encrypt":false,"parameters":{}},{"uri":"urn:ietf:params:rtp-hdrext:toffset","id":9,"encrypt":false,"parameters":{}},{"uri":"http://www.webrtc.org/experiments/rtp-hdrext/playout-delay","id":11,"encrypt":false,"parameters":{}},{"uri":"urn:mediasoup:params:rtp-hdrext:packet-id","id":12,"encrypt":false,"parameters":{}}],"encodings":[{"ssrc":517905381,"rtx":{"ssrc":517905382},"scalabilityMode":"L3T3"}],"rtcp":{"cname":"c","reducedSize":true},"mid":"0"},"type":"simulcast","consumableRtpEncodings":[{"ssrc":806197967,"scalabilityMode":"L1T3","dtx":false},{"ssrc":806197968,"scalabilityMode":"L1T3","dtx":false},{"ssrc":806197969,"scalabilityMode":"L1T3","dtx":false}],"paused":false,"ignoreDtx":false})SETUP";

// What op 7 can ask (handler id, method, JSON data).
struct CannedRequest {
	const char* handlerId;
	const char* method;
	const char* json;
};
constexpr CannedRequest kRequests[] = {
	{ "cv8", "consumer.requestKeyFrame", nullptr },
	{ "cv9", "consumer.requestKeyFrame", nullptr },
	{ "cv8", "consumer.setPreferredLayers", R"({"spatialLayer":0,"temporalLayer":1})" },
	{ "cv9", "consumer.setPreferredLayers", R"({"spatialLayer":1,"temporalLayer":0})" },
	{ "cv8", "consumer.pause", nullptr },
	{ "cv8", "consumer.resume", nullptr },
	{ "pv8", "producer.pause", nullptr },
	{ "pv8", "producer.resume", nullptr },
	{ "cc", "consumer.setPreferredLayers", R"({"spatialLayer":2,"temporalLayer":2})" },
	{ "B", "transport.getStats", nullptr },
	{ "A", "transport.getStats", nullptr },
	{ "C", "transport.getStats", nullptr },
	{ "pv9", "producer.getStats", nullptr },
	{ "cv9", "consumer.getStats", nullptr },
	{ "cv8", "consumer.setPriority", R"({"priority":3})" },
	{ "pv8", "producer.enableTraceEvent", R"({"types":["rtp","keyframe","nack","pli","fir"]})" },
	{ "C", "transport.setMaxOutgoingBitrate", R"({"bitrate":300000})" },
	{ "r", "router.dump", nullptr },
	{ "pv8", "producer.getStats", nullptr },
	{ "pa", "producer.getStats", nullptr },
	{ "ph264", "producer.getStats", nullptr },
	{ "cv8", "consumer.getStats", nullptr },
	{ "ca", "consumer.getStats", nullptr },
	{ "cc", "consumer.getStats", nullptr },
};

// {"$hex": "0a1b"} anywhere in a parsed tree stands for bytes (the SRTP key).
Value WithBytes(Value value) {
	if (value.IsObject()) {
		const Value* hex = value.Find("$hex");
		if (hex && hex->IsString() && value.AsObject().size() == 1) {
			Value::Bytes bytes = fuzz::BytesFromHex(hex->AsString());
			return Value(std::move(bytes));
		}
		Value out = Value::MakeObject();
		for (auto& [key, item] : value.AsObject()) out.Set(key, WithBytes(item));
		return out;
	}
	if (value.IsArray()) {
		Value out = Value::MakeArray();
		for (const Value& item : value.AsArray()) out.Push(WithBytes(item));
		return out;
	}
	return value;
}

uint64_t NowMs() {
	return static_cast<uint64_t>(
	    std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count());
}

// The harness's DTLS client: what it sends goes to C; once connected, an outbound SRTP
// session with the keys it negotiated.
class DtlsEndpoint : public DtlsTransport::Listener {
public:
	std::function<void(const uint8_t*, size_t)> send;
	std::unique_ptr<SrtpSession> srtp;

	void OnDtlsSendData(const uint8_t* data, size_t len) override {
		if (send) send(data, len);
	}
	void OnDtlsStateChange(DtlsState /*state*/) override {}
	void OnDtlsSrtpKeys(SrtpCryptoSuite suite, const std::vector<uint8_t>& localSendKey,
	    const std::vector<uint8_t>& /*remoteSendKey*/) override {
		srtp = SrtpSession::Create(SrtpSession::Direction::Outbound, suite, localSendKey.data(), localSendKey.size(), nullptr);
	}
};

class Harness {
public:
	Harness() : channel_([] {}) {
		FUZZ_CHECK(uv_loop_init(&loop_) == 0);
		context_.loop = &loop_;
		context_.channel = &channel_;
		context_.registry = &registry_;
		context_.rtcMinPort = 62000;
		context_.rtcMaxPort = 62999;
		context_.findWebRtcServer = [](const std::string&) -> WebRtcServer* { return nullptr; };
		socket_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		FUZZ_CHECK(socket_ >= 0);
		sockaddr_in local{};
		local.sin_family = AF_INET;
		local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		FUZZ_CHECK(::bind(socket_, reinterpret_cast<sockaddr*>(&local), sizeof(local)) == 0);
		socklen_t len = sizeof(local);
		FUZZ_CHECK(::getsockname(socket_, reinterpret_cast<sockaddr*>(&local), &len) == 0);
		harnessPort_ = ntohs(local.sin_port);
		std::string error;
		certificate_ = DtlsCertificate::Generate(&error);
		FUZZ_CHECK(certificate_ != nullptr);
		dtlsEndpoint_.send = [this](const uint8_t* data, size_t len) { SendTo(portC_, data, len); };
		setup_ = std::string(kSetup);
		// C is told the harness client's certificate.
		const std::string placeholderFingerprint = "AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB";
		std::string harnessFingerprint;
		for (const DtlsFingerprint& f : certificate_->GetFingerprints()) {
			if (f.algorithm == "sha-256") harnessFingerprint = f.value;
		}
		const size_t at = setup_.find(placeholderFingerprint);
		FUZZ_CHECK(at != std::string::npos && !harnessFingerprint.empty());
		setup_.replace(at, placeholderFingerprint.size(), harnessFingerprint);
		const std::string placeholder = "HARNESS_PORT";
		for (size_t at = setup_.find(placeholder); at != std::string::npos; at = setup_.find(placeholder)) {
			setup_.replace(at, placeholder.size(), std::to_string(harnessPort_));
		}
		const uint8_t key[30] = { 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7 };
		std::memcpy(srtpKey_, key, sizeof(key));
		const char* fresh = std::getenv("MEDIAPLANE_FUZZ_FRESH");
		if (fresh && fresh[0] == '1') inputsPerSetup_ = 1;
		const char* verbose = std::getenv("MEDIAPLANE_FUZZ_VERBOSE");
		verbose_ = verbose && verbose[0] == '1';
	}

	// One input. The transports are set up once per kInputsPerSetup inputs (a fresh
	// setup costs ~40 ms: sockets, SRTP sessions, the streams' buffers), so state carries
	// over between those inputs as it does between the packets of a session;
	// MEDIAPLANE_FUZZ_FRESH=1 sets up anew for every input (to reproduce a finding alone).
	void RunOne(const uint8_t* data, size_t size) {
		if (!router_ || ++inputsSinceSetup_ >= inputsPerSetup_) {
			TearDown();
			// The engine's datagrams leave through a UdpSendBatcher as on a worker thread,
			// io_uring and sendmmsg on alternate setups (both batch paths get fuzzed).
			udpSendBatcher_ = std::make_unique<UdpSendBatcher>(&loop_, (setups_++ % 2) == 0);
			router_ = std::make_unique<Router>(context_, "r");
			Setup();
			srtp_ = SrtpSession::Create(SrtpSession::Direction::Outbound, SrtpCryptoSuite::AES_CM_128_HMAC_SHA1_80, srtpKey_,
			    sizeof(srtpKey_), nullptr);
			FUZZ_CHECK(srtp_ != nullptr);
			inputsSinceSetup_ = 0;
		}
		fuzz::FuzzInput input(data, size);
		int records = 0;
		while (!input.Empty() && records++ < 256) {
			const uint8_t op = input.U8();
			const size_t length = std::min<size_t>(input.U16(), 1500);
			std::vector<uint8_t> payload(length);
			for (uint8_t& b : payload) b = input.U8();
			Apply(op, payload);
			uv_run(&loop_, UV_RUN_NOWAIT);
			Drain();
		}
		if (inputsPerSetup_ == 1) TearDown();
	}

	// Closes everything the setup made and checks that nothing is left.
	void TearDown() {
		if (!router_) return;
		dtlsClient_.reset();
		dtlsEndpoint_.srtp.reset();
		srtp_.reset();
		router_.reset();
		udpSendBatcher_->Close();
		// Handles close asynchronously: let the loop run their close callbacks.
		for (int i = 0; i < 100 && uv_loop_alive(&loop_); ++i) uv_run(&loop_, UV_RUN_NOWAIT);
		FUZZ_CHECK(!uv_loop_alive(&loop_));
		udpSendBatcher_.reset();
		FUZZ_CHECK(registry_.Ids().empty());
		Drain();
		// Compared from the second teardown on: the first setup opens what stays open for
		// the process (OpenSSL's, the certificate's).
		std::vector<std::string> fds = fuzz::OpenDescriptors(/*socketsAndEventsOnly*/ true);
		if (!haveFdBaseline_) {
			fdsAfterTeardown_ = fds;
			haveFdBaseline_ = true;
		}
		if (fds.size() != fdsAfterTeardown_.size()) {
			for (const std::string& fd : fds) __builtin_fprintf(stderr, "open now: %s\n", fd.c_str());
			for (const std::string& fd : fdsAfterTeardown_) __builtin_fprintf(stderr, "open at the first teardown: %s\n", fd.c_str());
		}
		FUZZ_CHECK(fds.size() == fdsAfterTeardown_.size());
	}

private:
	// The recorded requests, answered one by one; keeps what the harness needs from the
	// answers (ports, ICE credentials).
	void Setup() {
		size_t start = 0;
		while (start < setup_.size()) {
			size_t end = setup_.find('\n', start);
			if (end == std::string::npos) end = setup_.size();
			const std::string line = setup_.substr(start, end - start);
			start = end + 1;
			if (line.empty()) continue;
			const size_t a = line.find(' ');
			const size_t b = line.find(' ', a + 1);
			FUZZ_CHECK(a != std::string::npos && b != std::string::npos);
			const Value answer = Request(line.substr(a + 1, b - a - 1), line.substr(0, a), line.substr(b + 1), true);
			const std::string handler = line.substr(a + 1, b - a - 1);
			if (line.rfind("router.createPlainTransport", 0) == 0) {
				const Value* tuple = answer.Find("tuple");
				FUZZ_CHECK(tuple && tuple->Find("localPort"));
				const uint16_t port = static_cast<uint16_t>(tuple->Find("localPort")->AsNumber());
				(line.find("\"transportId\":\"A\"") != std::string::npos ? portA_ : portB_) = port;
			} else if (line.rfind("router.createWebRtcTransport", 0) == 0) {
				const Value* ice = answer.Find("iceParameters");
				const Value* candidates = answer.Find("iceCandidates");
				FUZZ_CHECK(ice && candidates && candidates->IsArray() && !candidates->AsArray().empty());
				iceUfrag_ = ice->Find("usernameFragment")->AsString();
				icePassword_ = ice->Find("password")->AsString();
				portC_ = static_cast<uint16_t>(candidates->AsArray()[0].Find("port")->AsNumber());
				remoteFingerprint_ = {};
				if (const Value* dtls = answer.Find("dtlsParameters")) {
					if (const Value* list = dtls->Find("fingerprints"); list && list->IsArray()) {
						for (const Value& f : list->AsArray()) {
							const Value* algorithm = f.Find("algorithm");
							const Value* value = f.Find("value");
							if (algorithm && value && algorithm->IsString() && value->IsString() && algorithm->AsString() == "sha-256") {
								remoteFingerprint_ = { "sha-256", value->AsString() };
							}
						}
					}
				}
				FUZZ_CHECK(!remoteFingerprint_.value.empty());
			}
		}
	}

	// Sends one request to its handler; `mustSucceed` for the setup.
	Value Request(const std::string& handlerId, const std::string& method, const std::string& json, bool mustSucceed) {
		ChannelRequest request;
		FUZZ_CHECK(MethodFromName(method, &request.method));
		request.handlerId = handlerId;
		try {
			if (!json.empty()) request.data = WithBytes(ParseJson(json));
			RequestHandler* handler = registry_.Find(handlerId);
			FUZZ_CHECK(handler != nullptr);
			return handler->HandleRequest(request);
		} catch (const RequestError& error) {
			if (mustSucceed) {
				__builtin_fprintf(stderr, "setup request %s %s failed: %s\n", method.c_str(), handlerId.c_str(), error.what());
				FUZZ_CHECK(!"setup request failed");
			}
			return Value();
		}
	}

	void SendTo(uint16_t port, const uint8_t* data, size_t len) {
		if (port == 0) return;
		sockaddr_in to{};
		to.sin_family = AF_INET;
		to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		to.sin_port = htons(port);
		(void)::sendto(socket_, data, len, 0, reinterpret_cast<sockaddr*>(&to), sizeof(to));
	}

	void Apply(uint8_t op, std::vector<uint8_t>& payload) {
		switch (op % 10) {
			case 0: SendTo(portA_, payload.data(), payload.size()); break;
			case 1:
			case 2: {
				size_t len = payload.size();
				payload.resize(len + SrtpSession::MaxTrailerLength);
				const bool ok = op % 8 == 1 ? srtp_->ProtectRtp(payload.data(), &len, payload.size())
				                            : srtp_->ProtectRtcp(payload.data(), &len, payload.size());
				// What libsrtp refuses to protect (too short, a repeated index) goes as it is.
				if (!ok) len = std::min(len, payload.size() - SrtpSession::MaxTrailerLength);
				SendTo(portA_, payload.data(), len);
				break;
			}
			case 3: SendTo(portB_, payload.data(), payload.size()); break;
			case 4: SendTo(portC_, payload.data(), payload.size()); break;
			case 5: {
				uint8_t transactionId[StunMessage::TransactionIdLength];
				for (size_t i = 0; i < sizeof(transactionId); ++i) transactionId[i] = static_cast<uint8_t>(++stunCounter_ + i);
				StunMessage check(StunMessage::Class::Request, StunMessage::MethodBinding, transactionId);
				check.SetUsername(iceUfrag_ + ":harness");
				uint32_t priority = 0x6e0001ff;
				if (payload.size() >= 5) priority = (payload[1] << 24) | (payload[2] << 16) | (payload[3] << 8) | payload[4];
				check.SetPriority(priority);
				check.SetIceControlling(0x1122334455667788ull);
				check.SetUseCandidate(payload.empty() || (payload[0] & 1));
				const std::vector<uint8_t> bytes = check.Serialize(&icePassword_, true);
				SendTo(portC_, bytes.data(), bytes.size());
				break;
			}
			case 6: {
				const int ms = payload.empty() ? 0 : payload[0] % 4;
				if (ms) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
				uv_run(&loop_, UV_RUN_NOWAIT);
				break;
			}
			case 8: {
				if (!dtlsClient_ && !remoteFingerprint_.value.empty()) {
					dtlsClient_ = std::make_unique<DtlsTransport>(dtlsEndpoint_, certificate_);
					dtlsClient_->SetInitialRetransmitMs(10);
					dtlsClient_->Run(DtlsRole::Client, remoteFingerprint_, NowMs());
				} else if (dtlsClient_) {
					dtlsClient_->OnTimer(NowMs());
				}
				break;
			}
			case 9: {
				size_t len = payload.size();
				payload.resize(len + SrtpSession::MaxTrailerLength);
				bool ok = false;
				if (dtlsEndpoint_.srtp) {
					const bool rtcp = len >= 2 && payload[1] >= 200 && payload[1] <= 206;
					ok = rtcp ? dtlsEndpoint_.srtp->ProtectRtcp(payload.data(), &len, payload.size())
					          : dtlsEndpoint_.srtp->ProtectRtp(payload.data(), &len, payload.size());
				}
				if (!ok) len = std::min(len, payload.size() - SrtpSession::MaxTrailerLength);
				SendTo(portC_, payload.data(), len);
				break;
			}
			default: {
				const CannedRequest& r = kRequests[(payload.empty() ? 0 : payload[0]) % (sizeof(kRequests) / sizeof(kRequests[0]))];
				const Value answer = Request(r.handlerId, r.method, r.json ? r.json : "", false);
				if (verbose_) PrintCounts(r.handlerId, answer);
				break;
			}
		}
	}

	// MEDIAPLANE_FUZZ_VERBOSE=1: the packet counters in a stats answer, to see which
	// records of a seed reach which object.
	static void PrintCounts(const char* handlerId, const Value& answer) {
		if (!answer.IsArray()) return;
		for (const Value& entry : answer.AsArray()) {
			const Value* type = entry.Find("type");
			__builtin_fprintf(stderr, "[transport_receive] %s %s:", handlerId, type && type->IsString() ? type->AsString().c_str() : "?");
			for (const char* key : { "packetCount", "packetsLost", "rtpPacketsReceived", "rtpPacketsSent", "nackCount", "pliCount", "firCount", "bytesReceived", "ssrc", "rid", "iceState", "dtlsState", "iceRole" }) {
				const Value* v = entry.Find(key);
				if (v && v->IsNumber()) __builtin_fprintf(stderr, " %s=%.0f", key, v->AsNumber());
				if (v && v->IsString()) __builtin_fprintf(stderr, " %s=%s", key, v->AsString().c_str());
			}
			__builtin_fprintf(stderr, "\n");
		}
	}

	// Events, log lines and what the consumers sent the harness: read and dropped.
	void Drain() {
		channel_.TakeOutgoing(scratch_);
		scratch_.clear();
		uint8_t buffer[2048];
		for (int i = 0; i < 10000; ++i) {
			sockaddr_in from{};
			socklen_t fromLen = sizeof(from);
			const ssize_t n = ::recvfrom(socket_, buffer, sizeof(buffer), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&from), &fromLen);
			if (n < 0) break;
			// C's DTLS records go to the harness's DTLS client; the rest is dropped.
			if (dtlsClient_ && ntohs(from.sin_port) == portC_ && DtlsTransport::LooksLikeDtls(buffer, static_cast<size_t>(n))) {
				dtlsClient_->ProcessDtlsData(buffer, static_cast<size_t>(n), NowMs());
			}
		}
	}

	uv_loop_t loop_;
	Channel channel_;
	RequestHandlerRegistry registry_;
	WorkerContext context_;
	std::unique_ptr<UdpSendBatcher> udpSendBatcher_;
	uint64_t setups_ = 0;
	std::unique_ptr<Router> router_;
	std::unique_ptr<SrtpSession> srtp_;
	std::shared_ptr<DtlsCertificate> certificate_;
	DtlsEndpoint dtlsEndpoint_;
	std::unique_ptr<DtlsTransport> dtlsClient_;
	DtlsFingerprint remoteFingerprint_;
	std::string setup_;
	int socket_ = -1;
	uint16_t harnessPort_ = 0;
	uint16_t portA_ = 0;
	uint16_t portB_ = 0;
	uint16_t portC_ = 0;
	std::string iceUfrag_;
	std::string icePassword_;
	uint8_t srtpKey_[30];
	uint32_t stunCounter_ = 0;
	bool verbose_ = false;
	static constexpr uint32_t kInputsPerSetup = 100;
	uint32_t inputsPerSetup_ = kInputsPerSetup;
	uint32_t inputsSinceSetup_ = 0;
	std::vector<std::string> fdsAfterTeardown_;
	bool haveFdBaseline_ = false;
	std::vector<ChannelOutMessage> scratch_;
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
	static fuzz::FuzzLogging logging;
	static Harness* harness = new Harness();
	harness->RunOne(data, size);
	logging.Drain();
	return 0;
}
