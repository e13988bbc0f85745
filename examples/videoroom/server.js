#!/usr/bin/env node
'use strict';
// `npm start`: a small video room. Open the printed address in two browser tabs, join
// the same room, and each tab sees and hears the other through mediaplane.
//
// One HTTP(S) server serves the page (index.html and app.js, bundled with
// mediasoup-client at start-up) and the signaling WebSocket (/ws, protocol.js). The
// media goes through mediaplane: one worker per CPU core, one router per room (rooms
// are spread over the workers round-robin), one WebRtcTransport per direction per
// participant. It uses the public package only, as an application would.
//
//   const { startServer } = require('./examples/videoroom/server');
//   const server = await startServer({ port: 0 });   // server.url, server.dumpState(), server.close()

const fs = require('node:fs');
const http = require('node:http');
const https = require('node:https');
const path = require('node:path');
const { WebSocketServer } = require('ws');
const mediaplane = require('mediaplane');

const config = require('./config');
const { Room } = require('./room');
const { Session } = require('./session');
const { MAX_MESSAGE_BYTES } = require('./protocol');
const { bundlePage } = require('./bundle');
const { createWebRtcHttp } = require('./webrtc-http');

const PUBLIC_DIR = path.join(__dirname, 'public');
const PING_INTERVAL_MS = 15_000;

const readPem = (value, name) => {
	if (Buffer.isBuffer(value)) return value;
	if (typeof value !== 'string' || !value) throw new TypeError(`${name} must be a file path or a Buffer`);
	return fs.readFileSync(value);
};

/**
 * Starts the video-room server.
 *
 * options: host (default 127.0.0.1), port (default 3000; 0 picks a free one),
 * announcedAddress (for ICE candidates, for remote browsers), cert and key (PEM file
 * paths or Buffers: HTTPS), workers (default: one per CPU core), log (line => void).
 *
 * Returns { url, port, close(), dumpState() }.
 */
