#!/usr/bin/env node
'use strict';
// Makes sure deps/libsrtp-2.5.0/ holds the unpacked libsrtp 2.5.0 release source, which
// cmake/Libsrtp.cmake builds (with libsrtp's own CMakeLists) into the addon. The source is not committed (DESIGN.md §4):
// this script obtains the release tarball, checks its pinned sha256 and unpacks it.
//
// Sources, tried in order:
//   (a) already unpacked (marker file written after a verified unpack)  -> nothing to do
//   (b) a tarball path in env MEDIAPLANE_LIBSRTP_TARBALL
//   (c) a cached deps/libsrtp2_2.5.0.orig.tar.gz
//   (d) Debian: `apt-get source --download-only libsrtp2` (the .orig.tar.gz inside is the
//       upstream release); adds a deb-src entry first if there is none and we are root
//   (e) the upstream GitHub release tarball over https
// Every tarball is checked against the pinned sha256 before it is unpacked.
//
// No npm dependencies: this runs before `npm install` has finished (install script).

const crypto = require('crypto');
const fs = require('fs');
const https = require('https');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const VERSION = '2.5.0';
const DEPS_DIR = __dirname;
const SRC_DIR = path.join(DEPS_DIR, `libsrtp-${VERSION}`);
const MARKER = path.join(SRC_DIR, '.mediaplane-unpacked');
const CACHED_TARBALL = path.join(DEPS_DIR, `libsrtp2_${VERSION}.orig.tar.gz`);
const UPSTREAM_URL = `https://github.com/cisco/libsrtp/archive/refs/tags/v${VERSION}.tar.gz`;

// Accepted sha256 sums of the release tarball. The one pinned here is Debian's
// libsrtp2_2.5.0.orig.tar.gz, which is the upstream v2.5.0 release tarball (DESIGN.md
// §4; verified on this project's machines through route (d)). Whether GitHub's tag
// archive (route (e)) still has exactly these bytes could not be checked without
// internet access: GitHub regenerates tag archives and has changed their compression
// before. If it differs, route (e) fails with the sum it got; after checking that
// download against the v2.5.0 tag, add its sum here as a second entry. An unverified
// tarball is never unpacked.
const PINNED_SHA256 = new Set([
	'8a43ef8e9ae2b665292591af62aa1a4ae41e468b6d98d8258f91478735da4e09',
]);

function log(msg) {
	console.log(`[fetch-libsrtp] ${msg}`);
}

function fail(msg) {
	console.error(`[fetch-libsrtp] ERROR: ${msg}`);
	process.exit(1);
}

function sha256File(file) {
	const hash = crypto.createHash('sha256');
	hash.update(fs.readFileSync(file));
	return hash.digest('hex');
}

function run(cmd, args, opts = {}) {
	const res = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', ...opts });
	return res;
}

// Returns true when the tarball matches a pinned sum; logs why not otherwise.
function verify(tarball) {
	const sum = sha256File(tarball);
	if (PINNED_SHA256.has(sum)) {
		log(`sha256 OK (${sum}) for ${tarball}`);
		return true;
	}
	log(`sha256 MISMATCH for ${tarball}: got ${sum}, expected one of ${[...PINNED_SHA256].join(', ')}`);
	return false;
}

// Unpacks a verified tarball into a temp dir next to deps/, then renames its single
// top-level directory (libsrtp-2.5.0 upstream, but not guaranteed) to deps/libsrtp-2.5.0.
function unpack(tarball) {
	const tmp = fs.mkdtempSync(path.join(DEPS_DIR, '.libsrtp-unpack-'));
	try {
		const res = run('tar', ['xzf', tarball, '-C', tmp]);
		if (res.status !== 0) {
			throw new Error(`tar xzf ${tarball} failed: ${res.stderr || res.error}`);
		}
		const entries = fs.readdirSync(tmp);
		if (entries.length !== 1 || !fs.statSync(path.join(tmp, entries[0])).isDirectory()) {
			throw new Error(`unexpected tarball layout (top level: ${entries.join(', ')})`);
		}
		const top = path.join(tmp, entries[0]);
		// Sanity check: this must really be libsrtp.
		if (!fs.existsSync(path.join(top, 'srtp', 'srtp.c')) || !fs.existsSync(path.join(top, 'include', 'srtp.h'))) {
			throw new Error('tarball does not look like libsrtp (no srtp/srtp.c or include/srtp.h)');
		}
		// A stale, unmarked (half-unpacked) directory is replaced.
		fs.rmSync(SRC_DIR, { recursive: true, force: true });
		fs.renameSync(top, SRC_DIR);
		fs.writeFileSync(MARKER, `libsrtp ${VERSION} unpacked from ${path.basename(tarball)} sha256 ${sha256File(tarball)}\n`);
		log(`unpacked ${entries[0]}/ -> ${SRC_DIR}`);
	} finally {
		fs.rmSync(tmp, { recursive: true, force: true });
	}
}

