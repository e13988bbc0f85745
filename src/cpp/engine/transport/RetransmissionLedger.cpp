#include "RetransmissionLedger.hpp"

namespace mediaplane {

void RetransmissionLedger::Record(uint16_t transportSeq, const Origin& origin) {
	Entry& entry = entries_[transportSeq & (kCapacity - 1)];
	entry.transportSeq = transportSeq;
	entry.used = true;
	entry.origin = origin;
}

bool RetransmissionLedger::Take(uint16_t transportSeq, Origin* origin) {
	Entry& entry = entries_[transportSeq & (kCapacity - 1)];
	if (!entry.used || entry.transportSeq != transportSeq) return false;
	entry.used = false;
	*origin = entry.origin;
	return true;
}

void RetransmissionLedger::Clear() {
	for (Entry& entry : entries_) entry.used = false;
}

} // namespace mediaplane
