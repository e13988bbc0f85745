// Unit tests for the per-stream RTP machinery in src/cpp/engine/rtp: sequence number
// arithmetic and the RFC 3550 A.1 tracker, NackGenerator, RetransmissionBuffer,
// RtpStreamRecv and RtpStreamSend. Everything is sans-I/O, so time is just a number
// passed in; expected values come from the RFC formulas worked by hand.

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <tuple>
#include <vector>

#include "check.hpp"

#include "rtcp/NtpTimestamp.hpp"
#include "rtcp/ReportBlock.hpp"
#include "rtcp/SenderReport.hpp"
#include "rtp/NackGenerator.hpp"
#include "rtp/RetransmissionBuffer.hpp"
#include "rtp/RtpPacket.hpp"
#include "rtp/RtpStreamRecv.hpp"
#include "rtp/RtpStreamScore.hpp"
#include "rtp/RtpStreamSend.hpp"
#include "rtp/SeqNumbers.hpp"
#include "rtp/SharedPacketBytes.hpp"

using namespace mediaplane;

namespace {

using Bytes = std::vector<uint8_t>;
using SeqList = std::vector<uint16_t>;

void Put16(uint8_t* at, uint16_t v) {
	at[0] = static_cast<uint8_t>(v >> 8);
	at[1] = static_cast<uint8_t>(v);
}

void Put32(uint8_t* at, uint32_t v) {
	at[0] = static_cast<uint8_t>(v >> 24);
	at[1] = static_cast<uint8_t>(v >> 16);
	at[2] = static_cast<uint8_t>(v >> 8);
	at[3] = static_cast<uint8_t>(v);
}

uint16_t Get16(const uint8_t* at) {
	return static_cast<uint16_t>((at[0] << 8) | at[1]);
}

// A plain RTP packet: 12-byte header, `payloadLength` bytes of payload (byte i = i + seq).
Bytes MakeRtp(uint16_t seq, uint32_t ts, uint32_t ssrc, size_t payloadLength = 100, uint8_t pt = 96) {
	Bytes bytes(12 + payloadLength);
	bytes[0] = 0x80;
	bytes[1] = pt;
	Put16(&bytes[2], seq);
	Put32(&bytes[4], ts);
	Put32(&bytes[8], ssrc);
	for (size_t i = 0; i < payloadLength; ++i) bytes[12 + i] = static_cast<uint8_t>(i + seq);
	return bytes;
}

// A packet with a one-byte extension block: mid (id 1, "v0") and twcc (id 3, 2 bytes),
// the marker set, and `padding` bytes of RTP padding.
Bytes MakeRtpWithExtensions(uint16_t seq, uint32_t ts, uint32_t ssrc, size_t payloadLength, uint8_t padding) {
	Bytes bytes;
	bytes.push_back(static_cast<uint8_t>(0x90 | (padding ? 0x20 : 0)));
	bytes.push_back(0x80 | 96);
	bytes.resize(12);
	Put16(&bytes[2], seq);
	Put32(&bytes[4], ts);
	Put32(&bytes[8], ssrc);
	const uint8_t block[] = { 0xBE, 0xDE, 0x00, 0x02, 0x11, 'v', '0', 0x31, 0x12, 0x34, 0x00, 0x00 };
	bytes.insert(bytes.end(), block, block + sizeof(block));
	for (size_t i = 0; i < payloadLength; ++i) bytes.push_back(static_cast<uint8_t>(0xa0 + i));
	for (uint8_t i = 1; i < padding; ++i) bytes.push_back(0);
	if (padding) bytes.push_back(padding);
	return bytes;
}

// Feeds one packet to a receive stream; its verdict.
RtpStreamRecv::Verdict ReceiveVerdict(RtpStreamRecv& stream, uint16_t seq, uint32_t ts, uint64_t nowMs, bool rtx = false,
                                      size_t payload = 100) {
	Bytes bytes = MakeRtp(seq, ts, 0x1234, payload);
	RtpPacket packet;
	if (!packet.Parse(bytes.data(), bytes.size())) throw std::runtime_error("unparsable test packet");
	return stream.ReceivePacket(packet, nowMs, rtx);
}

// Feeds one packet to a receive stream; whether it is forwarded.
bool Receive(RtpStreamRecv& stream, uint16_t seq, uint32_t ts, uint64_t nowMs, bool rtx = false, size_t payload = 100) {
	const RtpStreamRecv::Verdict verdict = ReceiveVerdict(stream, seq, ts, nowMs, rtx, payload);
	return verdict == RtpStreamRecv::Verdict::Forward || verdict == RtpStreamRecv::Verdict::Restart;
}

struct RecordingRecvListener : RtpStreamRecv::Listener {
	std::vector<uint8_t> scores;
	int keyFrames = 0;
	void OnRtpStreamRecvScore(RtpStreamRecv&, uint8_t score, uint8_t) override { scores.push_back(score); }
	void OnRtpStreamRecvKeyFrameRequired(RtpStreamRecv&) override { ++keyFrames; }
};

struct RecordingSendListener : RtpStreamSend::Listener {
	std::vector<uint8_t> scores;
	void OnRtpStreamSendScore(RtpStreamSend&, uint8_t score, uint8_t) override { scores.push_back(score); }
};

struct RecordingRetransmitter : RtpStreamSend::Retransmitter {
	std::vector<Bytes> packets;
	std::vector<RtpStreamSend::RetransmittedPacket> originals;
	size_t lastCapacity = 0;
	bool refuse = false; // as a transport whose retransmission budget is spent
	bool RetransmitRtpPacket(uint8_t* packet, size_t len, size_t capacity,
	                         const RtpStreamSend::RetransmittedPacket& original) override {
		if (refuse) return false;
		packets.emplace_back(packet, packet + len);
		originals.push_back(original);
		lastCapacity = capacity;
		// The transport protects in place: scribble over it to prove the stored copy is apart.
		std::memset(packet, 0xee, len);
		return true;
	}
};

} // namespace

// ---------------------------------------------------------------------------------------
// SeqNumbers

TEST(serial_comparison_16_bit) {
	CHECK(IsSeqNewer(1, 0));
	CHECK(!IsSeqNewer(0, 1));
	CHECK(!IsSeqNewer(5, 5));
	CHECK(IsSeqNewer(0, 65535)); // wrap
	CHECK(IsSeqNewer(10, 65530));
	CHECK(!IsSeqNewer(65530, 10));
	CHECK(IsSeqNewer(0x7fff, 0));
	// Exactly half the space apart: undefined in RFC 1982, neither is newer here.
	CHECK(!IsSeqNewer(0x8000, 0));
	CHECK(!IsSeqNewer(0, 0x8000));
	CHECK_EQ(SeqDiff(1, 65535), 2);
	CHECK_EQ(SeqDiff(65535, 1), -2);
	CHECK_EQ(SeqDiff(100, 100), 0);
	CHECK_EQ(SeqDiff(0x7fff, 0), 0x7fff);
	CHECK_EQ(SeqDiff(0x8000, 0), -0x8000);
}

TEST(serial_comparison_32_bit) {
	CHECK(IsTimestampNewer(1, 0));
	CHECK(IsTimestampNewer(5, 0xfffffff0u));
	CHECK(!IsTimestampNewer(0xfffffff0u, 5));
	CHECK(!IsTimestampNewer(0x80000000u, 0));
	CHECK(!IsTimestampNewer(0, 0x80000000u));
	CHECK_EQ(TimestampDiff(5, 0xfffffff0u), 21);
	CHECK_EQ(TimestampDiff(0xfffffff0u, 5), -21);
}

// RtpSequenceValidator (RFC 3550 A.1) is tested in rtp_sequence_validator.test.cpp.

// ---------------------------------------------------------------------------------------
// NackGenerator

TEST(nack_nothing_missing_costs_nothing) {
	NackGenerator nack;
	for (uint16_t s = 65000; s != 200; ++s) CHECK_EQ(nack.ReceivePacket(s, false, 1000), NackGenerator::PacketResult::New);
	CHECK(nack.GetNackList(1000).empty());
	CHECK_EQ(nack.NextTimeoutMs(1000), UINT64_MAX);
	CHECK_EQ(nack.GetMissingCount(), 0);
}

