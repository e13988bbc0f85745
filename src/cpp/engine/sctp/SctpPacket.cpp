#include "SctpPacket.hpp"

#include "ByteIo.hpp"
#include "Crc32c.hpp"

namespace mediaplane {
namespace sctp {

namespace {

// Writes a chunk header now and its length at End(): padding is not counted (§3.2),
// neither the chunk's nor that of its last parameter ("it does include padding of any
// variable-length parameter except the last parameter in the chunk").
class ChunkWriter {
public:
	ChunkWriter(std::vector<uint8_t>& out, uint8_t type, uint8_t flags) : out(out), start(out.size()), w(out) {
		w.U8(type);
		w.U8(flags);
		w.U16(0);
	}
	ByteWriter& Body() { return w; }
	// A parameter TLV (§3.2.1): type, length (padding excluded), value, padding.
	void Parameter(uint16_t type, const uint8_t* value, size_t len) {
		w.U16(type);
		w.U16(static_cast<uint16_t>(4 + len));
		w.Bytes(value, len);
		MarkParameterEnd();
	}
	// After a parameter written through Body(): remembers where its padding starts.
	void MarkParameterEnd() {
		parameterEnd = out.size();
		w.Pad4();
		paddedEnd = out.size();
	}
	void End() {
		const size_t end = (paddedEnd == out.size() && parameterEnd) ? parameterEnd : out.size();
		WriteU16(out.data() + start + 2, static_cast<uint16_t>(end - start));
		w.Pad4();
	}

private:
	std::vector<uint8_t>& out;
	size_t start;
	ByteWriter w;
	size_t parameterEnd = 0;
	size_t paddedEnd = 0;
};

// Iterates the parameters (TLVs) of a chunk value. Next() is false at the end or on a
// malformed parameter (then Malformed() is true).
class ParameterReader {
public:
	ParameterReader(const uint8_t* data, size_t len) : data(data), len(len) {}
	bool Next(uint16_t& type, const uint8_t*& value, size_t& valueLen) {
		if (offset >= len) return false;
		if (len - offset < 4) {
			malformed = true;
			return false;
		}
		type = ReadU16(data + offset);
		const size_t paramLen = ReadU16(data + offset + 2);
		if (paramLen < 4 || paramLen > len - offset) {
			malformed = true;
			return false;
		}
		value = data + offset + 4;
		valueLen = paramLen - 4;
		current = offset;
		currentLen = paramLen;
		const size_t padded = (paramLen + 3) & ~size_t(3);
		offset = padded > len - offset ? len : offset + padded;
		return true;
	}
	bool Malformed() const { return malformed; }
	// The raw bytes of the current parameter (without padding).
	const uint8_t* CurrentRaw() const { return data + current; }
	size_t CurrentRawLength() const { return currentLen; }

private:
	const uint8_t* data;
	size_t len;
	size_t offset = 0;
	size_t current = 0;
	size_t currentLen = 0;
	bool malformed = false;
};

} // namespace

bool ParsePacket(const uint8_t* data, size_t len, CommonHeader& header, std::vector<RawChunk>& chunks) {
	chunks.clear();
	if (!data || len < kCommonHeaderSize + kChunkHeaderSize) return false;
	header.sourcePort = ReadU16(data);
	header.destinationPort = ReadU16(data + 2);
	header.verificationTag = ReadU32(data + 4);
	size_t offset = kCommonHeaderSize;
	while (offset < len) {
		if (len - offset < kChunkHeaderSize) return false;
		RawChunk chunk;
		chunk.type = data[offset];
		chunk.flags = data[offset + 1];
		const size_t chunkLen = ReadU16(data + offset + 2);
		if (chunkLen < kChunkHeaderSize || chunkLen > len - offset) return false;
		chunk.value = data + offset + kChunkHeaderSize;
		chunk.valueLength = chunkLen - kChunkHeaderSize;
		chunks.push_back(chunk);
		const size_t padded = (chunkLen + 3) & ~size_t(3);
		if (padded >= len - offset) break;
		offset += padded;
	}
	return !chunks.empty();
}

PacketBuilder::PacketBuilder(uint16_t sourcePort, uint16_t destinationPort, uint32_t verificationTag) {
	bytes.reserve(1280);
	ByteWriter w(bytes);
	w.U16(sourcePort);
	w.U16(destinationPort);
	w.U32(verificationTag);
	w.U32(0);
}

void PacketBuilder::Add(const std::vector<uint8_t>& chunk) {
	bytes.insert(bytes.end(), chunk.begin(), chunk.end());
}

std::vector<uint8_t>& PacketBuilder::Finish() {
	WriteSctpChecksum(bytes.data(), bytes.size());
	return bytes;
}

// ---- DATA (§3.3.1) ----

bool DataChunk::Parse(const RawChunk& raw) {
	if (raw.type != ChunkData || raw.valueLength < kDataChunkHeaderSize - kChunkHeaderSize) return false;
	ByteReader r(raw.value, raw.valueLength);
	tsn = r.U32();
	streamId = r.U16();
	ssn = r.U16();
	ppid = r.U32();
	unordered = raw.flags & kFlagUnordered;
	beginning = raw.flags & kFlagBeginning;
	ending = raw.flags & kFlagEnding;
	immediate = raw.flags & kFlagImmediate;
	r.Bytes(r.Remaining(), payload);
	return r.Ok();
}

void DataChunk::Serialize(std::vector<uint8_t>& out) const {
	const uint8_t flags = static_cast<uint8_t>((unordered ? kFlagUnordered : 0) | (beginning ? kFlagBeginning : 0) |
		(ending ? kFlagEnding : 0) | (immediate ? kFlagImmediate : 0));
	ChunkWriter c(out, ChunkData, flags);
	c.Body().U32(tsn);
	c.Body().U16(streamId);
	c.Body().U16(ssn);
	c.Body().U32(ppid);
	c.Body().Bytes(payload);
	c.End();
}

// ---- INIT / INIT-ACK (§3.3.2, §3.3.3) ----

bool InitChunk::SupportsExtension(uint8_t chunkType) const {
	for (uint8_t t : supportedExtensions)
		if (t == chunkType) return true;
	return false;
}

bool InitChunk::Parse(const RawChunk& raw) {
	if (raw.type != ChunkInit && raw.type != ChunkInitAck) return false;
	ByteReader r(raw.value, raw.valueLength);
	initiateTag = r.U32();
	aRwnd = r.U32();
	outboundStreams = r.U16();
	inboundStreams = r.U16();
	initialTsn = r.U32();
	if (!r.Ok()) return false;
	forwardTsnSupported = false;
	supportedExtensions.clear();
	hasStateCookie = false;
	stateCookie.clear();
	unrecognizedParameters.clear();
	ParameterReader params(r.Here(), r.Remaining());
	uint16_t type = 0;
	const uint8_t* value = nullptr;
	size_t valueLen = 0;
	while (params.Next(type, value, valueLen)) {
		switch (type) {
		case ParamStateCookie:
			hasStateCookie = true;
			stateCookie.assign(value, value + valueLen);
			break;
		case ParamForwardTsnSupported:
			forwardTsnSupported = true;
			break;
		case ParamSupportedExtensions:
			supportedExtensions.assign(value, value + valueLen);
			break;
		case ParamIpv4Address:
		case ParamIpv6Address:
		case ParamCookiePreservative:
		case ParamHostName:
		case ParamSupportedAddressTypes:
		case ParamUnrecognized:
			break; // known, nothing to do for us (one path, no address list)
		default: {
			// §3.2.1: the two high bits of an unrecognized parameter's type: 0x = stop
			// processing further parameters, 1x = skip it; x1 = report it.
			if (type & 0x4000) {
				const uint8_t* p = params.CurrentRaw();
				unrecognizedParameters.insert(unrecognizedParameters.end(), p, p + params.CurrentRawLength());
				while (unrecognizedParameters.size() % 4) unrecognizedParameters.push_back(0);
			}
			if (!(type & 0x8000)) return true;
			break;
		}
		}
	}
	return !params.Malformed();
}

void InitChunk::Serialize(ChunkType type, std::vector<uint8_t>& out) const {
	ChunkWriter c(out, type, 0);
	ByteWriter& w = c.Body();
	w.U32(initiateTag);
	w.U32(aRwnd);
	w.U16(outboundStreams);
	w.U16(inboundStreams);
	w.U32(initialTsn);
	if (hasStateCookie) c.Parameter(ParamStateCookie, stateCookie.data(), stateCookie.size());
	if (!unrecognizedParameters.empty()) {
		// §3.3.3: Unrecognized Parameter, whose value is the unrecognized TLVs.
		c.Parameter(ParamUnrecognized, unrecognizedParameters.data(), unrecognizedParameters.size());
	}
	if (forwardTsnSupported) c.Parameter(ParamForwardTsnSupported, nullptr, 0);
	if (!supportedExtensions.empty())
		c.Parameter(ParamSupportedExtensions, supportedExtensions.data(), supportedExtensions.size());
	c.End();
}

// ---- SACK (§3.3.4) ----

bool SackChunk::Parse(const RawChunk& raw) {
	if (raw.type != ChunkSack) return false;
	ByteReader r(raw.value, raw.valueLength);
	cumulativeTsnAck = r.U32();
	aRwnd = r.U32();
	const uint16_t gapCount = r.U16();
	const uint16_t dupCount = r.U16();
	if (!r.Ok() || r.Remaining() < static_cast<size_t>(gapCount) * 4 + static_cast<size_t>(dupCount) * 4) return false;
	gapBlocks.resize(gapCount);
	for (auto& block : gapBlocks) {
		block.start = r.U16();
		block.end = r.U16();
	}
	duplicateTsns.resize(dupCount);
	for (auto& tsn : duplicateTsns) tsn = r.U32();
	return r.Ok();
}

void SackChunk::Serialize(std::vector<uint8_t>& out) const {
	ChunkWriter c(out, ChunkSack, 0);
	ByteWriter& w = c.Body();
	w.U32(cumulativeTsnAck);
	w.U32(aRwnd);
	w.U16(static_cast<uint16_t>(gapBlocks.size()));
	w.U16(static_cast<uint16_t>(duplicateTsns.size()));
	for (const auto& block : gapBlocks) {
		w.U16(block.start);
		w.U16(block.end);
	}
	for (uint32_t tsn : duplicateTsns) w.U32(tsn);
	c.End();
}

// ---- HEARTBEAT / HEARTBEAT-ACK (§3.3.5, §3.3.6) ----

bool HeartbeatChunk::Parse(const RawChunk& raw) {
	if (raw.type != ChunkHeartbeat && raw.type != ChunkHeartbeatAck) return false;
	ParameterReader params(raw.value, raw.valueLength);
	uint16_t type = 0;
	const uint8_t* value = nullptr;
	size_t valueLen = 0;
	if (!params.Next(type, value, valueLen) || type != ParamHeartbeatInfo) return false;
	info.assign(value, value + valueLen);
	return true;
}

void HeartbeatChunk::Serialize(ChunkType type, std::vector<uint8_t>& out) const {
	ChunkWriter c(out, type, 0);
	c.Parameter(ParamHeartbeatInfo, info.data(), info.size());
	c.End();
}

// ---- ABORT / ERROR (§3.3.7, §3.3.10) ----

uint16_t ErrorCauseChunk::FirstCauseCode() const {
	return causes.size() >= 4 ? ReadU16(causes.data()) : 0;
}

bool ErrorCauseChunk::Parse(const RawChunk& raw) {
	if (raw.type != ChunkAbort && raw.type != ChunkError) return false;
	tagReflected = raw.type == ChunkAbort && (raw.flags & 0x01);
	// Validate the causes as TLVs (§3.3.10: each has a 4-byte header and a length >= 4).
	ParameterReader params(raw.value, raw.valueLength);
	uint16_t code = 0;
	const uint8_t* value = nullptr;
	size_t valueLen = 0;
	while (params.Next(code, value, valueLen)) {
	}
	if (params.Malformed()) return false;
	causes.assign(raw.value, raw.value + raw.valueLength);
	return true;
}

void ErrorCauseChunk::Serialize(ChunkType type, std::vector<uint8_t>& out) const {
	ChunkWriter c(out, type, type == ChunkAbort && tagReflected ? 0x01 : 0);
	c.Body().Bytes(causes);
	c.End();
}

void ErrorCauseChunk::AddCause(uint16_t code, const uint8_t* info, size_t len) {
	ByteWriter w(causes);
	w.U16(code);
	w.U16(static_cast<uint16_t>(4 + len));
	w.Bytes(info, len);
	w.Pad4();
}

// ---- SHUTDOWN (§3.3.8), COOKIE-ECHO (§3.3.11), empty chunks ----

bool ShutdownChunk::Parse(const RawChunk& raw) {
	if (raw.type != ChunkShutdown || raw.valueLength < 4) return false;
	cumulativeTsnAck = ReadU32(raw.value);
	return true;
}

void ShutdownChunk::Serialize(std::vector<uint8_t>& out) const {
	ChunkWriter c(out, ChunkShutdown, 0);
	c.Body().U32(cumulativeTsnAck);
	c.End();
}

bool CookieEchoChunk::Parse(const RawChunk& raw) {
	if (raw.type != ChunkCookieEcho) return false;
	cookie.assign(raw.value, raw.value + raw.valueLength);
	return true;
}

void CookieEchoChunk::Serialize(std::vector<uint8_t>& out) const {
	ChunkWriter c(out, ChunkCookieEcho, 0);
	c.Body().Bytes(cookie);
	c.End();
}

void SerializeEmptyChunk(ChunkType type, uint8_t flags, std::vector<uint8_t>& out) {
	ChunkWriter c(out, type, flags);
	c.End();
}

// ---- FORWARD-TSN (RFC 3758 §3.2) ----

bool ForwardTsnChunk::Parse(const RawChunk& raw) {
	if (raw.type != ChunkForwardTsn || raw.valueLength < 4 || raw.valueLength % 4 != 0) return false;
	ByteReader r(raw.value, raw.valueLength);
	newCumulativeTsn = r.U32();
	streams.resize(r.Remaining() / 4);
	for (auto& s : streams) {
		s.streamId = r.U16();
		s.ssn = r.U16();
	}
	return r.Ok();
}

void ForwardTsnChunk::Serialize(std::vector<uint8_t>& out) const {
	ChunkWriter c(out, ChunkForwardTsn, 0);
	c.Body().U32(newCumulativeTsn);
	for (const auto& s : streams) {
		c.Body().U16(s.streamId);
		c.Body().U16(s.ssn);
	}
	c.End();
}

// ---- RE-CONFIG (RFC 6525 §3.1, §4) ----

bool ReConfigChunk::Parse(const RawChunk& raw) {
	if (raw.type != ChunkReConfig) return false;
	outgoingResets.clear();
	responses.clear();
	unsupportedRequests.clear();
	ParameterReader params(raw.value, raw.valueLength);
	uint16_t type = 0;
	const uint8_t* value = nullptr;
	size_t valueLen = 0;
	size_t count = 0;
	while (params.Next(type, value, valueLen)) {
		++count;
		ByteReader r(value, valueLen);
		switch (type) {
		case ParamOutgoingSsnResetRequest: {
			// §4.1: 12 fixed bytes, then 16-bit stream numbers.
			OutgoingResetRequest req;
			req.requestSeq = r.U32();
			req.responseSeq = r.U32();
			req.senderLastTsn = r.U32();
			if (!r.Ok() || r.Remaining() % 2 != 0) return false;
			req.streams.resize(r.Remaining() / 2);
			for (auto& s : req.streams) s = r.U16();
			outgoingResets.push_back(std::move(req));
			break;
		}
		case ParamReconfigResponse: {
			// §4.4: 8 bytes, or 16 with the next TSNs.
			ReconfigResponse resp;
			resp.responseSeq = r.U32();
			resp.result = r.U32();
			if (!r.Ok()) return false;
			if (r.Remaining() >= 8) {
				resp.hasTsns = true;
				resp.senderNextTsn = r.U32();
				resp.receiverNextTsn = r.U32();
			}
			responses.push_back(resp);
			break;
		}
		case ParamIncomingSsnResetRequest:
		case ParamSsnTsnResetRequest:
		case ParamAddOutgoingStreams:
		case ParamAddIncomingStreams: {
			const uint32_t seq = r.U32();
			if (!r.Ok()) return false;
			unsupportedRequests.push_back(seq);
			break;
		}
		default:
			return false; // §3.1 allows only the parameters above
		}
	}
	// §3.1: one or two parameters.
	return !params.Malformed() && count >= 1 && count <= 2;
}

void ReConfigChunk::Serialize(std::vector<uint8_t>& out) const {
	ChunkWriter c(out, ChunkReConfig, 0);
	ByteWriter& w = c.Body();
	for (const auto& req : outgoingResets) {
		w.U16(ParamOutgoingSsnResetRequest);
		w.U16(static_cast<uint16_t>(16 + 2 * req.streams.size()));
		w.U32(req.requestSeq);
		w.U32(req.responseSeq);
		w.U32(req.senderLastTsn);
		for (uint16_t s : req.streams) w.U16(s);
		c.MarkParameterEnd();
	}
	for (const auto& resp : responses) {
		w.U16(ParamReconfigResponse);
		w.U16(static_cast<uint16_t>(resp.hasTsns ? 20 : 12));
		w.U32(resp.responseSeq);
		w.U32(resp.result);
		if (resp.hasTsns) {
			w.U32(resp.senderNextTsn);
			w.U32(resp.receiverNextTsn);
		}
		c.MarkParameterEnd();
	}
	c.End();
}

} // namespace sctp
} // namespace mediaplane
