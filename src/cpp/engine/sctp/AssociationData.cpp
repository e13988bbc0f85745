// DATA, SACK and FORWARD-TSN handling of the association (RFC 9260 §6, RFC 3758),
// around DataSender and DataReceiver.
#include "AssociationImpl.hpp"

#include <algorithm>

#include "ByteIo.hpp"

namespace mediaplane {
namespace sctp {

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

} // namespace sctp
} // namespace mediaplane
