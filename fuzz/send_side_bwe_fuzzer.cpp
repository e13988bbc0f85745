// Fuzz target: the send-side bandwidth estimator and the transport's pacer (issue 12),
// driven by an arbitrary sequence of events as a transport would deliver them:
// packets sent (sizes, time steps, retransmission and probe flags), transport-cc
// feedback bodies parsed from the input bytes (as the network gives them), REMBs,
// receiver-report loss fractions, RTTs, bitrate limits, desired bitrates, the
// congestion switch of periodic probing, process ticks, probe clusters taken when the
// estimator asks; and, alongside, packets queued in and drained from a PacketPacer.
//
// Invariants checked after every event: the target bitrate stays within the limits in
// force; the pacer's queue never exceeds its bound, hands packets back in the order
// they went in, and its byte count matches what it holds.
#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <cstring>
#include <vector>

#include "../src/cpp/engine/bwe/SendSideEstimator.hpp"
#include "../src/cpp/engine/rtcp/TransportCcFeedback.hpp"
#include "../src/cpp/engine/transport/PacketPacer.hpp"
#include "FuzzSupport.hpp"

using namespace mediaplane;

namespace {

void CheckTarget(const bwe::SendSideEstimator& estimator, uint32_t minBps, uint32_t maxBps) {
	const uint32_t target = estimator.GetTargetBitrateBps();
	FUZZ_CHECK(target >= minBps);
	FUZZ_CHECK(target <= maxBps);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
	static fuzz::FuzzLogging logging;
	fuzz::FuzzInput input(data, size);

	bwe::SendSideEstimator::Params params;
	params.initialBitrateBps = 30000 + (input.U32() % 5000000);
	bwe::SendSideEstimator estimator(params);
	uint32_t minBps = bwe::SendSideEstimator::kFloorBps;
	uint32_t maxBps = params.maxBitrateBps;

	PacketPacer::Params pacerParams;
	pacerParams.maxPackets = 1 + input.U8() % 64;
	PacketPacer pacer(pacerParams);
	uint32_t nextTag = 0;     // written into each queued packet
	uint32_t expectedTag = 0; // the next one PopReady must hand back
	std::vector<uint8_t> packet(1500);

	int64_t now = static_cast<int64_t>(input.U16());
	uint16_t seq = input.U16();
	int32_t probeCluster = -1;
	for (int events = 0; events < 2000 && !input.Empty(); ++events) {
		now += input.U8() % 50; // time only moves forward, in steps a loop could take
		switch (input.U8() % 12) {
			case 0:
			case 1: { // a packet sent
				const uint32_t bytes = 20 + input.U16() % 1500;
				const bool rtx = (input.U8() & 1) != 0;
				estimator.OnPacketSent(seq++, bytes, now, rtx, rtx ? probeCluster : -1);
				break;
			}
			case 2: { // transport-cc feedback as it came off the wire
				const std::vector<uint8_t> body = input.Bytes(input.U8());
				TransportCcFeedback feedback;
				if (feedback.Parse(body.data(), body.size())) estimator.OnTransportCcFeedback(feedback, now);
				break;
			}
			case 3: estimator.OnRemb(input.U64() >> (input.U8() % 64), now); break;
			case 4: estimator.OnReceiverReportLoss(static_cast<double>(input.U8()) / 256.0, now); break;
			case 5: estimator.OnRtt(static_cast<int64_t>(input.U32() % 100000) - 100); break;
			case 6: { // limits, accepted or refused
				const uint32_t min = input.U32() % 20000000;
				const uint32_t max = input.U32() % 200000000;
				if (estimator.SetBitrateLimits(min, max)) {
					maxBps = max;
					minBps = std::min(std::max(min, bwe::SendSideEstimator::kFloorBps), max);
				}
				break;
			}
			case 7: estimator.SetDesiredBitrate(input.U32()); break;
			case 8: estimator.SetPeriodicProbing((input.U8() & 1) != 0); break;
			case 9: { // the transport's tick: process, then probes when asked
				estimator.Process(now);
				for (int clusters = 0; clusters < 2 && estimator.WantsProbe(now); ++clusters) {
					const bwe::ProbeCluster cluster = estimator.NextProbeCluster(now);
					if (cluster.id < 0) break;
					probeCluster = cluster.id;
					for (uint32_t i = 0; i < cluster.minPackets && i < 64; ++i) {
						estimator.OnPacketSent(seq++, 1200, now, true, cluster.id);
					}
					probeCluster = -1;
				}
				(void)estimator.GetTraceInfo(now);
				break;
			}
			case 10: { // the pacer: a rate, then a packet in (or sent at once)
				if (input.U8() & 1) pacer.SetRate(input.U32() % 50000000, now);
				const size_t length = 12 + input.U16() % 1400;
				std::memcpy(packet.data(), &nextTag, sizeof(nextTag));
				const size_t capacity = length + input.U8();
				if (pacer.TrySendNow(length, now)) {
					FUZZ_CHECK(pacer.IsEmpty()); // never overtakes a queued packet
					break;
				}
				if (pacer.Enqueue(packet.data(), length, capacity, -1, false, now)) {
					++nextTag;
				} else {
					FUZZ_CHECK(pacer.GetQueuedPackets() == pacerParams.maxPackets || capacity < length);
				}
				break;
			}
			case 11: { // the pacer's timer
				PacketPacer::Packet out;
				size_t bytes = pacer.GetQueuedBytes();
				for (size_t left = pacer.GetQueuedPackets(); left > 0 && pacer.PopReady(now, out); --left) {
					uint32_t tag;
					std::memcpy(&tag, out.data.get(), sizeof(tag));
					FUZZ_CHECK(tag == expectedTag);
					++expectedTag;
					FUZZ_CHECK(out.capacity >= out.length);
					FUZZ_CHECK(bytes >= out.length);
					bytes -= out.length;
					pacer.Recycle(out);
				}
				FUZZ_CHECK(bytes == pacer.GetQueuedBytes());
				const int64_t delay = pacer.NextDelayMs(now);
				FUZZ_CHECK(pacer.IsEmpty() ? delay == -1 : delay >= 0);
				break;
			}
		}
		CheckTarget(estimator, minBps, maxBps);
		FUZZ_CHECK(pacer.GetQueuedPackets() <= pacerParams.maxPackets);
	}
	logging.Drain();
	return 0;
}
