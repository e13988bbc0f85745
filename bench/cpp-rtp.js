'use strict';
// Nanoseconds per packet for parse + rewrite + serialize of a 1,200-byte VP8 packet
// (RtpPacket, RtpPacketWriter), then with the copy kept for NACK (RetransmissionBuffer)
// and with the producer and consumer stream statistics (RtpStreamRecv, RtpStreamSend),
// next to a plain 1,200-byte memcpy measured in the same run. Builds the rtp_bench
// target of the "bench" CMake preset (bench/cpp/rtp_bench.cpp linked with the engine's
// pure C++ library, Release flags as the addon) into build/cpp-bench/ and runs it.
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { fmt } = require('./lib');

const { buildPreset } = require('../scripts/build-native');

async function main() {
	let binary;
	let buildLog = '';
	try {
		binary = path.join(await buildPreset('bench', { target: 'rtp_bench', log: (chunk) => (buildLog += chunk) }), 'rtp_bench');
	} catch (error) {
		console.log('RTP packet path (C++)');
		console.log(`  build failed: ${error.message}`);
		console.log(buildLog.slice(-4000));
		process.exit(1);
	}
	const run = spawnSync(binary, [], { encoding: 'utf8' });
	let result;
	try {
		result = JSON.parse(run.stdout.trim().split('\n').pop());
	} catch {
		console.log('RTP packet path (C++)');
		console.log(`  run failed (status ${run.status}): ${run.stdout}${run.stderr}`);
		process.exit(1);
	}
	const { parseRewriteNs, parseRewriteStoreNs, parseRewriteStoreSharedNs, withStreamStatsNs, memcpyNs } = result;
	console.log(`RTP packet path (C++, Release build; ${result.packetBytes}-byte VP8 packet, mid + abs-send-time + twcc)`);
	console.log(`  parse + rewrite + serialize     ${fmt(parseRewriteNs, 1)} ns/packet`);
	console.log(`  + store for NACK                ${fmt(parseRewriteStoreNs, 1)} ns/packet (whole packet copied)`);
	console.log(`  + store, payload shared         ${fmt(parseRewriteStoreSharedNs, 1)} ns/packet (header copied; one payload copy per 100 consumers)`);
	console.log(`  + producer/consumer stream stats ${fmt(withStreamStatsNs, 1)} ns/packet`);
	console.log(`  baseline: memcpy of ${result.packetBytes} bytes   ${fmt(memcpyNs, 1)} ns`);
	console.log(`  ratio: parse + rewrite + serialize / memcpy = ${fmt(parseRewriteNs / memcpyNs, 2)}x; ` +
		`with store = ${fmt(parseRewriteStoreNs / memcpyNs, 2)}x`);
	if (result.failures) {
		console.log(`  ${result.failures} packets failed to parse, write or store`);
		process.exit(1);
	}
}

main();
