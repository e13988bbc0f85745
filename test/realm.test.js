'use strict';
// Errors belong to the caller's JavaScript realm. Test runners such as Jest evaluate
// each test file and the modules it requires inside a `vm` context of their own, while
// a native addon is loaded once, by Node, in the main realm. An error constructed by
// native code then fails `instanceof TypeError` in the test ("Expected constructor:
// TypeError, Received constructor: TypeError"). This test loads the package's built
// JavaScript the way Jest does (every lib/ module compiled in a second context;
// Node's built-ins and the addon from the main realm) and checks every kind of error
// an application can catch, from the TypeScript layer and from the engine.

const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const { builtinModules } = require('node:module');
const t = require('tap');

const libDir = path.join(__dirname, '..', 'lib');

/** A CommonJS loader that evaluates the package's own modules inside `context`. */
function loadInContext(context, entry) {
	const cache = new Map();
	const makeRequire = (fromDir) => (specifier) => {
		if (specifier.startsWith('node:') || builtinModules.includes(specifier)) return require(specifier);
		const resolved = require.resolve(specifier, { paths: [fromDir] });
		// Dependencies (debug, sdp-transform) and package.json come from the main realm;
		// only the package's own code is the "test's" code here.
		if (!resolved.startsWith(libDir + path.sep) || !resolved.endsWith('.js')) return require(resolved);
		const cached = cache.get(resolved);
		if (cached) return cached.exports;
		const module = { exports: {} };
		cache.set(resolved, module);
		const compiled = vm.compileFunction(fs.readFileSync(resolved, 'utf8'),
			['exports', 'require', 'module', '__filename', '__dirname'],
			{ parsingContext: context, filename: resolved });
		compiled.call(module.exports, module.exports, makeRequire(path.dirname(resolved)), module, resolved,
			path.dirname(resolved));
		return module.exports;
	};
	return makeRequire(libDir)(entry);
}

function newContext() {
	return vm.createContext({
		console, process, Buffer, URL, performance, structuredClone, queueMicrotask,
		setTimeout, clearTimeout, setImmediate, clearImmediate, setInterval, clearInterval,
	});
}

const outerMediaplane = require('..');

t.test('errors are made in the realm that loaded mediaplane, whoever made them', async (t) => {
	const context = newContext();
	const realm = vm.runInContext('({ TypeError, Error })', context);
	t.not(realm.TypeError, TypeError, 'the test really has a second realm');
	const mediaplane = loadInContext(context, './index.js');
	t.not(mediaplane.errors.NotFoundError, outerMediaplane.errors.NotFoundError, 'its own copy of the classes');

	const worker = await mediaplane.createWorker();
	t.teardown(() => worker.close());
	const router = await worker.createRouter({
		mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }],
	});
	const caught = async (promise) => {
		try {
			await promise;
		} catch (error) {
			return error;
		}
		throw new Error('expected a rejection');
	};
	const isRealmError = (error, Class, name) => {
		t.ok(error instanceof Class, `${name}: instanceof ${Class.name} of the loading realm`);
		t.ok(error instanceof realm.Error, `${name}: instanceof Error of the loading realm`);
		t.notOk(error instanceof Error, `${name}: not an Error of the main realm`);
		t.equal(Object.getPrototypeOf(error).constructor, Class, `${name}: constructor`);
	};

	// TypeError from the TypeScript layer's validation.
	isRealmError(await caught(router.createWebRtcTransport({ listenInfos: 'nope' })), realm.TypeError,
		'argument validation');
	// TypeError reported by the engine (it sends a kind and a message).
	const channel = worker.channelForTesting;
	const engineTypeError = await caught(channel.request('worker.createRouter', undefined, {}));
	isRealmError(engineTypeError, realm.TypeError, 'engine TypeError');
	t.match(engineTypeError.message, /routerId/);
	// NotFoundError from the engine, and from the TypeScript layer.
	isRealmError(await caught(channel.request('router.dump', 'no-such-router')), mediaplane.errors.NotFoundError,
		'engine NotFoundError');
	const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, comedia: true });
	transport.close();
	isRealmError(await caught(transport.dump()), mediaplane.errors.NotFoundError, 'closed transport');
	// A plain Error from the engine: an address this machine cannot bind.
	const bindError = await caught(router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '192.0.2.1' } }));
	isRealmError(bindError, realm.Error, 'bind failure');
	// An Error from the engine while producing: an SSRC already in use on the transport.
	const sender = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, comedia: true });
	const rtpParameters = (mid) => ({
		mid,
		codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }],
		encodings: [{ ssrc: 1234 }],
	});
	await sender.produce({ kind: 'video', rtpParameters: rtpParameters('a') });
	const duplicate = await caught(sender.produce({ kind: 'video', rtpParameters: rtpParameters('b') }));
	isRealmError(duplicate, realm.Error, 'duplicate SSRC');
	t.match(duplicate.message, /SSRC/);
	// The stack leads back to the call, through the public method.
	t.match(duplicate.stack, /produce/, 'the stack names the public method');
	// UnsupportedError, and WorkerClosedError once the worker is closed.
	isRealmError(await caught(worker.createRouter({ mediaCodecs: [{ kind: 'audio', mimeType: 'audio/chicken', clockRate: 8000 }] })),
		mediaplane.errors.UnsupportedError, 'unsupported codec');
	worker.close();
	const closed = await caught(worker.dump());
	isRealmError(closed, mediaplane.errors.WorkerClosedError, 'closed worker');
	t.ok(closed instanceof mediaplane.errors.InvalidStateError, '3.14 name still matches');
	isRealmError(await caught(channel.request('worker.dump')), mediaplane.errors.WorkerClosedError, 'closed channel');
});
