#pragma once
// Which retransmission each recent transport-wide sequence number carried (the media
// SSRC and the sequence number it repeated), so that transport-wide feedback
// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1) reporting it lost can be
// acted on: receivers such as Chromium NACK a lost packet once and do not ask again,
// so a lost retransmission is a lost frame unless the sender resends on its own.
//
// Sans-I/O and fixed-size: a ring indexed by the low bits of the transport-wide
// sequence number. An entry is overwritten kCapacity numbers later; feedback arrives
// every 50-100 ms, long before that at any rate this engine sends to one endpoint.

#include <array>
#include <cstddef>
#include <cstdint>

namespace mediaplane {

class RetransmissionLedger {
public:
	static constexpr std::size_t kCapacity = 1024; // a power of two

	struct Origin {
		uint32_t ssrc = 0;
		uint16_t seq = 0;
	};

	void Record(uint16_t transportSeq, const Origin& origin);
	// The retransmission `transportSeq` carried, once: the entry is forgotten, so that
	// feedback repeating the loss does not resend twice. False when unknown (not a
	// retransmission, or overwritten since).
	bool Take(uint16_t transportSeq, Origin* origin);
	void Clear();

private:
	struct Entry {
		uint16_t transportSeq = 0;
		bool used = false;
		Origin origin;
	};
	std::array<Entry, kCapacity> entries_{};
};

} // namespace mediaplane
