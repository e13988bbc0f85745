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

/** The glibc version this process runs on ("2.36"), or undefined (musl, not Linux). */
function glibcVersion(): string | undefined {
	if (process.platform !== 'linux') return undefined;
	try {
		// Node's diagnostic report names the glibc it runs on; on musl there is none.
		// Only the header is read, but the report is made in full: once per process.
		const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
		return report?.header?.glibcVersionRuntime;
	} catch {
		return undefined;
	}
}

let detectedLibc: 'glibc' | 'musl' | undefined | null = null;

/**
 * 'glibc' or 'musl' on Linux, undefined elsewhere. Works on every musl distribution,
 * not only Alpine (where node-gyp-build looks for /etc/alpine-release). Where the report
 * says nothing, the musl dynamic loader's presence decides.
 */
export function linuxLibc(): 'glibc' | 'musl' | undefined {
	if (detectedLibc !== null) return detectedLibc;
	if (process.platform !== 'linux') {
		detectedLibc = undefined;
	} else if (glibcVersion()) {
		detectedLibc = 'glibc';
	} else {
		const muslLoader = `/lib/ld-musl-${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}.so.1`;
		detectedLibc = fs.existsSync(muslLoader) ? 'musl' : 'glibc';
	}
	return detectedLibc;
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

/** The oldest glibc the prebuilds load on (scripts/prebuild.js targets *-linux-gnu.2.28). */
const PREBUILD_GLIBC = [2, 28];

/** Loads the addon, turning a dynamic loader error into one that says what to do. */
export function loadAddon(file: string): unknown {
	try {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		return require(file);
	} catch (error) {
		const reason = error instanceof Error ? error.message : String(error);
		const glibc = glibcVersion();
		const [major, minor] = (glibc ?? '').split('.').map(Number);
		const tooOld = glibc !== undefined && file.includes(`${path.sep}prebuilds${path.sep}`) &&
			(major < PREBUILD_GLIBC[0] || (major === PREBUILD_GLIBC[0] && minor < PREBUILD_GLIBC[1]));
		const why = tooOld ? ` The prebuilt addon needs glibc >= ${PREBUILD_GLIBC.join('.')}; this system has ${glibc}.` : '';
		throw new Error(`mediaplane: the addon ${file} could not be loaded: ${reason}.${why} ${buildFromSource}`, { cause: error });
	}
}
