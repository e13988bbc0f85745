import debug from 'debug';

const APP_NAME = 'mediaplane';

/**
 * Log output through the `debug` package. Namespaces:
 * - `mediaplane:<prefix>` for debug lines,
 * - `mediaplane:WARN:<prefix>` and `mediaplane:ERROR:<prefix>` for the others,
 * so `DEBUG=mediaplane:*` shows everything and `DEBUG=mediaplane:ERROR:*` only errors.
 * Engine lines arrive with the prefix `engine:<C++ class>`.
 */
export class Logger {
	readonly #debug: debug.Debugger;
	readonly #warn: debug.Debugger;
	readonly #error: debug.Debugger;

	constructor(prefix?: string) {
		const suffix = prefix ? `:${prefix}` : '';
		this.#debug = debug(`${APP_NAME}${suffix}`);
		this.#warn = debug(`${APP_NAME}:WARN${suffix}`);
		this.#error = debug(`${APP_NAME}:ERROR${suffix}`);
	}

	get debug(): debug.Debugger {
		return this.#debug;
	}

	get warn(): debug.Debugger {
		return this.#warn;
	}

	get error(): debug.Debugger {
		return this.#error;
	}
}
