import { isIP } from 'node:net';
import { TransportListenInfo, TransportListenIp } from './TransportTypes';
import { isPlainObject } from './utils';

function validatePort(value: unknown, field: string): void {
	if (value === undefined) return;
	if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 65535) {
		throw new TypeError(`invalid ${field}: must be an integer between 0 and 65535`);
	}
}

function validateBufferSize(value: unknown, field: string): void {
	if (value === undefined) return;
	if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
		throw new TypeError(`invalid ${field}: must be a non-negative integer`);
	}
}

/**
 * Validates listen infos and returns the normalised form the engine takes
 * (`announcedIp` folded into `announcedAddress`). `field` names the option in errors.
 */
export function normaliseListenInfos(listenInfos: unknown, field = 'listenInfos'): TransportListenInfo[] {
	if (!Array.isArray(listenInfos)) throw new TypeError(`${field} must be an array`);
	if (listenInfos.length === 0) throw new TypeError(`${field} must not be empty`);
	return listenInfos.map((info, index) => normaliseListenInfo(info, `${field}[${index}]`));
}

export function normaliseListenInfo(info: unknown, field = 'listenInfo'): TransportListenInfo {
	if (!isPlainObject(info)) throw new TypeError(`${field} must be an object`);
	const i = info as TransportListenInfo;
	if (i.protocol !== 'udp' && i.protocol !== 'tcp') {
		throw new TypeError(`invalid ${field}.protocol: must be 'udp' or 'tcp'`);
	}
	if (typeof i.ip !== 'string' || isIP(i.ip) === 0) {
		throw new TypeError(`invalid ${field}.ip: must be an IPv4 or IPv6 address`);
	}
	const announcedAddress = i.announcedAddress ?? i.announcedIp;
	if (announcedAddress !== undefined && (typeof announcedAddress !== 'string' || announcedAddress.length === 0)) {
		throw new TypeError(`invalid ${field}.announcedAddress: must be a non-empty string`);
	}
	validatePort(i.port, `${field}.port`);
	if (i.portRange !== undefined) {
		if (!isPlainObject(i.portRange)) throw new TypeError(`invalid ${field}.portRange: must be an object`);
		validatePort(i.portRange.min, `${field}.portRange.min`);
		validatePort(i.portRange.max, `${field}.portRange.max`);
		if (!i.portRange.min || !i.portRange.max || i.portRange.min > i.portRange.max) {
			throw new TypeError(`invalid ${field}.portRange: needs 0 < min <= max`);
		}
	}
	if (i.flags !== undefined) {
		if (!isPlainObject(i.flags)) throw new TypeError(`invalid ${field}.flags: must be an object`);
		for (const flag of ['ipv6Only', 'udpReusePort'] as const) {
			if (i.flags[flag] !== undefined && typeof i.flags[flag] !== 'boolean') {
				throw new TypeError(`invalid ${field}.flags.${flag}: must be a boolean`);
			}
		}
	}
	if (i.exposeInternalIp !== undefined && typeof i.exposeInternalIp !== 'boolean') {
		throw new TypeError(`invalid ${field}.exposeInternalIp: must be a boolean`);
	}
	validateBufferSize(i.sendBufferSize, `${field}.sendBufferSize`);
	validateBufferSize(i.recvBufferSize, `${field}.recvBufferSize`);
	return {
		protocol: i.protocol,
		ip: i.ip,
		announcedAddress,
		port: i.port ?? 0,
		// As mediasoup, a portRange wins over port (the engine ignores port then).
		portRange: i.portRange && { min: i.portRange.min, max: i.portRange.max },
		flags: i.flags && { ipv6Only: i.flags.ipv6Only ?? false, udpReusePort: i.flags.udpReusePort ?? false },
		exposeInternalIp: i.exposeInternalIp ?? false,
		sendBufferSize: i.sendBufferSize,
		recvBufferSize: i.recvBufferSize,
	};
}

/**
 * The older `listenIps` option: each entry (a string or { ip, announcedIp }) once per
 * enabled protocol, the preferred protocol first (UDP unless preferTcp without preferUdp),
 * as mediasoup. Candidates rank in listen info order, so this is where preferUdp and
 * preferTcp act for a WebRtcTransport without a WebRtcServer.
 */
export function listenIpsToListenInfos(
	listenIps: unknown,
	{ enableUdp, enableTcp, preferUdp = false, preferTcp = false, port }:
	{ enableUdp: boolean; enableTcp: boolean; preferUdp?: boolean; preferTcp?: boolean; port?: number }
): TransportListenInfo[] {
	if (!Array.isArray(listenIps) || listenIps.length === 0) throw new TypeError('listenIps must be a non-empty array');
	const tcpFirst = enableTcp && ((preferTcp && !preferUdp) || !enableUdp);
	const protocols: Array<'udp' | 'tcp'> = [];
	if (enableUdp) protocols.push('udp');
	if (enableTcp) protocols[tcpFirst ? 'unshift' : 'push']('tcp');
	const infos: TransportListenInfo[] = [];
	listenIps.forEach((entry: unknown, index) => {
		const listenIp: TransportListenIp = typeof entry === 'string' ? { ip: entry } : (entry as TransportListenIp);
		if (!isPlainObject(listenIp)) throw new TypeError(`invalid listenIps[${index}]`);
		const base = { ip: listenIp.ip, announcedAddress: listenIp.announcedAddress ?? listenIp.announcedIp, port };
		for (const protocol of protocols) infos.push({ protocol, ...base });
	});
	return normaliseListenInfos(infos, 'listenIps');
}
