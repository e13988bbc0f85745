// libFuzzer target: RTCP as it arrives from the network (decrypted), through the
// compound parser (RFC 3550 §6.1) and each packet class the engine reads, and back
// out through the classes' serializers where the engine writes that type.
//
// Input: the first byte picks how much of the rest is the datagram (the remainder
// drives a transport-cc feedback the engine would write). The datagram is parsed as a
// compound; for every packet the parser yields, of a kind we read:
//  - the class's Parse() accepts it (the parser already vetted it: IsWellFormed);
//  - Serialize() writes exactly GetSerializedSize() bytes (or 0 where the class may
//    refuse), and what it writes parses again, as a one-packet compound, to the same
//    kind; serializing that second parse gives the same bytes (the round trip is
//    stable);
//  - views never point outside the datagram.
// Then a TransportCcFeedback built from the remaining bytes (statuses, arrival deltas)
// is serialized with CountSerializable(); whatever it writes must parse as one
// well-formed transport-cc feedback packet of the written size.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "../src/cpp/engine/rtcp/FullIntraRequest.hpp"
#include "../src/cpp/engine/rtcp/GenericNack.hpp"
#include "../src/cpp/engine/rtcp/Goodbye.hpp"
#include "../src/cpp/engine/rtcp/PictureLossIndication.hpp"
#include "../src/cpp/engine/rtcp/ReceiverEstimatedMaxBitrate.hpp"
#include "../src/cpp/engine/rtcp/ReceiverReport.hpp"
#include "../src/cpp/engine/rtcp/RtcpCompoundParser.hpp"
#include "../src/cpp/engine/rtcp/SenderReport.hpp"
#include "../src/cpp/engine/rtcp/SourceDescription.hpp"
#include "../src/cpp/engine/rtcp/TransportCcFeedback.hpp"
#include "FuzzSupport.hpp"

using namespace mediaplane;