async function startServer(options = {}) {
	const log = options.log ?? ((line) => console.log(line));
	const network = await config.resolveNetwork(options);
	if (Boolean(options.cert) !== Boolean(options.key)) throw new TypeError('cert and key must be given together');
	const tls = options.cert ? { cert: readPem(options.cert, 'cert'), key: readPem(options.key, 'key') } : undefined;

	const page = {
		'index.html': fs.readFileSync(path.join(PUBLIC_DIR, 'index.html')),
		'player.html': fs.readFileSync(path.join(PUBLIC_DIR, 'player.html')),
		'player.js': fs.readFileSync(path.join(PUBLIC_DIR, 'player.js')),
		'whip-whep.js': fs.readFileSync(path.join(PUBLIC_DIR, 'whip-whep.js')),
		...(await bundlePage()),
	};

	// --- media: workers, and one router per room ----------------------------------
	const workers = [];
	const closeWorkers = () => workers.forEach((w) => w.close());
	let nextWorker = 0;
	try {
		for (let i = 0; i < network.workers; i++) {
			const worker = await mediaplane.createWorker({ logLevel: 'warn', appData: { index: i } });
			worker.on('died', (error) => log(`mediaplane worker ${i} died: ${error.message}; its rooms are closed`));
			workers.push(worker);
		}
	} catch (error) {
		closeWorkers();
		throw error;
	}

	const rooms = new Map(); // name -> { promise: Promise<Room>, room?: Room }

	async function createRoom(name) {
		const alive = workers.filter((w) => !w.closed && !w.died);
		if (alive.length === 0) throw new Error('no mediaplane worker is running');
		const worker = alive[nextWorker++ % alive.length];
		const router = await worker.createRouter({ mediaCodecs: config.mediaCodecs, appData: { room: name } });
		return new Room({
			name,
			router,
			onClose: (room) => {
				if (rooms.get(name)?.room === room) rooms.delete(name);
				log(`room "${name}" closed`);
			},
		});
	}

	/** The open room with this name, created (on the next worker) when there is none. */
	async function getRoom(name) {
		for (let attempt = 0; attempt < 3; attempt++) {
			let entry = rooms.get(name);
			if (!entry) {
				entry = { promise: createRoom(name), room: undefined };
				rooms.set(name, entry);
				entry.promise.then(
					(room) => (entry.room = room),
					() => rooms.get(name) === entry && rooms.delete(name)
				);
			}
			const room = await entry.promise;
			if (!room.closed) return room;
			if (rooms.get(name) === entry) rooms.delete(name);
		}
		throw new Error(`room "${name}" keeps closing`);
	}

	/** The open room with this name, or undefined (never creates one). */
	function findRoom(name) {
		const room = rooms.get(name)?.room;
		return room && !room.closed ? room : undefined;
	}

	const app = { getRoom, listenInfos: config.transportListenInfos(network) };
	// WHIP ingest (POST /whip/<room>) and WHEP playback (POST /whep/<room>).
	const webrtcHttp = createWebRtcHttp({ getRoom, findRoom, listenInfos: app.listenInfos, token: options.whipToken, log });

	// --- HTTP: the page ------------------------------------------------------------
	const headers = {
		'cache-control': 'no-store',
		'x-content-type-options': 'nosniff',
		'referrer-policy': 'no-referrer',
	};
	const javascript = 'text/javascript; charset=utf-8';
	const html = 'text/html; charset=utf-8';
	const types = { 'index.html': html, 'player.html': html, 'app.js': javascript, 'player.js': javascript, 'whip-whep.js': javascript, 'app.js.map': 'application/json' };
	async function onRequest(req, res) {
		const { pathname } = new URL(req.url, 'http://localhost');
		const name = pathname === '/' ? 'index.html' : pathname.slice(1);
		if (await webrtcHttp.handle(req, res)) return;
		if (req.method !== 'GET' && req.method !== 'HEAD') {
			res.writeHead(405, { ...headers, allow: 'GET, HEAD' }).end();
		} else if (Object.hasOwn(page, name)) {
			res.writeHead(200, {
				...headers,
				'content-type': types[name],
				'content-length': page[name].length,
				...(name.endsWith('.html')
					? { 'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self' ws: wss:; img-src 'self' data:" }
					: {}),
			});
			res.end(req.method === 'HEAD' ? undefined : page[name]);
		} else {
			res.writeHead(pathname === '/favicon.ico' ? 204 : 404, headers).end();
		}
	}
	const httpServer = tls ? https.createServer(tls, onRequest) : http.createServer(onRequest);

	// --- WebSocket: signaling --------------------------------------------------------
	const sessions = new Set();
	const wss = new WebSocketServer({
		server: httpServer,
		path: '/ws',
		maxPayload: MAX_MESSAGE_BYTES,
		// A page from another site must not drive a tab's session (cross-site WebSocket
		// hijacking): browsers send Origin; when they do, it must be this server.
		verifyClient: ({ origin, req }) => {
			if (!origin) return true;
			try {
				return new URL(origin).host === req.headers.host;
			} catch {
				return false;
			}
		},
	});
	wss.on('connection', (ws) => {
		const session = new Session({ ws, app, log });
		sessions.add(session);
		ws.isAlive = true;
		ws.on('pong', () => (ws.isAlive = true));
		ws.on('message', (data, isBinary) => session.onMessage(data, isBinary));
		ws.on('close', () => {
			sessions.delete(session);
			session.close();
		});
		ws.on('error', (error) => log(`websocket: ${error.message}`));
	});
	// A tab that vanished without closing its socket (sleep, lost network) leaves too.
	const pinger = setInterval(() => {
		for (const ws of wss.clients) {
			if (!ws.isAlive) ws.terminate();
			else {
				ws.isAlive = false;
				ws.ping();
			}
		}
	}, PING_INTERVAL_MS);
	pinger.unref();

	try {
		await new Promise((resolve, reject) => {
			httpServer.once('error', reject);
			httpServer.listen(network.port, network.host, () => {
				httpServer.off('error', reject);
				resolve();
			});
		});
	} catch (error) {
		clearInterval(pinger);
		wss.close();
		closeWorkers();
		throw error;
	}
	httpServer.on('error', (error) => log(`http: ${error.message}`));

	const port = httpServer.address().port;
	// On a wildcard host, the address to give out is the announced one (given or found).
	const urlHost = network.host === '0.0.0.0' || network.host === '::' ? network.rtcAnnouncedAddress : network.host;
	const url = `${tls ? 'https' : 'http'}://${urlHost.includes(':') ? `[${urlHost}]` : urlHost}:${port}`;

	let closing;
	/** Closes every session (so every room and mediaplane object), the servers and the workers. */
	function close() {
		closing ??= (async () => {
			clearInterval(pinger);
			for (const session of sessions) {
				session.close();
				session.ws.terminate();
			}
			sessions.clear();
			webrtcHttp.close();
			for (const { room } of rooms.values()) room?.close({ reason: 'the server is shutting down' });
			await new Promise((resolve) => wss.close(() => resolve()));
			await new Promise((resolve) => {
				httpServer.close(() => resolve());
				httpServer.closeAllConnections?.();
			});
			closeWorkers();
		})();
		return closing;
	}

	/**
	 * What the server holds: every room with its participants (their transport, producer
	 * and consumer ids) and the router's own dump (transportIds, producer → consumers).
	 */
	async function dumpState() {
		const list = [];
		for (const { room } of rooms.values()) if (room && !room.closed) list.push(await room.dump());
		return {
			workers: workers.map((w) => ({ closed: w.closed, died: w.died })),
			sessions: sessions.size,
			webrtcHttpSessions: webrtcHttp.sessions(),
			rooms: list,
		};
	}

	return { url, port, network, close, dumpState };
}

// ---------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------

async function main() {
	let options;
	try {
		options = config.parseCommandLine();
	} catch (error) {
		console.error(`${error.message}\n\n${config.USAGE}`);
		process.exit(2);
	}
	if (options.help) {
		console.log(config.USAGE);
		return;
	}
	const server = await startServer(options);
	const { network } = server;
	const remote = network.host !== '127.0.0.1' && network.host !== 'localhost' && network.host !== '::1';
	console.log(`
mediaplane ${mediaplane.version} video room

  Open ${server.url} in two browser tabs and join the same room.
  WHIP (OBS, GStreamer, ffmpeg): publish to ${server.url}/whip/<room>.
  WHEP: play a room at ${server.url}/whep/<room>, or open ${server.url}/player.html.

  ${network.workers} worker${network.workers === 1 ? '' : 's'} (one per CPU core); media over UDP and TCP on ${network.rtcListenIp}` +
		`${network.rtcAnnouncedAddress ? ` announced as ${network.rtcAnnouncedAddress}` : ''}.
${remote
		? `  Other machines reach this server at ${server.url}.${server.url.startsWith('https:') ? '' : `
  Browsers only give the camera to https:// pages (or localhost): add --cert and --key.`}`
		: `  From another machine: start with --host 0.0.0.0 --announced-address <this machine's IP>,
  and HTTPS, since browsers only give the camera to https:// pages (or localhost):
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=videoroom -keyout key.pem -out cert.pem
    npm start -- --host 0.0.0.0 --announced-address <IP> --cert cert.pem --key key.pem`}
  Stop with Ctrl+C.
`);

	let stopping = false;
	const stop = (signal) => {
		if (stopping) process.exit(1); // a second Ctrl+C: do not wait
		stopping = true;
		console.log(`\n${signal}: closing rooms and workers`);
		const force = setTimeout(() => process.exit(1), 10_000);
		force.unref();
		server.close().then(
			() => process.exit(0),
			(error) => {
				console.error(error);
				process.exit(1);
			}
		);
	};
	process.on('SIGINT', () => stop('SIGINT'));
	process.on('SIGTERM', () => stop('SIGTERM'));
}

module.exports = { startServer };

if (require.main === module) {
	main().catch((error) => {
		console.error(`video room: ${error.stack || error}`);
		process.exit(1);
	});
}