TEST(nack_requests_a_gap_at_once_then_every_rtt) {
	NackGenerator nack;
	nack.ReceivePacket(1, false, 1000);
	nack.ReceivePacket(2, false, 1000);
	CHECK_EQ(nack.ReceivePacket(5, false, 1010), NackGenerator::PacketResult::New);
	CHECK_EQ(nack.GetMissingCount(), 2);
	CHECK(nack.IsMissing(3));
	CHECK(nack.IsMissing(4));
	CHECK(!nack.IsMissing(5));
	CHECK_EQ(nack.NextTimeoutMs(1010), 1010);
	CHECK_EQ(nack.GetNackList(1010), (SeqList{ 3, 4 }));
	// Not again before a round trip (default 100 ms).
	CHECK(nack.GetNackList(1010).empty());
	CHECK(nack.GetNackList(1109).empty());
	CHECK_EQ(nack.NextTimeoutMs(1050), 1110);
	CHECK_EQ(nack.GetNackList(1110), (SeqList{ 3, 4 }));
	// A measured RTT shortens the interval, but never below 20 ms.
	nack.SetRtt(5);
	CHECK(nack.GetNackList(1129).empty());
	CHECK_EQ(nack.GetNackList(1130), (SeqList{ 3, 4 }));
	nack.SetRtt(40);
	CHECK_EQ(nack.NextTimeoutMs(1131), 1170);
}

TEST(nack_recovered_packets_leave_the_list) {
	NackGenerator nack;
	nack.ReceivePacket(10, false, 0);
	nack.ReceivePacket(15, false, 0); // 11..14 missing
	CHECK_EQ(nack.GetNackList(0), (SeqList{ 11, 12, 13, 14 }));
	CHECK_EQ(nack.ReceivePacket(12, true, 50), NackGenerator::PacketResult::Repaired);
	CHECK_EQ(nack.ReceivePacket(14, false, 50), NackGenerator::PacketResult::Late);
	CHECK_EQ(nack.ReceivePacket(14, true, 60), NackGenerator::PacketResult::Old); // the RTX after the late original
	CHECK_EQ(nack.ReceivePacket(10, false, 60), NackGenerator::PacketResult::Old);
	CHECK_EQ(nack.ReceivePacket(15, false, 60), NackGenerator::PacketResult::Old);
	CHECK_EQ(nack.GetMissingCount(), 2);
	CHECK_EQ(nack.GetNackList(100), (SeqList{ 11, 13 }));
	nack.ReceivePacket(11, true, 120);
	nack.ReceivePacket(13, true, 120);
	CHECK_EQ(nack.GetMissingCount(), 0);
	CHECK_EQ(nack.GetGivenUpCount(), 0);
	CHECK(nack.GetNackList(500).empty());
}

TEST(nack_gap_across_the_wrap) {
	NackGenerator nack;
	nack.ReceivePacket(65533, false, 0);
	nack.ReceivePacket(2, false, 0); // 65534, 65535, 0, 1 missing
	CHECK_EQ(nack.GetNackList(0), (SeqList{ 65534, 65535, 0, 1 }));
	CHECK_EQ(nack.ReceivePacket(0, true, 10), NackGenerator::PacketResult::Repaired);
	CHECK_EQ(nack.ReceivePacket(65535, true, 10), NackGenerator::PacketResult::Repaired);
	CHECK(!nack.IsMissing(0));
	CHECK(nack.IsMissing(65534));
	CHECK(nack.IsMissing(1));
	CHECK_EQ(nack.GetMissingCount(), 2);
}

TEST(nack_gives_up_after_max_retries) {
	NackGenerator nack;
	nack.SetRtt(0); // interval 20 ms
	nack.ReceivePacket(1, false, 0);
	nack.ReceivePacket(3, false, 0);
	size_t requests = 0;
	uint64_t now = 0;
	while (now < 2000) {
		if (!nack.GetNackList(now).empty()) ++requests;
		uint64_t next = nack.NextTimeoutMs(now);
		if (next == UINT64_MAX) break;
		CHECK_GE(next, now);
		now = next > now ? next : now + 1;
	}
	CHECK_EQ(requests, NackGenerator::kMaxRetries);
	CHECK_EQ(nack.GetMissingCount(), 0);
	CHECK_EQ(nack.GetGivenUpCount(), 1);
	// Given up after the last request had one interval to be answered: 10 requests at
	// 0, 20, ... 180, dropped at 200.
	CHECK_EQ(now, 200);
}

TEST(nack_gives_up_after_max_age) {
	NackGenerator nack;
	nack.SetRtt(300); // 300 ms between requests: the age limit comes first
	nack.ReceivePacket(1, false, 0);
	nack.ReceivePacket(3, false, 0);
	CHECK_EQ(nack.GetNackList(0), (SeqList{ 2 }));
	CHECK_EQ(nack.GetNackList(300), (SeqList{ 2 }));
	CHECK_EQ(nack.GetNackList(600), (SeqList{ 2 }));
	CHECK_EQ(nack.GetNackList(900), (SeqList{ 2 }));
	CHECK_EQ(nack.NextTimeoutMs(900), 1000);
	CHECK(nack.GetNackList(1000).empty());
	CHECK_EQ(nack.GetMissingCount(), 0);
	CHECK_EQ(nack.GetGivenUpCount(), 1);
	CHECK_EQ(nack.ReceivePacket(2, true, 1001), NackGenerator::PacketResult::Old);
}

TEST(nack_too_many_missing_asks_for_a_key_frame) {
	NackGenerator nack;
	nack.ReceivePacket(0, false, 0);
	CHECK_EQ(nack.ReceivePacket(1001, false, 0), NackGenerator::PacketResult::New); // exactly 1000 missing
	CHECK_EQ(nack.GetMissingCount(), 1000);
	CHECK_EQ(nack.ReceivePacket(1003, false, 0), NackGenerator::PacketResult::KeyFrameRequired);
	CHECK_EQ(nack.GetMissingCount(), 0);
	CHECK_EQ(nack.GetGivenUpCount(), 1001);
	CHECK(nack.GetNackList(0).empty());
	// A fresh start from the new highest.
	CHECK_EQ(nack.ReceivePacket(1005, false, 10), NackGenerator::PacketResult::New);
	CHECK_EQ(nack.GetNackList(10), (SeqList{ 1004 }));
	// One hole bigger than the limit on its own.
	CHECK_EQ(nack.ReceivePacket(5000, false, 20), NackGenerator::PacketResult::KeyFrameRequired);
	CHECK_EQ(nack.GetMissingCount(), 0);
}

TEST(nack_steady_state_does_not_allocate) {
	NackGenerator nack;
	uint64_t now = 0;
	uint16_t seq = 60000;
	nack.ReceivePacket(seq, false, now);
	// Warm up with one gap, then record the buffers' addresses.
	seq = static_cast<uint16_t>(seq + 2);
	nack.ReceivePacket(seq, false, now);
	const SeqList* list = &nack.GetNackList(now);
	const uint16_t* listData = list->data();
	const size_t listCapacity = list->capacity();
	// 20 000 packets at 1 per ms, every 10th lost and half of those repaired.
	for (int i = 0; i < 20000; ++i) {
		now += 1;
		seq = static_cast<uint16_t>(seq + 1);
		if (i % 10 == 0) continue;
		nack.ReceivePacket(seq, false, now);
		if (i % 20 == 1) nack.ReceivePacket(static_cast<uint16_t>(seq - 1), true, now);
		const SeqList& current = nack.GetNackList(now);
		CHECK_EQ(current.data(), listData);
		if (current.data() != listData) break;
	}
	CHECK_EQ(nack.GetNackList(now).capacity(), listCapacity);
	CHECK_LE(nack.GetMissingCount(), 100); // half the losses, given up after a second
	CHECK_GT(nack.GetGivenUpCount(), 0);
}

TEST(nack_reset_forgets_everything) {
	NackGenerator nack;
	nack.ReceivePacket(1, false, 0);
	nack.ReceivePacket(10, false, 0);
	nack.Reset();
	CHECK_EQ(nack.GetMissingCount(), 0);
	CHECK_EQ(nack.NextTimeoutMs(0), UINT64_MAX);
	CHECK_EQ(nack.ReceivePacket(5, false, 0), NackGenerator::PacketResult::New);
	CHECK(nack.GetNackList(0).empty());
}

// ---------------------------------------------------------------------------------------
// RetransmissionBuffer

