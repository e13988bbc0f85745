#include "TransportCcFeedback.hpp"

#include "RtcpWire.hpp"

namespace mediaplane {

namespace {

constexpr size_t kFixedSize = rtcp::kHeaderSize + rtcp::kFeedbackHeaderSize + 8;
constexpr uint8_t kNotReceived = 0;
constexpr uint8_t kSmallDelta = 1;
constexpr uint8_t kLargeDelta = 2;
constexpr size_t kMaxRunLength = 0x1fff;

// The reference time: the first received packet's arrival, in 64 ms units (24 bits
// on the wire; the sender only uses differences between feedback packets).
int64_t ReferenceUnits(int64_t arrivalUs) {
	int64_t units = arrivalUs / TransportCcFeedback::kReferenceTimeUnitUs;
	return arrivalUs < 0 && arrivalUs % TransportCcFeedback::kReferenceTimeUnitUs != 0 ? units - 1 : units;
}

// Symbols and deltas (in 250 us ticks) of the first `count` statuses; false if a delta
// does not fit 16 bits signed.
// The arrival of the first received packet among the first `count` (0 if none).
int64_t FirstArrivalUs(const std::vector<TransportCcFeedback::PacketStatus>& packets, size_t count) {
	for (size_t i = 0; i < count; ++i) {
		if (packets[i].received) return packets[i].arrivalUs;
	}
	return 0;
}

// The next delta, in 250 us ticks from *previousUs, rounded to the nearest tick;
// *previousUs advances by what was written so that rounding errors do not add up.
// False when it does not fit 16 bits signed.
bool NextDelta(int64_t arrivalUs, int64_t* previousUs, int32_t* ticks) {
	constexpr int64_t kUnit = TransportCcFeedback::kDeltaUnitUs;
	const int64_t t = arrivalUs >= *previousUs ? (arrivalUs - *previousUs + kUnit / 2) / kUnit
	                                           : -((*previousUs - arrivalUs + kUnit / 2) / kUnit);
	if (t < -32768 || t > 32767) return false;
	*previousUs += t * kUnit;
	*ticks = static_cast<int32_t>(t);
	return true;
}

// Symbols and deltas (in 250 us ticks) of the first `count` statuses; false if a delta
// does not fit 16 bits signed.
bool Encode(const std::vector<TransportCcFeedback::PacketStatus>& packets, size_t count, std::vector<uint8_t>* symbols,
            std::vector<int32_t>* deltas) {
	int64_t previousUs = ReferenceUnits(FirstArrivalUs(packets, count)) * TransportCcFeedback::kReferenceTimeUnitUs;
	for (size_t i = 0; i < count; ++i) {
		if (!packets[i].received) {
			symbols->push_back(kNotReceived);
			continue;
		}
		int32_t ticks;
		if (!NextDelta(packets[i].arrivalUs, &previousUs, &ticks)) return false;
		symbols->push_back(ticks >= 0 && ticks <= 255 ? kSmallDelta : kLargeDelta);
		deltas->push_back(ticks);
	}
	return true;
}

// Packs symbols into chunks: a run-length chunk for runs of 7 or more, otherwise a
// 1-bit vector of up to 14 symbols when they are all 0/1, else a 2-bit vector of 7.
void WriteChunks(const std::vector<uint8_t>& symbols, std::vector<uint16_t>* chunks) {
	size_t i = 0;
	while (i < symbols.size()) {
		size_t run = 1;
		while (i + run < symbols.size() && symbols[i + run] == symbols[i] && run < kMaxRunLength) ++run;
		if (run >= 7) {
			chunks->push_back(static_cast<uint16_t>((symbols[i] << 13) | run));
			i += run;
			continue;
		}
		size_t take = symbols.size() - i < 14 ? symbols.size() - i : 14;
		bool oneBit = true;
		for (size_t k = 0; k < take; ++k) oneBit = oneBit && symbols[i + k] <= kSmallDelta;
		uint16_t chunk;
		if (oneBit) {
			chunk = 0x8000;
			for (size_t k = 0; k < take; ++k) chunk |= static_cast<uint16_t>(symbols[i + k] << (13 - k));
		} else {
			take = symbols.size() - i < 7 ? symbols.size() - i : 7;
			chunk = 0xc000;
			for (size_t k = 0; k < take; ++k) chunk |= static_cast<uint16_t>(symbols[i + k] << (12 - 2 * k));
		}
		chunks->push_back(chunk);
		i += take;
	}
}

size_t SizeOf(const std::vector<uint16_t>& chunks, const std::vector<uint8_t>& symbols) {
	size_t size = kFixedSize + 2 * chunks.size();
	for (uint8_t symbol : symbols) size += symbol == kSmallDelta ? 1 : symbol == kLargeDelta ? 2 : 0;
	return (size + 3) & ~static_cast<size_t>(3);
}

} // namespace

size_t TransportCcFeedback::CountSerializable(size_t capacity) const {
	if (packets.empty() || capacity < kFixedSize + 8) return 0;
	// By size: a status costs at most 2 delta bytes and 2/7 of a chunk (a 2-bit vector),
	// plus one partial chunk and 3 bytes of padding in all, so this many always fit.
	size_t limit = (capacity - kFixedSize - 5) * 7 / 16;
	if (limit > packets.size()) limit = packets.size();
	if (limit > 0xffff) limit = 0xffff;
	// By deltas: up to the first one the format cannot carry (one pass, no allocation).
	int64_t previousUs = ReferenceUnits(FirstArrivalUs(packets, limit)) * kReferenceTimeUnitUs;
	for (size_t i = 0; i < limit; ++i) {
		int32_t ticks;
		if (packets[i].received && !NextDelta(packets[i].arrivalUs, &previousUs, &ticks)) return i;
	}
	return limit;
}

size_t TransportCcFeedback::Serialize(uint8_t* out, size_t capacity, size_t count) const {
	if (count == 0 || count > packets.size() || count > 0xffff) return 0;
	std::vector<uint8_t> symbols;
	std::vector<int32_t> deltas;
	std::vector<uint16_t> chunks;
	if (!Encode(packets, count, &symbols, &deltas)) return 0;
	WriteChunks(symbols, &chunks);
	const size_t size = SizeOf(chunks, symbols);
	if (size > capacity) return 0;

	rtcp::WriteHeader(out, rtcp::kFormatTransportCc, rtcp::kTypeTransportFeedback, size);
	rtcp::Write32(out + 4, senderSsrc);
	rtcp::Write32(out + 8, mediaSsrc);
	rtcp::Write16(out + 12, baseSequenceNumber);
	rtcp::Write16(out + 14, static_cast<uint16_t>(count));
	rtcp::Write24(out + 16, static_cast<uint32_t>(ReferenceUnits(FirstArrivalUs(packets, count))) & 0xffffff);
	out[19] = feedbackPacketCount;
	size_t pos = kFixedSize;
	for (uint16_t chunk : chunks) {
		rtcp::Write16(out + pos, chunk);
		pos += 2;
	}
	size_t d = 0;
	for (uint8_t symbol : symbols) {
		if (symbol == kSmallDelta) {
			out[pos++] = static_cast<uint8_t>(deltas[d++]);
		} else if (symbol == kLargeDelta) {
			rtcp::Write16(out + pos, static_cast<uint16_t>(static_cast<int16_t>(deltas[d++])));
			pos += 2;
		}
	}
	// Zero padding to the 32-bit boundary. libwebrtc writes the RTCP padding form (P
	// bit, last byte = count, RFC 3550 §6.4.1); a parser following the draft reads the
	// length and stops at the deltas, so the P bit is set too for both to agree.
	if (pos < size) {
		const size_t padding = size - pos;
		for (size_t k = 0; k < padding; ++k) out[pos + k] = 0;
		out[size - 1] = static_cast<uint8_t>(padding);
		out[0] |= 0x20;
	}
	return size;
}

bool TransportCcFeedback::Parse(const uint8_t* body, size_t bodySize) {
	// The feedback header (sender and media SSRC) and the 8 fixed bytes.
	constexpr size_t kFixedBody = rtcp::kFeedbackHeaderSize + 8;
	if (bodySize < kFixedBody) return false;
	senderSsrc = rtcp::Read32(body);
	mediaSsrc = rtcp::Read32(body + 4);
	baseSequenceNumber = rtcp::Read16(body + 8);
	const size_t statusCount = rtcp::Read16(body + 10);
	const uint32_t referenceUnits = rtcp::Read24(body + 12);
	feedbackPacketCount = body[15];
	packets.clear();
	if (statusCount == 0) return false;
	packets.reserve(statusCount);

	// Chunks until every status is described (the draft's §3.1.1-3.1.4).
	std::vector<uint8_t> symbols;
	symbols.reserve(statusCount);
	size_t pos = kFixedBody;
	while (symbols.size() < statusCount) {
		if (pos + 2 > bodySize) return false;
		const uint16_t chunk = rtcp::Read16(body + pos);
		pos += 2;
		const size_t left = statusCount - symbols.size();
		if ((chunk & 0x8000) == 0) {
			// Run length: 2-bit symbol, 13-bit run.
			const uint8_t symbol = static_cast<uint8_t>((chunk >> 13) & 0x3);
			const size_t run = chunk & 0x1fff;
			if (symbol == 3 || run == 0) return false;
			symbols.insert(symbols.end(), run < left ? run : left, symbol);
		} else if ((chunk & 0x4000) == 0) {
			// Status vector of fourteen 1-bit symbols.
			for (size_t k = 0; k < 14 && symbols.size() < statusCount; ++k) {
				symbols.push_back(static_cast<uint8_t>((chunk >> (13 - k)) & 0x1));
			}
		} else {
			// Status vector of seven 2-bit symbols.
			for (size_t k = 0; k < 7 && symbols.size() < statusCount; ++k) {
				const uint8_t symbol = static_cast<uint8_t>((chunk >> (12 - 2 * k)) & 0x3);
				if (symbol == 3) return false;
				symbols.push_back(symbol);
			}
		}
	}

	// Deltas, one per received packet: 1 byte unsigned or 2 bytes signed, in 250 us.
	int64_t arrivalUs = static_cast<int64_t>(referenceUnits) * kReferenceTimeUnitUs;
	for (uint8_t symbol : symbols) {
		PacketStatus status;
		if (symbol == kSmallDelta) {
			if (pos + 1 > bodySize) return false;
			arrivalUs += static_cast<int64_t>(body[pos]) * kDeltaUnitUs;
			pos += 1;
			status.received = true;
			status.arrivalUs = arrivalUs;
		} else if (symbol == kLargeDelta) {
			if (pos + 2 > bodySize) return false;
			arrivalUs += static_cast<int64_t>(static_cast<int16_t>(rtcp::Read16(body + pos))) * kDeltaUnitUs;
			pos += 2;
			status.received = true;
			status.arrivalUs = arrivalUs;
		}
		packets.push_back(status);
	}
	return true;
}

} // namespace mediaplane
