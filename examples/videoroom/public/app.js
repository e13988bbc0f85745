// The video-room page: joins a room over the signaling WebSocket, publishes the camera
// and microphone with mediasoup-client, shows every other participant's video, plays
// their audio and shows live numbers from the server's getStats().
//
// Bundled with mediasoup-client by the server at start-up (esbuild). For tests, the page
// exposes window.demo (join, leave, getRemoteStats, getTiles, ...).
import { Device } from 'mediasoup-client';

const REQUEST_TIMEOUT_MS = 15_000;
const STATS_INTERVAL_MS = 1_000;

const $ = (selector) => document.querySelector(selector);

// ---------------------------------------------------------------------------
// Signaling: { id, method, data } requests, { id, ok, data|error } answers,
// { notification, data } events.
// ---------------------------------------------------------------------------

class Signaling {
	constructor(url, onNotification, onClose) {
		this.url = url;
		this.onNotification = onNotification;
		this.onClose = onClose;
		this.nextId = 1;
		this.pending = new Map();
	}

	open() {
		return new Promise((resolve, reject) => {
			const ws = new WebSocket(this.url);
			this.ws = ws;
			ws.onopen = () => resolve();
			ws.onerror = () => reject(new Error('cannot reach the signaling server'));
			ws.onmessage = (event) => this.receive(event.data);
			ws.onclose = () => {
				for (const { reject: fail, timer } of this.pending.values()) {
					clearTimeout(timer);
					fail(new Error('the connection to the server closed'));
				}
				this.pending.clear();
				this.onClose();
			};
		});
	}

	receive(text) {
		let message;
		try {
			message = JSON.parse(text);
		} catch {
			return;
		}
		if (message.notification) {
			this.onNotification(message.notification, message.data ?? {});
			return;
		}
		const entry = this.pending.get(message.id);
		if (!entry) return;
		this.pending.delete(message.id);
		clearTimeout(entry.timer);
		if (message.ok) entry.resolve(message.data);
		else entry.reject(new Error(`${entry.method}: ${message.error?.message ?? 'failed'}`));
	}

	request(method, data = {}) {
		if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return Promise.reject(new Error('not connected'));
		const id = this.nextId++;
		return new Promise((resolve, reject) => {
			const timer = setTimeout(() => {
				this.pending.delete(id);
				reject(new Error(`${method}: no answer from the server`));
			}, REQUEST_TIMEOUT_MS);
			this.pending.set(id, { resolve, reject, timer, method });
			this.ws.send(JSON.stringify({ id, method, data }));
		});
	}

	close() {
		if (this.ws) {
			this.ws.onclose = null;
			this.ws.close();
		}
		for (const { reject, timer } of this.pending.values()) {
			clearTimeout(timer);
			reject(new Error('left'));
		}
		this.pending.clear();
	}
}

// ---------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------

let call; // the current call, or undefined when not in a room

function newCall() {
	let recvReady;
	return {
		signaling: undefined,
		device: undefined,
		peerId: undefined,
		room: undefined,
		displayName: undefined,
		sendTransport: undefined,
		recvTransport: undefined,
		recvReady: new Promise((resolve) => (recvReady = resolve)),
		markRecvReady: () => recvReady(),
		producers: new Map(), // kind -> Producer
		consumers: new Map(), // consumer id -> { consumer, peerId }
		consuming: new Set(), // producer ids asked for
		peers: new Map(), // peer id -> { displayName, tile }
		localStream: new MediaStream(),
		selfTile: undefined,
		statsTimer: undefined,
		serverStats: undefined,
		left: false,
	};
}

function setStatus(text, isError = false) {
	const el = $('#status');
	el.textContent = text;
	el.classList.toggle('error', isError);
}

// ---------------------------------------------------------------------------
// Tiles
// ---------------------------------------------------------------------------

function createTile(label, { self = false } = {}) {
	const tile = $('#tile').content.firstElementChild.cloneNode(true);
	tile.querySelector('.name').textContent = label;
	tile.querySelector('video').srcObject = new MediaStream();
	if (self) tile.querySelector('audio').remove();
	else tile.querySelector('audio').srcObject = new MediaStream();
	if (self) $('#grid').prepend(tile);
	else $('#grid').append(tile);
	return tile;
}

function setTileTrack(tile, track) {
	const el = tile.querySelector(track.kind === 'video' ? 'video' : 'audio');
	if (!el) return;
	// One track per element: the video element shows video, the audio element plays audio.
	el.srcObject = new MediaStream([track]);
	el.play().catch(() => {});
	if (track.kind === 'video') tile.classList.add('has-video');
}

