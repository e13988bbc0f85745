'use strict';
// A UDP relay on 127.0.0.1 in front of a server transport, as in
// test/media-browser.test.js: the peer talks to the relay, the relay to the server.
// Datagrams from the server towards the peer can be dropped by a deterministic rule.
//
//   const relay = await startRelay(serverTransport.iceCandidates[0].port);
//   relay.dropTowardsPeer = dropEveryNth(20, isDtlsApplicationData);
//   ... relay.stats, relay.close()

const dgram = require('node:dgram');

/** A DTLS 1.2 record of content type application_data (23), which carries SCTP in WebRTC. */
function isDtlsApplicationData(message) {
	return message.length > 13 && message[0] === 23;
}

/** A drop rule: every `n`th datagram for which `match` is true (exactly 1/n of them). */
function dropEveryNth(n, match) {
	let seen = 0;
	return (message) => match(message) && ++seen % n === 0;
}

async function bindLocal(socket) {
	await new Promise((resolve, reject) => {
		socket.once('error', reject);
		socket.bind(0, '127.0.0.1', () => {
			socket.off('error', reject);
			resolve();
		});
	});
}

/**
 * Starts a relay to 127.0.0.1:`serverPort`. Returns { port (where the peer must send),
 * stats: { towardsServer, towardsPeer, dropped }, dropTowardsPeer (a function(message)
 * -> true to drop, or undefined), close() }.
 */
async function startRelay(serverPort) {
	const facingPeer = dgram.createSocket('udp4');
	const facingServer = dgram.createSocket('udp4');
	await bindLocal(facingPeer);
	await bindLocal(facingServer);
	let peerAddress;
	const relay = {
		port: facingPeer.address().port,
		stats: { towardsServer: 0, towardsPeer: 0, dropped: 0 },
		dropTowardsPeer: undefined,
		close() {
			for (const s of [facingPeer, facingServer]) {
				try {
					s.close();
				} catch {}
			}
		},
	};
	facingPeer.on('message', (message, rinfo) => {
		peerAddress = rinfo;
		relay.stats.towardsServer++;
		facingServer.send(message, serverPort, '127.0.0.1');
	});
	facingServer.on('message', (message) => {
		if (!peerAddress) return;
		if (relay.dropTowardsPeer && relay.dropTowardsPeer(message)) {
			relay.stats.dropped++;
			return;
		}
		relay.stats.towardsPeer++;
		facingPeer.send(message, peerAddress.port, peerAddress.address);
	});
	return relay;
}

module.exports = { startRelay, dropEveryNth, isDtlsApplicationData };
