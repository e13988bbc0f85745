// The WHEP player page: POSTs an offer for up to four video and four audio streams to
// /whep/<room> and shows what arrives, one <video> per video track.
'use strict';

(function () {
	const $ = (id) => document.getElementById(id);
	const params = new URLSearchParams(location.search);
	if (params.get('room')) $('room').value = params.get('room');
	let player;

	function status(text) {
		$('status').textContent = text;
	}

	async function stop() {
		const current = player;
		player = undefined;
		$('stop').disabled = true;
		$('play').disabled = false;
		$('streams').replaceChildren();
		if (current) await current.stop().catch(() => {});
	}

	$('form').addEventListener('submit', async (event) => {
		event.preventDefault();
		await stop();
		$('play').disabled = true;
		status('connecting…');
		try {
			player = await window.mediaplaneWhip.play(`/whep/${encodeURIComponent($('room').value)}`, {
				videoCount: 4,
				audioCount: 4,
				onTrack: (track) => {
					const element = document.createElement(track.kind === 'video' ? 'video' : 'audio');
					element.autoplay = true;
					element.playsInline = true;
					element.srcObject = new MediaStream([track]);
					if (track.kind === 'video') element.muted = true; // audio plays from its own element
					$('streams').append(element);
				},
			});
			window.player = player;
			$('stop').disabled = false;
			status('playing');
			player.pc.addEventListener('connectionstatechange', () => status(player ? player.pc.connectionState : 'stopped'));
		} catch (error) {
			$('play').disabled = false;
			status(error.status === 404 ? 'nobody is in that room' : error.message);
		}
	});
	$('stop').addEventListener('click', () => stop().then(() => status('stopped')));
})();
