/**
 * A server-side RTCPeerConnection (a subset of W3C WebRTC 1.0 §4.4) over the object
 * API: one per remote endpoint, bound to a Router and one WebRtcTransport it creates.
 * The remote's sending m-sections become Producers; Producers the application adds
 * are sent to the remote through Consumers. Unified Plan, BUNDLE and rtcp-mux only.
 * docs/WEBRTC.md lists the members it has and those it has not.
 */
import * as crypto from 'node:crypto';
import type { DataConsumer } from '../DataConsumer';
import type { DataProducer } from '../DataProducer';
import { kAdjustConsumerRtpParameters, kDataChannelEvents, kOpenDataChannelInBand, type InBandDataChannel } from '../internalHooks';
import type { Consumer } from '../Consumer';
import { EnhancedEventEmitter } from '../EnhancedEventEmitter';
import { InvalidStateError, UnsupportedError } from '../errors';
import type { Producer } from '../Producer';
import type { Router } from '../Router';
import type { MediaKind, RtpParameters } from '../RtpParameters';
import type { AppData } from '../utils';
import type { DtlsState, IceCandidate, IceParameters, IceState, WebRtcTransport, WebRtcTransportOptions } from '../WebRtcTransport';
import { writeLocalDescription, type Direction, type LocalSection } from './localSdp';
import { adoptRemoteNumbers, producerRtpParameters, receiveCapabilities } from './rtpFromSdp';
import { parseSdp, type SdpMedia, type SdpSession } from './sdp';

export type RTCSdpType = 'offer' | 'answer';
export type RTCSessionDescriptionInit = { type: RTCSdpType; sdp: string };
export type RTCSignalingState = 'stable' | 'have-local-offer' | 'have-remote-offer' | 'closed';
export type RTCIceConnectionState = 'new' | 'checking' | 'connected' | 'completed' | 'disconnected' | 'failed' | 'closed';
export type RTCPeerConnectionState = 'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed';

export type RTCPeerConnectionOptions<T extends AppData = AppData> = {
	/** The Router whose Producers and Consumers this connection carries. */
	router: Router;
	/**
	 * Options for the WebRtcTransport it creates (listenInfos, or webRtcServer, and
	 * anything else createWebRtcTransport() takes). Required.
	 */
	transportOptions: WebRtcTransportOptions;
	/** Application data for this connection. */
	appData?: T;
};

/** What the remote said about a track it sends (its m-section). */
export type RemoteTrackInfo = {
	mid: string;
	kind: MediaKind;
	/** The MediaStream id and track id of the m-section's `a=msid` (RFC 8830), if any. */
	streamId?: string;
	trackId?: string;
};

/** One m-section of the connection: an RTCRtpTransceiver's worth of state. */
export type RTCRtpTransceiverInfo = {
	mid: string | null;
	kind: MediaKind | 'application';
	/** Our direction in the last local description (null before one). */
	currentDirection: Direction | 'stopped' | null;
	/** The Producer fed by the remote's stream in this m-section. */
	receiver: Producer | null;
	/** The application's Producer that this m-section sends to the remote. */
	sender: Producer | null;
	/** The Consumer that sends `sender`. */
	consumer: Consumer | null;
};

export type RTCPeerConnectionEvents = {
	/** A remote sending m-section became a Producer. */
	producer: [Producer, RemoteTrackInfo];
	/** A Consumer now sends an added Producer to the remote. */
	consumer: [Consumer, { mid: string; producer: Producer }];
	/** The remote opened a data channel (RFC 8832): it feeds this DataProducer. */
	dataproducer: [DataProducer, { label: string; protocol: string; streamId: number }];
	negotiationneeded: [];
	signalingstatechange: [RTCSignalingState];
	iceconnectionstatechange: [RTCIceConnectionState];
	connectionstatechange: [RTCPeerConnectionState];
	close: [];
};

type Transceiver = {
	mid: string | null;
	kind: MediaKind | 'application';
	/** The remote's last m-section for this mid. */
	remote?: SdpMedia;
	rejected: boolean;
	receiver?: Producer;
	receiveRids?: string[];
	sender?: Producer;
	consumer?: Consumer;
	/** MediaStream and track ids we announce for `sender`. */
	streamId: string;
	trackId: string;
	currentDirection: Direction | 'stopped' | null;
	/** The remote's protocol, kept for a refused m-section. */
	protocol?: string;
	/** For 'application': the remote's SCTP max-message-size (RFC 8841 §6). */
	remoteMaxMessageSize?: number;
};

/** RFC 8841: an SCTP-over-DTLS m-section for data channels (not the old sctpmap form). */
const isDataChannelSection = (media: SdpMedia): boolean =>
	media.type === 'application' && /^(UDP|TCP)\/DTLS\/SCTP$/i.test(media.protocol) && media.sctpPort !== undefined;

function flip(direction: Direction | undefined): Direction {
	switch (direction ?? 'sendrecv') {
		case 'sendonly':
			return 'recvonly';
		case 'recvonly':
			return 'sendonly';
		case 'inactive':
			return 'inactive';
		default:
			return 'sendrecv';
	}
}
const sends = (d: Direction | undefined): boolean => d === undefined || d === 'sendrecv' || d === 'sendonly';
const receives = (d: Direction | undefined): boolean => d === undefined || d === 'sendrecv' || d === 'recvonly';

