'use strict';
// The published package: `npm run prebuild` + `npm pack` make a tarball that installs
// and loads on a machine with no compiler (CC/CXX point at /bin/false, so any attempt
// to compile fails the install). Works on a private copy of the repo so that the
// rebuild cannot disturb the build/ directory other tests are loading from.
const t = require('tap');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const root = path.join(__dirname, '..');

function run(command, args, cwd, env = {}) {
	return execFileSync(command, args, {
		cwd,
		env: { ...process.env, ...env },
		stdio: ['ignore', 'pipe', 'pipe'],
		timeout: 240000,
	}).toString();
}

t.test('npm pack with prebuilds installs and runs without a compiler', { timeout: 300000 }, async (t) => {
	const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mediaplane-pack-'));
	t.teardown(() => fs.rmSync(work, { recursive: true, force: true }));
	const copy = path.join(work, 'src');
	const app = path.join(work, 'app');

	for (const file of run('git', ['ls-files'], root).split('\n').filter(Boolean)) {
		fs.mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
		fs.copyFileSync(path.join(root, file), path.join(copy, file));
	}
	fs.symlinkSync(path.join(root, 'node_modules'), path.join(copy, 'node_modules'));
	fs.symlinkSync(path.join(root, 'deps', 'libsrtp-2.5.0'), path.join(copy, 'deps', 'libsrtp-2.5.0'));

	run('npm', ['run', 'prebuild'], copy);
	const prebuilt = path.join(copy, 'prebuilds', `${process.platform}-${process.arch}`, 'mediaplane.node');
	t.ok(fs.existsSync(prebuilt), 'prebuildify wrote prebuilds/<platform>-<arch>/mediaplane.node');

	const tarball = run('npm', ['pack', '--silent', '--pack-destination', work], copy).trim().split('\n').pop();
	t.match(tarball, /^mediaplane-.*\.tgz$/);

	fs.mkdirSync(app);
	fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
	run('npm', ['install', '--no-audit', '--no-fund', path.join(work, tarball)], app,
		{ CC: '/bin/false', CXX: '/bin/false', npm_config_nodedir: '/nonexistent' });

	const cjs = run(process.execPath, ['-e', `
		const m = require('mediaplane');
		m.createWorker().then(async (w) => {
			const r = await w.createRouter();
			console.log(JSON.stringify({ bin: m.workerBin, routers: (await w.dump()).routerIds.length, id: r.id }));
			w.close();
		});
	`], app);
	const report = JSON.parse(cjs);
	t.match(report.bin, /node_modules\/mediaplane\/prebuilds\/.*mediaplane\.node$/, 'loaded the prebuild');
	t.equal(report.routers, 1);

	const esm = run(process.execPath, ['--input-type=module', '-e', `
		import * as m from 'mediaplane';
		const w = await m.createWorker();
		console.log(typeof m.createWorker, (await w.dump()).pid === process.pid);
		w.close();
	`], app);
	t.equal(esm.trim(), 'function true', 'ESM import works from the installed package');
});
