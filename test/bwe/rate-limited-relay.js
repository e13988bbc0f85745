'use strict';
// A UDP relay that puts a bottleneck link between an SFU WebRtcTransport and a browser
// (page B), for the send-side bandwidth estimation tests and bench:
//
//   page B  <──────────── relay.port (127.0.0.1) ────── upstream sockets ──────>  SFU
//           <── bottleneck: token bucket at R bits/s ──
//               + drop-tail queue drained at R          (SFU -> page B: media, RTX,
//                                                          probes, RTCP, STUN, DTLS)
//           ─── unlimited ───────────────────────────>  (page B -> SFU: transport-cc
//                                                          feedback, RR, NACK, STUN)
//
// Page B is given the relay's port as the SFU's ICE candidate. Every source address of
// page B (Chromium also sends ICE checks from its non-loopback addresses) gets its own
// upstream socket, like a NAT: the SFU sees one remote tuple per page B candidate, ICE
// picks among them as usual, and the SFU's packets go back to the page B address that
// the tuple stands for.
//
// The bottleneck is a real one, with queueing delay, not a policer: a packet leaves at
// once while the bucket (burstMs of R, default 50 ms) has tokens for it and nothing is
// queued; otherwise it waits in a FIFO of at most queueMs of R (default 50 ms) that is
// drained at R; what does not fit in the queue is dropped (drop-tail). So the delay
// through the relay grows by up to queueMs when the SFU sends faster than R, which is
// what a delay-based estimator sees, and then packets are lost.
//
//   const relay = await RateLimitedRelay.create({ target: { address: '127.0.0.1', port } });
//   relay.setRate(600_000);            // bits/s; Infinity (or 0, null) = unlimited
//   relay.setDropFilter((kind, message) => boolean)  // lose chosen packets (see there)
//   relay.setUpstreamInjector((message) => [Buffer])  // extra datagrams from page B's tuple
//   relay.totals                       // cumulative counters, see below
//   relay.seconds                      // one entry per second since create()
//   await relay.close();               // sockets closed, timers cleared
//
// Counters (relay.totals, and per second in relay.seconds): bytesOffered /
// packetsOffered (what the SFU sent towards page B), bytesForwarded / packetsForwarded
// (what left the bottleneck towards page B), bytesDropped / packetsDropped (queue
// overflow), bytesUp / packetsUp (page B -> SFU), packetsInjected (setUpstreamInjector),
// and offeredByKind: bytes offered per
// kind as `classify(message)` names it (default 'rtp' | 'rtcp' | 'other').
const dgram = require('node:dgram');
const { EventEmitter } = require('node:events');
const { performance } = require('node:perf_hooks');

const MAX_PACKET = 1500; // the bucket and the queue always hold at least one packet
const MAX_MAPPINGS = 16; // page B source addresses; more are dropped (bounded)
const MAX_SECONDS = 3600; // per-second history kept

/** RFC 5761 §4 / RFC 7983: RTP or RTCP by the first bytes; STUN, DTLS etc. are 'other'. */
function defaultClassify(message) {
	if (message.length < 2 || message[0] < 128 || message[0] > 191) return 'other';
	return message[1] >= 192 && message[1] <= 223 ? 'rtcp' : 'rtp';
}

function bindSocket(address) {
	const socket = dgram.createSocket('udp4');
	return new Promise((resolve, reject) => {
		socket.once('error', reject);
		socket.bind(0, address, () => {
			socket.off('error', reject);
			resolve(socket);
		});
	});
}

function emptyCounters() {
	return {
		bytesOffered: 0,
		packetsOffered: 0,
		bytesForwarded: 0,
		packetsForwarded: 0,
		bytesDropped: 0,
		packetsDropped: 0,
		bytesUp: 0,
		packetsUp: 0,
		packetsInjected: 0,
		offeredByKind: {},
	};
}

