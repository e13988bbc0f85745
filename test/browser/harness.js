// Node side of the browser tests: starts a real Chromium (Debian's, driven by
// playwright-core) on a page that runs mediasoup-client (test/browser/client.js), and
// wires the page's signalling to the server-side mediaplane transports.
//
//   const { startBrowserSession } = require('./browser/harness');
//   const session = await startBrowserSession();
//   await session.loadDevice(router.rtpCapabilities);
//   const send = await session.connectSendTransport(serverTransport);
//   ...
//   await session.close();   // browser, http server and temp dirs are gone
//
// Everything is bounded in time; everything it starts, close() stops. See README.md in
// this folder for debugging (MEDIAPLANE_BROWSER_HEADFUL=1, MEDIAPLANE_BROWSER_DEBUG=1).
'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { EventEmitter } = require('node:events');

const { ensureChromium } = require('../../scripts/ensure-chromium');

const CLIENT_ENTRY = path.join(__dirname, 'client.js');

// Flags from docs/DESIGN §7, plus what WebRTC against a 127.0.0.1 server needs:
// Chromium leaves loopback interfaces out of ICE gathering unless told otherwise, and
// would otherwise hide local addresses behind mDNS names.
const CHROMIUM_ARGS = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--use-fake-device-for-media-stream',
	'--use-fake-ui-for-media-stream',
	'--allow-loopback-in-peer-connection',
	'--disable-features=WebRtcHideLocalIpsWithMdns',
	'--autoplay-policy=no-user-gesture-required',
];

const DEFAULT_TIMEOUT_MS = 20_000;
const LAUNCH_TIMEOUT_MS = 60_000;

/** The machine's addresses other than loopback (Chromium may use them for ICE). */
function nonLoopbackAddresses() {
	return Object.values(os.networkInterfaces())
		.flat()
		.filter((a) => a && !a.internal)
		.map((a) => a.address);
}

const envFlag = (name) => /^(1|true|yes)$/i.test(process.env[name] ?? '');

// ---------------------------------------------------------------------------
// Bundle: built once per process with esbuild's API, kept in memory.
// ---------------------------------------------------------------------------

let bundlePromise;

function bundleClient() {
	if (!bundlePromise) {
		bundlePromise = (async () => {
			const esbuild = require('esbuild');
			const started = process.hrtime.bigint();
			const result = await esbuild.build({
				entryPoints: [CLIENT_ENTRY],
				bundle: true,
				format: 'iife',
				platform: 'browser',
				target: 'chrome120',
				sourcemap: 'inline',
				write: false,
				logLevel: 'silent',
				define: { 'process.env.NODE_ENV': '"development"' },
			});
			if (result.errors.length) throw new Error(`esbuild: ${result.errors.map((e) => e.text).join('; ')}`);
			const code = result.outputFiles[0].contents;
			return { code: Buffer.from(code), ms: Number(process.hrtime.bigint() - started) / 1e6 };
		})();
		bundlePromise.catch(() => {
			bundlePromise = undefined;
		});
	}
	return bundlePromise;
}

// ---------------------------------------------------------------------------
// Tiny http server on 127.0.0.1 (a secure context, so getUserMedia works).
// ---------------------------------------------------------------------------

const PAGE_HTML = `<!doctype html>
<html>
<head><meta charset="utf-8"><title>mediaplane browser test</title></head>
<body>
<script src="/client.js"></script>
</body>
</html>
`;

function startHttpServer(bundle) {
	const server = http.createServer((req, res) => {
		const url = new URL(req.url, 'http://127.0.0.1');
		if (url.pathname === '/' || url.pathname === '/index.html') {
			res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
			res.end(PAGE_HTML);
		} else if (url.pathname === '/client.js') {
			res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' });
			res.end(bundle);
		} else {
			res.writeHead(url.pathname === '/favicon.ico' ? 204 : 404);
			res.end();
		}
	});
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			server.off('error', reject);
			resolve(server);
		});
	});
}