TEST(retransmission_buffer_allocates_on_first_store) {
	RetransmissionBuffer buffer(1000);
	CHECK_EQ(buffer.GetMaxCapacity(), 1024);
	CHECK_EQ(buffer.GetCapacity(), 0);
	CHECK_EQ(buffer.GetMemoryBytes(), 0);
	CHECK(buffer.Get(5, 0) == nullptr);
	buffer.MarkResent(5, 0); // harmless
	buffer.Clear();
	CHECK_EQ(buffer.GetMemoryBytes(), 0);
	Bytes packet = MakeRtp(5, 0, 1);
	CHECK(buffer.Store(packet.data(), packet.size(), 5, 100));
	CHECK_GT(buffer.GetMemoryBytes(), 0);
}

TEST(retransmission_buffer_stores_and_returns_copies) {
	RetransmissionBuffer buffer(1000);
	Bytes packet = MakeRtp(700, 1234, 0xabcd, 1100);
	CHECK(buffer.Store(packet.data(), packet.size(), 700, 1000));
	Bytes original = packet;
	packet.assign(packet.size(), 0); // the caller's buffer is reused
	const RetransmissionBuffer::Stored* stored = buffer.Get(700, 1500);
	REQUIRE(stored != nullptr);
	Bytes copy(stored->GetLength());
	stored->CopyTo(copy.data());
	CHECK_BYTES_EQ(copy.data(), copy.size(), original.data(), original.size());
	CHECK_EQ(stored->storedAtMs, 1000);
	CHECK_EQ(stored->resendCount, 0);
	CHECK(buffer.Get(701, 1500) == nullptr);
	CHECK(buffer.Get(static_cast<uint16_t>(700 + 1024), 1500) == nullptr); // same slot, other seq
	buffer.MarkResent(700, 1600);
	buffer.MarkResent(700, 1700);
	stored = buffer.Get(700, 1700);
	REQUIRE(stored != nullptr);
	CHECK_EQ(stored->resendCount, 2);
	CHECK_EQ(stored->lastResentMs, 1700);
}

TEST(retransmission_buffer_bounded_by_count_and_age) {
	RetransmissionBuffer buffer(1000, 2000);
	for (uint32_t i = 0; i < 1100; ++i) {
		const uint16_t seq = static_cast<uint16_t>(65000 + i); // wraps
		Bytes packet = MakeRtp(seq, 0, 1, 50);
		CHECK(buffer.Store(packet.data(), packet.size(), seq, 10 + i));
	}
	// The oldest 1100 - 1024 were overwritten.
	CHECK(buffer.Get(65000, 1200) == nullptr);
	CHECK(buffer.Get(static_cast<uint16_t>(65000 + 75), 1200) == nullptr);
	CHECK(buffer.Get(static_cast<uint16_t>(65000 + 76), 1200) != nullptr);
	CHECK(buffer.Get(static_cast<uint16_t>(65000 + 1099), 1200) != nullptr);
	// Age: stored at 10 + 76 = 86; still there at 2086, gone after.
	CHECK(buffer.Get(static_cast<uint16_t>(65000 + 76), 2086) != nullptr);
	CHECK(buffer.Get(static_cast<uint16_t>(65000 + 76), 2087) == nullptr);
	buffer.Clear();
	CHECK(buffer.Get(static_cast<uint16_t>(65000 + 1099), 1200) == nullptr);
}

TEST(retransmission_buffer_rejects_empty_and_oversized) {
	RetransmissionBuffer buffer(16);
	Bytes big(RetransmissionBuffer::kMaxPacketLength + 1, 0x80);
	CHECK(!buffer.Store(big.data(), big.size(), 1, 0));
	CHECK(!buffer.Store(big.data(), 0, 1, 0));
	CHECK(buffer.Get(1, 0) == nullptr);
	CHECK(buffer.Store(big.data(), RetransmissionBuffer::kMaxPacketLength, 1, 0));
	CHECK(buffer.Get(1, 0) != nullptr);
	// Odd sizes round up to a power of two; the maximum is half the sequence space.
	CHECK_EQ(RetransmissionBuffer(1).GetMaxCapacity(), 1);
	CHECK_EQ(RetransmissionBuffer(600).GetMaxCapacity(), 1024);
	CHECK_EQ(RetransmissionBuffer(100000).GetMaxCapacity(), 32768);
}

TEST(retransmission_buffer_reuses_slot_storage) {
	RetransmissionBuffer buffer(64);
	Bytes packet = MakeRtp(0, 0, 1, 1188);
	for (uint16_t seq = 0; seq < 64; ++seq) buffer.Store(packet.data(), packet.size(), seq, 0);
	std::vector<const uint8_t*> addresses;
	for (uint16_t seq = 0; seq < 64; ++seq) addresses.push_back(buffer.Get(seq, 0)->GetHeadData());
	const size_t memory = buffer.GetMemoryBytes();
	// Sizes vary around the warmed-up size; no slot moves.
	for (uint16_t seq = 64; seq < 64 * 50; ++seq) {
		Bytes other = MakeRtp(seq, 0, 1, 900 + seq % 300);
		buffer.Store(other.data(), other.size(), seq, 0);
		CHECK_EQ(buffer.Get(seq, 0)->GetHeadData(), addresses[seq % 64]);
	}
	CHECK_EQ(buffer.GetMemoryBytes(), memory);
}

TEST(retransmission_buffer_grows_to_what_the_stream_sends_within_the_age) {
	// 150 packets/s for 10 s with a 2 s age: about 300 packets are young at any time,
	// so the ring settles at 512 slots, and every packet of the last 2 s is there.
	RetransmissionBuffer buffer(1000, 2000);
	Bytes packet = MakeRtp(0, 0, 1, 100);
	uint64_t now = 0;
	for (uint32_t i = 0; i < 1500; ++i) {
		now = i * 1000 / 150;
		CHECK(buffer.Store(packet.data(), packet.size(), static_cast<uint16_t>(i), now));
	}
	CHECK_EQ(buffer.GetCapacity(), 512);
	for (uint32_t i = 1500 - 290; i < 1500; ++i) {
		if (buffer.Get(static_cast<uint16_t>(i), now) == nullptr) {
			CHECK(!"a packet younger than the age is missing");
			break;
		}
	}
	// 50 packets/s (audio): 128 slots.
	RetransmissionBuffer audio(1000, 2000);
	for (uint32_t i = 0; i < 500; ++i) audio.Store(packet.data(), packet.size(), static_cast<uint16_t>(i), i * 20);
	CHECK_EQ(audio.GetCapacity(), 128);
	// Never beyond the maximum.
	RetransmissionBuffer capped(100, 2000);
	for (uint32_t i = 0; i < 1000; ++i) capped.Store(packet.data(), packet.size(), static_cast<uint16_t>(i), i);
	CHECK_EQ(capped.GetCapacity(), 128);
}

TEST(retransmission_buffers_share_a_tail_and_keep_their_own_heads) {
	// Two consumers forward one producer packet: their headers differ, the payload
	// after the first bytes is the same and is held once.
	Bytes payload(1100);
	for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<uint8_t>(i * 7);
	const size_t offset = 16;
	const size_t freeBefore = SharedPacketBytes::GetFreeBlockCount();
	SharedPacketBytes tail = SharedPacketBytes::Copy(payload.data() + offset, payload.size() - offset);
	RetransmissionBuffer a(64);
	RetransmissionBuffer b(64);
	Bytes packetA = MakeRtp(10, 1000, 0xaaaa, 0);
	packetA.insert(packetA.end(), payload.begin(), payload.end());
	Bytes packetB = MakeRtp(77, 5000, 0xbbbb, 0);
	packetB.insert(packetB.end(), payload.begin(), payload.end());
	packetB[12] = 0x42; // a rewritten descriptor byte, before the shared part
	CHECK(a.Store(packetA.data(), packetA.size(), 10, 0, &tail));
	CHECK(b.Store(packetB.data(), packetB.size(), 77, 0, &tail));
	CHECK_EQ(tail.GetRefCount(), 3u);
	CHECK_LT(a.GetMemoryBytes(), 64u * 200); // heads only, not 64 whole packets
	tail.Reset(); // the producer side lets go; the buffers still hold it
	for (auto [buffer, seq, expected] : { std::tuple{ &a, 10, &packetA }, std::tuple{ &b, 77, &packetB } }) {
		const RetransmissionBuffer::Stored* stored = buffer->Get(static_cast<uint16_t>(seq), 0);
		REQUIRE(stored != nullptr);
		CHECK_EQ(stored->GetLength(), expected->size());
		Bytes copy(stored->GetLength());
		stored->CopyTo(copy.data());
		CHECK_BYTES_EQ(copy.data(), copy.size(), expected->data(), expected->size());
	}
	// Overwriting and clearing drop the references; the block goes back to the pool.
	Bytes small = MakeRtp(74, 0, 0xaaaa, 20);
	CHECK(a.Store(small.data(), small.size(), 74, 0)); // same slot as 10 (64 slots)
	b.Clear();
	CHECK_EQ(SharedPacketBytes::GetFreeBlockCount(), freeBefore + 1);
	// A tail longer than the packet is ignored (the whole packet is kept).
	SharedPacketBytes big = SharedPacketBytes::Copy(payload.data(), payload.size());
	CHECK(a.Store(small.data(), small.size(), 75, 0, &big));
	CHECK_EQ(a.Get(75, 0)->GetLength(), small.size());
	CHECK(a.Get(75, 0)->tail.IsEmpty());
}

