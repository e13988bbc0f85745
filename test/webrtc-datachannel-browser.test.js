'use strict';
// Data channels through mediaplane.webrtc.RTCPeerConnection with a plain Chromium
// RTCPeerConnection (no mediasoup-client): the page's in-band channels (RFC 8832
// DATA_CHANNEL_OPEN) become DataProducers with their label, protocol and reliability;
// a DataProducer the server adds reaches the page as a W3C 'datachannel' event;
// messages cross both ways (through a DirectTransport on the Node side); a channel the
// page closes closes its DataProducer; closing the connection leaves nothing.
const t = require('tap');
const http = require('node:http');
const mediaplane = require('..');
const { startPlainPage } = require('./browser/harness');

const LOCAL = '127.0.0.1';

async function waitFor(predicate, timeoutMs, what) {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		const value = await predicate();
		if (value) return value;
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
	throw new Error(`timed out waiting for ${what}`);
}

let worker;
let router;
let direct;
let server;
let browser;
let pc; // the server side of the page's connection
let newsProducer; // the Node-side DataProducer the server adds to the connection
const fromPage = []; // messages the Node side received: { label, text }

t.before(async () => {
	worker = await mediaplane.createWorker({ logLevel: 'warn' });
	router = await worker.createRouter({ mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }] });
	direct = await router.createDirectTransport();
	server = http.createServer(async (req, res) => {
		if (req.method === 'POST' && req.url === '/offer') {
			let body = '';
			for await (const chunk of req) body += chunk;
			pc = new mediaplane.webrtc.RTCPeerConnection({ router, transportOptions: { listenInfos: [{ protocol: 'udp', ip: LOCAL }] } });
			pc.on('dataproducer', async (dataProducer) => {
				const consumer = await direct.consumeData({ dataProducerId: dataProducer.id });
				consumer.on('message', (message) => fromPage.push({ label: dataProducer.label, text: message.toString() }));
			});
			try {
				await pc.setRemoteDescription({ type: 'offer', sdp: body });
				newsProducer = await direct.produceData({ label: 'server-news', protocol: 'json' });
				const dataConsumer = await pc.addDataProducer(newsProducer);
				if (dataConsumer.dataProducerId !== newsProducer.id) throw new Error('addDataProducer() resolved with another DataConsumer');
				const answer = await pc.createAnswer();
				await pc.setLocalDescription(answer);
				res.writeHead(200, { 'content-type': 'application/sdp' }).end(answer.sdp);
			} catch (error) {
				res.writeHead(500).end(error.message);
			}
		} else {
			res.writeHead(req.url === '/' ? 200 : 404, { 'content-type': 'text/html' }).end('<!doctype html><title>dc</title>');
		}
	});
	await new Promise((resolve) => server.listen(0, LOCAL, resolve));
	browser = await startPlainPage(`http://${LOCAL}:${server.address().port}/`);
});

t.teardown(async () => {
	await browser?.close();
	server?.closeAllConnections?.();
	await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
	worker?.close();
});

t.test('in-band data channels both ways between a plain page and the server', async (t) => {
	await browser.call(async () => {
		const pc = new RTCPeerConnection();
		window.pc = pc;
		window.received = [];
		window.chat = pc.createDataChannel('chat', { protocol: 'text' });
		window.lossy = pc.createDataChannel('lossy', { ordered: false, maxRetransmits: 0 });
		pc.ondatachannel = (event) => {
			window.serverChannel = event.channel;
			event.channel.onmessage = (m) => window.received.push(m.data);
		};
		await pc.setLocalDescription(await pc.createOffer());
		await new Promise((resolve) => {
			if (pc.iceGatheringState === 'complete') return resolve();
			const timer = setTimeout(resolve, 2000);
			pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && (clearTimeout(timer), resolve());
		});
		const response = await fetch('/offer', { method: 'POST', body: pc.localDescription.sdp });
		if (!response.ok) throw new Error(await response.text());
		await pc.setRemoteDescription({ type: 'answer', sdp: await response.text() });
	});
	const answer = pc.localDescription.sdp;
	t.match(answer, /m=application 9 UDP\/DTLS\/SCTP webrtc-datachannel/, 'the answer accepts the application m-section');
	t.match(answer, /a=sctp-port:5000/);

	// The page's two channels become DataProducers with their parameters.
	await waitFor(() => pc.getDataProducers().length === 2, 15000, 'two DataProducers');
	const byLabel = Object.fromEntries(pc.getDataProducers().map((dp) => [dp.label, dp]));
	t.equal(byLabel.chat.protocol, 'text', "'chat' keeps its protocol");
	t.equal(byLabel.chat.sctpStreamParameters.ordered, true);
	t.equal(byLabel.lossy.sctpStreamParameters.ordered, false, "'lossy' is unordered");
	t.equal(byLabel.lossy.sctpStreamParameters.maxRetransmits, 0, 'with maxRetransmits 0');
	t.equal(byLabel.chat.sctpStreamParameters.streamId % 2, 0, 'the page (DTLS client) opened an even stream id (RFC 8832 §6)');

	// The server's channel reaches the page with its label and protocol, on an odd id.
	const serverChannel = await waitFor(
		() => browser.call(() => window.serverChannel && window.serverChannel.readyState === 'open' && { label: window.serverChannel.label, protocol: window.serverChannel.protocol, id: window.serverChannel.id }),
		15000,
		"the page's 'datachannel' event"
	);
	t.same({ label: serverChannel.label, protocol: serverChannel.protocol }, { label: 'server-news', protocol: 'json' });
	t.equal(serverChannel.id % 2, 1, 'our channel has an odd stream id (we are the DTLS server)');

	// Messages both ways.
	t.equal(pc.getDataConsumers().length, 1, 'one DataConsumer sends to the page');
	for (let i = 0; i < 5; i++) newsProducer.send(`news ${i}`);
	await waitFor(() => browser.call(() => window.received.length >= 5), 10000, 'the page receiving 5 messages');
	t.same(await browser.call(() => window.received), ['news 0', 'news 1', 'news 2', 'news 3', 'news 4'], 'the page got the server messages in order');

	await browser.call(() => {
		for (let i = 0; i < 5; i++) window.chat.send(`chat ${i}`);
	});
	await waitFor(() => fromPage.filter((m) => m.label === 'chat').length >= 5, 10000, 'Node receiving 5 chat messages');
	t.same(fromPage.filter((m) => m.label === 'chat').map((m) => m.text), ['chat 0', 'chat 1', 'chat 2', 'chat 3', 'chat 4'], 'Node got the page messages in order');

	// The page closes 'chat': its DataProducer closes.
	const chatProducer = byLabel.chat;
	await browser.call(() => window.chat.close());
	await waitFor(() => chatProducer.closed, 10000, "the 'chat' DataProducer closing");
	t.equal(pc.getDataProducers().length, 1, "only 'lossy' is left");

	pc.close();
	t.ok(byLabel.lossy.closed, 'closing the connection closes its DataProducers');
	t.equal((await router.dump()).transportIds.length, 1, 'only the DirectTransport is left');
});

