'use strict';
// Small helpers shared by the benchmarks.

function percentile(sortedValues, p) {
	if (sortedValues.length === 0) return NaN;
	const index = Math.min(sortedValues.length - 1, Math.ceil((p / 100) * sortedValues.length) - 1);
	return sortedValues[Math.max(0, index)];
}

function stats(values) {
	const sorted = [...values].sort((a, b) => a - b);
	return { median: percentile(sorted, 50), p99: percentile(sorted, 99), min: sorted[0], max: sorted[sorted.length - 1] };
}

function nowMs() {
	return Number(process.hrtime.bigint()) / 1e6;
}

function fmt(n, digits = 3) {
	return Number.isFinite(n) ? n.toFixed(digits) : String(n);
}

function rssMiB() {
	return process.memoryUsage().rss / (1024 * 1024);
}

module.exports = { percentile, stats, nowMs, fmt, rssMiB };
