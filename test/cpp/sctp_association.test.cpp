// Two sctp::Associations wired back to back through a fake network with a fake clock:
// handshakes (one side, both sides at once, stale cookie), data of every size ordered
// and unordered, loss and retransmission (T3-rtx, fast retransmit, back-off, failure),
// partial reliability, stream resets, buffered amounts, SHUTDOWN, ABORT, HEARTBEAT and
// malformed packets.
#include <algorithm>
#include <functional>
#include <memory>
#include <random>
#include <vector>

#include "check.hpp"
#include "sctp/AssociationTestAccess.hpp"
#include "sctp/ByteIo.hpp"
#include "sctp/Crc32c.hpp"
#include "sctp/SctpAssociation.hpp"
#include "sctp/SctpPacket.hpp"

using namespace mediaplane::sctp;

namespace {

struct ReceivedMessage {
	uint16_t streamId;
	uint32_t ppid;
	std::vector<uint8_t> data;
};

// One end: an Association and everything its listener was told.
class Endpoint : public Association::Listener {
public:
	explicit Endpoint(const Options& options) : association(*this, options) {}

	void OnSctpSendPacket(const uint8_t* data, size_t len) override { outbox.emplace_back(data, data + len); }
	void OnSctpStateChange(State state) override { states.push_back(state); }
	void OnSctpMessage(uint16_t streamId, uint32_t ppid, const uint8_t* data, size_t len) override {
		messages.push_back({ streamId, ppid, std::vector<uint8_t>(data, data + len) });
		if (onMessage) onMessage(messages.back());
	}
	void OnSctpIncomingStreamsReset(const std::vector<uint16_t>& streamIds) override { resets.push_back(streamIds); }
	void OnSctpBufferedAmountLow(uint16_t streamId, size_t amount) override { lows.emplace_back(streamId, amount); }

	Association association;
	std::vector<std::vector<uint8_t>> outbox;
	std::vector<State> states;
	std::vector<ReceivedMessage> messages;
	std::vector<std::vector<uint16_t>> resets;
	std::vector<std::pair<uint16_t, size_t>> lows;
	std::function<void(const ReceivedMessage&)> onMessage;
};

// The chunk types of a packet.
std::vector<uint8_t> ChunkTypes(const std::vector<uint8_t>& packet) {
	CommonHeader header;
	std::vector<RawChunk> chunks;
	std::vector<uint8_t> types;
	if (!ParsePacket(packet.data(), packet.size(), header, chunks)) return types;
	for (const auto& c : chunks) types.push_back(c.type);
	return types;
}

bool HasChunk(const std::vector<uint8_t>& packet, uint8_t type) {
	const auto types = ChunkTypes(packet);
	return std::find(types.begin(), types.end(), type) != types.end();
}

uint32_t VerificationTag(const std::vector<uint8_t>& packet) {
	return packet.size() >= 8 ? ReadU32(packet.data() + 4) : 0;
}

// What the network does with one packet.
struct Fate {
	bool drop = false;
	bool duplicate = false;
	uint64_t extraDelayMs = 0;
};

// A fake network between a and b with a fake clock: every packet takes delayMs (plus
// a Fate's extra delay), can be dropped, duplicated or held back (reordered) by a
// filter or by random loss.
class Network {
public:
	explicit Network(const Options& optionsA = Options(), const Options& optionsB = Options())
		: a(optionsA), b(optionsB), rng(12345) {}

	Endpoint a;
	Endpoint b;
	uint64_t now = 1000;
	uint64_t delayMs = 10;
	double lossAtoB = 0;
	double lossBtoA = 0;
	// Called for every packet (toB: sent by a); may drop/duplicate/delay it.
	std::function<Fate(bool toB, const std::vector<uint8_t>& packet)> filter;
	// Every packet sent, in order, with its direction and time.
	struct Sent {
		bool toB;
		uint64_t at;
		std::vector<uint8_t> packet;
	};
	std::vector<Sent> log;

	void Collect() {
		Take(a, true);
		Take(b, false);
	}

	// Advances the clock event by event (deliveries and timers) until `done` or `maxMs`.
	bool RunUntil(const std::function<bool()>& done, uint64_t maxMs) {
		const uint64_t end = now + maxMs;
		Collect();
		while (!done()) {
			uint64_t next = std::min(a.association.NextTimeoutMs(now), b.association.NextTimeoutMs(now));
			for (const auto& p : inFlight) next = std::min(next, p.deliverAt);
			if (next > end) {
				now = end;
				return done();
			}
			if (next > now) now = next;
			// Deliver what is due, in delivery order.
			std::stable_sort(inFlight.begin(), inFlight.end(),
				[](const InFlight& x, const InFlight& y) { return x.deliverAt < y.deliverAt; });
			while (!inFlight.empty() && inFlight.front().deliverAt <= now) {
				InFlight p = std::move(inFlight.front());
				inFlight.erase(inFlight.begin());
				Endpoint& to = p.toB ? b : a;
				to.association.HandlePacket(p.packet.data(), p.packet.size(), now);
				Collect();
			}
			if (a.association.NextTimeoutMs(now) <= now) a.association.OnTimer(now);
			if (b.association.NextTimeoutMs(now) <= now) b.association.OnTimer(now);
			Collect();
		}
		return true;
	}
	void RunFor(uint64_t ms) {
		RunUntil([] { return false; }, ms);
	}
	bool Connect(bool both = false) {
		a.association.Connect(now);
		if (both) b.association.Connect(now);
		return RunUntil([&] { return Connected(); }, 20000);
	}
	bool Connected() const {
		return a.association.GetState() == State::Connected && b.association.GetState() == State::Connected;
	}
	size_t CountSent(bool toB, uint8_t chunkType) const {
		size_t n = 0;
		for (const auto& s : log)
			if (s.toB == toB && HasChunk(s.packet, chunkType)) ++n;
		return n;
	}

private:
	struct InFlight {
		uint64_t deliverAt;
		bool toB;
		std::vector<uint8_t> packet;
	};
	void Take(Endpoint& from, bool toB) {
		for (auto& packet : from.outbox) {
			log.push_back({ toB, now, packet });
			Fate fate;
			if (filter) fate = filter(toB, packet);
			const double loss = toB ? lossAtoB : lossBtoA;
			if (loss > 0 && std::uniform_real_distribution<double>(0, 1)(rng) < loss) fate.drop = true;
			if (fate.drop) continue;
			inFlight.push_back({ now + delayMs + fate.extraDelayMs, toB, packet });
			if (fate.duplicate) inFlight.push_back({ now + delayMs + fate.extraDelayMs + 1, toB, packet });
		}
		from.outbox.clear();
	}
	std::vector<InFlight> inFlight;
	std::mt19937 rng;
};

std::vector<uint8_t> Pattern(size_t len, uint8_t seed) {
	std::vector<uint8_t> v(len);
	for (size_t i = 0; i < len; ++i) v[i] = static_cast<uint8_t>(seed + i * 7 + (i >> 8));
	return v;
}

SendResult SendBytes(Network& net, Endpoint& from, uint16_t stream, const std::vector<uint8_t>& data,
	SendOptions options = SendOptions(), uint32_t ppid = PpidBinary) {
	return from.association.Send(stream, ppid, data.data(), data.size(), options, net.now);
}

// A packet from the peer's side: the given chunks, with the peer's ports and a valid CRC.
std::vector<uint8_t> MakePacket(uint32_t vtag, const std::vector<std::vector<uint8_t>>& chunks) {
	PacketBuilder builder(5000, 5000, vtag);
	for (const auto& c : chunks) builder.Add(c);
	return builder.Finish();
}

} // namespace