// ---------------------------------------------------------------------------------------
// RtpStreamRecv

TEST(recv_counts_and_report_block_loss) {
	RtpStreamRecv::Params params;
	params.ssrc = 0x1234;
	params.useNack = true; // late packets 150 behind count as reordered, not as a jump
	RtpStreamRecv stream(params);
	ReportBlock block;
	CHECK(!stream.FillReportBlock(block, 0)); // nothing received yet
	// 100..199 with 150..159 lost.
	for (uint16_t seq = 100; seq < 200; ++seq) {
		if (seq >= 150 && seq < 160) continue;
		CHECK(Receive(stream, seq, seq * 3000u, seq * 33u));
	}
	REQUIRE(stream.FillReportBlock(block, 7000));
	CHECK_EQ(block.ssrc, 0x1234u);
	CHECK_EQ(block.cumulativeLost, 10);
	CHECK_EQ(block.fractionLost, 10 * 256 / 100); // 25
	CHECK_EQ(block.highestSequenceNumber, 199u);
	CHECK_EQ(block.lastSenderReport, 0u);
	CHECK_EQ(block.delaySinceLastSenderReport, 0u);
	// Next interval: 200..299, of which 5 lost; then 2 of the old ones arrive late.
	for (uint16_t seq = 200; seq < 300; ++seq) {
		if (seq % 20 == 0) continue;
		Receive(stream, seq, seq * 3000u, seq * 33u);
	}
	Receive(stream, 150, 150 * 3000u, 10000);
	Receive(stream, 151, 151 * 3000u, 10000);
	REQUIRE(stream.FillReportBlock(block, 10000));
	CHECK_EQ(block.cumulativeLost, 13);
	CHECK_EQ(block.fractionLost, 3 * 256 / 100); // 5 lost - 2 late in 100 expected
	// An interval with more late arrivals than losses reports 0, not a negative fraction.
	for (uint16_t seq = 152; seq < 160; ++seq) Receive(stream, seq, seq * 3000u, 10100);
	REQUIRE(stream.FillReportBlock(block, 10200));
	CHECK_EQ(block.fractionLost, 0);
	CHECK_EQ(block.cumulativeLost, 5);

	RtpStreamRecv::Stats stats = stream.GetStats(10200);
	CHECK_EQ(stats.ssrc, 0x1234u);
	CHECK_EQ(stats.packetCount, 90u + 95u + 10u);
	CHECK_EQ(stats.byteCount, stats.packetCount * 112u);
	CHECK_EQ(stats.packetsLost, 5);
	CHECK_EQ(stats.packetsRetransmitted, 0);
	CHECK(!stats.hasRoundTripTime);
}

TEST(recv_report_block_wraps_and_clamps) {
	RtpStreamRecv::Params params;
	RtpStreamRecv stream(params);
	uint16_t seq = 65500;
	for (int i = 0; i < 100; ++i) Receive(stream, seq++, 0, 0);
	ReportBlock block;
	REQUIRE(stream.FillReportBlock(block, 0));
	CHECK_EQ(block.highestSequenceNumber, 0x10000u + 63);
	// Duplicates: negative cumulative loss is reported as such.
	Receive(stream, 60, 0, 0);
	Receive(stream, 61, 0, 0);
	REQUIRE(stream.FillReportBlock(block, 0));
	CHECK_EQ(block.cumulativeLost, -2);
	CHECK_EQ(block.fractionLost, 0);
}

TEST(recv_lsr_and_dlsr) {
	RtpStreamRecv stream(RtpStreamRecv::Params{});
	Receive(stream, 1, 0, 900);
	stream.ReceiveSenderReport(0x12345678, 1000);
	ReportBlock block;
	REQUIRE(stream.FillReportBlock(block, 1500));
	CHECK_EQ(block.lastSenderReport, 0x12345678u);
	CHECK_EQ(block.delaySinceLastSenderReport, 32768u); // 0.5 s in 1/65536 s
	REQUIRE(stream.FillReportBlock(block, 3000));
	CHECK_EQ(block.delaySinceLastSenderReport, 2u * 65536u);
}

TEST(recv_jitter_zero_for_a_steady_stream) {
	RtpStreamRecv::Params params;
	params.clockRate = 90000;
	RtpStreamRecv stream(params);
	// 50 packets per second, 1800 RTP units apart, arriving exactly 20 ms apart.
	for (uint16_t i = 0; i < 200; ++i) Receive(stream, i, 5000u + i * 1800u, 1000u + i * 20u);
	CHECK_EQ(stream.GetJitter(), 0u);
}

TEST(recv_jitter_follows_rfc3550_estimator) {
	RtpStreamRecv::Params params;
	params.clockRate = 90000;
	RtpStreamRecv stream(params);
	// Every other packet arrives 10 ms (900 units) late: |D| = 900 for every pair, so
	// J converges to 900 (J += (|D| - J) / 16).
	for (uint16_t i = 0; i < 400; ++i) Receive(stream, i, i * 1800u, 1000u + i * 20u + (i % 2 ? 10u : 0u));
	CHECK_GE(stream.GetJitter(), 890u);
	CHECK_LE(stream.GetJitter(), 900u);
	// After one step, exactly 900/16 (worked by hand).
	RtpStreamRecv fresh(params);
	Receive(fresh, 0, 0, 1000);
	Receive(fresh, 1, 1800, 1030);
	CHECK_EQ(fresh.GetJitter(), 900u / 16u);
	// Retransmissions do not count.
	Receive(fresh, 2, 3600, 5000, true);
	CHECK_EQ(fresh.GetJitter(), 900u / 16u);
	ReportBlock block;
	REQUIRE(fresh.FillReportBlock(block, 5000));
	CHECK_EQ(block.jitter, 900u / 16u);
}

TEST(recv_nack_list_and_repairs) {
	RtpStreamRecv::Params params;
	params.useNack = true;
	RecordingRecvListener listener;
	RtpStreamRecv stream(params, &listener);
	CHECK(Receive(stream, 10, 0, 0));
	CHECK(stream.GetNackList(0).empty());
	CHECK(Receive(stream, 14, 0, 5));
	CHECK_EQ(stream.NextTimeoutMs(5), 5);
	CHECK_EQ(stream.GetNackList(5), (SeqList{ 11, 12, 13 }));
	CHECK(stream.GetNackList(6).empty());
	CHECK_EQ(stream.NextTimeoutMs(6), 105);
	stream.SetRtt(30);
	CHECK_EQ(stream.GetNackList(35), (SeqList{ 11, 12, 13 }));
	CHECK(Receive(stream, 12, 0, 40, true));  // repaired
	CHECK(!Receive(stream, 12, 0, 41, true)); // a second RTX of it: discarded
	CHECK(Receive(stream, 11, 0, 42, false)); // late original
	CHECK(!Receive(stream, 11, 0, 43, true)); // its RTX: discarded
	CHECK(Receive(stream, 10, 0, 44, false)); // a duplicate original is still forwarded
	CHECK_EQ(stream.GetNackList(65), (SeqList{ 13 }));
	RtpStreamRecv::Stats stats = stream.GetStats(70);
	CHECK_EQ(stats.nackCount, 3);
	CHECK_EQ(stats.nackPacketCount, 7);
	CHECK_EQ(stats.packetsRepaired, 1);
	CHECK_EQ(stats.packetsRetransmitted, 3);
	CHECK_EQ(stats.packetsDiscarded, 2);
	CHECK(stats.hasRoundTripTime);
	CHECK_EQ(stats.roundTripTime, 30);
	CHECK_EQ(listener.keyFrames, 0);
	stream.CountPli();
	stream.CountFir();
	stream.CountPli();
	stats = stream.GetStats(70);
	CHECK_EQ(stats.pliCount, 2);
	CHECK_EQ(stats.firCount, 1);
}