function combine(wantSend: boolean, wantReceive: boolean): Direction {
	if (wantSend && wantReceive) return 'sendrecv';
	if (wantSend) return 'sendonly';
	if (wantReceive) return 'recvonly';
	return 'inactive';
}

/**
 * RFC 3264 §6: port 0 refuses an m-section, except with a=bundle-only (RFC 8843 §6),
 * where port 0 means "only in the BUNDLE group" (Firefox's and GStreamer's offers).
 */
const isRefused = (media: SdpMedia): boolean => media.port === 0 && !media.bundleOnly;

/** The description's ICE credentials for an m-section: its own, or the session's. */
function iceCredentials(session: SdpSession, media: SdpMedia): { ufrag?: string; pwd?: string } {
	return { ufrag: media.iceUfrag ?? session.iceUfrag, pwd: media.icePwd ?? session.icePwd };
}

/**
 * Checks a remote description against what this layer supports (RFC 8829 §5.8 for
 * what a description must hold, and this layer's own limits), with errors that name
 * the problem: TypeError for what is not a usable SDP, UnsupportedError for a valid
 * one this layer does not take (no BUNDLE, no rtcp-mux, Plan B).
 */
function validateRemote(session: SdpSession): void {
	if (!Array.isArray(session.media) || session.media.length === 0) throw new TypeError('invalid sdp: no m= section');
	const bundle = (session.groups ?? []).find((g) => g.type === 'BUNDLE');
	const accepted = session.media.filter((m) => !isRefused(m));
	if (accepted.length === 0) throw new UnsupportedError('the description accepts no m= section');
	if (!bundle) throw new UnsupportedError('the description has no BUNDLE group (RFC 8843); mediaplane needs one');
	const bundled = new Set(String(bundle.mids).split(' '));
	const mids = new Set<string>();
	for (const media of session.media) {
		if (media.mid === undefined || String(media.mid) === '') throw new UnsupportedError('an m= section has no a=mid (Unified Plan needs one)');
		const mid = String(media.mid);
		if (mids.has(mid)) throw new TypeError(`invalid sdp: mid "${mid}" appears twice`);
		mids.add(mid);
		if (isRefused(media)) continue;
		if (!bundled.has(mid)) throw new UnsupportedError(`m= section "${mid}" is not in the BUNDLE group`);
		const { ufrag, pwd } = iceCredentials(session, media);
		if (!ufrag || !pwd) throw new TypeError(`invalid sdp: m= section "${mid}" has no ICE ufrag/pwd`);
		if (!(media.fingerprint ?? session.fingerprint)) throw new TypeError(`invalid sdp: m= section "${mid}" has no DTLS fingerprint`);
		if ((media.type === 'audio' || media.type === 'video') && !media.rtcpMux) {
			throw new UnsupportedError(`m= section "${mid}" has no a=rtcp-mux (RFC 5761); mediaplane needs it`);
		}
		// Plan B: several MediaStreamTracks in one m-section (more than one msid track).
		const msidTracks = new Set((media.ssrcs ?? []).filter((s) => s.attribute === 'msid').map((s) => s.value));
		if (msidTracks.size > 1 && !(media.ssrcGroups ?? []).some((g) => g.semantics === 'SIM')) {
			throw new UnsupportedError(`m= section "${mid}" carries several tracks (Plan B); mediaplane takes Unified Plan only`);
		}
	}
}

function parseRemote(description: RTCSessionDescriptionInit): SdpSession {
	if (description === null || typeof description !== 'object') throw new TypeError('description must be an object');
	if (description.type !== 'offer' && description.type !== 'answer') {
		throw new TypeError(`invalid description.type "${String(description.type)}" (offer or answer; pranswer and rollback are not supported)`);
	}
	if (typeof description.sdp !== 'string' || !/^v=0\r?\n/.test(description.sdp)) throw new TypeError('invalid description.sdp: not an SDP');
	let session: SdpSession;
	try {
		session = parseSdp(description.sdp);
	} catch (error) {
		throw new TypeError(`invalid description.sdp: ${(error as Error).message}`);
	}
	validateRemote(session);
	return session;
}

const MEDIA_KINDS = new Set(['audio', 'video']);

export class RTCPeerConnection<T extends AppData = AppData> extends EnhancedEventEmitter<RTCPeerConnectionEvents> {
	readonly #router: Router;
	readonly #transportOptions: WebRtcTransportOptions;
	#transport?: WebRtcTransport;
	#transportPromise?: Promise<WebRtcTransport>;
	#dtlsConnected = false;
	readonly #transceivers: Transceiver[] = [];
	#signalingState: RTCSignalingState = 'stable';
	#iceConnectionState: RTCIceConnectionState = 'new';
	#connectionState: RTCPeerConnectionState = 'new';
	#localDescription: RTCSessionDescriptionInit | null = null;
	#remoteDescription: RTCSessionDescriptionInit | null = null;
	#pendingLocal?: RTCSessionDescriptionInit;
	#remoteIceUfrag?: string;
	#remoteFingerprint?: string;
	#iceRestartNeeded = false;
	#negotiationNeeded = false;
	#nextMid = 0;
	readonly #sessionId = String(crypto.randomInt(1, 2 ** 47));
	#sessionVersion = 0;
	#chain: Promise<unknown> = Promise.resolve();
	readonly #streamId = crypto.randomUUID();
	readonly #announced = new WeakSet<Consumer>();
	#sctpEnabled = false;
	/** The DataProducers the remote's channels feed, and our DataConsumers, by stream id. */
	readonly #dataProducers = new Map<number, DataProducer>();
	readonly #dataConsumers = new Map<number, DataConsumer>();
	readonly appData: T;

