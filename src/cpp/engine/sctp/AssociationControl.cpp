// HEARTBEAT (RFC 9260 §8.3), ABORT, ERROR and unrecognized chunks (§3.2) of the
// association.
#include "AssociationImpl.hpp"

#include <algorithm>

#include "ByteIo.hpp"

namespace mediaplane {
namespace sctp {

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

} // namespace sctp
} // namespace mediaplane
