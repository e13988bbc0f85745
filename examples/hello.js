#!/usr/bin/env node
'use strict';
// `npm start`: the smallest mediaplane application. It starts a worker (a native thread
// inside this process) and a router with the usual WebRTC codecs, prints the router's
// RTP capabilities (what a mediasoup-client Device loads) and the worker thread's own
// resource usage, then closes everything and exits.
//
// It uses the public package only, as an application would.
const mediaplane = require('mediaplane');

const mediaCodecs = [
	{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
	{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000, parameters: { 'x-google-start-bitrate': 1000 } },
	{
		kind: 'video', mimeType: 'video/H264', clockRate: 90000,
		parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 },
	},
];

async function main() {
	console.log(`mediaplane ${mediaplane.version} (libsrtp ${mediaplane.nativeVersions.libsrtp}, ` +
		`${mediaplane.nativeVersions.openssl}, libuv ${mediaplane.nativeVersions.libuv})`);

	const started = process.hrtime.bigint();
	const worker = await mediaplane.createWorker({ logLevel: 'warn' });
	const readyMs = Number(process.hrtime.bigint() - started) / 1e6;
	console.log(`worker ready in ${readyMs.toFixed(2)} ms, running in this process (pid ${worker.pid})`);

	worker.on('died', (error) => {
		console.error('worker died:', error.message);
		process.exit(1);
	});

	const router = await worker.createRouter({ mediaCodecs, appData: { room: 'hello' } });
	console.log(`router ${router.id} created\n`);
	console.log('router.rtpCapabilities:');
	console.log(JSON.stringify(router.rtpCapabilities, null, 2));

	console.log('\nworker.getResourceUsage() (the worker thread only):');
	console.log(await worker.getResourceUsage());

	console.log('\nworker.dump():');
	console.log(JSON.stringify(await worker.dump(), null, 2));

	worker.close();
	console.log('\nworker closed; the process exits on its own.');
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
