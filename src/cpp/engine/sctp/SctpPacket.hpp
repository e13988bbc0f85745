#pragma once
// The SCTP wire format (RFC 9260 §3): the common header, chunk iteration, and one
// struct per chunk we use with a bounds-checked Parse (false on anything malformed,
// never throws) and a Serialize that appends the whole chunk, padded to 4 bytes (the
// padding is not counted in the chunk length, §3.2).
//
// Extensions: RE-CONFIG (RFC 6525) and FORWARD-TSN (RFC 3758). I-DATA (RFC 8260) is
// not implemented (we never offer it, so a conforming peer never sends it).

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace mediaplane {
namespace sctp {

enum ChunkType : uint8_t {
	ChunkData = 0,
	ChunkInit = 1,
	ChunkInitAck = 2,
	ChunkSack = 3,
	ChunkHeartbeat = 4,
	ChunkHeartbeatAck = 5,
	ChunkAbort = 6,
	ChunkShutdown = 7,
	ChunkShutdownAck = 8,
	ChunkError = 9,
	ChunkCookieEcho = 10,
	ChunkCookieAck = 11,
	ChunkShutdownComplete = 14,
	ChunkIData = 64,
	ChunkReConfig = 130,
	ChunkForwardTsn = 192,
	ChunkIForwardTsn = 194,
};

// Error cause codes (RFC 9260 §3.3.10).
enum ErrorCauseCode : uint16_t {
	CauseInvalidStreamIdentifier = 1,
	CauseMissingMandatoryParameter = 2,
	CauseStaleCookie = 3,
	CauseOutOfResource = 4,
	CauseUnrecognizedChunkType = 6,
	CauseInvalidMandatoryParameter = 7,
	CauseUnrecognizedParameters = 8,
	CauseNoUserData = 9,
	CauseCookieWhileShuttingDown = 10,
	CauseUserInitiatedAbort = 12,
	CauseProtocolViolation = 13,
};

// INIT / INIT-ACK parameter types (RFC 9260 §3.3.2, RFC 3758 §3.1, RFC 5061 §4.2.7).
enum ParameterType : uint16_t {
	ParamHeartbeatInfo = 1,
	ParamIpv4Address = 5,
	ParamIpv6Address = 6,
	ParamStateCookie = 7,
	ParamUnrecognized = 8,
	ParamCookiePreservative = 9,
	ParamHostName = 11,
	ParamSupportedAddressTypes = 12,
	ParamOutgoingSsnResetRequest = 13,
	ParamIncomingSsnResetRequest = 14,
	ParamSsnTsnResetRequest = 15,
	ParamReconfigResponse = 16,
	ParamAddOutgoingStreams = 17,
	ParamAddIncomingStreams = 18,
	ParamSupportedExtensions = 0x8008,
	ParamForwardTsnSupported = 0xC000,
};

// Re-configuration Response results (RFC 6525 §4.4).
enum ReconfigResult : uint32_t {
	ReconfigSuccessNothingToDo = 0,
	ReconfigSuccessPerformed = 1,
	ReconfigDenied = 2,
	ReconfigErrorWrongSsn = 3,
	ReconfigErrorInProgress = 4,
	ReconfigErrorBadSequenceNumber = 5,
	ReconfigInProgress = 6,
};

constexpr size_t kCommonHeaderSize = 12;
constexpr size_t kChunkHeaderSize = 4;
constexpr size_t kDataChunkHeaderSize = 16;

struct CommonHeader {
	uint16_t sourcePort = 0;
	uint16_t destinationPort = 0;
	uint32_t verificationTag = 0;
};

// One chunk of a received packet: points into the packet.
struct RawChunk {
	uint8_t type = 0;
	uint8_t flags = 0;
	const uint8_t* value = nullptr; // after the 4-byte chunk header
	size_t valueLength = 0;         // chunk length - 4, padding excluded
};

// Splits a packet into its header and chunks (RFC 9260 §3). The checksum is not checked
// here (VerifySctpChecksum). False if shorter than the common header, if there is no
// chunk, or if a chunk length is < 4 or runs past the end (a missing final padding is
// tolerated).
bool ParsePacket(const uint8_t* data, size_t len, CommonHeader& header, std::vector<RawChunk>& chunks);

// Builds one packet: common header, chunks, then the CRC32c.
class PacketBuilder {
public:
	PacketBuilder(uint16_t sourcePort, uint16_t destinationPort, uint32_t verificationTag);
	// Appends one serialized (padded) chunk.
	void Add(const std::vector<uint8_t>& chunk);
	size_t Size() const { return bytes.size(); }
	bool HasChunks() const { return bytes.size() > kCommonHeaderSize; }
	// The finished packet, checksum written.
	std::vector<uint8_t>& Finish();

private:
	std::vector<uint8_t> bytes;
};

// DATA (RFC 9260 §3.3.1).
struct DataChunk {
	static constexpr uint8_t kFlagEnding = 0x01;
	static constexpr uint8_t kFlagBeginning = 0x02;
	static constexpr uint8_t kFlagUnordered = 0x04;
	static constexpr uint8_t kFlagImmediate = 0x08; // RFC 7053

	uint32_t tsn = 0;
	uint16_t streamId = 0;
	uint16_t ssn = 0;
	uint32_t ppid = 0;
	bool unordered = false;
	bool beginning = false;
	bool ending = false;
	bool immediate = false;
	std::vector<uint8_t> payload; // may be empty after Parse: the caller answers No User Data

	bool Parse(const RawChunk& raw);
	void Serialize(std::vector<uint8_t>& out) const;
};

// INIT (§3.3.2) and INIT-ACK (§3.3.3): the same fixed part and parameters.
struct InitChunk {
	uint32_t initiateTag = 0;
	uint32_t aRwnd = 0;
	uint16_t outboundStreams = 0;
	uint16_t inboundStreams = 0;
	uint32_t initialTsn = 0;
	bool forwardTsnSupported = false;        // RFC 3758 §3.1
	std::vector<uint8_t> supportedExtensions; // chunk types (RFC 5061 §4.2.7)
	bool hasStateCookie = false;
	std::vector<uint8_t> stateCookie;
	// Parameters whose type asks to be reported (high bits 01 or 11, §3.2.1), as raw
	// padded TLVs: echoed in an Unrecognized Parameter parameter of the INIT-ACK.
	std::vector<uint8_t> unrecognizedParameters;

	bool SupportsExtension(uint8_t chunkType) const;
	bool Parse(const RawChunk& raw);
	void Serialize(ChunkType type, std::vector<uint8_t>& out) const;
};

struct GapAckBlock {
	uint16_t start = 0; // offsets from the cumulative TSN ack (§3.3.4)
	uint16_t end = 0;
	bool operator==(const GapAckBlock& o) const { return start == o.start && end == o.end; }
};

// SACK (§3.3.4).
struct SackChunk {
	uint32_t cumulativeTsnAck = 0;
	uint32_t aRwnd = 0;
	std::vector<GapAckBlock> gapBlocks;
	std::vector<uint32_t> duplicateTsns;

	bool Parse(const RawChunk& raw);
	void Serialize(std::vector<uint8_t>& out) const;
};

// HEARTBEAT (§3.3.5) and HEARTBEAT-ACK (§3.3.6): one Heartbeat Info parameter whose
// value the receiver echoes unchanged.
struct HeartbeatChunk {
	std::vector<uint8_t> info;

	bool Parse(const RawChunk& raw);
	void Serialize(ChunkType type, std::vector<uint8_t>& out) const;
};

// ABORT (§3.3.7) and ERROR (§3.3.10): error causes as raw padded TLVs.
struct ErrorCauseChunk {
	bool tagReflected = false; // ABORT's T bit
	std::vector<uint8_t> causes;

	// The first cause's code, or 0 when there is none.
	uint16_t FirstCauseCode() const;
	bool Parse(const RawChunk& raw);
	void Serialize(ChunkType type, std::vector<uint8_t>& out) const;
	// Appends one error cause (code, length, info, padding) to causes.
	void AddCause(uint16_t code, const uint8_t* info, size_t len);
};

// SHUTDOWN (§3.3.8).
struct ShutdownChunk {
	uint32_t cumulativeTsnAck = 0;
	bool Parse(const RawChunk& raw);
	void Serialize(std::vector<uint8_t>& out) const;
};

// COOKIE-ECHO (§3.3.11).
struct CookieEchoChunk {
	std::vector<uint8_t> cookie;
	bool Parse(const RawChunk& raw);
	void Serialize(std::vector<uint8_t>& out) const;
};

// Chunks without a value: SHUTDOWN-ACK, COOKIE-ACK, SHUTDOWN-COMPLETE (T bit in flags).
void SerializeEmptyChunk(ChunkType type, uint8_t flags, std::vector<uint8_t>& out);

// FORWARD-TSN (RFC 3758 §3.2).
struct ForwardTsnChunk {
	struct Skipped {
		uint16_t streamId = 0;
		uint16_t ssn = 0;
	};
	uint32_t newCumulativeTsn = 0;
	std::vector<Skipped> streams;

	bool Parse(const RawChunk& raw);
	void Serialize(std::vector<uint8_t>& out) const;
};

// Outgoing SSN Reset Request parameter (RFC 6525 §4.1).
struct OutgoingResetRequest {
	uint32_t requestSeq = 0;
	uint32_t responseSeq = 0;
	uint32_t senderLastTsn = 0;
	std::vector<uint16_t> streams; // empty: all streams
};

// Re-configuration Response parameter (RFC 6525 §4.4).
struct ReconfigResponse {
	uint32_t responseSeq = 0;
	uint32_t result = 0;
	bool hasTsns = false;
	uint32_t senderNextTsn = 0;
	uint32_t receiverNextTsn = 0;
};

// RE-CONFIG (RFC 6525 §3.1): the parameters we act on, and the request sequence
// numbers of the requests we do not support (answered Denied).
struct ReConfigChunk {
	std::vector<OutgoingResetRequest> outgoingResets;
	std::vector<ReconfigResponse> responses;
	std::vector<uint32_t> unsupportedRequests;

	bool Parse(const RawChunk& raw);
	void Serialize(std::vector<uint8_t>& out) const;
};

} // namespace sctp
} // namespace mediaplane
