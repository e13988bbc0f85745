// Stream reset through RE-CONFIG (RFC 6525), around StreamReset.
#include "AssociationImpl.hpp"

#include <algorithm>

namespace mediaplane {
namespace sctp {

// ---- Stream reset (RFC 6525) ----

void Association::Impl::MaybeStartStreamReset() {
	if (!peerReconfig || streamReset.HasRequestInFlight() || streamReset.Pending().empty()) return;
	if (phase != Phase::Established) return;
	// §5.1.2: the request goes once the streams' queued data has been sent (its TSNs are
	// then covered by the Sender's Last Assigned TSN).
	std::vector<uint16_t> ready;
	for (uint16_t id : streamReset.Pending())
		if (!sender->HasQueued(id)) ready.push_back(id);
	if (ready.empty()) return;
	streamReset.MakeRequest(ready, sender->NextTsn() - 1);
	reconfigTimer.count = 0;
	SendReconfigRequest();
}

void Association::Impl::SendReconfigRequest() {
	ReConfigChunk reconfig;
	reconfig.outgoingResets.push_back(streamReset.CurrentRequest());
	std::vector<uint8_t> chunk;
	reconfig.Serialize(chunk);
	control.push_back(std::move(chunk));
	reconfigTimer.deadline = now + rto.Rto();
}

void Association::Impl::CheckDeferredReset() {
	if (!receiver) return;
	ReconfigResponse response;
	std::vector<uint16_t> streams;
	if (!streamReset.PerformDeferred(receiver->CumulativeTsn(), response, streams)) return;
	receiver->ResetIncomingStreams(streams);
	ReConfigChunk reconfig;
	reconfig.responses.push_back(response);
	std::vector<uint8_t> chunk;
	reconfig.Serialize(chunk);
	control.push_back(std::move(chunk));
	listener.OnSctpIncomingStreamsReset(streams);
}

bool Association::Impl::HandleReConfig(const RawChunk& raw) {
	if (!DataPathUp() || !sender) return true;
	ReConfigChunk reconfig;
	if (!reconfig.Parse(raw)) {
		Dropped();
		return false;
	}
	ReConfigChunk answer;
	std::vector<std::vector<uint16_t>> resetNow;
	for (const auto& req : reconfig.outgoingResets) {
		bool performed = false;
		std::vector<uint16_t> streams;
		answer.responses.push_back(streamReset.HandleRequest(req, receiver->CumulativeTsn(), performed, streams));
		if (performed) {
			receiver->ResetIncomingStreams(streams);
			resetNow.push_back(std::move(streams));
		}
	}
	for (uint32_t seq : reconfig.unsupportedRequests) {
		ReconfigResponse denied;
		denied.responseSeq = seq;
		denied.result = ReconfigDenied;
		answer.responses.push_back(denied);
	}
	for (const auto& response : reconfig.responses) {
		std::vector<uint16_t> completed;
		switch (streamReset.HandleResponse(response, completed)) {
		case StreamReset::ResponseAction::Performed:
			for (uint16_t id : completed) {
				sender->ResetSsn(id); // RFC 6525 §5.1.2: the SSNs restart at 0
				sender->SetResetting(id, false);
			}
			reconfigTimer.Stop();
			break;
		case StreamReset::ResponseAction::Failed:
			for (uint16_t id : completed) sender->SetResetting(id, false);
			reconfigTimer.Stop();
			break;
		case StreamReset::ResponseAction::Retry:
			// "In progress": ask again after an RTO, without counting an error.
			reconfigTimer.deadline = now + rto.Rto();
			reconfigTimer.count = 0;
			break;
		case StreamReset::ResponseAction::Ignore:
			break;
		}
	}
	if (!answer.responses.empty()) {
		// §3.1: at most two parameters per RE-CONFIG chunk.
		while (!answer.responses.empty()) {
			ReConfigChunk part;
			const size_t n = std::min<size_t>(2, answer.responses.size());
			part.responses.assign(answer.responses.begin(), answer.responses.begin() + static_cast<std::ptrdiff_t>(n));
			answer.responses.erase(answer.responses.begin(), answer.responses.begin() + static_cast<std::ptrdiff_t>(n));
			std::vector<uint8_t> chunk;
			part.Serialize(chunk);
			control.push_back(std::move(chunk));
		}
	}
	for (const auto& streams : resetNow) {
		if (phase == Phase::Terminated) break;
		listener.OnSctpIncomingStreamsReset(streams);
	}
	return phase != Phase::Terminated;
}

} // namespace sctp
} // namespace mediaplane
