'use strict';
// Child process of webrtc-transport.js: sends valid STUN binding requests to a port
// with a fixed window in flight and reports responses per second. Runs in its own
// process so that the load generator does not share the SFU's event loop.
const dgram = require('node:dgram');
const { buildBindingRequest } = require('../test/fixtures/stun-client');

const [port, usernameFragment, password, durationMs, window] = process.argv.slice(2);
const socket = dgram.createSocket('udp4');
const request = buildBindingRequest({
	username: `${usernameFragment}:load`, password, priority: 1, iceControlling: true, useCandidate: true,
});
let responses = 0;
let inFlight = 0;
const deadline = Date.now() + Number(durationMs);

function pump() {
	while (inFlight < Number(window) && Date.now() < deadline) {
		inFlight++;
		socket.send(request, Number(port), '127.0.0.1');
	}
}

socket.on('message', () => {
	responses++;
	inFlight--;
	pump();
});
socket.bind(0, '127.0.0.1', () => {
	const started = Date.now();
	pump();
	// Lost datagrams shrink the window; refill it periodically (bounded by the deadline).
	const refill = setInterval(() => {
		inFlight = 0;
		pump();
	}, 100);
	setTimeout(() => {
		clearInterval(refill);
		process.send({ responses, seconds: (Date.now() - started) / 1000 });
		socket.close();
	}, Number(durationMs) + 50);
});
