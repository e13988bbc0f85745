// Real plain-RTP peers for the PlainTransport tests: ffmpeg (Debian's, installed on
// demand by scripts/ensure-ffmpeg.js) as an RTP/SRTP sender of a test pattern or a sine
// tone, and as an RTP/SRTP receiver that decodes what an SDP describes and counts the
// decoded frames. Real sockets on 127.0.0.1, nothing mocked; every process started here
// is stopped by stop() (and killed when the test process exits).
//
//   const ff = require('./plain/ffmpeg');
//   const sender = await ff.startRtpSender({ kind: 'video', codec: 'vp8', ip, port, payloadType: 101, ssrc: 22222222 });
//   const receiver = await ff.startRtpReceiver({ sdp: (ports) => ff.buildSdp({ ..., port: ports[0] }) });
//   await transport.connect({ ip: '127.0.0.1', port: receiver.port });
//   await ff.waitFor(() => receiver.getDecodedFrames() >= 60, 20000, 'decoded frames');
//   await sender.stop(); await receiver.stop();
'use strict';

const crypto = require('node:crypto');
const dgram = require('node:dgram');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');

const { ensureFfmpeg } = require('../../scripts/ensure-ffmpeg');

const STDERR_KEEP = 16 * 1024;
const STOP_TIMEOUT_MS = 5000;
const BIND_WAIT_MS = 5000;

// Every ffmpeg started by this module, so that a test process that dies without its
// teardown (uncaught error, process.exit, killed by tap on a timeout) does not leave
// any behind.
const running = new Set();
let exitHooksInstalled = false;

function killAll() {
	for (const child of running) {
		try {
			child.kill('SIGKILL');
		} catch {}
	}
}

function installExitHooks() {
	if (exitHooksInstalled) return;
	exitHooksInstalled = true;
	process.on('exit', killAll);
	for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
		process.on(signal, function onSignal() {
			killAll();
			// Alone, keep the default behaviour of the signal: die of it.
			if (process.listenerCount(signal) === 1) {
				process.removeListener(signal, onSignal);
				process.kill(process.pid, signal);
			}
		});
	}
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `predicate` (sync or async) every `intervalMs` until it is truthy; throws after `timeoutMs`. */
async function waitFor(predicate, timeoutMs, what, intervalMs = 100) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await predicate();
		if (value) return value;
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await sleep(intervalMs);
	}
}

/** 30 random bytes (AES_CM_128 master key + salt) in base64, as SRTP keyBase64. */
function randomSrtpKey(cryptoSuite = 'AES_CM_128_HMAC_SHA1_80') {
	const lengths = { AES_CM_128_HMAC_SHA1_80: 30, AES_CM_128_HMAC_SHA1_32: 30, AEAD_AES_128_GCM: 28, AEAD_AES_256_GCM: 44 };
	const length = lengths[cryptoSuite];
	if (!length) throw new TypeError(`randomSrtpKey: unknown cryptoSuite ${cryptoSuite}`);
	return crypto.randomBytes(length).toString('base64');
}

function bindSocket(port, ip) {
	return new Promise((resolve, reject) => {
		const socket = dgram.createSocket('udp4');
		socket.once('error', (error) => {
			socket.close();
			reject(error);
		});
		socket.bind(port, ip, () => resolve(socket));
	});
}

/**
 * A free UDP port on `ip` (bound and released at once). With `pair: true`, a port p such
 * that p + 1 is free too (ffmpeg's RTP receiver binds p for RTP and p + 1 for RTCP).
 * Another process may still take it before ffmpeg does; callers retry on collision.
 */
async function getFreePort({ ip = '127.0.0.1', pair = false } = {}) {
	for (let attempt = 0; attempt < 50; attempt++) {
		const first = await bindSocket(0, ip);
		const { port } = first.address();
		if (!pair) {
			first.close();
			return port;
		}
		if (port < 65535) {
			try {
				const second = await bindSocket(port + 1, ip);
				second.close();
				first.close();
				return port;
			} catch {}
		}
		first.close();
	}
	throw new Error('getFreePort: no free port pair found');
}

