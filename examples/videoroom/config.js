'use strict';
// Settings of the video-room demo: command-line flags and environment variables, the
// codecs every room's router offers, and the addresses WebRTC transports listen on.

const dns = require('node:dns/promises');
const net = require('node:net');
const os = require('node:os');
const { parseArgs } = require('node:util');

const DEFAULT_HOST = '127.0.0.1';
const DEFAULT_PORT = 3000;

// Every room offers the same codecs: opus for audio, VP8 (preferred) and H264 for video.
// A browser produces with the first video codec of the router that it supports.
const mediaCodecs = [
	{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
	{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000, parameters: { 'x-google-start-bitrate': 1000 } },
	{
		kind: 'video',
		mimeType: 'video/H264',
		clockRate: 90000,
		parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 },
	},
];

const USAGE = `Usage: npm start -- [options]      (or: node examples/videoroom/server.js [options])

  --host <address>               address to listen on for HTTP and media
                                 (default 127.0.0.1; 0.0.0.0 when --announced-address is given)
  --port <number>                HTTP port (default 3000)
  --announced-address <address>  address (or host name) that remote browsers reach this machine at;
                                 put in the ICE candidates
  --cert <file> --key <file>     serve HTTPS (PEM files); browsers only give the camera to pages
                                 on https:// or on localhost
  --workers <number>             mediaplane workers (default: one per CPU core)
  --whip-token <token>           bearer token WHIP publishers must send (default: none needed)
  -h, --help                     this text

Environment: MEDIAPLANE_DEMO_HOST, MEDIAPLANE_DEMO_PORT, MEDIAPLANE_DEMO_ANNOUNCED_ADDRESS,
MEDIAPLANE_DEMO_CERT, MEDIAPLANE_DEMO_KEY, MEDIAPLANE_DEMO_WORKERS, MEDIAPLANE_DEMO_WHIP_TOKEN
(flags win).`;

/** Parses argv and env into startServer() options. Throws a TypeError on bad flags. */
function parseCommandLine(argv = process.argv.slice(2), env = process.env) {
	const { values } = parseArgs({
		args: argv,
		strict: true,
		allowPositionals: false,
		options: {
			host: { type: 'string' },
			port: { type: 'string' },
			'announced-address': { type: 'string' },
			cert: { type: 'string' },
			key: { type: 'string' },
			workers: { type: 'string' },
			'whip-token': { type: 'string' },
			help: { type: 'boolean', short: 'h' },
		},
	});
	const pick = (flag, name) => values[flag] ?? (env[name] || undefined);
	const options = {
		help: Boolean(values.help),
		host: pick('host', 'MEDIAPLANE_DEMO_HOST'),
		port: pick('port', 'MEDIAPLANE_DEMO_PORT'),
		announcedAddress: pick('announced-address', 'MEDIAPLANE_DEMO_ANNOUNCED_ADDRESS'),
		cert: pick('cert', 'MEDIAPLANE_DEMO_CERT'),
		key: pick('key', 'MEDIAPLANE_DEMO_KEY'),
		workers: pick('workers', 'MEDIAPLANE_DEMO_WORKERS'),
		whipToken: pick('whip-token', 'MEDIAPLANE_DEMO_WHIP_TOKEN'),
	};
	if (options.port !== undefined) options.port = toInteger(options.port, '--port', 0, 65535);
	if (options.workers !== undefined) options.workers = toInteger(options.workers, '--workers', 1, 256);
	return options;
}

function toInteger(text, name, min, max) {
	const value = Number(text);
	if (!/^\d+$/.test(String(text).trim()) || !Number.isInteger(value) || value < min || value > max) {
		throw new TypeError(`${name} must be an integer from ${min} to ${max}, got "${text}"`);
	}
	return value;
}

/** The first IPv4 address of this machine that is not loopback (or undefined). */
function firstExternalIPv4() {
	for (const addresses of Object.values(os.networkInterfaces())) {
		for (const a of addresses ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
	}
	return undefined;
}

const isWildcard = (ip) => ip === '0.0.0.0' || ip === '::';

/**
 * Fills in defaults and works out where media listens:
 *   { host, port, announcedAddress, rtcListenIp, rtcAnnouncedAddress, workers }
 * Media (UDP and TCP) listens on the HTTP host's address. On a wildcard host the ICE
 * candidates carry the announced address (default: this machine's first IPv4 address).
 */
async function resolveNetwork({ host, port, announcedAddress, workers }) {
	if (announcedAddress !== undefined && (typeof announcedAddress !== 'string' || !announcedAddress.trim())) {
		throw new TypeError('announcedAddress must be a non-empty string');
	}
	host = host ?? (announcedAddress ? '0.0.0.0' : DEFAULT_HOST);
	if (typeof host !== 'string' || !host) throw new TypeError('host must be a non-empty string');
	port = port ?? DEFAULT_PORT;
	if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError('port must be an integer from 0 to 65535');
	const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
	workers = workers ?? Math.max(1, cores);
	if (!Number.isInteger(workers) || workers < 1) throw new TypeError('workers must be a positive integer');

	let rtcListenIp = net.isIP(host) ? host : (await dns.lookup(host, { family: 4 })).address;
	let rtcAnnouncedAddress = announcedAddress;
	if (isWildcard(rtcListenIp)) {
		rtcListenIp = '0.0.0.0';
		rtcAnnouncedAddress = rtcAnnouncedAddress ?? firstExternalIPv4() ?? '127.0.0.1';
	}
	return { host, port, announcedAddress, rtcListenIp, rtcAnnouncedAddress, workers };
}

/** listenInfos for one WebRtcTransport: UDP (preferred) and TCP on the same address. */
function transportListenInfos({ rtcListenIp, rtcAnnouncedAddress }) {
	return ['udp', 'tcp'].map((protocol) => ({
		protocol,
		ip: rtcListenIp,
		...(rtcAnnouncedAddress ? { announcedAddress: rtcAnnouncedAddress } : {}),
	}));
}

module.exports = { mediaCodecs, parseCommandLine, resolveNetwork, transportListenInfos, firstExternalIPv4, USAGE, DEFAULT_PORT };
