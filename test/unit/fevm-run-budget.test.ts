// The CPU-time budget of one execution (run-budget.ts): spent from its start, the process's CPU
// clock read only once the EVM's loop checks it, never for a run that ends before a check.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExecutionTimeoutError } from '../../src/common/errors.js';
import { RunBudget, checkBudget } from '../../src/fevm/run-budget.js';

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
  assert.ok(checked.reads > 0, 'a run that checks reads the CPU clock');
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
