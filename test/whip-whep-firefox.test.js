'use strict';
// Firefox (Debian's firefox-esr, headless, fake camera and microphone) against the
// WHIP and WHEP handlers: one page publishes camera and microphone over WHIP with a
// plain RTCPeerConnection (examples/videoroom/public/whip-whep.js) and plays the same
// room over WHEP in a second RTCPeerConnection; it must decode 60 video frames and
// receive audio. This is the engine's first interop check with Firefox's WebRTC stack
// (its offers use a=bundle-only, its own extmap ids, per-section ICE credentials).
//
// Firefox gathers no ICE candidates on loopback, and none at all on a machine without a
// default route, so the whole exchange runs in a network namespace this test makes
// (unshare -n): a veth pair, 10.99.0.1/24 on one end, a default route through the other.
// Nothing leaves the namespace; it goes away with its last process. The server and
// Firefox run there in test/fixtures/firefox-whip-whep.js, which prints its findings.
const t = require('tap');
const path = require('node:path');
const { spawn, spawnSync } = require('node:child_process');
const { ensureFirefox } = require('../scripts/ensure-firefox');
const { ensureDebianProgram } = require('../scripts/ensure-debian-program');

const INNER = path.join(__dirname, 'fixtures', 'firefox-whip-whep.js');
const RUN_TIMEOUT_MS = 90_000;
const IP = '/usr/sbin/ip'; // iproute2
const NAMESPACE_SETUP = [
	`${IP} link set lo up`,
	`${IP} link add mp0 type veth peer name mp1`,
	`${IP} addr add 10.99.0.1/24 dev mp0`,
	`${IP} addr add 10.99.0.2/24 dev mp1`,
	`${IP} link set mp0 up`,
	`${IP} link set mp1 up`,
	`${IP} route add default via 10.99.0.2 dev mp0`,
].join(' && ');

/** True when this process may make a network namespace with a veth pair in it. */
function canMakeNamespace() {
	const probe = spawnSync('unshare', ['-n', 'sh', '-c', `${IP} link add mp0 type veth peer name mp1`], { stdio: 'ignore', timeout: 10_000 });
	return probe.status === 0;
}

t.test('Firefox publishes over WHIP and plays over WHEP', async (t) => {
	const firefox = ensureFirefox();
	ensureDebianProgram({ caller: 'whip-whep-firefox.test.js', program: IP, pkg: 'iproute2', purpose: 'the Firefox test\'s network namespace' });
	if (!canMakeNamespace()) {
		t.skip('cannot make a network namespace with a veth pair here (needs root, unshare and ip)');
		return;
	}
	const child = spawn('unshare', ['-n', 'sh', '-c', `${NAMESPACE_SETUP} && exec "$0" "$1" "$2"`, process.execPath, INNER, firefox], {
		env: { ...process.env, MEDIA_IP: '10.99.0.1' },
		stdio: ['ignore', 'pipe', 'inherit'],
		detached: true, // one process group: Firefox and its content processes go with it
	});
	const killGroup = () => {
		try {
			process.kill(-child.pid, 'SIGKILL');
		} catch {}
	};
	process.once('exit', killGroup);
	let output = '';
	child.stdout.on('data', (chunk) => (output += chunk));
	let timer;
	const code = await new Promise((resolve) => {
		timer = setTimeout(() => {
			killGroup();
			resolve('timeout');
		}, RUN_TIMEOUT_MS);
		child.once('exit', (status) => resolve(status));
	}).finally(() => clearTimeout(timer));
	killGroup(); // whatever Firefox left behind
	process.off('exit', killGroup);
	t.equal(code, 0, 'the run inside the namespace ended by itself');
	const line = output.split('\n').find((l) => l.startsWith('RESULT '));
	t.ok(line, 'it reported');
	if (!line) return;
	const result = JSON.parse(line.slice('RESULT '.length));
	t.equal(result.error, undefined, 'the page ran without error');
	if (!result.ok) return;
	t.match(result.userAgent, /Firefox\/\d+/, `the browser is Firefox (${result.userAgent})`);
	t.same(result.producerKinds, ['audio', 'video'], 'the WHIP offer made an audio and a video Producer');
	t.ok(result.stats.videoFramesDecoded >= 60, `Firefox decoded ${result.stats.videoFramesDecoded} frames of the video it published`);
	t.ok(result.stats.audioSamplesReceived > 0, `and ${result.stats.audioSamplesReceived} audio samples`);
	t.equal(result.stats.videoCodec.toLowerCase(), 'video/vp8');
	t.same(result.deletes, [200, 200], 'both DELETEs → 200');
	t.equal(result.sessionsLeft, 0, 'no session left');
	t.equal(result.transportsLeft, 0, 'no transport left');
});
