/**
 * Which native addon file this process loads, and the errors that say what to do when
 * there is none. Kept apart from native.ts so that it can be read without loading one.
 *
 * Order: `build/Release/mediaplane.node` (a source build made in this package, which a
 * developer or a user of an unsupported platform made on purpose), then
 * `prebuilds/<platform>-<arch>/mediaplane.napi.<libc>.node`. The names follow
 * node-gyp-build's tag convention so that tools which know it find the same files.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** 'glibc' or 'musl' on Linux, undefined elsewhere. */
export function linuxLibc(): 'glibc' | 'musl' | undefined {
	if (process.platform !== 'linux') return undefined;
	// Node's diagnostic report names the glibc it runs on; on musl there is none. This
	// holds on every musl distribution, not only Alpine (where node-gyp-build looks for
	// /etc/alpine-release).
	const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
	return header?.glibcVersionRuntime ? 'glibc' : 'musl';
}

/** The prebuilt addon's file name for this process, relative to the package root. */
export function prebuildName(platform = process.platform, arch = process.arch, libc = linuxLibc()): string {
	return path.join('prebuilds', `${platform}-${arch}`, `mediaplane.napi${libc ? `.${libc}` : ''}.node`);
}

const buildFromSource =
	'Build it from source in the mediaplane package directory with "npm run build:native" ' +
	'(it needs cmake >= 3.21, a C++17 compiler and the headers of this node; see the README, "Building from source").';

/** The .node file to load, or an Error that says what was looked for and what to run. */
export function findAddon(packageRoot: string): string {
	const local = path.join(packageRoot, 'build', 'Release', 'mediaplane.node');
	if (fs.existsSync(local)) return local;
	const prebuilt = path.join(packageRoot, prebuildName());
	if (fs.existsSync(prebuilt)) return prebuilt;
	const libc = linuxLibc();
	throw new Error(
		`mediaplane: there is no prebuilt addon for ${process.platform}-${process.arch}${libc ? ` (${libc})` : ''} ` +
			`(looked for ${prebuilt}) and no source build (${local}). ${buildFromSource}`
	);
}

/** Loads the addon, turning a dynamic loader error into one that says what to do. */
export function loadAddon(file: string): unknown {
	try {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		return require(file);
	} catch (error) {
		const reason = error instanceof Error ? error.message : String(error);
		throw new Error(`mediaplane: the addon ${file} could not be loaded: ${reason}. ${buildFromSource}`);
	}
}
