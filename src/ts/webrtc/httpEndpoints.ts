/**
 * WHIP (RFC 9725) and WHEP (draft-ietf-wish-whep) over Node's http/https request and
 * response objects, as request handlers for a plain `http.createServer()` or an
 * Express/Fastify-style `(req, res, next)` chain. Each session is one server-side
 * RTCPeerConnection: WHIP's remote offer publishes (its m-sections become Producers),
 * WHEP's remote offer plays (the Producers the application chooses are sent to it).
 *
 * URLs, under the handler's `path` prefix:
 *   POST    <path>/<endpoint>                 new session (application/sdp offer → 201 + answer)
 *   PATCH   <path>/<endpoint>/sessions/<id>   trickle ICE (204) or ICE restart (200 + sdpfrag)
 *   DELETE  <path>/<endpoint>/sessions/<id>   ends the session (200)
 *   OPTIONS on either                         CORS preflight / Accept-Post (204)
 */
import * as crypto from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { InvalidStateError, UnsupportedError } from '../errors';
import type { Producer } from '../Producer';
import type { Router } from '../Router';
import type { AppData } from '../utils';
import type { IceCandidate, IceParameters, WebRtcTransportOptions } from '../WebRtcTransport';
import { RTCPeerConnection, type RemoteTrackInfo } from './RTCPeerConnection';
import { sdpCandidates } from './localSdp';
import { parseSdp, writeSdp, type SdpSession } from './sdp';

export type WebRtcHttpProtocol = 'whip' | 'whep';

/** What the application learns about a request before a session exists. */
export type WebRtcHttpRequest = {
	protocol: WebRtcHttpProtocol;
	/** The path after the handler's prefix, e.g. 'room1' for POST /whip/room1. */
	endpoint: string;
	/** The bearer token of the Authorization header (RFC 6750 §2.1), if any. */
	token?: string;
	req: IncomingMessage;
};

/** One WHIP or WHEP session. */
export type WebRtcHttpSession = {
	id: string;
	protocol: WebRtcHttpProtocol;
	endpoint: string;
	/** The session resource's URL path (the Location header). */
	location: string;
	pc: RTCPeerConnection;
	/** WHIP: the Producers the publisher's offer made. */
	producers: { producer: Producer; info: RemoteTrackInfo }[];
	appData: AppData;
	close(): void;
};

export type WebRtcHttpHandlerOptions = {
	/** URL prefix, e.g. '/whip'. */
	path: string;
	/**
	 * Decides whether a request may open or touch a session: true to go on, false for
	 * "401 Unauthorized" (RFC 9725 §4.5). Default: every request may.
	 */
	authorize?: (request: WebRtcHttpRequest) => boolean | Promise<boolean>;
	/**
	 * For a new session: the Router and WebRtcTransport options it runs on, or
	 * undefined for "404 Not Found" (no such endpoint).
	 */
	prepare: (
		request: WebRtcHttpRequest
	) =>
		| { router: Router; transportOptions: WebRtcTransportOptions; appData?: AppData }
		| undefined
		| Promise<{ router: Router; transportOptions: WebRtcTransportOptions; appData?: AppData } | undefined>;
	/**
	 * WHEP only: the Producers to send to a new player. Each fills one m-section the
	 * player offered to receive, of its kind, in order; a Producer with no such
	 * m-section left is not sent (WHEP has no server-side renegotiation).
	 */
	producers?: (request: WebRtcHttpRequest, session: WebRtcHttpSession) => Producer[] | Promise<Producer[]>;
	/** Called once a session answered (WHIP: its Producers exist; WHEP: its Consumers). */
	onSession?: (session: WebRtcHttpSession) => void | Promise<void>;
	/**
	 * Called once for every session prepare() accepted, when it ends: DELETE, a failed
	 * or closed connection, its Router closing, or a failure before it answered.
	 */
	onSessionClose?: (session: WebRtcHttpSession) => void;
	/** Access-Control-Allow-Origin for browser clients (default '*'; false for no CORS headers). */
	corsOrigin?: string | false;
	/** Largest request body taken, in bytes (default 64 KiB; larger gets 413). */
	maxBodyBytes?: number;
	/** A session whose connection stays 'disconnected' this long is closed (default 30 s). */
	disconnectedTimeoutMs?: number;
};

