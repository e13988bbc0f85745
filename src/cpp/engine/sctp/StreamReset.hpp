#pragma once
// Stream reconfiguration (RFC 6525), the part WebRTC uses (RFC 8831 §6.7): resetting
// our outgoing streams with an Outgoing SSN Reset Request (§5.1.2) and answering the
// peer's (§5.2.2), with the request sequence numbers of §5.1.1/§5.2.1. It decides; the
// association sends the RE-CONFIG chunks, runs the retransmission timer and applies
// the resets to the DataSender/DataReceiver.

#include <cstdint>
#include <set>
#include <vector>

#include "SctpPacket.hpp"

namespace mediaplane {
namespace sctp {

class StreamReset {
public:
	// §5.1.1: both request sequence numbers start at the initial TSNs.
	void Start(uint32_t localInitialTsn, uint32_t peerInitialTsn);

	// ---- Our outgoing streams ----
	void Add(const std::vector<uint16_t>& streamIds);
	const std::set<uint16_t>& Pending() const { return pending; }
	bool HasRequestInFlight() const { return inFlight; }
	// Turns the given pending streams into a new request (sequence number assigned).
	const OutgoingResetRequest& MakeRequest(const std::vector<uint16_t>& streamIds, uint32_t senderLastTsn);
	const OutgoingResetRequest& CurrentRequest() const { return request; }

	enum class ResponseAction { Ignore, Performed, Retry, Failed };
	// §5.2.7 (response processing): Performed/NothingToDo completes the request (the
	// streams' SSNs restart at 0), In progress means send it again later, anything else
	// gives up. completed receives the request's streams for Performed and Failed.
	ResponseAction HandleResponse(const ReconfigResponse& response, std::vector<uint16_t>& completed);

	// ---- The peer's outgoing streams (our incoming ones) ----
	// §5.2.2 and §5.2.1: returns the response to send; performed is set when the reset
	// is to be applied now (the streams in `streams`, empty = all).
	ReconfigResponse HandleRequest(const OutgoingResetRequest& req, uint32_t cumulativeTsn, bool& performed,
		std::vector<uint16_t>& streams);
	// A request deferred until our cumulative TSN reaches its Sender's Last Assigned TSN:
	// true (with the response and streams) once it can be performed now.
	bool PerformDeferred(uint32_t cumulativeTsn, ReconfigResponse& response, std::vector<uint16_t>& streams);
	uint32_t LastPeerRequestSeq() const { return expectedPeerSeq - 1; }

private:
	std::set<uint16_t> pending;
	bool inFlight = false;
	OutgoingResetRequest request;
	uint32_t nextRequestSeq = 0;
	uint32_t expectedPeerSeq = 0;
	uint32_t lastResult = ReconfigSuccessNothingToDo;
	bool deferred = false;
	OutgoingResetRequest deferredRequest;
};

} // namespace sctp
} // namespace mediaplane
