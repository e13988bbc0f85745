'use strict';
// Worker threads carry names ("mediaplane-wN", numbered per process) so that top -H,
// perf and crash reports tell them apart. Read back from /proc/self/task/*/comm.
const t = require('tap');
const fs = require('node:fs');
const mediaplane = require('..');

const NAME = /^mediaplane-w(\d+)$/;

function threadNames() {
	const names = [];
	for (const task of fs.readdirSync('/proc/self/task')) {
		try {
			names.push(fs.readFileSync(`/proc/self/task/${task}/comm`, 'utf8').trim());
		} catch {
			// The thread ended between readdir and read.
		}
	}
	return names;
}

const workerNumbers = () => threadNames().map((name) => NAME.exec(name)).filter(Boolean).map((m) => Number(m[1]));

// 'subprocessclose' fires once the thread's last callback ran; the kernel may list the
// task a little longer, until the thread has exited and been joined.
async function closeWorker(worker, expected) {
	worker.close();
	if (!worker.subprocessClosed) await new Promise((resolve) => worker.once('subprocessclose', resolve));
	for (let i = 0; i < 100 && JSON.stringify(workerNumbers().sort((a, b) => a - b)) !== JSON.stringify(expected); ++i) {
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

t.test('each worker thread is named mediaplane-wN', { skip: fs.existsSync('/proc/self/task') ? false : 'no /proc' }, async (t) => {
	const before = workerNumbers();
	t.same(before, [], 'no worker thread before the first worker');

	const first = await mediaplane.createWorker({ logLevel: 'none' });
	const second = await mediaplane.createWorker({ logLevel: 'none' });
	const during = workerNumbers().sort((a, b) => a - b);
	t.equal(during.length, 2, 'one named thread per worker');
	t.same(during, [1, 2], 'numbered from 1 in the order the workers started');
	t.notMatch(fs.readFileSync('/proc/self/comm', 'utf8').trim(), /^mediaplane/, 'the main thread keeps its name');

	await closeWorker(first, [2]);
	t.same(workerNumbers(), [2], 'the first worker\'s thread is gone after it closed');

	// Numbers are not reused: the next worker is the third of the process.
	const third = await mediaplane.createWorker({ logLevel: 'none' });
	t.same(workerNumbers().sort((a, b) => a - b), [2, 3], 'the next worker is mediaplane-w3');

	await closeWorker(second, [3]);
	await closeWorker(third, []);
	t.same(workerNumbers(), [], 'no worker thread left');
});
