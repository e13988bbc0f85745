#pragma once
// The receiving half of the data transfer (RFC 9260 §6): TSN tracking for the SACK
// (cumulative TSN, gap ack blocks, duplicate TSNs, §6.2 and §3.3.4), reassembly of
// fragmented messages (§6.9, B/E bits), ordered delivery by SSN per stream and
// unordered delivery as soon as complete (§6.6), FORWARD-TSN (RFC 3758 §3.6), and
// bounded buffering: at most maxReceiverWindowBufferSize bytes of out-of-order or
// partly reassembled data, each stored chunk and waiting message counted with a fixed
// overhead besides its payload (the advertised a_rwnd; in-sequence data beyond it is
// still taken, up to the window plus what the largest message may be charged, so that
// any deliverable message can be completed); a message larger than
// maxReceiveMessageSize, or cut into more than maxReceiveMessageSize / 64 fragments
// (at least 64; see DataReceiver.cpp), is discarded as it arrives and counted.

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <unordered_map>
#include <vector>

#include "SctpPacket.hpp"
#include "SerialNumber.hpp"

namespace mediaplane {
namespace sctp {

class DataReceiver {
public:
	struct Message {
		uint16_t streamId = 0;
		uint32_t ppid = 0;
		std::vector<uint8_t> data;
	};
	enum class Outcome { Accepted, Duplicate, NoRoom };

	// inboundStreams: the negotiated inbound stream count (stream ids below it carry data).
	DataReceiver(size_t windowBytes, size_t maxMessageSize, size_t inboundStreams = 65536);

	void Start(uint32_t peerInitialTsn);
	// One DATA chunk (non-empty payload). Complete messages are appended to delivered, in
	// delivery order.
	Outcome HandleData(DataChunk&& chunk, std::vector<Message>& delivered);
	// Marks a TSN received without keeping its data (a chunk for an invalid stream,
	// §6.5: acknowledged, then discarded).
	Outcome AcceptTsnOnly(uint32_t tsn);
	// RFC 3758 §3.6.
	void HandleForwardTsn(const ForwardTsnChunk& chunk, std::vector<Message>& delivered);
	// RFC 6525 §5.2.2: the peer reset these outgoing streams; their SSNs restart at 0
	// (all streams when the list is empty).
	void ResetIncomingStreams(const std::vector<uint16_t>& streamIds);

	// The SACK to send now, with as many gap blocks and duplicate TSNs as fit maxSize
	// bytes of chunk; the reported duplicates are forgotten.
	SackChunk BuildSack(size_t maxSize);
	uint32_t CumulativeTsn() const { return TsnUnwrapper::Wrap(cumulative); }
	bool HasGaps() const { return !receivedAboveCumulative.empty(); }
	bool HasDuplicates() const { return !duplicates.empty(); }
	uint32_t ARwnd() const;
	size_t BufferedBytes() const { return bufferedBytes; }
	uint64_t DiscardedMessages() const { return discardedMessages; }

private:
	struct Fragment {
		DataChunk chunk;
	};
	// Consecutive stored fragments of one message (each one's successor neither begins
	// a message nor follows an E), keyed in `runs` by the first TSN: what reassembly has
	// of a message so far, kept up to date as fragments join, so that a new fragment
	// costs a few map lookups instead of a walk over the earlier ones.
	struct Run {
		uint64_t lastTsn = 0;
		size_t bytes = 0;     // payload bytes
		size_t fragments = 0; // number of fragments
	};
	using RunIterator = std::map<uint64_t, Run>::iterator;
	struct PendingOrdered {
		bool discarded = false; // a too-large message: skipped, not delivered
		Message message;
	};
	struct IncomingStream {
		uint16_t expectedSsn = 0;
		// Complete, waiting for an earlier SSN; every key is ahead of expectedSsn by less
		// than 2^15 (serial order, RFC 1982).
		std::map<uint16_t, PendingOrdered> waiting;
	};
	// A too-large message being discarded as its fragments come.
	struct Discarding {
		uint64_t lastTsn = 0;
		bool ordered = false;
		uint16_t ssn = 0;
	};

	void MarkReceived(uint64_t tsn);
	bool SameMessage(const DataChunk& a, const DataChunk& b) const;
	// Whether `later` (at the TSN after `earlier`) continues the same message.
	bool Continues(const DataChunk& earlier, const DataChunk& later) const;
	// Adds the fragment just stored at tsn to its run (joining the runs before and after
	// it) and delivers, discards or keeps the message.
	void TryReassemble(uint64_t tsn, std::vector<Message>& delivered);
	// Erases the run and its fragments.
	void EraseRun(RunIterator run);
	// Erases every stored fragment at or below tsn (a run across it keeps its rest).
	void EraseFragmentsUpTo(uint64_t tsn);
	void Complete(uint16_t streamId, bool ordered, uint16_t ssn, PendingOrdered&& pending, std::vector<Message>& delivered);
	void DeliverWaiting(IncomingStream& stream, std::vector<Message>& delivered);
	// FORWARD-TSN: delivers the waiting messages up to lastSkipped, then continues after it.
	void SkipThrough(IncomingStream& stream, uint16_t lastSkipped, std::vector<Message>& delivered);
	// Takes an entry's charge (payload + per-entry overhead) off bufferedBytes.
	void ReleaseEntry(size_t payloadBytes);
	std::map<uint64_t, Fragment>::iterator EraseFragment(std::map<uint64_t, Fragment>::iterator it);

	size_t windowBytes;
	size_t maxMessageSize;
	size_t inboundStreams;
	size_t maxFragmentsPerMessage;
	size_t maxMessageCharge; // the most a deliverable message can be charged
	TsnUnwrapper unwrapper;
	uint64_t cumulative = 0;
	std::set<uint64_t> receivedAboveCumulative;
	std::vector<uint32_t> duplicates;
	std::map<uint64_t, Fragment> fragments; // not yet part of a complete message
	std::map<uint64_t, Run> runs;           // every stored fragment is in exactly one
	std::unordered_map<uint16_t, IncomingStream> streams;
	std::unordered_map<uint16_t, Discarding> discarding;
	// Payload plus a fixed per-entry overhead of every stored fragment and waiting
	// message (DataReceiver.cpp): what the window bounds.
	size_t bufferedBytes = 0;
	uint64_t discardedMessages = 0;
};

} // namespace sctp
} // namespace mediaplane