TEST(recv_without_nack_has_no_list) {
	RtpStreamRecv stream(RtpStreamRecv::Params{});
	Receive(stream, 1, 0, 0);
	Receive(stream, 5, 0, 0);
	CHECK(stream.GetNackList(0).empty());
	CHECK_EQ(stream.NextTimeoutMs(0), UINT64_MAX);
	CHECK(Receive(stream, 3, 0, 0, true)); // nothing to compare with: accepted
}

TEST(recv_large_hole_requests_a_key_frame) {
	RtpStreamRecv::Params params;
	params.useNack = true;
	RecordingRecvListener listener;
	RtpStreamRecv stream(params, &listener);
	Receive(stream, 0, 0, 0);
	Receive(stream, 1500, 0, 10);
	CHECK_EQ(listener.keyFrames, 1);
	CHECK(stream.GetNackList(10).empty());
}

TEST(recv_jump_is_held_until_confirmed) {
	RtpStreamRecv::Params params;
	params.useNack = true;
	RtpStreamRecv stream(params);
	for (uint16_t s = 0; s < 10; ++s) Receive(stream, s, 0, 0);
	CHECK(!Receive(stream, 30000, 0, 1));
	CHECK(Receive(stream, 10, 0, 2));
	// The sender restarts at 50000.
	CHECK(!Receive(stream, 50000, 0, 3));
	CHECK(Receive(stream, 50001, 0, 4));
	CHECK(stream.GetNackList(4).empty()); // the NACK state restarted too: no 11..49999
	CHECK(Receive(stream, 50003, 0, 5));
	CHECK_EQ(stream.GetNackList(5), (SeqList{ 50002 }));
	ReportBlock block;
	REQUIRE(stream.FillReportBlock(block, 6));
	CHECK_EQ(block.highestSequenceNumber, 50003u);
	CHECK_EQ(block.cumulativeLost, 1);
	CHECK_EQ(stream.GetStats(6).packetsDiscarded, 1); // the stray; 50000 went out with 50001
}

// A sender restarts (ffmpeg killed and started again with the same SSRC): 100 packets
// from seq 1000, then from seq 40000 with a new timestamp base. The stream resumes on the
// second packet (the first is held, then forwarded by the Producer), and nothing of the
// jump shows as loss, NACKs or jitter.
TEST(recv_restart_rebases_loss_nack_and_jitter) {
	RtpStreamRecv::Params params;
	params.useNack = true;
	params.useRtx = true;
	RecordingRecvListener listener;
	RtpStreamRecv stream(params, &listener);
	uint64_t now = 1000;
	for (uint16_t i = 0; i < 100; ++i, now += 33) CHECK(Receive(stream, static_cast<uint16_t>(1000 + i), 90000u + i * 3000u, now));
	const uint32_t jitterBefore = stream.GetJitter();
	// New timestamps 5 s of clock ahead: under the 10 s discontinuity guard, so a
	// transit time not re-based would enter the jitter.
	const uint32_t newBase = 90000u + 100u * 3000u + 450000u;
	CHECK_EQ(ReceiveVerdict(stream, 40000, newBase, now), RtpStreamRecv::Verdict::Hold);
	now += 33;
	CHECK_EQ(ReceiveVerdict(stream, 40001, newBase + 3000u, now), RtpStreamRecv::Verdict::Restart);
	now += 33;
	CHECK_EQ(stream.GetRestartCount(), 1);
	CHECK(stream.GetNackList(now).empty()); // not 38,900 "missing" packets
	for (uint16_t i = 2; i < 200; ++i, now += 33) {
		CHECK_EQ(ReceiveVerdict(stream, static_cast<uint16_t>(40000 + i), newBase + i * 3000u, now), RtpStreamRecv::Verdict::Forward);
	}
	CHECK(stream.GetNackList(now).empty());
	CHECK(stream.GetJitter() <= jitterBefore + 10);
	RtpStreamRecv::Stats stats = stream.GetStats(now);
	CHECK_EQ(stats.packetsLost, 0);
	CHECK_EQ(stats.nackCount, 0);
	CHECK_EQ(stats.nackPacketCount, 0);
	CHECK_EQ(stats.packetsDiscarded, 0); // the held packet went out after all
	CHECK_EQ(listener.keyFrames, 0);     // the Producer asks for the key frame, not NACK overflow
	ReportBlock block;
	REQUIRE(stream.FillReportBlock(block, now));
	CHECK_EQ(block.highestSequenceNumber, 40199u);
	CHECK_EQ(block.cumulativeLost, 0);
	CHECK_EQ(block.fractionLost, 0);
	CHECK_EQ(stream.GetExtendedHighestSeq(), 40199u);

	// Loss after the restart is NACKed as usual, and repaired by RTX.
	CHECK(Receive(stream, 40201, newBase + 201u * 3000u, now));
	CHECK_EQ(stream.GetNackList(now), (SeqList{ 40200 }));
	CHECK(Receive(stream, 40200, newBase + 200u * 3000u, now + 50, true));
	// An RTX of the old sequence is nothing we wait for.
	CHECK_EQ(ReceiveVerdict(stream, 1050, 90000u + 50u * 3000u, now + 60, true), RtpStreamRecv::Verdict::Discard);
	stats = stream.GetStats(now + 60);
	CHECK_EQ(stats.packetsRepaired, 1);
	CHECK_EQ(stats.packetsLost, 0);
}

// A restarted sender whose new random sequence number lands a little ahead (within
// MAX_DROPOUT): A.1 alone would take the gap as loss (and NACK it); the timestamp, far
// off what the arrival time predicts, tells it is a restart.
TEST(recv_restart_detected_by_timestamp_within_max_dropout) {
	RtpStreamRecv::Params params;
	params.useNack = true;
	params.useRtx = true;
	params.clockRate = 90000;
	RtpStreamRecv stream(params);
	RtpStreamRecv control(params);
	uint64_t now = 1000;
	for (uint16_t i = 0; i < 100; ++i, now += 33) {
		Receive(stream, static_cast<uint16_t>(1000 + i), 90000u + i * 2970u, now);
		Receive(control, static_cast<uint16_t>(1000 + i), 90000u + i * 2970u, now);
	}
	// 500 ahead, timestamps 3 hours of clock away.
	CHECK_EQ(ReceiveVerdict(stream, 1599, 1000000000u, now), RtpStreamRecv::Verdict::Restart);
	CHECK_EQ(stream.GetRestartCount(), 1);
	CHECK(stream.GetNackList(now).empty());
	for (uint16_t i = 1; i < 50; ++i) {
		CHECK_EQ(ReceiveVerdict(stream, static_cast<uint16_t>(1599 + i), 1000000000u + i * 2970u, now + i * 33u),
		         RtpStreamRecv::Verdict::Forward);
	}
	CHECK(stream.GetNackList(now + 50 * 33).empty());
	CHECK_EQ(stream.GetStats(now + 50 * 33).packetsLost, 0);
	CHECK_EQ(stream.GetExtendedHighestSeq(), 1648u);

	// The same gap with timestamps that follow the clock: loss, NACKed as such.
	CHECK_EQ(ReceiveVerdict(control, 1599, 90000u + 599u * 2970u, now + 16500), RtpStreamRecv::Verdict::Forward);
	CHECK_EQ(control.GetRestartCount(), 0);
	CHECK_EQ(control.GetNackList(now + 16500).size(), 499);
	CHECK_EQ(control.GetCumulativeLost(), 499);
	// 20 s of clock off after a gap: still the same source (under the 30 s threshold).
	CHECK_EQ(ReceiveVerdict(control, 1610, 90000u + 610u * 2970u + 20u * 90000u, now + 16900), RtpStreamRecv::Verdict::Forward);
	// The very next number with the clock far off (a sender that paused its media
	// clock): the same source too, no restart.
	CHECK_EQ(ReceiveVerdict(control, 1611, 2000000000u, now + 16933), RtpStreamRecv::Verdict::Forward);
	CHECK_EQ(control.GetRestartCount(), 0);
}

