'use strict';
// WHIP ingest and WHEP playback for the video room, with mediaplane.webrtc's handlers:
//
//   POST /whip/<room>   an encoder (OBS: Settings → Stream → Service "WHIP") publishes
//                       into <room>; the room's browser participants see it as one more
//                       participant, named "WHIP 1", "WHIP 2", ...
//   POST /whep/<room>   a player (player.html, or any WHEP client) plays what <room>'s
//                       participants send: up to as many video and audio streams as its
//                       offer has m-sections of each kind, the ones present when it joins
//
// A WHIP session is a Peer of the Room whose producers are the encoder's tracks; it
// leaves the room when the encoder sends DELETE or its connection fails or closes.

const { Peer } = require('./room');

const ROOM_NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._-]{0,63}$/u; // as session.js

/**
 * o.getRoom(name): the room (created when missing); o.findRoom(name): the open room or
 * undefined; o.listenInfos: for the WebRtcTransports; o.token: a bearer token WHIP
 * clients must send (none: anyone may publish); o.log(line).
 */
function createWebRtcHttp({ getRoom, findRoom, listenInfos, token, log }) {
	const mediaplane = require('mediaplane');
	let publishers = 0;
	const transportOptions = { listenInfos, preferUdp: true, initialAvailableOutgoingBitrate: 1_000_000 };

	const whip = mediaplane.webrtc.createWhipHandler({
		path: '/whip',
		authorize: ({ token: given }) => !token || given === token,
		prepare: async ({ endpoint }) => {
			if (!ROOM_NAME.test(endpoint)) return undefined;
			const room = await getRoom(endpoint);
			if (room.full) {
				if (room.peers.size === 0) room.close({ reason: 'empty' });
				return undefined;
			}
			return { router: room.router, transportOptions, appData: { room } };
		},
		onSession: (session) => {
			const { room } = session.appData;
			if (room.closed) throw new Error('the room closed');
			const peer = new Peer({ displayName: `WHIP ${++publishers}`, notify: () => {} });
			peer.transports.set('send', session.pc.transport);
			session.appData.peer = peer;
			room.addPeer(peer);
			for (const { producer } of session.producers) {
				peer.producers.set(producer.id, producer);
				producer.observer.once('close', () => peer.producers.delete(producer.id));
				room.broadcast(peer, 'newProducer', { peerId: peer.id, producerId: producer.id, kind: producer.kind, paused: producer.paused });
			}
			log(`room "${room.name}": ${peer.displayName} publishes over WHIP (${session.producers.length} tracks)`);
		},
		onSessionClose: (session) => {
			const { room, peer } = session.appData;
			if (peer) {
				room.removePeer(peer);
				log(`room "${room.name}": ${peer.displayName} left (WHIP session ended)`);
			} else if (!room.closed && room.peers.size === 0) {
				room.close({ reason: 'empty' }); // made for this request, which then failed
			}
		},
	});

	const whep = mediaplane.webrtc.createWhepHandler({
		path: '/whep',
		prepare: ({ endpoint }) => {
			const room = ROOM_NAME.test(endpoint) ? findRoom(endpoint) : undefined;
			return room ? { router: room.router, transportOptions, appData: { room } } : undefined;
		},
		producers: (request, session) =>
			[...session.appData.room.peers.values()].flatMap((peer) => [...peer.producers.values()]),
		onSession: (session) => log(`room "${session.appData.room.name}": a WHEP player joined (${session.pc.getConsumers().length} streams)`),
	});

	return {
		/** Answers the request if it is a WHIP/WHEP one; resolves true then. */
		async handle(req, res) {
			return (await whip(req, res)) || (await whep(req, res));
		},
		close() {
			whip.close();
			whep.close();
		},
		sessions: () => ({ whip: whip.sessions.size, whep: whep.sessions.size }),
	};
}

module.exports = { createWebRtcHttp };
