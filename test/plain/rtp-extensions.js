'use strict';
// RTP header extension reading shared by test files (plain JS, no engine code).

/** The value of one-byte header extension `id` (RFC 8285 §4.2), or undefined. */
function extensionValue(packet, id) {
	if (!(packet[0] & 0x10)) return undefined;
	let offset = 12 + 4 * (packet[0] & 0x0f);
	if (packet.readUInt16BE(offset) !== 0xbede) return undefined;
	const end = offset + 4 + 4 * packet.readUInt16BE(offset + 2);
	offset += 4;
	while (offset < end) {
		const byte = packet[offset];
		if (byte === 0) {
			offset += 1;
			continue;
		}
		const length = (byte & 0x0f) + 1;
		if (byte >> 4 === id) return packet.subarray(offset + 1, offset + 1 + length);
		offset += 1 + length;
	}
	return undefined;
}

module.exports = { extensionValue };
