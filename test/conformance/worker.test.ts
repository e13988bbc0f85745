// Conformance: a Worker's lifecycle as a mediasoup application writes it.
import t from 'tap';
import * as mediaplane from 'mediaplane';
import type { types } from 'mediaplane';
import { enhancedOnce } from 'mediaplane/extras';

t.test('createWorker(), close() and subprocessclose', async (t) => {
	const worker: types.Worker<{ foo: number }> = await mediaplane.createWorker<{ foo: number }>({
		logLevel: 'warn',
		appData: { foo: 1 },
	});
	const foo: number = worker.appData.foo;
	t.equal(foo, 1);
	t.equal(worker.closed, false);

	const subprocessClose = enhancedOnce(worker, 'subprocessclose');
	const observerClose = new Promise<void>((resolve) => worker.observer.once('close', () => resolve()));
	worker.close();
	t.equal(worker.closed, true);
	await observerClose;
	await subprocessClose;
	t.equal(worker.subprocessClosed, true);
});
