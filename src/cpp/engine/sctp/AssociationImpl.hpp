#pragma once
// Internal to the SCTP association (not for other engine code): the state behind
// Association, shared by SctpAssociation.cpp (input, output, timers, public calls) and
// the files that handle one part of the protocol each: AssociationHandshake.cpp
// (§5: INIT, INIT-ACK, COOKIE-ECHO, COOKIE-ACK, collisions), AssociationData.cpp (DATA,
// SACK, FORWARD-TSN), AssociationControl.cpp (HEARTBEAT, ABORT, ERROR, unknown
// chunks), AssociationShutdown.cpp (§9.2) and
// AssociationStreamReset.cpp (RFC 6525).

#include <cstdint>
#include <memory>
#include <random>
#include <utility>
#include <vector>

#include "DataReceiver.hpp"
#include "DataSender.hpp"
#include "RetransmissionTimeout.hpp"
#include "SctpAssociation.hpp"
#include "SctpPacket.hpp"
#include "SipHash.hpp"
#include "StreamReset.hpp"

namespace mediaplane {
namespace sctp {

namespace association_internal {

// RFC 9260 §4 states.
enum class Phase {
	Closed,
	CookieWait,
	CookieEchoed,
	Established,
	ShutdownPending,
	ShutdownSent,
	ShutdownReceived,
	ShutdownAckSent,
	Terminated, // Closed or Failed for good
};

constexpr uint64_t kNever = UINT64_MAX;
// §6.2: a SACK at the latest 200 ms after the first unacknowledged DATA.
constexpr uint64_t kDelayedSackMs = 200;

struct Timer {
	uint64_t deadline = kNever;
	uint32_t count = 0; // expirations since it was (re)started by new progress
	bool Running() const { return deadline != kNever; }
	bool Expired(uint64_t now) const { return deadline != kNever && now >= deadline; }
	void Stop() {
		deadline = kNever;
		count = 0;
	}
};

} // namespace association_internal

using association_internal::Phase;
using association_internal::Timer;
using association_internal::kNever;
using association_internal::kDelayedSackMs;

class Association::Impl {
public:
	Impl(Listener& listener, const Options& options);

	void Connect(uint64_t now);
	void HandlePacket(const uint8_t* data, size_t len, uint64_t now);
	SendResult Send(uint16_t streamId, uint32_t ppid, const uint8_t* data, size_t len, const SendOptions& options,
		uint64_t now);
	void ResetStreams(const std::vector<uint16_t>& streamIds, uint64_t now);
	void Shutdown(uint64_t now);
	void Abort();
	void OnTimer(uint64_t now);
	uint64_t NextTimeoutMs() const;

	// Runs a public entry point: packets queued by it (and by listener calls made from
	// inside it) are sent when the outermost one returns.
	template <typename F>
	void Enter(uint64_t now, F&& body) {
		++depth;
		if (now > this->now) this->now = now;
		body();
		if (--depth == 0) Flush();
	}

	Listener& listener;
	Options options;
	Stats stats;
	State publicState = State::New;
	Phase phase = Phase::Closed;
	std::mt19937 rng;
	SipHashKey cookieKey{};

	uint32_t localTag = 0;
	uint32_t localInitialTsn = 0;
	uint32_t peerTag = 0;
	uint32_t peerInitialTsn = 0;
	uint16_t negotiatedOutbound = 0;
	uint16_t negotiatedInbound = 0;
	bool peerForwardTsn = false;
	bool peerReconfig = false;

	std::unique_ptr<DataSender> sender;
	std::unique_ptr<DataReceiver> receiver;
	StreamReset streamReset;
	RetransmissionTimeout rto;
	std::vector<std::pair<uint16_t, size_t>> lowThresholds; // set before the data path exists
	uint64_t discardedBefore = 0; // from data paths replaced by a restart

