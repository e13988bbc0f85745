// libFuzzer target: one sctp::Association (the target) driven into a state by a
// scripted handshake with a second, in-process association (the peer), then fed
// arbitrary datagrams and API calls.
//
// Input: byte 0 picks the starting state:
//   0 new (nothing happened)       1 connecting (Connect() called, INIT sent)
//   2 connected (handshake with the peer)   3 connected with data queued both ways
//   4 shutting down (connected, then Shutdown() with data still queued)
//   5 connecting from the peer's side (the peer's INIT answered, COOKIE-ECHO pending)
// Then a program of operations, each one opcode byte then operands:
//   0  raw datagram (length-prefixed bytes), fed as is
//   1  datagram with the CRC32c recomputed over the fuzzed bytes
//   2  datagram with the ports and the target's verification tag patched in, CRC fixed
//   3  chunk list: 1-4 chunks (type, flags, length-prefixed value), correct chunk
//      lengths and padding, a chosen verification tag (ours / 0 / the peer's / fuzzed)
//   4  DATA from the peer: TSN near the peer's initial TSN, stream, SSN, flags, payload
//   5  SACK: cumulative TSN near the target's initial TSN, gap blocks, duplicates
//   6  FORWARD-TSN / RE-CONFIG (outgoing reset request or response) near the right numbers
//   7  clock step (16 bits of ms) and OnTimer
//   8  Send() on a stream with fuzzed options and size
//   9  ResetStreams, Shutdown, Abort or SetBufferedAmountLowThreshold
//   10 exchange: the target's and the peer's pending packets are delivered to each other
//
// Invariants (a violation traps):
//  - no state change after Failed or Closed, and never back to New;
//  - every packet sent parses, has a valid CRC32c, fits the MTU, carries the configured
//    ports and a non-zero verification tag unless it is an INIT (§8.5.1);
//  - delivered messages are no larger than maxReceiveMessageSize;
//  - buffered amounts never exceed sendBufferSize, and the per-stream unsent amounts
//    (RTCDataChannel.bufferedAmount) add up to at most the total (which also counts
//    what is in flight); packetsDropped never decreases;
//    NextTimeoutMs(now) is UINT64_MAX or some time (never 0 after a step).

#include <cstring>
#include <vector>

#include "../src/cpp/engine/sctp/AssociationTestAccess.hpp"
#include "../src/cpp/engine/sctp/ByteIo.hpp"
#include "../src/cpp/engine/sctp/Crc32c.hpp"
#include "../src/cpp/engine/sctp/SctpAssociation.hpp"
#include "../src/cpp/engine/sctp/SctpPacket.hpp"
#include "FuzzSupport.hpp"

using namespace mediaplane::sctp;

namespace {

Options MakeOptions() {
	Options o;
	o.maxOutboundStreams = 16;
	o.maxInboundStreams = 16;
	o.maxSendMessageSize = 20000;
	o.maxReceiveMessageSize = 6000;
	o.sendBufferSize = 30000;
	o.perStreamSendQueueLimit = 20000;
	o.maxReceiverWindowBufferSize = 16000;
	o.mtu = 1200;
	o.rtoInitialMs = 500;
	o.rtoMinMs = 100;
	o.rtoMaxMs = 4000;
	o.maxRetransmissions = 6;
	o.maxInitRetransmissions = 4;
	o.heartbeatIntervalMs = 3000;
	o.cookieLifetimeMs = 5000;
	return o;
}

class Capture : public Association::Listener {
public:
	explicit Capture(const Options& options) : options(options) {}
	void OnSctpSendPacket(const uint8_t* data, size_t len) override {
		CommonHeader header;
		std::vector<RawChunk> chunks;
		FUZZ_CHECK(len <= options.mtu || len <= 12 + 4 + 65535);
		FUZZ_CHECK(ParsePacket(data, len, header, chunks));
		FUZZ_CHECK(VerifySctpChecksum(data, len));
		FUZZ_CHECK(header.sourcePort == options.localPort && header.destinationPort == options.remotePort);
		FUZZ_CHECK(header.verificationTag != 0 || chunks[0].type == ChunkInit);
		// DATA packets are sized to the MTU (control chunks may exceed it only alone).
		if (chunks.size() > 1) FUZZ_CHECK(len <= options.mtu);
		out.emplace_back(data, data + len);
	}
	void OnSctpStateChange(State state) override {
		FUZZ_CHECK(!terminal);
		FUZZ_CHECK(state != State::New);
		terminal = state == State::Failed || state == State::Closed;
	}
	void OnSctpMessage(uint16_t, uint32_t, const uint8_t* data, size_t len) override {
		FUZZ_CHECK(len <= options.maxReceiveMessageSize);
		if (len) FUZZ_CHECK(data != nullptr);
		// Touch the bytes so ASan checks them.
		volatile uint8_t sum = 0;
		for (size_t i = 0; i < len; ++i) sum = static_cast<uint8_t>(sum + data[i]);
		(void)sum;
	}
	void OnSctpIncomingStreamsReset(const std::vector<uint16_t>&) override {}
	void OnSctpBufferedAmountLow(uint16_t, size_t amount) override { FUZZ_CHECK(amount <= options.sendBufferSize); }