// NACK without RTX: retransmissions come on the media SSRC a round trip late, so the
// misorder window is wide (10,000) and a restart landing behind would pass as reordering;
// its timestamp tells it. A late retransmission (timestamp seconds old) does not.
TEST(recv_restart_behind_in_the_wide_window_told_by_timestamp) {
	RtpStreamRecv::Params params;
	params.useNack = true; // no RTX
	RtpStreamRecv stream(params);
	uint64_t now = 1000;
	for (uint16_t i = 0; i < 300; ++i, now += 20) {
		if (i != 100) Receive(stream, static_cast<uint16_t>(5000 + i), 1800u * i, now);
	}
	// 5100 missing, NACKed; it comes back 4 s later than sent: a late packet, forwarded.
	CHECK_EQ(ReceiveVerdict(stream, 5100, 1800u * 100, now), RtpStreamRecv::Verdict::Forward);
	CHECK_EQ(stream.GetStats(now).packetsRepaired, 0); // not RTX: late, not repaired
	// A packet 250 behind that nobody waits for, a few seconds old: reordered, no restart.
	CHECK_EQ(ReceiveVerdict(stream, 5049, 1800u * 49, now + 1), RtpStreamRecv::Verdict::Forward);
	CHECK_EQ(stream.GetRestartCount(), 0);
	// The sender restarts 2,000 behind with a random timestamp.
	CHECK_EQ(ReceiveVerdict(stream, 3299, 3000000000u, now + 20), RtpStreamRecv::Verdict::Restart);
	CHECK_EQ(stream.GetRestartCount(), 1);
	CHECK_EQ(ReceiveVerdict(stream, 3300, 3000000000u + 1800u, now + 40), RtpStreamRecv::Verdict::Forward);
	CHECK_EQ(stream.GetExtendedHighestSeq(), 3300u);
	CHECK(stream.GetNackList(now + 40).empty());
	CHECK_EQ(stream.GetStats(now + 40).packetsLost, -1); // the duplicate 5049, from before
}

// Loss before a restart stays counted; the jump itself adds none.
TEST(recv_restart_keeps_earlier_loss) {
	RtpStreamRecv stream(RtpStreamRecv::Params{}); // no NACK (audio from ffmpeg)
	for (uint16_t s = 10000; s < 10010; ++s) {
		if (s != 10005) Receive(stream, s, s * 960u, s * 20u);
	}
	CHECK_EQ(stream.GetCumulativeLost(), 1);
	// The sender restarts 5,000 behind (RFC 3550 A.1 treats a backward jump alike).
	CHECK_EQ(ReceiveVerdict(stream, 5000, 5, 300000), RtpStreamRecv::Verdict::Hold);
	CHECK_EQ(ReceiveVerdict(stream, 5001, 965, 300020), RtpStreamRecv::Verdict::Restart);
	CHECK_EQ(ReceiveVerdict(stream, 5002, 1925, 300040), RtpStreamRecv::Verdict::Forward);
	CHECK_EQ(stream.GetCumulativeLost(), 1);
	CHECK_EQ(stream.GetStats(300040).packetsLost, 1);
	CHECK_EQ(stream.GetExtendedHighestSeq(), 5002u);
	// A late packet of the old sequence is a stray jump now: held, never a restart alone.
	CHECK_EQ(ReceiveVerdict(stream, 10009, 10009 * 960u, 300041), RtpStreamRecv::Verdict::Hold);
	CHECK_EQ(ReceiveVerdict(stream, 5003, 2885, 300060), RtpStreamRecv::Verdict::Forward);
	CHECK_EQ(stream.GetRestartCount(), 1);
	CHECK_EQ(stream.GetCumulativeLost(), 1);
}

TEST(recv_score_follows_unrecovered_loss) {
	RtpStreamRecv::Params params; // no NACK: every loss is unrecovered
	RecordingRecvListener listener;
	RtpStreamRecv stream(params, &listener);
	uint64_t now = 0;
	uint16_t seq = 0;
	auto second = [&](int lossPercent) {
		// 100 packets over one second, the first lossPercent of them lost.
		for (int i = 0; i < 100; ++i, ++seq, now += 10) {
			if (i < lossPercent) continue;
			Receive(stream, seq, 0, now);
		}
	};
	for (int i = 0; i < 5; ++i) second(0);
	CHECK_EQ(stream.GetScore(), 10);
	CHECK(listener.scores.empty());
	for (int i = 0; i < 8; ++i) second(20); // 20 % lost: samples of 0
	CHECK_EQ(stream.GetScore(), 0);
	CHECK(!listener.scores.empty());
	CHECK_EQ(listener.scores.back(), 0);
	// Recovery shows within a few seconds: after 3 clean seconds the newest 3 of the 8
	// samples weigh (6+7+8)/36, so the score is round(10 * 21/36) = 6.
	for (int i = 0; i < 3; ++i) second(0);
	CHECK_EQ(stream.GetScore(), 6);
	for (int i = 0; i < 8; ++i) second(0);
	CHECK_EQ(stream.GetScore(), 10);
	CHECK_EQ(listener.scores.back(), 10);
	// Each notification was a change.
	for (size_t i = 1; i < listener.scores.size(); ++i) CHECK_NE(listener.scores[i], listener.scores[i - 1]);
}

TEST(recv_score_ignores_silence) {
	RecordingRecvListener listener;
	RtpStreamRecv stream(RtpStreamRecv::Params{}, &listener);
	// Half the packets of one second lost: a sample of 0.
	for (uint16_t seq = 0; seq < 100; seq += 2) Receive(stream, seq, 0, seq * 10u);
	stream.UpdateScore(1000);
	CHECK_EQ(stream.GetScore(), 0);
	CHECK_EQ(listener.scores, (std::vector<uint8_t>{ 0 }));
	// Then nothing for seconds (a paused sender): no sample, so no change. A sample of
	// 10 would have given round((0 + 2 * 10) / 3) = 7.
	stream.UpdateScore(2000);
	stream.UpdateScore(5000);
	CHECK_EQ(stream.GetScore(), 0);
	CHECK_EQ(listener.scores.size(), 1);
}

TEST(recv_score_counts_repaired_packets_lightly) {
	RtpStreamRecv::Params params;
	params.useNack = true;
	RtpStreamRecv stream(params);
	uint64_t now = 0;
	uint16_t seq = 0;
	// 8 % of packets lost, all repaired by RTX 30 ms later: a quarter each, 2 % -> 9.
	for (int s = 0; s < 10; ++s) {
		for (int i = 0; i < 100; ++i, ++seq, now += 10) {
			if (i % 25 < 2) continue;
			Receive(stream, seq, 0, now);
			stream.GetNackList(now);
			if (i % 25 == 5) {
				Receive(stream, static_cast<uint16_t>(seq - 4), 0, now, true);
				Receive(stream, static_cast<uint16_t>(seq - 5), 0, now, true);
			}
		}
	}
	// Sequence numbers 0 and 1 came before the first packet: never known to be missing.
	CHECK_EQ(stream.GetStats(now).packetsRepaired, 80u - 2u);
	CHECK_EQ(stream.GetScore(), 9);
}

TEST(score_window_weights) {
	RtpStreamScore score;
	CHECK_EQ(score.Get(), 10);
	CHECK(!score.AddSample(100, 0));
	CHECK_EQ(score.Get(), 10);
	CHECK(score.AddSample(100, 10)); // sample 5; (10*1 + 5*2) / 3 = 6.67
	CHECK_EQ(score.Get(), 7);
	CHECK(score.AddSample(0, 0)); // nothing expected is a perfect sample (callers skip it)
	CHECK_EQ(score.Get(), 8);     // (10*1 + 5*2 + 10*3) / 6
	score.Reset(3);
	CHECK_EQ(score.Get(), 3);
	CHECK(score.AddSample(100, 200)); // more bad than expected clamps to 0
	CHECK_EQ(score.Get(), 0);
}

// ---------------------------------------------------------------------------------------
// RtpStreamSend

