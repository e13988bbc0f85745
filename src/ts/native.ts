/**
 * Loads the native addon (addonLocation.ts says which file): a local source build in
 * `build/Release/` first, then the prebuilt binary for this platform, architecture and
 * C library in `prebuilds/`. Where none fits, the error says how to build one.
 *
 * Test-only: the environment variable MEDIAPLANE_ADDON_PATH names a .node file to load
 * instead (test/sanitized-socket.test.js points it at the ASan + UBSan build in
 * build-asan/). Not a supported way to deploy.
 *
 * This is the only file that touches the addon directly; the rest of the TypeScript
 * layer goes through Channel.
 */
import * as path from 'node:path';
import { findAddon, loadAddon } from './addonLocation';

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

const packageRoot = path.join(__dirname, '..');

const overridePath = process.env.MEDIAPLANE_ADDON_PATH;

/** The file the addon was loaded from (build/Release, a prebuild, or MEDIAPLANE_ADDON_PATH). */
export const addonPath: string = overridePath ? path.resolve(overridePath) : findAddon(packageRoot);

export const addon = loadAddon(addonPath) as NativeAddon;
