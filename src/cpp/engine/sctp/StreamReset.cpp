#include "StreamReset.hpp"

#include "SerialNumber.hpp"

namespace mediaplane {
namespace sctp {

void StreamReset::Start(uint32_t localInitialTsn, uint32_t peerInitialTsn) {
	nextRequestSeq = localInitialTsn;
	expectedPeerSeq = peerInitialTsn;
	// §5.2.1: a retransmission of the request before the first gets "nothing to do".
	lastResult = ReconfigSuccessNothingToDo;
}

void StreamReset::Add(const std::vector<uint16_t>& streamIds) {
	pending.insert(streamIds.begin(), streamIds.end());
}

const OutgoingResetRequest& StreamReset::MakeRequest(const std::vector<uint16_t>& streamIds, uint32_t senderLastTsn) {
	request = OutgoingResetRequest();
	request.requestSeq = nextRequestSeq++;
	// §4.1: the Re-configuration Response Sequence Number is the last request of the
	// peer we received.
	request.responseSeq = expectedPeerSeq - 1;
	request.senderLastTsn = senderLastTsn;
	request.streams = streamIds;
	for (uint16_t id : streamIds) pending.erase(id);
	inFlight = true;
	return request;
}

StreamReset::ResponseAction StreamReset::HandleResponse(const ReconfigResponse& response, std::vector<uint16_t>& completed) {
	completed.clear();
	if (!inFlight || response.responseSeq != request.requestSeq) return ResponseAction::Ignore;
	switch (response.result) {
	case ReconfigInProgress:
		return ResponseAction::Retry;
	case ReconfigSuccessPerformed:
	case ReconfigSuccessNothingToDo:
		inFlight = false;
		completed = request.streams;
		return ResponseAction::Performed;
	default:
		inFlight = false;
		completed = request.streams;
		return ResponseAction::Failed;
	}
}

ReconfigResponse StreamReset::HandleRequest(const OutgoingResetRequest& req, uint32_t cumulativeTsn, bool& performed,
	std::vector<uint16_t>& streams) {
	performed = false;
	ReconfigResponse response;
	response.responseSeq = req.requestSeq;
	if (req.requestSeq == expectedPeerSeq - 1 && !(deferred && deferredRequest.requestSeq == req.requestSeq)) {
		// §5.2.1: a retransmission of the last request processed: the same result again.
		response.result = lastResult;
		return response;
	}
	if (req.requestSeq != expectedPeerSeq) {
		response.result = ReconfigErrorBadSequenceNumber;
		return response;
	}
	// §5.2.2: the reset happens once everything up to the Sender's Last Assigned TSN was
	// received; until then the request is deferred ("In progress", RFC 6525 §4.4).
	if (TsnLessOrEqual(req.senderLastTsn, cumulativeTsn)) {
		deferred = false;
		performed = true;
		streams = req.streams;
		expectedPeerSeq++;
		lastResult = ReconfigSuccessPerformed;
		response.result = ReconfigSuccessPerformed;
		return response;
	}
	deferred = true;
	deferredRequest = req;
	response.result = ReconfigInProgress;
	return response;
}

bool StreamReset::PerformDeferred(uint32_t cumulativeTsn, ReconfigResponse& response, std::vector<uint16_t>& streams) {
	if (!deferred || !TsnLessOrEqual(deferredRequest.senderLastTsn, cumulativeTsn)) return false;
	deferred = false;
	streams = deferredRequest.streams;
	expectedPeerSeq++;
	lastResult = ReconfigSuccessPerformed;
	response = ReconfigResponse();
	response.responseSeq = deferredRequest.requestSeq;
	response.result = ReconfigSuccessPerformed;
	return true;
}

} // namespace sctp
} // namespace mediaplane
