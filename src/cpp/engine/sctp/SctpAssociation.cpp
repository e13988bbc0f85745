// One SCTP association (RFC 9260): the state machine, the handshake with INIT collision
// handling (§5.2), verification tags (§8.5), timers (T1-init, T1-cookie, T2-shutdown,
// T3-rtx, delayed SACK, heartbeat, RE-CONFIG retransmission), HEARTBEAT, SHUTDOWN and
// ABORT. The data path lives in DataSender/DataReceiver, stream resets in StreamReset,
// the wire format in SctpPacket.
//
// Public states (see SctpAssociation.hpp):
//   New         no association (internal CLOSED, before anything happened)
//   Connecting  Connect() called (COOKIE-WAIT, COOKIE-ECHOED), or an INIT from the peer
//               was answered while we had no association yet
//   Connected   ESTABLISHED and the shutdown states up to the end of the SHUTDOWN
//               exchange
//   Closed      orderly: SHUTDOWN completed, Shutdown()/Abort() by us, or an ABORT from
//               the peer without an error cause or with "User-Initiated Abort"
//   Failed      errors: retransmission limits exceeded (TOO_MANY_RETRIES: T1-init,
//               T1-cookie, T3-rtx, T2-shutdown, heartbeat, RE-CONFIG), a protocol
//               violation by the peer (we send ABORT with the cause), or a peer ABORT
//               carrying any other error cause
//
// Not implemented: I-DATA / I-FORWARD-TSN (RFC 8260; never offered, so a conforming
// peer never sends them; received anyway they are unknown chunks, §3.2), the other
// RE-CONFIG requests (incoming SSN reset, SSN/TSN reset, add streams: answered
// "Denied"), AUTH (RFC 4895), ASCONF, ECN, Max.Burst, multi-homing, the Cookie
// Preservative (ignored), a restart notification (a peer restart, §5.2.4 A, resets the
// data path silently: queued messages are dropped and SSNs restart).
#include "SctpAssociation.hpp"

#include <algorithm>
#include <random>

#include "AssociationTestAccess.hpp"
#include "ByteIo.hpp"
#include "Crc32c.hpp"
#include "DataReceiver.hpp"
#include "DataSender.hpp"
#include "RetransmissionTimeout.hpp"
#include "SctpPacket.hpp"
#include "SerialNumber.hpp"
#include "StateCookie.hpp"
#include "StreamReset.hpp"