TEST(handshake_one_side) {
	Network net;
	REQUIRE(net.Connect());
	CHECK_EQ(net.a.states, (std::vector<State>{ State::Connecting, State::Connected }));
	CHECK_EQ(net.b.states, (std::vector<State>{ State::Connecting, State::Connected }));
	CHECK_EQ(net.a.association.GetNegotiatedOutboundStreams(), 65535u);
	CHECK_EQ(net.b.association.GetNegotiatedInboundStreams(), 65535u);
	// INIT, COOKIE-ECHO from a; INIT-ACK, COOKIE-ACK from b.
	CHECK_EQ(net.CountSent(true, ChunkInit), 1u);
	CHECK_EQ(net.CountSent(false, ChunkInitAck), 1u);
	CHECK_EQ(net.CountSent(true, ChunkCookieEcho), 1u);
	CHECK_EQ(net.CountSent(false, ChunkCookieAck), 1u);
	// The INIT has verification tag 0, everything after carries the peer's tag.
	CHECK_EQ(VerificationTag(net.log[0].packet), 0u);
	CHECK_NE(VerificationTag(net.log[1].packet), 0u);
}

TEST(negotiates_stream_counts) {
	Options oa, ob;
	oa.maxOutboundStreams = 10;
	oa.maxInboundStreams = 300;
	ob.maxOutboundStreams = 200;
	ob.maxInboundStreams = 20;
	Network net(oa, ob);
	REQUIRE(net.Connect());
	CHECK_EQ(net.a.association.GetNegotiatedOutboundStreams(), 10u);
	CHECK_EQ(net.a.association.GetNegotiatedInboundStreams(), 200u);
	CHECK_EQ(net.b.association.GetNegotiatedOutboundStreams(), 200u);
	CHECK_EQ(net.b.association.GetNegotiatedInboundStreams(), 10u);
	const std::vector<uint8_t> data(5, 1);
	CHECK(SendBytes(net, net.a, 10, data) == SendResult::InvalidStream);
	CHECK(SendBytes(net, net.a, 9, data) == SendResult::Ok);
}

TEST(handshake_simultaneous_connect) {
	// WebRTC: both ends send INIT when DTLS is up (RFC 8831 §6.2), with various delays
	// between the two Connect() calls and path delays.
	for (uint64_t skew : { 0, 1, 5, 9, 10, 11, 15, 25, 40 }) {
		for (uint64_t delay : { 1, 10, 30 }) {
			Network net;
			net.delayMs = delay;
			net.a.association.Connect(net.now);
			net.RunFor(skew);
			net.b.association.Connect(net.now);
			CHECK(net.RunUntil([&] { return net.Connected(); }, 10000));
			// Both then carry data both ways.
			const std::vector<uint8_t> hello = Pattern(100, 1);
			CHECK(SendBytes(net, net.a, 1, hello) == SendResult::Ok);
			CHECK(SendBytes(net, net.b, 2, hello) == SendResult::Ok);
			CHECK(net.RunUntil([&] { return net.a.messages.size() == 1 && net.b.messages.size() == 1; }, 5000));
			CHECK_EQ(net.a.states.back(), State::Connected);
			CHECK_EQ(net.b.states.back(), State::Connected);
		}
	}
}

TEST(handshake_simultaneous_with_loss) {
	// Crossing INITs with handshake packets lost: T1-init/T1-cookie recover.
	for (int seed = 0; seed < 12; ++seed) {
		Network net;
		int count = 0;
		net.filter = [&](bool, const std::vector<uint8_t>&) {
			Fate f;
			f.drop = ((++count + seed) % 3 == 0) && count < 8;
			return f;
		};
		net.a.association.Connect(net.now);
		net.b.association.Connect(net.now);
		CHECK(net.RunUntil([&] { return net.Connected(); }, 60000));
		const std::vector<uint8_t> hello = Pattern(10, 1);
		net.filter = nullptr;
		CHECK(SendBytes(net, net.a, 1, hello) == SendResult::Ok);
		CHECK(net.RunUntil([&] { return net.b.messages.size() == 1; }, 5000));
	}
}

TEST(init_before_connect_is_answered) {
	Network net;
	// b never calls Connect: it answers a's INIT statelessly and then the COOKIE-ECHO.
	CHECK(net.Connect());
	CHECK_EQ(net.b.states.front(), State::Connecting);
}

TEST(messages_of_every_size_ordered_and_unordered) {
	Network net;
	REQUIRE(net.Connect());
	std::vector<std::vector<uint8_t>> sent;
	const size_t sizes[] = { 1, 2, 3, 4, 5, 100, 1000, 1151, 1152, 1153, 1200, 4096, 10000, 65535, 65536, 100000, 262144 };
	uint8_t seed = 0;
	for (bool ordered : { true, false }) {
		for (size_t size : sizes) {
			SendOptions options;
			options.ordered = ordered;
			const std::vector<uint8_t> data = Pattern(size, seed++);
			// One big message at a time fits the 256 KiB buffer.
			REQUIRE(net.RunUntil([&] { return net.a.association.GetTotalBufferedAmount() + size <= 262144; }, 60000));
			REQUIRE(SendBytes(net, net.a, ordered ? 1 : 2, data, options) == SendResult::Ok);
			sent.push_back(data);
		}
	}
	REQUIRE(net.RunUntil([&] { return net.b.messages.size() == sent.size(); }, 60000));
	for (size_t i = 0; i < sent.size(); ++i) {
		CHECK_EQ(net.b.messages[i].data.size(), sent[i].size());
		CHECK(net.b.messages[i].data == sent[i]);
	}
	CHECK_EQ(net.a.association.GetStats().messagesSent, sent.size());
	CHECK_EQ(net.b.association.GetStats().messagesReceived, sent.size());
	CHECK_EQ(net.a.association.GetStats().retransmissions, 0u);
}

TEST(ordered_delivery_despite_reordering) {
	Network net;
	REQUIRE(net.Connect());
	// Every third DATA packet is held back 30 ms: the receiver sees them out of order.
	int n = 0;
	net.filter = [&](bool toB, const std::vector<uint8_t>& p) {
		Fate f;
		if (toB && HasChunk(p, ChunkData) && (++n % 3 == 0)) f.extraDelayMs = 30;
		return f;
	};
	std::vector<std::vector<uint8_t>> sent;
	for (int i = 0; i < 60; ++i) {
		sent.push_back(Pattern(300 + i * 50, static_cast<uint8_t>(i)));
		REQUIRE(SendBytes(net, net.a, 3, sent.back()) == SendResult::Ok);
		net.RunFor(2);
	}
	REQUIRE(net.RunUntil([&] { return net.b.messages.size() == sent.size(); }, 30000));
	for (size_t i = 0; i < sent.size(); ++i) CHECK(net.b.messages[i].data == sent[i]);
}