function removeTileTrack(tile, kind) {
	const el = tile.querySelector(kind === 'video' ? 'video' : 'audio');
	if (!el) return;
	el.srcObject = new MediaStream();
	if (kind === 'video') tile.classList.remove('has-video');
}

function setBadge(tile, kind, on) {
	const badges = tile.querySelector('.badges');
	let badge = badges.querySelector(`[data-kind="${kind}"]`);
	if (on && !badge) {
		badge = document.createElement('span');
		badge.dataset.kind = kind;
		badge.textContent = kind === 'audio' ? 'mic off' : 'camera off';
		badges.append(badge);
	} else if (!on && badge) badge.remove();
}

function addPeer({ peerId, displayName }) {
	if (call.peers.has(peerId)) return call.peers.get(peerId);
	const peer = { displayName, tile: createTile(displayName) };
	peer.tile.dataset.peerId = peerId;
	call.peers.set(peerId, peer);
	return peer;
}

function removePeer(peerId) {
	const peer = call.peers.get(peerId);
	if (!peer) return;
	for (const [id, entry] of call.consumers) {
		if (entry.peerId === peerId) {
			entry.consumer.close();
			call.consumers.delete(id);
		}
	}
	peer.tile.remove();
	call.peers.delete(peerId);
}

// ---------------------------------------------------------------------------
// Joining, publishing, consuming
// ---------------------------------------------------------------------------

function wsUrl() {
	return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}

async function join(roomName, displayName) {
	if (call) throw new Error('already in a room');
	call = newCall();
	const current = call;
	try {
		current.signaling = new Signaling(wsUrl(), (method, data) => onNotification(current, method, data), () => onDisconnected(current));
		await current.signaling.open();
		const joined = await current.signaling.request('join', { room: roomName, displayName });
		Object.assign(current, { peerId: joined.peerId, room: joined.room, displayName });

		current.device = await Device.factory();
		await current.device.load({ routerRtpCapabilities: joined.routerRtpCapabilities });
		await current.signaling.request('setRtpCapabilities', { rtpCapabilities: current.device.recvRtpCapabilities });

		showCall(current);
		for (const peer of joined.peers) addPeer(peer);

		await createRecvTransport(current);
		current.markRecvReady();
		for (const peer of joined.peers) for (const p of peer.producers) consumeProducer(current, p.producerId);

		await createSendTransport(current);
		await publish(current);
		startStats(current);
		setStatus('');
		return { peerId: current.peerId, room: current.room };
	} catch (error) {
		if (call === current) teardown(current);
		throw error;
	}
}

function transportOptions(params) {
	return { id: params.id, iceParameters: params.iceParameters, iceCandidates: params.iceCandidates, dtlsParameters: params.dtlsParameters };
}

function wireConnect(current, transport) {
	transport.on('connect', ({ dtlsParameters }, callback, errback) => {
		current.signaling.request('connectTransport', { transportId: transport.id, dtlsParameters }).then(callback, errback);
	});
	transport.on('connectionstatechange', (state) => {
		if (state === 'failed') setStatus(`${transport.direction} connection failed (is the announced address reachable?)`, true);
	});
}

async function createRecvTransport(current) {
	const params = await current.signaling.request('createTransport', { direction: 'recv' });
	current.recvTransport = current.device.createRecvTransport(transportOptions(params));
	wireConnect(current, current.recvTransport);
}

async function createSendTransport(current) {
	const params = await current.signaling.request('createTransport', { direction: 'send' });
	const transport = current.device.createSendTransport(transportOptions(params));
	current.sendTransport = transport;
	wireConnect(current, transport);
	transport.on('produce', ({ kind, rtpParameters }, callback, errback) => {
		current.signaling.request('produce', { transportId: transport.id, kind, rtpParameters }).then(({ id }) => callback({ id }), errback);
	});
}

/** Camera and microphone, each on its own so that a missing one does not stop the other. */
async function publish(current) {
	const problems = [];
	for (const kind of ['video', 'audio']) {
		if (!current.device.canProduce(kind)) {
			problems.push(`cannot send ${kind}`);
			continue;
		}
		let track;
		try {
			const stream = await navigator.mediaDevices.getUserMedia(
				kind === 'video' ? { video: { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 30 } } } : { audio: true }
			);
			track = stream.getTracks()[0];
		} catch (error) {
			problems.push(`no ${kind === 'video' ? 'camera' : 'microphone'} (${error.name})`);
			continue;
		}
		if (current.left) {
			track.stop();
			return;
		}
		current.localStream.addTrack(track);
		if (kind === 'video') setTileTrack(current.selfTile, track);
		const producer = await current.sendTransport.produce({
			track,
			stopTracks: true,
			...(kind === 'video' ? { codecOptions: { videoGoogleStartBitrate: 1000 } } : {}),
		});
		current.producers.set(kind, producer);
	}
	updateButtons(current);
	if (problems.length) setStatus(problems.join('; '), true);
}

