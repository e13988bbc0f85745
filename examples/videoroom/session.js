'use strict';
// One signaling session: a browser tab's WebSocket. Requests are handled one at a time,
// in order, so that a tab's own requests never race each other (a 'leave' waits for a
// 'produce' before it). Every method checks its fields first (protocol.js), then calls
// mediaplane's public API. Any failure becomes an error answer; the session, the room
// and the server keep working.
//
// The flow a page follows (mediasoup's recommended one):
//   join → (device.load) → setRtpCapabilities → createTransport send/recv →
//   produce (connectTransport on the first one) → for every producer of the others, from
//   the join answer or a 'newProducer' notification: consume → resumeConsumer.
// Consumers are created paused and resumed once the page has set them up, so the first
// packets the page gets are a key frame it can decode.

const { types } = require('mediaplane');
const { Peer, MAX_PEERS_PER_ROOM } = require('./room');
const P = require('./protocol');

const MAX_QUEUED_REQUESTS = 32;

const ROOM_NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._-]*$/u;

const mediaplaneErrorCode = (error) =>
	error instanceof P.RequestError
		? error.code
		: error instanceof TypeError
			? 'bad_request'
			: error instanceof types.UnsupportedError
				? 'unsupported'
				: error instanceof types.InvalidStateError
					? 'invalid_state'
					: 'internal';

class Session {
	/**
	 * @param {object} o
	 * @param {import('ws').WebSocket} o.ws
	 * @param {{ getRoom(name: string): Promise<import('./room').Room>, listenInfos: object[] }} o.app
	 * @param {(line: string) => void} o.log
	 */
	constructor({ ws, app, log }) {
		this.ws = ws;
		this.app = app;
		this.log = log;
		this.peer = undefined;
		this.closed = false;
		this.queue = Promise.resolve();
		this.queued = 0;
	}

	// --- plumbing -------------------------------------------------------------

