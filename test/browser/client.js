'use strict';
// Page-side code of the browser tests: a thin layer over mediasoup-client that the Node
// side (test/browser/harness.js) drives through page.evaluate().
//
// Bundled at test time by esbuild into an IIFE (never committed). CommonJS, and inert
// outside a browser, because tap runs every .js file under test/. Everything the Node
// side may call is a function on `window`; every value passed in or returned is plain
// JSON. Signalling towards the server goes through `window.signal(method, data)`, a
// function that the harness exposes with page.exposeFunction(); it returns a Promise of
// whatever the Node-side handler returns:
//   signal('connect', { transportId, direction, dtlsParameters })  -> anything
//   signal('produce', { transportId, kind, rtpParameters, appData }) -> { id }
//   signal('connectionstatechange', { transportId, direction, connectionState }) (no answer used)
//   signal('icegatheringstatechange', { transportId, direction, iceGatheringState }) (no answer used)

if (typeof window !== 'undefined' && typeof document !== 'undefined') {
	installPageApi(require('mediasoup-client'));
}

function installPageApi({ Device, version, debug }) {
	const state = {
		device: undefined,
		transports: new Map(), // transportId -> { transport, history: [connectionState...] }
		producers: new Map(), // producerId -> Producer
		consumers: new Map(), // consumerId -> Consumer
		tracks: new Set(), // MediaStreamTracks from getUserMedia, stopped by closeAll()
		lastSendTransportId: undefined,
		lastRecvTransportId: undefined,
	};

	if (window.__mediaplaneDebug) debug.enable('mediasoup-client:*');

	function toPlain(value) {
		return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
	}

	function requireDevice() {
		if (!state.device || !state.device.loaded) throw new Error('device not loaded: call loadDevice() first');
		return state.device;
	}

	function getTransportEntry(transportId) {
		const entry = state.transports.get(transportId);
		if (!entry) throw new Error(`no transport with id ${transportId} in the page`);
		return entry;
	}

	function deviceInfo() {
		const device = state.device;
		if (!device) return { loaded: false };
		return {
			loaded: device.loaded,
			handlerName: device.handlerName,
			mediasoupClientVersion: version,
			recvRtpCapabilities: device.loaded ? toPlain(device.recvRtpCapabilities) : undefined,
			sendRtpCapabilities: device.loaded ? toPlain(device.sendRtpCapabilities) : undefined,
			canProduce: device.loaded
				? { audio: device.canProduce('audio'), video: device.canProduce('video') }
				: undefined,
		};
	}

	/**
	 * Loads a mediasoup-client Device from the router's RTP capabilities. A second call
	 * creates a fresh Device (transports of the old one stay as they are).
	 * Returns { loaded, handlerName, mediasoupClientVersion, recvRtpCapabilities,
	 * sendRtpCapabilities, canProduce: { audio, video } }.
	 */
	window.loadDevice = async (routerRtpCapabilities, options = {}) => {
		const device = await Device.factory(options.handlerName ? { handlerName: options.handlerName } : {});
		await device.load({ routerRtpCapabilities, preferLocalCodecsOrder: options.preferLocalCodecsOrder });
		state.device = device;
		return deviceInfo();
	};

	window.getDeviceInfo = () => deviceInfo();

	function wireTransport(transport) {
		const transportId = transport.id;
		const direction = transport.direction;
		const entry = { transport, history: [transport.connectionState] };
		state.transports.set(transportId, entry);

		transport.on('connect', ({ dtlsParameters }, callback, errback) => {
			window
				.signal('connect', { transportId, direction, dtlsParameters: toPlain(dtlsParameters) })
				.then(() => callback(), (error) => errback(error instanceof Error ? error : new Error(String(error))));
		});
		if (direction === 'send') {
			transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
				window
					.signal('produce', { transportId, kind, rtpParameters: toPlain(rtpParameters), appData: toPlain(appData) })
					.then(
						(answer) => {
							if (!answer || typeof answer.id !== 'string') throw new Error('produce: the Node side answered without { id }');
							callback({ id: answer.id });
						}
					)
					.catch((error) => errback(error instanceof Error ? error : new Error(String(error))));
			});
		}
		transport.on('connectionstatechange', (connectionState) => {
			entry.history.push(connectionState);
			window.signal('connectionstatechange', { transportId, direction, connectionState }).catch(() => {});
		});
		transport.on('icegatheringstatechange', (iceGatheringState) => {
			window.signal('icegatheringstatechange', { transportId, direction, iceGatheringState }).catch(() => {});
		});
		return { id: transportId, direction, connectionState: transport.connectionState };
	}

	function transportOptions(params) {
		const { id, iceParameters, iceCandidates, dtlsParameters, sctpParameters, iceServers, iceTransportPolicy } = params;
		return { id, iceParameters, iceCandidates, dtlsParameters, sctpParameters, iceServers, iceTransportPolicy };
	}

	/** params: { id, iceParameters, iceCandidates, dtlsParameters, sctpParameters } of the server transport. */
	window.createSendTransport = (params) => {
		const transport = requireDevice().createSendTransport(transportOptions(params));
		state.lastSendTransportId = transport.id;
		return wireTransport(transport);
	};

	window.createRecvTransport = (params) => {
		const transport = requireDevice().createRecvTransport(transportOptions(params));
		state.lastRecvTransportId = transport.id;
		return wireTransport(transport);
	};

	/**
	 * Produces a fake microphone ('audio') or camera ('video') track from getUserMedia
	 * (Chromium's --use-fake-device-for-media-stream). The first produce() on a transport
	 * makes mediasoup-client emit 'connect', then 'produce'.
	 * options: { transportId, encodings, codecOptions, codecMimeType, stopTracks, appData,
	 * video }. `video` (video only) replaces the camera's getUserMedia constraints, e.g.
	 * { width: 1280, height: 720, frameRate: 30 } for a capture big enough for three
	 * simulcast layers; the default is { width: 640, height: 360 }.
	 * Returns { id, kind, localId, rtpParameters, trackId, trackSettings } (trackSettings:
	 * the captured track's getSettings(), e.g. { width, height, frameRate }).
	 */
	window.produce = async (kind, options = {}) => {
		if (kind !== 'audio' && kind !== 'video') throw new Error(`produce: kind must be 'audio' or 'video', got ${kind}`);
		const transportId = options.transportId ?? state.lastSendTransportId;
		const { transport } = getTransportEntry(transportId);
		const stream = await navigator.mediaDevices.getUserMedia(
			kind === 'audio' ? { audio: true, video: false } : { audio: false, video: options.video ?? { width: 640, height: 360 } }
		);
		const track = kind === 'audio' ? stream.getAudioTracks()[0] : stream.getVideoTracks()[0];
		state.tracks.add(track);
		let codec;
		if (options.codecMimeType) {
			codec = requireDevice().sendRtpCapabilities.codecs.find(
				(c) => c.mimeType.toLowerCase() === options.codecMimeType.toLowerCase()
			);
			if (!codec) throw new Error(`produce: the device cannot send ${options.codecMimeType}`);
		}
		const producer = await transport.produce({
			track,
			encodings: options.encodings,
			codecOptions: options.codecOptions,
			codec,
			stopTracks: options.stopTracks ?? true,
			appData: options.appData ?? {},
		});
		state.producers.set(producer.id, producer);
		return {
			id: producer.id,
			kind: producer.kind,
			localId: producer.localId,
			rtpParameters: toPlain(producer.rtpParameters),
			trackId: track.id,
			trackSettings: toPlain(track.getSettings()),
		};
	};

	/**
	 * Consumes on a recv transport. options: { id, producerId, kind, rtpParameters,
	 * transportId, streamId, appData }. Returns { id, producerId, kind, localId,
	 * rtpParameters, trackId, trackReadyState }.
	 */
	window.consume = async (options) => {
		const transportId = options.transportId ?? state.lastRecvTransportId;
		const { transport } = getTransportEntry(transportId);
		const consumer = await transport.consume({
			id: options.id,
			producerId: options.producerId,
			kind: options.kind,
			rtpParameters: options.rtpParameters,
			streamId: options.streamId,
			appData: options.appData ?? {},
		});
		state.consumers.set(consumer.id, consumer);
		return {
			id: consumer.id,
			producerId: consumer.producerId,
			kind: consumer.kind,
			localId: consumer.localId,
			rtpParameters: toPlain(consumer.rtpParameters),
			trackId: consumer.track.id,
			trackReadyState: consumer.track.readyState,
		};
	};

	window.restartIce = async (transportId, iceParameters) => {
		await getTransportEntry(transportId).transport.restartIce({ iceParameters });
		return true;
	};

	/** Returns { id, direction, closed, connectionState, iceGatheringState, history }. */
	window.getTransportState = (transportId) => {
		const { transport, history } = getTransportEntry(transportId);
		return {
			id: transport.id,
			direction: transport.direction,
			closed: transport.closed,
			connectionState: transport.connectionState,
			iceGatheringState: transport.iceGatheringState,
			history: [...history],
		};
	};

	function candidateInfo(c) {
		if (!c) return undefined;
		return {
			id: c.id,
			address: c.address ?? c.ip,
			port: c.port,
			protocol: c.protocol,
			candidateType: c.candidateType,
		};
	}

	// Turns an RTCStatsReport into JSON and picks out the selected ICE candidate pair.
	function summarizeStats(report) {
		const stats = [];
		report.forEach((s) => stats.push(toPlain(s)));
		const byId = new Map(stats.map((s) => [s.id, s]));
		const transportStats = stats.find((s) => s.type === 'transport');
		let pair;
		if (transportStats && transportStats.selectedCandidatePairId) pair = byId.get(transportStats.selectedCandidatePairId);
		if (!pair) pair = stats.find((s) => s.type === 'candidate-pair' && (s.selected || s.nominated) && s.state === 'succeeded');
		return {
			dtlsState: transportStats?.dtlsState,
			iceState: transportStats?.iceState,
			dtlsRole: transportStats?.dtlsRole,
			tlsVersion: transportStats?.tlsVersion,
			srtpCipher: transportStats?.srtpCipher,
			selectedCandidatePair: pair
				? {
						state: pair.state,
						nominated: pair.nominated,
						bytesSent: pair.bytesSent,
						bytesReceived: pair.bytesReceived,
						currentRoundTripTime: pair.currentRoundTripTime,
						local: candidateInfo(byId.get(pair.localCandidateId)),
						remote: candidateInfo(byId.get(pair.remoteCandidateId)),
					}
				: undefined,
			stats,
		};
	}

	/**
	 * Stats of a transport's RTCPeerConnection: { connectionState, dtlsState, iceState,
	 * selectedCandidatePair: { state, local: { address, port, protocol, candidateType },
	 * remote: {...}, bytesSent, bytesReceived }, stats: [every RTCStats as JSON] }.
	 */
	window.getStats = async (transportId) => {
		const { transport } = getTransportEntry(transportId);
		const summary = summarizeStats(await transport.getStats());
		return { connectionState: transport.connectionState, ...summary };
	};

	window.getProducerStats = async (producerId) => {
		const producer = state.producers.get(producerId);
		if (!producer) throw new Error(`no producer with id ${producerId} in the page`);
		return summarizeStats(await producer.getStats()).stats;
	};

	/**
	 * mediasoup-client's producer.setMaxSpatialLayer(spatialLayer) on a simulcast
	 * producer: encodings above `spatialLayer` get active = false (the sender stops
	 * them), those at or below it active = true. Returns { maxSpatialLayer, encodings:
	 * [{ rid, active }] } as the RTCRtpSender's parameters now say.
	 */
	window.setMaxSpatialLayer = async (producerId, spatialLayer) => {
		const producer = state.producers.get(producerId);
		if (!producer) throw new Error(`no producer with id ${producerId} in the page`);
		await producer.setMaxSpatialLayer(spatialLayer);
		const encodings = producer.rtpSender ? producer.rtpSender.getParameters().encodings : [];
		return {
			maxSpatialLayer: producer.maxSpatialLayer,
			encodings: encodings.map(({ rid, active }) => ({ rid, active })),
		};
	};

	window.getConsumerStats = async (consumerId) => {
		const consumer = state.consumers.get(consumerId);
		if (!consumer) throw new Error(`no consumer with id ${consumerId} in the page`);
		return summarizeStats(await consumer.getStats()).stats;
	};

	window.closeTransport = (transportId) => {
		const entry = state.transports.get(transportId);
		if (entry) entry.transport.close();
		state.transports.delete(transportId);
		return Boolean(entry);
	};

	/** Closes every transport (and so its producers and consumers) and stops every fake track. */
	window.closeAll = () => {
		for (const { transport } of state.transports.values()) transport.close();
		state.transports.clear();
		state.producers.clear();
		state.consumers.clear();
		for (const track of state.tracks) track.stop();
		state.tracks.clear();
		for (const { source } of generated.values()) {
			try {
				source.stop();
			} catch {}
		}
		generated.clear();
		if (audioContext) audioContext.close().catch(() => {});
		audioContext = undefined;
		return true;
	};

	// -----------------------------------------------------------------------
	// Generated microphones: WebAudio source -> GainNode -> MediaStreamAudioDestination,
	// whose loudness the test sets (setLoudness) or schedules (scheduleLoudness).
	// -----------------------------------------------------------------------

	const generated = new Map(); // sourceId -> { context, gain, source, track }
	let audioContext;
	let nextSourceId = 1;

	async function getAudioContext() {
		if (!audioContext) audioContext = new AudioContext({ sampleRate: 48000 });
		if (audioContext.state !== 'running') await audioContext.resume();
		return audioContext;
	}

	function getGenerated(sourceId) {
		const entry = generated.get(sourceId);
		if (!entry) throw new Error(`no generated audio source ${sourceId} in the page`);
		return entry;
	}

	/**
	 * Produces an audio track generated with WebAudio instead of the fake microphone:
	 * a source (an OscillatorNode, or looped white noise) -> GainNode ->
	 * MediaStreamAudioDestinationNode. Chromium runs no audio processing on such a track
	 * (echo cancellation, noise suppression and AGC apply to getUserMedia capture only;
	 * the track is asked for them off anyway) and writes the RFC 6464 level of what it
	 * sends (ssrc-audio-level), so the gain set here is what the SFU sees.
	 * options: { transportId, source: 'sine' | 'noise' (default 'sine'), frequency (Hz,
	 * default 440), gain (initial, default 0), codecOptions (default { opusDtx: false }),
	 * appData }.
	 * Returns { id, kind, localId, rtpParameters, trackId, sourceId, contextState }.
	 */
	window.produceGeneratedAudio = async (options = {}) => {
		const transportId = options.transportId ?? state.lastSendTransportId;
		const { transport } = getTransportEntry(transportId);
		const context = await getAudioContext();
		let source;
		if ((options.source ?? 'sine') === 'noise') {
			const buffer = context.createBuffer(1, context.sampleRate * 2, context.sampleRate);
			const data = buffer.getChannelData(0);
			for (let i = 0; i < data.length; i++) data[i] = Math.random() * 2 - 1;
			source = context.createBufferSource();
			source.buffer = buffer;
			source.loop = true;
		} else {
			source = context.createOscillator();
			source.type = 'sine';
			source.frequency.value = options.frequency ?? 440;
		}
		const gain = context.createGain();
		gain.gain.value = options.gain ?? 0;
		const destination = context.createMediaStreamDestination();
		destination.channelCount = 1;
		source.connect(gain).connect(destination);
		source.start();
		const track = destination.stream.getAudioTracks()[0];
		await track
			.applyConstraints({ echoCancellation: false, noiseSuppression: false, autoGainControl: false })
			.catch(() => {});
		state.tracks.add(track);
		const sourceId = `gen${nextSourceId++}`;
		generated.set(sourceId, { context, gain, source, track });
		const producer = await transport.produce({
			track,
			codecOptions: options.codecOptions ?? { opusDtx: false },
			stopTracks: true,
			appData: options.appData ?? {},
		});
		state.producers.set(producer.id, producer);
		return {
			id: producer.id,
			kind: producer.kind,
			localId: producer.localId,
			rtpParameters: toPlain(producer.rtpParameters),
			trackId: track.id,
			sourceId,
			contextState: context.state,
		};
	};

	/** Sets a generated source's gain now (cancelling any schedule). Returns the page's Date.now(). */
	window.setLoudness = (sourceId, gain) => {
		const { context, gain: node } = getGenerated(sourceId);
		node.gain.cancelScheduledValues(0);
		node.gain.setValueAtTime(gain, context.currentTime);
		return Date.now();
	};

	/**
	 * Schedules a gain envelope on a generated source, sample-accurately on the
	 * AudioContext clock (no page timers): `segments` is [{ gain, ms }, ...] played one
	 * after the other from `delayMs` (default 0) from now; the gain then stays at the
	 * last segment's. Replaces any earlier schedule. Returns { startedAt, endsAt } in the
	 * page's Date.now() (the same clock as Node's on this machine).
	 */
	window.scheduleLoudness = (sourceId, segments, { delayMs = 0 } = {}) => {
		const { context, gain: node } = getGenerated(sourceId);
		const nowWall = Date.now();
		const start = context.currentTime + delayMs / 1000;
		node.gain.cancelScheduledValues(0);
		node.gain.setValueAtTime(node.gain.value, context.currentTime);
		let at = start;
		for (const { gain, ms } of segments) {
			node.gain.setValueAtTime(gain, at);
			at += ms / 1000;
		}
		return { startedAt: nowWall + delayMs, endsAt: nowWall + Math.round((at - context.currentTime) * 1000) };
	};

	/**
	 * A speech-like envelope for scheduleLoudness(): `gain` bursts of `onMs` (default
	 * 900) separated by `offMs` (default 250) of silence, for `durationMs`, then silence.
	 */
	window.speechSegments = ({ durationMs, gain = 0.5, onMs = 900, offMs = 250 }) => {
		const segments = [];
		for (let t = 0; t < durationMs && segments.length < 10_000; t += onMs + offMs) {
			segments.push({ gain, ms: Math.min(onMs, durationMs - t) });
			if (t + onMs < durationMs) segments.push({ gain: 0, ms: Math.min(offMs, durationMs - t - onMs) });
		}
		segments.push({ gain: 0, ms: 0 });
		return segments;
	};

	installDataChannelApi(state, { toPlain, getTransportEntry });
	installReceiveStatsApi(state);

	window.mediasoupClientVersion = version;
	window.__mediaplaneClientReady = true;
}