/** b - a for two counter snapshots (per-kind too). */
function counterDelta(a, b) {
	const out = emptyCounters();
	for (const key of Object.keys(out)) {
		if (key === 'offeredByKind') continue;
		out[key] = b[key] - a[key];
	}
	for (const [kind, bytes] of Object.entries(b.offeredByKind)) out.offeredByKind[kind] = bytes - (a.offeredByKind[kind] ?? 0);
	return out;
}

function copyCounters(c) {
	return { ...c, offeredByKind: { ...c.offeredByKind } };
}

class RateLimitedRelay extends EventEmitter {
	/**
	 * options:
	 *   target    { address, port } of the SFU transport (required)
	 *   rateBps   initial rate of the SFU -> page B direction (default unlimited)
	 *   burstMs   bucket depth in ms of the rate (default 50)
	 *   queueMs   queue size in ms of the rate (default 50)
	 *   address   where the relay listens (default '127.0.0.1')
	 *   classify  (message) => kind, for offeredByKind
	 */
	static async create(options) {
		const relay = new RateLimitedRelay(options);
		relay._socket = await bindSocket(relay._address);
		relay._socket.on('message', (message, rinfo) => relay._fromBrowser(message, rinfo));
		relay._socket.on('error', (error) => relay.emit('socketerror', error));
		relay._secondTimer = setInterval(() => relay._closeSecond(), 1000);
		return relay;
	}

	constructor({ target, rateBps, burstMs = 50, queueMs = 50, address = '127.0.0.1', classify = defaultClassify } = {}) {
		super();
		if (!target || typeof target.port !== 'number') throw new TypeError('RateLimitedRelay: target { address, port } required');
		this._target = { address: target.address ?? '127.0.0.1', port: target.port };
		this._address = address;
		this._burstMs = burstMs;
		this._queueMs = queueMs;
		this._classify = classify;
		this._dropFilter = undefined;
		this._upstreamInjector = undefined;
		this._mappings = new Map(); // 'ip:port' of page B -> { socket, browser: { address, port } }
		this._pendingMappings = new Map(); // same key -> Promise of a mapping being bound
		this._queue = []; // [{ message, to: { address, port }, queuedAt }]
		this._queueHead = 0;
		this._queueBytes = 0;
		this._drainTimer = undefined;
		this._secondTimer = undefined;
		this._closed = false;
		this._rate = Infinity;
		this._tokens = 0;
		this._lastRefill = performance.now();
		this.totals = emptyCounters();
		this.maxQueueDelayMs = 0; // since the last second closed (reported per second)
		this._lastSecondTotals = emptyCounters();
		this._startedAt = Date.now();
		this.seconds = []; // [{ at (Date.now() at its end), rateBps, ...counters, maxQueueDelayMs }]
		this.setRate(rateBps);
	}

	/** The port page B must send to (give it as the SFU's ICE candidate port). */
	get port() {
		return this._socket.address().port;
	}

	/** The rate of the SFU -> page B direction in bits/s (Infinity: unlimited). */
	get rateBps() {
		return this._rate;
	}

	get closed() {
		return this._closed;
	}

	/** Ports of the upstream sockets: the remote ports the SFU sees (one per page B address). */
	upstreamPorts() {
		return [...this._mappings.values()].map((m) => m.socket.address().port);
	}

	/** Copy of the cumulative counters, with the time (Date.now()) and the current rate. */
	snapshot() {
		return { at: Date.now(), rateBps: this._rate, queuedBytes: this._queueBytes, ...copyCounters(this.totals) };
	}

	/** Counters between two snapshots. */
	static delta(a, b) {
		return { ms: b.at - a.at, ...counterDelta(a, b) };
	}