namespace mediaplane {
namespace sctp {

const char* StateName(State state) {
	switch (state) {
	case State::New: return "new";
	case State::Connecting: return "connecting";
	case State::Connected: return "connected";
	case State::Failed: return "failed";
	case State::Closed: return "closed";
	}
	return "new";
}

namespace {

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

} // namespace

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

Association::Impl::Impl(Listener& listener, const Options& options)
	: listener(listener), options(options), rto(options.rtoInitialMs, options.rtoMinMs, options.rtoMaxMs) {
	if (this->options.mtu < 256) this->options.mtu = 256;
	if (this->options.mtu > 65535) this->options.mtu = 65535;
	if (this->options.maxOutboundStreams == 0) this->options.maxOutboundStreams = 1;
	if (this->options.maxInboundStreams == 0) this->options.maxInboundStreams = 1;
	std::random_device device;
	std::seed_seq seed{ device(), device(), device(), device() };
	rng.seed(seed);
	DrawSecrets();
}

void Association::Impl::DrawSecrets() {
	for (auto& b : cookieKey) b = static_cast<uint8_t>(rng());
	// §5.1: random, non-zero verification tag; random initial TSN. One pair per
	// association: it is used both for our INIT and for INIT-ACKs answered before it
	// (so a WebRTC INIT collision always sees consistent tags, §5.2.1).
	localTag = RandomNonZero();
	localInitialTsn = static_cast<uint32_t>(rng());
}

void Association::Impl::SetPublicState(State state) {
	if (publicState == state) return;
	publicState = state;
	listener.OnSctpStateChange(state);
}

void Association::Impl::Terminate(State state) {
	phase = Phase::Terminated;
	t1.Stop();
	t2.Stop();
	t3.Stop();
	sackTimer.Stop();
	heartbeat.Stop();
	reconfigTimer.Stop();
	control.clear();
	sackNow = false;
	SetPublicState(state);
}

void Association::Impl::Emit(std::vector<uint8_t>& packet) {
	stats.packetsSent++;
	stats.bytesSent += packet.size();
	listener.OnSctpSendPacket(packet.data(), packet.size());
}

void Association::Impl::SendChunks(uint32_t vtag, const std::vector<std::vector<uint8_t>>& chunks) {
	PacketBuilder packet(options.localPort, options.remotePort, vtag);
	for (const auto& chunk : chunks) {
		if (packet.HasChunks() && packet.Size() + chunk.size() > options.mtu) {
			Emit(packet.Finish());
			packet = PacketBuilder(options.localPort, options.remotePort, vtag);
		}
		packet.Add(chunk);
	}
	if (packet.HasChunks()) Emit(packet.Finish());
}

void Association::Impl::AbortWithCause(uint16_t cause, const uint8_t* info, size_t len) {
	if (phase == Phase::Terminated) return;
	ErrorCauseChunk abort;
	abort.AddCause(cause, info, len);
	std::vector<uint8_t> chunk;
	// §8.5.1: with the peer's tag when we know it, else our own with the T bit.
	abort.tagReflected = peerTag == 0;
	abort.Serialize(ChunkAbort, chunk);
	SendChunk(peerTag ? peerTag : localTag, chunk);
	Fail();
}

void Association::Impl::FireSenderEvents() {
	if (!sender) return;
	std::vector<DataSender::BufferedAmountLow> events;
	sender->TakeBufferedAmountLowEvents(events);
	for (const auto& e : events) listener.OnSctpBufferedAmountLow(e.streamId, e.amount);
}

void Association::Impl::UpdateDiscardStats() {
	uint64_t discarded = discardedBefore;
	if (sender) discarded += sender->AbandonedMessages();
	if (receiver) discarded += receiver->DiscardedMessages();
	stats.messagesDiscarded = discarded;
}

// ---- Output ----

void Association::Impl::Flush() {
	if (flushing) return;
	flushing = true;
	// Each round: control chunks first (SACK first of all), then DATA (§6.1: and
	// retransmissions before new data), packed into packets of at most the MTU.
	for (int guard = 0; guard < 100000; ++guard) {
		if (phase == Phase::Terminated) break;
		const bool dataUp = DataPathUp() && sender;
		if (dataUp) {
			MaybeStartStreamReset();
			// RFC 3758 §3.5 C1-C3: FORWARD-TSN when the Advanced.Peer.Ack.Point moved, and
			// again when a SACK or T3-rtx asks for it.
			ForwardTsnChunk forward;
			if (sender->NeedsForwardTsn(forward)) {
				if (forwardTsnDue || !forwardTsnSent || lastForwardTsn != forward.newCumulativeTsn) {
					std::vector<uint8_t> chunk;
					forward.Serialize(chunk);
					control.push_back(std::move(chunk));
					forwardTsnSent = true;
					lastForwardTsn = forward.newCumulativeTsn;
					if (!t3.Running()) t3.deadline = now + rto.Rto();
				}
			}
			forwardTsnDue = false;
		}
		PacketBuilder packet(options.localPort, options.remotePort, peerTag);
		if (sackNow && receiver && DataPathUp()) {
			std::vector<uint8_t> chunk;
			const SackChunk sack = receiver->BuildSack(options.mtu - kCommonHeaderSize);
			lastAdvertisedRwnd = sack.aRwnd;
			sack.Serialize(chunk);
			packet.Add(chunk);
			sackNow = false;
			dataPacketsSinceSack = 0;
			sackTimer.Stop();
		}
		size_t used = 0;
		while (used < control.size() && packet.Size() + control[used].size() <= options.mtu) packet.Add(control[used++]);
		if (used == 0 && !control.empty() && !packet.HasChunks()) packet.Add(control[used++]); // oversized: alone
		control.erase(control.begin(), control.begin() + static_cast<std::ptrdiff_t>(used));
		bool sentData = false;
		const bool mayStillSendData = phase == Phase::Established || phase == Phase::ShutdownPending ||
			phase == Phase::ShutdownReceived;
		if (dataUp && mayStillSendData) {
			std::vector<uint8_t> chunk;
			bool retransmission = false;
			while (packet.Size() < options.mtu &&
				sender->NextChunk(options.mtu - packet.Size(), now, chunk, retransmission)) {
				packet.Add(chunk);
				chunk.clear();
				sentData = true;
				if (retransmission) stats.retransmissions++;
			}
		}
		if (!packet.HasChunks()) break;
		Emit(packet.Finish());
		if (sentData && !t3.Running()) t3.deadline = now + rto.Rto(); // §6.3.2 R1
	}
	FireSenderEvents();
	UpdateDiscardStats();
	flushing = false;
}

// ---- Handshake ----

InitChunk Association::Impl::BuildInit(uint32_t tag, uint32_t tsn) const {
	InitChunk init;
	init.initiateTag = tag;
	init.aRwnd = static_cast<uint32_t>(std::min<size_t>(options.maxReceiverWindowBufferSize, UINT32_MAX));
	init.outboundStreams = options.maxOutboundStreams;
	init.inboundStreams = options.maxInboundStreams;
	init.initialTsn = tsn;
	// RFC 3758 §3.1 and RFC 5061 §4.2.7: we support FORWARD-TSN and RE-CONFIG (not I-DATA).
	init.forwardTsnSupported = true;
	init.supportedExtensions = { ChunkReConfig, ChunkForwardTsn };
	return init;
}

void Association::Impl::SendInit() {
	// §8.5.1 A: an INIT goes with verification tag 0.
	SendChunk(0, initChunk);
	t1.deadline = now + t1Rto;
}

void Association::Impl::Connect(uint64_t) {
	if (phase != Phase::Closed) return;
	initChunk.clear();
	BuildInit(localTag, localInitialTsn).Serialize(ChunkInit, initChunk);
	t1Rto = rto.Rto();
	t1.count = 0;
	phase = Phase::CookieWait;
	SetPublicState(State::Connecting);
	SendInit();
}

void Association::Impl::StartDataPath(uint32_t tag, uint32_t initialTsn, uint32_t rwnd, uint16_t outbound,
	uint16_t inbound, bool fwd, bool reconfig) {
	if (sender) discardedBefore += sender->AbandonedMessages();
	if (receiver) discardedBefore += receiver->DiscardedMessages();
	peerTag = tag;
	peerInitialTsn = initialTsn;
	peerForwardTsn = fwd;
	peerReconfig = reconfig;
	// §5.1.1: the stream counts in use are our OS capped by the peer's MIS and vice versa.
	negotiatedOutbound = std::min(options.maxOutboundStreams, inbound);
	negotiatedInbound = std::min(options.maxInboundStreams, outbound);
	sender.reset(new DataSender(options));
	sender->Start(localInitialTsn, rwnd, negotiatedOutbound, fwd);
	for (const auto& t : lowThresholds) sender->SetBufferedAmountLowThreshold(t.first, t.second);
	receiver.reset(new DataReceiver(options.maxReceiverWindowBufferSize, options.maxReceiveMessageSize));
	receiver->Start(initialTsn);
	streamReset = StreamReset();
	streamReset.Start(localInitialTsn, initialTsn);
	forwardTsnSent = false;
	forwardTsnDue = false;
	sackNow = false;
	dataPacketsSinceSack = 0;
	lastAdvertisedRwnd = UINT32_MAX;
	t3.Stop();
	sackTimer.Stop();
	reconfigTimer.Stop();
}

void Association::Impl::EnterEstablished() {
	phase = Phase::Established;
	t1.Stop();
	errorCount = 0;
	heartbeatOutstanding = false;
	if (options.heartbeatIntervalMs) heartbeat.deadline = now + options.heartbeatIntervalMs + rto.Rto();
	if (publicState == State::New) SetPublicState(State::Connecting);
	SetPublicState(State::Connected);
}

bool Association::Impl::HandleInit(const RawChunk& raw, const CommonHeader& header, size_t chunkCount) {
	InitChunk init;
	// §8.5.1 A: an INIT's packet has verification tag 0; §6.10: INIT is never bundled;
	// §3.3.2: an Initiate Tag of 0, or no outbound/inbound streams, is discarded.
	if (header.verificationTag != 0 || chunkCount != 1 || !init.Parse(raw) || init.initiateTag == 0 ||
		init.outboundStreams == 0 || init.inboundStreams == 0) {
		Dropped();
		return false;
	}
	StateCookie cookie;
	cookie.peerTag = init.initiateTag;
	cookie.peerInitialTsn = init.initialTsn;
	cookie.peerRwnd = init.aRwnd;
	cookie.peerOutboundStreams = init.outboundStreams;
	cookie.peerInboundStreams = init.inboundStreams;
	cookie.peerForwardTsn = init.forwardTsnSupported;
	cookie.peerReconfig = init.SupportsExtension(ChunkReConfig);
	cookie.createdMs = now;
	uint32_t tag = localTag;
	uint32_t tsn = localInitialTsn;
	switch (phase) {
	case Phase::Closed:
	case Phase::CookieWait:
	case Phase::CookieEchoed:
		// §5.1 / §5.2.1: the INIT-ACK carries our own (original INIT's) tag and TSN.
		break;
	case Phase::ShutdownAckSent:
		// §9.2: retransmit SHUTDOWN-ACK instead.
		SendShutdownAck();
		return false;
	default:
		// §5.2.2: an unexpected INIT while established: new tag and TSN, with the current
		// tags as Tie-Tags, so that a COOKIE-ECHO can tell a restart (§5.2.4 A).
		tag = RandomNonZero();
		tsn = static_cast<uint32_t>(rng());
		cookie.localTieTag = localTag;
		cookie.peerTieTag = peerTag;
		break;
	}
	cookie.localTag = tag;
	cookie.localInitialTsn = tsn;
	InitChunk ack = BuildInit(tag, tsn);
	ack.hasStateCookie = true;
	ack.stateCookie = cookie.Serialize(cookieKey);
	// §3.3.3: parameters of the INIT whose type asks for a report.
	ack.unrecognizedParameters = init.unrecognizedParameters;
	std::vector<uint8_t> chunk;
	ack.Serialize(ChunkInitAck, chunk);
	// §8.5.1: the INIT-ACK goes with the INIT's Initiate Tag.
	SendChunk(init.initiateTag, chunk);
	if (publicState == State::New) SetPublicState(State::Connecting);
	return false;
}

bool Association::Impl::HandleInitAck(const RawChunk& raw) {
	// §5.2.3: an INIT-ACK is only expected in COOKIE-WAIT.
	if (phase != Phase::CookieWait) return true;
	InitChunk ack;
	if (!ack.Parse(raw)) {
		Dropped();
		return false;
	}
	// §3.3.3: an Initiate Tag of 0 destroys the association.
	if (ack.initiateTag == 0 || ack.outboundStreams == 0 || ack.inboundStreams == 0) {
		AbortWithCause(CauseInvalidMandatoryParameter, nullptr, 0);
		return false;
	}
	if (!ack.hasStateCookie) {
		// §3.3.10.2: Missing Mandatory Parameter (State Cookie).
		uint8_t info[6] = { 0, 0, 0, 1, 0, 0 };
		WriteU16(info + 4, ParamStateCookie);
		peerTag = ack.initiateTag;
		AbortWithCause(CauseMissingMandatoryParameter, info, sizeof(info));
		return false;
	}
	StartDataPath(ack.initiateTag, ack.initialTsn, ack.aRwnd, ack.outboundStreams, ack.inboundStreams,
		ack.forwardTsnSupported, ack.SupportsExtension(ChunkReConfig));
	CookieEchoChunk echo;
	echo.cookie = std::move(ack.stateCookie);
	cookieEchoChunk.clear();
	echo.Serialize(cookieEchoChunk);
	// §5.1 C: COOKIE-ECHO, T1-init stopped, T1-cookie started, COOKIE-ECHOED.
	phase = Phase::CookieEchoed;
	t1.count = 0;
	t1Rto = rto.Rto();
	SendChunk(peerTag, cookieEchoChunk);
	t1.deadline = now + t1Rto;
	return true;
}

bool Association::Impl::HandleCookieEcho(const RawChunk& raw, const CommonHeader& header) {
	CookieEchoChunk echo;
	StateCookie cookie;
	if (!echo.Parse(raw) || !cookie.Parse(echo.cookie.data(), echo.cookie.size(), cookieKey) ||
		cookie.localTag != header.verificationTag) {
		// §5.1.5 steps 1-2: not our cookie (MAC) or not for this packet's tag.
		Dropped();
		return false;
	}
	// §5.1.5 step 3 / §5.2.6: a stale cookie gets an ERROR with the staleness in us.
	if (now > cookie.createdMs + options.cookieLifetimeMs) {
		const uint64_t staleUs = (now - cookie.createdMs - options.cookieLifetimeMs) * 1000;
		uint8_t info[4];
		WriteU32(info, static_cast<uint32_t>(std::min<uint64_t>(staleUs, UINT32_MAX)));
		ErrorCauseChunk error;
		error.AddCause(CauseStaleCookie, info, sizeof(info));
		std::vector<uint8_t> chunk;
		error.Serialize(ChunkError, chunk);
		SendChunk(cookie.peerTag, chunk);
		return false;
	}
	std::vector<uint8_t> cookieAck;
	SerializeEmptyChunk(ChunkCookieAck, 0, cookieAck);
	auto establishFromCookie = [&]() {
		localTag = cookie.localTag;
		localInitialTsn = cookie.localInitialTsn;
		StartDataPath(cookie.peerTag, cookie.peerInitialTsn, cookie.peerRwnd, cookie.peerOutboundStreams,
			cookie.peerInboundStreams, cookie.peerForwardTsn, cookie.peerReconfig);
		EnterEstablished();
	};
	switch (phase) {
	case Phase::Closed:
	case Phase::CookieWait:
		// §5.1 D (and §5.2.4 B for COOKIE-WAIT, our INIT answered by an INIT-ACK we sent
		// with the same tag): the association is made from the cookie.
		establishFromCookie();
		control.push_back(cookieAck);
		return true;
	case Phase::Terminated:
		return false;
	default:
		break;
	}
	// §5.2.4: a COOKIE-ECHO with an association in place.
	const bool localMatch = cookie.localTag == localTag;
	const bool peerMatch = cookie.peerTag == peerTag;
	if (!localMatch && !peerMatch && cookie.localTieTag == localTag && cookie.peerTieTag == peerTag) {
		// Action A: the peer restarted.
		if (phase == Phase::ShutdownAckSent) {
			// §5.2.4 A: SHUTDOWN-ACK again, and an ERROR "Cookie Received While Shutting Down".
			ErrorCauseChunk error;
			error.AddCause(CauseCookieWhileShuttingDown, nullptr, 0);
			std::vector<uint8_t> errorChunk;
			error.Serialize(ChunkError, errorChunk);
			SendShutdownAck();
			SendChunk(cookie.peerTag, errorChunk);
			return false;
		}
		establishFromCookie();
		control.push_back(cookieAck);
		return true;
	}
	if (localMatch && !peerMatch) {
		// Action B: an INIT collision; the peer's tag and TSN come from the cookie.
		peerTag = cookie.peerTag;
		peerInitialTsn = cookie.peerInitialTsn;
		receiver.reset(new DataReceiver(options.maxReceiverWindowBufferSize, options.maxReceiveMessageSize));
		receiver->Start(cookie.peerInitialTsn);
		streamReset.Start(localInitialTsn, cookie.peerInitialTsn);
		if (phase == Phase::CookieEchoed) EnterEstablished();
		control.push_back(cookieAck);
		return true;
	}
	if (!localMatch && peerMatch && cookie.localTieTag == 0 && cookie.peerTieTag == 0) {
		return false; // Action C: silently discarded
	}
	if (localMatch && peerMatch) {
		// Action D: enter ESTABLISHED if not already, COOKIE-ACK.
		if (phase == Phase::CookieEchoed) EnterEstablished();
		control.push_back(cookieAck);
		return true;
	}
	return false; // §5.2.4: any other combination is silently discarded
}

bool Association::Impl::HandleCookieAck() {
	// §5.1 E: COOKIE-ACK in COOKIE-ECHOED establishes; elsewhere it is ignored.
	if (phase == Phase::CookieEchoed) EnterEstablished();
	return true;
}

// ---- Data ----

void Association::Impl::OnDataDelivered(std::vector<DataReceiver::Message>& messages) {
	for (auto& m : messages) {
		if (phase == Phase::Terminated) return;
		stats.messagesReceived++;
		listener.OnSctpMessage(m.streamId, m.ppid, m.data.data(), m.data.size());
	}
}

bool Association::Impl::HandleData(const RawChunk& raw, bool& immediateSack) {
	if (!DataPathUp() || phase == Phase::ShutdownAckSent) return true;
	DataChunk data;
	if (!data.Parse(raw)) {
		Dropped();
		return false;
	}
	if (data.payload.empty()) {
		// §6.2: a DATA chunk without user data: ABORT with "No User Data" and its TSN.
		uint8_t info[4];
		WriteU32(info, data.tsn);
		AbortWithCause(CauseNoUserData, info, sizeof(info));
		return false;
	}
	if (data.immediate) immediateSack = true; // RFC 7053
	if (data.streamId >= negotiatedInbound) {
		// §6.5: acknowledged, discarded, and reported with "Invalid Stream Identifier".
		receiver->AcceptTsnOnly(data.tsn);
		uint8_t info[4] = { 0, 0, 0, 0 };
		WriteU16(info, data.streamId);
		ErrorCauseChunk error;
		error.AddCause(CauseInvalidStreamIdentifier, info, sizeof(info));
		std::vector<uint8_t> chunk;
		error.Serialize(ChunkError, chunk);
		control.push_back(std::move(chunk));
		immediateSack = true;
		return true;
	}
	std::vector<DataReceiver::Message> delivered;
	const DataReceiver::Outcome outcome = receiver->HandleData(std::move(data), delivered);
	// §6.2 / §6.7: duplicates and gaps are reported at once; so is a window that is
	// (or was) nearly closed, so that the sender learns when it opens (§6.2, window update).
	if (outcome != DataReceiver::Outcome::Accepted || receiver->HasGaps()) immediateSack = true;
	if (receiver->ARwnd() < options.mtu || lastAdvertisedRwnd < options.mtu) immediateSack = true;
	OnDataDelivered(delivered);
	return phase != Phase::Terminated;
}

void Association::Impl::AfterSackProgress(const DataSender::SackOutcome& outcome) {
	if (outcome.newlyAcked) errorCount = 0; // §8.3
	if (outcome.hasRtt) rto.OnRttMeasured(outcome.rttMs);
	// §6.3.2 R2/R3: stop T3 when nothing is outstanding, restart it when the cumulative
	// ack advanced (or a fast retransmission goes out, §7.2.4 step 4).
	ForwardTsnChunk forward;
	const bool forwardPending = sender->NeedsForwardTsn(forward);
	if (!sender->HasInFlightData() && !forwardPending) t3.Stop();
	else if (outcome.cumulativeAdvanced || outcome.fastRetransmit || !t3.Running()) t3.deadline = now + rto.Rto();
	// RFC 3758 §3.5 F2: FORWARD-TSN again while the peer's cumulative ack lags behind.
	if (forwardPending) forwardTsnDue = true;
	FireSenderEvents();
	MaybeSendShutdownOrAck();
}

bool Association::Impl::HandleSack(const RawChunk& raw) {
	if (!DataPathUp() || !sender) return true;
	SackChunk sack;
	if (!sack.Parse(raw)) {
		Dropped();
		return false;
	}
	const DataSender::SackOutcome outcome = sender->HandleSack(sack, now);
	if (outcome.stale) return true;
	if (outcome.protocolViolation) {
		static constexpr char kReason[] = "SACK for a TSN not sent";
		AbortWithCause(CauseProtocolViolation, reinterpret_cast<const uint8_t*>(kReason), sizeof(kReason) - 1);
		return false;
	}
	AfterSackProgress(outcome);
	return true;
}

bool Association::Impl::HandleForwardTsn(const RawChunk& raw) {
	if (!DataPathUp() || !receiver) return true;
	ForwardTsnChunk forward;
	if (!forward.Parse(raw)) {
		Dropped();
		return false;
	}
	std::vector<DataReceiver::Message> delivered;
	receiver->HandleForwardTsn(forward, delivered);
	// RFC 3758 §3.6: answered with a SACK right away.
	sackNow = true;
	OnDataDelivered(delivered);
	CheckDeferredReset();
	return phase != Phase::Terminated;
}

// ---- Heartbeat (§8.3) ----

bool Association::Impl::HandleHeartbeat(const RawChunk& raw) {
	if (!HasTcb() || peerTag == 0) return true;
	HeartbeatChunk hb;
	if (!hb.Parse(raw)) {
		Dropped();
		return false;
	}
	// §8.3: HEARTBEAT-ACK with the Heartbeat Information unchanged.
	std::vector<uint8_t> chunk;
	hb.Serialize(ChunkHeartbeatAck, chunk);
	control.push_back(std::move(chunk));
	return true;
}

bool Association::Impl::HandleHeartbeatAck(const RawChunk& raw) {
	HeartbeatChunk hb;
	if (!hb.Parse(raw)) {
		Dropped();
		return false;
	}
	// Our Heartbeat Information: the send time (ms) and a nonce, 8 bytes each.
	if (hb.info.size() != 16 || !heartbeatOutstanding) return true;
	const uint64_t sent = (static_cast<uint64_t>(ReadU32(hb.info.data())) << 32) | ReadU32(hb.info.data() + 4);
	const uint64_t nonce = (static_cast<uint64_t>(ReadU32(hb.info.data() + 8)) << 32) | ReadU32(hb.info.data() + 12);
	if (nonce != heartbeatNonce || sent > now) return true;
	heartbeatOutstanding = false;
	errorCount = 0; // §8.3: a HEARTBEAT-ACK clears the error counter
	rto.OnRttMeasured(static_cast<uint32_t>(std::min<uint64_t>(now - sent, UINT32_MAX))); // §8.3: an RTT measurement
	return true;
}

// ---- ABORT, ERROR, unknown chunks ----

bool Association::Impl::HandleAbort(const RawChunk& raw) {
	ErrorCauseChunk abort;
	if (!abort.Parse(raw)) {
		Dropped();
		return false;
	}
	if (!HasTcb()) return false; // §8.4 rule 2: an out-of-the-blue ABORT is ignored
	// Closed for a plain or user-initiated ABORT, Failed when the peer reports an error.
	const uint16_t cause = abort.FirstCauseCode();
	Terminate(cause == 0 || cause == CauseUserInitiatedAbort ? State::Closed : State::Failed);
	return false;
}

bool Association::Impl::HandleError(const RawChunk& raw) {
	ErrorCauseChunk error;
	if (!error.Parse(raw)) {
		Dropped();
		return false;
	}
	if (error.FirstCauseCode() == CauseStaleCookie && phase == Phase::CookieEchoed) {
		// §5.2.6: our cookie was stale: back to COOKIE-WAIT with a new INIT (counted
		// against Max.Init.Retransmits).
		if (++t1.count > options.maxInitRetransmissions) {
			Fail();
			return false;
		}
		phase = Phase::CookieWait;
		peerTag = 0;
		sender.reset();
		receiver.reset();
		SendInit();
	}
	return true;
}

bool Association::Impl::HandleUnknown(const RawChunk& raw) {
	// §3.2: the two high bits of an unrecognized chunk type: 00 stop and discard, 01 stop,
	// discard and report, 10 skip, 11 skip and report (ERROR "Unrecognized Chunk Type").
	const bool report = raw.type & 0x40;
	const bool skip = raw.type & 0x80;
	if (report && HasTcb() && peerTag) {
		ErrorCauseChunk error;
		// The cause carries the chunk as received (cut to half an MTU, its length field
		// then saying what is included).
		const size_t included = std::min<size_t>(raw.valueLength, options.mtu / 2);
		std::vector<uint8_t> original;
		ByteWriter w(original);
		w.U8(raw.type);
		w.U8(raw.flags);
		w.U16(static_cast<uint16_t>(included + 4));
		w.Bytes(raw.value, included);
		error.AddCause(CauseUnrecognizedChunkType, original.data(), original.size());
		std::vector<uint8_t> chunk;
		error.Serialize(ChunkError, chunk);
		control.push_back(std::move(chunk));
	}
	return skip;
}

// ---- Shutdown (§9.2) ----

void Association::Impl::SendShutdown() {
	ShutdownChunk shutdown;
	shutdown.cumulativeTsnAck = receiver ? receiver->CumulativeTsn() : 0;
	std::vector<uint8_t> chunk;
	shutdown.Serialize(chunk);
	SendChunk(peerTag, chunk);
	phase = Phase::ShutdownSent;
	if (!t2.Running()) t2.deadline = now + rto.Rto();
	t3.Stop();
}

void Association::Impl::SendShutdownAck() {
	std::vector<uint8_t> chunk;
	SerializeEmptyChunk(ChunkShutdownAck, 0, chunk);
	SendChunk(peerTag, chunk);
	phase = Phase::ShutdownAckSent;
	if (!t2.Running()) t2.deadline = now + rto.Rto();
	t3.Stop();
}

void Association::Impl::MaybeSendShutdownOrAck() {
	if (!sender || !sender->AllAcknowledged()) return;
	if (phase == Phase::ShutdownPending) SendShutdown();
	else if (phase == Phase::ShutdownReceived) SendShutdownAck();
}

bool Association::Impl::HandleShutdown(const RawChunk& raw) {
	ShutdownChunk shutdown;
	if (!shutdown.Parse(raw)) {
		Dropped();
		return false;
	}
	switch (phase) {
	case Phase::Established:
	case Phase::ShutdownPending:
	case Phase::ShutdownReceived: {
		// §9.2: SHUTDOWN-RECEIVED; its Cumulative TSN Ack acknowledges our data.
		phase = Phase::ShutdownReceived;
		SackChunk sack;
		sack.cumulativeTsnAck = shutdown.cumulativeTsnAck;
		sack.aRwnd = sender->PeerRwnd() + static_cast<uint32_t>(sender->FlightSize());
		const DataSender::SackOutcome outcome = sender->HandleSack(sack, now);
		if (outcome.protocolViolation) {
			AbortWithCause(CauseProtocolViolation, nullptr, 0);
			return false;
		}
		if (!outcome.stale) AfterSackProgress(outcome);
		MaybeSendShutdownOrAck();
		return true;
	}
	case Phase::ShutdownSent:
		// §9.2: both sides shut down: SHUTDOWN-ACK at once, SHUTDOWN-ACK-SENT.
		t2.Stop();
		SendShutdownAck();
		return true;
	default:
		return true;
	}
}

bool Association::Impl::HandleShutdownAck() {
	if (phase == Phase::ShutdownSent || phase == Phase::ShutdownAckSent) {
		// §9.2: SHUTDOWN-COMPLETE, then CLOSED.
		std::vector<uint8_t> chunk;
		SerializeEmptyChunk(ChunkShutdownComplete, 0, chunk);
		SendChunk(peerTag, chunk);
		Terminate(State::Closed);
		return false;
	}
	return true;
}

bool Association::Impl::HandleShutdownComplete() {
	if (phase == Phase::ShutdownAckSent) {
		Terminate(State::Closed); // §9.2
		return false;
	}
	return true;
}

// ---- Stream reset (RFC 6525) ----

void Association::Impl::MaybeStartStreamReset() {
	if (!peerReconfig || streamReset.HasRequestInFlight() || streamReset.Pending().empty()) return;
	if (phase != Phase::Established) return;
	// §5.1.2: the request goes once the streams' queued data has been sent (its TSNs are
	// then covered by the Sender's Last Assigned TSN).
	std::vector<uint16_t> ready;
	for (uint16_t id : streamReset.Pending())
		if (!sender->HasQueued(id)) ready.push_back(id);
	if (ready.empty()) return;
	streamReset.MakeRequest(ready, sender->NextTsn() - 1);
	reconfigTimer.count = 0;
	SendReconfigRequest();
}

void Association::Impl::SendReconfigRequest() {
	ReConfigChunk reconfig;
	reconfig.outgoingResets.push_back(streamReset.CurrentRequest());
	std::vector<uint8_t> chunk;
	reconfig.Serialize(chunk);
	control.push_back(std::move(chunk));
	reconfigTimer.deadline = now + rto.Rto();
}

void Association::Impl::CheckDeferredReset() {
	if (!receiver) return;
	ReconfigResponse response;
	std::vector<uint16_t> streams;
	if (!streamReset.PerformDeferred(receiver->CumulativeTsn(), response, streams)) return;
	receiver->ResetIncomingStreams(streams);
	ReConfigChunk reconfig;
	reconfig.responses.push_back(response);
	std::vector<uint8_t> chunk;
	reconfig.Serialize(chunk);
	control.push_back(std::move(chunk));
	listener.OnSctpIncomingStreamsReset(streams);
}

bool Association::Impl::HandleReConfig(const RawChunk& raw) {
	if (!DataPathUp() || !sender) return true;
	ReConfigChunk reconfig;
	if (!reconfig.Parse(raw)) {
		Dropped();
		return false;
	}
	ReConfigChunk answer;
	std::vector<std::vector<uint16_t>> resetNow;
	for (const auto& req : reconfig.outgoingResets) {
		bool performed = false;
		std::vector<uint16_t> streams;
		answer.responses.push_back(streamReset.HandleRequest(req, receiver->CumulativeTsn(), performed, streams));
		if (performed) {
			receiver->ResetIncomingStreams(streams);
			resetNow.push_back(std::move(streams));
		}
	}
	for (uint32_t seq : reconfig.unsupportedRequests) {
		ReconfigResponse denied;
		denied.responseSeq = seq;
		denied.result = ReconfigDenied;
		answer.responses.push_back(denied);
	}
	for (const auto& response : reconfig.responses) {
		std::vector<uint16_t> completed;
		switch (streamReset.HandleResponse(response, completed)) {
		case StreamReset::ResponseAction::Performed:
			for (uint16_t id : completed) {
				sender->ResetSsn(id); // RFC 6525 §5.1.2: the SSNs restart at 0
				sender->SetResetting(id, false);
			}
			reconfigTimer.Stop();
			break;
		case StreamReset::ResponseAction::Failed:
			for (uint16_t id : completed) sender->SetResetting(id, false);
			reconfigTimer.Stop();
			break;
		case StreamReset::ResponseAction::Retry:
			// "In progress": ask again after an RTO, without counting an error.
			reconfigTimer.deadline = now + rto.Rto();
			reconfigTimer.count = 0;
			break;
		case StreamReset::ResponseAction::Ignore:
			break;
		}
	}
	if (!answer.responses.empty()) {
		// §3.1: at most two parameters per RE-CONFIG chunk.
		while (!answer.responses.empty()) {
			ReConfigChunk part;
			const size_t n = std::min<size_t>(2, answer.responses.size());
			part.responses.assign(answer.responses.begin(), answer.responses.begin() + static_cast<std::ptrdiff_t>(n));
			answer.responses.erase(answer.responses.begin(), answer.responses.begin() + static_cast<std::ptrdiff_t>(n));
			std::vector<uint8_t> chunk;
			part.Serialize(chunk);
			control.push_back(std::move(chunk));
		}
	}
	for (const auto& streams : resetNow) {
		if (phase == Phase::Terminated) break;
		listener.OnSctpIncomingStreamsReset(streams);
	}
	return phase != Phase::Terminated;
}

// ---- Packet input ----

void Association::Impl::HandleOutOfTheBlue(const CommonHeader& header, const std::vector<RawChunk>& chunks) {
	// §8.4: a packet for no association. ABORT, SHUTDOWN-COMPLETE, COOKIE-ACK and ERROR
	// (rules 2, 6, 7) are discarded; SHUTDOWN-ACK gets a SHUTDOWN-COMPLETE (rule 5);
	// anything else an ABORT (rule 8). Both with the T bit, reflecting the packet's tag
	// (a tag of 0 is only valid on an INIT: nothing to reflect, no answer).
	if (header.verificationTag == 0) return;
	for (const RawChunk& chunk : chunks) {
		if (chunk.type == ChunkAbort || chunk.type == ChunkShutdownComplete || chunk.type == ChunkCookieAck ||
			chunk.type == ChunkError)
			return;
	}
	std::vector<uint8_t> reply;
	if (chunks.front().type == ChunkShutdownAck) {
		SerializeEmptyChunk(ChunkShutdownComplete, 0x01, reply);
	} else {
		ErrorCauseChunk abort;
		abort.tagReflected = true;
		abort.Serialize(ChunkAbort, reply);
	}
	SendChunk(header.verificationTag, reply);
}

void Association::Impl::HandlePacket(const uint8_t* data, size_t len, uint64_t) {
	stats.packetsReceived++;
	stats.bytesReceived += len;
	CommonHeader header;
	std::vector<RawChunk> chunks;
	// §6.8: a packet with a bad checksum is silently discarded.
	if (phase == Phase::Terminated || !ParsePacket(data, len, header, chunks) || !VerifySctpChecksum(data, len) ||
		header.sourcePort != options.remotePort || header.destinationPort != options.localPort) {
		Dropped();
		return;
	}
	const RawChunk& first = chunks.front();
	if (first.type == ChunkInit) {
		HandleInit(first, header, chunks.size());
		return;
	}
	// §8.5.1: verification tag rules. COOKIE-ECHO is checked against its cookie; ABORT
	// and SHUTDOWN-COMPLETE with the T bit carry the peer's tag; all else carries ours.
	if (first.type != ChunkCookieEcho) {
		const bool reflected =
			(first.type == ChunkAbort || first.type == ChunkShutdownComplete) && (first.flags & 0x01);
		const bool tagOk = reflected ? (peerTag != 0 && header.verificationTag == peerTag)
									 : (HasTcb() && header.verificationTag == localTag);
		if (!tagOk) {
			Dropped();
			if (phase == Phase::Closed) HandleOutOfTheBlue(header, chunks);
			return;
		}
	}
	bool immediateSack = false;
	bool hadData = false;
	for (const RawChunk& chunk : chunks) {
		if (phase == Phase::Terminated) break;
		bool goOn = true;
		switch (chunk.type) {
		case ChunkData:
			hadData = true;
			goOn = HandleData(chunk, immediateSack);
			break;
		case ChunkInit: // §6.10: never bundled
			Dropped();
			goOn = false;
			break;
		case ChunkInitAck:
			goOn = HandleInitAck(chunk);
			break;
		case ChunkSack:
			goOn = HandleSack(chunk);
			break;
		case ChunkHeartbeat:
			goOn = HandleHeartbeat(chunk);
			break;
		case ChunkHeartbeatAck:
			goOn = HandleHeartbeatAck(chunk);
			break;
		case ChunkAbort:
			goOn = HandleAbort(chunk);
			break;
		case ChunkShutdown:
			goOn = HandleShutdown(chunk);
			break;
		case ChunkShutdownAck:
			goOn = HandleShutdownAck();
			break;
		case ChunkError:
			goOn = HandleError(chunk);
			break;
		case ChunkCookieEcho:
			goOn = HandleCookieEcho(chunk, header);
			break;
		case ChunkCookieAck:
			goOn = HandleCookieAck();
			break;
		case ChunkShutdownComplete:
			goOn = HandleShutdownComplete();
			break;
		case ChunkForwardTsn:
			goOn = HandleForwardTsn(chunk);
			break;
		case ChunkReConfig:
			goOn = HandleReConfig(chunk);
			break;
		default:
			goOn = HandleUnknown(chunk);
			break;
		}
		if (!goOn) break;
	}
	if (hadData && phase != Phase::Terminated && receiver) {
		// §6.2: a SACK for every second packet with DATA, within 200 ms otherwise, and at
		// once on gaps or duplicates (§6.7).
		CheckDeferredReset();
		++dataPacketsSinceSack;
		if (immediateSack || dataPacketsSinceSack >= 2 || phase == Phase::ShutdownSent) sackNow = true;
		else if (!sackTimer.Running()) sackTimer.deadline = now + kDelayedSackMs;
		// §9.2: in SHUTDOWN-SENT, each DATA is answered with SHUTDOWN too.
		if (phase == Phase::ShutdownSent) {
			ShutdownChunk shutdown;
			shutdown.cumulativeTsnAck = receiver->CumulativeTsn();
			std::vector<uint8_t> chunk;
			shutdown.Serialize(chunk);
			control.push_back(std::move(chunk));
		}
	}
}

// ---- Public operations ----

SendResult Association::Impl::Send(uint16_t streamId, uint32_t ppid, const uint8_t* data, size_t len,
	const SendOptions& sendOptions, uint64_t now) {
	if (phase != Phase::Established || !sender) return SendResult::NotConnected;
	if (len > 0 && !data) return SendResult::MessageTooLarge;
	const SendResult result = sender->Enqueue(streamId, ppid, data, len, sendOptions, now);
	if (result == SendResult::Ok) stats.messagesSent++;
	return result;
}

void Association::Impl::ResetStreams(const std::vector<uint16_t>& streamIds, uint64_t) {
	if (phase != Phase::Established || !sender || !peerReconfig) return;
	std::vector<uint16_t> valid;
	for (uint16_t id : streamIds) {
		if (id >= negotiatedOutbound || sender->IsResetting(id)) continue;
		sender->SetResetting(id, true);
		valid.push_back(id);
	}
	streamReset.Add(valid);
}

void Association::Impl::Shutdown(uint64_t) {
	switch (phase) {
	case Phase::Closed:
	case Phase::CookieWait:
		Terminate(State::Closed);
		return;
	case Phase::CookieEchoed: {
		// §9.2 leaves COOKIE-ECHOED to the implementation: the peer may already have a TCB.
		std::vector<uint8_t> chunk;
		SerializeEmptyChunk(ChunkAbort, 0, chunk);
		SendChunk(peerTag, chunk);
		Terminate(State::Closed);
		return;
	}
	case Phase::Established:
		phase = Phase::ShutdownPending;
		MaybeSendShutdownOrAck();
		return;
	default:
		return;
	}
}

void Association::Impl::Abort() {
	if (phase == Phase::Terminated) return;
	if (peerTag != 0 && phase != Phase::Closed && phase != Phase::CookieWait) {
		ErrorCauseChunk abort;
		abort.AddCause(CauseUserInitiatedAbort, nullptr, 0);
		std::vector<uint8_t> chunk;
		abort.Serialize(ChunkAbort, chunk);
		SendChunk(peerTag, chunk);
	}
	Terminate(State::Closed);
}

uint64_t Association::Impl::NextTimeoutMs() const {
	uint64_t next = kNever;
	for (const Timer* t : { &t1, &t2, &t3, &sackTimer, &heartbeat, &reconfigTimer }) next = std::min(next, t->deadline);
	return next;
}

void Association::Impl::OnTimer(uint64_t) {
	if (phase == Phase::Terminated) return;
	if (t1.Expired(now)) {
		// §5.1 / §6.3.3: T1-init and T1-cookie back off and give up after Max.Init.Retransmits.
		if (++t1.count > options.maxInitRetransmissions) {
			Fail();
			return;
		}
		t1Rto = std::min<uint32_t>(t1Rto * 2, std::max(options.rtoMaxMs, options.rtoMinMs));
		if (phase == Phase::CookieWait) {
			SendInit();
		} else if (phase == Phase::CookieEchoed) {
			SendChunk(peerTag, cookieEchoChunk);
			t1.deadline = now + t1Rto;
		} else {
			t1.deadline = kNever;
		}
	}
	if (t3.Expired(now) && sender) {
		// §6.3.3: E1-E3, and §8.1: too many retransmissions fail the association.
		if (++errorCount > options.maxRetransmissions) {
			Fail();
			return;
		}
		rto.BackOff();
		sender->OnT3Expired(now);
		forwardTsnDue = true;
		t3.deadline = now + rto.Rto();
		if (!sender->HasInFlightData() && !sender->HasOutstandingData()) t3.Stop();
	}
	if (t2.Expired(now)) {
		// §9.2: T2-shutdown retransmits SHUTDOWN or SHUTDOWN-ACK, counted in the error counter.
		if (++errorCount > options.maxRetransmissions) {
			Fail();
			return;
		}
		rto.BackOff();
		t2.deadline = now + rto.Rto();
		if (phase == Phase::ShutdownSent) SendShutdown();
		else if (phase == Phase::ShutdownAckSent) SendShutdownAck();
		else t2.Stop();
	}
	if (sackTimer.Expired(now)) {
		sackTimer.Stop();
		sackNow = true;
	}
	if (reconfigTimer.Expired(now)) {
		// RFC 6525 §5.1.1: retransmitted after an RTO, counted in the error counter.
		if (streamReset.HasRequestInFlight() && DataPathUp()) {
			if (++errorCount > options.maxRetransmissions) {
				Fail();
				return;
			}
			rto.BackOff();
			SendReconfigRequest();
		} else {
			reconfigTimer.Stop();
		}
	}
	if (heartbeat.Expired(now)) {
		// §8.3: an unanswered HEARTBEAT counts as an error; a new one goes when the path is
		// idle (no data outstanding, T3-rtx covers that case).
		if (heartbeatOutstanding && ++errorCount > options.maxRetransmissions) {
			Fail();
			return;
		}
		heartbeatOutstanding = false;
		if (DataPathUp() && peerTag) {
			if (!sender || !sender->HasOutstandingData()) {
				heartbeatNonce = (static_cast<uint64_t>(rng()) << 32) | rng();
				HeartbeatChunk hb;
				hb.info.resize(16);
				WriteU32(hb.info.data(), static_cast<uint32_t>(now >> 32));
				WriteU32(hb.info.data() + 4, static_cast<uint32_t>(now));
				WriteU32(hb.info.data() + 8, static_cast<uint32_t>(heartbeatNonce >> 32));
				WriteU32(hb.info.data() + 12, static_cast<uint32_t>(heartbeatNonce));
				std::vector<uint8_t> chunk;
				hb.Serialize(ChunkHeartbeat, chunk);
				control.push_back(std::move(chunk));
				heartbeatOutstanding = true;
			}
			heartbeat.deadline = now + options.heartbeatIntervalMs + rto.Rto();
		} else {
			heartbeat.Stop();
		}
	}
}

// ---- Test access ----

void AssociationTestAccess::Seed(Association& association, uint32_t seed) {
	association.impl_->rng.seed(seed);
	association.impl_->DrawSecrets();
}

uint32_t AssociationTestAccess::LocalTag(const Association& association) {
	return association.impl_->localTag;
}

uint32_t AssociationTestAccess::LocalInitialTsn(const Association& association) {
	return association.impl_->localInitialTsn;
}

uint32_t AssociationTestAccess::PeerTag(const Association& association) {
	return association.impl_->peerTag;
}

// ---- Association ----

Association::Association(Listener& listener, const Options& options) : impl_(new Impl(listener, options)) {}
Association::~Association() = default;

void Association::Connect(uint64_t nowMs) {
	impl_->Enter(nowMs, [&] { impl_->Connect(nowMs); });
}

void Association::HandlePacket(const uint8_t* data, size_t len, uint64_t nowMs) {
	impl_->Enter(nowMs, [&] { impl_->HandlePacket(data, len, nowMs); });
}

SendResult Association::Send(uint16_t streamId, uint32_t ppid, const uint8_t* data, size_t len,
	const SendOptions& options, uint64_t nowMs) {
	SendResult result = SendResult::NotConnected;
	impl_->Enter(nowMs, [&] { result = impl_->Send(streamId, ppid, data, len, options, nowMs); });
	return result;
}

void Association::ResetStreams(const std::vector<uint16_t>& streamIds, uint64_t nowMs) {
	impl_->Enter(nowMs, [&] { impl_->ResetStreams(streamIds, nowMs); });
}

void Association::Shutdown(uint64_t nowMs) {
	impl_->Enter(nowMs, [&] { impl_->Shutdown(nowMs); });
}

void Association::Abort() {
	impl_->Enter(impl_->now, [&] { impl_->Abort(); });
}

void Association::OnTimer(uint64_t nowMs) {
	impl_->Enter(nowMs, [&] { impl_->OnTimer(nowMs); });
}

uint64_t Association::NextTimeoutMs(uint64_t) const {
	return impl_->NextTimeoutMs();
}

State Association::GetState() const {
	return impl_->publicState;
}

uint16_t Association::GetNegotiatedOutboundStreams() const {
	return impl_->publicState == State::Connected ? impl_->negotiatedOutbound : 0;
}

uint16_t Association::GetNegotiatedInboundStreams() const {
	return impl_->publicState == State::Connected ? impl_->negotiatedInbound : 0;
}

size_t Association::GetBufferedAmount(uint16_t streamId) const {
	return impl_->sender ? impl_->sender->BufferedAmount(streamId) : 0;
}

size_t Association::GetTotalBufferedAmount() const {
	return impl_->sender ? impl_->sender->TotalBufferedAmount() : 0;
}

void Association::SetBufferedAmountLowThreshold(uint16_t streamId, size_t threshold) {
	auto& list = impl_->lowThresholds;
	auto it = std::find_if(list.begin(), list.end(), [&](const std::pair<uint16_t, size_t>& e) { return e.first == streamId; });
	if (it != list.end()) it->second = threshold;
	else list.emplace_back(streamId, threshold);
	if (impl_->sender) impl_->sender->SetBufferedAmountLowThreshold(streamId, threshold);
}

const Stats& Association::GetStats() const {
	return impl_->stats;
}

bool Association::LooksLikeSctp(const uint8_t* data, size_t len, uint16_t port) {
	// A common header (12 bytes) and at least one chunk header (4), with our ports
	// (RFC 8841 §5: both ends use the sctp-port, 5000 by default).
	return data && len >= kCommonHeaderSize + kChunkHeaderSize && ReadU16(data) == port && ReadU16(data + 2) == port;
}

} // namespace sctp
} // namespace mediaplane
