// TEMPORARY placeholder so that the engine builds while the SCTP core is written in its
// own branch (issue 11): it never connects. Replaced by the real implementation.
#include "SctpAssociation.hpp"

namespace mediaplane {
namespace sctp {

const char* StateName(State state) {
	switch (state) {
	case State::New: return "new";
	case State::Connecting: return "connecting";
	case State::Connected: return "connected";
	case State::Failed: return "failed";
	case State::Closed: return "closed";
	}
	return "new";
}

class Association::Impl {
public:
	Impl(Listener& listener, const Options& options) : listener(listener), options(options) {}
	Listener& listener;
	Options options;
	State state = State::New;
	Stats stats;
};

Association::Association(Listener& listener, const Options& options) : impl_(new Impl(listener, options)) {}
Association::~Association() = default;
void Association::Connect(uint64_t) {}
void Association::HandlePacket(const uint8_t*, size_t, uint64_t) { impl_->stats.packetsDropped++; }
SendResult Association::Send(uint16_t, uint32_t, const uint8_t*, size_t, const SendOptions&, uint64_t) {
	return SendResult::NotConnected;
}
void Association::ResetStreams(const std::vector<uint16_t>&, uint64_t) {}
void Association::Shutdown(uint64_t) { impl_->state = State::Closed; }
void Association::Abort() { impl_->state = State::Closed; }
void Association::OnTimer(uint64_t) {}
uint64_t Association::NextTimeoutMs(uint64_t) const { return UINT64_MAX; }
State Association::GetState() const { return impl_->state; }
uint16_t Association::GetNegotiatedOutboundStreams() const { return 0; }
uint16_t Association::GetNegotiatedInboundStreams() const { return 0; }
size_t Association::GetBufferedAmount(uint16_t) const { return 0; }
size_t Association::GetTotalBufferedAmount() const { return 0; }
void Association::SetBufferedAmountLowThreshold(uint16_t, size_t) {}
const Stats& Association::GetStats() const { return impl_->stats; }
bool Association::LooksLikeSctp(const uint8_t* data, size_t len, uint16_t port) {
	return len >= 12 && ((data[0] << 8) | data[1]) == port && ((data[2] << 8) | data[3]) == port;
}

} // namespace sctp
} // namespace mediaplane
