#include "DataReceiver.hpp"

#include <algorithm>

namespace mediaplane {
namespace sctp {

namespace {
// Gap ack block offsets are 16 bits (§3.3.4): data further ahead cannot be reported.
constexpr uint64_t kMaxTsnAhead = 0xFFFF;
constexpr size_t kMaxDuplicates = 32;
} // namespace

DataReceiver::DataReceiver(size_t windowBytes, size_t maxMessageSize)
	: windowBytes(windowBytes ? windowBytes : 1), maxMessageSize(maxMessageSize) {}

void DataReceiver::Start(uint32_t peerInitialTsn) {
	// §6.2: the cumulative TSN starts just below the peer's initial TSN.
	unwrapper.Reset(peerInitialTsn - 1);
	cumulative = unwrapper.Unwrap(peerInitialTsn - 1);
}

uint32_t DataReceiver::ARwnd() const {
	const size_t free = windowBytes > bufferedBytes ? windowBytes - bufferedBytes : 0;
	return static_cast<uint32_t>(std::min<size_t>(free, UINT32_MAX));
}

void DataReceiver::MarkReceived(uint64_t tsn) {
	if (tsn == cumulative + 1) {
		cumulative = tsn;
		while (!receivedAboveCumulative.empty() && *receivedAboveCumulative.begin() == cumulative + 1) {
			cumulative = *receivedAboveCumulative.begin();
			receivedAboveCumulative.erase(receivedAboveCumulative.begin());
		}
		unwrapper.Advance(TsnUnwrapper::Wrap(cumulative));
	} else {
		receivedAboveCumulative.insert(tsn);
	}
}

DataReceiver::Outcome DataReceiver::AcceptTsnOnly(uint32_t wrapped) {
	const uint64_t tsn = unwrapper.Unwrap(wrapped);
	if (tsn <= cumulative || receivedAboveCumulative.count(tsn)) {
		if (duplicates.size() < kMaxDuplicates) duplicates.push_back(wrapped);
		return Outcome::Duplicate;
	}
	if (tsn - cumulative > kMaxTsnAhead) return Outcome::NoRoom;
	MarkReceived(tsn);
	return Outcome::Accepted;
}

bool DataReceiver::SameMessage(const DataChunk& a, const DataChunk& b) const {
	return a.streamId == b.streamId && a.unordered == b.unordered && (a.unordered || a.ssn == b.ssn);
}

void DataReceiver::EraseFragment(std::map<uint64_t, Fragment>::iterator it) {
	bufferedBytes -= std::min(bufferedBytes, it->second.chunk.payload.size());
	fragments.erase(it);
}

DataReceiver::Outcome DataReceiver::HandleData(DataChunk&& chunk, std::vector<Message>& delivered) {
	const uint64_t tsn = unwrapper.Unwrap(chunk.tsn);
	// §6.2: a TSN already received is reported as a duplicate in the next SACK.
	if (tsn <= cumulative || receivedAboveCumulative.count(tsn)) {
		if (duplicates.size() < kMaxDuplicates) duplicates.push_back(chunk.tsn);
		return Outcome::Duplicate;
	}
	if (tsn - cumulative > kMaxTsnAhead) return Outcome::NoRoom;

	// The continuation of a too-large message being discarded: acknowledged, dropped.
	auto discard = discarding.find(chunk.streamId);
	if (discard != discarding.end() && tsn == discard->second.lastTsn + 1 && !chunk.beginning) {
		MarkReceived(tsn);
		discard->second.lastTsn = tsn;
		bool ended = chunk.ending;
		// Later fragments of it that came early.
		while (!ended) {
			auto next = fragments.find(discard->second.lastTsn + 1);
			if (next == fragments.end() || next->second.chunk.streamId != chunk.streamId || next->second.chunk.beginning) break;
			ended = next->second.chunk.ending;
			discard->second.lastTsn = next->first;
			EraseFragment(next);
		}
		if (ended) {
			const Discarding finished = discard->second;
			discarding.erase(discard);
			if (finished.ordered) Complete(chunk.streamId, true, finished.ssn, PendingOrdered{ true, {} }, delivered);
		}
		return Outcome::Accepted;
	}

	// §6.2 / §6.1: no buffer space, no acceptance (the sender retransmits), except the
	// next in-sequence TSN, which may complete a message and free space: a message up to
	// maxMessageSize can always be reassembled, even when larger than the window (hard
	// bound: window + max message size, so a misbehaving peer cannot grow it further).
	const size_t size = chunk.payload.size();
	const size_t hardLimit = windowBytes + std::max(windowBytes, maxMessageSize);
	if (bufferedBytes + size > windowBytes && !(tsn == cumulative + 1 && bufferedBytes + size <= hardLimit)) {
		return Outcome::NoRoom;
	}
	MarkReceived(tsn);
	bufferedBytes += size;
	fragments[tsn].chunk = std::move(chunk);
	TryReassemble(tsn, delivered);
	return Outcome::Accepted;
}

void DataReceiver::TryReassemble(uint64_t tsn, std::vector<Message>& delivered) {
	// §6.9: the fragments of a message have consecutive TSNs, from B to E.
	auto first = fragments.find(tsn);
	if (first == fragments.end()) return;
	const DataChunk& reference = first->second.chunk;
	while (!first->second.chunk.beginning) {
		auto previous = fragments.find(first->first - 1);
		// An E chunk before us ends an earlier message.
		if (previous == fragments.end() || !SameMessage(previous->second.chunk, reference) ||
			previous->second.chunk.ending)
			break;
		first = previous;
	}
	auto last = fragments.find(tsn);
	while (!last->second.chunk.ending) {
		auto next = fragments.find(last->first + 1);
		if (next == fragments.end() || !SameMessage(next->second.chunk, reference) || next->second.chunk.beginning) break;
		last = next;
	}
	size_t total = 0;
	for (auto it = first;; ++it) {
		total += it->second.chunk.payload.size();
		if (it == last) break;
	}
	const bool complete = first->second.chunk.beginning && last->second.chunk.ending;
	const uint16_t streamId = reference.streamId;
	const bool ordered = !reference.unordered;
	const uint16_t ssn = reference.ssn;
	if (total > maxMessageSize) {
		// Too large to deliver: dropped now, counted once, the rest dropped as it comes.
		const bool counted = !first->second.chunk.beginning;
		const uint64_t lastTsn = last->first;
		auto end = std::next(last);
		for (auto it = first; it != end;) {
			auto victim = it++;
			EraseFragment(victim);
		}
		if (!counted) ++discardedMessages;
		if (complete) {
			if (ordered) Complete(streamId, true, ssn, PendingOrdered{ true, {} }, delivered);
		} else {
			Discarding d;
			d.lastTsn = lastTsn;
			d.ordered = ordered;
			d.ssn = ssn;
			discarding[streamId] = d;
		}
		return;
	}
	if (!complete) return;
	PendingOrdered pending;
	pending.message.streamId = streamId;
	pending.message.ppid = first->second.chunk.ppid;
	pending.message.data.reserve(total);
	auto end = std::next(last);
	for (auto it = first; it != end;) {
		const auto& payload = it->second.chunk.payload;
		pending.message.data.insert(pending.message.data.end(), payload.begin(), payload.end());
		auto victim = it++;
		EraseFragment(victim);
	}
	// RFC 8831 §6.6: PPIDs 56/57 carry one zero byte for an empty message.
	if (pending.message.ppid == 56 || pending.message.ppid == 57) pending.message.data.clear();
	Complete(streamId, ordered, ssn, std::move(pending), delivered);
}

void DataReceiver::Complete(uint16_t streamId, bool ordered, uint16_t ssn, PendingOrdered&& pending,
	std::vector<Message>& delivered) {
	if (!ordered) {
		// §6.6: unordered messages are delivered as soon as they are complete.
		if (!pending.discarded) delivered.push_back(std::move(pending.message));
		return;
	}
	// §6.6: ordered messages in SSN order per stream.
	IncomingStream& stream = streams[streamId];
	if (ssn == stream.expectedSsn) {
		if (!pending.discarded) delivered.push_back(std::move(pending.message));
		stream.expectedSsn++;
		DeliverWaiting(streamId, stream, delivered);
	} else if (SsnLess(stream.expectedSsn, ssn) && !stream.waiting.count(ssn)) {
		bufferedBytes += pending.message.data.size();
		stream.waiting.emplace(ssn, std::move(pending));
	}
	// An SSN already delivered: a peer error; the message is dropped.
}

void DataReceiver::DeliverWaiting(uint16_t, IncomingStream& stream, std::vector<Message>& delivered) {
	for (auto it = stream.waiting.find(stream.expectedSsn); it != stream.waiting.end();
		 it = stream.waiting.find(stream.expectedSsn)) {
		bufferedBytes -= std::min(bufferedBytes, it->second.message.data.size());
		if (!it->second.discarded) delivered.push_back(std::move(it->second.message));
		stream.waiting.erase(it);
		stream.expectedSsn++;
	}
}

void DataReceiver::HandleForwardTsn(const ForwardTsnChunk& chunk, std::vector<Message>& delivered) {
	const uint64_t newCumulative = unwrapper.Unwrap(chunk.newCumulativeTsn);
	// RFC 3758 §3.6: a New Cumulative TSN at or below ours changes nothing (a SACK is
	// still sent).
	if (newCumulative <= cumulative) return;
	// Partly received messages up to the new cumulative TSN are dropped.
	while (!fragments.empty() && fragments.begin()->first <= newCumulative) EraseFragment(fragments.begin());
	while (!receivedAboveCumulative.empty() && *receivedAboveCumulative.begin() <= newCumulative)
		receivedAboveCumulative.erase(receivedAboveCumulative.begin());
	cumulative = newCumulative;
	while (!receivedAboveCumulative.empty() && *receivedAboveCumulative.begin() == cumulative + 1) {
		cumulative = *receivedAboveCumulative.begin();
		receivedAboveCumulative.erase(receivedAboveCumulative.begin());
	}
	unwrapper.Advance(TsnUnwrapper::Wrap(cumulative));
	for (auto it = discarding.begin(); it != discarding.end();) {
		if (it->second.lastTsn <= cumulative) it = discarding.erase(it);
		else ++it;
	}
	// §3.6: ordered streams skip to after the reported SSN and deliver what follows.
	for (const auto& skipped : chunk.streams) {
		IncomingStream& stream = streams[skipped.streamId];
		for (auto it = stream.waiting.begin(); it != stream.waiting.end();) {
			if (SsnLessOrEqual(it->first, skipped.ssn)) {
				bufferedBytes -= std::min(bufferedBytes, it->second.message.data.size());
				it = stream.waiting.erase(it);
			} else {
				++it;
			}
		}
		if (SsnLessOrEqual(stream.expectedSsn, skipped.ssn)) stream.expectedSsn = static_cast<uint16_t>(skipped.ssn + 1);
		DeliverWaiting(skipped.streamId, stream, delivered);
	}
}

void DataReceiver::ResetIncomingStreams(const std::vector<uint16_t>& streamIds) {
	auto reset = [this](IncomingStream& stream) {
		for (auto& entry : stream.waiting) bufferedBytes -= std::min(bufferedBytes, entry.second.message.data.size());
		stream.waiting.clear();
		stream.expectedSsn = 0;
	};
	if (streamIds.empty()) {
		for (auto& entry : streams) reset(entry.second);
		return;
	}
	for (uint16_t id : streamIds) {
		auto it = streams.find(id);
		if (it != streams.end()) reset(it->second);
	}
}

SackChunk DataReceiver::BuildSack(size_t maxSize) {
	SackChunk sack;
	sack.cumulativeTsnAck = TsnUnwrapper::Wrap(cumulative);
	sack.aRwnd = ARwnd();
	size_t slots = maxSize > 16 ? (maxSize - 16) / 4 : 0;
	// §3.3.4: runs of TSNs received above the cumulative TSN, as 16-bit offsets.
	for (auto it = receivedAboveCumulative.begin(); it != receivedAboveCumulative.end() && slots > 0;) {
		const uint64_t start = *it;
		uint64_t end = start;
		++it;
		while (it != receivedAboveCumulative.end() && *it == end + 1) {
			end = *it;
			++it;
		}
		if (end - cumulative > kMaxTsnAhead) break;
		sack.gapBlocks.push_back({ static_cast<uint16_t>(start - cumulative), static_cast<uint16_t>(end - cumulative) });
		--slots;
	}
	for (size_t i = 0; i < duplicates.size() && slots > 0; ++i, --slots) sack.duplicateTsns.push_back(duplicates[i]);
	duplicates.clear();
	return sack;
}

} // namespace sctp
} // namespace mediaplane