/** True when a UDP socket (any process) is bound to `port` on IPv4 (from /proc/net/udp). */
function udpPortBound(port) {
	let table;
	try {
		table = fs.readFileSync('/proc/net/udp', 'utf8');
	} catch {
		return undefined;
	}
	const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')} `;
	return table.split('\n').some((line) => {
		const local = line.trim().split(/\s+/)[1];
		return local !== undefined && `${local.slice(local.indexOf(':'))} ` === hex;
	});
}

/**
 * Spawns ffmpeg with `args`; returns { process, stop(), exited, stderr(), exitCode }.
 * stop() sends SIGTERM (twice, 200 ms apart; SIGKILL after 5 s) and resolves once the process has exited.
 */
function spawnFfmpeg(args, { onStdout, name = 'ffmpeg' } = {}) {
	const ffmpegPath = ensureFfmpeg();
	installExitHooks();
	const child = spawn(ffmpegPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
	running.add(child);
	let stderr = '';
	child.stderr.setEncoding('utf8');
	child.stderr.on('data', (chunk) => {
		stderr = (stderr + chunk).slice(-STDERR_KEEP);
	});
	child.stdout.setEncoding('utf8');
	child.stdout.on('data', (chunk) => onStdout?.(chunk));
	const state = { exitCode: undefined, signal: undefined, spawnError: undefined };
	const exited = new Promise((resolve) => {
		child.once('error', (error) => {
			state.spawnError = error;
			running.delete(child);
			resolve(state);
		});
		child.once('close', (code, signal) => {
			state.exitCode = code;
			state.signal = signal;
			running.delete(child);
			resolve(state);
		});
	});
	let stopping;
	const stop = () => {
		if (!stopping) {
			stopping = (async () => {
				if (state.exitCode === undefined && state.signal === undefined && !state.spawnError) {
					const kill = (signal) => {
						try {
							child.kill(signal);
						} catch {}
					};
					// ffmpeg stops its main loop on the first SIGTERM but only interrupts a
					// blocking network read on the second one; SIGKILL if neither is enough.
					kill('SIGTERM');
					const again = setTimeout(() => kill('SIGTERM'), 200);
					const timer = setTimeout(() => kill('SIGKILL'), STOP_TIMEOUT_MS);
					await exited;
					clearTimeout(again);
					clearTimeout(timer);
				}
				return state;
			})();
		}
		return stopping;
	};
	return {
		name,
		process: child,
		args,
		exited,
		state,
		stop,
		stderr: () => stderr,
		get running() {
			return state.exitCode === undefined && state.signal === undefined && !state.spawnError;
		},
	};
}

const ADDRESS_IN_USE = /Address already in use|bind failed|Could not bind|Cannot assign/i;

// ---------------------------------------------------------------------------
// Sender
// ---------------------------------------------------------------------------

function encoderArgs(kind, codec, durationSec) {
	const duration = durationSec ? ['-t', String(durationSec)] : [];
	if (kind === 'video') {
		const input = ['-re', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=30', ...duration, '-an', '-pix_fmt', 'yuv420p'];
		if (codec === 'vp8') {
			return [...input, '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '500k', '-g', '30',
				'-keyint_min', '30', '-error-resilient', '1', '-lag-in-frames', '0'];
		}
		if (codec === 'h264') {
			// Baseline, no B-frames, SPS/PPS in band before every IDR (no global header),
			// packetization-mode 1 (FU-A; the rtp muxer's default).
			return [...input, '-c:v', 'libx264', '-profile:v', 'baseline', '-level:v', '3.1', '-preset', 'ultrafast',
				'-tune', 'zerolatency', '-g', '30', '-keyint_min', '30', '-bf', '0', '-b:v', '500k'];
		}
		throw new TypeError(`startRtpSender: codec ${codec} is not a video codec (vp8, h264)`);
	}
	if (kind === 'audio') {
		if (codec !== 'opus') throw new TypeError(`startRtpSender: codec ${codec} is not an audio codec (opus)`);
		return ['-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', ...duration, '-vn',
			'-c:a', 'libopus', '-ac', '2', '-b:a', '64k', '-application', 'lowdelay', '-frame_duration', '20'];
	}
	throw new TypeError(`startRtpSender: kind must be 'video' or 'audio', not ${kind}`);
}

/**
 * Starts ffmpeg sending a test pattern (video: testsrc 320x240@30 as VP8 or H264) or a
 * 440 Hz tone (audio: opus) as RTP, or SRTP when `srtp` is given, to ip:port.
 *
 * options:
 *   kind           'video' | 'audio'
 *   codec          'vp8' | 'h264' | 'opus'
 *   ip, port       where to send RTP
 *   rtcpPort       where to send RTCP (default: `port`, i.e. RTCP muxed on the RTP port)
 *   payloadType    RTP payload type
 *   ssrc           RTP SSRC (uint32)
 *   seq            first RTP sequence number (default: random, as ffmpeg chooses)
 *   srtp           { cryptoSuite: 'AES_CM_128_HMAC_SHA1_80', keyBase64 } to send SRTP/SRTCP
 *   durationSec    stop sending after this many seconds of media (default: until stop())
 *   localPort      source port of RTP (default: a free port, so the tuple is known)
 *   localRtcpPort  source port of RTCP (default: another free port)
 *   skipRtcp       send no RTCP sender reports (default: true when rtcpPort === port).
 *                  ffmpeg sends RTCP from a second socket (localRtcpPort) and sends its
 *                  first SR before the first RTP packet; it cannot send RTCP from the RTP
 *                  port. Into an rtcp-mux comedia transport, that SR would be the packet
 *                  the transport learns its tuple from (as mediasoup does), and every RTP
 *                  packet from the other port would then be dropped. So with RTCP muxed
 *                  (rtcpPort === port) it sends none; give a separate rtcpPort (a
 *                  transport with rtcpMux: false) to get sender reports.
 *
 * Resolves (after checking that ffmpeg is up and has bound its ports) with
 * { process, stop(), exited, stderr(), localPort, localRtcpPort, url, args }.
 */
async function startRtpSender(options) {
	const {
		kind, codec, ip = '127.0.0.1', port, rtcpPort = port, payloadType, ssrc, seq, srtp, durationSec, skipRtcp = rtcpPort === port,
	} = options;
	if (seq !== undefined && (!Number.isInteger(seq) || seq < 0 || seq > 65535)) throw new TypeError('startRtpSender: seq must be 0..65535');
	if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new TypeError('startRtpSender: port must be a port number');
	if (!Number.isInteger(payloadType) || payloadType < 0 || payloadType > 127) throw new TypeError('startRtpSender: payloadType must be 0..127');
	if (!Number.isInteger(ssrc) || ssrc < 0 || ssrc > 0xffffffff) throw new TypeError('startRtpSender: ssrc must be a uint32');
	if (srtp && srtp.cryptoSuite && srtp.cryptoSuite !== 'AES_CM_128_HMAC_SHA1_80' && srtp.cryptoSuite !== 'AES_CM_128_HMAC_SHA1_32') {
		throw new TypeError(`startRtpSender: ffmpeg cannot send SRTP with ${srtp.cryptoSuite}`);
	}
	const encoder = encoderArgs(kind, codec, durationSec);

	for (let attempt = 0; ; attempt++) {
		const localPort = options.localPort ?? (await getFreePort({ ip }));
		let localRtcpPort = options.localRtcpPort;
		while (localRtcpPort === undefined || localRtcpPort === localPort) localRtcpPort = await getFreePort({ ip });
		const query = `rtcpport=${rtcpPort}&localrtpport=${localPort}&localrtcpport=${localRtcpPort}&pkt_size=1200`;
		const url = `${srtp ? 'srtp' : 'rtp'}://${ip}:${port}?${query}`;
		const args = [
			'-hide_banner', '-nostdin', '-loglevel', 'warning',
			...encoder,
			'-f', 'rtp',
			'-payload_type', String(payloadType),
			// ffmpeg's -ssrc is a signed 32-bit option; it writes the same 32 bits.
			'-ssrc', String(ssrc | 0),
			...(seq !== undefined ? ['-seq', String(seq)] : []),
			'-cname', `ffmpeg-${kind}`,
			...(skipRtcp ? ['-rtpflags', 'skip_rtcp'] : []),
			...(srtp ? ['-srtp_out_suite', srtp.cryptoSuite ?? 'AES_CM_128_HMAC_SHA1_80', '-srtp_out_params', srtp.keyBase64] : []),
			url,
		];
		const proc = spawnFfmpeg(args, { name: `ffmpeg ${kind} sender` });
		// Up when both source ports are bound; an early exit means it failed (maybe a port
		// taken between getFreePort() and ffmpeg's bind: then try again).
		const up = await Promise.race([
			waitFor(() => !proc.running || (udpPortBound(localPort) && udpPortBound(localRtcpPort)), BIND_WAIT_MS, 'ffmpeg sender to bind', 20)
				.then(() => proc.running, () => proc.running),
			proc.exited.then(() => false),
		]);
		if (up) {
			return Object.assign(proc, { localPort, localRtcpPort, url, kind, codec, payloadType, ssrc });
		}
		await proc.stop();
		if (attempt < 4 && options.localPort === undefined && ADDRESS_IN_USE.test(proc.stderr())) continue;
		const { exitCode, signal, spawnError } = proc.state;
		throw new Error(
			`ffmpeg sender failed to start (exit ${exitCode ?? signal ?? spawnError?.message}): ` +
				`ffmpeg ${args.join(' ')}\n${proc.stderr().trim()}`
		);
	}
}

// ---------------------------------------------------------------------------
// SDP
// ---------------------------------------------------------------------------

const CODEC_NAMES = { vp8: 'VP8', vp9: 'VP9', h264: 'H264', opus: 'opus', pcmu: 'PCMU', pcma: 'PCMA' };

function fmtpString(fmtp) {
	if (!fmtp) return '';
	if (typeof fmtp === 'string') return fmtp;
	return Object.entries(fmtp)
		.filter(([, value]) => value !== undefined && value !== null)
		.map(([key, value]) => `${key}=${value}`)
		.join(';');
}

function mediaSection(m, defaultIp) {
	const { kind, codec, port, payloadType, ssrc, srtp, rtcpMux = true, cname = 'mediaplane' } = m;
	if (kind !== 'video' && kind !== 'audio') throw new TypeError(`buildSdp: kind must be 'video' or 'audio', not ${kind}`);
	if (!Number.isInteger(port)) throw new TypeError('buildSdp: port must be a port number');
	if (!Number.isInteger(payloadType)) throw new TypeError('buildSdp: payloadType must be an integer');
	const name = CODEC_NAMES[String(codec).toLowerCase()] ?? String(codec).replace(/^(audio|video)\//i, '');
	const clockRate = m.clockRate ?? (kind === 'video' ? 90000 : 48000);
	const channels = m.channels ?? (name.toLowerCase() === 'opus' ? 2 : undefined);
	let fmtp = fmtpString(m.fmtp);
	if (!fmtp && name === 'H264') fmtp = 'packetization-mode=1;profile-level-id=42e01f;level-asymmetry-allowed=1';
	const lines = [`m=${kind} ${port} ${srtp ? 'RTP/SAVP' : 'RTP/AVP'} ${payloadType}`];
	if (m.ip && m.ip !== defaultIp) lines.push(`c=IN IP4 ${m.ip}`);
	lines.push(`a=rtpmap:${payloadType} ${name}/${clockRate}${channels && kind === 'audio' ? `/${channels}` : ''}`);
	if (fmtp) lines.push(`a=fmtp:${payloadType} ${fmtp}`);
	if (rtcpMux) lines.push('a=rtcp-mux');
	if (srtp) {
		// RFC 4568: a=crypto:<tag> <crypto-suite> inline:<key||salt base64>
		lines.push(`a=crypto:1 ${srtp.cryptoSuite ?? 'AES_CM_128_HMAC_SHA1_80'} inline:${srtp.keyBase64}`);
	}
	if (ssrc !== undefined) lines.push(`a=ssrc:${ssrc >>> 0} cname:${cname}`);
	lines.push('a=recvonly');
	return lines;
}

/**
 * An SDP (RFC 4566) describing what a receiver gets: one media section from the fields
 * { kind, codec, ip, port, payloadType, clockRate, channels, fmtp, ssrc, srtp, rtcpMux },
 * or several from `media: [{ ... }, ...]` (ip defaults to the top-level one).
 * `codec` is 'vp8' | 'h264' | 'opus' | ... or a mimeType ('video/VP8'); `fmtp` a string
 * or an object ({ 'packetization-mode': 1 }); `srtp` { cryptoSuite, keyBase64 } adds an
 * RFC 4568 a=crypto line (and RTP/SAVP).
 */
function buildSdp(options) {
	const ip = options.ip ?? '127.0.0.1';
	const media = options.media ?? [options];
	const lines = [
		'v=0',
		`o=- ${Date.now()} 1 IN IP4 ${ip}`,
		's=mediaplane plain RTP',
		`c=IN IP4 ${ip}`,
		't=0 0',
	];
	for (const m of media) lines.push(...mediaSection({ ip, ...m }, ip));
	return `${lines.join('\r\n')}\r\n`;
}

/**
 * The buildSdp() fields for one consumer's rtpParameters (its first media codec,
 * payload type, SSRC and clock rate).
 */
function sdpMediaFromRtpParameters(rtpParameters, { kind, port, srtp, ip } = {}) {
	const codec = rtpParameters.codecs.find((c) => !/\/(rtx|red|ulpfec|flexfec)/i.test(c.mimeType));
	if (!codec) throw new TypeError('sdpMediaFromRtpParameters: no media codec in rtpParameters');
	const [mediaKind, name] = codec.mimeType.split('/');
	return {
		kind: kind ?? mediaKind,
		codec: name.toLowerCase(),
		ip,
		port,
		payloadType: codec.payloadType,
		clockRate: codec.clockRate,
		channels: codec.channels,
		fmtp: codec.parameters && Object.keys(codec.parameters).length ? codec.parameters : undefined,
		ssrc: rtpParameters.encodings?.[0]?.ssrc,
		srtp,
	};
}

// ---------------------------------------------------------------------------
// Receiver
// ---------------------------------------------------------------------------

/**
 * Starts ffmpeg receiving the RTP (or SRTP) described by an SDP and decoding it; every
 * decoded frame becomes one framemd5 line on ffmpeg's stdout, counted per stream.
 *
 * options:
 *   sdp          an SDP string, or a function (ports) => SDP string that gets `mediaCount`
 *                fresh port numbers (each with port + 1 free too, for ffmpeg's RTCP
 *                socket); with a function, a port collision is retried with new ports
 *   mediaCount   how many ports the sdp function gets (default 1)
 *   durationSec  stop after this many seconds of media (default: until stop())
 *   outputFrames (default true) count decoded frames (framemd5); false: decode to null
 *
 * Resolves once ffmpeg has bound the ports of the SDP with
 * { process, stop(), exited, stderr(), port, ports, sdp, sdpPath, getDecodedFrames(),
 *   getDecodedAudioFrames(), getDecodedAudioSamples(), getStreams(), framesByStream }.
 * getDecodedFrames() counts video frames (or all frames when the SDP has no video).
 */
async function startRtpReceiver(options) {
	const { mediaCount = 1, durationSec, outputFrames = true } = options;
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mediaplane-ffmpeg-'));
	for (let attempt = 0; ; attempt++) {
		let ports;
		let sdp;
		if (typeof options.sdp === 'function') {
			ports = [];
			while (ports.length < mediaCount) {
				const port = await getFreePort({ pair: true });
				if (!ports.some((p) => Math.abs(p - port) <= 1)) ports.push(port);
			}
			sdp = options.sdp(ports);
		} else if (typeof options.sdp === 'string') {
			sdp = options.sdp;
			ports = [...sdp.matchAll(/^m=\S+ (\d+) /gm)].map((match) => Number(match[1]));
		} else {
			throw new TypeError('startRtpReceiver: sdp must be a string or a function (ports) => string');
		}
		const kinds = [...sdp.matchAll(/^m=(\S+) /gm)].map((match) => match[1]);
		const sdpPath = path.join(dir, `receiver-${attempt}.sdp`);
		fs.writeFileSync(sdpPath, sdp);

		const framesByStream = new Map();
		const samplesByStream = new Map();
		const timeBases = new Map();
		let pending = '';
		const onStdout = (chunk) => {
			pending += chunk;
			const lines = pending.split('\n');
			pending = lines.pop();
			for (const line of lines) {
				if (line.startsWith('#tb ')) {
					const match = /^#tb (\d+): (\d+)\/(\d+)/.exec(line);
					if (match) timeBases.set(Number(match[1]), [Number(match[2]), Number(match[3])]);
					continue;
				}
				if (line.startsWith('#') || !line.trim()) continue;
				const fields = line.split(',').map((f) => f.trim());
				const stream = Number(fields[0]);
				if (!Number.isInteger(stream)) continue;
				framesByStream.set(stream, (framesByStream.get(stream) ?? 0) + 1);
				const duration = Number(fields[3]);
				if (Number.isFinite(duration)) samplesByStream.set(stream, (samplesByStream.get(stream) ?? 0) + duration);
			}
		};
		const args = [
			'-hide_banner', '-nostdin', '-loglevel', 'warning',
			'-protocol_whitelist', 'file,udp,rtp,srtp,crypto',
			// Probing ends at the first key frame (video) or first packets (audio); give up after 3 s.
			'-analyzeduration', '3000000', '-probesize', '2000000',
			'-reorder_queue_size', '64',
			'-i', sdpPath,
			...(durationSec ? ['-t', String(durationSec)] : []),
			'-map', '0',
			...(outputFrames
				? ['-fps_mode', 'passthrough', '-flush_packets', '1', '-f', 'framemd5', 'pipe:1']
				: ['-f', 'null', '-']),
		];
		const proc = spawnFfmpeg(args, { onStdout, name: 'ffmpeg receiver' });
		const up = await Promise.race([
			waitFor(() => !proc.running || ports.every((p) => udpPortBound(p)), BIND_WAIT_MS, 'ffmpeg receiver to bind', 20)
				.then(() => proc.running, () => proc.running),
			proc.exited.then(() => false),
		]);
		if (up) {
			// The stream index of each SDP media section is its order in the SDP.
			const streamsOf = (kind) => kinds.map((k, i) => (k === kind ? i : -1)).filter((i) => i >= 0);
			const sum = (map, streams) => streams.reduce((total, i) => total + (map.get(i) ?? 0), 0);
			const videoStreams = streamsOf('video');
			const audioStreams = streamsOf('audio');
			const stopProcess = proc.stop;
			return Object.assign(proc, {
				port: ports[0],
				ports,
				sdp,
				sdpPath,
				framesByStream,
				getStreams: () => kinds.map((kind, i) => ({ index: i, kind, frames: framesByStream.get(i) ?? 0, timeBase: timeBases.get(i) })),
				getDecodedFrames: () => sum(framesByStream, videoStreams.length ? videoStreams : kinds.map((_, i) => i)),
				getDecodedAudioFrames: () => sum(framesByStream, audioStreams),
				// framemd5 durations of audio frames are in 1/sample_rate, i.e. samples.
				getDecodedAudioSamples: () => sum(samplesByStream, audioStreams),
				stop: async () => {
					const state = await stopProcess();
					fs.rmSync(dir, { recursive: true, force: true });
					return state;
				},
			});
		}
		await proc.stop();
		if (attempt < 4 && typeof options.sdp === 'function' && ADDRESS_IN_USE.test(proc.stderr())) continue;
		fs.rmSync(dir, { recursive: true, force: true });
		const { exitCode, signal, spawnError } = proc.state;
		throw new Error(
			`ffmpeg receiver failed to start (exit ${exitCode ?? signal ?? spawnError?.message}): ` +
				`ffmpeg ${args.join(' ')}\nSDP:\n${sdp}\n${proc.stderr().trim()}`
		);
	}
}

module.exports = {
	ensureFfmpeg,
	startRtpSender,
	startRtpReceiver,
	buildSdp,
	sdpMediaFromRtpParameters,
	getFreePort,
	udpPortBound,
	randomSrtpKey,
	waitFor,
};
