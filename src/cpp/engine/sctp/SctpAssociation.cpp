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

#include "AssociationImpl.hpp"
#include "AssociationTestAccess.hpp"
#include "ByteIo.hpp"
#include "Crc32c.hpp"

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
	return impl_->sender ? impl_->sender->UnsentAmount(streamId) : 0;
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