	/**
	 * Changes the SFU -> page B rate now. Infinity, 0, null or undefined: unlimited (the
	 * queue is flushed at once). Packets already queued stay queued and drain at the new
	 * rate.
	 */
	setRate(rateBps) {
		this._refill();
		const rate = rateBps === undefined || rateBps === null || rateBps === 0 ? Infinity : Number(rateBps);
		if (!(rate > 0)) throw new TypeError(`RateLimitedRelay.setRate: invalid rate ${rateBps}`);
		const wasUnlimited = !Number.isFinite(this._rate);
		this._rate = rate;
		if (!Number.isFinite(rate)) {
			this._drain();
			return;
		}
		// A fresh limit starts with a full bucket (as if the link had been idle at R).
		if (wasUnlimited) this._tokens = this._bucketBytes();
		this._tokens = Math.min(this._tokens, this._bucketBytes());
		this._drain();
	}

	_bucketBytes() {
		return Math.max(MAX_PACKET, (this._rate / 8) * (this._burstMs / 1000));
	}

	_queueLimitBytes() {
		return Math.max(MAX_PACKET, (this._rate / 8) * (this._queueMs / 1000));
	}

	_refill() {
		const now = performance.now();
		if (Number.isFinite(this._rate)) {
			this._tokens = Math.min(this._bucketBytes(), this._tokens + ((now - this._lastRefill) * this._rate) / 8000);
		}
		this._lastRefill = now;
	}

	// Page B -> SFU: unlimited, through the upstream socket of page B's source address.
	_fromBrowser(message, rinfo) {
		if (this._closed) return;
		this.totals.bytesUp += message.length;
		this.totals.packetsUp++;
		const key = `${rinfo.address}:${rinfo.port}`;
		const mapping = this._mappings.get(key);
		if (mapping) {
			for (const extra of this._upstreamExtras(message)) mapping.socket.send(extra, this._target.port, this._target.address);
			mapping.socket.send(message, this._target.port, this._target.address);
			return;
		}
		if (this._mappings.size + this._pendingMappings.size >= MAX_MAPPINGS) return;
		// Bind the upstream socket, then send (packets arriving meanwhile wait in order).
		let pending = this._pendingMappings.get(key);
		if (!pending) {
			pending = { messages: [] };
			this._pendingMappings.set(key, pending);
			bindSocket(this._address).then(
				(socket) => {
					this._pendingMappings.delete(key);
					if (this._closed) {
						socket.close();
						return;
					}
					const browser = { address: rinfo.address, port: rinfo.port };
					socket.on('message', (m, from) => {
						// Only what the SFU sends is relayed.
						if (from.port === this._target.port && from.address === this._target.address) this._fromSfu(m, browser);
					});
					socket.on('error', (error) => this.emit('socketerror', error));
					this._mappings.set(key, { socket, browser });
					for (const m of pending.messages) socket.send(m, this._target.port, this._target.address);
				},
				(error) => {
					this._pendingMappings.delete(key);
					this.emit('socketerror', error);
				}
			);
		}
		if (pending.messages.length < 64) pending.messages.push(...this._upstreamExtras(message), message);
	}

	/**
	 * Datagrams to send to the SFU, from page B's own tuple (the same upstream socket),
	 * just before each datagram page B sends: `hook(message)` returns an array of
	 * Buffers (or nothing). For injecting junk on the path the SFU has validated.
	 * Pass undefined to stop.
	 */
	setUpstreamInjector(hook) {
		if (hook !== undefined && typeof hook !== 'function') throw new TypeError('RateLimitedRelay.setUpstreamInjector: function or undefined');
		this._upstreamInjector = hook;
	}

	_upstreamExtras(message) {
		if (!this._upstreamInjector) return [];
		const extras = this._upstreamInjector(message) ?? [];
		this.totals.packetsInjected += extras.length;
		return extras;
	}

