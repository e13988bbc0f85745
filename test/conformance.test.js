'use strict';
// TypeScript conformance: compiles test/conformance/ (strict, against the package's own
// lib/*.d.ts, as an application would see them; see test/conformance/tsconfig.json) and
// fails with tsc's diagnostics when it does not compile, so that type drift fails
// `npm test`. Then runs each compiled test/conformance/*.test.ts as a subtest.
//
// To add a conformance test: write test/conformance/<name>.test.ts, importing
// `t from 'tap'` and `mediaplane` (or 'mediaplane/types', '/errors', '/extras', '/ortc').
const t = require('tap');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.join(__dirname, '..');
const dir = path.join(__dirname, 'conformance');
const outDir = path.join(dir, 'build');
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');

const sources = fs.readdirSync(dir).filter((f) => f.endsWith('.test.ts')).sort();

t.test('tsconfig paths match package.json exports', async (t) => {
	const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
	// tsconfig.json has comments: strip them (no "//" occurs inside its strings).
	const text = fs.readFileSync(path.join(dir, 'tsconfig.json'), 'utf8').replace(/^\s*\/\/.*$/gm, '');
	const { paths } = JSON.parse(text).compilerOptions;
	const expected = {};
	for (const [subpath, target] of Object.entries(pkg.exports)) {
		if (typeof target !== 'object' || !target.types) continue;
		const name = subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`;
		expected[name] = [path.posix.join('../..', target.types)];
	}
	t.same(paths, expected);
});

let compiled = false;
t.test('test/conformance compiles (tsc, strict, against lib/*.d.ts)', async (t) => {
	t.ok(fs.existsSync(path.join(root, 'lib', 'index.d.ts')), 'lib/index.d.ts is built');
	fs.rmSync(outDir, { recursive: true, force: true });
	const res = spawnSync(process.execPath, [tsc, '-p', dir, '--pretty', 'false'], { cwd: root, encoding: 'utf8' });
	const diagnostics = `${res.stdout}${res.stderr}`.trim();
	if (res.status !== 0) t.fail(`tsc exited with ${res.status}:\n${diagnostics}`);
	else t.pass('compiles with no diagnostics');
	for (const source of sources) {
		t.ok(fs.existsSync(path.join(outDir, source.replace(/\.ts$/, '.js'))), `emitted ${source}`);
	}
	compiled = res.status === 0;
});

t.test('test/conformance compiles as an application resolves the package (exports map, module node16)', async (t) => {
	const res = spawnSync(process.execPath, [tsc, '-p', path.join(dir, 'tsconfig.exports.json'), '--pretty', 'false'], {
		cwd: root,
		encoding: 'utf8',
	});
	if (res.status !== 0) t.fail(`tsc exited with ${res.status}:\n${`${res.stdout}${res.stderr}`.trim()}`);
	else t.pass('compiles with no diagnostics');
});

t.test('conformance tests', async (t) => {
	if (!compiled) {
		t.fail('not run: test/conformance does not compile');
		return;
	}
	for (const source of sources) {
		const file = path.join(outDir, source.replace(/\.ts$/, '.js'));
		t.spawn(process.execPath, ['--enable-source-maps', file], { cwd: root }, `conformance/${source}`);
	}
});