/** A request handler: resolves true once it answered, false if the URL is not its own. */
export type WebRtcHttpHandler = ((req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => Promise<boolean>) & {
	/** The open sessions, by id. */
	readonly sessions: ReadonlyMap<string, WebRtcHttpSession>;
	/** Ends every session. */
	close(): void;
};

class HttpError extends Error {
	constructor(
		readonly status: number,
		message: string,
		readonly headers: Record<string, string> = {}
	) {
		super(message);
	}
}

const SDP_TYPE = 'application/sdp';
const SDPFRAG_TYPE = 'application/trickle-ice-sdpfrag';

function mediaType(req: IncomingMessage): string {
	return String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

function bearerToken(req: IncomingMessage): string | undefined {
	const match = /^Bearer\s+(\S+)\s*$/i.exec(String(req.headers.authorization ?? ''));
	return match ? match[1] : undefined;
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		let failed = false;
		req.on('data', (chunk: Buffer) => {
			if (failed) return;
			size += chunk.length;
			if (size > limit) {
				failed = true;
				reject(new HttpError(413, `request body larger than ${limit} bytes`));
				req.resume();
				return;
			}
			chunks.push(chunk);
		});
		req.on('end', () => {
			if (!failed) resolve(Buffer.concat(chunks).toString('utf8'));
		});
		req.on('error', (error) => {
			if (!failed) reject(error);
		});
	});
}

/**
 * The ICE credentials of an sdpfrag (RFC 8840 §9): session-level attributes and m=
 * lines, parsed with sdp-transform as a description without its v/o/s/t lines.
 */
function parseSdpFragment(body: string): { ufrag?: string; pwd?: string } {
	let fragment: SdpSession;
	try {
		fragment = parseSdp(body);
	} catch {
		throw new HttpError(400, 'the body is not an SDP fragment');
	}
	const media = fragment.media?.[0];
	return { ufrag: fragment.iceUfrag ?? media?.iceUfrag, pwd: fragment.icePwd ?? media?.icePwd };
}

/** Our sdpfrag after an ICE restart (RFC 9725 §4.3.2): new credentials and candidates. */
function writeSdpFragment(mid: string, ice: { iceParameters: IceParameters; iceCandidates: IceCandidate[] }): string {
	const text = writeSdp({
		icelite: 'ice-lite',
		iceUfrag: ice.iceParameters.usernameFragment,
		icePwd: ice.iceParameters.password,
		media: [
			{
				type: 'audio',
				port: 9,
				protocol: 'UDP/TLS/RTP/SAVPF',
				payloads: '0',
				rtp: [],
				fmtp: [],
				mid,
				candidates: sdpCandidates(ice.iceCandidates),
				endOfCandidates: 'end-of-candidates',
			},
		],
	} as unknown as SdpSession);
	// An sdpfrag has no v=, o=, s= or t= line (RFC 8840 §9).
	return text.replace(/^[vost]=.*\r\n/gm, '');
}

/** Maps what went wrong to an HTTP answer: 4xx for the client's fault, 5xx for ours. */
function statusOf(error: unknown): number {
	if (error instanceof HttpError) return error.status;
	if (error instanceof TypeError) return 400;
	if (error instanceof UnsupportedError) return 422;
	if (error instanceof InvalidStateError) return 409;
	return 500;
}

/**
 * A WHIP or WHEP request handler (see the top of this file for its URLs).
 */