// ---------------------------------------------------------------------------
// Data channels (test/datachannel-browser.test.js): DataProducers and DataConsumers of
// mediasoup-client on the transports above. Messages follow test/datachannel/messages.js:
// the sender sends a deterministic plan, the receiver checks each message byte for byte
// in the page and returns only a summary.
//
// Extra signal: signal('producedata', { transportId, sctpStreamParameters, label,
// protocol, appData }) -> { id } (the Node side calls transport.produceData()).
// ---------------------------------------------------------------------------

function installDataChannelApi(state, { toPlain, getTransportEntry }) {
	const messages = require('../datachannel/messages');
	const dataProducers = new Map(); // id -> { dataProducer, events: [] }
	const dataConsumers = new Map(); // id -> { dataConsumer, events: [], collector }

	function getDataProducerEntry(id) {
		const entry = dataProducers.get(id);
		if (!entry) throw new Error(`no data producer with id ${id} in the page`);
		return entry;
	}

	function getDataConsumerEntry(id) {
		const entry = dataConsumers.get(id);
		if (!entry) throw new Error(`no data consumer with id ${id} in the page`);
		return entry;
	}

	// A send transport created by createSendTransport() has no 'producedata' listener:
	// add one that asks the Node side (which calls transport.produceData()).
	function ensureProduceDataSignal(transport) {
		if (transport.listenerCount('producedata') > 0) return;
		const transportId = transport.id;
		transport.on('producedata', ({ sctpStreamParameters, label, protocol, appData }, callback, errback) => {
			window
				.signal('producedata', {
					transportId,
					sctpStreamParameters: toPlain(sctpStreamParameters),
					label,
					protocol,
					appData: toPlain(appData),
				})
				.then((answer) => {
					if (!answer || typeof answer.id !== 'string') throw new Error('producedata: the Node side answered without { id }');
					callback({ id: answer.id });
				})
				.catch((error) => errback(error instanceof Error ? error : new Error(String(error))));
		});
	}

	function recordEvents(emitter, events, names) {
		for (const name of names) emitter.on(name, (arg) => events.push(name === 'error' ? `error: ${arg && arg.message}` : name));
	}

	function dataProducerInfo(dataProducer, events) {
		return {
			id: dataProducer.id,
			closed: dataProducer.closed,
			readyState: dataProducer.readyState,
			label: dataProducer.label,
			protocol: dataProducer.protocol,
			sctpStreamParameters: toPlain(dataProducer.sctpStreamParameters),
			bufferedAmount: dataProducer.bufferedAmount,
			events: [...events],
		};
	}

	function dataConsumerInfo(dataConsumer, events) {
		return {
			id: dataConsumer.id,
			dataProducerId: dataConsumer.dataProducerId,
			closed: dataConsumer.closed,
			readyState: dataConsumer.readyState,
			label: dataConsumer.label,
			protocol: dataConsumer.protocol,
			binaryType: dataConsumer.binaryType,
			sctpStreamParameters: toPlain(dataConsumer.sctpStreamParameters),
			events: [...events],
		};
	}

	/**
	 * transport.produceData() on a send transport. options: { transportId, ordered,
	 * maxPacketLifeTime, maxRetransmits, label, protocol, appData }. The first one on a
	 * transport makes mediasoup-client emit 'connect'. Returns { id, readyState,
	 * sctpStreamParameters, label, protocol, events }.
	 */
	window.produceData = async (options = {}) => {
		const transportId = options.transportId ?? state.lastSendTransportId;
		const { transport } = getTransportEntry(transportId);
		ensureProduceDataSignal(transport);
		const dataProducer = await transport.produceData({
			ordered: options.ordered,
			maxPacketLifeTime: options.maxPacketLifeTime,
			maxRetransmits: options.maxRetransmits,
			label: options.label,
			protocol: options.protocol,
			appData: options.appData ?? {},
		});
		const events = [];
		recordEvents(dataProducer, events, ['open', 'close', 'error', 'transportclose']);
		dataProducers.set(dataProducer.id, { dataProducer, events });
		return dataProducerInfo(dataProducer, events);
	};

	function newCollector(spec = { mode: 'count' }) {
		if (spec.mode === 'plan') {
			const plan = messages.makePlan({ count: spec.count, big: spec.big });
			const receiver = messages.orderedReceiver(spec.tag, plan);
			return {
				push: (data) => receiver.push(data, typeof data === 'string'),
				summary: () => ({ mode: 'plan', expected: plan.length, ...receiver.summary() }),
			};
		}
		if (spec.mode === 'numbered') {
			const seen = new Set();
			let received = 0;
			let bad = 0;
			let duplicates = 0;
			let outOfOrder = 0;
			let last = -1;
			let bytes = 0;
			return {
				push: (data) => {
					received++;
					bytes += typeof data === 'string' ? new TextEncoder().encode(data).length : data.byteLength;
					const seq = messages.parseNumbered(spec.tag, data);
					if (seq < 0) bad++;
					else if (seen.has(seq)) duplicates++;
					else {
						if (seq < last) outOfOrder++;
						last = Math.max(last, seq);
						seen.add(seq);
					}
				},
				summary: () => ({ mode: 'numbered', received, unique: seen.size, bad, duplicates, outOfOrder, bytes, maxSeq: last }),
			};
		}
		let received = 0;
		let bytes = 0;
		const last = [];
		return {
			push: (data) => {
				received++;
				const isString = typeof data === 'string';
				const size = isString ? new TextEncoder().encode(data).length : data.byteLength;
				bytes += size;
				last.push(isString ? { isString, text: data.length <= 200 ? data : `${data.slice(0, 200)}…`, size } : { isString, size });
				if (last.length > 20) last.shift();
			},
			summary: () => ({ mode: 'count', received, bytes, last: [...last] }),
		};
	}

	/**
	 * transport.consumeData() on a recv transport. options: { transportId, id,
	 * dataProducerId, sctpStreamParameters, label, protocol, appData, collect }, where
	 * `collect` says how to check what arrives: { mode: 'plan', tag, count, big } (an
	 * ordered plan of test/datachannel/messages.js), { mode: 'numbered', tag } (numbered
	 * messages that may be lost) or { mode: 'count' } (the default). binaryType is
	 * 'arraybuffer'. Returns { id, readyState, sctpStreamParameters, label, protocol, events }.
	 */
	window.consumeData = async (options) => {
		const transportId = options.transportId ?? state.lastRecvTransportId;
		const { transport } = getTransportEntry(transportId);
		const dataConsumer = await transport.consumeData({
			id: options.id,
			dataProducerId: options.dataProducerId,
			sctpStreamParameters: options.sctpStreamParameters,
			label: options.label,
			protocol: options.protocol,
			appData: options.appData ?? {},
		});
		dataConsumer.binaryType = 'arraybuffer';
		const entry = { dataConsumer, events: [], collector: newCollector(options.collect) };
		recordEvents(dataConsumer, entry.events, ['open', 'close', 'error', 'transportclose']);
		dataConsumer.on('message', (data) => entry.collector.push(data));
		dataConsumers.set(dataConsumer.id, entry);
		return dataConsumerInfo(dataConsumer, entry.events);
	};

	/** Starts checking a DataConsumer's messages afresh with `spec` (as consumeData's `collect`). */
	window.collectDataMessages = (dataConsumerId, spec) => {
		const entry = getDataConsumerEntry(dataConsumerId);
		entry.collector = newCollector(spec);
		return true;
	};

	/** What a DataConsumer's collector has seen so far (see consumeData). */
	window.getDataMessages = (dataConsumerId) => getDataConsumerEntry(dataConsumerId).collector.summary();

	async function drain(dataProducer, highWater, deadline) {
		// RTCDataChannel.send() throws once 16 MiB are queued: wait below `highWater`.
		while (dataProducer.bufferedAmount > highWater) {
			if (Date.now() > deadline) throw new Error(`sendDataMessages: bufferedAmount stuck at ${dataProducer.bufferedAmount}`);
			await new Promise((resolve) => setTimeout(resolve, 10));
		}
	}

	/**
	 * Sends messages on one or more DataProducers, interleaved one message per job per
	 * round. jobs: [{ dataProducerId, tag, count, big }] (an ordered plan) or
	 * [{ dataProducerId, tag, count, numbered: { size } }] (numbered messages of `size`
	 * bytes, strings). options: { timeoutMs (default 15000), highWater (default 4 MiB),
	 * pauseEvery, pauseMs }: waits `pauseMs` after every `pauseEvery` rounds (to spread
	 * messages over time). Returns [{ dataProducerId, sent, bytes }].
	 */
	window.sendDataMessages = async (jobs, options = {}) => {
		const list = Array.isArray(jobs) ? jobs : [jobs];
		const deadline = Date.now() + (options.timeoutMs ?? 15_000);
		const highWater = options.highWater ?? 4 * 1024 * 1024;
		const runs = list.map((job) => {
			const { dataProducer } = getDataProducerEntry(job.dataProducerId);
			if (dataProducer.readyState !== 'open') throw new Error(`sendDataMessages: data producer ${job.dataProducerId} is ${dataProducer.readyState}`);
			const plan = job.numbered ? undefined : messages.makePlan({ count: job.count, big: job.big });
			return { job, dataProducer, plan, sent: 0, bytes: 0 };
		});
		const rounds = Math.max(...runs.map((r) => r.job.count));
		for (let i = 0; i < rounds; i++) {
			for (const run of runs) {
				if (i >= run.job.count) continue;
				await drain(run.dataProducer, highWater, deadline);
				const data = run.plan
					? messages.messageData(run.job.tag, run.plan[i])
					: messages.numberedMessage(run.job.tag, i, run.job.numbered.size);
				run.dataProducer.send(data);
				run.sent++;
				run.bytes += typeof data === 'string' ? new TextEncoder().encode(data).length : data.byteLength;
			}
			if (options.pauseEvery && (i + 1) % options.pauseEvery === 0) await new Promise((resolve) => setTimeout(resolve, options.pauseMs ?? 10));
		}
		return runs.map((r) => ({ dataProducerId: r.job.dataProducerId, sent: r.sent, bytes: r.bytes }));
	};

	/** Sends one message (a string, or bytes given as an array of numbers) on a DataProducer. */
	window.sendDataMessage = (dataProducerId, data, { binary = false } = {}) => {
		const { dataProducer } = getDataProducerEntry(dataProducerId);
		dataProducer.send(binary ? new Uint8Array(data) : data);
		return dataProducer.bufferedAmount;
	};

	window.getDataProducerState = (id) => {
		const { dataProducer, events } = getDataProducerEntry(id);
		return dataProducerInfo(dataProducer, events);
	};

	window.getDataConsumerState = (id) => {
		const { dataConsumer, events } = getDataConsumerEntry(id);
		return dataConsumerInfo(dataConsumer, events);
	};

	/** Resolves once the data producer's or consumer's readyState is `readyState` (bounded by `ms`). */
	window.waitForDataState = async (kind, id, readyState, ms = 10_000) => {
		const get = () => (kind === 'producer' ? getDataProducerEntry(id).dataProducer : getDataConsumerEntry(id).dataConsumer);
		const deadline = Date.now() + ms;
		while (get().readyState !== readyState) {
			if (Date.now() > deadline) throw new Error(`data ${kind} ${id}: readyState ${get().readyState}, not ${readyState}, after ${ms} ms`);
			await new Promise((resolve) => setTimeout(resolve, 20));
		}
		return kind === 'producer' ? window.getDataProducerState(id) : window.getDataConsumerState(id);
	};

	window.closeDataProducer = (id) => {
		const { dataProducer, events } = getDataProducerEntry(id);
		dataProducer.close();
		return dataProducerInfo(dataProducer, events);
	};

	window.closeDataConsumer = (id) => {
		const { dataConsumer, events } = getDataConsumerEntry(id);
		dataConsumer.close();
		return dataConsumerInfo(dataConsumer, events);
	};
}


