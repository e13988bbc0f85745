#include "DataSender.hpp"

#include <algorithm>

#include "SerialNumber.hpp"

namespace mediaplane {
namespace sctp {

namespace {
size_t PaddedChunkSize(size_t payload) {
	return (kDataChunkHeaderSize + payload + 3) & ~size_t(3);
}
// The send buffer is counted in message bytes (sendBufferSize, as mediasoup's
// sctpSendBufferSize), but each queued message and each unacknowledged chunk also
// costs its bookkeeping (a queue or deque entry, the chunk header, an allocation),
// about this much: an empty message (RFC 8831 §6.6) or a 1-byte one counts 0 or 1
// byte, so messages forwarded from a peer could pile up by the million before the
// byte count filled. So the buffer also holds at most sendBufferSize /
// kMinEntryBytes entries: messages of this size or more reach the byte limit first,
// smaller ones are limited by their number.
constexpr size_t kMinEntryBytes = 128;
} // namespace

DataSender::DataSender(const Options& options) : options(options) {
	if (this->options.mtu < 256) this->options.mtu = 256;
}

void DataSender::Start(uint32_t initialTsn, uint32_t peerRwnd, uint16_t outboundStreams, bool peerForwardTsn) {
	nextTsn = initialTsn;
	lastCumulativeAck = initialTsn - 1;
	this->peerRwnd = peerRwnd;
	this->outboundStreams = outboundStreams;
	this->peerForwardTsn = peerForwardTsn;
	// §7.2.1: initial cwnd = min(4 MTU, max(2 MTU, 4380 bytes)); initial ssthresh = the
	// peer's advertised receive window.
	cwnd = std::min<size_t>(4 * options.mtu, std::max<size_t>(2 * options.mtu, 4380));
	ssthresh = peerRwnd;
	partialBytesAcked = 0;
}

size_t DataSender::MaxFragment() const {
	// §6.9: fragments sized so that one DATA chunk fits a packet of the path MTU.
	return (options.mtu - kCommonHeaderSize - kDataChunkHeaderSize) & ~size_t(3);
}

SendResult DataSender::Enqueue(uint16_t streamId, uint32_t ppid, const uint8_t* data, size_t len,
	const SendOptions& sendOptions, uint64_t nowMs) {
	if (streamId >= outboundStreams) return SendResult::InvalidStream;
	if (len > options.maxSendMessageSize) return SendResult::MessageTooLarge;
	OutgoingStream& stream = streams[streamId];
	if (stream.resetting) return SendResult::InvalidStream;
	// RFC 8831 §6.6: an empty message travels as one zero byte (PPID 56/57).
	const size_t wireBytes = len ? len : 1;
	// (An empty buffer takes one message whatever sendBufferSize / kMinEntryBytes is.)
	const size_t entries = totalQueuedMessages + outstanding.size();
	if (stream.queuedBytes + wireBytes > options.perStreamSendQueueLimit ||
		totalBuffered + wireBytes > options.sendBufferSize ||
		(entries > 0 && (entries + 1) * kMinEntryBytes > options.sendBufferSize)) {
		return SendResult::BufferFull;
	}
	QueuedMessage message;
	message.messageId = nextMessageId++;
	message.ppid = ppid;
	if (len) message.payload.assign(data, data + len);
	else message.payload.assign(1, 0);
	message.userBytes = len;
	message.userBytesLeft = len;
	message.ordered = sendOptions.ordered;
	message.maxRetransmits = sendOptions.maxRetransmits;
	if (sendOptions.maxPacketLifeTimeMs >= 0) message.expiresMs = nowMs + static_cast<uint64_t>(sendOptions.maxPacketLifeTimeMs);
	stream.queuedBytes += wireBytes;
	stream.buffered += len;
	stream.unsent += len;
	totalBuffered += len;
	++totalQueuedMessages;
	stream.queue.push_back(std::move(message));
	return SendResult::Ok;
}

void DataSender::ReduceBuffered(uint16_t streamId, size_t bytes) {
	if (bytes == 0) return;
	auto it = streams.find(streamId);
	if (it == streams.end()) return;
	OutgoingStream& stream = it->second;
	const size_t before = stream.buffered;
	stream.buffered = before > bytes ? before - bytes : 0;
	totalBuffered = totalBuffered > bytes ? totalBuffered - bytes : 0;
}

void DataSender::ReduceUnsent(OutgoingStream& stream, uint16_t streamId, size_t bytes) {
	if (bytes == 0) return;
	const size_t before = stream.unsent;
	stream.unsent = before > bytes ? before - bytes : 0;
	// The RTCDataChannel bufferedamountlow rule: from above the threshold to at or below.
	if (before > stream.lowThreshold && stream.unsent <= stream.lowThreshold) {
		lowEvents.push_back({ streamId, stream.unsent });
	}
}

bool DataSender::HasMarkedChunks() const {
	for (const auto& c : outstanding)
		if (c.marked) return true;
	return false;
}

bool DataSender::ShouldAbandon(const SentChunk& chunk, uint64_t nowMs) const {
	// RFC 3758 §3.5 A1 (and RFC 8831 §6.1 for the WebRTC limits): only with a peer that
	// supports FORWARD-TSN; a message past its lifetime, or whose chunk was already sent
	// 1 + maxRetransmits times, is abandoned.
	if (!peerForwardTsn) return false;
	if (chunk.maxRetransmits >= 0 && chunk.transmissions > static_cast<uint32_t>(chunk.maxRetransmits)) return true;
	return nowMs >= chunk.expiresMs;
}

void DataSender::AbandonMessage(uint64_t messageId, uint16_t streamId) {
	// RFC 3758 §3.5 A3: all chunks of the message are abandoned together.
	for (auto& c : outstanding) {
		if (c.messageId != messageId || c.abandoned) continue;
		c.abandoned = true;
		c.marked = false;
		c.fastMarked = false;
		if (c.inFlight) {
			flightSize -= c.chunk.payload.size();
			c.inFlight = false;
		}
		// Its bytes leave the buffered amount now (gap-acked ones too: those are only
		// counted out when the cumulative ack passes them).
		ReduceBuffered(streamId, c.userBytes);
		c.userBytes = 0;
	}
	auto it = streams.find(streamId);
	if (it != streams.end() && !it->second.queue.empty() && it->second.queue.front().messageId == messageId) {
		OutgoingStream& stream = it->second;
		QueuedMessage& message = stream.queue.front();
		const size_t rest = message.payload.size() - message.offset;
		stream.queuedBytes = stream.queuedBytes > rest ? stream.queuedBytes - rest : 0;
		ReduceUnsent(stream, streamId, message.userBytesLeft);
		ReduceBuffered(streamId, message.userBytesLeft);
		stream.queue.pop_front();
		--totalQueuedMessages;
		if (fragmenting && currentStream == streamId) fragmenting = false;
	}
	++abandonedMessages;
}

DataSender::OutgoingStream* DataSender::PickStream(uint64_t nowMs) {
	if (fragmenting) {
		// §6.9: the fragments of a message get consecutive TSNs; finish it first.
		auto it = streams.find(currentStream);
		if (it != streams.end() && !it->second.queue.empty()) return &it->second;
		fragmenting = false;
	}
	if (streams.empty() || totalQueuedMessages == 0) return nullptr;
	// Round robin over the streams with queued messages, starting after the last one.
	auto it = streams.upper_bound(currentStream);
	for (size_t visited = 0; visited <= streams.size(); ++visited) {
		if (it == streams.end()) it = streams.begin();
		OutgoingStream& stream = it->second;
		// RFC 3758: a message whose lifetime ended before it was sent is dropped.
		while (!stream.queue.empty() && stream.queue.front().offset == 0 && nowMs >= stream.queue.front().expiresMs &&
			peerForwardTsn) {
			QueuedMessage& message = stream.queue.front();
			stream.queuedBytes -= std::min(stream.queuedBytes, message.payload.size());
			// Never sent: out of bufferedAmount too (it stayed there for good, found by the
			// sctp_association fuzzer's per-stream <= total check).
			ReduceUnsent(stream, it->first, message.userBytesLeft);
			ReduceBuffered(it->first, message.userBytesLeft);
			stream.queue.pop_front();
			--totalQueuedMessages;
			++abandonedMessages;
		}
		if (!stream.queue.empty()) {
			currentStream = it->first;
			return &stream;
		}
		++it;
	}
	return nullptr;
}

bool DataSender::NextRetransmission(size_t room, uint64_t nowMs, std::vector<uint8_t>& out) {
	for (auto& c : outstanding) {
		if (!c.marked) continue;
		if (ShouldAbandon(c, nowMs)) {
			AbandonMessage(c.messageId, c.chunk.streamId);
			continue;
		}
		// §7.2.4 step 3: the first packet of fast retransmissions ignores cwnd; otherwise
		// §7.2.1: no more than cwnd in flight.
		const bool allowed = (c.fastMarked && fastRetransmitBudget > 0) || flightSize < cwnd;
		if (!allowed) return false;
		const size_t size = PaddedChunkSize(c.chunk.payload.size());
		if (size > room) return false;
		c.chunk.Serialize(out);
		c.transmissions++;
		c.lastSentMs = nowMs;
		c.marked = false;
		c.inFlight = true;
		c.missingReports = 0;
		flightSize += c.chunk.payload.size();
		if (c.fastMarked) {
			fastRetransmitBudget = fastRetransmitBudget > size ? fastRetransmitBudget - size : 0;
			c.fastMarked = false;
		}
		return true;
	}
	return false;
}

bool DataSender::NextNewChunk(size_t room, uint64_t nowMs, std::vector<uint8_t>& out) {
	if (flightSize >= cwnd) return false; // §7.2.1
	OutgoingStream* stream = PickStream(nowMs);
	if (!stream) return false;
	QueuedMessage& message = stream->queue.front();
	const size_t remaining = message.payload.size() - message.offset;
	const size_t fragment = std::min(remaining, MaxFragment());
	if (PaddedChunkSize(fragment) > room) return false;
	// §6.1 A/B: within the peer's window, except one chunk when nothing is in flight
	// (the zero window probe).
	if (fragment > peerRwnd && flightSize > 0) return false;

	SentChunk sent;
	DataChunk& chunk = sent.chunk;
	chunk.tsn = nextTsn++;
	chunk.streamId = currentStream;
	if (message.ordered) {
		if (!message.ssnAssigned) {
			message.ssn = stream->nextSsn++;
			message.ssnAssigned = true;
		}
		chunk.ssn = message.ssn;
	}
	chunk.ppid = message.ppid;
	chunk.unordered = !message.ordered;
	chunk.beginning = message.offset == 0;
	chunk.ending = fragment == remaining;
	chunk.payload.assign(message.payload.begin() + message.offset, message.payload.begin() + message.offset + fragment);
	sent.messageId = message.messageId;
	sent.userBytes = message.userBytes ? fragment : 0;
	sent.lastSentMs = nowMs;
	sent.transmissions = 1;
	sent.maxRetransmits = message.maxRetransmits;
	sent.expiresMs = message.expiresMs;
	sent.inFlight = true;
	chunk.Serialize(out);

	flightSize += fragment;
	peerRwnd = peerRwnd > fragment ? peerRwnd - fragment : 0;
	message.offset += fragment;
	message.userBytesLeft -= std::min(message.userBytesLeft, sent.userBytes);
	stream->queuedBytes -= std::min(stream->queuedBytes, fragment);
	ReduceUnsent(*stream, chunk.streamId, sent.userBytes);
	if (chunk.ending) {
		stream->queue.pop_front();
		--totalQueuedMessages;
		fragmenting = false;
	} else {
		fragmenting = true;
	}
	outstanding.push_back(std::move(sent));
	return true;
}

bool DataSender::NextChunk(size_t room, uint64_t nowMs, std::vector<uint8_t>& out, bool& retransmission) {
	// §6.1: retransmissions before new data.
	if (NextRetransmission(room, nowMs, out)) {
		retransmission = true;
		return true;
	}
	retransmission = false;
	if (HasMarkedChunks()) return false; // waiting for cwnd room to retransmit
	return NextNewChunk(room, nowMs, out);
}

DataSender::SackOutcome DataSender::HandleSack(const SackChunk& sack, uint64_t nowMs) {
	SackOutcome outcome;
	const uint32_t cumAck = sack.cumulativeTsnAck;
	// §6.2.1 D i: a SACK older than the last cumulative ack is out of order; ignore it.
	if (TsnLess(cumAck, lastCumulativeAck)) {
		outcome.stale = true;
		return outcome;
	}
	// Acknowledging a TSN never sent is a protocol violation.
	if (!TsnLess(cumAck, nextTsn)) {
		outcome.protocolViolation = true;
		return outcome;
	}
	const size_t flightBefore = flightSize;
	size_t bytesAcked = 0;
	uint64_t rttSentMs = 0;
	bool hasRtt = false;
	auto measure = [&](const SentChunk& c) {
		// §6.3.1 C5 (Karn): only chunks sent once give an RTT measurement.
		if (c.transmissions == 1 && (!hasRtt || c.lastSentMs > rttSentMs)) {
			rttSentMs = c.lastSentMs;
			hasRtt = true;
		}
	};

	outcome.cumulativeAdvanced = TsnLess(lastCumulativeAck, cumAck);
	while (!outstanding.empty() && TsnLessOrEqual(outstanding.front().chunk.tsn, cumAck)) {
		SentChunk& c = outstanding.front();
		if (!c.acked && !c.abandoned) {
			bytesAcked += c.chunk.payload.size();
			outcome.newlyAcked = true;
			measure(c);
		}
		if (c.inFlight) flightSize -= c.chunk.payload.size();
		ReduceBuffered(c.chunk.streamId, c.userBytes);
		outstanding.pop_front();
	}
	lastCumulativeAck = cumAck;
	// Progress (§8.3) also when only abandoned chunks were passed (after a FORWARD-TSN).
	if (outcome.cumulativeAdvanced) outcome.newlyAcked = true;

	// §3.3.4: gap ack blocks, as offsets from the cumulative TSN ack, "in ascending
	// order" (and disjoint: each reports a run of received TSNs). A block that is not
	// ahead of the one before ends the list: the rest of such a SACK is ignored, so
	// each outstanding chunk is visited at most once per SACK however many blocks the
	// peer repeats or overlaps.
	uint32_t highestNewlyAcked = cumAck;
	uint32_t previousEnd = 0;
	for (const auto& block : sack.gapBlocks) {
		if (block.start <= previousEnd || block.start > block.end) break;
		previousEnd = block.end;
		if (block.start > outstanding.size()) break;
		const uint32_t lastOffset = std::min<uint32_t>(block.end, static_cast<uint32_t>(outstanding.size()));
		for (uint32_t offset = block.start; offset <= lastOffset; ++offset) {
			SentChunk& c = outstanding[offset - 1];
			if (c.acked) continue;
			c.acked = true;
			c.marked = false;
			c.fastMarked = false;
			if (c.inFlight) {
				flightSize -= c.chunk.payload.size();
				c.inFlight = false;
			}
			if (!c.abandoned) {
				outcome.newlyAcked = true;
				measure(c);
			}
			if (TsnLess(highestNewlyAcked, c.chunk.tsn)) highestNewlyAcked = c.chunk.tsn;
		}
	}
	if (hasRtt && nowMs >= rttSentMs) {
		outcome.hasRtt = true;
		outcome.rttMs = static_cast<uint32_t>(std::min<uint64_t>(nowMs - rttSentMs, UINT32_MAX));
	}

	// §7.2.4: fast recovery ends once the cumulative ack reaches its exit point.
	if (fastRecovery && TsnLessOrEqual(fastRecoveryExit, cumAck)) fastRecovery = false;

	// §7.2.1 / §7.2.2: cwnd grows only when the cumulative ack advanced, the window was
	// in use, and not during fast recovery.
	if (outcome.cumulativeAdvanced && !fastRecovery && bytesAcked > 0) {
		const bool windowUsed = flightBefore + options.mtu >= cwnd;
		if (cwnd <= ssthresh) {
			if (windowUsed) cwnd += std::min(bytesAcked, options.mtu);
		} else {
			partialBytesAcked += bytesAcked;
			if (partialBytesAcked >= cwnd && windowUsed) {
				partialBytesAcked -= cwnd;
				cwnd += options.mtu;
			}
		}
	}
	if (outstanding.empty()) partialBytesAcked = 0; // §7.2.2

	// §7.2.4 (with the HTNA rule): a miss indication for each unacknowledged TSN below the
	// highest TSN newly acknowledged; on the third, fast retransmit (once per chunk).
	if (TsnLess(cumAck, highestNewlyAcked)) {
		for (auto& c : outstanding) {
			if (!TsnLess(c.chunk.tsn, highestNewlyAcked)) break;
			if (c.acked || c.abandoned || c.marked || c.fastRetransmitted) continue;
			if (++c.missingReports < 3) continue;
			if (ShouldAbandon(c, nowMs)) {
				AbandonMessage(c.messageId, c.chunk.streamId);
				continue;
			}
			c.marked = true;
			c.fastMarked = true;
			c.fastRetransmitted = true;
			if (c.inFlight) {
				flightSize -= c.chunk.payload.size();
				c.inFlight = false;
			}
			outcome.fastRetransmit = true;
		}
		if (outcome.fastRetransmit) {
			// §7.2.4 step 2 / §7.2.3: once per recovery, halve.
			if (!fastRecovery) {
				ssthresh = std::max(cwnd / 2, 4 * options.mtu);
				cwnd = ssthresh;
				partialBytesAcked = 0;
				fastRecovery = true;
				fastRecoveryExit = nextTsn - 1;
			}
			fastRetransmitBudget = options.mtu;
		}
	}

	// RFC 3758 §3.5 A1: unacknowledged chunks past their lifetime are abandoned.
	if (peerForwardTsn) {
		for (size_t i = 0; i < outstanding.size(); ++i) {
			SentChunk& c = outstanding[i];
			if (!c.acked && !c.abandoned && nowMs >= c.expiresMs) AbandonMessage(c.messageId, c.chunk.streamId);
		}
	}

	// §6.2.1: rwnd = a_rwnd - bytes still in flight.
	peerRwnd = sack.aRwnd > flightSize ? sack.aRwnd - flightSize : 0;
	return outcome;
}

void DataSender::OnT3Expired(uint64_t nowMs) {
	// §7.2.3: ssthresh = max(cwnd/2, 4 MTU), cwnd = 1 MTU.
	ssthresh = std::max(cwnd / 2, 4 * options.mtu);
	cwnd = options.mtu;
	partialBytesAcked = 0;
	fastRecovery = false;
	// §6.3.3 E3: every unacknowledged chunk is to be retransmitted.
	for (size_t i = 0; i < outstanding.size(); ++i) {
		SentChunk& c = outstanding[i];
		if (c.acked || c.abandoned) continue;
		if (ShouldAbandon(c, nowMs)) {
			AbandonMessage(c.messageId, c.chunk.streamId);
			continue;
		}
		c.marked = true;
		c.fastMarked = false;
		if (c.inFlight) {
			flightSize -= c.chunk.payload.size();
			c.inFlight = false;
		}
	}
}

bool DataSender::NeedsForwardTsn(ForwardTsnChunk& out) const {
	if (!peerForwardTsn) return false;
	// RFC 3758 §3.5 C2: Advanced.Peer.Ack.Point moves over the abandoned chunks that
	// follow the cumulative ack (acknowledged ones in between are passed too).
	uint32_t ackPoint = lastCumulativeAck;
	bool any = false;
	for (const auto& c : outstanding) {
		if (c.abandoned) {
			ackPoint = c.chunk.tsn;
			any = true;
		} else if (!c.acked) {
			break;
		}
	}
	if (!any) return false;
	// C4: the highest SSN skipped per ordered stream.
	out.newCumulativeTsn = ackPoint;
	out.streams.clear();
	std::map<uint16_t, uint16_t> skipped;
	for (const auto& c : outstanding) {
		if (TsnLess(ackPoint, c.chunk.tsn)) break;
		if (!c.abandoned || c.chunk.unordered) continue;
		auto it = skipped.find(c.chunk.streamId);
		if (it == skipped.end()) skipped[c.chunk.streamId] = c.chunk.ssn;
		else if (SsnLess(it->second, c.chunk.ssn)) it->second = c.chunk.ssn;
	}
	for (const auto& entry : skipped) out.streams.push_back({ entry.first, entry.second });
	return true;
}

void DataSender::SetResetting(uint16_t streamId, bool resetting) {
	streams[streamId].resetting = resetting;
}

bool DataSender::IsResetting(uint16_t streamId) const {
	auto it = streams.find(streamId);
	return it != streams.end() && it->second.resetting;
}

bool DataSender::HasQueued(uint16_t streamId) const {
	auto it = streams.find(streamId);
	return it != streams.end() && !it->second.queue.empty();
}

void DataSender::ResetSsn(uint16_t streamId) {
	streams[streamId].nextSsn = 0;
}

size_t DataSender::BufferedAmount(uint16_t streamId) const {
	auto it = streams.find(streamId);
	return it == streams.end() ? 0 : it->second.buffered;
}

size_t DataSender::UnsentAmount(uint16_t streamId) const {
	auto it = streams.find(streamId);
	return it == streams.end() ? 0 : it->second.unsent;
}

void DataSender::SetBufferedAmountLowThreshold(uint16_t streamId, size_t threshold) {
	streams[streamId].lowThreshold = threshold;
}

void DataSender::TakeBufferedAmountLowEvents(std::vector<BufferedAmountLow>& out) {
	out.clear();
	out.swap(lowEvents);
}

} // namespace sctp
} // namespace mediaplane