TEST(unordered_delivered_before_a_missing_ordered_message) {
	Network net;
	REQUIRE(net.Connect());
	bool dropped = false;
	net.filter = [&](bool toB, const std::vector<uint8_t>& p) {
		Fate f;
		if (toB && HasChunk(p, ChunkData) && !dropped) {
			dropped = true;
			f.drop = true;
		}
		return f;
	};
	const std::vector<uint8_t> first = Pattern(10, 1), second = Pattern(20, 2);
	REQUIRE(SendBytes(net, net.a, 1, first) == SendResult::Ok); // lost
	net.RunFor(1);
	SendOptions unordered;
	unordered.ordered = false;
	REQUIRE(SendBytes(net, net.a, 1, second, unordered) == SendResult::Ok);
	REQUIRE(net.RunUntil([&] { return net.b.messages.size() == 1; }, 500));
	CHECK(net.b.messages[0].data == second);
	REQUIRE(net.RunUntil([&] { return net.b.messages.size() == 2; }, 5000));
	CHECK(net.b.messages[1].data == first);
}

TEST(empty_messages_use_ppid_56_57) {
	Network net;
	REQUIRE(net.Connect());
	REQUIRE(net.a.association.Send(0, PpidStringEmpty, nullptr, 0, SendOptions(), net.now) == SendResult::Ok);
	REQUIRE(net.a.association.Send(0, PpidBinaryEmpty, nullptr, 0, SendOptions(), net.now) == SendResult::Ok);
	REQUIRE(net.RunUntil([&] { return net.b.messages.size() == 2; }, 2000));
	CHECK_EQ(net.b.messages[0].ppid, PpidStringEmpty);
	CHECK_EQ(net.b.messages[0].data.size(), 0u);
	CHECK_EQ(net.b.messages[1].ppid, PpidBinaryEmpty);
	// On the wire: one zero byte of user data (RFC 8831 §6.6).
	bool sawOneByte = false;
	for (const auto& s : net.log) {
		CommonHeader h;
		std::vector<RawChunk> chunks;
		if (!s.toB || !ParsePacket(s.packet.data(), s.packet.size(), h, chunks)) continue;
		for (const auto& c : chunks)
			if (c.type == ChunkData && c.valueLength == 13 && c.value[12] == 0) sawOneByte = true;
	}
	CHECK(sawOneByte);
}

TEST(loss_recovered_by_t3_rtx) {
	Network net;
	REQUIRE(net.Connect());
	bool dropped = false;
	net.filter = [&](bool toB, const std::vector<uint8_t>& p) {
		Fate f;
		if (toB && HasChunk(p, ChunkData) && !dropped) f.drop = dropped = true;
		return f;
	};
	const uint64_t start = net.now;
	const std::vector<uint8_t> data = Pattern(500, 3);
	REQUIRE(SendBytes(net, net.a, 0, data) == SendResult::Ok);
	REQUIRE(net.RunUntil([&] { return net.b.messages.size() == 1; }, 5000));
	CHECK(net.b.messages[0].data == data);
	// Recovered by the retransmission timer: about one RTO (1 s initially) later.
	CHECK_GE(net.now - start, 1000u);
	CHECK_EQ(net.a.association.GetStats().retransmissions, 1u);
}

TEST(loss_recovered_by_fast_retransmit) {
	Network net;
	REQUIRE(net.Connect());
	bool dropped = false;
	int dataPackets = 0;
	net.filter = [&](bool toB, const std::vector<uint8_t>& p) {
		Fate f;
		if (toB && HasChunk(p, ChunkData) && ++dataPackets == 2 && !dropped) f.drop = dropped = true;
		return f;
	};
	const uint64_t start = net.now;
	std::vector<std::vector<uint8_t>> sent;
	for (int i = 0; i < 8; ++i) {
		sent.push_back(Pattern(1000, static_cast<uint8_t>(i)));
		REQUIRE(SendBytes(net, net.a, 0, sent.back()) == SendResult::Ok);
	}
	REQUIRE(net.RunUntil([&] { return net.b.messages.size() == sent.size(); }, 5000));
	for (size_t i = 0; i < sent.size(); ++i) CHECK(net.b.messages[i].data == sent[i]);
	// Well before the 1 s RTO: three miss indications triggered the retransmission.
	CHECK_LT(net.now - start, 500u);
	CHECK_EQ(net.a.association.GetStats().retransmissions, 1u);
}

TEST(rto_backs_off_and_association_fails_after_max_retransmissions) {
	Options options;
	options.maxRetransmissions = 4;
	options.heartbeatIntervalMs = 0;
	Network net(options, options);
	REQUIRE(net.Connect());
	// From now on b hears nothing.
	net.lossAtoB = 1.0;
	const std::vector<uint8_t> data = Pattern(100, 1);
	REQUIRE(SendBytes(net, net.a, 0, data) == SendResult::Ok);
	REQUIRE(net.RunUntil([&] { return net.a.association.GetState() == State::Failed; }, 600000));
	std::vector<uint64_t> times;
	for (const auto& s : net.log)
		if (s.toB && HasChunk(s.packet, ChunkData)) times.push_back(s.at);
	// The first send and 4 retransmissions (the 5th expiry fails the association).
	REQUIRE_EQ(times.size(), 5u);
	// Intervals double from the initial RTO (no RTT measured yet): 1000, 2000, 4000,
	// 8000 (the next would be capped at rtoMaxMs = 10000).
	CHECK_EQ(times[1] - times[0], 1000u);
	CHECK_EQ(times[2] - times[1], 2000u);
	CHECK_EQ(times[3] - times[2], 4000u);
	CHECK_EQ(times[4] - times[3], 8000u);
	CHECK_EQ(net.a.states.back(), State::Failed);
	CHECK(net.a.association.Send(0, PpidBinary, data.data(), data.size(), SendOptions(), net.now) ==
		SendResult::NotConnected);
	CHECK_EQ(net.a.association.NextTimeoutMs(net.now), UINT64_MAX);
}

TEST(connect_fails_after_max_init_retransmissions) {
	Options options;
	options.maxInitRetransmissions = 3;
	Network net(options, options);
	net.lossAtoB = 1.0;
	net.a.association.Connect(net.now);
	REQUIRE(net.RunUntil([&] { return net.a.association.GetState() == State::Failed; }, 600000));
	CHECK_EQ(net.CountSent(true, ChunkInit), 4u);
}

TEST(stale_cookie_gets_error_and_handshake_restarts) {
	Options options;
	options.cookieLifetimeMs = 1000;
	Network net(options, options);
	bool delayed = false;
	net.filter = [&](bool toB, const std::vector<uint8_t>& p) {
		Fate f;
		if (toB && HasChunk(p, ChunkCookieEcho) && !delayed) {
			delayed = true;
			f.extraDelayMs = 1500; // beyond the cookie's lifetime
		}
		return f;
	};
	net.a.association.Connect(net.now);
	// a's T1-cookie (1 s) fires first: a retransmits the same (now stale) cookie.
	REQUIRE(net.RunUntil([&] { return net.Connected(); }, 30000));
	// b answered a stale cookie with an ERROR (Stale Cookie), a sent a new INIT.
	bool staleError = false;
	for (const auto& s : net.log) {
		CommonHeader h;
		std::vector<RawChunk> chunks;
		if (s.toB || !ParsePacket(s.packet.data(), s.packet.size(), h, chunks)) continue;
		for (const auto& c : chunks)
			if (c.type == ChunkError && c.valueLength >= 4 && ReadU16(c.value) == CauseStaleCookie) staleError = true;
	}
	CHECK(staleError);
	CHECK_GE(net.CountSent(true, ChunkInit), 2u);
}