TEST(send_sender_report_fields) {
	RtpStreamSend::Params params;
	params.ssrc = 0xcafe;
	params.clockRate = 90000;
	// Unix time 1 700 000 000 000 ms at loop time 0.
	params.wallClockOffsetMs = 1700000000000;
	RtpStreamSend stream(params);
	SenderReport sr;
	CHECK(!stream.FillSenderReport(sr, 0)); // nothing sent: no SR

	Bytes plain = MakeRtp(1, 90000, 0xcafe, 1000);
	stream.OnPacketSent(plain.data(), plain.size(), 1, 90000, 1000);
	Bytes withExtensions = MakeRtpWithExtensions(2, 90000, 0xcafe, 500, 4);
	stream.OnPacketSent(withExtensions.data(), withExtensions.size(), 2, 90000, 1010);
	// An older timestamp (a reordered frame) does not move the RTP clock back.
	Bytes old = MakeRtp(3, 87000, 0xcafe, 10);
	stream.OnPacketSent(old.data(), old.size(), 3, 87000, 1020);

	REQUIRE(stream.FillSenderReport(sr, 1500));
	CHECK_EQ(sr.ssrc, 0xcafeu);
	CHECK_EQ(sr.ntpTimestamp.ToUnixMs(), 1700000001500u);
	CHECK(sr.ntpTimestamp == NtpTimestamp::FromUnixMs(1700000001500u));
	CHECK_EQ(sr.rtpTimestamp, 90000u + 45000u); // 500 ms after the newest timestamp, at 90 kHz
	CHECK_EQ(sr.packetCount, 3u);
	CHECK_EQ(sr.octetCount, 1000u + 500u + 10u); // payload only: no header, extension or padding

	RtpStreamSend::Stats stats = stream.GetStats(1500);
	CHECK_EQ(stats.packetCount, 3);
	CHECK_EQ(stats.byteCount, plain.size() + withExtensions.size() + old.size());
	CHECK_GT(stats.bitrate, 0u);
}

TEST(send_rtp_timestamp_extrapolation_wraps) {
	RtpStreamSend::Params params;
	params.clockRate = 48000;
	RtpStreamSend stream(params);
	Bytes packet = MakeRtp(1, 0xffffff00u, 0, 20);
	stream.OnPacketSent(packet.data(), packet.size(), 1, 0xffffff00u, 100);
	SenderReport sr;
	REQUIRE(stream.FillSenderReport(sr, 200));
	CHECK_EQ(sr.rtpTimestamp, 0xffffff00u + 4800u); // wraps past 2^32
}

TEST(send_nack_retransmits_stored_packets_as_is) {
	RtpStreamSend::Params params;
	params.ssrc = 0x1111;
	params.useNack = true;
	RtpStreamSend stream(params);
	CHECK_EQ(stream.GetRetransmissionBuffer().GetMemoryBytes(), 0);
	std::vector<Bytes> sent;
	for (uint16_t seq = 100; seq < 110; ++seq) {
		sent.push_back(MakeRtp(seq, 3000u * seq, 0x1111, 300));
		stream.OnPacketSent(sent.back().data(), sent.back().size(), seq, 3000u * seq, 1000 + seq);
	}
	RecordingRetransmitter out;
	stream.HandleNack({ 103, 105, 200 }, 1200, out); // 200 was never sent
	REQUIRE_EQ(out.packets.size(), 2);
	CHECK_BYTES_EQ(out.packets[0].data(), out.packets[0].size(), sent[3].data(), sent[3].size());
	CHECK_BYTES_EQ(out.packets[1].data(), out.packets[1].size(), sent[5].data(), sent[5].size());
	CHECK_EQ(out.lastCapacity, RtpStreamSend::kSendBufferSize);
	// Asked again within the RTT (100 ms until measured): not resent.
	stream.HandleNack({ 103 }, 1250, out);
	CHECK_EQ(out.packets.size(), 2);
	// After it: resent, and the stored copy survived the transport's in-place protect.
	stream.HandleNack({ 103 }, 1300, out);
	REQUIRE_EQ(out.packets.size(), 3);
	CHECK_BYTES_EQ(out.packets[2].data(), out.packets[2].size(), sent[3].data(), sent[3].size());
	// Too old (2 s).
	stream.HandleNack({ 104 }, 1104 + 2001, out);
	CHECK_EQ(out.packets.size(), 3);

	RtpStreamSend::Stats stats = stream.GetStats(1300);
	CHECK_EQ(stats.nackCount, 4);
	CHECK_EQ(stats.nackPacketCount, 6);
	CHECK_EQ(stats.packetsRetransmitted, 3);
	CHECK_EQ(stats.packetCount, 10); // retransmissions are not original packets
}

TEST(send_nack_refused_by_the_transport_does_not_use_up_resends) {
	RtpStreamSend::Params params;
	params.ssrc = 0x2222;
	params.useNack = true;
	RtpStreamSend stream(params);
	const Bytes packet = MakeRtp(500, 1000, 0x2222, 300);
	stream.OnPacketSent(packet.data(), packet.size(), 500, 1000, 1000);
	RecordingRetransmitter out;
	// The retransmission budget is spent: five NACKs, nothing leaves, nothing counted.
	out.refuse = true;
	for (int i = 0; i < 5; ++i) stream.HandleNack({ 500 }, 1100 + i * 200, out);
	CHECK_EQ(stream.GetStats(2000).packetsRetransmitted, 0);
	// Then it has room: the packet still has all of its resends.
	out.refuse = false;
	for (int i = 0; i < 5; ++i) stream.HandleNack({ 500 }, 2100 + i * 200, out);
	CHECK_EQ(out.packets.size(), static_cast<size_t>(RtpStreamSend::kMaxResendsPerPacket));
	CHECK_EQ(stream.GetStats(3000).packetsRetransmitted, static_cast<uint64_t>(RtpStreamSend::kMaxResendsPerPacket));
}

TEST(send_nack_reports_the_packets_it_declines) {
	// What the consumer asks a key frame for: stored packets refused by the transport
	// or past their resends. Unknown ones and ones resent within the RTT are not counted
	// (the first was never sent to this receiver; the second is on its way).
	RtpStreamSend::Params params;
	params.useNack = true;
	RtpStreamSend stream(params);
	for (uint16_t seq = 10; seq < 13; ++seq) {
		const Bytes packet = MakeRtp(seq, 1000, 0, 200);
		stream.OnPacketSent(packet.data(), packet.size(), seq, 1000, 1000);
	}
	RecordingRetransmitter out;
	out.refuse = true;
	CHECK_EQ(stream.HandleNack({ 10, 11, 99 }, 1100, out), 2);
	out.refuse = false;
	CHECK_EQ(stream.HandleNack({ 10, 11, 12 }, 1200, out), 0);
	CHECK_EQ(stream.HandleNack({ 12 }, 1210, out), 0); // within the RTT: already on its way
	for (uint64_t now = 1400; now < 2000; now += 200) stream.HandleNack({ 12 }, now, out);
	CHECK_EQ(stream.GetRetransmissionBuffer().Get(12, 2000)->resendCount, RtpStreamSend::kMaxResendsPerPacket);
	CHECK_EQ(stream.HandleNack({ 12 }, 2100, out), 1); // past its resends
}

TEST(send_lost_retransmission_is_resent_without_waiting_a_round_trip) {
	RtpStreamSend::Params params;
	params.ssrc = 0x3333;
	params.useNack = true;
	RtpStreamSend stream(params);
	const Bytes packet = MakeRtp(40, 1000, 0x3333, 200);
	stream.OnPacketSent(packet.data(), packet.size(), 40, 1000, 1000);
	RecordingRetransmitter out;
	stream.HandleNack({ 40 }, 1100, out);
	REQUIRE(out.originals.size() == 1);
	CHECK_EQ(out.originals[0].ssrc, 0x3333u);
	CHECK_EQ(out.originals[0].seq, 40);
	CHECK(!out.originals[0].isProbe);
	// A NACK within the RTT would wait; a copy reported lost goes again at once.
	stream.HandleNack({ 40 }, 1110, out);
	CHECK_EQ(out.packets.size(), 1);
	CHECK(stream.ResendLostRetransmission(40, 1120, out));
	CHECK_EQ(out.packets.size(), 2);
	CHECK(stream.ResendLostRetransmission(40, 1140, out));
	CHECK_EQ(out.packets.size(), 3);
	// Past its resends: declined (the consumer asks for a key frame then).
	CHECK(!stream.ResendLostRetransmission(40, 1160, out));
	CHECK_EQ(out.packets.size(), 3);
	CHECK_EQ(stream.GetStats(1200).nackCount, 2); // feedback-driven resends are not NACKs
	// Unknown packets are not declined (nothing this receiver was sent).
	CHECK(stream.ResendLostRetransmission(999, 1200, out));
}