// Keeps a verified tarball as deps/libsrtp2_2.5.0.orig.tar.gz for the next run (git-ignored).
function cache(tarball) {
	if (path.resolve(tarball) === CACHED_TARBALL) return;
	try {
		fs.copyFileSync(tarball, CACHED_TARBALL);
		log(`cached tarball at ${CACHED_TARBALL}`);
	} catch (err) {
		log(`could not cache tarball (${err.message}); continuing`);
	}
}

// ---- (d) Debian source package ----

// Reads the enabled apt sources (deb822 *.sources and one-line *.list / sources.list).
// Returns { hasDebSrc, debEntries: [{ uris, suites, components, signedBy }] }.
function readAptSources() {
	const result = { hasDebSrc: false, debEntries: [] };
	const files = [];
	if (fs.existsSync('/etc/apt/sources.list')) files.push('/etc/apt/sources.list');
	const dir = '/etc/apt/sources.list.d';
	if (fs.existsSync(dir)) {
		// apt only reads these two extensions; e.g. "*.list.disabled" files are ignored.
		for (const f of fs.readdirSync(dir).sort()) {
			if (f.endsWith('.list') || f.endsWith('.sources')) files.push(path.join(dir, f));
		}
	}
	for (const file of files) {
		const text = fs.readFileSync(file, 'utf8');
		if (file.endsWith('.sources')) {
			// deb822: stanzas separated by blank lines, "Key: value" fields.
			for (const stanza of text.split(/\n\s*\n/)) {
				const fields = {};
				for (const line of stanza.split('\n')) {
					if (/^\s*#/.test(line)) continue;
					const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
					if (m) fields[m[1].toLowerCase()] = m[2].trim();
				}
				if (!fields.types) continue;
				if (fields.enabled && fields.enabled.toLowerCase() === 'no') continue;
				const types = fields.types.split(/\s+/);
				if (types.includes('deb-src')) result.hasDebSrc = true;
				if (types.includes('deb') && fields.uris && fields.suites) {
					result.debEntries.push({
						uris: fields.uris,
						suites: fields.suites,
						components: fields.components || 'main',
						signedBy: fields['signed-by'],
					});
				}
			}
		} else {
			for (const raw of text.split('\n')) {
				const line = raw.replace(/#.*/, '').trim();
				if (!line) continue;
				// deb [options] uri suite component...
				const m = /^(deb|deb-src)\s+(\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s*(.*)$/.exec(line);
				if (!m) continue;
				if (m[1] === 'deb-src') {
					result.hasDebSrc = true;
					continue;
				}
				const opts = m[2] || '';
				const signed = /signed-by=(\S+?)[\s\]]/.exec(opts);
				result.debEntries.push({
					uris: m[3],
					suites: m[4],
					components: m[5] || 'main',
					signedBy: signed ? signed[1] : undefined,
				});
			}
		}
	}
	return result;
}

// Adds a deb-src twin of every deb entry that carries libsrtp2's archive (we mirror all
// of them: apt itself decides which one has the source). Only as root, and only once.
function ensureDebSrc() {
	const srcs = readAptSources();
	if (srcs.hasDebSrc) return true;
	if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
		log('no deb-src entry in apt sources and not root: cannot add one');
		return false;
	}
	// Only the distribution's own archives: a third-party repository (NodeSource,
	// Google...) has no libsrtp2 source and would make `apt-get update` fail for a
	// missing Sources index.
	const distro = /debian|ubuntu/i;
	const entries = srcs.debEntries.filter((e) => distro.test(e.uris) || distro.test(e.signedBy || ''));
	if (entries.length === 0) {
		log('no Debian deb entries to mirror as deb-src');
		return false;
	}
	const file = '/etc/apt/sources.list.d/mediaplane-deb-src.sources';
	const body = entries
		.map((e) => [
			'Types: deb-src',
			`URIs: ${e.uris}`,
			`Suites: ${e.suites}`,
			`Components: ${e.components}`,
			...(e.signedBy ? [`Signed-By: ${e.signedBy}`] : []),
		].join('\n'))
		.join('\n\n');
	fs.writeFileSync(file, `# Added by mediaplane deps/fetch-libsrtp.js to fetch the libsrtp2 release source.\n${body}\n`);
	log(`added ${file}; running apt-get update`);
	const res = run('apt-get', ['update'], { stdio: ['ignore', 'inherit', 'inherit'] });
	// A partly failed update (one unreachable mirror) may still have fetched the Sources
	// index we need, so go on and let `apt-get source` decide.
	if (res.status !== 0) log('apt-get update reported errors; trying apt-get source anyway');
	return true;
}

// Returns true once the source is unpacked, false when this route is unavailable.
function fromDebian() {
	if (process.platform !== 'linux' || !fs.existsSync('/etc/debian_version')) return false;
	if (run('apt-get', ['--version']).status !== 0) return false;
	if (!ensureDebSrc()) return false;
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mediaplane-libsrtp-'));
	try {
		log(`apt-get source --download-only libsrtp2 (in ${tmp})`);
		const res = run('apt-get', ['source', '--download-only', 'libsrtp2'], { cwd: tmp });
		if (res.status !== 0) {
			log(`apt-get source failed: ${(res.stderr || String(res.error)).trim()}`);
			return false;
		}
		const orig = path.join(tmp, `libsrtp2_${VERSION}.orig.tar.gz`);
		if (!fs.existsSync(orig)) {
			log(`apt-get source did not provide libsrtp2_${VERSION}.orig.tar.gz (got: ${fs.readdirSync(tmp).join(', ')})`);
			return false;
		}
		if (!verify(orig)) return false;
		cache(orig);
		log('using Debian source package libsrtp2');
		unpack(orig);
		return true;
	} finally {
		fs.rmSync(tmp, { recursive: true, force: true });
	}
}

// ---- (e) upstream download ----

function download(url, dest, redirects = 5) {
	return new Promise((resolve, reject) => {
		const req = https.get(url, { headers: { 'User-Agent': 'mediaplane-fetch-libsrtp' } }, (res) => {
			if (res.statusCode >= 300 && res.statusCode < 400 && res.headers.location) {
				res.resume();
				if (redirects === 0) return reject(new Error('too many redirects'));
				return resolve(download(new URL(res.headers.location, url).toString(), dest, redirects - 1));
			}
			if (res.statusCode !== 200) {
				res.resume();
				return reject(new Error(`HTTP ${res.statusCode} for ${url}`));
			}
			const out = fs.createWriteStream(dest);
			res.pipe(out);
			out.on('finish', () => out.close(resolve));
			out.on('error', reject);
			res.on('error', reject);
		});
		req.setTimeout(60000, () => req.destroy(new Error(`timeout downloading ${url}`)));
		req.on('error', reject);
	});
}

async function fromUpstream() {
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mediaplane-libsrtp-'));
	const file = path.join(tmp, `libsrtp-${VERSION}.tar.gz`);
	try {
		log(`downloading ${UPSTREAM_URL}`);
		await download(UPSTREAM_URL, file);
		if (!verify(file)) return false;
		cache(file);
		log('using upstream release tarball');
		unpack(file);
		return true;
	} catch (err) {
		log(`download or unpack failed: ${err.message}`);
		return false;
	} finally {
		fs.rmSync(tmp, { recursive: true, force: true });
	}
}

async function main() {
	// (a)
	if (fs.existsSync(MARKER)) {
		log(`libsrtp ${VERSION} source already present at ${SRC_DIR}`);
		return;
	}

	// (b)
	const envTarball = process.env.MEDIAPLANE_LIBSRTP_TARBALL;
	if (envTarball) {
		if (!fs.existsSync(envTarball)) fail(`MEDIAPLANE_LIBSRTP_TARBALL=${envTarball} does not exist`);
		// An explicit choice that fails verification is an error, not a reason to fall back.
		if (!verify(envTarball)) fail(`MEDIAPLANE_LIBSRTP_TARBALL=${envTarball} does not match the pinned sha256`);
		log(`using tarball from MEDIAPLANE_LIBSRTP_TARBALL`);
		unpack(envTarball);
		return;
	}

	// (c)
	if (fs.existsSync(CACHED_TARBALL)) {
		if (verify(CACHED_TARBALL)) {
			log('using cached tarball');
			unpack(CACHED_TARBALL);
			return;
		}
		log('removing cached tarball with wrong checksum');
		fs.rmSync(CACHED_TARBALL, { force: true });
	}

	// (d)
	if (fromDebian()) return;

	// (e)
	if (await fromUpstream()) return;

	fail(
		`could not obtain libsrtp ${VERSION}. Download ${UPSTREAM_URL} (or Debian's ` +
		`libsrtp2_${VERSION}.orig.tar.gz) and either place it at ${CACHED_TARBALL} or set ` +
		'MEDIAPLANE_LIBSRTP_TARBALL to its path.'
	);
}

main().catch((err) => fail(err && err.stack ? err.stack : String(err)));