TEST(stale_cookie_of_the_current_association_is_accepted) {
	// §5.2.4 rule 3: b's COOKIE-ACK is lost and a's COOKIE-ECHO retransmissions arrive
	// after the cookie's lifetime: b (established, same tags) still answers COOKIE-ACK.
	Options options;
	options.cookieLifetimeMs = 1500;
	options.rtoInitialMs = 1000;
	Network net(options, options);
	int cookieAcks = 0;
	net.filter = [&](bool toB, const std::vector<uint8_t>& p) {
		Fate f;
		if (!toB && HasChunk(p, ChunkCookieAck) && cookieAcks++ < 2) f.drop = true;
		return f;
	};
	net.a.association.Connect(net.now);
	REQUIRE(net.RunUntil([&] { return net.Connected(); }, 30000));
	CHECK_EQ(cookieAcks, 3);
	CHECK_EQ(net.CountSent(true, ChunkInit), 1u); // no restart of the handshake
	for (const auto& s : net.log) CHECK(!(!s.toB && HasChunk(s.packet, ChunkError)));
}

TEST(partial_reliability_max_retransmits_zero_on_lossy_link) {
	Network net;
	REQUIRE(net.Connect());
	net.lossAtoB = 0.3;
	SendOptions unreliable;
	unreliable.maxRetransmits = 0;
	unreliable.ordered = true;
	for (int i = 0; i < 200; ++i) {
		const std::vector<uint8_t> data = Pattern(200, static_cast<uint8_t>(i));
		REQUIRE(SendBytes(net, net.a, 5, data, unreliable) == SendResult::Ok);
		net.RunFor(5);
	}
	net.RunFor(5000);
	net.lossAtoB = 0;
	// A later reliable message on the same ordered stream still gets through: no stall.
	const std::vector<uint8_t> last = Pattern(99, 99);
	REQUIRE(SendBytes(net, net.a, 5, last) == SendResult::Ok);
	REQUIRE(net.RunUntil([&] { return !net.b.messages.empty() && net.b.messages.back().data == last; }, 20000));
	net.RunFor(1000);
	const Stats& stats = net.a.association.GetStats();
	CHECK_GT(stats.messagesDiscarded, 0u);
	CHECK_LT(net.b.messages.size(), 201u);
	CHECK_GT(net.b.messages.size(), 100u);
	CHECK_EQ(net.a.association.GetTotalBufferedAmount(), 0u);
	CHECK_GT(net.CountSent(true, ChunkForwardTsn), 0u);
	// What was delivered is in order and intact.
	for (size_t i = 1; i + 1 < net.b.messages.size(); ++i) CHECK_LT(net.b.messages[i - 1].data[0], net.b.messages[i].data[0]);
}

TEST(partial_reliability_lifetime) {
	Network net;
	REQUIRE(net.Connect());
	net.lossAtoB = 1.0;
	SendOptions timed;
	timed.maxPacketLifeTimeMs = 100;
	const std::vector<uint8_t> data = Pattern(3000, 1);
	REQUIRE(SendBytes(net, net.a, 1, data, timed) == SendResult::Ok);
	net.RunFor(50);
	net.lossAtoB = 0;
	net.RunFor(3000);
	CHECK_EQ(net.b.messages.size(), 0u);
	CHECK_EQ(net.a.association.GetStats().messagesDiscarded, 1u);
	const std::vector<uint8_t> next = Pattern(10, 2);
	REQUIRE(SendBytes(net, net.a, 1, next) == SendResult::Ok);
	REQUIRE(net.RunUntil([&] { return net.b.messages.size() == 1; }, 5000));
	CHECK(net.b.messages[0].data == next);
}

TEST(stream_reset_both_ways) {
	Network net;
	REQUIRE(net.Connect());
	const std::vector<uint8_t> data = Pattern(50, 1);
	for (int i = 0; i < 3; ++i) REQUIRE(SendBytes(net, net.a, 7, data) == SendResult::Ok);
	net.a.association.ResetStreams({ 7 }, net.now);
	CHECK(SendBytes(net, net.a, 7, data) == SendResult::InvalidStream);
	REQUIRE(net.RunUntil([&] { return net.b.resets.size() == 1; }, 5000));
	CHECK_EQ(net.b.resets[0], (std::vector<uint16_t>{ 7 }));
	CHECK_EQ(net.b.messages.size(), 3u); // the queued data went first
	net.RunFor(100);
	// The stream is usable again, its SSN restarted at 0 (b delivers it: b's expected
	// SSN for stream 7 was reset to 0 too).
	REQUIRE(SendBytes(net, net.a, 7, data) == SendResult::Ok);
	REQUIRE(net.RunUntil([&] { return net.b.messages.size() == 4; }, 5000));
	bool ssnZero = false;
	for (auto it = net.log.rbegin(); it != net.log.rend(); ++it) {
		CommonHeader h;
		std::vector<RawChunk> chunks;
		if (!it->toB || !ParsePacket(it->packet.data(), it->packet.size(), h, chunks)) continue;
		DataChunk d;
		if (chunks[0].type == ChunkData && d.Parse(chunks[0])) {
			ssnZero = d.ssn == 0 && d.streamId == 7;
			break;
		}
	}
	CHECK(ssnZero);
	// The other way, several streams at once.
	REQUIRE(SendBytes(net, net.b, 7, data) == SendResult::Ok);
	REQUIRE(SendBytes(net, net.b, 8, data) == SendResult::Ok);
	net.b.association.ResetStreams({ 7, 8 }, net.now);
	REQUIRE(net.RunUntil([&] { return net.a.resets.size() == 1; }, 5000));
	auto streams = net.a.resets[0];
	std::sort(streams.begin(), streams.end());
	CHECK_EQ(streams, (std::vector<uint16_t>{ 7, 8 }));
	CHECK_EQ(net.a.messages.size(), 2u);
}

TEST(stream_reset_waits_for_lost_data) {
	Network net;
	REQUIRE(net.Connect());
	bool dropped = false;
	net.filter = [&](bool toB, const std::vector<uint8_t>& p) {
		Fate f;
		if (toB && HasChunk(p, ChunkData) && !dropped) f.drop = dropped = true;
		return f;
	};
	const std::vector<uint8_t> data = Pattern(50, 1);
	REQUIRE(SendBytes(net, net.a, 3, data) == SendResult::Ok);
	net.a.association.ResetStreams({ 3 }, net.now);
	REQUIRE(net.RunUntil([&] { return net.b.resets.size() == 1; }, 10000));
	// The reset was performed only after the lost message arrived (In progress first).
	CHECK_EQ(net.b.messages.size(), 1u);
}