	Options options;
	std::vector<std::vector<uint8_t>> out;
	bool terminal = false;
};

struct Harness {
	Options options = MakeOptions();
	Capture targetListener{ options };
	Capture peerListener{ options };
	Association target{ targetListener, options };
	Association peer{ peerListener, options };
	uint64_t now = 1000;

	Harness() {
		AssociationTestAccess::Seed(target, 1);
		AssociationTestAccess::Seed(peer, 2);
	}
	// Delivers pending packets both ways, a bounded number of rounds.
	void Exchange(int rounds) {
		for (int i = 0; i < rounds; ++i) {
			if (targetListener.out.empty() && peerListener.out.empty()) return;
			auto toPeer = std::move(targetListener.out);
			targetListener.out.clear();
			auto toTarget = std::move(peerListener.out);
			peerListener.out.clear();
			now += 5;
			for (auto& p : toPeer) peer.HandlePacket(p.data(), p.size(), now);
			for (auto& p : toTarget) target.HandlePacket(p.data(), p.size(), now);
		}
	}
	void Feed(std::vector<uint8_t>& packet) {
		target.HandlePacket(packet.data(), packet.size(), now);
		// Whatever the target answers goes to the peer only on an exchange.
	}
	uint32_t TargetTag() const { return AssociationTestAccess::LocalTag(target); }
	uint32_t PeerTag() const { return AssociationTestAccess::LocalTag(peer); }
};

std::vector<uint8_t> Finish(uint32_t vtag, const std::vector<std::vector<uint8_t>>& chunks) {
	PacketBuilder builder(5000, 5000, vtag);
	for (const auto& c : chunks) builder.Add(c);
	return builder.Finish();
}

uint32_t PickTag(fuzz::FuzzInput& in, const Harness& h) {
	switch (in.U8() & 3) {
	case 0: return h.TargetTag();
	case 1: return 0;
	case 2: return h.PeerTag();
	default: return in.U32();
	}
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
	fuzz::FuzzInput in(data, size);
	Harness h;
	const uint8_t start = in.U8() % 6;
	std::vector<uint8_t> payload(3000, 0x5A);
	switch (start) {
	case 0:
		break;
	case 1:
		h.target.Connect(h.now);
		break;
	case 2:
	case 3:
	case 4:
		h.target.Connect(h.now);
		h.peer.Connect(h.now + 1);
		h.Exchange(10);
		FUZZ_CHECK(h.target.GetState() == State::Connected && h.peer.GetState() == State::Connected);
		if (start >= 3) {
			SendOptions ordered, unordered;
			unordered.ordered = false;
			h.target.Send(1, PpidBinary, payload.data(), payload.size(), ordered, h.now);
			h.peer.Send(2, PpidString, payload.data(), 100, unordered, h.now);
			h.peer.Send(1, PpidBinary, payload.data(), payload.size(), ordered, h.now);
		}
		if (start == 4) h.target.Shutdown(h.now);
		break;
	case 5:
		h.peer.Connect(h.now);
		h.Exchange(1); // INIT to the target, its INIT-ACK to the peer (COOKIE-ECHO pending)
		break;
	}

	uint64_t dropped = h.target.GetStats().packetsDropped;
	for (int ops = 0; ops < 64 && !in.Empty(); ++ops) {
		const uint8_t op = in.U8() % 11;
		switch (op) {
		case 0: {
			std::vector<uint8_t> packet = in.Chunk();
			h.Feed(packet);
			break;
		}
		case 1:
		case 2: {
			std::vector<uint8_t> packet = in.Chunk();
			if (packet.size() >= 12) {
				if (op == 2) {
					WriteU16(packet.data(), 5000);
					WriteU16(packet.data() + 2, 5000);
					WriteU32(packet.data() + 4, h.TargetTag());
				}
				WriteSctpChecksum(packet.data(), packet.size());
			}
			h.Feed(packet);
			break;
		}
		case 3: {
			const uint32_t tag = PickTag(in, h);
			const int count = 1 + in.U8() % 4;
			std::vector<std::vector<uint8_t>> chunks;
			for (int i = 0; i < count; ++i) {
				std::vector<uint8_t> chunk;
				ByteWriter w(chunk);
				w.U8(in.U8());
				w.U8(in.U8());
				const std::vector<uint8_t> value = in.Chunk();
				w.U16(static_cast<uint16_t>(4 + value.size()));
				w.Bytes(value);
				w.Pad4();
				chunks.push_back(std::move(chunk));
			}
			std::vector<uint8_t> packet = Finish(tag, chunks);
			h.Feed(packet);
			break;
		}
		case 4: {
			DataChunk d;
			d.tsn = AssociationTestAccess::LocalInitialTsn(h.peer) + in.U8() - 4;
			d.streamId = in.U8() % 20;
			d.ssn = in.U8() % 8;
			const uint8_t flags = in.U8();
			d.ending = flags & 1;
			d.beginning = flags & 2;
			d.unordered = flags & 4;
			d.immediate = flags & 8;
			d.ppid = (flags & 0x10) ? PpidBinaryEmpty : PpidBinary;
			const size_t len = (flags & 0x20) ? static_cast<size_t>(in.U16() % 4000) : in.U8();
			d.payload.assign(len, static_cast<uint8_t>(flags));
			std::vector<uint8_t> chunk;
			d.Serialize(chunk);
			std::vector<uint8_t> packet = Finish(h.TargetTag(), { chunk });
			h.Feed(packet);
			break;
		}
		case 5: {
			SackChunk s;
			s.cumulativeTsnAck = AssociationTestAccess::LocalInitialTsn(h.target) + in.U8() - 8;
			s.aRwnd = in.U32();
			const int gaps = in.U8() % 5;
			for (int i = 0; i < gaps; ++i) s.gapBlocks.push_back({ in.U8(), in.U8() });
			const int dups = in.U8() % 3;
			for (int i = 0; i < dups; ++i) s.duplicateTsns.push_back(in.U32());
			std::vector<uint8_t> chunk;
			s.Serialize(chunk);
			std::vector<uint8_t> packet = Finish(h.TargetTag(), { chunk });
			h.Feed(packet);
			break;
		}
		case 6: {
			std::vector<uint8_t> chunk;
			const uint8_t kind = in.U8();
			if (kind & 1) {
				ForwardTsnChunk f;
				f.newCumulativeTsn = AssociationTestAccess::LocalInitialTsn(h.peer) + in.U8() - 4;
				const int n = in.U8() % 4;
				for (int i = 0; i < n; ++i) f.streams.push_back({ static_cast<uint16_t>(in.U8() % 20), static_cast<uint16_t>(in.U8() % 8) });
				f.Serialize(chunk);
			} else {
				ReConfigChunk r;
				if (kind & 2) {
					OutgoingResetRequest req;
					req.requestSeq = AssociationTestAccess::LocalInitialTsn(h.peer) + in.U8() % 4;
					req.responseSeq = in.U32();
					req.senderLastTsn = AssociationTestAccess::LocalInitialTsn(h.peer) + in.U8() - 4;
					const int n = in.U8() % 4;
					for (int i = 0; i < n; ++i) req.streams.push_back(static_cast<uint16_t>(in.U8() % 20));
					r.outgoingResets.push_back(req);
				}
				if (kind & 4 || r.outgoingResets.empty()) {
					ReconfigResponse resp;
					resp.responseSeq = AssociationTestAccess::LocalInitialTsn(h.target) + in.U8() % 4;
					resp.result = in.U8() % 8;
					r.responses.push_back(resp);
				}
				r.Serialize(chunk);
			}
			std::vector<uint8_t> packet = Finish(h.TargetTag(), { chunk });
			h.Feed(packet);
			break;
		}
		case 7: {
			h.now += in.U16();
			h.target.OnTimer(h.now);
			h.peer.OnTimer(h.now);
			break;
		}
		case 8: {
			SendOptions o;
			const uint8_t flags = in.U8();
			o.ordered = flags & 1;
			if (flags & 2) o.maxRetransmits = in.U8() % 3;
			else if (flags & 4) o.maxPacketLifeTimeMs = in.U8() * 10;
			const size_t len = (flags & 8) ? in.U16() % 25000 : in.U8();
			std::vector<uint8_t> message(len, flags);
			const uint32_t ppid = len == 0 ? PpidBinaryEmpty : PpidBinary;
			Association& from = (flags & 0x10) ? h.peer : h.target;
			from.Send(in.U8() % 20, ppid, message.data(), message.size(), o, h.now);
			break;
		}
		case 9: {
			const uint8_t what = in.U8();
			switch (what % 6) {
			case 0: h.target.ResetStreams({ static_cast<uint16_t>(in.U8() % 20), static_cast<uint16_t>(in.U8() % 20) }, h.now); break;
			case 1: h.peer.ResetStreams({ static_cast<uint16_t>(in.U8() % 20) }, h.now); break;
			case 2: h.target.Shutdown(h.now); break;
			case 3: h.peer.Shutdown(h.now); break;
			case 4: if ((what & 0x40) == 0) h.target.Abort(); else h.peer.Abort(); break;
			case 5: h.target.SetBufferedAmountLowThreshold(in.U8() % 20, in.U16()); break;
			}
			break;
		}
		case 10:
			h.Exchange(1 + in.U8() % 8);
			break;
		}
		const Stats& stats = h.target.GetStats();
		FUZZ_CHECK(stats.packetsDropped >= dropped);
		dropped = stats.packetsDropped;
		FUZZ_CHECK(h.target.GetTotalBufferedAmount() <= h.options.sendBufferSize);
		// Per stream: bytes not yet transmitted (RTCDataChannel.bufferedAmount); the total
		// also counts transmitted and unacknowledged bytes (the send buffer).
		size_t perStream = 0;
		for (uint16_t stream = 0; stream < 20; ++stream) perStream += h.target.GetBufferedAmount(stream);
		FUZZ_CHECK(perStream <= h.target.GetTotalBufferedAmount());
		const uint64_t next = h.target.NextTimeoutMs(h.now);
		FUZZ_CHECK(next == UINT64_MAX || next > 0);
		if (h.target.GetState() == State::Failed || h.target.GetState() == State::Closed)
			FUZZ_CHECK(next == UINT64_MAX);
		// Packets the target sent but that no exchange delivered are dropped now and
		// then to bound memory.
		if (h.targetListener.out.size() > 64) h.targetListener.out.clear();
		if (h.peerListener.out.size() > 64) h.peerListener.out.clear();
	}
	// Let both ends run their timers to the end (bounded).
	for (int i = 0; i < 50; ++i) {
		const uint64_t next = std::min(h.target.NextTimeoutMs(h.now), h.peer.NextTimeoutMs(h.now));
		if (next == UINT64_MAX) break;
		h.now = std::max(h.now, next);
		h.target.OnTimer(h.now);
		h.peer.OnTimer(h.now);
		h.Exchange(2);
	}
	return 0;
}