	Timer t1;          // T1-init / T1-cookie (§5.1)
	uint32_t t1Rto = 0;
	Timer t2;          // T2-shutdown (§9.2)
	Timer t3;          // T3-rtx (§6.3.2)
	Timer sackTimer;   // delayed SACK (§6.2)
	Timer heartbeat;   // HEARTBEAT (§8.3)
	Timer reconfigTimer; // RE-CONFIG retransmission (RFC 6525 §5.1.1)
	uint32_t errorCount = 0; // association error counter (§8.1)
	std::vector<uint8_t> initChunk;       // our INIT, for T1-init
	std::vector<uint8_t> cookieEchoChunk; // our COOKIE-ECHO, for T1-cookie
	bool heartbeatOutstanding = false;
	uint64_t heartbeatNonce = 0;

	std::vector<std::vector<uint8_t>> control; // chunks for the next packet(s) to the peer
	bool sackNow = false;
	uint32_t dataPacketsSinceSack = 0;
	uint32_t lastAdvertisedRwnd = UINT32_MAX;
	bool forwardTsnDue = false;
	bool forwardTsnSent = false;
	uint32_t lastForwardTsn = 0;

	uint64_t now = 0;
	int depth = 0;
	bool flushing = false;

	// ---- helpers ----
	bool HasTcb() const { return phase != Phase::Closed && phase != Phase::Terminated; }
	bool DataPathUp() const {
		return phase == Phase::Established || phase == Phase::ShutdownPending || phase == Phase::ShutdownSent ||
			phase == Phase::ShutdownReceived || phase == Phase::ShutdownAckSent;
	}
	uint32_t RandomNonZero() {
		uint32_t v = 0;
		while (v == 0) v = static_cast<uint32_t>(rng());
		return v;
	}
	void DrawSecrets();
	void SetPublicState(State state);
	void Terminate(State state);
	void Fail() { Terminate(State::Failed); }
	void SendChunks(uint32_t vtag, const std::vector<std::vector<uint8_t>>& chunks);
	void SendChunk(uint32_t vtag, const std::vector<uint8_t>& chunk) { SendChunks(vtag, { chunk }); }
	void Emit(std::vector<uint8_t>& packet);
	void Flush();
	void FireSenderEvents();
	void UpdateDiscardStats();
	// Sends ABORT with one error cause and fails (§3.3.7, a protocol violation).
	void AbortWithCause(uint16_t cause, const uint8_t* info, size_t len);

	InitChunk BuildInit(uint32_t tag, uint32_t tsn) const;
	void SendInit();
	void StartDataPath(uint32_t tag, uint32_t initialTsn, uint32_t rwnd, uint16_t outbound, uint16_t inbound, bool fwd,
		bool reconfig);
	void EnterEstablished();

	// Chunk handlers: false stops the processing of the rest of the packet.
	bool HandleInit(const RawChunk& raw, const CommonHeader& header, size_t chunkCount);
	bool HandleInitAck(const RawChunk& raw);
	bool HandleCookieEcho(const RawChunk& raw, const CommonHeader& header);
	bool HandleCookieAck();
	bool HandleData(const RawChunk& raw, bool& immediateSack);
	bool HandleSack(const RawChunk& raw);
	bool HandleHeartbeat(const RawChunk& raw);
	bool HandleHeartbeatAck(const RawChunk& raw);
	bool HandleAbort(const RawChunk& raw);
	bool HandleError(const RawChunk& raw);
	bool HandleShutdown(const RawChunk& raw);
	bool HandleShutdownAck();
	bool HandleShutdownComplete();
	bool HandleForwardTsn(const RawChunk& raw);
	bool HandleReConfig(const RawChunk& raw);
	bool HandleUnknown(const RawChunk& raw);

	void MaybeSendShutdownOrAck();
	void SendShutdown();
	void SendShutdownAck();
	void AfterSackProgress(const DataSender::SackOutcome& outcome);
	void MaybeStartStreamReset();
	void SendReconfigRequest();
	void CheckDeferredReset();
	void OnDataDelivered(std::vector<DataReceiver::Message>& messages);
	void HandleOutOfTheBlue(const CommonHeader& header, const std::vector<RawChunk>& chunks);
	void Dropped() { stats.packetsDropped++; }
};

} // namespace sctp
} // namespace mediaplane
