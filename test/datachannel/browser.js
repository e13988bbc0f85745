'use strict';
// Node side of the data channel browser tests: wires a page's mediasoup-client
// transports (test/browser/client.js) to server WebRtcTransports with enableSctp, and
// creates DataProducers/DataConsumers on both ends.

const { transportParams } = require('../browser/harness');
const { waitFor } = require('./util');

/**
 * Creates the page transport mirroring `serverTransport` (`direction` 'send' or 'recv')
 * and answers its signals: 'connect' -> serverTransport.connect({ dtlsParameters }),
 * 'producedata' -> serverTransport.produceData(...). `via` overrides the parameters
 * the page gets (e.g. ICE candidates pointing at a relay). Returns { transportId,
 * serverTransport, dataProducers: Map(id -> server DataProducer), connects: [...] }.
 */
async function mirrorTransport(session, serverTransport, direction, via) {
	const params = transportParams(via ?? serverTransport);
	if (!params.sctpParameters) throw new Error('mirrorTransport: the server transport has no sctpParameters (enableSctp: true?)');
	const mirror = { transportId: params.id, serverTransport, dataProducers: new Map(), connects: [] };
	session.setTransportHandlers(params.id, {
		connect: async ({ dtlsParameters }) => {
			mirror.connects.push(dtlsParameters);
			await serverTransport.connect({ dtlsParameters });
		},
		producedata: async ({ sctpStreamParameters, label, protocol, appData }) => {
			const dataProducer = await serverTransport.produceData({ sctpStreamParameters, label, protocol, appData });
			mirror.dataProducers.set(dataProducer.id, dataProducer);
			return { id: dataProducer.id };
		},
	});
	if (direction === 'send') await session.createSendTransport(params);
	else await session.createRecvTransport(params);
	return mirror;
}

/**
 * Produces data in the page on a send mirror; returns { page (the page's info),
 * server (the server DataProducer) }. options as the page's produceData().
 */
async function produceData(session, mirror, options = {}) {
	const page = await session.call('produceData', { transportId: mirror.transportId, ...options });
	const server = mirror.dataProducers.get(page.id);
	if (!server) throw new Error(`produceData: no server DataProducer for page data producer ${page.id}`);
	return { page, server };
}

/**
 * Consumes `dataProducerId` on the server recv transport of `mirror` (with
 * `serverOptions` for consumeData, e.g. { ordered: false, maxRetransmits: 0 }) and in the
 * page with `collect` (see the page's consumeData). Returns { page, server }.
 */
async function consumeData(session, mirror, dataProducerId, { serverOptions = {}, collect } = {}) {
	const server = await mirror.serverTransport.consumeData({ dataProducerId, ...serverOptions });
	// mediasoup's DataConsumer drops a message that does not fit in the SCTP send buffer
	// and says so with this event; the tests count it.
	server.sendBufferFull = 0;
	server.on('sctpsendbufferfull', () => server.sendBufferFull++);
	const page = await session.call('consumeData', {
		transportId: mirror.transportId,
		id: server.id,
		dataProducerId,
		sctpStreamParameters: server.sctpStreamParameters,
		label: server.label,
		protocol: server.protocol,
		collect,
	});
	return { page, server };
}

/**
 * Waits (bounded) until the page's data producer or consumer `id` is in `readyState`.
 * `serverTransport`, when given, has its ICE, DTLS and SCTP states added to a failure.
 */
async function waitForDataState(session, kind, id, readyState, ms = 15_000, serverTransport) {
	try {
		return await session.call('waitForDataState', kind, id, readyState, ms);
	} catch (error) {
		if (serverTransport) {
			const st = serverTransport;
			error.message += ` [server transport: iceState ${st.iceState}, dtlsState ${st.dtlsState}, sctpState ${st.sctpState}]`;
		}
		throw error;
	}
}

/**
 * Polls the page's collector of `dataConsumerId` until `done(summary)`; returns the
 * summary. On a timeout the error has the last summary and, when given, `more()` (an
 * async function returning a string, e.g. the server's stats).
 */
async function waitForMessages(session, dataConsumerId, done, ms, what, more) {
	let last;
	await waitFor(
		async () => {
			last = await session.call('getDataMessages', dataConsumerId);
			return done(last);
		},
		ms,
		what,
		async () => `${JSON.stringify(last)}${more ? `; ${await more().catch((e) => `(${e.message})`)}` : ''}`,
		200
	);
	return last;
}

/**
 * A description of the server side of a channel for failure messages: the
 * DataProducer's and DataConsumer's stats and buffered amount, and the transports' SCTP
 * states.
 */
function serverState({ producer, consumer, transports = [] }) {
	return async () => {
		const parts = [];
		if (producer) {
			const [st] = await producer.getStats();
			parts.push(`DataProducer messagesReceived ${st?.messagesReceived} bytesReceived ${st?.bytesReceived}`);
		}
		if (consumer) {
			const [st] = await consumer.getStats();
			parts.push(`DataConsumer messagesSent ${st?.messagesSent} bytesSent ${st?.bytesSent} bufferedAmount ${await consumer.getBufferedAmount()} sctpsendbufferfull ${consumer.sendBufferFull}`);
		}
		for (const tr of transports) parts.push(`transport ${tr.id.slice(0, 8)} ice ${tr.iceState} dtls ${tr.dtlsState} sctp ${tr.sctpState}`);
		return parts.join(', ');
	};
}

module.exports = { mirrorTransport, produceData, consumeData, waitForDataState, waitForMessages, serverState };
