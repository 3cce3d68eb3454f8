// The single writer queue: tasks run one at a time in order, and a failure reaches only its caller.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SerialQueue } from '../../src/mining/serial-queue.js';

test('tasks run one at a time, in the order they were queued', async () => {
  const queue = new SerialQueue();
  const events: string[] = [];
  let running = 0;
  const task = (name: string, yields: number) => async () => {
    running++;
    assert.equal(running, 1, `${name} started while another task was running`);
    events.push(`start ${name}`);
    // Yield to the event loop a few times: a later task must still not start.
    for (let i = 0; i < yields; i++) await new Promise<void>((resolve) => setImmediate(resolve));
    events.push(`end ${name}`);
    running--;
    return name;
  };
  const results = await Promise.all([queue.run(task('a', 3)), queue.run(task('b', 0)), queue.run(task('c', 2))]);
  assert.deepEqual(results, ['a', 'b', 'c']);
  assert.deepEqual(events, ['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
});

test('a failed task rejects only its own caller and the queue goes on', async () => {
  const queue = new SerialQueue();
  const first = queue.run(async () => {
    throw new Error('boom');
  });
  const second = queue.run(async () => 42);
  await assert.rejects(first, /boom/);
  assert.equal(await second, 42);
  assert.equal(await queue.run(async () => 'still running'), 'still running');
});

test('reads queued together run back to back and are answered together, after the event loop took in what was ready', async () => {
  const queue = new SerialQueue();
  const events: string[] = [];
  const read = (name: string) =>
    queue
      .read(async () => {
        events.push(`run ${name}`);
        await Promise.resolve();
        return name;
      })
      .then((value) => {
        events.push(`answer ${name}`);
        return value;
      });
  const reads = [read('a'), read('b'), read('c')];
  await Promise.resolve();
  assert.deepEqual(events, [], 'a read on an idle queue waits for the I/O phase to end');
  assert.deepEqual(await Promise.all(reads), ['a', 'b', 'c']);
  assert.deepEqual(events, ['run a', 'run b', 'run c', 'answer a', 'answer b', 'answer c']);
});

test('reads and writes keep the order they were queued in, and a read is answered without waiting for a write', async () => {
  const queue = new SerialQueue();
  const events: string[] = [];
  let releaseWrite!: () => void;
  const writeMayEnd = new Promise<void>((resolve) => (releaseWrite = resolve));
  const read = queue.read(async () => events.push('read'));
  const write = queue.run(async () => {
    events.push('write');
    await writeMayEnd;
  });
  const readAfterWrite = queue.read(async () => events.push('read after write'));
  await read;
  assert.deepEqual(events, ['read', 'write'], 'the first read is answered while the write runs');
  releaseWrite();
  await Promise.all([write, readAfterWrite]);
  assert.deepEqual(events, ['read', 'write', 'read after write']);
});

test('a failed read rejects only its own caller; the reads beside it are answered', async () => {
  const queue = new SerialQueue();
  const results = await Promise.allSettled([
    queue.read(async () => 1),
    queue.read(async () => {
      throw new Error('reverted');
    }),
    queue.read(async () => 3),
  ]);
  assert.deepEqual(
    results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message)),
    [1, 'reverted', 3],
  );
  assert.equal(await queue.run(async () => 'still running'), 'still running');
});

test('a finished read is answered when the read after it waits on I/O (a fork fetching from its upstream)', async () => {
  const queue = new SerialQueue();
  const events: string[] = [];
  let releaseFetch!: () => void;
  const fetched = new Promise<void>((resolve) => (releaseFetch = resolve));
  const warm = queue.read(async () => 'warm').then((value) => events.push(`answer ${value}`));
  const cold = queue.read(async () => {
    events.push('cold waits');
    await fetched;
    return 'cold';
  });
  await warm;
  assert.deepEqual(events, ['cold waits', 'answer warm'], 'the warm answer does not wait for the fetch');
  releaseFetch();
  assert.equal(await cold, 'cold');
});

test('quiet waits until nothing is queued, including the next step a task queues when it ends', async () => {
  const queue = new SerialQueue();
  const events: string[] = [];
  // A client's work in two steps, the second queued as the first is answered (a send's estimate, then its admission).
  const twoSteps = queue.run(async () => events.push('step 1')).then(() => queue.run(async () => events.push('step 2')));
  const background = queue.quiet().then(() => queue.run(async () => events.push('background')));
  await Promise.all([twoSteps, background]);
  assert.deepEqual(events, ['step 1', 'step 2', 'background']);
  // On an idle queue it resolves after a turn of the event loop.
  await queue.quiet();
});

test('quiet(maxWaitMs) resolves after maxWaitMs on a queue that is never quiet', async () => {
  const queue = new SerialQueue();
  // A client that queues its next task as soon as the last ends, until STEPS have run or quiet resolved.
  const STEPS = 2000;
  let quietened = false;
  let steps = 0;
  const step = async () => {
    await new Promise((resolve) => setTimeout(resolve, 1));
    steps++;
  };
  const busy = (async () => {
    while (!quietened && steps < STEPS) await queue.run(step);
  })();
  await queue.quiet(20);
  quietened = true;
  const at = steps;
  await busy;
  assert.ok(at > 0 && at < STEPS, `quiet resolved after ${at} of the client's ${STEPS} tasks`);
});