export function createWebRtcHttpHandler(protocol: WebRtcHttpProtocol, options: WebRtcHttpHandlerOptions): WebRtcHttpHandler {
	if (protocol !== 'whip' && protocol !== 'whep') throw new TypeError('invalid protocol: whip or whep');
	if (!options || typeof options !== 'object') throw new TypeError('options must be an object');
	const { path, authorize, prepare, producers, onSession, onSessionClose } = options;
	if (typeof path !== 'string' || !path.startsWith('/')) throw new TypeError('invalid path: must start with "/"');
	if (typeof prepare !== 'function') throw new TypeError('missing prepare: a function');
	if (authorize !== undefined && typeof authorize !== 'function') throw new TypeError('invalid authorize: must be a function');
	if (producers !== undefined && typeof producers !== 'function') throw new TypeError('invalid producers: must be a function');
	if (protocol === 'whep' && producers === undefined) throw new TypeError('missing producers: WHEP needs a function');
	const corsOrigin = options.corsOrigin ?? '*';
	const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024;
	const disconnectedTimeoutMs = options.disconnectedTimeoutMs ?? 30_000;
	const prefix = path.replace(/\/+$/, '');
	const sessions = new Map<string, WebRtcHttpSession & { etag: string; token?: string }>();

	function corsHeaders(): Record<string, string> {
		if (corsOrigin === false) return {};
		return {
			'access-control-allow-origin': corsOrigin,
			'access-control-allow-methods': 'OPTIONS, POST, PATCH, DELETE',
			'access-control-allow-headers': 'authorization, content-type, if-match',
			'access-control-expose-headers': 'location, etag, link, accept-patch',
		};
	}

	function send(res: ServerResponse, status: number, headers: Record<string, string>, body?: string): void {
		if (res.headersSent) return;
		res.writeHead(status, { ...corsHeaders(), ...headers, ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }) });
		res.end(body);
	}

	async function checkAuthorized(request: WebRtcHttpRequest): Promise<void> {
		if (authorize && !(await authorize(request))) {
			throw new HttpError(401, 'unauthorized', { 'www-authenticate': 'Bearer' });
		}
	}

	const ended = new WeakSet<WebRtcHttpSession>();
	function closeSession(session: WebRtcHttpSession): void {
		if (ended.has(session)) return;
		ended.add(session);
		sessions.delete(session.id);
		session.pc.close();
		try {
			onSessionClose?.(session);
		} catch {
			// The application's callback failing must not stop the cleanup.
		}
	}

	async function createSession(request: WebRtcHttpRequest, res: ServerResponse): Promise<void> {
		if (mediaType(request.req) !== SDP_TYPE) throw new HttpError(415, `Content-Type must be ${SDP_TYPE}`);
		const offer = await readBody(request.req, maxBodyBytes);
		const prepared = await prepare(request);
		if (!prepared) throw new HttpError(404, `no ${protocol.toUpperCase()} endpoint "${request.endpoint}"`);
		const id = crypto.randomUUID();
		const pc = new RTCPeerConnection({ router: prepared.router, transportOptions: prepared.transportOptions });
		const location = `${prefix}/${request.endpoint}/sessions/${id}`;
		const session: WebRtcHttpSession & { etag: string; token?: string } = {
			id,
			protocol,
			endpoint: request.endpoint,
			location,
			pc,
			producers: [],
			appData: prepared.appData ?? {},
			etag: `"${crypto.randomUUID()}"`,
			token: request.token,
			close: () => closeSession(session),
		};
		pc.on('producer', (producer, info) => session.producers.push({ producer, info }));
		try {
			await pc.setRemoteDescription({ type: 'offer', sdp: offer });
			if (protocol === 'whip' && session.producers.length === 0) {
				throw new UnsupportedError('the offer sends nothing the router can take (no codec in common, or no sendonly/sendrecv m= section)');
			}
			if (protocol === 'whep') {
				const chosen = await (producers as NonNullable<typeof producers>)(request, session);
				// Each Producer takes a free m-section of its kind the player offered.
				const free = new Map<string, number>();
				for (const t of pc.getTransceivers()) {
					if (t.mid !== null && !t.sender && !t.receiver) free.set(t.kind, (free.get(t.kind) ?? 0) + 1);
				}
				for (const producer of Array.isArray(chosen) ? chosen : []) {
					if (producer.closed || !(free.get(producer.kind) ?? 0)) continue;
					free.set(producer.kind, (free.get(producer.kind) as number) - 1);
					pc.addProducer(producer);
				}
			}
			const answer = await pc.createAnswer();
			await pc.setLocalDescription(answer);
			if (ended.has(session)) throw new HttpError(500, 'the session closed while it was being set up');
			sessions.set(id, session);
			let disconnectedTimer: NodeJS.Timeout | undefined;
			pc.on('connectionstatechange', (state) => {
				clearTimeout(disconnectedTimer);
				if (state === 'failed' || state === 'closed') closeSession(session);
				else if (state === 'disconnected') {
					disconnectedTimer = setTimeout(() => closeSession(session), disconnectedTimeoutMs);
					disconnectedTimer.unref?.();
				}
			});
			pc.on('close', () => {
				clearTimeout(disconnectedTimer);
				closeSession(session);
			});
			await onSession?.(session);
			if (ended.has(session)) throw new HttpError(500, 'the session closed while it was being set up');
			send(res, 201, { 'content-type': SDP_TYPE, location, etag: session.etag, 'accept-patch': SDPFRAG_TYPE }, answer.sdp);
		} catch (error) {
			closeSession(session);
			pc.close();
			throw error;
		}
	}

	async function patchSession(session: WebRtcHttpSession & { etag: string }, req: IncomingMessage, res: ServerResponse): Promise<void> {
		if (mediaType(req) !== SDPFRAG_TYPE) throw new HttpError(415, `Content-Type must be ${SDPFRAG_TYPE}`);
		const ifMatch = req.headers['if-match'];
		if (ifMatch === undefined) throw new HttpError(428, 'If-Match is required (RFC 9725 §4.3)');
		const body = await readBody(req, maxBodyBytes);
		const { ufrag, pwd } = parseSdpFragment(body);
		const restart = ufrag !== undefined && ufrag !== session.pc.remoteIceUsernameFragment;
		if (!restart) {
			// Trickle ICE (RFC 8840): an ICE Lite server takes the client's candidates from
			// its connectivity checks, so there is nothing to add; the ETag must match.
			if (ifMatch !== session.etag && ifMatch !== '*') throw new HttpError(412, 'ETag does not match');
			send(res, 204, {});
			return;
		}
		if (ifMatch !== '*') throw new HttpError(412, 'an ICE restart needs If-Match: * (RFC 9725 §4.3.2)');
		if (!pwd) throw new HttpError(400, 'an ICE restart needs a=ice-pwd');
		const ice = await session.pc.restartIceFromRemote(ufrag);
		session.etag = `"${crypto.randomUUID()}"`;
		const mid = session.pc.getTransceivers().find((t) => t.mid !== null && t.currentDirection !== 'stopped')?.mid ?? '0';
		send(res, 200, { 'content-type': SDPFRAG_TYPE, etag: session.etag }, writeSdpFragment(mid, ice));
	}

	const handler = (async (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void): Promise<boolean> => {
		const url = new URL(req.url ?? '/', 'http://localhost');
		if (url.pathname !== prefix && !url.pathname.startsWith(`${prefix}/`)) {
			next?.();
			return false;
		}
		const rest = url.pathname.slice(prefix.length + 1);
		const sessionMatch = /^(.+)\/sessions\/([0-9a-f-]{36})$/.exec(rest);
		const endpoint = decodeURIComponent(sessionMatch ? sessionMatch[1] : rest);
		const request: WebRtcHttpRequest = { protocol, endpoint, token: bearerToken(req), req };
		try {
			if (req.method === 'OPTIONS') {
				// RFC 9725 §4.2: OPTIONS is answered without authentication (CORS preflight).
				send(res, 204, sessionMatch ? { 'accept-patch': SDPFRAG_TYPE } : { 'accept-post': SDP_TYPE });
				return true;
			}
			if (!endpoint || endpoint.includes('..')) throw new HttpError(404, 'no endpoint');
			if (!sessionMatch) {
				if (req.method !== 'POST') throw new HttpError(405, 'use POST on an endpoint', { allow: 'OPTIONS, POST' });
				await checkAuthorized(request);
				await createSession(request, res);
				return true;
			}
			const session = sessions.get(sessionMatch[2]);
			if (!session || session.endpoint !== endpoint) throw new HttpError(404, 'no such session');
			await checkAuthorized(request);
			if (req.method === 'DELETE') {
				closeSession(session);
				send(res, 200, {});
			} else if (req.method === 'PATCH') {
				await patchSession(session, req, res);
			} else {
				throw new HttpError(405, 'use PATCH or DELETE on a session', { allow: 'OPTIONS, PATCH, DELETE' });
			}
		} catch (error) {
			const status = statusOf(error);
			send(res, status, { 'content-type': 'text/plain; charset=utf-8', ...(error instanceof HttpError ? error.headers : {}) }, `${(error as Error).message}\n`);
			// Drain what is left of a body we did not read, so the connection can be reused.
			req.resume();
		}
		return true;
	}) as WebRtcHttpHandler;
	Object.defineProperty(handler, 'sessions', { get: () => sessions });
	handler.close = () => {
		for (const session of [...sessions.values()]) closeSession(session);
	};
	return handler;
}

/** A WHIP (RFC 9725) ingest handler: each POSTed offer publishes into a Router. */
export function createWhipHandler(options: WebRtcHttpHandlerOptions): WebRtcHttpHandler {
	return createWebRtcHttpHandler('whip', options);
}

/** A WHEP (draft-ietf-wish-whep) playback handler: each POSTed offer plays Producers. */
export function createWhepHandler(options: WebRtcHttpHandlerOptions): WebRtcHttpHandler {
	return createWebRtcHttpHandler('whep', options);
}
