// Sent packet history for transport-wide congestion control feedback; see the header.
#include "SentPacketHistory.hpp"

namespace mediaplane {
namespace bwe {

namespace {
// 2^50 us is 35 years; a feedback's reference time covers 12 days.
constexpr int64_t kMaxArrivalUs = int64_t(1) << 50;
} // namespace

SentPacketHistory::SentPacketHistory(const Params& params) : params(params) {
	if (this->params.maxPackets == 0) this->params.maxPackets = 1;
	if (this->params.maxPackets > (1u << 15)) this->params.maxPackets = 1u << 15;
	if (this->params.maxAgeMs < 0) this->params.maxAgeMs = 0;
}

// The int64 number closest to `reference` whose low 16 bits are `sequenceNumber`.
int64_t SentPacketHistory::UnwrapAgainst(uint16_t sequenceNumber, int64_t reference) const {
	const uint16_t low = static_cast<uint16_t>(reference & 0xffff);
	const int16_t delta = static_cast<int16_t>(static_cast<uint16_t>(sequenceNumber - low));
	return reference + delta;
}

void SentPacketHistory::OnPacketSent(uint16_t sequenceNumber, uint32_t sizeBytes, int64_t sendTimeMs,
                                     bool isRetransmission, int32_t probeClusterId) {
	int64_t seq;
	if (!this->started) {
		seq = sequenceNumber;
		this->started = true;
		this->firstSequence = seq;
		this->lastSequence = seq - 1;
	} else {
		seq = UnwrapAgainst(sequenceNumber, this->lastSequence);
	}

	if (seq <= this->lastSequence) {
		// Sent out of order (or repeated): fill its slot if it is still known and empty.
		if (seq < this->firstSequence) return;
		Entry& entry = this->packets[static_cast<size_t>(seq - this->firstSequence)];
		if (entry.state != State::Unknown) return;
		entry = Entry{ sizeBytes, sendTimeMs, probeClusterId, isRetransmission, State::Sent };
		this->bytesInFlight += sizeBytes;
		return;
	}
	// Numbers the sender skipped stay Unknown (feedback about them is ignored).
	while (this->lastSequence + 1 < seq) {
		this->packets.emplace_back();
		++this->lastSequence;
	}
	this->packets.push_back(Entry{ sizeBytes, sendTimeMs, probeClusterId, isRetransmission, State::Sent });
	this->lastSequence = seq;
	this->bytesInFlight += sizeBytes;
	Evict(sendTimeMs);
}

void SentPacketHistory::Evict(int64_t newestSendTimeMs) {
	while (!this->packets.empty()) {
		const Entry& front = this->packets.front();
		const bool tooMany = this->packets.size() > this->params.maxPackets;
		const bool tooOld = front.state == State::Unknown || newestSendTimeMs - front.sendTimeMs > this->params.maxAgeMs;
		if (!tooMany && !tooOld) break;
		if (front.state == State::Sent) this->bytesInFlight -= front.sizeBytes;
		this->packets.pop_front();
		++this->firstSequence;
	}
}

size_t SentPacketHistory::OnFeedback(const TransportCcFeedback& feedback, std::vector<PacketResult>& out) {
	if (!this->started || this->packets.empty()) {
		this->ignoredStatuses += feedback.packets.size();
		return 0;
	}
	const size_t before = out.size();
	const int64_t base = UnwrapAgainst(feedback.baseSequenceNumber, this->lastSequence);
	for (size_t i = 0; i < feedback.packets.size(); ++i) {
		const int64_t seq = base + static_cast<int64_t>(i);
		if (seq < this->firstSequence || seq > this->lastSequence) {
			++this->ignoredStatuses;
			continue;
		}
		Entry& entry = this->packets[static_cast<size_t>(seq - this->firstSequence)];
		const TransportCcFeedback::PacketStatus& status = feedback.packets[i];
		if (entry.state == State::Unknown || entry.state == State::Received) {
			// Never sent, or already counted as received (duplicate feedback).
			if (entry.state == State::Unknown) ++this->ignoredStatuses;
			continue;
		}
		if (!status.received && entry.state == State::Lost) continue; // reported lost before
		if (status.received && (status.arrivalUs > kMaxArrivalUs || status.arrivalUs < -kMaxArrivalUs)) {
			// Not a time a real feedback can carry (24-bit reference time x 64 ms plus
			// 16-bit deltas): ignore it rather than let it into the arithmetic.
			++this->ignoredStatuses;
			continue;
		}
		if (entry.state == State::Sent) this->bytesInFlight -= entry.sizeBytes;
		entry.state = status.received ? State::Received : State::Lost;

		if (seq > this->highestReported) this->highestReported = seq;
		PacketResult result;
		result.sequenceNumber = seq;
		result.sizeBytes = entry.sizeBytes;
		result.sendTimeMs = entry.sendTimeMs;
		result.received = status.received;
		result.arrivalUs = status.received ? status.arrivalUs : 0;
		result.isRetransmission = entry.isRetransmission;
		result.probeClusterId = entry.probeClusterId;
		out.push_back(result);
	}
	return out.size() - before;
}

bool SentPacketHistory::IsReportedUpToNewest(int64_t windowMs) const {
	if (this->highestReported < this->firstSequence || this->highestReported > this->lastSequence) return true;
	const size_t newest = static_cast<size_t>(this->highestReported - this->firstSequence);
	const int64_t since = this->packets[newest].sendTimeMs - windowMs;
	for (size_t i = newest + 1; i-- > 0;) {
		const Entry& entry = this->packets[i];
		if (entry.state == State::Unknown) continue;
		if (entry.sendTimeMs < since) break;
		if (entry.state == State::Sent) return false;
	}
	return true;
}

} // namespace bwe
} // namespace mediaplane