function closeHttpServer(server) {
	return new Promise((resolve) => {
		server.close(() => resolve());
		server.closeAllConnections?.();
	});
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

function withTimeout(promise, ms, what) {
	let timer;
	const timeout = new Promise((_, reject) => {
		timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms);
	});
	return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The parameters that the page needs to create a transport mirroring a server WebRtcTransport. */
function transportParams(serverTransport) {
	const params = {
		id: serverTransport.id,
		iceParameters: serverTransport.iceParameters,
		iceCandidates: serverTransport.iceCandidates,
		dtlsParameters: serverTransport.dtlsParameters,
	};
	if (serverTransport.sctpParameters) params.sctpParameters = serverTransport.sctpParameters;
	return JSON.parse(JSON.stringify(params));
}

/**
 * Fabricated consumer RTP parameters for one opus stream, with the payload type and
 * feedback taken from the router's capabilities (the server has no producers to
 * consume from yet; this is enough for the browser to set up its recv PeerConnection).
 */
function fakeOpusConsumerParameters(routerRtpCapabilities, { ssrc = 22222222, mid = '0', cname = 'mediaplane-test' } = {}) {
	const codec = routerRtpCapabilities.codecs.find((c) => c.mimeType.toLowerCase() === 'audio/opus');
	if (!codec) throw new Error('fakeOpusConsumerParameters: the router has no audio/opus codec');
	return {
		mid,
		codecs: [
			{
				mimeType: codec.mimeType,
				payloadType: codec.preferredPayloadType,
				clockRate: codec.clockRate,
				channels: codec.channels,
				parameters: { ...(codec.parameters ?? {}) },
				rtcpFeedback: [...(codec.rtcpFeedback ?? [])],
			},
		],
		headerExtensions: [],
		encodings: [{ ssrc }],
		rtcp: { cname, reducedSize: true },
	};
}

// A persistent context does not expose the browser process: the processes of a session
// are the one started with our own (unique) user data dir and its descendants.
function chromiumProcessIds(userDataDir) {
	if (!userDataDir || process.platform !== 'linux') return [];
	const marker = `--user-data-dir=${userDataDir}`;
	const parentOf = new Map();
	const roots = [];
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
			// pid (comm) state ppid ...; comm may contain spaces, so parse after the last ')'.
			parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
			if (fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes(marker)) roots.push(Number(entry));
		} catch {}
	}
	const found = new Set(roots);
	for (let grew = true, rounds = 0; grew && rounds < 32; rounds++) {
		grew = false;
		for (const [pid, ppid] of parentOf) {
			if (!found.has(pid) && found.has(ppid)) {
				found.add(pid);
				grew = true;
			}
		}
	}
	return [...found];
}

/** True while `pid` exists and is not a zombie waiting to be reaped. */
function processRunning(pid) {
	try {
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
	} catch {
		return false;
	}
}

function killChromiumUsing(userDataDir) {
	for (const pid of chromiumProcessIds(userDataDir)) {
		try {
			process.kill(pid, 'SIGKILL');
		} catch {}
	}
}

// ---------------------------------------------------------------------------
// The session
// ---------------------------------------------------------------------------

/**
 * Starts Chromium on a page running mediasoup-client.
 *
 * options:
 *   headless   (default true; MEDIAPLANE_BROWSER_HEADFUL=1 makes it false; needs a display)
 *   debug      (default MEDIAPLANE_BROWSER_DEBUG=1): forward every console message and
 *              enable mediasoup-client's debug logging in the page
 *   log        function(line) for forwarded page output (default: process.stderr)
 *   timeout    ms for each page call (default 20000)
 *   launchTimeout  ms for launching Chromium and loading the page (default 60000)
 *   args       extra Chromium flags
 *
 * Returns a session; see the object at the end of this function.
 */
