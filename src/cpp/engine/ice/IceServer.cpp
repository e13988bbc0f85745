#define MP_LOG_SOURCE "IceServer"

#include "IceServer.hpp"

#include <openssl/rand.h>

#include <random>

#include "../common/Logger.hpp"
#include "StunMessage.hpp"

namespace mediaplane {

namespace {

constexpr size_t kUsernameFragmentLength = 16;
constexpr size_t kPasswordLength = 32;

// ice-char = ALPHA / DIGIT / "+" / "/" (RFC 8839 §5.4): exactly 64 characters, so a
// random byte's low 6 bits pick one without bias.
constexpr char kIceChars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/";
static_assert(sizeof(kIceChars) - 1 == 64, "64 ice-chars");

std::string RandomIceString(size_t length) {
	std::string bytes(length, '\0');
	auto* buffer = reinterpret_cast<unsigned char*>(&bytes[0]);
	if (RAND_bytes(buffer, static_cast<int>(length)) != 1) {
		// OpenSSL's CSPRNG failing is not expected; the OS source is the fallback.
		std::random_device device;
		for (size_t i = 0; i < length; ++i) buffer[i] = static_cast<unsigned char>(device());
	}
	std::string out(length, '\0');
	for (size_t i = 0; i < length; ++i) out[i] = kIceChars[buffer[i] & 0x3F];
	return out;
}

// RFC 8445 §7.3: the USERNAME of a check is "RFRAG:LFRAG" as the sender sees it, so the
// part before the first colon must be our fragment. As a lite agent we have no remote
// fragment to compare the rest against.
bool UsernameHasLocalFragment(const std::string& username, const std::string& fragment) {
	if (fragment.empty() || username.size() <= fragment.size()) return false;
	return username.compare(0, fragment.size(), fragment) == 0 && username[fragment.size()] == ':';
}

} // namespace

const char* IceStateName(IceState state) {
	switch (state) {
		case IceState::New: return "new";
		case IceState::Connected: return "connected";
		case IceState::Completed: return "completed";
		case IceState::Disconnected: return "disconnected";
		case IceState::Closed: return "closed";
	}
	return "closed";
}

std::string IceServer::GenerateUsernameFragment() {
	return RandomIceString(kUsernameFragmentLength);
}

std::string IceServer::GeneratePassword() {
	return RandomIceString(kPasswordLength);
}

IceServer::IceServer(Listener& listener, std::string usernameFragment, std::string password, uint32_t consentTimeoutMs)
    : listener_(listener),
      usernameFragment_(std::move(usernameFragment)),
      password_(std::move(password)),
      consentTimeoutMs_(consentTimeoutMs) {}

void IceServer::ProcessStunPacket(const uint8_t* data, size_t len, const TransportTuple& tuple, uint64_t nowMs) {
	const std::unique_ptr<StunMessage> request = StunMessage::Parse(data, len);
	if (!request) {
		Drop("malformed STUN message");
		return;
	}
	// A lite agent implements only the server side of Binding (RFC 8445 §2.5).
	if (request->GetMethod() != StunMessage::MethodBinding) {
		Drop("not a Binding message");
		return;
	}
	if (request->GetClass() == StunMessage::Class::Indication) {
		// Binding indications are keepalives (RFC 8445 §11); nothing to answer.
		MP_DEBUG_TAG(Ice, "ignoring Binding indication");
		return;
	}
	if (request->GetClass() != StunMessage::Class::Request) {
		// We never send requests, so a response cannot be ours.
		Drop("unexpected STUN response");
		return;
	}
	// RFC 5389 §7.3: a FINGERPRINT that does not match means this is not a STUN message
	// of this usage; discard it without an answer.
	if (request->HasFingerprint() && !request->HasValidFingerprint()) {
		Drop("wrong FINGERPRINT");
		return;
	}
	// RFC 5389 §10.1.2: a request without both USERNAME and MESSAGE-INTEGRITY is
	// rejected with 400, without MESSAGE-INTEGRITY since there is no key to use.
	if (!request->HasUsername() || !request->HasMessageIntegrity()) {
		SendResponse(StunMessage::BuildErrorResponse(*request, 400, nullptr), tuple);
		Drop("request without USERNAME or MESSAGE-INTEGRITY (400)");
		return;
	}
	// RFC 5389 §10.1.2 and RFC 8445 §7.3: an unknown username or a wrong HMAC gets 401,
	// again without MESSAGE-INTEGRITY.
	bool usernameMatched = false;
	const Credentials credentials = Authenticate(*request, &usernameMatched);
	if (credentials == Credentials::None) {
		SendResponse(StunMessage::BuildErrorResponse(*request, 401, nullptr), tuple);
		Drop(usernameMatched ? "wrong MESSAGE-INTEGRITY (401)" : "unknown USERNAME (401)");
		return;
	}
	// From here the request is authenticated: responses carry MESSAGE-INTEGRITY keyed
	// with the password the request used (RFC 5389 §10.1.2).
	const std::string password = credentials == Credentials::Current ? password_ : previousPassword_;

	// RFC 8445 §7.1.1: every check carries PRIORITY.
	if (!request->HasPriority()) {
		SendResponse(StunMessage::BuildErrorResponse(*request, 400, &password), tuple);
		Drop("request without PRIORITY (400)");
		return;
	}
	// RFC 8445 §7.3.1.1: ICE-CONTROLLED means the peer believes it is controlled too.
	// A lite agent is always controlled (RFC 8445 §6.1.1) and cannot switch roles, so
	// the peer must: answer 487 Role Conflict whatever the tie-breakers.
	if (request->HasIceControlled()) {
		SendResponse(StunMessage::BuildErrorResponse(*request, 487, &password), tuple);
		Drop("request with ICE-CONTROLLED (487)");
		return;
	}
	// A request with ICE-CONTROLLING is the normal case; one with neither (a pre-RFC
	// 5245 peer) is accepted too, since its role cannot conflict with ours.

	if (credentials == Credentials::Current) {
		// The peer has the new credentials: stop accepting the previous ones (§9).
		currentCredentialsUsed_ = true;
		if (!previousUsernameFragment_.empty()) {
			MP_DEBUG_TAG(Ice, "peer uses the new ICE credentials, previous ones no longer accepted");
			previousUsernameFragment_.clear();
			previousPassword_.clear();
		}
	}

	// RFC 8445 §7.3.1.2: the success response carries the request's source address as
	// XOR-MAPPED-ADDRESS (RFC 5389 §15.2).
	SendResponse(
	    StunMessage::BuildSuccessResponse(*request, reinterpret_cast<const sockaddr*>(&tuple.remoteAddress), password),
	    tuple);

	HandleValidCheck(tuple, request->HasUseCandidate(), nowMs);
}

IceServer::Credentials IceServer::Authenticate(const StunMessage& request, bool* usernameMatched) const {
	const std::string& username = request.GetUsername();
	*usernameMatched = false;
	if (UsernameHasLocalFragment(username, usernameFragment_)) {
		*usernameMatched = true;
		if (request.CheckMessageIntegrity(password_)) return Credentials::Current;
	}
	if (UsernameHasLocalFragment(username, previousUsernameFragment_)) {
		*usernameMatched = true;
		if (request.CheckMessageIntegrity(previousPassword_)) return Credentials::Previous;
	}
	return Credentials::None;
}

void IceServer::Drop(const char* reason) {
	++droppedPackets_;
	MP_DEBUG_TAG(Ice, "STUN packet dropped: %s", reason);
}

void IceServer::SendResponse(const std::vector<uint8_t>& packet, const TransportTuple& tuple) {
	listener_.OnIceServerSendStunPacket(packet.data(), packet.size(), tuple);
}

// A valid check makes its tuple valid; USE-CANDIDATE nominates it (RFC 8445 §7.3.1.5),
// and a lite agent takes the nominated pair as selected (§8.2). The controlling agent
// decides, so a later nomination of another tuple switches to it (what browsers do
// when they move to a better path).
void IceServer::HandleValidCheck(const TransportTuple& tuple, bool nominated, uint64_t nowMs) {
	TupleEntry* entry = nullptr;
	auto it = FindTuple(tuple);
	if (it != tuples_.end()) {
		entry = &*it;
		entry->lastCheckMs = nowMs;
	} else {
		if (tuples_.size() >= MaxTuples) {
			// Forget the least recently checked tuple that is not selected.
			auto oldest = tuples_.end();
			for (auto candidate = tuples_.begin(); candidate != tuples_.end(); ++candidate) {
				if (&*candidate == selected_) continue;
				if (oldest == tuples_.end() || candidate->lastCheckMs < oldest->lastCheckMs) oldest = candidate;
			}
			if (oldest != tuples_.end()) EraseTuple(oldest);
		}
		tuples_.push_back(TupleEntry{ tuple, nowMs });
		entry = &tuples_.back();
		MP_DEBUG_TAG(Ice, "new valid tuple %s:%u", AddressToString(reinterpret_cast<const sockaddr*>(&tuple.remoteAddress)).c_str(),
		    static_cast<unsigned>(AddressPort(reinterpret_cast<const sockaddr*>(&tuple.remoteAddress))));
		listener_.OnIceServerTupleAdded(entry->tuple);
	}

	switch (state_) {
		case IceState::New:
		case IceState::Disconnected:
			// mediasoup's behaviour: connected on the first valid check (its tuple is
			// the provisional selected tuple), completed on nomination.
			SelectTuple(entry);
			SetState(nominated ? IceState::Completed : IceState::Connected);
			break;
		case IceState::Connected:
			if (nominated) {
				SelectTuple(entry);
				SetState(IceState::Completed);
			} else if (!selected_) {
				SelectTuple(entry);
			}
			break;
		case IceState::Completed:
			if (nominated || !selected_) SelectTuple(entry);
			break;
		case IceState::Closed:
			break;
	}
}

std::list<IceServer::TupleEntry>::iterator IceServer::FindTuple(const TransportTuple& tuple) {
	for (auto it = tuples_.begin(); it != tuples_.end(); ++it) {
		if (it->tuple.SameAs(tuple)) return it;
	}
	return tuples_.end();
}

std::list<IceServer::TupleEntry>::const_iterator IceServer::FindTuple(const TransportTuple& tuple) const {
	for (auto it = tuples_.begin(); it != tuples_.end(); ++it) {
		if (it->tuple.SameAs(tuple)) return it;
	}
	return tuples_.end();
}

void IceServer::SelectTuple(TupleEntry* entry) {
	if (entry == selected_) return;
	selected_ = entry;
	MP_DEBUG_TAG(Ice, "selected tuple %s:%u", AddressToString(reinterpret_cast<const sockaddr*>(&entry->tuple.remoteAddress)).c_str(),
	    static_cast<unsigned>(AddressPort(reinterpret_cast<const sockaddr*>(&entry->tuple.remoteAddress))));
	listener_.OnIceServerSelectedTuple(entry->tuple);
}

void IceServer::SetState(IceState state) {
	if (state == state_) return;
	MP_DEBUG_TAG(Ice, "state %s -> %s", IceStateName(state_), IceStateName(state));
	state_ = state;
	listener_.OnIceServerStateChange(state);
}

void IceServer::Disconnect() {
	selected_ = nullptr;
	while (!tuples_.empty()) EraseTuple(tuples_.begin());
	if (state_ == IceState::Connected || state_ == IceState::Completed) SetState(IceState::Disconnected);
}

void IceServer::EraseTuple(std::list<TupleEntry>::iterator it) {
	const TransportTuple removed = it->tuple;
	if (&*it == selected_) selected_ = nullptr;
	tuples_.erase(it);
	listener_.OnIceServerTupleRemoved(removed);
}

bool IceServer::IsValidTuple(const TransportTuple& tuple) const {
	return FindTuple(tuple) != tuples_.end();
}

const TransportTuple* IceServer::GetSelectedTuple() const {
	return selected_ ? &selected_->tuple : nullptr;
}

void IceServer::RemoveTuple(const TransportTuple& tuple) {
	auto it = FindTuple(tuple);
	if (it == tuples_.end()) return;
	const bool wasSelected = &*it == selected_;
	EraseTuple(it);
	if (!wasSelected) return;
	if (tuples_.empty()) {
		Disconnect();
		return;
	}
	// Fall back on the path the peer checked most recently.
	TupleEntry* best = &tuples_.front();
	for (auto& entry : tuples_) {
		if (entry.lastCheckMs > best->lastCheckMs) best = &entry;
	}
	SelectTuple(best);
}

void IceServer::RestartIce(std::string usernameFragment, std::string password) {
	// RFC 8445 §9: a restart changes both the fragment and the password. The previous
	// credentials stay accepted until the peer authenticates with the new ones (see
	// the header for why).
	if (currentCredentialsUsed_ || previousUsernameFragment_.empty()) {
		previousUsernameFragment_ = std::move(usernameFragment_);
		previousPassword_ = std::move(password_);
	}
	usernameFragment_ = std::move(usernameFragment);
	password_ = std::move(password);
	currentCredentialsUsed_ = false;
}

void IceServer::OnTimer(uint64_t nowMs) {
	if (consentTimeoutMs_ == 0) return;
	// RFC 7675 §5.1: consent expires when no check succeeds for the timeout. Checks come
	// from the peer (we are lite), so a valid request received is a consent refresh.
	if (selected_ && nowMs >= selected_->lastCheckMs + consentTimeoutMs_) {
		MP_WARN("ICE consent expired on the selected tuple (no valid check for %u ms), disconnected",
		    static_cast<unsigned>(consentTimeoutMs_));
		Disconnect();
		return;
	}
	for (auto it = tuples_.begin(); it != tuples_.end();) {
		if (&*it != selected_ && nowMs >= it->lastCheckMs + consentTimeoutMs_) {
			EraseTuple(it++);
		} else {
			++it;
		}
	}
}

uint64_t IceServer::NextTimeoutMs(uint64_t nowMs) const {
	if (consentTimeoutMs_ == 0 || tuples_.empty()) return UINT64_MAX;
	uint64_t next = UINT64_MAX;
	for (const auto& entry : tuples_) {
		const uint64_t expiry = entry.lastCheckMs + consentTimeoutMs_;
		if (expiry < next) next = expiry;
	}
	return next < nowMs ? nowMs : next;
}

} // namespace mediaplane
