#pragma once
// What a Producer learned about a packet it forwards, handed to every consumer with it
// so that nothing is parsed twice.

#include <cstdint>

#include "../rtp/RtpHeaderExtensions.hpp"
#include "../rtp/codecs/CodecType.hpp"
#include "../rtp/SharedPacketBytes.hpp"
#include "../rtp/codecs/PayloadInfo.hpp"

namespace mediaplane {

struct ProducerPacketInfo {
	CodecType codec = CodecType::Unknown;
	uint32_t clockRate = 90000;
	size_t encodingIndex = 0;
	bool isKeyFrame = false;
	// The producer's stream restarted its sequence numbers and timestamps at this packet
	// (RFC 3550 A.1 resync: a restarted sender). Consumers treat it as a new source, as
	// on a layer switch: their output continues seq + 1 with a plausible timestamp, and
	// video waits for (and asks for) a key frame.
	bool isStreamRestart = false;
	// What the payload descriptor says (video only; null for audio or when the codec
	// has no parser): temporal layer, frame start, VP8 picture ids for rewriting.
	const PayloadInfo* payload = nullptr;
	// The payload past its first kSharedTailOffset bytes, copied once for the
	// retransmission buffers of every consumer that forwards this packet (the first
	// one to store it makes it; mutable: a cache filled while the packet is fanned out).
	// The first bytes stay per consumer: a simulcast consumer rewrites the VP8 picture
	// ids there (the VP8 descriptor is at most 6 bytes, RFC 7741 §4.2).
	static constexpr size_t kSharedTailOffset = 16;
	mutable SharedPacketBytes sharedTail;
	// The producer's extension ids, to read values the consumer passes on.
	const RtpExtensionMap* extensionMap = nullptr;
	// mediasoup's packet-id extension value (big endian), when the packet carried one
	// (it crossed another router) or the producer stamps them; consumers that
	// negotiated the extension send it.
	bool hasMediasoupPacketId = false;
	uint8_t mediasoupPacketId[4] = {};
};

} // namespace mediaplane