async function startBrowserSession(options = {}) {
	const timings = { ensureChromiumMs: 0, bundleMs: 0, bundleCached: false, launchMs: 0, pageMs: 0 };
	const headless = options.headless ?? !envFlag('MEDIAPLANE_BROWSER_HEADFUL');
	const debug = options.debug ?? envFlag('MEDIAPLANE_BROWSER_DEBUG');
	const timeout = options.timeout ?? DEFAULT_TIMEOUT_MS;
	const launchTimeout = options.launchTimeout ?? LAUNCH_TIMEOUT_MS;
	const log = options.log ?? ((line) => process.stderr.write(`${line}\n`));

	let t0 = Date.now();
	const executablePath = ensureChromium();
	timings.ensureChromiumMs = Date.now() - t0;

	t0 = Date.now();
	const alreadyBundled = Boolean(bundlePromise);
	const bundle = await withTimeout(bundleClient(), launchTimeout, 'bundling test/browser/client.js');
	timings.bundleMs = alreadyBundled ? Date.now() - t0 : bundle.ms;
	timings.bundleCached = alreadyBundled;

	const { chromium } = require('playwright-core');

	let server;
	let context;
	let userDataDir;
	let closed = false;
	const events = new EventEmitter();
	const signalHandlers = new Map(); // method -> async (data) => answer
	const transportHandlers = new Map(); // transportId -> { connect?, produce? }
	const signals = []; // every signal received, for assertions and debugging

	function removeUserDataDirOnExit() {
		if (userDataDir) {
			killChromiumUsing(userDataDir);
			fs.rmSync(userDataDir, { recursive: true, force: true });
		}
	}

	async function cleanup() {
		if (context) {
			const dir = userDataDir;
			const pids = chromiumProcessIds(dir);
			await withTimeout(context.close(), 15_000, 'closing Chromium').catch((error) => {
				log(`[browser] ${error.message}; killing it`);
				killChromiumUsing(dir);
			});
			// Wait (bounded) until every process of this browser has exited; kill stragglers.
			for (let i = 0; i < 50 && pids.some(processRunning); i++) await new Promise((r) => setTimeout(r, 100));
			for (const pid of pids.filter(processRunning)) {
				log(`[browser] Chromium process ${pid} still running after close; killing it`);
				try {
					process.kill(pid, 'SIGKILL');
				} catch {}
			}
			context = undefined;
		}
		if (server) {
			await closeHttpServer(server);
			server = undefined;
		}
		if (userDataDir) {
			fs.rmSync(userDataDir, { recursive: true, force: true, maxRetries: 3 });
			userDataDir = undefined;
		}
		process.off('exit', removeUserDataDirOnExit);
	}

	try {
		server = await startHttpServer(bundle.code);
		const { port } = server.address();
		const url = `http://127.0.0.1:${port}/`;

		userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mediaplane-chromium-'));
		// A test process that exits without close() (process.exit, an uncaught error) still
		// kills this browser and removes its profile dir. (On SIGTERM, Playwright's own
		// handler closes Chromium.)
		process.once('exit', removeUserDataDirOnExit);
		t0 = Date.now();
		const args = [...CHROMIUM_ARGS, ...(headless ? ['--headless=new'] : []), ...(options.args ?? [])];
		context = await chromium.launchPersistentContext(userDataDir, {
			executablePath,
			headless,
			args,
			timeout: launchTimeout,
			// Playwright's own SIGINT/SIGTERM/SIGHUP and exit handlers stay on: they close
			// Chromium when tap kills a test file that timed out.
		});
		timings.launchMs = Date.now() - t0;

		t0 = Date.now();
		context.setDefaultTimeout(timeout);
		const page = context.pages()[0] ?? (await context.newPage());

		page.on('console', (msg) => {
			const type = msg.type();
			if (debug || type === 'error' || type === 'warning' || type === 'assert') {
				log(`[browser console.${type}] ${msg.text()}`);
			}
		});
		page.on('pageerror', (error) => log(`[browser pageerror] ${error.stack || error.message}`));
		page.on('crash', () => log('[browser] the page crashed'));

		if (debug) await page.addInitScript(() => (window.__mediaplaneDebug = true));

		await page.exposeFunction('signal', async (method, data) => {
			signals.push({ method, data });
			events.emit(method, data);
			events.emit('signal', method, data);
			const perTransport = data && data.transportId ? transportHandlers.get(data.transportId) : undefined;
			const handler = perTransport?.[method] ?? signalHandlers.get(method);
			if (handler) return handler(data);
			if (method === 'connect' || method === 'produce') {
				throw new Error(`no Node-side handler for '${method}' on transport ${data && data.transportId}`);
			}
			return undefined;
		});

		await page.goto(url, { waitUntil: 'load', timeout: launchTimeout });
		await page.waitForFunction(() => window.__mediaplaneClientReady === true, null, { timeout: launchTimeout });
		timings.pageMs = Date.now() - t0;

		/** Calls window[name](...args) in the page, bounded by `timeout`. */
		function call(name, ...callArgs) {
			if (closed) return Promise.reject(new Error(`${name}: the browser session is closed`));
			return withTimeout(
				page.evaluate(([fn, a]) => window[fn](...a), [name, callArgs]),
				timeout,
				`page ${name}()`
			);
		}

		/** Resolves with the transport's state once its connectionState is one of `states`. */
		async function waitForConnectionState(transportId, states, ms = timeout) {
			const wanted = Array.isArray(states) ? states : [states];
			let listener;
			const reached = new Promise((resolve) => {
				listener = (data) => {
					if (data.transportId === transportId && wanted.includes(data.connectionState)) resolve();
				};
				events.on('connectionstatechange', listener);
			});
			try {
				const current = await call('getTransportState', transportId);
				if (wanted.includes(current.connectionState)) return current;
				await withTimeout(reached, ms, `transport ${transportId} reaching ${wanted.join('|')}`);
				return await call('getTransportState', transportId);
			} finally {
				events.off('connectionstatechange', listener);
			}
		}

		async function loadDevice(routerRtpCapabilities, loadOptions) {
			return call('loadDevice', routerRtpCapabilities, loadOptions ?? {});
		}

		async function ensureDevice(routerRtpCapabilities) {
			const info = await call('getDeviceInfo');
			if (info.loaded) return info;
			if (!routerRtpCapabilities) throw new Error('the page has no loaded device; pass routerRtpCapabilities');
			return loadDevice(routerRtpCapabilities);
		}

		/**
		 * Creates the browser send transport mirroring `serverTransport` and produces a
		 * fake track so that mediasoup-client emits 'connect' (answered by
		 * serverTransport.connect({ dtlsParameters })) and 'produce' (answered with
		 * `opts.onProduce(data)` or a random id). Returns { transportId, producer,
		 * dtlsParameters (the browser's), produceRequest (what the browser sent) }.
		 */
		async function connectSendTransport(serverTransport, opts = {}) {
			await ensureDevice(opts.routerRtpCapabilities);
			const params = transportParams(serverTransport);
			const result = { transportId: params.id, dtlsParameters: undefined, produceRequest: undefined, producer: undefined };
			transportHandlers.set(params.id, {
				connect: async ({ dtlsParameters }) => {
					result.dtlsParameters = dtlsParameters;
					await serverTransport.connect({ dtlsParameters });
				},
				produce: async (data) => {
					result.produceRequest = data;
					if (opts.onProduce) return opts.onProduce(data);
					return { id: crypto.randomUUID() };
				},
			});
			await call('createSendTransport', params);
			result.producer = await call('produce', opts.kind ?? 'audio', { transportId: params.id, ...(opts.produceOptions ?? {}) });
			return result;
		}

		/**
		 * Creates the browser recv transport mirroring `serverTransport` and consumes a
		 * fabricated opus stream (or `opts.consumerParameters`) so that the browser sets
		 * up its recv PeerConnection and emits 'connect' (answered by
		 * serverTransport.connect({ dtlsParameters })). Returns { transportId, consumer,
		 * dtlsParameters (the browser's) }.
		 */
		async function connectRecvTransport(serverTransport, routerRtpCapabilities, opts = {}) {
			await ensureDevice(routerRtpCapabilities);
			const params = transportParams(serverTransport);
			const result = { transportId: params.id, dtlsParameters: undefined, consumer: undefined };
			transportHandlers.set(params.id, {
				connect: async ({ dtlsParameters }) => {
					result.dtlsParameters = dtlsParameters;
					await serverTransport.connect({ dtlsParameters });
				},
			});
			await call('createRecvTransport', params);
			const consumerParameters = opts.consumerParameters ?? {
				id: crypto.randomUUID(),
				producerId: crypto.randomUUID(),
				kind: 'audio',
				rtpParameters: fakeOpusConsumerParameters(routerRtpCapabilities, opts),
			};
			result.consumer = await call('consume', { transportId: params.id, ...consumerParameters });
			return result;
		}

		async function close() {
			if (closed) return;
			closed = true;
			if (context) {
				await withTimeout(page.evaluate(() => window.closeAll && window.closeAll()), 5_000, 'closeAll').catch(() => {});
			}
			events.removeAllListeners();
			await cleanup();
		}

		return {
			page,
			context,
			url,
			userDataDir,
			executablePath,
			headless,
			timings,
			nonLoopbackAddresses: nonLoopbackAddresses(),
			signals,
			events,
			/** page.evaluate(fn, arg) bounded by the session timeout. */
			evaluate: (fn, arg) => withTimeout(page.evaluate(fn, arg), timeout, 'page.evaluate'),
			call,
			/** Handler for signals from the page not claimed by a transport helper: ('connect'|'produce'|..., async (data) => answer). */
			setSignalHandler: (method, handler) => (handler ? signalHandlers.set(method, handler) : signalHandlers.delete(method)),
			/** Handlers for one transport: { connect?, produce? }. */
			setTransportHandlers: (transportId, handlers) => transportHandlers.set(transportId, handlers),
			loadDevice,
			getDeviceInfo: () => call('getDeviceInfo'),
			createSendTransport: (params) => call('createSendTransport', params),
			createRecvTransport: (params) => call('createRecvTransport', params),
			produce: (kind, produceOptions) => call('produce', kind, produceOptions ?? {}),
			consume: (consumeOptions) => call('consume', consumeOptions),
			restartIce: (transportId, iceParameters) => call('restartIce', transportId, iceParameters),
			getTransportState: (transportId) => call('getTransportState', transportId),
			getStats: (transportId) => call('getStats', transportId),
			getProducerStats: (producerId) => call('getProducerStats', producerId),
			getConsumerStats: (consumerId) => call('getConsumerStats', consumerId),
			/** producer.setMaxSpatialLayer() in the page: { maxSpatialLayer, encodings: [{ rid, active }] }. */
			setMaxSpatialLayer: (producerId, spatialLayer) => call('setMaxSpatialLayer', producerId, spatialLayer),
			closeTransport: (transportId) => call('closeTransport', transportId),
			waitForConnectionState,
			connectSendTransport,
			connectRecvTransport,
			close,
		};
	} catch (error) {
		closed = true;
		await cleanup().catch(() => {});
		throw error;
	}
}

