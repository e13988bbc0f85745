'use strict';
// A werift-sctp peer (JavaScript SCTP, the peer mediasoup 3.27's own tests use) speaking
// SCTP straight over UDP to a PlainTransport with enableSctp: true (no ICE, no DTLS).
//
//   const peer = await weriftPeer({ port: plain.tuple.localPort });
//   t.teardown(() => peer.close());
//   await peer.connect(5000);
//   peer.send(streamId, ppid, bytes);
//   peer.onMessage((streamId, ppid, data) => ...);
//
// Every wait is bounded; close() stops the association and closes the socket.

const dgram = require('node:dgram');
const { SCTP, SCTP_STATE, createUdpTransport } = require('werift-sctp');
const { withTimeout } = require('./util');

/**
 * A werift-sctp client (or, with role: 'server', a server that waits for the far end's
 * INIT) on a UDP socket bound to 127.0.0.1 (an ephemeral port), aimed at
 * `address:port` (the PlainTransport's tuple). Returns { sctp, socket, localPort,
 * messages: [{ streamId, ppid, data }], resets: [streamId...], connect(ms), send(),
 * onMessage(fn), waitForReset(streamId, ms), close() }.
 */
async function weriftPeer({ port, address = '127.0.0.1', keepMessages = false, role = 'client' } = {}) {
	const socket = dgram.createSocket('udp4');
	await new Promise((resolve, reject) => {
		socket.once('error', reject);
		socket.bind(0, '127.0.0.1', () => {
			socket.off('error', reject);
			resolve();
		});
	});
	// 'client' sends the INIT; 'server' only answers one (the far end must start).
	const sctp = (role === 'server' ? SCTP.server : SCTP.client)(createUdpTransport(socket, { port, address }));
	const messages = [];
	const listeners = new Set();
	const resets = [];
	const resetListeners = new Set();
	let closed = false;

	sctp.onReceive.subscribe((streamId, ppid, data) => {
		if (keepMessages) messages.push({ streamId, ppid, data });
		for (const fn of listeners) fn(streamId, ppid, data);
	});
	// werift-sctp reports the streams of an incoming RE-CONFIG (Outgoing SSN Reset
	// Request) here, as the streams a WebRTC stack would close the channels of.
	sctp.onReconfigStreams.subscribe((streamIds) => {
		resets.push(...streamIds);
		for (const fn of resetListeners) fn(streamIds);
	});

	return {
		sctp,
		socket,
		localPort: socket.address().port,
		messages,
		resets,
		/** Starts the association to remote SCTP port `remotePort` and waits until it is established. */
		async connect(remotePort = 5000, ms = 10_000) {
			await withTimeout(
				Promise.all([sctp.start(remotePort), sctp.stateChanged.connected.asPromise()]),
				ms,
				`werift-sctp association to ${address}:${port} (state ${sctp.state})`
			);
			if (sctp.associationState !== SCTP_STATE.ESTABLISHED) throw new Error(`werift-sctp: associationState ${sctp.associationState}`);
		},
		/** Queues a message; werift-sctp fragments it into DATA chunks of 1,200 bytes. */
		send(streamId, ppid, data, options) {
			const buf = Buffer.isBuffer(data) ? data : typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
			return sctp.send(streamId, ppid, buf, options);
		},
		onMessage(fn) {
			listeners.add(fn);
			return () => listeners.delete(fn);
		},
		/** Resolves once the peer reset our incoming `streamId` (an RE-CONFIG from the far end). */
		waitForReset(streamId, ms = 10_000) {
			if (resets.includes(streamId)) return Promise.resolve();
			let listener;
			const seen = new Promise((resolve) => {
				listener = (ids) => {
					if (ids.includes(streamId)) resolve();
				};
				resetListeners.add(listener);
			});
			return withTimeout(seen, ms, `a stream reset of stream ${streamId} (resets seen: [${resets.join(', ')}])`).finally(() =>
				resetListeners.delete(listener)
			);
		},
		/** Resets our outgoing `streamIds` (what a WebRTC stack does to close a channel). */
		async resetStreams(streamIds) {
			for (const id of streamIds) if (!sctp.reconfigQueue.includes(id)) sctp.reconfigQueue.push(id);
			await sctp.transmitReconfigRequest();
		},
		async close() {
			if (closed) return;
			closed = true;
			listeners.clear();
			resetListeners.clear();
			await withTimeout(sctp.stop(), 3_000, 'werift-sctp stop').catch(() => {});
			try {
				sctp.transport.close();
			} catch {}
			try {
				socket.close();
			} catch {}
		},
	};
}

module.exports = { weriftPeer, SCTP_STATE };
