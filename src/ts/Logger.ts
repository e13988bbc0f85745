import debug from 'debug';
import { format } from 'node:util';

const APP_NAME = 'mediaplane';

export type LoggerEmitterListener = (namespace: string, log: string) => void;

/** Listeners set with setLogEventListeners() (mediasoup v3). */
export type LogEventListeners = {
	ondebug?: LoggerEmitterListener;
	onwarn?: LoggerEmitterListener;
	/** Error lines, with the Error that caused them when there is one. */
	onerror?: (namespace: string, log: string, error?: Error) => void;
};

let logEventListeners: LogEventListeners | undefined;

/**
 * Sends mediaplane's log lines (engine lines included) to these listeners instead of
 * the `debug` package; call with no argument to go back to `debug`.
 */
export function setLogEventListeners(listeners?: LogEventListeners): void {
	if (listeners !== undefined && (typeof listeners !== 'object' || listeners === null)) {
		throw new TypeError('if given, listeners must be an object');
	}
	for (const key of ['ondebug', 'onwarn', 'onerror'] as const) {
		if (listeners?.[key] !== undefined && typeof listeners[key] !== 'function') {
			throw new TypeError(`invalid listeners.${key}: must be a function`);
		}
	}
	logEventListeners = listeners;
}

type LogFunction = (formatter: unknown, ...args: unknown[]) => void;

function makeLogFunction(namespace: string, pick: (l: LogEventListeners) => LoggerEmitterListener | undefined): LogFunction {
	const debugFunction = debug(namespace);
	return (formatter: unknown, ...args: unknown[]): void => {
		const listener = logEventListeners && pick(logEventListeners);
		if (listener) {
			listener(namespace, format(formatter, ...args));
		} else if (debugFunction.enabled) {
			debugFunction(formatter, ...args);
		}
	};
}

/**
 * Log output through the `debug` package (or the listeners of setLogEventListeners()).
 * Namespaces:
 * - `mediaplane:<prefix>` for debug lines,
 * - `mediaplane:WARN:<prefix>` and `mediaplane:ERROR:<prefix>` for the others,
 * so `DEBUG=mediaplane:*` shows everything and `DEBUG=mediaplane:ERROR:*` only errors.
 * Engine lines arrive with the prefix `engine:<C++ class>`.
 */
export class Logger {
	readonly debug: LogFunction;
	readonly warn: LogFunction;
	readonly error: LogFunction;

	constructor(prefix?: string) {
		const suffix = prefix ? `:${prefix}` : '';
		this.debug = makeLogFunction(`${APP_NAME}${suffix}`, (l) => l.ondebug);
		this.warn = makeLogFunction(`${APP_NAME}:WARN${suffix}`, (l) => l.onwarn);
		this.error = makeLogFunction(`${APP_NAME}:ERROR${suffix}`, (l) => l.onerror);
	}
}
