// libFuzzer target: the per-packet forwarding path on arbitrary RTP, i.e. what a remote
// producer can make a consumer do. Each input is a series of packets (a codec byte, a
// time step, then the packet bytes). Each packet goes through RtpPacket::Parse, the
// receive stream (RtpStreamRecv with NACK: RFC 3550 A.1 sequence validation, whose
// restarts re-sync the rewriter as the Consumer does), the codec payload inspection (VP8/VP9/H.264/H.265/AV1), both layer selectors
// (SimulcastLayers, SvcLayers), VP8 picture id rewriting, RtpStreamRewriter,
// RtpPacketWriter, a RetransmissionBuffer with a shared payload tail, and the
// transport-cc receiver, whose feedback is built every few packets.
//
// Invariants (a violation traps, so libFuzzer keeps the input):
//  - a stored packet reads back exactly as written (head + shared tail);
//  - the VP8 rewrite changes only the picture id / TL0PICIDX bytes and keeps the length;
//  - every transport-cc feedback is a whole number of 32-bit words, at most the limit,
//    with the right packet type and format;
//  - the NACK list never exceeds NackGenerator::kMaxMissing, and is empty right after a
//    sequence restart (the numbers a jump skipped are not missing).

#include <cstring>
#include <vector>

#include "../src/cpp/engine/rtc/RtpStreamRewriter.hpp"
#include "../src/cpp/engine/rtc/SimulcastLayers.hpp"
#include "../src/cpp/engine/rtc/SvcLayers.hpp"
#include "../src/cpp/engine/rtc/Vp8PictureRewriter.hpp"
#include "../src/cpp/engine/rtp/RetransmissionBuffer.hpp"
#include "../src/cpp/engine/rtp/RtpPacket.hpp"
#include "../src/cpp/engine/rtp/RtpPacketWriter.hpp"
#include "../src/cpp/engine/rtp/RtpStreamRecv.hpp"
#include "../src/cpp/engine/rtp/SharedPacketBytes.hpp"
#include "../src/cpp/engine/rtp/codecs/PayloadInspector.hpp"
#include "../src/cpp/engine/transport/TransportCcReceiver.hpp"
#include "FuzzSupport.hpp"

using namespace mediaplane;

namespace {

constexpr CodecType kCodecs[] = { CodecType::Vp8, CodecType::Vp9, CodecType::H264, CodecType::H265, CodecType::Av1,
	                              CodecType::Opus };

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
	static fuzz::FuzzLogging logging;
	fuzz::FuzzInput input(data, size);

	SimulcastLayers simulcast(3, 3);
	SvcLayers svc(3, 3);
	Vp8PictureRewriter vp8;
	RtpStreamRewriter rewriter(90000);
	RetransmissionBuffer history(64);
	TransportCcReceiver transportCc;
	RtpStreamRecv::Params recvParams;
	recvParams.useNack = true;
	recvParams.useRtx = true;
	RtpStreamRecv recv(recvParams);
	RtpExtensionMap map;
	map.Set(1, RtpExtensionType::Mid);
	map.Set(3, RtpExtensionType::TransportWideCc);
	uint64_t nowMs = 1000;
	uint8_t out[4096];
	uint8_t feedback[1500];

