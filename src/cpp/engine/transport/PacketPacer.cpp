// Pacing of a transport's outgoing RTP; see the header.
#include "PacketPacer.hpp"

#include <algorithm>
#include <cstring>

namespace mediaplane {

namespace {
bwe::PacingBudget::Params BudgetParams(const PacketPacer::Params& params) {
	bwe::PacingBudget::Params budget;
	budget.burstMs = params.burstMs;
	return budget;
}
} // namespace

PacketPacer::PacketPacer(const Params& params) : params(params), budget(0, BudgetParams(params)) {
	if (this->params.maxQueueMs < 1) this->params.maxQueueMs = 1;
}

void PacketPacer::SetRate(uint32_t rateBps, int64_t nowMs) {
	this->rateBps = rateBps;
	ApplyDrainRate(nowMs);
}

void PacketPacer::ApplyDrainRate(int64_t nowMs) {
	if (this->rateBps == 0) return;
	// What sends the whole queue before its head has waited maxQueueMs.
	uint64_t drainBps = 0;
	if (!this->queue.empty()) {
		const int64_t waited = nowMs - this->queue.front().enqueuedMs;
		const int64_t left = std::max<int64_t>(this->params.maxQueueMs - waited, 1);
		drainBps = static_cast<uint64_t>(this->queuedBytes) * 8000 / static_cast<uint64_t>(left);
	}
	const uint64_t rate = std::max<uint64_t>(this->rateBps, drainBps);
	this->budget.SetRate(static_cast<uint32_t>(std::min<uint64_t>(rate, UINT32_MAX)), nowMs);
}

bool PacketPacer::TrySendNow(size_t length, int64_t nowMs) {
	if (!this->queue.empty()) return false;
	if (this->rateBps == 0) return true;
	ApplyDrainRate(nowMs);
	const uint32_t size = static_cast<uint32_t>(std::min<size_t>(length, UINT32_MAX));
	if (!this->budget.CanSend(size, nowMs)) return false;
	this->budget.OnSent(size, nowMs);
	return true;
}

std::unique_ptr<uint8_t[]> PacketPacer::TakeBuffer(size_t capacity) {
	if (capacity <= kPooledCapacity) {
		if (!this->pool.empty()) {
			std::unique_ptr<uint8_t[]> buffer = std::move(this->pool.back());
			this->pool.pop_back();
			return buffer;
		}
		return std::unique_ptr<uint8_t[]>(new uint8_t[kPooledCapacity]);
	}
	return std::unique_ptr<uint8_t[]>(new uint8_t[capacity]);
}

bool PacketPacer::Enqueue(const uint8_t* data, size_t length, size_t capacity, int32_t transportSequence,
                          bool retransmission, int64_t nowMs) {
	if (this->queue.size() >= this->params.maxPackets || length == 0 || capacity < length) return false;
	capacity = std::min(capacity, length + kMaxTrailer);
	Packet packet;
	packet.data = TakeBuffer(capacity);
	packet.capacity = capacity <= kPooledCapacity ? kPooledCapacity : capacity;
	std::memcpy(packet.data.get(), data, length);
	packet.length = length;
	packet.transportSequence = transportSequence;
	packet.retransmission = retransmission;
	packet.enqueuedMs = nowMs;
	this->queuedBytes += length;
	this->queue.push_back(std::move(packet));
	++this->pacedPackets;
	return true;
}

bool PacketPacer::PopReady(int64_t nowMs, Packet& out) {
	if (this->queue.empty()) return false;
	const uint32_t size = static_cast<uint32_t>(this->queue.front().length);
	if (this->rateBps != 0) {
		ApplyDrainRate(nowMs);
		if (!this->budget.CanSend(size, nowMs)) return false;
		this->budget.OnSent(size, nowMs);
	}
	out = std::move(this->queue.front());
	this->queue.pop_front();
	this->queuedBytes -= out.length;
	return true;
}

void PacketPacer::Recycle(Packet& packet) {
	if (packet.data && packet.capacity == kPooledCapacity && this->pool.size() < kMaxPooledBuffers) {
		this->pool.push_back(std::move(packet.data));
	}
	packet.data.reset();
	packet.length = 0;
}

int64_t PacketPacer::NextDelayMs(int64_t nowMs) {
	if (this->queue.empty()) return -1;
	if (this->rateBps == 0) return 0;
	ApplyDrainRate(nowMs);
	return this->budget.TimeUntilMs(static_cast<uint32_t>(this->queue.front().length), nowMs);
}

} // namespace mediaplane