TEST(buffered_amount_and_low_event) {
	Network net;
	REQUIRE(net.Connect());
	net.a.association.SetBufferedAmountLowThreshold(4, 1000);
	const std::vector<uint8_t> data = Pattern(3000, 1);
	REQUIRE(SendBytes(net, net.a, 4, data) == SendResult::Ok);
	REQUIRE(SendBytes(net, net.a, 4, data) == SendResult::Ok);
	REQUIRE(SendBytes(net, net.a, 5, data) == SendResult::Ok);
	// The buffered amount is what is queued and not yet transmitted (W3C
	// RTCDataChannel.bufferedAmount): the first packets leave at once, within the
	// initial cwnd; the total (what counts against the send buffer) still holds all.
	CHECK_LE(net.a.association.GetBufferedAmount(4), 6000u);
	CHECK_GT(net.a.association.GetBufferedAmount(4) + net.a.association.GetBufferedAmount(5), 0u);
	CHECK_EQ(net.a.association.GetTotalBufferedAmount(), 9000u);
	REQUIRE(net.RunUntil([&] { return net.a.association.GetTotalBufferedAmount() == 0; }, 5000));
	CHECK_EQ(net.a.association.GetBufferedAmount(4), 0u);
	CHECK_EQ(net.a.association.GetBufferedAmount(5), 0u);
	// Stream 4 (threshold 1000) and stream 5 (threshold 0) went down to their thresholds.
	size_t stream4 = 0, stream5 = 0;
	for (const auto& low : net.a.lows) {
		if (low.first == 4) {
			++stream4;
			CHECK_LE(low.second, 1000u);
		}
		if (low.first == 5) {
			++stream5;
			CHECK_EQ(low.second, 0u);
		}
	}
	// Stream 4 crossed its threshold when the first message left at once and again when
	// the second one did; each crossing is one event.
	CHECK_GE(stream4, 1u);
	CHECK_LE(stream4, 2u);
	CHECK_EQ(stream5, 1u);
}

TEST(send_buffer_full) {
	Options options;
	options.sendBufferSize = 10000;
	options.perStreamSendQueueLimit = 6000;
	Network net(options, options);
	REQUIRE(net.Connect());
	net.lossAtoB = 1.0; // nothing is acknowledged: everything stays buffered
	const std::vector<uint8_t> big(5000, 1);
	CHECK(SendBytes(net, net.a, 1, big) == SendResult::Ok);
	CHECK(SendBytes(net, net.a, 2, big) == SendResult::Ok);
	CHECK(SendBytes(net, net.a, 3, big) == SendResult::BufferFull); // 15000 > 10000 in total
	CHECK(SendBytes(net, net.a, 3, std::vector<uint8_t>(1, 0)) == SendResult::BufferFull);
	CHECK_EQ(net.a.association.GetTotalBufferedAmount(), 10000u);
	const std::vector<uint8_t> tooLarge(262145, 0);
	CHECK(SendBytes(net, net.a, 3, tooLarge) == SendResult::MessageTooLarge);
	// Once acknowledged, there is room again.
	net.lossAtoB = 0;
	REQUIRE(net.RunUntil([&] { return net.a.association.GetTotalBufferedAmount() == 0; }, 30000));
	CHECK(SendBytes(net, net.a, 3, big) == SendResult::Ok);
}

TEST(per_stream_queue_limit) {
	Options options;
	options.perStreamSendQueueLimit = 6000;
	options.mtu = 1200;
	Network net(options, options);
	REQUIRE(net.Connect());
	net.lossAtoB = 1.0;
	// cwnd lets ~4 packets out; the rest stays queued.
	std::vector<uint8_t> chunk(3000, 1);
	size_t ok = 0;
	SendResult last = SendResult::Ok;
	for (int i = 0; i < 10 && last == SendResult::Ok; ++i) {
		last = SendBytes(net, net.a, 1, chunk);
		if (last == SendResult::Ok) ++ok;
	}
	CHECK(last == SendResult::BufferFull);
	CHECK_GE(ok, 2u);
	// Another stream still has room.
	CHECK(SendBytes(net, net.a, 2, chunk) == SendResult::Ok);
}

TEST(not_connected_send) {
	Network net;
	const std::vector<uint8_t> data(3, 1);
	CHECK(SendBytes(net, net.a, 0, data) == SendResult::NotConnected);
}

TEST(shutdown_graceful) {
	Network net;
	REQUIRE(net.Connect());
	const std::vector<uint8_t> data = Pattern(20000, 1);
	REQUIRE(SendBytes(net, net.a, 0, data) == SendResult::Ok);
	net.a.association.Shutdown(net.now);
	CHECK(SendBytes(net, net.a, 0, data) == SendResult::NotConnected);
	REQUIRE(net.RunUntil([&] {
		return net.a.association.GetState() == State::Closed && net.b.association.GetState() == State::Closed;
	}, 10000));
	// The queued data was delivered before the association closed.
	REQUIRE_EQ(net.b.messages.size(), 1u);
	CHECK(net.b.messages[0].data == data);
	CHECK_EQ(net.CountSent(true, ChunkShutdown), 1u);
	CHECK_EQ(net.CountSent(false, ChunkShutdownAck), 1u);
	CHECK_EQ(net.CountSent(true, ChunkShutdownComplete), 1u);
	CHECK_EQ(net.a.association.NextTimeoutMs(net.now), UINT64_MAX);
}

TEST(shutdown_with_lost_shutdown_ack) {
	Network net;
	REQUIRE(net.Connect());
	int acks = 0;
	net.filter = [&](bool toB, const std::vector<uint8_t>& p) {
		Fate f;
		if (!toB && HasChunk(p, ChunkShutdownAck) && acks++ == 0) f.drop = true;
		return f;
	};
	net.a.association.Shutdown(net.now);
	REQUIRE(net.RunUntil([&] {
		return net.a.association.GetState() == State::Closed && net.b.association.GetState() == State::Closed;
	}, 20000));
	CHECK_EQ(net.CountSent(true, ChunkShutdown), 2u);
}

TEST(abort_both_sides_close) {
	Network net;
	REQUIRE(net.Connect());
	net.a.association.Abort();
	CHECK_EQ(net.a.association.GetState(), State::Closed);
	REQUIRE(net.RunUntil([&] { return net.b.association.GetState() == State::Closed; }, 1000));
	CHECK_EQ(net.CountSent(true, ChunkAbort), 1u);
}

TEST(protocol_violation_aborts_with_cause) {
	Network net;
	REQUIRE(net.Connect());
	// A SACK from "b" that acknowledges a TSN a never sent.
	CommonHeader h;
	std::vector<RawChunk> initChunks;
	REQUIRE(ParsePacket(net.log[0].packet.data(), net.log[0].packet.size(), h, initChunks));
	InitChunk init;
	REQUIRE(init.Parse(initChunks[0]));
	uint32_t aTag = 0;
	for (const auto& s : net.log)
		if (!s.toB && !HasChunk(s.packet, ChunkInitAck)) aTag = VerificationTag(s.packet);
	SackChunk sack;
	sack.cumulativeTsnAck = init.initialTsn + 1000;
	sack.aRwnd = 1000;
	std::vector<uint8_t> chunk;
	// cumulative TSN ack far ahead of anything sent
	sack.Serialize(chunk);
	std::vector<uint8_t> packet = MakePacket(aTag, { chunk });
	net.a.association.HandlePacket(packet.data(), packet.size(), net.now);
	net.Collect();
	CHECK_EQ(net.a.association.GetState(), State::Failed);
	REQUIRE(!net.log.empty());
	CHECK(HasChunk(net.log.back().packet, ChunkAbort));
	REQUIRE(net.RunUntil([&] { return net.b.association.GetState() != State::Connected; }, 1000));
	CHECK_EQ(net.b.association.GetState(), State::Failed); // the ABORT carries an error cause
}