	// SFU -> page B: through the bottleneck.
	_fromSfu(message, to) {
		if (this._closed) return;
		const size = message.length;
		this.totals.bytesOffered += size;
		this.totals.packetsOffered++;
		const kind = this._classify(message);
		this.totals.offeredByKind[kind] = (this.totals.offeredByKind[kind] ?? 0) + size;
		if (this._dropFilter && this._dropFilter(kind, message)) {
			this.totals.bytesDropped += size;
			this.totals.packetsDropped++;
			return;
		}
		if (!Number.isFinite(this._rate)) {
			this._send(message, to, 0);
			return;
		}
		this._refill();
		if (this._queueBytes === 0 && this._tokens >= size) {
			this._tokens -= size;
			this._send(message, to, 0);
			return;
		}
		if (this._queueBytes + size > this._queueLimitBytes()) {
			this.totals.bytesDropped += size;
			this.totals.packetsDropped++;
			return;
		}
		this._queue.push({ message, to, queuedAt: performance.now() });
		this._queueBytes += size;
		this._drain();
	}

	/**
	 * Drops, before the bottleneck, every packet towards page B for which
	 * `filter(kind, message)` returns true (kind as `classify` names it); counted as
	 * dropped. undefined removes the filter. For tests that lose chosen packets.
	 */
	setDropFilter(filter) {
		this._dropFilter = filter;
	}

	_send(message, to, delayMs) {
		this.totals.bytesForwarded += message.length;
		this.totals.packetsForwarded++;
		if (delayMs > this.maxQueueDelayMs) this.maxQueueDelayMs = delayMs;
		this._socket.send(message, to.port, to.address);
	}

	_drain() {
		if (this._drainTimer) {
			clearTimeout(this._drainTimer);
			this._drainTimer = undefined;
		}
		if (this._closed) return;
		this._refill();
		const unlimited = !Number.isFinite(this._rate);
		const now = performance.now();
		while (this._queueHead < this._queue.length) {
			const head = this._queue[this._queueHead];
			const size = head.message.length;
			if (!unlimited && this._tokens < size) break;
			if (!unlimited) this._tokens -= size;
			this._queue[this._queueHead++] = undefined;
			this._queueBytes -= size;
			this._send(head.message, head.to, now - head.queuedAt);
		}
		if (this._queueHead >= this._queue.length) {
			this._queue = [];
			this._queueHead = 0;
			return;
		}
		if (this._queueHead > 1024) {
			this._queue = this._queue.slice(this._queueHead);
			this._queueHead = 0;
		}
		// Wake up when the head packet has tokens (Node timers: >= 1 ms; the refill is by
		// elapsed time, so a late timer makes a burst, not a lower rate).
		const need = this._queue[this._queueHead].message.length - this._tokens;
		const waitMs = Math.max(1, Math.ceil((need * 8000) / this._rate));
		this._drainTimer = setTimeout(() => this._drain(), waitMs);
	}

	_closeSecond() {
		const now = this.snapshot();
		const entry = { ...RateLimitedRelay.delta({ at: now.at - 1000, ...this._lastSecondTotals }, now), at: now.at, rateBps: this._rate, maxQueueDelayMs: Math.round(this.maxQueueDelayMs) };
		this._lastSecondTotals = copyCounters(this.totals);
		this.maxQueueDelayMs = 0;
		this.seconds.push(entry);
		if (this.seconds.length > MAX_SECONDS) this.seconds.shift();
		this.emit('second', entry);
	}

	/** Closes every socket and clears every timer; what is queued is discarded. */
	async close() {
		if (this._closed) return;
		this._closed = true;
		clearInterval(this._secondTimer);
		this._secondTimer = undefined;
		if (this._drainTimer) clearTimeout(this._drainTimer);
		this._drainTimer = undefined;
		this._queue = [];
		this._queueHead = 0;
		this._queueBytes = 0;
		const sockets = [this._socket, ...[...this._mappings.values()].map((m) => m.socket)].filter(Boolean);
		this._mappings.clear();
		await Promise.all(sockets.map((socket) => new Promise((resolve) => {
			try {
				socket.close(() => resolve());
			} catch {
				resolve();
			}
		})));
		this.removeAllListeners();
	}
}

module.exports = { RateLimitedRelay, defaultClassify, counterDelta };