	send(message) {
		if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(message));
	}

	notify(method, data) {
		this.send({ notification: method, data });
	}

	/** A WebSocket message arrived: answer it after the ones before it. */
	onMessage(raw, isBinary) {
		if (this.queued >= MAX_QUEUED_REQUESTS) {
			this.send({ id: null, ok: false, error: { code: 'busy', message: 'too many requests in flight' } });
			return;
		}
		this.queued++;
		this.queue = this.queue
			.then(() => this.handle(isBinary ? Buffer.alloc(0) : raw, isBinary))
			.catch((error) => this.log(`session: unexpected ${error.stack || error}`))
			.finally(() => this.queued--);
	}

	async handle(raw, isBinary) {
		let request;
		try {
			if (isBinary) throw new P.RequestError('messages must be text, not binary');
			request = P.parseRequest(raw);
		} catch (error) {
			this.send({ id: error.id ?? null, ok: false, error: { code: error.code ?? 'bad_request', message: error.message } });
			return;
		}
		const { id, method, data } = request;
		const spec = Object.hasOwn(METHODS, method) ? METHODS[method] : undefined;
		if (!spec) {
			this.send({ id, ok: false, error: { code: 'unknown_method', message: `unknown method "${method}"` } });
			return;
		}
		try {
			if (this.closed) throw new P.RequestError('the session is closed', 'invalid_state');
			P.onlyKeys(data, spec.fields);
			if (spec.joined && !this.peer) throw new P.RequestError('join a room first', 'invalid_state');
			const answer = await spec.handler.call(this, data);
			this.send({ id, ok: true, data: answer ?? {} });
		} catch (error) {
			const code = mediaplaneErrorCode(error);
			if (code === 'internal') this.log(`request ${method} failed: ${error.stack || error}`);
			this.send({ id, ok: false, error: { code, message: error.message } });
		}
	}

	/** The WebSocket closed: the participant leaves (closing all its objects). */
	close() {
		if (this.closed) return;
		this.closed = true;
		this.leaveRoom();
	}

	leaveRoom() {
		const peer = this.peer;
		this.peer = undefined;
		if (peer && peer.room) peer.room.removePeer(peer);
		else if (peer) peer.close();
	}

	/** Throws when the participant left (or the tab went away) while we were awaiting. */
	assertStillHere(peer, ...created) {
		if (peer.closed || this.peer !== peer) {
			for (const object of created) object.close();
			throw new P.RequestError('left the room meanwhile', 'invalid_state');
		}
	}

	// --- methods ---------------------------------------------------------------

	async join({ room: roomName, displayName }) {
		if (this.peer) throw new P.RequestError('already in a room; leave first', 'invalid_state');
		roomName = P.text(roomName, 'room', { max: 64, pattern: ROOM_NAME });
		displayName = P.text(displayName, 'displayName', { max: 40 });
		const room = await this.app.getRoom(roomName);
		if (this.closed || this.peer || room.full) {
			if (room.peers.size === 0) room.close({ reason: 'empty' });
			if (room.full) throw new P.RequestError(`room "${roomName}" is full (${MAX_PEERS_PER_ROOM} participants)`, 'room_full');
			throw new P.RequestError('the session closed or joined meanwhile', 'invalid_state');
		}
		const peer = new Peer({ displayName, notify: (method, data) => this.notify(method, data) });
		const peers = [...room.peers.values()].map((p) => p.describe());
		this.peer = peer;
		room.addPeer(peer);
		this.log(`room "${roomName}": ${displayName} joined (${room.peers.size} in the room)`);
		return { peerId: peer.id, room: roomName, routerRtpCapabilities: room.router.rtpCapabilities, peers };
	}

	async setRtpCapabilities({ rtpCapabilities }) {
		this.peer.rtpCapabilities = P.rtpCapabilities(rtpCapabilities);
	}

	async createTransport({ direction }) {
		const peer = this.peer;
		P.oneOf(direction, 'direction', ['send', 'recv']);
		if (peer.transports.has(direction)) throw new P.RequestError(`there is already a ${direction} transport`, 'invalid_state');
		const transport = await peer.room.router.createWebRtcTransport({
			listenInfos: this.app.listenInfos,
			preferUdp: true,
			initialAvailableOutgoingBitrate: 1_000_000,
			appData: { peerId: peer.id, direction },
		});
		this.assertStillHere(peer, transport);
		if (peer.transports.has(direction)) {
			transport.close();
			throw new P.RequestError(`there is already a ${direction} transport`, 'invalid_state');
		}
		peer.transports.set(direction, transport);
		transport.observer.once('close', () => {
			if (peer.transports.get(direction) === transport) peer.transports.delete(direction);
		});
		transport.on('dtlsstatechange', (state) => {
			if (state === 'failed') this.log(`transport ${transport.id} of ${peer.displayName}: DTLS failed`);
		});
		if (direction === 'send') await transport.setMaxIncomingBitrate(1_500_000).catch(() => {});
		return {
			id: transport.id,
			iceParameters: transport.iceParameters,
			iceCandidates: transport.iceCandidates,
			dtlsParameters: transport.dtlsParameters,
		};
	}

	async connectTransport({ transportId, dtlsParameters }) {
		P.objectId(transportId, 'transportId');
		dtlsParameters = P.dtlsParameters(dtlsParameters);
		const transport = this.peer.findTransport(transportId);
		if (!transport) throw new P.RequestError(`no transport "${transportId}" of yours`, 'not_found');
		await transport.connect({ dtlsParameters });
	}

	async produce({ transportId, kind, rtpParameters }) {
		const peer = this.peer;
		P.objectId(transportId, 'transportId');
		P.oneOf(kind, 'kind', ['audio', 'video']);
		rtpParameters = P.rtpParameters(rtpParameters);
		const transport = peer.transports.get('send');
		if (!transport || transport.id !== transportId) throw new P.RequestError(`no send transport "${transportId}" of yours`, 'not_found');
		if ([...peer.producers.values()].some((p) => p.kind === kind)) {
			throw new P.RequestError(`you already produce ${kind}`, 'invalid_state');
		}
		const producer = await transport.produce({ kind, rtpParameters, appData: { peerId: peer.id } });
		this.assertStillHere(peer, producer);
		peer.producers.set(producer.id, producer);
		producer.observer.once('close', () => peer.producers.delete(producer.id));
		peer.room.broadcast(peer, 'newProducer', { peerId: peer.id, producerId: producer.id, kind, paused: producer.paused });
		return { id: producer.id };
	}

	async consume({ producerId }) {
		const peer = this.peer;
		P.objectId(producerId, 'producerId');
		const found = peer.room.findProducer(producerId);
		if (!found) throw new P.RequestError(`no producer "${producerId}" in this room`, 'not_found');
		if (found.peer === peer) throw new P.RequestError('cannot consume your own producer', 'bad_request');
		if (!peer.rtpCapabilities) throw new P.RequestError('call setRtpCapabilities first', 'invalid_state');
		const transport = peer.transports.get('recv');
		if (!transport) throw new P.RequestError('create a recv transport first', 'invalid_state');
		if ([...peer.consumers.values()].some((c) => c.producerId === producerId)) {
			throw new P.RequestError(`you already consume "${producerId}"`, 'invalid_state');
		}
		const { router } = peer.room;
		if (!router.canConsume({ producerId, rtpCapabilities: peer.rtpCapabilities })) {
			throw new P.RequestError('your device cannot receive this producer', 'unsupported');
		}
		const owner = found.peer;
		const consumer = await transport.consume({
			producerId,
			rtpCapabilities: peer.rtpCapabilities,
			paused: true, // resumed by 'resumeConsumer' once the page is ready for it
			appData: { peerId: owner.id },
		});
		this.assertStillHere(peer, consumer);
		peer.consumers.set(consumer.id, consumer);
		const about = { consumerId: consumer.id, producerId, peerId: owner.id, kind: consumer.kind };
		consumer.observer.once('close', () => peer.consumers.delete(consumer.id));
		consumer.on('producerclose', () => peer.notify('consumerClosed', about));
		consumer.on('producerpause', () => peer.notify('consumerPaused', about));
		consumer.on('producerresume', () => peer.notify('consumerResumed', about));
		return {
			id: consumer.id,
			producerId,
			peerId: owner.id,
			kind: consumer.kind,
			rtpParameters: consumer.rtpParameters,
			producerPaused: consumer.producerPaused,
		};
	}

	async resumeConsumer({ consumerId }) {
		P.objectId(consumerId, 'consumerId');
		const consumer = this.peer.consumers.get(consumerId);
		if (!consumer) throw new P.RequestError(`no consumer "${consumerId}" of yours`, 'not_found');
		await consumer.resume();
	}

	async pauseProducer({ producerId }) {
		await this.ownProducer(producerId).pause();
	}

	async resumeProducer({ producerId }) {
		await this.ownProducer(producerId).resume();
	}

	ownProducer(producerId) {
		P.objectId(producerId, 'producerId');
		const producer = this.peer.producers.get(producerId);
		if (!producer) throw new P.RequestError(`no producer "${producerId}" of yours`, 'not_found');
		return producer;
	}

	/**
	 * Live numbers for the page, from mediaplane's getStats(): what the server receives
	 * from this tab (`self`, its producers) and what it sends to this tab from each other
	 * participant (`peers[peerId]`, its consumers). Per kind: bitrate (bps), packetsLost
	 * and score (0..10).
	 */
	async getStats() {
		const peer = this.peer;
		const self = {};
		const peers = {};
		const jobs = [];
		for (const producer of peer.producers.values()) {
			jobs.push(
				producer.getStats().then((stats) => {
					const s = stats[0] ?? {};
					self[producer.kind] = {
						bitrate: s.bitrate ?? 0,
						packetsLost: s.packetsLost ?? 0,
						score: producer.score[0]?.score ?? s.score ?? 0,
						paused: producer.paused,
					};
				}, () => {})
			);
		}
		for (const consumer of peer.consumers.values()) {
			jobs.push(
				consumer.getStats().then((stats) => {
					const s = stats.find((x) => x.type === 'outbound-rtp') ?? {};
					const entry = (peers[consumer.appData.peerId] ??= {});
					entry[consumer.kind] = {
						bitrate: s.bitrate ?? 0,
						packetsLost: s.packetsLost ?? 0,
						score: consumer.score.score,
						producerScore: consumer.score.producerScore,
						paused: consumer.paused || consumer.producerPaused,
					};
				}, () => {})
			);
		}
		await Promise.all(jobs);
		return { self, peers };
	}

	async leave() {
		const room = this.peer.room;
		this.log(`room "${room?.name}": ${this.peer.displayName} left`);
		this.leaveRoom();
	}
}

// method -> { handler, fields it takes, whether the tab must have joined a room }
const METHODS = {
	join: { handler: Session.prototype.join, fields: ['room', 'displayName'], joined: false },
	setRtpCapabilities: { handler: Session.prototype.setRtpCapabilities, fields: ['rtpCapabilities'], joined: true },
	createTransport: { handler: Session.prototype.createTransport, fields: ['direction'], joined: true },
	connectTransport: { handler: Session.prototype.connectTransport, fields: ['transportId', 'dtlsParameters'], joined: true },
	produce: { handler: Session.prototype.produce, fields: ['transportId', 'kind', 'rtpParameters'], joined: true },
	consume: { handler: Session.prototype.consume, fields: ['producerId'], joined: true },
	resumeConsumer: { handler: Session.prototype.resumeConsumer, fields: ['consumerId'], joined: true },
	pauseProducer: { handler: Session.prototype.pauseProducer, fields: ['producerId'], joined: true },
	resumeProducer: { handler: Session.prototype.resumeProducer, fields: ['producerId'], joined: true },
	getStats: { handler: Session.prototype.getStats, fields: [], joined: true },
	leave: { handler: Session.prototype.leave, fields: [], joined: true },
};

module.exports = { Session, METHODS };
