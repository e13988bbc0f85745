'use strict';
// Rooms and participants. A Room owns one mediaplane Router; a Peer is one browser tab
// in a room and owns its transports (one to send, one to receive), its producers
// (camera, microphone) and its consumers (everyone else's camera and microphone).
//
// Ownership follows mediaplane (and mediasoup): closing a transport closes its
// producers and consumers; closing a producer makes every consumer of it emit
// 'producerclose'; closing the router closes everything in the room.

const crypto = require('node:crypto');

const MAX_PEERS_PER_ROOM = 16;

class Peer {
	/**
	 * @param {object} o
	 * @param {string} o.displayName
	 * @param {(method: string, data: object) => void} o.notify  sends a notification to this tab
	 */
	constructor({ displayName, notify }) {
		this.id = crypto.randomUUID();
		this.displayName = displayName;
		this.notify = notify;
		this.room = undefined;
		this.rtpCapabilities = undefined;
		this.transports = new Map(); // 'send' | 'recv' -> WebRtcTransport
		this.producers = new Map(); // producer id -> Producer
		this.consumers = new Map(); // consumer id -> Consumer
		this.closed = false;
	}

	get transportIds() {
		return [...this.transports.values()].map((t) => t.id);
	}

	findTransport(transportId) {
		for (const transport of this.transports.values()) if (transport.id === transportId) return transport;
		return undefined;
	}

	/** What other participants see of this one. */
	describe() {
		return {
			peerId: this.id,
			displayName: this.displayName,
			producers: [...this.producers.values()].map((p) => ({ producerId: p.id, kind: p.kind, paused: p.paused })),
		};
	}

	/** Closes every mediaplane object of this participant (idempotent). */
	close() {
		if (this.closed) return;
		this.closed = true;
		// Transports close their producers and consumers; producers closing makes the
		// other participants' consumers of them emit 'producerclose'.
		for (const transport of this.transports.values()) transport.close();
		this.transports.clear();
		this.producers.clear();
		this.consumers.clear();
	}
}

class Room {
	/**
	 * @param {object} o
	 * @param {string} o.name
	 * @param {import('mediaplane').types.Router} o.router
	 * @param {(room: Room) => void} o.onClose  called once, when the room has closed
	 */
	constructor({ name, router, onClose }) {
		this.name = name;
		this.router = router;
		this.peers = new Map(); // peer id -> Peer
		this.closed = false;
		this.onClose = onClose;
		// The worker died or was closed: the room is gone with it.
		router.observer.once('close', () => this.close({ reason: 'the media router closed' }));
	}

	get full() {
		return this.peers.size >= MAX_PEERS_PER_ROOM;
	}

	/** Adds a participant and tells the others. */
	addPeer(peer) {
		peer.room = this;
		this.peers.set(peer.id, peer);
		this.broadcast(peer, 'peerJoined', { peerId: peer.id, displayName: peer.displayName });
	}

	/** Closes a participant's objects, removes it and tells the others; closes an empty room. */
	removePeer(peer) {
		if (!this.peers.has(peer.id)) return;
		peer.close();
		this.peers.delete(peer.id);
		peer.room = undefined;
		this.broadcast(peer, 'peerLeft', { peerId: peer.id });
		if (this.peers.size === 0) this.close({ reason: 'empty' });
	}

	otherPeers(peer) {
		return [...this.peers.values()].filter((p) => p !== peer);
	}

	/** The producer with this id and its owner, if it is in this room. */
	findProducer(producerId) {
		for (const peer of this.peers.values()) {
			const producer = peer.producers.get(producerId);
			if (producer) return { peer, producer };
		}
		return undefined;
	}

	broadcast(except, method, data) {
		for (const peer of this.peers.values()) if (peer !== except && !peer.closed) peer.notify(method, data);
	}

	close({ reason = 'closed' } = {}) {
		if (this.closed) return;
		this.closed = true;
		for (const peer of this.peers.values()) {
			peer.close();
			if (reason !== 'empty') peer.notify('roomClosed', { reason });
			peer.room = undefined;
		}
		this.peers.clear();
		this.router.close();
		this.onClose(this);
	}

	/** A snapshot for tests and debugging: participants and what the router holds. */
	async dump() {
		let routerDump;
		if (!this.router.closed) {
			try {
				routerDump = await this.router.dump();
			} catch {}
		}
		return {
			name: this.name,
			routerId: this.router.id,
			peers: [...this.peers.values()].map((peer) => ({
				id: peer.id,
				displayName: peer.displayName,
				transportIds: peer.transportIds,
				producerIds: [...peer.producers.keys()],
				consumerIds: [...peer.consumers.keys()],
			})),
			router: routerDump,
		};
	}
}

module.exports = { Room, Peer, MAX_PEERS_PER_ROOM };