TEST(heartbeat_on_idle_answered) {
	Options options;
	options.heartbeatIntervalMs = 5000;
	Network net(options, options);
	REQUIRE(net.Connect());
	net.RunFor(60000);
	CHECK_GE(net.CountSent(true, ChunkHeartbeat), 5u);
	CHECK_GE(net.CountSent(false, ChunkHeartbeatAck), 5u);
	CHECK(net.Connected());
}

TEST(heartbeat_echoes_info) {
	Network net;
	REQUIRE(net.Connect());
	uint32_t bTag = 0;
	for (const auto& s : net.log)
		if (s.toB && !HasChunk(s.packet, ChunkInit)) bTag = VerificationTag(s.packet);
	HeartbeatChunk hb;
	hb.info = { 1, 2, 3, 4, 5, 6, 7 };
	std::vector<uint8_t> chunk;
	hb.Serialize(ChunkHeartbeat, chunk);
	std::vector<uint8_t> packet = MakePacket(bTag, { chunk });
	net.b.outbox.clear();
	net.b.association.HandlePacket(packet.data(), packet.size(), net.now);
	REQUIRE_EQ(net.b.outbox.size(), 1u);
	CommonHeader h;
	std::vector<RawChunk> chunks;
	REQUIRE(ParsePacket(net.b.outbox[0].data(), net.b.outbox[0].size(), h, chunks));
	REQUIRE_EQ(chunks[0].type, ChunkHeartbeatAck);
	HeartbeatChunk ack;
	REQUIRE(ack.Parse(chunks[0]));
	CHECK_EQ(ack.info, hb.info);
	net.b.outbox.clear();
}

TEST(oversized_heartbeat_ack_goes_alone) {
	Network net;
	REQUIRE(net.Connect());
	uint32_t bTag = 0;
	for (const auto& s : net.log)
		if (s.toB && !HasChunk(s.packet, ChunkInit)) bTag = VerificationTag(s.packet);
	net.RunFor(10);
	const std::vector<uint8_t> data = Pattern(5000, 1);
	HeartbeatChunk hb;
	hb.info.assign(2000, 0xAB);
	std::vector<uint8_t> chunk;
	hb.Serialize(ChunkHeartbeat, chunk);
	// b has 5000 bytes to send: 4 chunks go (cwnd 4380), the 5th waits. The HEARTBEAT
	// comes bundled with a SACK for the four, so the 5th goes out while the oversized
	// HEARTBEAT-ACK is being packed: it must not join it.
	REQUIRE(SendBytes(net, net.b, 1, data) == SendResult::Ok);
	net.b.outbox.clear();
	SackChunk sack;
	sack.cumulativeTsnAck = AssociationTestAccess::LocalInitialTsn(net.b.association) + 3;
	sack.aRwnd = 100000;
	std::vector<uint8_t> sackChunk;
	sack.Serialize(sackChunk);
	std::vector<uint8_t> packet = MakePacket(bTag, { chunk, sackChunk });
	net.b.association.HandlePacket(packet.data(), packet.size(), net.now);
	bool sawAck = false;
	CHECK_GE(net.b.outbox.size(), 2u);
	for (const auto& p : net.b.outbox) {
		const auto types = ChunkTypes(p);
		if (HasChunk(p, ChunkHeartbeatAck)) {
			sawAck = true;
			CHECK_EQ(types.size(), 1u);
		} else {
			CHECK_LE(p.size(), 1200u);
		}
	}
	CHECK(sawAck);
	net.b.outbox.clear();
}

TEST(heartbeat_failure_when_peer_silent) {
	Options options;
	options.heartbeatIntervalMs = 1000;
	options.maxRetransmissions = 3;
	Network net(options, options);
	REQUIRE(net.Connect());
	net.lossAtoB = 1.0;
	REQUIRE(net.RunUntil([&] { return net.a.association.GetState() == State::Failed; }, 100000));
}

TEST(malformed_packets_dropped_and_counted) {
	Network net;
	REQUIRE(net.Connect());
	uint32_t bTag = 0;
	for (const auto& s : net.log)
		if (s.toB && !HasChunk(s.packet, ChunkInit)) bTag = VerificationTag(s.packet);
	Association& b = net.b.association;
	const uint64_t before = b.GetStats().packetsDropped;
	DataChunk data;
	data.tsn = 12345;
	data.payload = { 1, 2, 3 };
	std::vector<uint8_t> chunk;
	data.Serialize(chunk);
	// Bad CRC.
	std::vector<uint8_t> packet = MakePacket(bTag, { chunk });
	packet[8] ^= 0xFF;
	b.HandlePacket(packet.data(), packet.size(), net.now);
	// Bad verification tag.
	packet = MakePacket(bTag + 1, { chunk });
	b.HandlePacket(packet.data(), packet.size(), net.now);
	// Truncated chunk (length beyond the packet), valid CRC.
	packet = MakePacket(bTag, { chunk });
	WriteU16(packet.data() + 14, 200);
	WriteSctpChecksum(packet.data(), packet.size());
	b.HandlePacket(packet.data(), packet.size(), net.now);
	// DATA chunk too short for its header.
	std::vector<uint8_t> shortData = { ChunkData, 3, 0, 8, 0, 0, 0, 1 };
	packet = MakePacket(bTag, { shortData });
	b.HandlePacket(packet.data(), packet.size(), net.now);
	// Too short for a common header; null.
	b.HandlePacket(packet.data(), 5, net.now);
	b.HandlePacket(nullptr, 0, net.now);
	// Wrong ports.
	packet = MakePacket(bTag, { chunk });
	WriteU16(packet.data(), 5001);
	WriteSctpChecksum(packet.data(), packet.size());
	b.HandlePacket(packet.data(), packet.size(), net.now);
	CHECK_EQ(b.GetStats().packetsDropped - before, 7u);
	CHECK_EQ(b.GetState(), State::Connected);
	CHECK_EQ(net.b.messages.size(), 0u);
	// Still works.
	const std::vector<uint8_t> hello = Pattern(10, 1);
	REQUIRE(SendBytes(net, net.a, 1, hello) == SendResult::Ok);
	CHECK(net.RunUntil([&] { return net.b.messages.size() == 1; }, 2000));
}

TEST(unknown_chunks_follow_type_bits) {
	Network net;
	REQUIRE(net.Connect());
	uint32_t bTag = 0;
	for (const auto& s : net.log)
		if (s.toB && !HasChunk(s.packet, ChunkInit)) bTag = VerificationTag(s.packet);
	DataChunk data;
	data.tsn = 0; // filled below
	std::vector<uint8_t> skipReport = { 0xC7, 0, 0, 4 }; // 11: skip and report
	std::vector<uint8_t> stop = { 0x07 + 0x30, 0, 0, 4 }; // 00: stop (type 0x37)
	std::vector<uint8_t> packet = MakePacket(bTag, { skipReport, stop });
	net.b.outbox.clear();
	net.b.association.HandlePacket(packet.data(), packet.size(), net.now);
	REQUIRE_EQ(net.b.outbox.size(), 1u);
	CommonHeader h;
	std::vector<RawChunk> chunks;
	REQUIRE(ParsePacket(net.b.outbox[0].data(), net.b.outbox[0].size(), h, chunks));
	CHECK_EQ(chunks[0].type, ChunkError);
	CHECK_EQ(ReadU16(chunks[0].value), CauseUnrecognizedChunkType);
	net.b.outbox.clear();
	CHECK(net.Connected());
}

