// The association handshake (RFC 9260 §5): INIT, INIT-ACK, COOKIE-ECHO, COOKIE-ACK,
// T1-init/T1-cookie, INIT collisions (§5.2) and the state cookie checks (§5.1.5).
#include "AssociationImpl.hpp"

#include <algorithm>

#include "ByteIo.hpp"
#include "StateCookie.hpp"

namespace mediaplane {
namespace sctp {

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
	receiver.reset(new DataReceiver(options.maxReceiverWindowBufferSize, options.maxReceiveMessageSize, negotiatedInbound));
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
	// §5.1.5 step 3 / §5.2.6: a stale cookie gets an ERROR with the staleness in us;
	// §5.2.4 rule 3: unless both its tags are those of the current association.
	const bool currentTags = HasTcb() && cookie.localTag == localTag && cookie.peerTag == peerTag;
	if (now > cookie.createdMs + options.cookieLifetimeMs && !currentTags) {
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
		if (receiver) discardedBefore += receiver->DiscardedMessages();
		receiver.reset(new DataReceiver(options.maxReceiverWindowBufferSize, options.maxReceiveMessageSize, negotiatedInbound));
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

} // namespace sctp
} // namespace mediaplane
