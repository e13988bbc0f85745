/**
 * Loads the native addon. node-gyp-build prefers a prebuilt binary from
 * `prebuilds/<platform>-<arch>/` and falls back to `build/Release/`.
 *
 * Test-only: the environment variable MEDIAPLANE_ADDON_PATH names a .node file to load
 * instead (test/sanitized-socket.test.js points it at the ASan + UBSan build that
 * scripts/build-sanitized.js makes in build-asan/). Not a supported way to deploy.
 *
 * This is the only file that touches the addon directly; the rest of the TypeScript
 * layer goes through Channel.
 */
import * as path from 'node:path';

export type NativeEventListener = (targetId: string, event: string, data: unknown) => void;

export interface NativeWorker {
	/**
	 * `data` is JSON text when `dataIsJson` is true (parsed on the worker thread),
	 * otherwise a value converted property by property (needed for Buffers). A failed
	 * request rejects with an `EngineErrorDescriptor` (errors.ts), never an Error.
	 */
	request(method: string, handlerId: string | undefined, data: unknown, dataIsJson?: boolean): Promise<unknown>;
	close(): void;
	pendingRequests(): number;
}

export interface NativeAddon {
	NativeWorker: new (settings: object, onEvent: NativeEventListener) => NativeWorker;
	versions: {
		libsrtp: string;
		openssl: string;
		opensslHeaders: string;
		libuv: string;
		napi: number;
	};
	srtpProtect(suite: string, keyMaterial: Buffer, packet: Buffer, isRtcp: boolean): Buffer;
	srtpUnprotect(suite: string, keyMaterial: Buffer, packet: Buffer, isRtcp: boolean): Buffer;
	srtpVersion(): string;
}

// node-gyp-build ships no type declarations; it is a function of the package root.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const nodeGypBuild = require('node-gyp-build') as { (root: string): unknown; resolve(root: string): string };

const packageRoot = path.join(__dirname, '..');

const overridePath = process.env.MEDIAPLANE_ADDON_PATH;

/** The file the addon was loaded from (a prebuild, build/Release, or MEDIAPLANE_ADDON_PATH). */
export const addonPath: string = overridePath ? path.resolve(overridePath) : nodeGypBuild.resolve(packageRoot);

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const addon = (overridePath ? require(addonPath) : nodeGypBuild(packageRoot)) as NativeAddon;