async function consumeProducer(current, producerId) {
	if (current.consuming.has(producerId)) return;
	current.consuming.add(producerId);
	try {
		await current.recvReady;
		if (current.left) return;
		const params = await current.signaling.request('consume', { producerId });
		const peer = current.peers.get(params.peerId);
		if (!peer || current.left) return; // gone meanwhile; the server closes its side
		const consumer = await current.recvTransport.consume({
			id: params.id,
			producerId: params.producerId,
			kind: params.kind,
			rtpParameters: params.rtpParameters,
		});
		current.consumers.set(consumer.id, { consumer, peerId: params.peerId });
		setTileTrack(peer.tile, consumer.track);
		setBadge(peer.tile, consumer.kind, params.producerPaused);
		// The server created the consumer paused: now that our side is ready, start it.
		await current.signaling.request('resumeConsumer', { consumerId: consumer.id });
	} catch (error) {
		current.consuming.delete(producerId);
		if (!current.left) console.warn(`consume ${producerId}: ${error.message}`);
	}
}

function onNotification(current, method, data) {
	if (call !== current) return;
	switch (method) {
		case 'peerJoined':
			addPeer(data);
			break;
		case 'peerLeft':
			removePeer(data.peerId);
			break;
		case 'newProducer':
			consumeProducer(current, data.producerId);
			break;
		case 'consumerClosed': {
			const entry = current.consumers.get(data.consumerId);
			if (entry) {
				entry.consumer.close();
				current.consumers.delete(data.consumerId);
			}
			current.consuming.delete(data.producerId);
			const peer = current.peers.get(data.peerId);
			if (peer) {
				removeTileTrack(peer.tile, data.kind);
				setBadge(peer.tile, data.kind, false);
			}
			break;
		}
		case 'consumerPaused':
		case 'consumerResumed': {
			const peer = current.peers.get(data.peerId);
			if (peer) setBadge(peer.tile, data.kind, method === 'consumerPaused');
			break;
		}
		case 'roomClosed':
			teardown(current);
			setStatus(`The room closed: ${data.reason}`, true);
			break;
	}
}

function onDisconnected(current) {
	if (call !== current) return;
	teardown(current);
	setStatus('Disconnected from the server.', true);
}

// ---------------------------------------------------------------------------
// Mute, leave
// ---------------------------------------------------------------------------

async function setPaused(kind, paused) {
	const current = call;
	const producer = current?.producers.get(kind);
	if (!producer) return false;
	if (paused) producer.pause();
	else producer.resume();
	setBadge(current.selfTile, kind, paused);
	updateButtons(current);
	await current.signaling.request(paused ? 'pauseProducer' : 'resumeProducer', { producerId: producer.id });
	return true;
}

function updateButtons(current) {
	for (const [id, kind, on, off] of [['#mic', 'audio', 'Mute mic', 'Unmute mic'], ['#cam', 'video', 'Stop camera', 'Start camera']]) {
		const producer = current.producers.get(kind);
		const button = $(id);
		button.disabled = !producer;
		button.textContent = producer?.paused ? off : on;
		button.classList.toggle('off', Boolean(producer?.paused));
	}
}

async function leave() {
	const current = call;
	if (!current) return;
	try {
		await current.signaling.request('leave');
	} catch {}
	teardown(current);
}

function teardown(current) {
	current.left = true;
	clearInterval(current.statsTimer);
	current.signaling?.close();
	current.sendTransport?.close();
	current.recvTransport?.close();
	for (const track of current.localStream.getTracks()) track.stop();
	$('#grid').replaceChildren();
	if (call === current) call = undefined;
	$('#call').hidden = true;
	$('#join').hidden = false;
}

function showCall(current) {
	$('#join').hidden = true;
	$('#call').hidden = false;
	$('#room-label').textContent = `room "${current.room}"`;
	current.selfTile = createTile(`${current.displayName} (you)`, { self: true });
	current.selfTile.dataset.self = 'true';
	updateButtons(current);
	history.replaceState(null, '', `?room=${encodeURIComponent(current.room)}`);
}

// ---------------------------------------------------------------------------
// Live stats: the server's getStats() (bitrate, packets lost, score) once a second
// ---------------------------------------------------------------------------

