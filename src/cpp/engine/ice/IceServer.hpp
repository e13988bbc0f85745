#pragma once
// The ICE-lite agent of one WebRTC transport (RFC 8445 §2.5: a lite agent only answers
// connectivity checks and never sends its own). We are always in the controlled role
// (RFC 8445 §6.1.1: a full agent facing a lite one takes the controlling role).
//
// Sans-I/O: the transport feeds it every STUN packet received with the tuple it came on
// and the current time, and calls OnTimer() at NextTimeoutMs(); the agent answers
// through Listener::OnIceServerSendStunPacket and reports validated tuples, the selected
// tuple and state changes through the other Listener methods. It owns no socket and no
// timer, so it can be tested and fuzzed without either.
//
// States (mediasoup's IceState):
//  new          no valid check yet;
//  connected    a valid check arrived; its tuple is the provisional selected tuple;
//  completed    the controlling agent nominated a tuple (USE-CANDIDATE, RFC 8445 §8.1);
//  disconnected consent expired on the selected tuple (RFC 7675 §5.1), or the last
//               valid tuple was removed; the next valid check reconnects;
//  closed       never entered here: the transport reports it when it closes.
//
// Listener callbacks run synchronously inside ProcessStunPacket, RemoveTuple and
// OnTimer; a listener must not destroy the IceServer nor call its non-const methods
// from inside one (record what happened and act after the call returns).
//
// Nothing here throws (apart from std::bad_alloc); malformed or unauthenticated input
// is dropped and counted (GetDroppedPackets) or answered with the error response the
// RFCs prescribe.

#include <cstddef>
#include <cstdint>
#include <list>
#include <string>
#include <vector>

#include "../net/TransportTuple.hpp"

namespace mediaplane {

class StunMessage;

enum class IceState { New, Connected, Completed, Disconnected, Closed };

// "new", "connected", "completed", "disconnected", "closed" (mediasoup's IceState).
const char* IceStateName(IceState state);

class IceServer {
public:
	class Listener {
	public:
		virtual ~Listener() = default;
		// A STUN response to send back on `tuple` (tuple.Send(data, len) does it).
		virtual void OnIceServerSendStunPacket(const uint8_t* data, size_t len, const TransportTuple& tuple) = 0;
		// A tuple was validated by a valid check (again, after it had been removed).
		virtual void OnIceServerTupleAdded(const TransportTuple& tuple) = 0;
		// The selected tuple changed (first selection included).
		virtual void OnIceServerSelectedTuple(const TransportTuple& tuple) = 0;
		virtual void OnIceServerStateChange(IceState state) = 0;
		// A tuple stopped being valid: RemoveTuple(), consent expiry, or the MaxTuples
		// limit. Optional (e.g. to drop it from a WebRtcServer's routing table).
		virtual void OnIceServerTupleRemoved(const TransportTuple& /*tuple*/) {}
	};

	// Most valid tuples kept at once; beyond it the least recently checked unselected
	// tuple is forgotten. A browser validates one tuple per candidate pair it tries.
	static constexpr size_t MaxTuples = 32;

	// `consentTimeoutMs` 0 disables consent expiry (mediasoup: iceConsentTimeout 0).
	IceServer(Listener& listener, std::string usernameFragment, std::string password, uint32_t consentTimeoutMs);
	IceServer(const IceServer&) = delete;
	IceServer& operator=(const IceServer&) = delete;

	// Handles one STUN packet (a complete message) received on `tuple`. Never throws;
	// malformed or unauthenticated input is dropped (and counted) or answered with the
	// RFC's error response.
	void ProcessStunPacket(const uint8_t* data, size_t len, const TransportTuple& tuple, uint64_t nowMs);

	// True when a valid check arrived on this tuple (TransportTuple::SameAs) and it has
	// not been removed or expired since. DTLS, RTP and RTCP are accepted only from one.
	bool IsValidTuple(const TransportTuple& tuple) const;
	// Forgets a tuple (e.g. its TCP connection closed). If it was selected, the most
	// recently checked remaining tuple is selected, or with none left the state becomes
	// disconnected. OnIceServerTupleRemoved is called for it too.
	void RemoveTuple(const TransportTuple& tuple);

