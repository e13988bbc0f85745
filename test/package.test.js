'use strict';
// The package surface: CommonJS and ESM entry points, exports, versions, and the
// native build's link-time promises (no second OpenSSL or libuv).
const t = require('tap');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const mediaplane = require('..');

t.test('require() and import expose the same public API', async (t) => {
	const esm = await import('mediaplane');
	const cjsKeys = Object.keys(mediaplane).sort();
	const esmKeys = Object.keys(esm).filter((k) => k !== 'default').sort();
	t.same(esmKeys, cjsKeys, 'ESM named exports match the CommonJS exports');
	t.equal(esm.createWorker, mediaplane.createWorker);
	for (const name of ['version', 'observer', 'types', 'createWorker', 'getSupportedRtpCapabilities',
		'parseScalabilityMode', 'UnsupportedError', 'InvalidStateError']) {
		t.ok(name in mediaplane, `exports ${name}`);
	}
	t.equal(mediaplane.version, require('../package.json').version);
	t.equal(mediaplane.types.InvalidStateError, mediaplane.InvalidStateError);
	t.equal(mediaplane.types.UnsupportedError, mediaplane.UnsupportedError);
	t.ok(fs.existsSync(path.join(__dirname, '..', 'lib', 'index.d.ts')), 'type declarations are built');
});

t.test('error classes', async (t) => {
	const e1 = new mediaplane.InvalidStateError('x');
	t.ok(e1 instanceof Error);
	t.equal(e1.name, 'InvalidStateError');
	const e2 = new mediaplane.UnsupportedError('y');
	t.equal(e2.name, 'UnsupportedError');
});

t.test('getSupportedRtpCapabilities() returns a fresh copy each call', async (t) => {
	const a = mediaplane.getSupportedRtpCapabilities();
	const b = mediaplane.getSupportedRtpCapabilities();
	t.not(a, b);
	t.same(a, b);
	a.codecs.length = 0;
	t.ok(mediaplane.getSupportedRtpCapabilities().codecs.length > 10, 'mutating a copy changes nothing');
	const mimeTypes = b.codecs.map((c) => c.mimeType.toLowerCase());
	for (const m of ['audio/opus', 'audio/multiopus', 'audio/pcmu', 'audio/pcma', 'audio/g722', 'audio/ilbc',
		'audio/silk', 'audio/cn', 'audio/telephone-event', 'video/vp8', 'video/vp9', 'video/h264', 'audio/isac',
		'video/av1']) {
		t.ok(mimeTypes.includes(m), `supports ${m}`);
	}
});

t.test('native versions: libsrtp 2.5.0, and Node\'s own OpenSSL and libuv', async (t) => {
	const v = mediaplane.nativeVersions;
	t.match(v.libsrtp, /2\.5\.0/);
	t.match(v.openssl, new RegExp(process.versions.openssl.replace(/\./g, '\\.')));
	t.equal(v.libuv, process.versions.uv);
});

t.test('the addon links no OpenSSL or libuv of its own', async (t) => {
	const candidates = [
		path.join(__dirname, '..', 'build', 'Release', 'mediaplane.node'),
		...(() => {
			const dir = path.join(__dirname, '..', 'prebuilds', `${process.platform}-${process.arch}`);
			return fs.existsSync(dir) ? fs.readdirSync(dir).map((f) => path.join(dir, f)) : [];
		})(),
	].filter((f) => fs.existsSync(f) && f.endsWith('.node'));
	t.ok(candidates.length > 0, 'an addon binary exists');
	for (const file of candidates) {
		// The dynamic section's NEEDED entries, not ldd: ldd runs the host's loader,
		// which cannot load the musl prebuild on a glibc host.
		const needed = execFileSync('readelf', ['-d', file]).toString().split('\n').filter((l) => l.includes('(NEEDED)'));
		t.ok(needed.length > 0, `${path.basename(file)}: readelf lists its NEEDED libraries`);
		t.notMatch(needed.join('\n'), /libssl|libcrypto|libuv/, `${path.basename(file)} has no shared OpenSSL/libuv`);
		const undefinedSyms = execFileSync('nm', ['-D', '--undefined-only', file]).toString();
		t.match(undefinedSyms, /EVP_EncryptInit_ex|EVP_CipherInit_ex/, 'OpenSSL EVP symbols resolve from node');
		t.match(undefinedSyms, /uv_async_send/, 'libuv symbols resolve from node');
		// A shared object may link with symbols left undefined; one of our own engine
		// (a method declared and called but never defined) would only fail when first
		// called, as a crash of the whole process.
		const ownUndefined = undefinedSyms.split('\n').filter((line) => /_ZN\d*mediaplane/.test(line));
		t.same(ownUndefined, [], 'every engine symbol the addon uses is defined in it');
		const definedSyms = execFileSync('nm', ['-D', '--defined-only', file]).toString();
		t.notMatch(definedSyms, /\bEVP_|\buv_loop_init\b/, 'no OpenSSL/libuv code inside the addon');
	}
});

t.test('setLogEventListeners() routes log lines to the given listeners', async (t) => {
	const lines = [];
	mediaplane.setLogEventListeners({ ondebug: (ns, log) => lines.push([ns, log]) });
	t.teardown(() => mediaplane.setLogEventListeners());
	const worker = await mediaplane.createWorker({ logLevel: 'debug' });
	const router = await worker.createRouter();
	await worker.dump();
	worker.close();
	t.ok(lines.some(([ns]) => ns === 'mediaplane:Worker'), 'TypeScript debug lines');
	t.ok(lines.some(([ns, log]) => ns === 'mediaplane:engine:Router' && log.includes(router.id)), 'engine debug lines');
	t.throws(() => mediaplane.setLogEventListeners({ ondebug: 5 }), { name: 'TypeError', message: /ondebug/ });
	t.throws(() => mediaplane.setLogEventListeners('x'), { name: 'TypeError' });
});

t.test('workerBin is the path of the loaded addon', async (t) => {
	t.match(mediaplane.workerBin, /mediaplane\.node$/);
	t.ok(fs.existsSync(mediaplane.workerBin));
});
