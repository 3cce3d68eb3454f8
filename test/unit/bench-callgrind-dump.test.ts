// bench/callgrind-dump.ts's split of a dump into the garbage collector's instructions and the rest,
// on small hand-made dumps in valgrind's callgrind format: each of V8's ways into a collection
// counts once, whichever function of the program calls it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { instructionsOf, readCallgrindDump } from '../../bench/callgrind-dump.js';

const dir = mkdtempSync(join(tmpdir(), 'callgrind-dump-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A dump of `body` (fn=/cfn=/calls= and cost lines, positions by line) with its totals. */
function dump(name: string, body: string, total: number): string {
  const path = join(dir, name);
  writeFileSync(path, `version: 1\npositions: line\nevents: Ir\n${body.trim()}\ntotals: ${total}\n`);
  return path;
}

describe('readCallgrindDump gc', () => {
  test('a collection the stack guard starts (Heap::HandleGCRequest) counts once, with what it runs', () => {
    const path = dump('stack-guard', `
fn=(1) v8::internal::StackGuard::HandleInterrupts()
0 10
cfn=(2) v8::internal::Heap::HandleGCRequest()
calls=1 0
0 1000
fn=(2)
0 20
cfn=(3) v8::internal::Heap::CollectGarbage(v8::internal::AllocationSpace, v8::internal::GarbageCollectionReason, v8::GCCallbackFlags)
calls=1 0
0 980
fn=(3)
0 980
`, 2010);
    assert.equal(readCallgrindDump(path, false).gc, 1000);
  });

  test("incremental marking's step on allocation (an allocation observer's) counts once", () => {
    const path = dump('observer', `
fn=(1) v8::internal::AllocationCounter::InvokeAllocationObservers(unsigned long, unsigned long, unsigned long)
0 5
cfn=(2) v8::internal::IncrementalMarking::Observer::Step(int, unsigned long, unsigned long)
calls=1 0
0 300
fn=(2)
0 100
cfn=(3) v8::internal::IncrementalMarking::Step(double, v8::internal::StepOrigin)
calls=1 0
0 200
fn=(3)
0 200
`, 305);
    assert.equal(readCallgrindDump(path, false).gc, 300);
  });

  test('a collection the allocator starts counts once with what its evacuation allocates (EvacuationAllocator is the collector\'s)', () => {
    const path = dump('allocator', `
fn=(1) v8::internal::HeapAllocator::AllocateRawWithLightRetrySlowPath(int, v8::internal::AllocationType, v8::internal::AllocationOrigin, v8::internal::AllocationAlignment)
0 5
cfn=(2) v8::internal::Heap::CollectGarbage(v8::internal::AllocationSpace, v8::internal::GarbageCollectionReason, v8::GCCallbackFlags)
calls=1 0
0 700
cfn=(3) v8::internal::Heap::StartIncrementalMarkingIfAllocationLimitIsReached(int, v8::GCCallbackFlags)
calls=1 0
0 40
fn=(2)
0 600
cfn=(4) v8::internal::EvacuationAllocator::Allocate(v8::internal::AllocationSpace, int, v8::internal::AllocationOrigin, v8::internal::AllocationAlignment)
calls=1 0
0 100
fn=(4)
0 90
cfn=(3)
calls=1 0
0 10
fn=(3)
0 50
`, 745);
    assert.equal(readCallgrindDump(path, false).gc, 740);
  });

  test('the program outside the collector counts nothing', () => {
    const path = dump('program', `
fn=(1) Builtins_InterpreterEntryTrampoline
0 50
cfn=(2) v8::internal::Runtime_StringAdd(int, unsigned long*, v8::internal::Isolate*)
calls=1 0
0 30
fn=(2)
0 30
`, 80);
    const read = readCallgrindDump(path, true);
    assert.deepEqual({ total: read.total, gc: read.gc, self: [...read.functions.values()].reduce((a, b) => a + b, 0) }, { total: 80, gc: 0, self: 80 });
  });
});

describe('instructionsOf', () => {
  test("sums the threads' dumps, the first the main thread's, and takes the collector's out of the main thread's", () => {
    const main = dump('window-main', `
fn=(1) Builtins_InterpreterEntryTrampoline
0 60
cfn=(2) v8::internal::Heap::CollectGarbage(v8::internal::AllocationSpace, v8::internal::GarbageCollectionReason, v8::GCCallbackFlags)
calls=1 0
0 40
fn=(2)
0 40
`, 100);
    const worker = dump('window-worker', 'fn=(1) start_thread\n0 7', 7);
    assert.deepEqual(instructionsOf([main, worker]), { all: 107, main: 100, mutator: 60, deoptimized: 0 });
  });

  test("counts the code objects the main thread marked for deoptimization, one a call, whoever marked them; not a worker's", () => {
    // A mark-compact's cleanup marking code whose embedded maps died, then a field generalized.
    const main = dump('deopt-main', `
fn=(1) v8::internal::MarkCompactCollector::MarkDependentCodeForDeoptimization()
0 100
cfn=(2) v8::internal::Code::SetMarkedForDeoptimization(v8::internal::Isolate*, char const*)
calls=126 0
0 4032
fn=(3) v8::internal::DependentCode::DeoptimizeDependencyGroups(v8::internal::Isolate*, v8::base::Flags<v8::internal::DependentCode::DependencyGroup, unsigned int>)
0 50
cfn=(2)
calls=2 0
0 64
cfn=(4) v8::internal::Deoptimizer::DeoptimizeMarkedCode(v8::internal::Isolate*)
calls=1 0
0 30
fn=(2)
0 4096
fn=(4)
0 30
`, 4276);
    const worker = dump('deopt-worker', `
fn=(1) v8::internal::Compiler::FinalizeTurbofanCompilationJob
0 5
cfn=(2) v8::internal::Code::SetMarkedForDeoptimization(v8::internal::Isolate*, char const*)
calls=7 0
0 5
fn=(2)
0 5
`, 10);
    assert.equal(instructionsOf([main, worker]).deoptimized, 128);
  });

  test('a window counted from before the last dump (negative, read unsigned near 2^64) throws, in any thread', () => {
    const main = dump('negative-main', 'fn=(1) main\n0 5', 5);
    const worker = dump('negative-worker', 'fn=(1) start_thread\n0 1', Number(2n ** 64n - 11_900_000n));
    assert.throws(() => instructionsOf([main, worker]), /a negative count in .*negative-main: counters not zeroed since the last dump/);
  });
});