TEST(too_large_message_discarded_and_counted) {
	Options small;
	small.maxReceiveMessageSize = 10000;
	Network net(Options(), small);
	REQUIRE(net.Connect());
	const std::vector<uint8_t> big = Pattern(50000, 1), ok = Pattern(9000, 2);
	REQUIRE(SendBytes(net, net.a, 1, big) == SendResult::Ok);
	REQUIRE(SendBytes(net, net.a, 1, ok) == SendResult::Ok);
	SendOptions unordered;
	unordered.ordered = false;
	REQUIRE(SendBytes(net, net.a, 2, big, unordered) == SendResult::Ok);
	REQUIRE(SendBytes(net, net.a, 2, ok, unordered) == SendResult::Ok);
	REQUIRE(net.RunUntil([&] { return net.b.messages.size() == 2; }, 10000));
	CHECK(net.b.messages[0].data == ok);
	CHECK(net.b.messages[1].data == ok);
	CHECK_EQ(net.b.association.GetStats().messagesDiscarded, 2u);
	net.RunFor(1000);
	CHECK_EQ(net.a.association.GetTotalBufferedAmount(), 0u);
}

TEST(message_larger_than_receive_window) {
	Options small;
	small.maxReceiverWindowBufferSize = 16000;
	Network net(Options(), small);
	REQUIRE(net.Connect());
	net.lossAtoB = 0.05;
	const std::vector<uint8_t> big = Pattern(100000, 3);
	REQUIRE(SendBytes(net, net.a, 1, big) == SendResult::Ok);
	REQUIRE(SendBytes(net, net.a, 1, big) == SendResult::Ok);
	REQUIRE(net.RunUntil([&] { return net.b.messages.size() == 2; }, 120000));
	CHECK(net.b.messages[0].data == big);
	CHECK(net.b.messages[1].data == big);
}

TEST(random_loss_duplication_and_reordering_both_ways) {
	for (int seed = 0; seed < 3; ++seed) {
		Network net;
		REQUIRE(net.Connect(true));
		std::mt19937 rng(seed);
		net.filter = [&](bool, const std::vector<uint8_t>&) {
			Fate f;
			const int r = static_cast<int>(rng() % 100);
			f.drop = r < 10;
			f.duplicate = r >= 10 && r < 15;
			f.extraDelayMs = (r >= 15 && r < 30) ? 25 : 0;
			return f;
		};
		std::vector<std::vector<uint8_t>> toB, toA;
		for (int i = 0; i < 40; ++i) {
			toB.push_back(Pattern(1 + (i * 997) % 5000, static_cast<uint8_t>(i)));
			toA.push_back(Pattern(1 + (i * 1499) % 3000, static_cast<uint8_t>(i + 100)));
			REQUIRE(SendBytes(net, net.a, static_cast<uint16_t>(i % 3), toB.back()) == SendResult::Ok);
			REQUIRE(SendBytes(net, net.b, 1, toA.back()) == SendResult::Ok);
			net.RunFor(3);
		}
		REQUIRE(net.RunUntil([&] { return net.b.messages.size() == toB.size() && net.a.messages.size() == toA.size(); },
			120000));
		for (size_t i = 0; i < toA.size(); ++i) CHECK(net.a.messages[i].data == toA[i]);
		// Per stream order on a->b.
		for (uint16_t s = 0; s < 3; ++s) {
			std::vector<std::vector<uint8_t>> expected, got;
			for (size_t i = 0; i < toB.size(); ++i)
				if (i % 3 == s) expected.push_back(toB[i]);
			for (const auto& m : net.b.messages)
				if (m.streamId == s) got.push_back(m.data);
			CHECK(expected == got);
		}
	}
}

TEST(soak_mixed_reliability_resets_and_hostile_network) {
	// Both directions, 10% loss, duplicates, reordering; reliable ordered, reliable
	// unordered and unreliable messages on several streams; stream resets along the
	// way. Every reliable message arrives intact, per stream in order for ordered ones.
	for (uint32_t seed = 1; seed <= 4; ++seed) {
		Network net;
		REQUIRE(net.Connect(true));
		std::mt19937 rng(seed);
		net.filter = [&](bool, const std::vector<uint8_t>&) {
			Fate f;
			const int r = static_cast<int>(rng() % 100);
			f.drop = r < 10;
			f.duplicate = r >= 10 && r < 14;
			f.extraDelayMs = (r >= 14 && r < 24) ? 1 + rng() % 40 : 0;
			return f;
		};
		struct Expect {
			uint16_t stream;
			bool ordered;
			std::vector<uint8_t> data;
		};
		std::vector<Expect> reliableToB;
		uint32_t counter = 0;
		for (int i = 0; i < 150; ++i) {
			const uint16_t stream = static_cast<uint16_t>(rng() % 4);
			const int kind = static_cast<int>(rng() % 3);
			std::vector<uint8_t> data = Pattern(1 + rng() % 4000, static_cast<uint8_t>(i));
			// A tag at the front so order can be checked.
			data.insert(data.begin(), { static_cast<uint8_t>(counter >> 8), static_cast<uint8_t>(counter) });
			++counter;
			SendOptions o;
			o.ordered = kind != 1;
			if (kind == 2) o.maxRetransmits = static_cast<int32_t>(rng() % 2);
			const SendResult r = SendBytes(net, net.a, stream, data, o);
			if (r == SendResult::Ok && kind != 2) reliableToB.push_back({ stream, o.ordered, data });
			// The other way too, reliable only.
			SendBytes(net, net.b, stream, Pattern(1 + rng() % 500, 1));
			if (rng() % 40 == 0) {
				// Let the stream drain, then reset it (its messages are all reliable or gone).
				net.a.association.ResetStreams({ stream }, net.now);
			}
			net.RunFor(rng() % 20);
		}
		auto allArrived = [&] {
			size_t found = 0;
			for (const auto& e : reliableToB)
				for (const auto& m : net.b.messages)
					if (m.streamId == e.stream && m.data == e.data) {
						++found;
						break;
					}
			return found == reliableToB.size();
		};
		CHECK(net.RunUntil(allArrived, 300000));
		CHECK(net.Connected());
		// Per stream, ordered reliable messages arrive in sending order.
		for (uint16_t stream = 0; stream < 4; ++stream) {
			int last = -1;
			for (const auto& m : net.b.messages) {
				if (m.streamId != stream || m.data.size() < 2) continue;
				bool orderedReliable = false;
				for (const auto& e : reliableToB)
					if (e.ordered && e.stream == stream && e.data == m.data) orderedReliable = true;
				if (!orderedReliable) continue;
				const int tag = (m.data[0] << 8) | m.data[1];
				CHECK_LT(last, tag);
				last = tag;
			}
		}
	}
}

TEST(send_from_inside_message_callback) {
	Network net;
	REQUIRE(net.Connect());
	net.b.onMessage = [&](const ReceivedMessage& m) {
		net.b.association.Send(m.streamId, m.ppid, m.data.data(), m.data.size(), SendOptions(), net.now);
	};
	const std::vector<uint8_t> ping = Pattern(64, 5);
	REQUIRE(SendBytes(net, net.a, 2, ping) == SendResult::Ok);
	REQUIRE(net.RunUntil([&] { return net.a.messages.size() == 1; }, 2000));
	CHECK(net.a.messages[0].data == ping);
}