	// New local credentials (RFC 8445 §9). The state, the tuples and the selected tuple
	// stay until the peer checks with the new credentials. Until the first check
	// authenticated with the new credentials arrives, checks using the previous ones
	// are still answered (keyed with the previous password): the peer keeps sending
	// consent checks on the selected pair with the credentials it knows until it applies
	// the new remote description, and answering 401 there would make it drop the
	// working path mid-restart. If the current credentials were never used when a
	// restart comes (restarts back to back), the older pair stays the accepted
	// "previous" one, since that is what the peer still holds.
	void RestartIce(std::string usernameFragment, std::string password);

	// Consent freshness (RFC 7675 §5.1): a tuple with no valid check for
	// consentTimeoutMs loses consent. When the selected tuple does, the state becomes
	// disconnected and all tuples are forgotten (media must stop, RFC 7675 §5.1); other
	// tuples that lose consent are forgotten without a state change. Each forgotten tuple
	// is reported through OnIceServerTupleRemoved.
	void OnTimer(uint64_t nowMs);
	// The absolute time (same clock as nowMs, never earlier than nowMs) at which OnTimer
	// should next run, or UINT64_MAX when nothing is pending. This is a deadline, not a
	// delay: schedule the timer for (NextTimeoutMs(now) - now) ms.
	uint64_t NextTimeoutMs(uint64_t nowMs) const;

	IceState GetState() const { return state_; }
	// The selected tuple, or nullptr. The pointer stays valid until the next call to a
	// non-const method of this object.
	const TransportTuple* GetSelectedTuple() const;
	const std::string& GetUsernameFragment() const { return usernameFragment_; }
	// The fragment of before the last restart while it is still accepted, else empty.
	const std::string& GetPreviousUsernameFragment() const { return previousUsernameFragment_; }
	const std::string& GetPassword() const { return password_; }
	// STUN packets received but not answered with a success response: malformed,
	// not a Binding request (Binding indications, used as keepalives, are ignored and not
	// counted), bad FINGERPRINT, and requests answered with 400, 401 or 487.
	uint64_t GetDroppedPackets() const { return droppedPackets_; }

	// Random credentials from the ice-char set (ALPHA / DIGIT / "+" / "/", RFC 8839
	// §5.4), 16 and 32 characters: above the minimum of 4 and 22 and carrying 96 and 192
	// bits of entropy (RFC 8445 §5.3 asks for at least 24 and 128 bits).
	static std::string GenerateUsernameFragment();
	static std::string GeneratePassword();

private:
	struct TupleEntry {
		TransportTuple tuple;
		uint64_t lastCheckMs;
	};

	// Which credentials a request authenticated with.
	enum class Credentials { None, Current, Previous };

	Credentials Authenticate(const StunMessage& request, bool* usernameMatched) const;
	void Drop(const char* reason);
	void SendResponse(const std::vector<uint8_t>& packet, const TransportTuple& tuple);
	void HandleValidCheck(const TransportTuple& tuple, bool nominated, uint64_t nowMs);
	std::list<TupleEntry>::iterator FindTuple(const TransportTuple& tuple);
	std::list<TupleEntry>::const_iterator FindTuple(const TransportTuple& tuple) const;
	void SelectTuple(TupleEntry* entry);
	void SetState(IceState state);
	void Disconnect();
	void EraseTuple(std::list<TupleEntry>::iterator it);

	Listener& listener_;
	std::string usernameFragment_;
	std::string password_;
	bool currentCredentialsUsed_ = false;
	std::string previousUsernameFragment_; // empty when none is accepted
	std::string previousPassword_;
	const uint32_t consentTimeoutMs_;
	IceState state_ = IceState::New;
	std::list<TupleEntry> tuples_; // a list: entries keep their address while others go
	TupleEntry* selected_ = nullptr;
	uint64_t droppedPackets_ = 0;
};

} // namespace mediaplane