	constructor(options: RTCPeerConnectionOptions<T>) {
		super();
		if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
		const { router, transportOptions, appData } = options;
		if (!router || typeof router !== 'object' || typeof router.createWebRtcTransport !== 'function') {
			throw new TypeError('invalid router: must be a Router');
		}
		if (router.closed) throw new InvalidStateError('RTCPeerConnection(): the Router is closed');
		if (!transportOptions || typeof transportOptions !== 'object') throw new TypeError('missing transportOptions');
		if (appData !== undefined && (appData === null || typeof appData !== 'object')) throw new TypeError('invalid appData: must be an object');
		this.#router = router;
		this.#transportOptions = transportOptions;
		this.appData = (appData ?? {}) as T;
	}

	/** The WebRtcTransport, once the first description created it. */
	get transport(): WebRtcTransport | undefined {
		return this.#transport;
	}
	get signalingState(): RTCSignalingState {
		return this.#signalingState;
	}
	get iceConnectionState(): RTCIceConnectionState {
		return this.#iceConnectionState;
	}
	get connectionState(): RTCPeerConnectionState {
		return this.#connectionState;
	}
	get localDescription(): RTCSessionDescriptionInit | null {
		return this.#pendingLocal ?? this.#localDescription;
	}
	get currentLocalDescription(): RTCSessionDescriptionInit | null {
		return this.#localDescription;
	}
	get pendingLocalDescription(): RTCSessionDescriptionInit | null {
		return this.#pendingLocal ?? null;
	}
	get remoteDescription(): RTCSessionDescriptionInit | null {
		return this.#remoteDescription;
	}
	get closed(): boolean {
		return this.#signalingState === 'closed';
	}