	for (int packets = 0; packets < 64 && !input.Empty(); ++packets) {
		const CodecType codec = kCodecs[input.U8() % (sizeof(kCodecs) / sizeof(kCodecs[0]))];
		nowMs += input.U8();
		if (input.U8() % 8 == 0) simulcast.SetPreferred(input.U8() % 4, input.U8() % 4);
		std::vector<uint8_t> bytes = input.Chunk();
		RtpPacket packet;
		if (!packet.Parse(bytes.data(), bytes.size())) continue;

		// A few packets count as RTX-decoded retransmissions (as the Producer passes them).
		const RtpStreamRecv::Verdict verdict = recv.ReceivePacket(packet, nowMs, (packet.GetSsrc() & 0x0f) == 0);
		FUZZ_CHECK(recv.GetNackList(nowMs).size() <= NackGenerator::kMaxMissing);
		if (verdict == RtpStreamRecv::Verdict::Restart) {
			FUZZ_CHECK(recv.GetNackList(nowMs).empty());
			rewriter.RequestSync();
			vp8.RequestSync();
		}

		PayloadInfo info;
		const bool inspected = InspectPayload(codec, packet.GetPayload(), packet.GetPayloadLength(), &info);
		const bool keyFrame = inspected && info.valid && info.isKeyFrame && info.isFrameStart;

		SimulcastLayers::Packet layerPacket;
		layerPacket.spatialLayer = static_cast<int>(packet.GetSsrc() % 3);
		layerPacket.temporalLayer = info.temporalLayer;
		layerPacket.isFrameStart = info.isFrameStart;
		layerPacket.isKeyFrame = keyFrame;
		const SimulcastLayers::Action action = simulcast.OnPacket(layerPacket, nowMs);
		SvcLayers::Packet svcPacket;
		svcPacket.spatialLayer = info.spatialLayer;
		svcPacket.temporalLayer = info.temporalLayer;
		svcPacket.isFrameStart = info.isFrameStart;
		svcPacket.isFrameEnd = info.isFrameEnd;
		svcPacket.isKeyFrame = keyFrame;
		const SvcLayers::Decision decision = svc.OnPacket(svcPacket, nowMs);
		simulcast.TakeLayersChanged();
		svc.TakeLayersChanged();
		if (action == SimulcastLayers::Action::ForwardSwitched || decision.action == SvcLayers::Action::ForwardSynced) {
			rewriter.RequestSync();
			vp8.RequestSync();
		}
		if (action == SimulcastLayers::Action::DropTemporal && codec == CodecType::Vp8 && info.valid) vp8.DropPicture(info);

		uint16_t seq;
		uint32_t timestamp;
		if (!rewriter.Rewrite(packet.GetSequenceNumber(), packet.GetTimestamp(), nowMs, &seq, &timestamp)) continue;
		RtpHeaderFields header;
		header.payloadType = 96;
		header.marker = packet.HasMarker() || decision.setMarker;
		header.sequenceNumber = seq;
		header.timestamp = timestamp;
		header.ssrc = 0x1234;
		const uint8_t mid[] = { '0' };
		const uint8_t wide[] = { static_cast<uint8_t>(seq >> 8), static_cast<uint8_t>(seq) };
		RtpExtensionValue extensions[] = { { RtpExtensionType::Mid, mid, 1 }, { RtpExtensionType::TransportWideCc, wide, 2 } };
		const size_t length = RtpPacketWriter::Write(packet, out, sizeof(out) - 160, header, extensions, 2, map);
		if (length == 0) continue;
		const size_t payloadLength = packet.GetPayloadLength();
		FUZZ_CHECK(length >= payloadLength);

		if (codec == CodecType::Vp8 && inspected && info.valid) {
			std::vector<uint8_t> before(out + length - payloadLength, out + length);
			uint16_t pictureId;
			uint8_t tl0;
			vp8.Map(info, &pictureId, &tl0);
			Vp8PictureRewriter::Write(out + length - payloadLength, payloadLength, info, pictureId, tl0);
			for (size_t i = 0; i < payloadLength; ++i) {
				const bool idByte = (info.hasPictureId && (i == info.pictureIdOffset || (info.pictureIdBits == 15 && i == info.pictureIdOffset + 1))) ||
				                    (info.hasTl0PicIdx && i == info.tl0PicIdxOffset);
				if (!idByte) FUZZ_CHECK(before[i] == out[length - payloadLength + i]);
			}
		}

		// The retransmission copy: the consumer's head plus a tail shared from the input.
		SharedPacketBytes tail;
		const size_t offset = 16;
		if (payloadLength > offset && (codec != CodecType::Vp8 || !info.valid || info.descriptorLength <= offset)) {
			tail = SharedPacketBytes::Copy(packet.GetPayload() + offset, payloadLength - offset);
		}
		if (history.Store(out, length, seq, nowMs, tail.IsEmpty() ? nullptr : &tail)) {
			const RetransmissionBuffer::Stored* stored = history.Get(seq, nowMs);
			FUZZ_CHECK(stored != nullptr && stored->GetLength() == length);
			std::vector<uint8_t> copy(stored->GetLength());
			stored->CopyTo(copy.data());
			FUZZ_CHECK(std::memcmp(copy.data(), out, length) == 0);
		}

		// The receive side: the transport-wide number the sender put in.
		size_t wideLength = 0;
		const uint8_t* wideValue = packet.GetExtensionById(static_cast<uint8_t>(1 + packet.GetSsrc() % 14), &wideLength);
		const uint16_t wideSeq = wideValue && wideLength >= 2 ? static_cast<uint16_t>((wideValue[0] << 8) | wideValue[1])
		                                                      : packet.GetSequenceNumber();
		transportCc.OnPacket(wideSeq, static_cast<int64_t>(nowMs) * 1000 + input.U8());
		if (packets % 5 == 4) {
			transportCc.SendFeedback(1, 2, feedback, [](const uint8_t* fb, size_t len) {
				FUZZ_CHECK(len >= 20 && len % 4 == 0 && len <= TransportCcReceiver::kMaxFeedbackSize);
				FUZZ_CHECK(fb[1] == 205 && (fb[0] & 0x1f) == 15);
			});
		}
	}
	transportCc.SendFeedback(1, 2, feedback, [](const uint8_t*, size_t len) { FUZZ_CHECK(len % 4 == 0); });
	logging.Drain();
	return 0;
}