function formatStats(byKind) {
	const line = (kind) => {
		const s = byKind?.[kind];
		if (!s) return `${kind.padEnd(5)} –`;
		const kbps = `${Math.round(s.bitrate / 1000)} kbps`.padStart(9);
		// RTCP's cumulative loss goes below zero when duplicates arrive; a person reads "0".
		const lost = Math.max(0, s.packetsLost);
		return `${kind.padEnd(5)} ${kbps} · lost ${lost} · score ${s.score}${s.paused ? ' · paused' : ''}`;
	};
	return `${line('video')}\n${line('audio')}`;
}

function startStats(current) {
	const poll = async () => {
		if (current.left) return;
		try {
			const stats = await current.signaling.request('getStats');
			current.serverStats = stats;
			current.selfTile.querySelector('.stats').textContent = formatStats(stats.self);
			for (const [peerId, peer] of current.peers) {
				peer.tile.querySelector('.stats').textContent = formatStats(stats.peers[peerId]);
			}
		} catch {}
	};
	poll();
	current.statsTimer = setInterval(poll, STATS_INTERVAL_MS);
}

// ---------------------------------------------------------------------------
// UI wiring
// ---------------------------------------------------------------------------

const params = new URLSearchParams(location.search);
$('#room').value = params.get('room') ?? 'lobby';
$('#name').value = `Guest ${Math.floor(1000 + Math.random() * 9000)}`;

$('#join').addEventListener('submit', (event) => {
	event.preventDefault();
	const button = $('#join button');
	button.disabled = true;
	setStatus('Joining…');
	join($('#room').value, $('#name').value)
		.catch((error) => setStatus(error.message, true))
		.finally(() => (button.disabled = false));
});
$('#mic').addEventListener('click', () => setPaused('audio', !call?.producers.get('audio')?.paused).catch((e) => setStatus(e.message, true)));
$('#cam').addEventListener('click', () => setPaused('video', !call?.producers.get('video')?.paused).catch((e) => setStatus(e.message, true)));
$('#leave').addEventListener('click', () => leave());
window.addEventListener('pagehide', () => call?.signaling?.close());

// ---------------------------------------------------------------------------
// For tests and the curious: window.demo
// ---------------------------------------------------------------------------

/** The page's own receive-side numbers, from each consumer's RTCRtpReceiver stats. */
async function getRemoteStats() {
	const current = call;
	if (!current) return [];
	const result = [];
	for (const [consumerId, { consumer, peerId }] of current.consumers) {
		const report = await consumer.getStats();
		let inbound = {};
		report.forEach((s) => {
			if (s.type === 'inbound-rtp') inbound = s;
		});
		result.push({
			consumerId,
			peerId,
			displayName: current.peers.get(peerId)?.displayName,
			kind: consumer.kind,
			paused: consumer.paused,
			packetsReceived: inbound.packetsReceived ?? 0,
			packetsLost: inbound.packetsLost ?? 0,
			bytesReceived: inbound.bytesReceived ?? 0,
			framesDecoded: inbound.framesDecoded ?? 0,
			frameWidth: inbound.frameWidth,
			totalSamplesReceived: inbound.totalSamplesReceived,
			totalAudioEnergy: inbound.totalAudioEnergy,
		});
	}
	return result;
}

/** What each tile shows: { peerId, self, displayName, hasVideo, videoWidth, currentTime, audioTracks }. */
function getTiles() {
	return [...document.querySelectorAll('#grid .tile')].map((tile) => {
		const video = tile.querySelector('video');
		const audio = tile.querySelector('audio');
		return {
			peerId: tile.dataset.peerId ?? null,
			self: tile.dataset.self === 'true',
			displayName: tile.querySelector('.name').textContent,
			hasVideo: tile.classList.contains('has-video'),
			videoWidth: video.videoWidth,
			currentTime: video.currentTime,
			videoPaused: video.paused,
			audioTracks: audio ? audio.srcObject.getAudioTracks().length : 0,
			stats: tile.querySelector('.stats').textContent,
		};
	});
}

window.demo = {
	join,
	leave,
	setPaused,
	getRemoteStats,
	getTiles,
	getState: () =>
		call
			? {
					joined: true,
					peerId: call.peerId,
					room: call.room,
					peers: [...call.peers.entries()].map(([peerId, p]) => ({ peerId, displayName: p.displayName })),
					producers: [...call.producers.entries()].map(([kind, p]) => ({ kind, id: p.id, paused: p.paused })),
					consumers: call.consumers.size,
					serverStats: call.serverStats,
				}
			: { joined: false },
	ready: true,
};
