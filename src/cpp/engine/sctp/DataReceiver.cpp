#include "DataReceiver.hpp"

#include <algorithm>

namespace mediaplane {
namespace sctp {

namespace {
// Gap ack block offsets are 16 bits (§3.3.4): data further ahead cannot be reported.
constexpr uint64_t kMaxTsnAhead = 0xFFFF;
constexpr size_t kMaxDuplicates = 32;
// RFC 9260 (RFC 4960) §6.9: a sender fragments a message to fit the path MTU, but no
// rule sets a smallest fragment: a message may legally come as many 1-byte fragments
// (20 bytes of chunk each). Each one is stored and looked after on its own, so a
// message is limited in fragments as it is in bytes: one of maxMessageSize bytes may
// average kMinAverageFragmentSize bytes a fragment (stacks cut at the path MTU, about
// 1,200 bytes, so 1/20 of that leaves ample room); a message cut finer is discarded
// like a too large one. Small maxMessageSize values still allow
// kMinFragmentsPerMessage fragments.
constexpr size_t kMinAverageFragmentSize = 64;
constexpr size_t kMinFragmentsPerMessage = 64;
// What one buffered entry (a stored fragment or a complete message waiting for an
// earlier SSN) costs besides its payload: its map node, the chunk or message header
// and the payload's own allocation come to about this much. Charged to the receive
// window with the payload, so that the window bounds memory, not only payload bytes:
// an entry of 1 byte (or of none: an empty message, RFC 8831 §6.6) would cost nothing
// otherwise, and a peer could park millions of them. The advertised a_rwnd (§6.2)
// shrinks by the same amount (as other stacks do for their per-chunk buffer cost), so
// the sender sees the room that is really left.
constexpr size_t kBufferedEntryOverhead = 128;

size_t EntryCharge(size_t payloadBytes) {
	return payloadBytes + kBufferedEntryOverhead;
}
} // namespace

DataReceiver::DataReceiver(size_t windowBytes, size_t maxMessageSize, size_t inboundStreams)
	: windowBytes(windowBytes ? windowBytes : 1), maxMessageSize(maxMessageSize), inboundStreams(inboundStreams),
	  maxFragmentsPerMessage(std::max(maxMessageSize / kMinAverageFragmentSize, kMinFragmentsPerMessage)),
	  maxMessageCharge(maxMessageSize + maxFragmentsPerMessage * kBufferedEntryOverhead) {}

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

bool DataReceiver::Continues(const DataChunk& earlier, const DataChunk& later) const {
	// §6.9: the fragments of a message have consecutive TSNs from B to E; an E ends the
	// message and a B starts another one.
	return !earlier.ending && !later.beginning && SameMessage(earlier, later);
}

void DataReceiver::ReleaseEntry(size_t payloadBytes) {
	bufferedBytes -= std::min(bufferedBytes, EntryCharge(payloadBytes));
}

std::map<uint64_t, DataReceiver::Fragment>::iterator DataReceiver::EraseFragment(
	std::map<uint64_t, Fragment>::iterator it) {
	ReleaseEntry(it->second.chunk.payload.size());
	return fragments.erase(it);
}

void DataReceiver::EraseRun(RunIterator run) {
	// The run's fragments are consecutive TSNs, so consecutive in `fragments`.
	auto it = fragments.find(run->first);
	for (size_t i = 0; i < run->second.fragments && it != fragments.end(); ++i) it = EraseFragment(it);
	runs.erase(run);
}

void DataReceiver::EraseFragmentsUpTo(uint64_t tsn) {
	while (!runs.empty() && runs.begin()->first <= tsn) {
		auto run = runs.begin();
		if (run->second.lastTsn <= tsn) {
			EraseRun(run);
			continue;
		}
		// The run goes on past tsn: its head is dropped, the rest starts at tsn + 1.
		Run rest = run->second;
		for (auto it = fragments.find(run->first); it != fragments.end() && it->first <= tsn;) {
			rest.bytes -= std::min(rest.bytes, it->second.chunk.payload.size());
			--rest.fragments;
			it = EraseFragment(it);
		}
		runs.erase(run);
		runs.emplace(tsn + 1, rest);
	}
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
		// Later fragments of it that came early (the run right after it, and so on: a
		// fragment at lastTsn + 1 starts a run, since lastTsn is not stored).
		while (!ended) {
			auto next = runs.find(discard->second.lastTsn + 1);
			if (next == runs.end()) break;
			const DataChunk& head = fragments.find(next->first)->second.chunk;
			if (head.streamId != chunk.streamId || head.beginning) break;
			ended = fragments.find(next->second.lastTsn)->second.chunk.ending;
			discard->second.lastTsn = next->second.lastTsn;
			EraseRun(next);
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
	// bound: window + what the largest message may be charged, so a misbehaving peer
	// cannot grow it further).
	const size_t charge = EntryCharge(chunk.payload.size());
	const size_t hardLimit = windowBytes + std::max(windowBytes, maxMessageCharge);
	if (bufferedBytes + charge > windowBytes && !(tsn == cumulative + 1 && bufferedBytes + charge <= hardLimit)) {
		return Outcome::NoRoom;
	}
	MarkReceived(tsn);
	bufferedBytes += charge;
	fragments[tsn].chunk = std::move(chunk);
	TryReassemble(tsn, delivered);
	return Outcome::Accepted;
}

void DataReceiver::TryReassemble(uint64_t tsn, std::vector<Message>& delivered) {
	auto stored = fragments.find(tsn);
	if (stored == fragments.end()) return;
	const DataChunk& reference = stored->second.chunk;
	uint64_t firstTsn = tsn;
	Run run;
	run.lastTsn = tsn;
	run.bytes = reference.payload.size();
	run.fragments = 1;
	// tsn was not stored before, so a run of the same message can end at tsn - 1 and
	// another one start at tsn + 1: the new fragment joins them.
	auto previous = fragments.find(tsn - 1);
	if (previous != fragments.end() && Continues(previous->second.chunk, reference)) {
		auto before = std::prev(runs.upper_bound(tsn - 1));
		firstTsn = before->first;
		run.bytes += before->second.bytes;
		run.fragments += before->second.fragments;
	}
	auto next = fragments.find(tsn + 1);
	if (next != fragments.end() && Continues(reference, next->second.chunk)) {
		auto after = runs.find(tsn + 1);
		run.lastTsn = after->second.lastTsn;
		run.bytes += after->second.bytes;
		run.fragments += after->second.fragments;
		runs.erase(after);
	}
	auto merged = runs.insert_or_assign(firstTsn, run).first;

	const DataChunk& first = fragments.find(firstTsn)->second.chunk;
	const DataChunk& last = fragments.find(run.lastTsn)->second.chunk;
	const bool complete = first.beginning && last.ending;
	const uint16_t streamId = reference.streamId;
	const bool ordered = !reference.unordered;
	const uint16_t ssn = reference.ssn;
	if (run.bytes > maxMessageSize || run.fragments > maxFragmentsPerMessage) {
		// Too large (or too finely cut) to deliver: dropped now, counted once, the rest
		// dropped as it comes.
		const bool counted = !first.beginning;
		EraseRun(merged);
		if (!counted) ++discardedMessages;
		if (complete) {
			if (ordered) Complete(streamId, true, ssn, PendingOrdered{ true, {} }, delivered);
		} else {
			Discarding d;
			d.lastTsn = run.lastTsn;
			d.ordered = ordered;
			d.ssn = ssn;
			discarding[streamId] = d;
		}
		return;
	}
	if (!complete) return;
	PendingOrdered pending;
	pending.message.streamId = streamId;
	pending.message.ppid = first.ppid;
	pending.message.data.reserve(run.bytes);
	auto it = fragments.find(firstTsn);
	for (size_t i = 0; i < run.fragments; ++i, ++it) {
		const auto& payload = it->second.chunk.payload;
		pending.message.data.insert(pending.message.data.end(), payload.begin(), payload.end());
	}
	EraseRun(merged);
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
		DeliverWaiting(stream, delivered);
	} else if (SsnLess(stream.expectedSsn, ssn) && !stream.waiting.count(ssn)) {
		bufferedBytes += EntryCharge(pending.message.data.size());
		stream.waiting.emplace(ssn, std::move(pending));
	}
	// An SSN already delivered: a peer error; the message is dropped.
}

void DataReceiver::DeliverWaiting(IncomingStream& stream, std::vector<Message>& delivered) {
	for (auto it = stream.waiting.find(stream.expectedSsn); it != stream.waiting.end();
		 it = stream.waiting.find(stream.expectedSsn)) {
		ReleaseEntry(it->second.message.data.size());
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
	EraseFragmentsUpTo(newCumulative);
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
	// Each entry costs a lookup or two, whatever the peer lists: a stream it may not
	// send on (§5.1.1: only the negotiated inbound streams carry data, §6.5) is ignored,
	// and an SSN at or behind the expected one (an old FORWARD-TSN, or the same stream
	// listed again: the highest SSN wins either way) changes nothing.
	for (const auto& skipped : chunk.streams) {
		if (skipped.streamId >= inboundStreams) continue;
		auto found = streams.find(skipped.streamId);
		const uint16_t expected = found == streams.end() ? 0 : found->second.expectedSsn;
		if (!SsnLessOrEqual(expected, skipped.ssn)) continue;
		IncomingStream& stream = found == streams.end() ? streams[skipped.streamId] : found->second;
		SkipThrough(stream, skipped.ssn, delivered);
	}
}

void DataReceiver::SkipThrough(IncomingStream& stream, uint16_t lastSkipped, std::vector<Message>& delivered) {
	// RFC 3758 §3.6: messages waiting with SSNs up to and including the skipped one are
	// "stranded" (the ones before them were abandoned): made available for delivery now,
	// in SSN order. Every waiting SSN is ahead of expectedSsn by less than 2^15 (it was
	// when it was stored, and expectedSsn only moves forward past delivered or skipped
	// ones), and so is lastSkipped: those are the keys from expectedSsn to lastSkipped,
	// in two pieces when that range wraps past 65535.
	auto deliverRange = [&](auto it, auto end) {
		while (it != end) {
			ReleaseEntry(it->second.message.data.size());
			if (!it->second.discarded) delivered.push_back(std::move(it->second.message));
			it = stream.waiting.erase(it);
		}
	};
	const uint16_t from = stream.expectedSsn;
	if (from <= lastSkipped) {
		deliverRange(stream.waiting.lower_bound(from), stream.waiting.upper_bound(lastSkipped));
	} else {
		deliverRange(stream.waiting.lower_bound(from), stream.waiting.end());
		deliverRange(stream.waiting.begin(), stream.waiting.upper_bound(lastSkipped));
	}
	stream.expectedSsn = static_cast<uint16_t>(lastSkipped + 1);
	DeliverWaiting(stream, delivered);
}

void DataReceiver::ResetIncomingStreams(const std::vector<uint16_t>& streamIds) {
	auto reset = [this](IncomingStream& stream) {
		for (auto& entry : stream.waiting) ReleaseEntry(entry.second.message.data.size());
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
