// The SHUTDOWN sequence of the association (RFC 9260 §9.2).
#include "AssociationImpl.hpp"

#include <algorithm>

namespace mediaplane {
namespace sctp {

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
	if (phase == Phase::CookieWait || phase == Phase::CookieEchoed) {
		// §8.5.1 E and §8.4 rule 5: SHUTDOWN-COMPLETE with the T bit, reflecting the tag.
		std::vector<uint8_t> chunk;
		SerializeEmptyChunk(ChunkShutdownComplete, 0x01, chunk);
		SendChunk(localTag, chunk);
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

} // namespace sctp
} // namespace mediaplane
