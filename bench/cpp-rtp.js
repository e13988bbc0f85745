'use strict';
// Nanoseconds per packet for parse + rewrite + serialize of a 1,200-byte VP8 packet
// (RtpPacket, RtpPacketWriter), then with the copy kept for NACK (RetransmissionBuffer)
// and with the producer and consumer stream statistics (RtpStreamRecv, RtpStreamSend),
// next to a plain 1,200-byte memcpy measured in the same run. Compiles
// bench/cpp/rtp_bench.cpp with the engine sources it needs (g++ -O2, no Node, OpenSSL
// or libuv) into build/bench/ and runs it.
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { fmt } = require('./lib');

const root = path.join(__dirname, '..');
const engine = path.join(root, 'src', 'cpp', 'engine');
const sources = [
	path.join(__dirname, 'cpp', 'rtp_bench.cpp'),
	...[
		'rtp/RtpPacket.cpp',
		'rtp/RtpPacketWriter.cpp',
		'rtp/RtpHeaderExtensions.cpp',
		'rtp/RetransmissionBuffer.cpp',
		'rtp/SharedPacketBytes.cpp',
		'rtp/NackGenerator.cpp',
		'rtp/RtpStreamRecv.cpp',
		'rtp/RtpSequenceValidator.cpp',
		'rtp/RtpStreamSend.cpp',
		'rtcp/NtpTimestamp.cpp',
		'common/RateCalculator.cpp',
		'common/Value.cpp',
	].map((file) => path.join(engine, file)),
];
const outDir = path.join(root, 'build', 'bench');
const binary = path.join(outDir, 'rtp-bench');
const compiler = process.env.CXX || 'g++';

function main() {
	fs.mkdirSync(outDir, { recursive: true });
	const compile = spawnSync(compiler, ['-std=c++17', '-O2', `-I${engine}`, ...sources, '-o', binary], {
		encoding: 'utf8',
	});
	if (compile.status !== 0) {
		console.log('RTP packet path (C++)');
		console.log(`  compile failed: ${compiler} exited with ${compile.status}`);
		console.log(compile.stderr || compile.error?.message || '');
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
	console.log(`RTP packet path (C++, g++ -O2; ${result.packetBytes}-byte VP8 packet, mid + abs-send-time + twcc)`);
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
