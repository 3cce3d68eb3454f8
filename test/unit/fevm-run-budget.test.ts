// The CPU-time budget of one execution (run-budget.ts): spent from its start, the process's CPU
// clock read only once the EVM's loop checks it, never for a run that ends before a check; the one
// the executions of a JSON-RPC batch share (geth's batch deadline, -32002); the turn of the event
// loop after a long run.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExecutionTimeoutError, RequestTimeoutError } from '../../src/common/errors.js';
import { BatchBudget, RunBudget, checkBudget } from '../../src/fevm/run-budget.js';

/** Runs `fn` with process.cpuUsage counted. */
async function countingClockReads<T>(fn: () => Promise<T>): Promise<{ value: T; reads: number }> {
  const cpuUsage = process.cpuUsage;
  let reads = 0;
  process.cpuUsage = ((previous?: NodeJS.CpuUsage) => (reads++, cpuUsage.call(process, previous))) as typeof process.cpuUsage;
  try {
    return { value: await fn(), reads };
  } finally {
    process.cpuUsage = cpuUsage;
  }
}

/** Waits `ms` of wall time, busy. */
function busyFor(ms: number): void {
  for (const until = performance.now() + ms; performance.now() < until; );
}

/** Spends `ms` of the process's CPU time. */
function burnCpu(ms: number): void {
  const cpu = () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };
  for (const until = cpu() + ms; cpu() < until; );
}

test('a run that never reaches a check reads no CPU clock; one that does reads it from its first check on', async () => {
  const budget = new RunBudget(5000);
  assert.deepEqual(await countingClockReads(() => budget.spend(async () => 42)), { value: 42, reads: 0 });
  const checked = await countingClockReads(() =>
    budget.spend(async () => {
      for (let i = 0; i < 3; i++) checkBudget();
      return 'done';
    }),
  );
  assert.equal(checked.value, 'done');
  // Once at each check, and once at the end; the first check's read is also what it compares.
  assert.equal(checked.reads, 4, 'a run that checks reads the CPU clock once a check and once at its end');
});

test('the time before the first check counts: a run past its budget fails at that check, and the budget stays spent', async () => {
  const budget = new RunBudget(20);
  await assert.rejects(
    budget.spend(async () => {
      busyFor(30);
      checkBudget();
    }),
    (e: unknown) => e instanceof ExecutionTimeoutError && e.message === 'execution aborted (timeout = 20ms)',
  );
  await assert.rejects(budget.spend(async () => 1), ExecutionTimeoutError);
});

test('runs share their budget; time spent between them is not counted, nor checks outside a run', async () => {
  // The work after each run's first check, so that what is counted is CPU time, as the clock between
  // checks reads it, whatever the machine's load does to the wall time.
  const run = async () => {
    checkBudget();
    burnCpu(40);
    checkBudget();
  };
  const budget = new RunBudget(100);
  await budget.spend(run);
  burnCpu(30);
  checkBudget();
  await budget.spend(run);
  await assert.rejects(budget.spend(run), ExecutionTimeoutError);
});

test('no limit: no clock, no failure', async () => {
  const budget = new RunBudget(0);
  const { reads } = await countingClockReads(() =>
    budget.spend(async () => {
      busyFor(5);
      checkBudget();
    }),
  );
  assert.equal(reads, 0);
});

/** A run that burns CPU, checking the budget as the EVM's loop does, until its budget stops it or `ms` pass. */
const burning = (ms: number) => async () => {
  checkBudget();
  const cpu = () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };
  for (const until = cpu() + ms; cpu() < until; ) checkBudget();
};

test("a batch's executions share one budget: the first is cut by its own (-32000), later ones by the batch's (-32002)", async () => {
  const batch = new BatchBudget();
  await assert.rejects(new RunBudget(50, batch).spend(burning(1000)), (e: unknown) => e instanceof ExecutionTimeoutError && e.code === -32000);
  await assert.rejects(new RunBudget(50, batch).spend(async () => 1), (e: unknown) => e instanceof RequestTimeoutError && e.code === -32002 && e.message === 'request timed out');
  // Outside the batch, a budget is whole.
  assert.equal(await new RunBudget(50).spend(async () => 'ran'), 'ran');
});

test("a batch's run with less left than its own budget is cut when the batch's is spent", async () => {
  const batch = new BatchBudget();
  await new RunBudget(200, batch).spend(burning(120));
  await assert.rejects(new RunBudget(200, batch).spend(burning(1000)), RequestTimeoutError);
  assert.ok(batch.spentMs >= 200, `${batch.spentMs} ms spent`);
});

test('after a run of 10 ms or more the event loop gets a turn before the run is answered', async () => {
  const events: string[] = [];
  await new RunBudget(5000).spend(async () => {
    setImmediate(() => events.push('a turn of the event loop'));
    await burning(30)();
  });
  events.push('answered');
  assert.deepEqual(events, ['a turn of the event loop', 'answered']);
});

test("a batch's short runs (no check reached) do not spend its budget, however long the machine kept them waiting (review R5)", async () => {
  const batch = new BatchBudget();
  const now = performance.now;
  let skew = 0;
  // Each run seems to take 5 ms of wall time (a descheduled process), and reaches no check.
  performance.now = () => now.call(performance) + skew;
  try {
    for (let i = 0; i < 100; i++) assert.equal(await new RunBudget(1, batch).spend(async () => ((skew += 5), i)), i);
  } finally {
    performance.now = now;
  }
  assert.equal(batch.spentMs, 0);
});

