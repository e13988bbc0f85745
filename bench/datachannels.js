'use strict';
// Data channels over SCTP: one DataProducer fanned out to N DataConsumers, each on its
// own SCTP association (a PlainTransport with enableSctp) towards a second worker whose
// transports receive the messages into DataProducers of their own. Reports, per N:
//   - deliveries per second (wall clock) and MB/s delivered;
//   - deliveries per CPU second of the sending worker (its thread's rusage), the cost
//     of the fan-out: routing, SCTP framing, CRC32c, SACK processing, one sendmsg each;
//   - memory per idle and per busy association (RSS deltas of this process).
// Messages are 1 KiB; the sender keeps each stream's buffered amount bounded (it waits
// for 'bufferedamountlow' semantics through getBufferedAmount polling, in windows).
//
//   node bench/datachannels.js [--messages 20000] [--n 1,10,100]
const mediaplane = require('..');
const { fmt, rssMiB, nowMs } = require('./lib');

const args = process.argv.slice(2);
const argValue = (name, fallback) => {
	const i = args.indexOf(name);
	return i >= 0 ? args[i + 1] : fallback;
};
const MESSAGES = Number(argValue('--messages', 20000));
const FANOUTS = argValue('--n', '1,10,100').split(',').map(Number);
const MESSAGE = Buffer.alloc(1024, 0x61);
const LOCAL = { protocol: 'udp', ip: '127.0.0.1' };
const IDLE_ASSOCIATIONS = 200;

function settle(ms = 300) {
	if (global.gc) global.gc();
	return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(predicate, timeoutMs, what) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (await predicate()) return;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

// N SCTP associations between worker A (sending side) and worker B (receiving side).
async function connectPairs(routerA, routerB, n) {
	const pairs = [];
	for (let i = 0; i < n; i++) {
		const a = await routerA.createPlainTransport({ listenInfo: LOCAL, enableSctp: true });
		const b = await routerB.createPlainTransport({ listenInfo: LOCAL, enableSctp: true });
		await a.connect({ ip: b.tuple.localAddress, port: b.tuple.localPort });
		await b.connect({ ip: a.tuple.localAddress, port: a.tuple.localPort });
		pairs.push({ a, b });
	}
	await waitFor(() => pairs.every((p) => p.a.sctpState === 'connected' && p.b.sctpState === 'connected'), 20000, 'SCTP connected');
	return pairs;
}

async function fanout(workers, n) {
	const [routerA, routerB] = await Promise.all(workers.map((w) => w.createRouter()));
	const direct = await routerA.createDirectTransport();
	const dataProducer = await direct.produceData();
	const pairs = await connectPairs(routerA, routerB, n);
	const receivers = [];
	for (const pair of pairs) {
		pair.dataConsumer = await pair.a.consumeData({ dataProducerId: dataProducer.id });
		receivers.push(await pair.b.produceData({ sctpStreamParameters: pair.dataConsumer.sctpStreamParameters }));
	}
	const delivered = async () => {
		let total = 0;
		for (const r of receivers) total += (await r.getStats())[0].messagesReceived;
		return total;
	};
	const usageBefore = await workers[0].getResourceUsage();
	const start = nowMs();
	// Windows of messages: bounded buffering in every association (the send buffer is
	// 2 MB per association; a window of 256 KiB each keeps well inside it).
	const window = Math.max(16, Math.floor(256 / Math.max(1, n / 10)));
	let sent = 0;
	while (sent < MESSAGES) {
		const count = Math.min(window, MESSAGES - sent);
		for (let i = 0; i < count; i++) dataProducer.send(MESSAGE);
		sent += count;
		await waitFor(async () => (await delivered()) >= sent * n * 0.999 || (await pairs[0].dataConsumer.getBufferedAmount()) < 64 * 1024, 30000, 'window drained');
	}
	await waitFor(async () => (await delivered()) >= MESSAGES * n, 60000, 'every delivery');
	const elapsedMs = nowMs() - start;
	const usageAfter = await workers[0].getResourceUsage();
	const cpuMs = usageAfter.ru_utime + usageAfter.ru_stime - usageBefore.ru_utime - usageBefore.ru_stime;
	const deliveries = MESSAGES * n;
	routerA.close();
	routerB.close();
	return {
		n,
		deliveriesPerSecond: deliveries / (elapsedMs / 1000),
		mbPerSecond: (deliveries * MESSAGE.length) / (elapsedMs / 1000) / 1e6,
		deliveriesPerCpuSecond: deliveries / (cpuMs / 1000),
		cpuUsPerDelivery: (cpuMs * 1000) / deliveries,
	};
}

async function memory(workers) {
	const [routerA, routerB] = await Promise.all(workers.map((w) => w.createRouter()));
	// The same transports without SCTP first: the difference is the associations.
	const plain = [];
	await settle();
	const base = rssMiB();
	for (let i = 0; i < IDLE_ASSOCIATIONS; i++) {
		plain.push(await routerA.createPlainTransport({ listenInfo: LOCAL }));
		plain.push(await routerB.createPlainTransport({ listenInfo: LOCAL }));
	}
	await settle();
	const withoutSctp = rssMiB() - base;
	for (const transport of plain) transport.close();
	await settle();
	const base2 = rssMiB();
	const pairs = await connectPairs(routerA, routerB, IDLE_ASSOCIATIONS);
	await settle();
	const withSctp = rssMiB() - base2;
	const idleKiB = ((withSctp - withoutSctp) * 1024) / (2 * IDLE_ASSOCIATIONS);
	routerA.close();
	routerB.close();
	void pairs;
	return { idleKiB };
}

async function main() {
	const workers = [await mediaplane.createWorker(), await mediaplane.createWorker()];
	console.log(`data channels over SCTP (1 KiB messages, ${MESSAGES} sent per run; worker A sends, worker B receives)`);
	for (const n of FANOUTS) {
		const r = await fanout(workers, n);
		console.log(
			`  N=${String(n).padEnd(4)} ${fmt(r.deliveriesPerSecond, 0).padStart(8)} deliveries/s  ${fmt(r.mbPerSecond, 1).padStart(6)} MB/s` +
				`  ${fmt(r.deliveriesPerCpuSecond, 0).padStart(8)} deliveries per sending-worker CPU s (${fmt(r.cpuUsPerDelivery, 2)} us each)`
		);
		await settle();
	}
	const m = await memory(workers);
	console.log(`  idle association ${fmt(m.idleKiB, 1)} KiB each (${IDLE_ASSOCIATIONS} connected pairs, RSS; target < 32 KiB)`);
	for (const w of workers) w.close();
	console.log('  target: >= 50,000 deliveries per worker CPU second at N = 10');
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