namespace {

// Parses `bytes` as a one-packet compound; returns its only view's kind, or Unknown
// with ok = false when the parser refuses it or finds more than one packet.
RtcpPacketKind ReparseKind(const uint8_t* bytes, size_t size, bool* ok) {
	RtcpCompoundParser parser;
	*ok = false;
	if (!parser.Parse(bytes, size)) return RtcpPacketKind::Unknown;
	size_t count = 0;
	RtcpPacketKind kind = RtcpPacketKind::Unknown;
	for (const RtcpPacketView& view : parser) {
		kind = view.GetKind();
		++count;
	}
	*ok = count == 1;
	return kind;
}

// Parse -> Serialize -> reparse -> Serialize again: checks the invariants above.
template <typename Packet>
void RoundTrip(const RtcpPacketView& view) {
	Packet first;
	FUZZ_CHECK(first.Parse(view));
	std::vector<uint8_t> out(first.GetSerializedSize() + 16);
	const size_t written = first.Serialize(out.data(), out.size());
	if (written == 0) return; // a class may refuse what it cannot write (e.g. too many items)
	FUZZ_CHECK(written == first.GetSerializedSize());
	bool ok = false;
	const RtcpPacketKind kind = ReparseKind(out.data(), written, &ok);
	FUZZ_CHECK(ok);
	FUZZ_CHECK(kind == view.GetKind());
	RtcpCompoundParser parser;
	FUZZ_CHECK(parser.Parse(out.data(), written));
	Packet second;
	FUZZ_CHECK(second.Parse(*parser.begin()));
	std::vector<uint8_t> again(second.GetSerializedSize() + 16);
	const size_t rewritten = second.Serialize(again.data(), again.size());
	FUZZ_CHECK(rewritten == written);
	FUZZ_CHECK(std::memcmp(out.data(), again.data(), written) == 0);
}

void CheckTransportCcWriter(fuzz::FuzzInput& input) {
	TransportCcFeedback feedback;
	feedback.senderSsrc = input.U32();
	feedback.mediaSsrc = input.U32();
	feedback.baseSequenceNumber = input.U16();
	feedback.feedbackPacketCount = input.U8();
	const size_t count = input.U8() + (static_cast<size_t>(input.U8() & 0x03) << 8); // up to 1023
	int64_t arrivalUs = static_cast<int64_t>(input.U32());
	for (size_t i = 0; i < count && !input.Empty(); ++i) {
		const uint8_t status = input.U8();
		TransportCcFeedback::PacketStatus packet;
		packet.received = (status & 0x01) != 0;
		if (packet.received) {
			// Deltas of any size and sign, some beyond what the format carries.
			const int16_t delta = static_cast<int16_t>(input.U16());
			arrivalUs += static_cast<int64_t>(delta) * ((status & 0x02) ? 250 : 4);
			packet.arrivalUs = arrivalUs;
		}
		feedback.packets.push_back(packet);
	}
	const size_t capacity = 64 + input.U16() % 1400;
	const size_t serializable = feedback.CountSerializable(capacity);
	FUZZ_CHECK(serializable <= feedback.packets.size());
	if (serializable == 0) return;
	std::vector<uint8_t> out(capacity);
	const size_t written = feedback.Serialize(out.data(), out.size(), serializable);
	FUZZ_CHECK(written <= capacity);
	if (written == 0) return;
	bool ok = false;
	const RtcpPacketKind kind = ReparseKind(out.data(), written, &ok);
	FUZZ_CHECK(ok);
	FUZZ_CHECK(kind == RtcpPacketKind::TransportCc);
	// The parser reads back what was written: same count, same received flags.
	TransportCcFeedback parsed;
	FUZZ_CHECK(parsed.Parse(out.data() + 4, written - 4));
	FUZZ_CHECK(parsed.packets.size() == serializable);
	for (size_t i = 0; i < serializable; ++i) FUZZ_CHECK(parsed.packets[i].received == feedback.packets[i].received);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
	if (size == 0) return 0;
	const size_t datagramSize = std::min<size_t>(size - 1, static_cast<size_t>(data[0]) * 8);
	// A copy of exactly the datagram, so that ASan sees any read past its end.
	std::vector<uint8_t> datagram(data + 1, data + 1 + datagramSize);

	RtcpCompoundParser parser;
	if (parser.Parse(datagram.data(), datagram.size())) {
		const uint8_t* begin = datagram.data();
		const uint8_t* end = begin + datagram.size();
		for (const RtcpPacketView& view : parser) {
			FUZZ_CHECK(view.GetData() >= begin && view.GetData() + view.GetSize() <= end);
			switch (view.GetKind()) {
				case RtcpPacketKind::SenderReport: RoundTrip<SenderReport>(view); break;
				case RtcpPacketKind::ReceiverReport: RoundTrip<ReceiverReport>(view); break;
				case RtcpPacketKind::SourceDescription: RoundTrip<SourceDescription>(view); break;
				case RtcpPacketKind::Goodbye: RoundTrip<Goodbye>(view); break;
				case RtcpPacketKind::GenericNack: RoundTrip<GenericNack>(view); break;
				case RtcpPacketKind::PictureLossIndication: RoundTrip<PictureLossIndication>(view); break;
				case RtcpPacketKind::FullIntraRequest: RoundTrip<FullIntraRequest>(view); break;
				case RtcpPacketKind::ReceiverEstimatedMaxBitrate: RoundTrip<ReceiverEstimatedMaxBitrate>(view); break;
				case RtcpPacketKind::TransportCc: {
					TransportCcFeedback feedback;
					if (feedback.Parse(view.GetBody(), view.GetBodySize())) FUZZ_CHECK(!feedback.packets.empty());
					break;
				}
				default: break; // opaque to the engine: never parsed further
			}
		}
	}
	fuzz::FuzzInput rest(data + 1 + datagramSize, size - 1 - datagramSize);
	CheckTransportCcWriter(rest);
	return 0;
}