TEST(peer_restart_is_accepted) {
	Network net;
	REQUIRE(net.Connect());
	// b loses its state (a new Association on the same transport) and connects again:
	// a answers its INIT with Tie-Tags (§5.2.2), takes the COOKIE-ECHO as a restart
	// (§5.2.4 A) and keeps working with the new peer.
	Endpoint fresh{ Options() };
	Association& restarted = fresh.association;
	restarted.Connect(net.now);
	for (int round = 0; round < 10; ++round) {
		for (auto& p : fresh.outbox) net.a.association.HandlePacket(p.data(), p.size(), net.now);
		fresh.outbox.clear();
		for (auto& p : net.a.outbox) restarted.HandlePacket(p.data(), p.size(), net.now);
		net.a.outbox.clear();
	}
	REQUIRE_EQ(restarted.GetState(), State::Connected);
	CHECK_EQ(net.a.association.GetState(), State::Connected);
	const std::vector<uint8_t> hello = Pattern(10, 4);
	REQUIRE(restarted.Send(1, PpidBinary, hello.data(), hello.size(), SendOptions(), net.now) == SendResult::Ok);
	for (auto& p : fresh.outbox) net.a.association.HandlePacket(p.data(), p.size(), net.now);
	REQUIRE_EQ(net.a.messages.size(), 1u);
	CHECK(net.a.messages[0].data == hello);
}

TEST(out_of_the_blue_packets) {
	Network net;
	// b has no association: a SHUTDOWN-ACK gets SHUTDOWN-COMPLETE with the T bit, a
	// DATA an ABORT with the T bit, an ABORT nothing (RFC 9260 §8.4).
	std::vector<uint8_t> shutdownAck, abort;
	SerializeEmptyChunk(ChunkShutdownAck, 0, shutdownAck);
	std::vector<uint8_t> packet = MakePacket(0x1234, { shutdownAck });
	net.b.association.HandlePacket(packet.data(), packet.size(), net.now);
	REQUIRE_EQ(net.b.outbox.size(), 1u);
	CHECK_EQ(ChunkTypes(net.b.outbox[0]), (std::vector<uint8_t>{ ChunkShutdownComplete }));
	CHECK_EQ(net.b.outbox[0][13], 1u);
	CHECK_EQ(VerificationTag(net.b.outbox[0]), 0x1234u);
	DataChunk data;
	data.payload = { 1 };
	std::vector<uint8_t> chunk;
	data.Serialize(chunk);
	packet = MakePacket(0x5678, { chunk });
	net.b.association.HandlePacket(packet.data(), packet.size(), net.now);
	REQUIRE_EQ(net.b.outbox.size(), 2u);
	CHECK_EQ(ChunkTypes(net.b.outbox[1]), (std::vector<uint8_t>{ ChunkAbort }));
	CHECK_EQ(net.b.outbox[1][13], 1u);
	ErrorCauseChunk abortChunk;
	abortChunk.Serialize(ChunkAbort, abort);
	packet = MakePacket(0x5678, { abort });
	net.b.association.HandlePacket(packet.data(), packet.size(), net.now);
	CHECK_EQ(net.b.outbox.size(), 2u);
	CHECK_EQ(net.b.association.GetState(), State::New);
	net.b.outbox.clear();
	// And it can still connect afterwards.
	REQUIRE(net.Connect());
}

TEST(foreign_init_with_extension_parameters) {
	// An INIT as other stacks send it: AUTH parameters (RANDOM, CHUNKS, HMAC-ALGO),
	// Supported Address Types, ECN capable, Zero Checksum Acceptable, Supported
	// Extensions listing I-DATA and ASCONF, Forward-TSN-Supported. All of them are
	// skipped without a report (type bits 10, or known), and b answers with an INIT-ACK
	// carrying a cookie and no Unrecognized Parameter.
	Network net;
	std::vector<uint8_t> init;
	ByteWriter w(init);
	w.U8(ChunkInit);
	w.U8(0);
	w.U16(0);
	w.U32(0xCAFEBABE); // initiate tag
	w.U32(0x20000);
	w.U16(1024);
	w.U16(1024);
	w.U32(12345);
	auto param = [&](uint16_t type, std::vector<uint8_t> value) {
		w.U16(type);
		w.U16(static_cast<uint16_t>(4 + value.size()));
		w.Bytes(value);
		w.Pad4();
	};
	param(0x8002, std::vector<uint8_t>(32, 7));          // RANDOM
	param(0x8003, { 0xC1, 0x80 });                       // CHUNKS
	param(0x8004, { 0, 1 });                             // HMAC-ALGO
	param(12, { 0, 5 });                                 // Supported Address Types
	param(0x8000, {});                                   // ECN capable
	param(0x8001, { 0, 0, 0, 1 });                       // Zero Checksum Acceptable
	param(0x8008, { 0x82, 0xC0, 0x40, 0xC2, 0xC1, 0x80 }); // Supported Extensions
	param(0xC000, {});                                   // Forward-TSN-Supported
	WriteU16(init.data() + 2, static_cast<uint16_t>(init.size()));
	std::vector<uint8_t> packet = MakePacket(0, { init });
	net.b.association.HandlePacket(packet.data(), packet.size(), net.now);
	REQUIRE_EQ(net.b.outbox.size(), 1u);
	CHECK_EQ(VerificationTag(net.b.outbox[0]), 0xCAFEBABEu);
	CommonHeader h;
	std::vector<RawChunk> chunks;
	REQUIRE(ParsePacket(net.b.outbox[0].data(), net.b.outbox[0].size(), h, chunks));
	REQUIRE_EQ(chunks.size(), 1u);
	InitChunk ack;
	REQUIRE(chunks[0].type == ChunkInitAck && ack.Parse(chunks[0]));
	CHECK(ack.hasStateCookie);
	CHECK(ack.forwardTsnSupported);
	CHECK(ack.SupportsExtension(ChunkReConfig));
	CHECK(!ack.SupportsExtension(ChunkIData));
	CHECK_EQ(ack.unrecognizedParameters.size(), 0u);
	// No Unrecognized Parameter (8) in the INIT-ACK.
	bool unrecognized = false;
	for (size_t off = 16; off + 4 <= chunks[0].valueLength;) {
		const uint16_t type = ReadU16(chunks[0].value + off);
		const uint16_t len = ReadU16(chunks[0].value + off + 2);
		if (type == ParamUnrecognized) unrecognized = true;
		if (len < 4) break;
		off += (len + 3) & ~3u;
	}
	CHECK(!unrecognized);
	CHECK_EQ(net.b.association.GetState(), State::Connecting);
	net.b.outbox.clear();
}

TEST(looks_like_sctp) {
	std::vector<uint8_t> packet = MakePacket(1, { { ChunkCookieAck, 0, 0, 4 } });
	CHECK(Association::LooksLikeSctp(packet.data(), packet.size()));
	CHECK(!Association::LooksLikeSctp(packet.data(), 12));
	CHECK(!Association::LooksLikeSctp(packet.data(), packet.size(), 5001));
	const uint8_t rtp[16] = { 0x80, 0x60 };
	CHECK(!Association::LooksLikeSctp(rtp, sizeof(rtp)));
}