/**
 * Starts Chromium on `url` (a page the test serves itself, with no mediasoup-client:
 * the WHIP/WHEP tests' plain RTCPeerConnection pages). Returns { page, call(fn, ...args),
 * close() }: call() runs `fn` in the page, bounded by `timeout`; close() stops Chromium
 * and removes its profile, as a session's close() does.
 */
async function startPlainPage(url, options = {}) {
	const headless = options.headless ?? !envFlag('MEDIAPLANE_BROWSER_HEADFUL');
	const timeout = options.timeout ?? DEFAULT_TIMEOUT_MS;
	const log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
	const executablePath = ensureChromium();
	const { chromium } = require('playwright-core');
	const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mediaplane-chromium-'));
	const removeOnExit = () => {
		killChromiumUsing(userDataDir);
		fs.rmSync(userDataDir, { recursive: true, force: true });
	};
	process.once('exit', removeOnExit);
	let context;
	async function close() {
		if (context) {
			const pids = chromiumProcessIds(userDataDir);
			await withTimeout(context.close(), 15_000, 'closing Chromium').catch(() => killChromiumUsing(userDataDir));
			for (let i = 0; i < 50 && pids.some(processRunning); i++) await new Promise((r) => setTimeout(r, 100));
			for (const pid of pids.filter(processRunning)) {
				try {
					process.kill(pid, 'SIGKILL');
				} catch {}
			}
			context = undefined;
		}
		fs.rmSync(userDataDir, { recursive: true, force: true, maxRetries: 3 });
		process.off('exit', removeOnExit);
	}
	try {
		const args = [...CHROMIUM_ARGS, ...(headless ? ['--headless=new'] : []), ...(options.args ?? [])];
		context = await chromium.launchPersistentContext(userDataDir, { executablePath, headless, args, timeout: LAUNCH_TIMEOUT_MS });
		context.setDefaultTimeout(timeout);
		const page = context.pages()[0] ?? (await context.newPage());
		page.on('console', (msg) => {
			if (['error', 'warning', 'assert'].includes(msg.type())) log(`[browser console.${msg.type()}] ${msg.text()}`);
		});
		page.on('pageerror', (error) => log(`[browser pageerror] ${error.stack || error.message}`));
		await page.goto(url, { waitUntil: 'load', timeout: LAUNCH_TIMEOUT_MS });
		const call = (fn, ...args) => withTimeout(page.evaluate(fn, args), timeout, 'page call');
		return { page, call, close };
	} catch (error) {
		await close();
		throw error;
	}
}

module.exports = {
	startBrowserSession,
	startPlainPage,
	bundleClient,
	transportParams,
	fakeOpusConsumerParameters,
	nonLoopbackAddresses,
	chromiumProcessIds,
	processRunning,
	CHROMIUM_ARGS,
};
