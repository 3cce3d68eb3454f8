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