	/** Every m-section, in SDP order (then the ones not negotiated yet). */
	getTransceivers(): RTCRtpTransceiverInfo[] {
		return this.#transceivers.map((t) => ({
			mid: t.mid,
			kind: t.kind,
			currentDirection: t.currentDirection,
			receiver: t.receiver ?? null,
			sender: t.sender ?? null,
			consumer: t.consumer ?? null,
		}));
	}
	/** The Producers fed by the remote. */
	getProducers(): Producer[] {
		return this.#transceivers.flatMap((t) => (t.receiver && !t.receiver.closed ? [t.receiver] : []));
	}
	/** The DataProducers fed by the remote's data channels. */
	getDataProducers(): DataProducer[] {
		return [...this.#dataProducers.values()];
	}
	/** The DataConsumers that send to the remote's data channels. */
	getDataConsumers(): DataConsumer[] {
		return [...this.#dataConsumers.values()];
	}

	/**
	 * Sends `dataProducer`'s messages to the remote on a data channel that this
	 * connection opens in band (RFC 8832 DATA_CHANNEL_OPEN: the remote gets a W3C
	 * 'datachannel' event with the DataProducer's label and protocol). Needs a
	 * connection whose transport has SCTP: an offer with an application m-section, or
	 * transportOptions.enableSctp. Without a negotiated application m-section yet,
	 * 'negotiationneeded' fires and our next offer adds one.
	 */
	async addDataProducer(dataProducer: DataProducer): Promise<DataConsumer> {
		this.#assertOpen('addDataProducer()');
		if (!dataProducer || typeof dataProducer !== 'object' || typeof dataProducer.id !== 'string' || !('label' in dataProducer)) {
			throw new TypeError('invalid dataProducer: must be a DataProducer');
		}
		if (dataProducer.closed) throw new InvalidStateError('addDataProducer(): the DataProducer is closed');
		return this.#enqueue(async () => {
			this.#assertOpen('addDataProducer()');
			const transport = await this.#ensureTransport(this.#transportOptions.enableSctp === true);
			if (!this.#sctpEnabled) {
				throw new UnsupportedError('addDataProducer(): this connection has no SCTP (the first offer had no application m-section; or set transportOptions.enableSctp)');
			}
			if (!this.#transceivers.some((t) => t.kind === 'application' && !t.rejected)) {
				this.#transceivers.push({ mid: null, kind: 'application', rejected: false, streamId: this.#streamId, trackId: '', currentDirection: null });
				this.#updateNegotiationNeeded();
			}
			// RFC 8832 §6: the DTLS client opens channels on even stream ids, the server on odd.
			const streamIdParity = transport.dtlsParameters.role === 'client' ? 0 : 1;
			const dataConsumer = await transport.consumeData({
				dataProducerId: dataProducer.id,
				[kOpenDataChannelInBand]: { streamIdParity },
			} as Parameters<WebRtcTransport['consumeData']>[0]);
			const streamId = dataConsumer.sctpStreamParameters?.streamId as number;
			this.#dataConsumers.set(streamId, dataConsumer);
			dataConsumer.observer.once('close', () => {
				if (this.#dataConsumers.get(streamId) === dataConsumer) this.#dataConsumers.delete(streamId);
			});
			return dataConsumer;
		});
	}

	/** The Consumers that send to the remote. */
	getConsumers(): Consumer[] {
		return this.#transceivers.flatMap((t) => (t.consumer && !t.consumer.closed ? [t.consumer] : []));
	}

	/**
	 * Sends `producer` (a Producer of this connection's Router) to the remote: in an
	 * m-section the remote offered to receive on and that carries nothing yet (W3C
	 * addTrack's reuse rule), or else in a new m-section, announced by
	 * 'negotiationneeded'. The Consumer is made when the next answer (or the remote's
	 * answer to our offer) settles the codecs, and reported by 'consumer'.
	 */
	addProducer(producer: Producer): void {
		this.#assertOpen('addProducer()');
		if (!producer || typeof producer !== 'object' || typeof producer.id !== 'string' || !('kind' in producer)) {
			throw new TypeError('invalid producer: must be a Producer');
		}
		if (producer.closed) throw new InvalidStateError('addProducer(): the Producer is closed');
		if (this.#transceivers.some((t) => t.sender === producer)) throw new InvalidStateError('addProducer(): the Producer is already added');
		const reusable = this.#transceivers.find(
			(t) => t.kind === producer.kind && !t.rejected && !t.sender && t.remote !== undefined && receives(t.remote.direction) && t.mid !== null
		);
		if (reusable && this.#signalingState !== 'have-local-offer') {
			reusable.sender = producer;
			this.#watchSender(reusable, producer);
			this.#updateNegotiationNeeded();
			return;
		}
		const transceiver: Transceiver = {
			mid: null,
			kind: producer.kind,
			rejected: false,
			sender: producer,
			streamId: this.#streamId,
			trackId: crypto.randomUUID(),
			currentDirection: null,
		};
		this.#transceivers.push(transceiver);
		this.#watchSender(transceiver, producer);
		this.#updateNegotiationNeeded();
	}

	/** A closed sender Producer leaves its m-section, which then needs renegotiating. */
	#watchSender(transceiver: Transceiver, producer: Producer): void {
		producer.observer.once('close', () => {
			if (transceiver.sender !== producer) return;
			transceiver.sender = undefined;
			transceiver.consumer = undefined;
			if (transceiver.mid === null) this.#transceivers.splice(this.#transceivers.indexOf(transceiver), 1);
			this.#updateNegotiationNeeded();
		});
	}

	/** Stops sending `producer`: its Consumer closes and its m-section goes inactive. */
	removeProducer(producer: Producer): void {
		this.#assertOpen('removeProducer()');
		const transceiver = this.#transceivers.find((t) => t.sender === producer);
		if (!transceiver) throw new InvalidStateError('removeProducer(): the Producer was not added');
		transceiver.consumer?.close();
		transceiver.consumer = undefined;
		transceiver.sender = undefined;
		if (transceiver.mid === null) this.#transceivers.splice(this.#transceivers.indexOf(transceiver), 1);
		this.#updateNegotiationNeeded();
	}

	/**
	 * Not W3C: an ICE restart the remote asked for outside an offer (WHIP/WHEP PATCH,
	 * RFC 9725 §4.3.2): takes the remote's new ufrag, gives the transport new
	 * credentials and returns them with our candidates. The rest of the session stays
	 * as negotiated.
	 */
	async restartIceFromRemote(remoteUsernameFragment: string): Promise<{ iceParameters: IceParameters; iceCandidates: IceCandidate[] }> {
		this.#assertOpen('restartIceFromRemote()');
		if (typeof remoteUsernameFragment !== 'string' || remoteUsernameFragment.length === 0) {
			throw new TypeError('invalid remoteUsernameFragment: must be a non-empty string');
		}
		return this.#enqueue(async () => {
			this.#assertOpen('restartIceFromRemote()');
			const transport = this.#transport;
			if (!transport || this.#remoteIceUfrag === undefined) throw new InvalidStateError('restartIceFromRemote(): nothing negotiated yet');
			const iceParameters = await transport.restartIce();
			this.#remoteIceUfrag = remoteUsernameFragment;
			return { iceParameters, iceCandidates: transport.iceCandidates };
		});
	}

	/** The remote's current ICE username fragment. */
	get remoteIceUsernameFragment(): string | undefined {
		return this.#remoteIceUfrag;
	}

	/** W3C restartIce(): the next offer carries new ICE credentials (RFC 8445 §9). */
	restartIce(): void {
		this.#assertOpen('restartIce()');
		this.#iceRestartNeeded = true;
		this.#updateNegotiationNeeded();
	}

	async setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
		this.#assertOpen('setRemoteDescription()');
		const session = parseRemote(description);
		return this.#enqueue(async () => {
			this.#assertOpen('setRemoteDescription()');
			if (description.type === 'offer' && this.#signalingState !== 'stable' && this.#signalingState !== 'have-remote-offer') {
				throw new InvalidStateError(`setRemoteDescription(offer) in signalingState "${this.#signalingState}" (glare rollback is not supported)`);
			}
			if (description.type === 'answer' && this.#signalingState !== 'have-local-offer') {
				throw new InvalidStateError(`setRemoteDescription(answer) in signalingState "${this.#signalingState}"`);
			}
			const transport = await this.#ensureTransport(session.media.some((m) => !isRefused(m) && isDataChannelSection(m)));
			await this.#applyRemote(session, description.type, transport);
			this.#remoteDescription = { type: description.type, sdp: description.sdp };
			if (description.type === 'offer') {
				this.#setSignalingState('have-remote-offer');
			} else {
				if (this.#pendingLocal) this.#localDescription = this.#pendingLocal;
				this.#pendingLocal = undefined;
				await this.#startConsumers();
				this.#setSignalingState('stable');
			}
		});
	}

	async createAnswer(): Promise<RTCSessionDescriptionInit> {
		this.#assertOpen('createAnswer()');
		return this.#enqueue(async () => {
			this.#assertOpen('createAnswer()');
			if (this.#signalingState !== 'have-remote-offer') {
				throw new InvalidStateError(`createAnswer() in signalingState "${this.#signalingState}"`);
			}
			const transport = await this.#ensureTransport();
			// Consumers for the added Producers the remote offered to receive.
			for (const t of this.#transceivers) {
				if (t.sender && !t.consumer && t.remote && t.mid !== null && !t.rejected && receives(t.remote.direction)) {
					await this.#createConsumer(t, transport, t.remote);
				}
			}
			const sections = this.#transceivers.filter((t) => t.mid !== null).map((t) => this.#section(t, true));
			return { type: 'answer' as const, sdp: this.#write(transport, sections, this.#dtlsAnswerSetup()) };
		});
	}

	async createOffer(): Promise<RTCSessionDescriptionInit> {
		this.#assertOpen('createOffer()');
		return this.#enqueue(async () => {
			this.#assertOpen('createOffer()');
			if (this.#signalingState !== 'stable' && this.#signalingState !== 'have-local-offer') {
				throw new InvalidStateError(`createOffer() in signalingState "${this.#signalingState}"`);
			}
			const transport = await this.#ensureTransport();
			if (this.#iceRestartNeeded && this.#remoteDescription) {
				await transport.restartIce();
				this.#iceRestartNeeded = false;
			}
			for (const t of this.#transceivers) {
				if (t.mid === null) t.mid = this.#allocateMid();
				// We offer first: the Consumer starts with the router's own numbers (the
				// remote's answer keeps them, RFC 3264 §6.1) and stays paused until then.
				if (t.sender && !t.consumer && !t.rejected) await this.#createConsumer(t, transport, t.remote);
			}
			const sections = this.#transceivers.map((t) => this.#section(t, false));
			return { type: 'offer' as const, sdp: this.#write(transport, sections, 'actpass') };
		});
	}

	/**
	 * Applies our description: the answer or offer from createAnswer()/createOffer(),
	 * or with no argument makes and applies the right one (W3C implicit SLD).
	 */
	async setLocalDescription(description?: RTCSessionDescriptionInit): Promise<void> {
		this.#assertOpen('setLocalDescription()');
		if (description === undefined) {
			description = this.#signalingState === 'have-remote-offer' ? await this.createAnswer() : await this.createOffer();
		}
		if (description === null || typeof description !== 'object' || typeof description.sdp !== 'string') {
			throw new TypeError('invalid description');
		}
		const { type, sdp } = description;
		return this.#enqueue(async () => {
			this.#assertOpen('setLocalDescription()');
			if (type === 'answer') {
				if (this.#signalingState !== 'have-remote-offer') throw new InvalidStateError(`setLocalDescription(answer) in signalingState "${this.#signalingState}"`);
				this.#localDescription = { type, sdp };
				this.#markNegotiated(true);
				await this.#startConsumers();
				this.#setSignalingState('stable');
			} else if (type === 'offer') {
				if (this.#signalingState !== 'stable' && this.#signalingState !== 'have-local-offer') {
					throw new InvalidStateError(`setLocalDescription(offer) in signalingState "${this.#signalingState}"`);
				}
				this.#pendingLocal = { type, sdp };
				this.#markNegotiated(false);
				this.#setSignalingState('have-local-offer');
			} else {
				throw new TypeError(`invalid description.type "${String(type)}"`);
			}
		});
	}

	/** Closes the connection: its transport, and with it every Producer and Consumer. */
	close(): void {
		if (this.#signalingState === 'closed') return;
		this.#signalingState = 'closed';
		this.#transport?.close();
		this.#transportPromise?.then((t) => t.close()).catch(() => undefined);
		this.#setIceConnectionState('closed');
		this.#setConnectionState('closed');
		this.safeEmit('close');
	}

	// -------------------------------------------------------------------------

	#assertOpen(what: string): void {
		if (this.#signalingState === 'closed') throw new InvalidStateError(`${what}: the RTCPeerConnection is closed`);
	}

	/** W3C "operations chain": one description operation at a time, in call order. */
	#enqueue<R>(operation: () => Promise<R>): Promise<R> {
		const result = this.#chain.then(operation);
		this.#chain = result.catch(() => undefined);
		return result;
	}

	/** The transport, made on first use; with SCTP when `wantSctp` (or the options ask). */
	async #ensureTransport(wantSctp = false): Promise<WebRtcTransport> {
		if (this.#transport) return this.#transport;
		if (!this.#transportPromise) {
			const enableSctp = this.#transportOptions.enableSctp ?? wantSctp;
			this.#sctpEnabled = enableSctp;
			this.#transportPromise = this.#router.createWebRtcTransport({ ...this.#transportOptions, enableSctp });
		}
		const transport = await this.#transportPromise;
		if (this.#signalingState === 'closed') {
			transport.close();
			throw new InvalidStateError('the RTCPeerConnection is closed');
		}
		this.#transport = transport;
		transport.on('icestatechange', (state: IceState) => this.#onTransportState(state, transport.dtlsState));
		transport.on('dtlsstatechange', (state: DtlsState) => this.#onTransportState(transport.iceState, state));
		transport.observer.on('close', () => this.close());
		if (this.#sctpEnabled) {
			const events = transport[kDataChannelEvents];
			events.on('open', (channel: InBandDataChannel) => void this.#onRemoteDataChannel(transport, channel));
			events.on('streamsreset', (streamIds: number[]) => {
				for (const streamId of streamIds) {
					this.#dataProducers.get(streamId)?.close();
					this.#dataProducers.delete(streamId);
					this.#dataConsumers.get(streamId)?.close();
					this.#dataConsumers.delete(streamId);
				}
			});
		}
		return transport;
	}

	/** The remote opened a data channel in band: a DataProducer takes its messages. */
	async #onRemoteDataChannel(transport: WebRtcTransport, channel: InBandDataChannel): Promise<void> {
		if (this.closed || this.#dataProducers.has(channel.streamId)) return;
		const sctpStreamParameters = {
			streamId: channel.streamId,
			ordered: channel.ordered,
			...(channel.maxRetransmits !== undefined ? { maxRetransmits: channel.maxRetransmits } : {}),
			...(channel.maxPacketLifeTime !== undefined ? { maxPacketLifeTime: channel.maxPacketLifeTime } : {}),
		};
		try {
			const dataProducer = await transport.produceData({ sctpStreamParameters, label: channel.label, protocol: channel.protocol });
			if (this.closed) return;
			this.#dataProducers.set(channel.streamId, dataProducer);
			dataProducer.observer.once('close', () => {
				if (this.#dataProducers.get(channel.streamId) === dataProducer) this.#dataProducers.delete(channel.streamId);
			});
			this.safeEmit('dataproducer', dataProducer, { label: channel.label, protocol: channel.protocol, streamId: channel.streamId });
		} catch {
			// The transport closed meanwhile, or the stream already has a DataProducer the
			// application made itself: nothing to report.
		}
	}

	#onTransportState(ice: IceState, dtls: DtlsState): void {
		if (this.closed) return;
		const iceState: RTCIceConnectionState =
			ice === 'connected' ? 'connected' : ice === 'completed' ? 'completed' : ice === 'disconnected' ? 'disconnected' : ice === 'closed' ? 'closed' : 'new';
		this.#setIceConnectionState(iceState);
		let state: RTCPeerConnectionState;
		if (dtls === 'failed') state = 'failed';
		else if (dtls === 'closed') state = 'closed';
		else if (ice === 'disconnected') state = 'disconnected';
		else if (dtls === 'connected' && (ice === 'connected' || ice === 'completed')) state = 'connected';
		else if (dtls === 'connecting' || ice === 'connected' || ice === 'completed') state = 'connecting';
		else state = 'new';
		this.#setConnectionState(state);
	}

	#setSignalingState(state: RTCSignalingState): void {
		if (this.#signalingState === state) return;
		this.#signalingState = state;
		this.safeEmit('signalingstatechange', state);
		if (state === 'stable') this.#updateNegotiationNeeded();
	}
	#setIceConnectionState(state: RTCIceConnectionState): void {
		if (this.#iceConnectionState === state) return;
		this.#iceConnectionState = state;
		this.safeEmit('iceconnectionstatechange', state);
	}
	#setConnectionState(state: RTCPeerConnectionState): void {
		if (this.#connectionState === state) return;
		this.#connectionState = state;
		this.safeEmit('connectionstatechange', state);
	}

	/** W3C §4.7.3: fire 'negotiationneeded' once, when stable, while something changed. */
	#updateNegotiationNeeded(): void {
		if (this.closed) return;
		const needed =
			this.#iceRestartNeeded ||
			this.#transceivers.some((t) => t.mid === null || (t.sender === undefined && t.consumer !== undefined) || (t.currentDirection !== null && t.currentDirection !== 'stopped' && !t.rejected && sends(t.currentDirection) !== Boolean(t.sender)));
		if (!needed) {
			this.#negotiationNeeded = false;
			return;
		}
		if (this.#negotiationNeeded || this.#signalingState !== 'stable') return;
		this.#negotiationNeeded = true;
		queueMicrotask(() => {
			if (this.#negotiationNeeded && this.#signalingState === 'stable' && !this.closed) this.safeEmit('negotiationneeded');
		});
	}

	#allocateMid(): string {
		const used = new Set(this.#transceivers.map((t) => t.mid));
		while (used.has(String(this.#nextMid))) this.#nextMid++;
		return String(this.#nextMid++);
	}

	/** RFC 5763 §5: we answer an 'actpass' offer as 'passive' (the DTLS server). */
	#dtlsAnswerSetup(): 'passive' | 'active' {
		return this.#transport?.dtlsParameters.role === 'client' ? 'active' : 'passive';
	}

	async #applyRemote(session: SdpSession, type: RTCSdpType, transport: WebRtcTransport): Promise<void> {
		const first = session.media.find((m) => !isRefused(m)) as SdpMedia;
		const fingerprint = first.fingerprint ?? session.fingerprint!;
		const setup = first.setup ?? session.setup ?? 'actpass';
		const { ufrag } = iceCredentials(session, first);
		const fingerprintKey = `${fingerprint.type.toLowerCase()} ${fingerprint.hash.toUpperCase()}`;
		if (!this.#dtlsConnected) {
			if (type === 'answer' && setup === 'actpass') throw new TypeError('invalid sdp: an answer must not say a=setup:actpass (RFC 5763 §5)');
			// The remote's role: 'active' (or an offer's 'actpass', which we answer as
			// 'passive') makes it the DTLS client.
			const remoteRole = setup === 'passive' ? 'server' : 'client';
			await transport.connect({
				dtlsParameters: {
					role: remoteRole,
					fingerprints: [{ algorithm: fingerprint.type.toLowerCase() as 'sha-256', value: fingerprint.hash.toUpperCase() }],
				},
			});
			this.#dtlsConnected = true;
			this.#remoteFingerprint = fingerprintKey;
		} else if (this.#remoteFingerprint !== fingerprintKey) {
			throw new UnsupportedError('the remote DTLS fingerprint changed; a new RTCPeerConnection is needed');
		}
		// A remote ICE restart (new ufrag, RFC 8839 §4.4.1.1.1): our answer must carry
		// new credentials too.
		if (this.#remoteIceUfrag !== undefined && ufrag !== this.#remoteIceUfrag && type === 'offer') {
			await transport.restartIce();
		}
		this.#remoteIceUfrag = ufrag;

		const announced: [Producer, RemoteTrackInfo][] = [];
		for (const [index, media] of session.media.entries()) {
			const mid = String(media.mid);
			let transceiver = this.#transceivers.find((t) => t.mid === mid);
			if (type === 'answer') {
				if (!transceiver) throw new TypeError(`invalid answer: m= section ${index} (mid "${mid}") was not offered`);
			} else if (!transceiver) {
				const kind = MEDIA_KINDS.has(media.type) || media.type === 'application' ? (media.type as MediaKind | 'application') : 'application';
				transceiver = {
					mid,
					kind,
					rejected: false,
					streamId: this.#streamId,
					trackId: crypto.randomUUID(),
					currentDirection: null,
				};
				// Keep SDP order: new m-sections follow the known ones in the remote's order.
				this.#transceivers.splice(this.#negotiatedCount(), 0, transceiver);
			}
			transceiver.remote = media;
			transceiver.protocol = media.protocol;
			if (!isRefused(media) && media.type === 'application' && transceiver.kind === 'application') {
				if (!isDataChannelSection(media) || !this.#sctpEnabled) this.#refuse(transceiver);
				else transceiver.remoteMaxMessageSize = media.maxMessageSize;
				continue;
			}
			if (isRefused(media) || !MEDIA_KINDS.has(media.type)) {
				// Refused by the remote, or neither media nor data channels: refused.
				this.#refuse(transceiver);
				continue;
			}
			if (media.type !== transceiver.kind) throw new TypeError(`invalid sdp: m= section "${mid}" changed kind`);
			if (sends(media.direction)) {
				if (!transceiver.receiver) {
					const rtpParameters = producerRtpParameters(media, mid, this.#router.rtpCapabilities);
					if (!rtpParameters) {
						// No codec in common: refuse the m-section (RFC 3264 §6).
						if (type === 'offer' && !transceiver.sender) this.#refuse(transceiver);
						continue;
					}
					const producer = await this.#produce(transport, media, rtpParameters);
					transceiver.receiver = producer;
					transceiver.receiveRids = rtpParameters.encodings?.every((e) => e.rid) ? rtpParameters.encodings.map((e) => e.rid as string) : undefined;
					const msid = media.msid?.[0];
					announced.push([producer, { mid, kind: media.type as MediaKind, streamId: msid?.id, trackId: msid?.appdata }]);
				} else if (transceiver.receiver.paused) {
					await transceiver.receiver.resume();
				}
			} else if (transceiver.receiver && !transceiver.receiver.paused) {
				await transceiver.receiver.pause();
			}
			if (type === 'answer' && transceiver.consumer) {
				if (!receives(media.direction)) {
					await transceiver.consumer.pause();
				}
			}
		}
		if (type === 'offer' && !this.#transceivers.some((t) => t.mid !== null && !t.rejected)) {
			throw new UnsupportedError('no m= section has a codec in common with the router');
		}
		for (const [producer, info] of announced) this.safeEmit('producer', producer, info);
	}

	#negotiatedCount(): number {
		return this.#transceivers.filter((t) => t.mid !== null).length;
	}

	#refuse(transceiver: Transceiver): void {
		transceiver.rejected = true;
		transceiver.receiver?.close();
		transceiver.receiver = undefined;
		transceiver.consumer?.close();
		transceiver.consumer = undefined;
	}

	async #produce(transport: WebRtcTransport, media: SdpMedia, rtpParameters: RtpParameters): Promise<Producer> {
		try {
			return await transport.produce({ kind: media.type as MediaKind, rtpParameters });
		} catch (error) {
			throw new UnsupportedError(`m= section "${String(media.mid)}": ${(error as Error).message}`);
		}
	}

	/**
	 * A Consumer for the transceiver's Producer: with the remote m-section's
	 * capabilities and numbers when it offered, or the router's when we offer.
	 */
	async #createConsumer(t: Transceiver, transport: WebRtcTransport, remote: SdpMedia | undefined): Promise<void> {
		const producer = t.sender as Producer;
		if (producer.closed) {
			t.sender = undefined;
			return;
		}
		const rtpCapabilities = remote ? receiveCapabilities(remote) : this.#router.rtpCapabilities;
		if (!this.#router.canConsume({ producerId: producer.id, rtpCapabilities })) {
			if (remote) t.sender = undefined; // nothing the remote can decode: it stays recvonly/inactive
			return;
		}
		const consumer = await transport.consume({
			producerId: producer.id,
			rtpCapabilities,
			paused: true,
			mid: t.mid as string,
			...(remote ? { [kAdjustConsumerRtpParameters]: (p: RtpParameters) => adoptRemoteNumbers(p, remote) } : {}),
		});
		t.consumer = consumer;
	}

	/** After a completed exchange, Consumers whose m-section the remote receives start. */
	async #startConsumers(): Promise<void> {
		for (const t of this.#transceivers) {
			const consumer = t.consumer;
			if (!consumer || consumer.closed || !t.remote || t.rejected) continue;
			if (isRefused(t.remote)) {
				this.#refuse(t);
				continue;
			}
			if (receives(t.remote.direction) && consumer.paused) {
				const announce = !this.#announced.has(consumer);
				await consumer.resume();
				if (announce) {
					this.#announced.add(consumer);
					this.safeEmit('consumer', consumer, { mid: t.mid as string, producer: t.sender as Producer });
				}
			}
		}
	}

	#markNegotiated(answer: boolean): void {
		for (const t of this.#transceivers) {
			if (t.mid === null) continue;
			t.currentDirection = t.rejected ? 'stopped' : this.#direction(t, answer);
		}
	}

	#direction(t: Transceiver, answer: boolean): Direction {
		const wantSend = Boolean(t.consumer && t.sender);
		const wantReceive = Boolean(t.receiver);
		if (!answer) return combine(wantSend, wantReceive);
		const remote = t.remote?.direction;
		return combine(wantSend && receives(remote), wantReceive && sends(remote));
	}

	#section(t: Transceiver, answer: boolean): LocalSection {
		const mid = t.mid as string;
		if (t.rejected || (answer && !t.remote)) {
			return { mid, type: t.remote?.type ?? t.kind, protocol: t.protocol, rejected: true };
		}
		if (t.kind === 'application') {
			const maxMessageSize = this.#transport?.sctpParameters?.maxMessageSize ?? 262144;
			return { mid, type: 'application', rejected: false, sctp: { port: 5000, maxMessageSize } };
		}
		const direction = this.#direction(t, answer);
		const section: LocalSection = {
			mid,
			type: t.kind,
			rejected: false,
			direction,
			reducedSize: t.remote ? Boolean(t.remote.rtcpRsize) : true,
		};
		if (t.receiver) {
			section.receive = t.receiver.rtpParameters;
			section.receiveRids = t.receiveRids;
		}
		if (t.consumer) {
			section.send = { rtpParameters: t.consumer.rtpParameters, streamId: t.streamId, trackId: t.trackId };
		}
		if (!section.receive && !section.send && t.remote) {
			// Nothing to carry yet: answer with the remote's codecs the router knows,
			// inactive, so the m-section stays in the session for a later addProducer().
			const caps = receiveCapabilities(t.remote);
			const routerCodecs = this.#router.rtpCapabilities.codecs ?? [];
			const first = (caps.codecs ?? []).find((c) => routerCodecs.some((rc) => rc.mimeType.toLowerCase() === c.mimeType.toLowerCase()));
			if (!first) return { mid, type: t.remote.type, protocol: t.protocol, rejected: true };
			section.receive = {
				codecs: [{ mimeType: first.mimeType, payloadType: first.preferredPayloadType as number, clockRate: first.clockRate, channels: first.channels, parameters: first.parameters, rtcpFeedback: [] }],
				headerExtensions: [],
				encodings: [],
			};
			section.direction = 'inactive';
		}
		return section;
	}

	#write(transport: WebRtcTransport, sections: LocalSection[], setup: 'actpass' | 'passive' | 'active'): string {
		this.#sessionVersion++;
		return writeLocalDescription({
			sessionId: this.#sessionId,
			sessionVersion: this.#sessionVersion,
			iceParameters: transport.iceParameters,
			iceCandidates: transport.iceCandidates,
			fingerprints: transport.dtlsParameters.fingerprints,
			setup,
			sections,
		});
	}
}
