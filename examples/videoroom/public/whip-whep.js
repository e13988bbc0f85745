// WHIP (RFC 9725) publisher and WHEP player for a plain browser RTCPeerConnection: no
// SDK. Used by the demo's player page (whep.html) and by the tests that publish and
// play through mediaplane's WHIP/WHEP handlers. Non-trickle: the offer is sent once
// ICE gathering is complete (bounded), so the server gets every candidate at once.
'use strict';

(function () {
	async function gathered(pc, timeoutMs) {
		if (pc.iceGatheringState === 'complete') return;
		await new Promise((resolve) => {
			const timer = setTimeout(resolve, timeoutMs);
			pc.addEventListener('icegatheringstatechange', () => {
				if (pc.iceGatheringState === 'complete') {
					clearTimeout(timer);
					resolve();
				}
			});
		});
	}

	async function exchange(pc, url, token) {
		await pc.setLocalDescription(await pc.createOffer());
		await gathered(pc, 2000);
		const headers = { 'content-type': 'application/sdp' };
		if (token) headers.authorization = `Bearer ${token}`;
		const response = await fetch(url, { method: 'POST', headers, body: pc.localDescription.sdp });
		const body = await response.text();
		if (response.status !== 201) {
			const error = new Error(`${url}: ${response.status} ${body.trim()}`);
			error.status = response.status;
			throw error;
		}
		await pc.setRemoteDescription({ type: 'answer', sdp: body });
		const endpoint = new URL(url, window.location.href);
		return { location: new URL(response.headers.get('location'), endpoint).href, etag: response.headers.get('etag') };
	}

	function session(pc, resource, token) {
		return {
			pc,
			location: resource.location,
			etag: resource.etag,
			// DELETE first (RFC 9725 §4.2): closing the connection first would end the
			// session on the server (DTLS close_notify) before the DELETE arrives.
			async stop() {
				const headers = token ? { authorization: `Bearer ${token}` } : {};
				try {
					const response = await fetch(resource.location, { method: 'DELETE', headers });
					return response.status;
				} finally {
					pc.close();
				}
			},
		};
	}

	/**
	 * Publishes a MediaStream (or camera + microphone when none is given) to a WHIP
	 * endpoint. options: { stream, token, simulcast: true | [encodings], codec: 'H264' | 'VP8' }.
	 */
	async function publish(url, options = {}) {
		const stream = options.stream || (await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 480 } }));
		const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
		for (const track of stream.getTracks()) {
			const init = { direction: 'sendonly', streams: [stream] };
			if (track.kind === 'video' && options.simulcast) {
				init.sendEncodings = Array.isArray(options.simulcast)
					? options.simulcast
					: [
							{ rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150000 },
							{ rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500000 },
							{ rid: 'f', maxBitrate: 1200000 },
						];
			}
			const transceiver = pc.addTransceiver(track, init);
			if (track.kind === 'video' && options.codec && transceiver.setCodecPreferences) {
				const wanted = `video/${options.codec}`.toLowerCase();
				const codecs = RTCRtpSender.getCapabilities('video').codecs;
				transceiver.setCodecPreferences([
					...codecs.filter((c) => c.mimeType.toLowerCase() === wanted),
					...codecs.filter((c) => c.mimeType.toLowerCase() !== wanted),
				]);
			}
		}
		try {
			return Object.assign(session(pc, await exchange(pc, url, options.token), options.token), { stream });
		} catch (error) {
			pc.close();
			throw error;
		}
	}

	/**
	 * Plays a WHEP endpoint: offers to receive audio and video, and attaches what
	 * arrives to options.video (a <video> element) when given.
	 * options: { token, video, videoCount: 1, audioCount: 1, onTrack(track, event) }.
	 */
	async function play(url, options = {}) {
		const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
		for (let i = 0; i < (options.audioCount ?? 1); i++) pc.addTransceiver('audio', { direction: 'recvonly' });
		for (let i = 0; i < (options.videoCount ?? 1); i++) pc.addTransceiver('video', { direction: 'recvonly' });
		const stream = new MediaStream();
		pc.addEventListener('track', (event) => {
			stream.addTrack(event.track);
			if (options.onTrack) options.onTrack(event.track, event);
			if (options.video && !options.video.srcObject) {
				options.video.srcObject = stream;
				options.video.play().catch(() => {});
			}
		});
		try {
			return Object.assign(session(pc, await exchange(pc, url, options.token), options.token), { stream });
		} catch (error) {
			pc.close();
			throw error;
		}
	}

	/** What the page has received and decoded so far (from getStats inbound-rtp). */
	async function receivedStats(pc) {
		const result = { videoFramesDecoded: 0, audioSamplesReceived: 0, audioPacketsReceived: 0, videoPacketsReceived: 0, frameWidth: 0, videoCodec: '' };
		const stats = await pc.getStats();
		stats.forEach((s) => {
			if (s.type !== 'inbound-rtp') return;
			if (s.kind === 'video') {
				result.videoFramesDecoded += s.framesDecoded || 0;
				result.videoPacketsReceived += s.packetsReceived || 0;
				result.frameWidth = Math.max(result.frameWidth, s.frameWidth || 0);
				const codec = s.codecId && stats.get(s.codecId);
				if (codec) result.videoCodec = codec.mimeType;
			} else if (s.kind === 'audio') {
				result.audioSamplesReceived += s.totalSamplesReceived || 0;
				result.audioPacketsReceived += s.packetsReceived || 0;
			}
		});
		return result;
	}

	window.mediaplaneWhip = { publish, play, receivedStats };
})();
