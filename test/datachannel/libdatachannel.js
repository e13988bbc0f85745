'use strict';
// A libdatachannel peer (npm node-datachannel, prebuilt for linux-x64 glibc) for the
// interoperability tests: a full WebRTC stack (libjuice ICE, OpenSSL DTLS, usrsctp)
// independent of both mediaplane and Chromium.
//
//   const peer = createPeer('client');            // close() it in t.teardown
//   peer.pc.setRemoteDescription(sdp, 'offer');    // see ./sdp.js
//   const answer = await peer.localDescription();
//   const ch = peer.channel('chat', { negotiated: true, id: 3 });
//   await ch.opened(10_000);
//
// Every wait is bounded; close() closes the channels and the PeerConnection. Call
// shutdown() once at the end of a test file (node-datachannel's global cleanup; its
// threads keep the process alive otherwise).

const ndc = require('node-datachannel');
const { withTimeout } = require('./util');

let loggerOn = false;

/** Forwards libdatachannel's warnings and errors (or everything at `level`) to `log`. */
function enableLog(level = 'Warning', log = (line) => process.stderr.write(`${line}\n`)) {
	if (loggerOn) return;
	loggerOn = true;
	ndc.initLogger(level, (lvl, message) => log(`[libdatachannel ${lvl}] ${message}`));
}

/**
 * A PeerConnection bound to 127.0.0.1 with no ICE servers. options: { maxMessageSize
 * (a=max-message-size it announces, default 262144), config (more RtcConfig) }.
 */
function createPeer(name, options = {}) {
	if (process.env.MEDIAPLANE_DC_DEBUG) enableLog('Debug');
	const pc = new ndc.PeerConnection(name, {
		iceServers: [],
		bindAddress: '127.0.0.1',
		enableIceTcp: false,
		maxMessageSize: options.maxMessageSize ?? 262144,
		...(options.config ?? {}),
	});
	const states = [];
	const stateWaiters = new Set();
	let description;
	const descriptionWaiters = new Set();
	const channels = [];
	let closed = false;

	pc.onStateChange((state) => {
		states.push(state);
		for (const w of stateWaiters) w(state);
	});
	pc.onLocalDescription((sdp, type) => {
		description = { sdp, type };
		for (const w of descriptionWaiters) w(description);
	});

	/** Resolves with the state once the PeerConnection's state is one of `wanted`; rejects on 'failed'/'closed' otherwise. */
	function waitForState(wanted, ms, what = `${name} reaching ${wanted}`) {
		const list = Array.isArray(wanted) ? wanted : [wanted];
		let listener;
		const reached = new Promise((resolve, reject) => {
			const check = (state) => {
				if (list.includes(state)) resolve(state);
				else if (state === 'failed' || state === 'closed') reject(new Error(`${what}: the PeerConnection went ${state} (states: ${states.join(' > ')})`));
			};
			listener = check;
			stateWaiters.add(check);
			check(pc.state());
		});
		return withTimeout(reached, ms, `${what} (states: ${states.join(' > ') || pc.state()})`).finally(() => stateWaiters.delete(listener));
	}

	/** The local description once libdatachannel has made it: { sdp, type }. */
	function localDescription(ms = 10_000) {
		if (description) return Promise.resolve(description);
		let listener;
		const made = new Promise((resolve) => {
			listener = resolve;
			descriptionWaiters.add(resolve);
		});
		return withTimeout(made, ms, `${name}: local description`).finally(() => descriptionWaiters.delete(listener));
	}

	/**
	 * A data channel with its messages recorded: init is node-datachannel's
	 * DataChannelInitConfig ({ negotiated, id, unordered, maxRetransmits,
	 * maxPacketLifeTime, protocol }). Returns { dc, id, messages: [{ data, isString }],
	 * opened(ms), closedPromise(ms), waitForMessages(n, ms), onMessage(fn), isClosed }.
	 */
	function channel(label, init = {}) {
		const dc = pc.createDataChannel(label, init);
		const messages = [];
		const listeners = new Set();
		let isOpen = false;
		let isClosed = false;
		let error;
		let resolveOpen;
		let resolveClosed;
		const openPromise = new Promise((resolve) => (resolveOpen = resolve));
		const closedPromise = new Promise((resolve) => (resolveClosed = resolve));
		dc.onOpen(() => {
			isOpen = true;
			resolveOpen();
		});
		dc.onClosed(() => {
			isClosed = true;
			resolveClosed();
		});
		dc.onError((e) => {
			error = e;
		});
		dc.onMessage((msg) => {
			const isString = typeof msg === 'string';
			const data = isString ? msg : Buffer.from(msg);
			const entry = { data, isString };
			messages.push(entry);
			for (const fn of listeners) fn(entry);
		});
		const entry = {
			dc,
			label,
			get id() {
				return dc.getId();
			},
			messages,
			get isOpen() {
				return isOpen;
			},
			get isClosed() {
				return isClosed;
			},
			get error() {
				return error;
			},
			opened: (ms = 10_000) =>
				withTimeout(openPromise, ms, `data channel '${label}' opening (peer state ${pc.state()}${error ? `, error ${error}` : ''})`),
			closed: (ms = 10_000) => withTimeout(closedPromise, ms, `data channel '${label}' closing`),
			onMessage: (fn) => {
				listeners.add(fn);
				return () => listeners.delete(fn);
			},
			/** Sends a string (PPID 51) or bytes (PPID 53). */
			send: (data) => (typeof data === 'string' ? dc.sendMessage(data) : dc.sendMessageBinary(Buffer.from(data.buffer, data.byteOffset, data.byteLength))),
		};
		channels.push(entry);
		return entry;
	}

	function close() {
		if (closed) return;
		closed = true;
		for (const { dc } of channels) {
			try {
				dc.close();
			} catch {}
		}
		try {
			pc.close();
		} catch {}
	}

	return {
		name,
		pc,
		states,
		channels,
		waitForState,
		localDescription,
		channel,
		close,
	};
}

/** node-datachannel's global cleanup: call once, after every peer of the file is closed. */
function shutdown() {
	try {
		ndc.cleanup();
	} catch {}
}

module.exports = { createPeer, shutdown, enableLog, ndc };