TEST(send_nack_uses_measured_rtt_as_resend_guard) {
	RtpStreamSend::Params params;
	params.useNack = true;
	params.wallClockOffsetMs = 1000000;
	RtpStreamSend stream(params);
	Bytes packet = MakeRtp(7, 0, 0, 100);
	stream.OnPacketSent(packet.data(), packet.size(), 7, 0, 1000);
	SenderReport sr;
	REQUIRE(stream.FillSenderReport(sr, 1000));
	// Round trip of 30 ms: the report comes back 40 ms later after 10 ms at the receiver.
	stream.ReceiveReportBlock(0, 0, 7, 0, sr.ntpTimestamp.ToCompact(), NtpTimestamp::MsToCompact(10), 1040);
	REQUIRE(stream.HasRtt());
	CHECK_EQ(stream.GetRtt(), 30);
	RecordingRetransmitter out;
	stream.HandleNack({ 7 }, 1100, out);
	stream.HandleNack({ 7 }, 1129, out);
	CHECK_EQ(out.packets.size(), 1);
	stream.HandleNack({ 7 }, 1130, out);
	CHECK_EQ(out.packets.size(), 2);
	CHECK_EQ(stream.GetRetransmissionBuffer().Get(7, 1130)->resendCount, 2);
}

TEST(send_nack_in_rtx_packets) {
	RtpStreamSend::Params params;
	params.ssrc = 0x1111;
	params.useNack = true;
	params.rtxPayloadType = 97;
	params.rtxSsrc = 0x2222;
	params.rtxInitialSeq = 65535; // wraps after the first
	params.extensionMap.Set(1, RtpExtensionType::Mid);
	params.extensionMap.Set(3, RtpExtensionType::TransportWideCc);
	RtpStreamSend stream(params);
	Bytes first = MakeRtpWithExtensions(500, 123456, 0x1111, 200, 8);
	Bytes second = MakeRtp(501, 123456, 0x1111, 150);
	stream.OnPacketSent(first.data(), first.size(), 500, 123456, 10);
	stream.OnPacketSent(second.data(), second.size(), 501, 123456, 11);

	RecordingRetransmitter out;
	stream.HandleNack({ 500, 501 }, 50, out);
	REQUIRE_EQ(out.packets.size(), 2);

	RtpPacket rtx;
	REQUIRE(rtx.Parse(out.packets[0].data(), out.packets[0].size()));
	CHECK_EQ(rtx.GetPayloadType(), 97);
	CHECK_EQ(rtx.GetSsrc(), 0x2222u);
	CHECK_EQ(rtx.GetSequenceNumber(), 65535);
	CHECK_EQ(rtx.GetTimestamp(), 123456u); // RFC 4588 §4: the original's timestamp
	CHECK(rtx.HasMarker());
	CHECK_EQ(rtx.GetPaddingLength(), 0); // padding removed
	size_t len = 0;
	const uint8_t* mid = rtx.GetExtensionById(1, &len);
	REQUIRE(mid != nullptr);
	CHECK_EQ(len, 2);
	CHECK_EQ(mid[0], 'v');
	const uint8_t* twcc = rtx.GetExtensionById(3, &len);
	REQUIRE(twcc != nullptr);
	CHECK_EQ(Get16(twcc), 0x1234);
	REQUIRE_EQ(rtx.GetPayloadLength(), 2u + 200u);
	CHECK_EQ(Get16(rtx.GetPayload()), 500); // OSN
	RtpPacket original;
	REQUIRE(original.Parse(first.data(), first.size()));
	CHECK_BYTES_EQ(rtx.GetPayload() + 2, 200, original.GetPayload(), original.GetPayloadLength());

	RtpPacket rtx2;
	REQUIRE(rtx2.Parse(out.packets[1].data(), out.packets[1].size()));
	CHECK_EQ(rtx2.GetSequenceNumber(), 0);
	CHECK(!rtx2.HasMarker());
	CHECK_EQ(Get16(rtx2.GetPayload()), 501);
	CHECK_EQ(rtx2.GetPayloadLength(), 152);
	CHECK_BYTES_EQ(rtx2.GetPayload() + 2, 150, second.data() + 12, 150);
	CHECK_EQ(stream.GetStats(50).packetsRetransmitted, 2);
}

TEST(send_without_nack_stores_nothing) {
	RtpStreamSend::Params params; // audio: NACK off
	params.clockRate = 48000;
	RtpStreamSend stream(params);
	for (uint16_t seq = 0; seq < 100; ++seq) {
		Bytes packet = MakeRtp(seq, seq * 960u, 0, 80, 111);
		stream.OnPacketSent(packet.data(), packet.size(), seq, seq * 960u, seq * 20u);
	}
	CHECK_EQ(stream.GetRetransmissionBuffer().GetMemoryBytes(), 0);
	RecordingRetransmitter out;
	stream.HandleNack({ 5, 6 }, 2000, out);
	CHECK(out.packets.empty());
	CHECK_EQ(stream.GetStats(2000).nackCount, 1);
}

TEST(send_rtt_from_report_block) {
	RtpStreamSend::Params params;
	params.wallClockOffsetMs = 1700000000000;
	RtpStreamSend stream(params);
	// No SR seen by the receiver yet: LSR 0, no RTT.
	stream.ReceiveReportBlock(0, 0, 0, 0, 0, 0, 500);
	CHECK(!stream.HasRtt());
	CHECK(!stream.GetStats(500).hasRoundTripTime);
	Bytes packet = MakeRtp(1, 0, 0);
	stream.OnPacketSent(packet.data(), packet.size(), 1, 0, 900);
	SenderReport sr;
	REQUIRE(stream.FillSenderReport(sr, 1000));
	const uint32_t lsr = sr.ntpTimestamp.ToCompact();
	// RR arrives 250 ms after the SR; the receiver held it 200 ms: RTT 50 ms (§6.4.1).
	stream.ReceiveReportBlock(0, 0, 1, 0, lsr, NtpTimestamp::MsToCompact(200), 1250);
	CHECK(stream.HasRtt());
	CHECK_EQ(stream.GetRtt(), 50);
	// A bogus LSR (an SR we never sent, hours ago) leaves the RTT alone.
	stream.ReceiveReportBlock(0, 0, 2, 0, lsr - 0x10000000u, 0, 1300);
	CHECK_EQ(stream.GetRtt(), 50);
	RtpStreamSend::Stats stats = stream.GetStats(1300);
	CHECK(stats.hasRoundTripTime);
	CHECK_EQ(stats.roundTripTime, 50);
}

TEST(send_score_from_receiver_reports) {
	RtpStreamSend::Params params;
	RecordingSendListener listener;
	RtpStreamSend stream(params, &listener);
	uint32_t highest = 1000;
	int32_t lost = 0;
	// Clean reports keep 10.
	for (int i = 0; i < 4; ++i) {
		highest += 100;
		stream.ReceiveReportBlock(0, lost, highest, 0, 0, 0, 1000u * i);
	}
	CHECK_EQ(stream.GetScore(), 10);
	// 20 % loss per report interval: 0 within the window.
	for (int i = 0; i < 8; ++i) {
		highest += 100;
		lost += 20;
		stream.ReceiveReportBlock(51, lost, highest, 0, 0, 0, 5000u + 1000u * i);
	}
	CHECK_EQ(stream.GetScore(), 0);
	REQUIRE(!listener.scores.empty());
	CHECK_EQ(listener.scores.back(), 0);
	RtpStreamSend::Stats stats = stream.GetStats(13000);
	CHECK_EQ(stats.packetsLost, 160);
	CHECK_EQ(stats.fractionLost, 51);
	CHECK_EQ(stream.GetReportedJitter(), 0u);
	// The first report of a stream scores from its fraction lost alone.
	RtpStreamSend fresh(params);
	fresh.ReceiveReportBlock(26, 10, 100, 0, 0, 0, 0); // about 10 %: sample 5
	CHECK_EQ(fresh.GetScore(), 5);
	// A report whose highest sequence went backwards gives no sample.
	fresh.ReceiveReportBlock(0, 10, 50, 0, 0, 0, 1000);
	CHECK_EQ(fresh.GetScore(), 5);
}

TEST(send_pli_fir_counters) {
	RtpStreamSend stream(RtpStreamSend::Params{});
	stream.CountPli();
	stream.CountPli();
	stream.CountFir();
	RtpStreamSend::Stats stats = stream.GetStats(0);
	CHECK_EQ(stats.pliCount, 2);
	CHECK_EQ(stats.firCount, 1);
	CHECK_EQ(stats.score, 10);
}
