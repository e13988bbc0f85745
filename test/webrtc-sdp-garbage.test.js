'use strict';
// Bad input into mediaplane.webrtc.RTCPeerConnection: recorded offers (test/fixtures/sdp)
// mutated at random (lines dropped, duplicated, swapped between offers, truncated,
// numbers and tokens replaced, bytes flipped), a fixed seed so a failure replays. Each
// setRemoteDescription() + createAnswer() either works or rejects with a TypeError,
// UnsupportedError or InvalidStateError (never another error, never a hang), and after
// close() no transport is left; the worker keeps answering throughout.
const t = require('tap');
const fs = require('node:fs');
const path = require('node:path');
const mediaplane = require('..');

const FIXTURES = path.join(__dirname, 'fixtures', 'sdp');
const offers = fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.sdp')).sort().map((f) => fs.readFileSync(path.join(FIXTURES, f), 'utf8'));
const ROUNDS = 400;
const SEED = Number(process.env.MEDIAPLANE_SDP_GARBAGE_SEED ?? 20261206);

/** Mulberry32: a small seeded PRNG, so that a failing round can be replayed. */
function prng(seed) {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let x = Math.imul(a ^ (a >>> 15), 1 | a);
		x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
		return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
	};
}

const TOKENS = ['0', '-1', '65536', '4294967296', '', ' ', 'NaN', 'actpass', 'holdconn', 'sendrecv', 'm=', 'a=', ':', '/', 'ÿ', 'x'.repeat(300)];

function mutate(random, sdp) {
	const pick = (list) => list[Math.floor(random() * list.length)];
	let lines = sdp.split(/\r?\n/).filter(Boolean);
	const edits = 1 + Math.floor(random() * 6);
	for (let e = 0; e < edits && lines.length; e++) {
		const i = Math.floor(random() * lines.length);
		switch (Math.floor(random() * 7)) {
			case 0:
				lines.splice(i, 1);
				break;
			case 1:
				lines.splice(i, 0, lines[i]);
				break;
			case 2:
				lines.splice(i, 0, pick(pick(offers).split(/\r?\n/).filter(Boolean)));
				break;
			case 3:
				lines[i] = lines[i].replace(/\d+/, pick(TOKENS));
				break;
			case 4:
				lines[i] = lines[i].replace(/[^ :=/]+$/, pick(TOKENS));
				break;
			case 5:
				lines = lines.slice(0, i + 1);
				break;
			default: {
				const chars = [...lines[i]];
				if (chars.length) chars[Math.floor(random() * chars.length)] = String.fromCharCode(Math.floor(random() * 256));
				lines[i] = chars.join('');
			}
		}
	}
	return `${lines.join('\r\n')}\r\n`;
}

t.test(`${ROUNDS} mutated offers: typed errors or answers, nothing left behind`, async (t) => {
	const worker = await mediaplane.createWorker({ logLevel: 'error' });
	t.teardown(() => worker.close());
	const router = await worker.createRouter({
		mediaCodecs: [
			{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
			{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
			{ kind: 'video', mimeType: 'video/H264', clockRate: 90000, parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f' } },
		],
	});
	const random = prng(SEED);
	const outcomes = { answered: 0, TypeError: 0, UnsupportedError: 0, InvalidStateError: 0 };
	const unexpected = [];
	for (let round = 0; round < ROUNDS; round++) {
		const sdp = mutate(random, offers[round % offers.length]);
		const pc = new mediaplane.webrtc.RTCPeerConnection({ router, transportOptions: { listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }] } });
		try {
			await pc.setRemoteDescription({ type: 'offer', sdp });
			const answer = await pc.createAnswer();
			await pc.setLocalDescription(answer);
			outcomes.answered++;
		} catch (error) {
			if (error instanceof TypeError || error instanceof mediaplane.UnsupportedError || error instanceof mediaplane.InvalidStateError) {
				outcomes[error.name]++;
			} else {
				unexpected.push({ round, error: `${error.name}: ${error.message}`, sdp });
			}
		} finally {
			pc.close();
		}
	}
	t.same(unexpected.slice(0, 3), [], `no other errors (seed ${SEED})`);
	t.comment(JSON.stringify(outcomes));
	t.ok(outcomes.answered > 0 && outcomes.TypeError + outcomes.UnsupportedError > 0, 'both outcomes occur (the mutations bite)');
	t.equal((await router.dump()).transportIds.length, 0, 'no transport left');
	t.ok((await worker.getResourceUsage()).ru_maxrss > 0, 'the worker still answers');
});