// ---------------------------------------------------------------------------
// What page B receives and decodes, compactly (test/bwe-constrained-browser.test.js,
// bench/bwe-constrained.js): one call for several consumers, and a watcher in the page
// that polls a consumer's framesDecoded every 100 ms so that the longest gap in
// decoding is known to ~100 ms without a page call per sample.
// ---------------------------------------------------------------------------

function installReceiveStatsApi(state) {
	const watches = new Map(); // consumerId -> { timer, progressAt: [ms...], lastFrames, startedAt, stoppedAt }

	function getConsumer(consumerId) {
		const consumer = state.consumers.get(consumerId);
		if (!consumer) throw new Error(`no consumer with id ${consumerId} in the page`);
		return consumer;
	}

	async function inboundRtp(consumer) {
		const report = await consumer.getStats();
		let found;
		report.forEach((s) => {
			if (s.type === 'inbound-rtp') found = s;
		});
		return found;
	}

	/**
	 * The inbound-rtp stats of each consumer's receiver, compact: { [consumerId]: {
	 * timestamp, framesDecoded, framesReceived, framesDropped, keyFramesDecoded,
	 * frameWidth, frameHeight, framesPerSecond, packetsReceived, packetsLost, bytesReceived,
	 * nackCount, retransmittedPacketsReceived, pliCount, firCount, freezeCount, totalFreezesDuration, jitter,
	 * jitterBufferDelay, jitterBufferEmittedCount } } ({} for a consumer with no
	 * inbound-rtp yet). Throws for an unknown consumer id.
	 */
	window.getVideoReceiveStats = async (consumerIds) => {
		const out = {};
		for (const id of consumerIds) {
			const s = (await inboundRtp(getConsumer(id))) ?? {};
			out[id] = {
				timestamp: s.timestamp,
				framesDecoded: s.framesDecoded,
				framesReceived: s.framesReceived,
				framesDropped: s.framesDropped,
				keyFramesDecoded: s.keyFramesDecoded,
				frameWidth: s.frameWidth,
				frameHeight: s.frameHeight,
				framesPerSecond: s.framesPerSecond,
				packetsReceived: s.packetsReceived,
				packetsLost: s.packetsLost,
				bytesReceived: s.bytesReceived,
				nackCount: s.nackCount,
				retransmittedPacketsReceived: s.retransmittedPacketsReceived,
				pliCount: s.pliCount,
				firCount: s.firCount,
				freezeCount: s.freezeCount,
				totalFreezesDuration: s.totalFreezesDuration,
				jitter: s.jitter,
				jitterBufferDelay: s.jitterBufferDelay,
				jitterBufferEmittedCount: s.jitterBufferEmittedCount,
			};
		}
		return out;
	};

	/**
	 * Starts watching a consumer's framesDecoded every `intervalMs` (default 100) in the
	 * page, for at most `maxMs` (default 300000); the watch also ends when the consumer
	 * is closed or gone (closeAll()). Replaces an earlier watch of the same consumer.
	 * Returns the page's Date.now() at the start.
	 */
	window.watchDecoding = (consumerId, { intervalMs = 100, maxMs = 300_000 } = {}) => {
		getConsumer(consumerId);
		window.stopDecodingWatch(consumerId);
		const watch = { timer: undefined, progressAt: [], lastFrames: undefined, startedAt: Date.now(), stoppedAt: undefined, busy: false };
		watches.set(consumerId, watch);
		const stop = () => {
			clearInterval(watch.timer);
			watch.timer = undefined;
			watch.stoppedAt ??= Date.now();
		};
		watch.stop = stop;
		watch.timer = setInterval(async () => {
			const consumer = state.consumers.get(consumerId);
			if (!consumer || consumer.closed || Date.now() - watch.startedAt > maxMs) {
				stop();
				return;
			}
			if (watch.busy) return;
			watch.busy = true;
			try {
				const s = await inboundRtp(consumer);
				const frames = s?.framesDecoded ?? 0;
				if (watch.lastFrames !== undefined && frames > watch.lastFrames) watch.progressAt.push(Date.now());
				watch.lastFrames = Math.max(watch.lastFrames ?? 0, frames);
				if (watch.progressAt.length > 20_000) watch.progressAt.splice(0, 10_000);
			} catch {
				// a closed receiver: the next tick stops the watch
			} finally {
				watch.busy = false;
			}
		}, intervalMs);
		return watch.startedAt;
	};

	/**
	 * What a watch saw between `fromMs` and `toMs` (page Date.now(); default: the whole
	 * watch, up to now): { framesDecoded (the last value seen), progressCount (polls that
	 * saw framesDecoded rise), longestGapMs (the longest time without a rise, counting
	 * from `fromMs` and up to `toMs`), gaps: [{ from, to, ms }] of more than `gapMs`
	 * (default 1000), watching (false once stopped) }.
	 */
	window.getDecodingWatch = (consumerId, { fromMs, toMs, gapMs = 1000 } = {}) => {
		const watch = watches.get(consumerId);
		if (!watch) throw new Error(`no decoding watch on consumer ${consumerId}: call watchDecoding() first`);
		const from = fromMs ?? watch.startedAt;
		const to = Math.min(toMs ?? Date.now(), watch.stoppedAt ?? Infinity);
		const points = watch.progressAt.filter((at) => at > from && at <= to);
		let longestGapMs = 0;
		const gaps = [];
		let previous = from;
		for (const at of [...points, to]) {
			const ms = at - previous;
			if (ms > longestGapMs) longestGapMs = ms;
			if (ms > gapMs) gaps.push({ from: previous, to: at, ms });
			previous = at;
		}
		return { framesDecoded: watch.lastFrames ?? 0, progressCount: points.length, longestGapMs, gaps, watching: Boolean(watch.timer) };
	};

	/** Stops a consumer's decoding watch (if any). Returns whether there was one running. */
	window.stopDecodingWatch = (consumerId) => {
		const watch = watches.get(consumerId);
		if (!watch || !watch.timer) return false;
		watch.stop();
		return true;
	};
}
