'use strict';
// Bundles the page's script (public/app.js + mediasoup-client) with esbuild, in memory,
// when the server starts. Nothing is written to disk and no bundle is committed.

const path = require('node:path');

const ENTRY = path.join(__dirname, 'public', 'app.js');

/** Returns { 'app.js': Buffer, 'app.js.map': Buffer }. */
async function bundlePage() {
	let esbuild;
	try {
		esbuild = require('esbuild');
	} catch {
		throw new Error('the video-room page needs esbuild and mediasoup-client: run "npm ci" (with dev dependencies)');
	}
	const result = await esbuild.build({
		entryPoints: [ENTRY],
		bundle: true,
		format: 'iife',
		platform: 'browser',
		target: 'chrome110',
		minify: true,
		sourcemap: 'linked',
		outfile: 'app.js', // virtual: write is false
		write: false,
		logLevel: 'silent',
		define: { 'process.env.NODE_ENV': '"production"' },
	});
	const files = {};
	for (const file of result.outputFiles) files[path.basename(file.path)] = Buffer.from(file.contents);
	if (!files['app.js']) throw new Error('esbuild produced no app.js');
	return files;
}

module.exports = { bundlePage };
