// Reads one callgrind dump (valgrind's "Callgrind Format Specification"): the total of its first
// event (Ir, instructions executed) and, on request, each function's self cost. Code without a symbol
// (what V8 compiles at run time) is named by node's `--perf-basic-prof` map when one is given, which
// needs the dump's instruction addresses (`--dump-instr=yes`).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Self instructions by function name. */
export type FunctionCosts = Map<string, number>;

/**
 * Where V8's garbage collector starts work on a thread: a collection, a task or step of incremental
 * marking, sweeping. Some are Heap:: functions called from outside the collector: the stack guard's
 * HandleGCRequest (a collection requested from a background thread or by incremental marking's end),
 * the embedder's ReportExternalMemoryPressure / MemoryPressureNotification, the allocator's
 * StartIncrementalMarkingIfAllocationLimitIsReached (the StartIncrementalMarking
 * alternative matches it: the Heap:: names are prefixes, not anchored at their end); and
 * incremental marking's step on allocation runs from an allocation observer
 * (IncrementalMarking::Observer::Step). Checked against node 20's V8 11.3 by its callers in the
 * binary (objdump).
 */
const GC_ENTRY = /^v8::internal::(Heap::(CollectGarbage|CollectAllGarbage|CollectAllAvailableGarbage|StartIncrementalMarking|FinalizeIncrementalMarking|HandleGCRequest|ReportExternalMemoryPressure|MemoryPressureNotification)|IncrementalMarking::(Step|AdvanceOnAllocation|AdvanceAndFinalizeIfComplete|Start|Observer::Step)\b|IncrementalMarkingJob::|MinorGCJob::|ScavengeJob::|MemoryReducer::|Sweeper::|ScavengerCollector::|MarkCompactCollector::|ConcurrentMarking::|ArrayBufferSweeper::)/;
/**
 * A function of the collector's own: a call from it to an entry is inside a collection already
 * counted. A paged space's refill is both the program's and a collection's (promotion during a
 * scavenge): the dump cannot tell which, so its own sweeping (ContributeToSweepingMain) and its start
 * of incremental marking stay outside when the program's allocation runs them.
 */
const GC_INSIDE = /^(v8::internal::(Heap::|IncrementalMarking|MinorGCJob|ScavengeJob|MemoryReducer|PagedSpace|Sweeper|Scavenger|MarkCompact|MinorMarkCompact|ConcurrentMarking|ArrayBufferSweeper|GCTracer|GlobalHandles|Evacuat)|heap::base::)/;

/**
 * Where V8 marks an optimized code object for deoptimization once something it was compiled against
 * broke (a map it embeds died in a mark-compact, a field's representation generalized, a protector
 * went): each call is one code object, whose function then runs baseline code again until it is
 * optimized anew. A block that holds a few hundred pays for the whole path's re-tiering
 * (docs/performance.md, instrtool's entry).
 */
const MARK_FOR_DEOPT = /^v8::internal::Code::SetMarkedForDeoptimization\(/;

interface PerfMap {
  starts: number[];
  ends: number[];
  names: string[];
}

function readPerfMap(path: string): PerfMap {
  const entries = readFileSync(path, 'utf8')
    .split('\n')
    .map((line) => /^([0-9a-f]+) ([0-9a-f]+) (.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ start: parseInt(m[1]!, 16), end: parseInt(m[1]!, 16) + parseInt(m[2]!, 16), name: m[3]! }))
    .sort((a, b) => a.start - b.start);
  return { starts: entries.map((e) => e.start), ends: entries.map((e) => e.end), names: entries.map((e) => e.name) };
}

/** The name of the code at `addr` in `map` (the last entry starting at or before it, if it covers it). */
function nameAt(map: PerfMap, addr: number): string | undefined {
  let lo = 0;
  let hi = map.starts.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (map.starts[mid]! <= addr) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found >= 0 && addr < map.ends[found]! ? map.names[found] : undefined;
}

/** A position field: absolute (decimal or 0x hex), relative to the last (+n, -n) or the same (*). */
function position(field: string, last: number): number {
  if (field === '*') return last;
  if (field.startsWith('+')) return last + Number(field.slice(1));
  if (field.startsWith('-')) return last - Number(field.slice(1));
  return field.startsWith('0x') ? parseInt(field, 16) : Number(field);
}

/**
 * The dump's total instructions; those of the garbage collector's work (the inclusive cost of each
 * call into it from outside it, GC_ENTRY); how many code objects V8 marked for deoptimization
 * (MARK_FOR_DEOPT); and with `functions` each function's self instructions (a call line's inclusive
 * cost is left to the callee). Unnamed code is named from `perfMapPath` when it exists, else
 * "(JIT code)".
 */
export function readCallgrindDump(path: string, functions: boolean, perfMapPath?: string): { total: number; gc: number; deoptimized: number; functions: FunctionCosts } {
  const text = readFileSync(path, 'utf8');
  const totals = /^(?:totals|summary): (\d+)/m.exec(text);
  if (!totals) throw new Error(`${path}: no totals`);
  const costs: FunctionCosts = new Map();

  const perfMap = perfMapPath && existsSync(perfMapPath) ? readPerfMap(perfMapPath) : undefined;
  const positions = (/^positions: (.*)$/m.exec(text)?.[1] ?? 'line').split(' ');
  const byInstr = positions[0] === 'instr';
  // Name compression: "(id) name" defines an id, "(id)" refers to it; fn= and cfn= share one table.
  const fnNames = new Map<string, string>();
  const objNames = new Map<string, string>();
  const named = (table: Map<string, string>, value: string) => {
    const m = /^\((\d+)\)(?: (.*))?$/.exec(value);
    if (!m) return value;
    if (m[2] !== undefined) table.set(m[1]!, m[2]);
    return table.get(m[1]!) ?? value;
  };
  let fn = '';
  let obj = '';
  const last = positions.map(() => 0);
  let callLine = false;
  let callee = '';
  let gc = 0;
  let deoptimized = 0;
  const add = (name: string, ir: number) => costs.set(name, (costs.get(name) ?? 0) + ir);
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const c = line.charCodeAt(0);
    const isCost = (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 42; // digit, +, -, *
    if (isCost) {
      const fields = line.split(' ');
      for (let i = 0; i < positions.length; i++) last[i] = position(fields[i]!, last[i]!);
      if (callLine) {
        callLine = false; // inclusive cost of the call just named: the callee's, not this function's
        if (GC_ENTRY.test(callee) && !GC_INSIDE.test(fn)) gc += Number(fields[positions.length] ?? 0);
        continue;
      }
      if (!functions) continue;
      const ir = Number(fields[positions.length] ?? 0);
      if (ir === 0) continue;
      const unnamed = fn.startsWith('0x') || obj === '???' || obj === '';
      if (unnamed && byInstr) add((perfMap && nameAt(perfMap, last[0]!)) ?? '(JIT code, unmapped)', ir);
      else add(unnamed ? '(JIT code)' : fn, ir);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1);
    if (key === 'fn') fn = named(fnNames, value);
    else if (key === 'cfn' || key === 'cfi' || key === 'cfl') {
      if (key === 'cfn') callee = named(fnNames, value);
    } else if (key === 'ob') obj = named(objNames, value);
    else if (key === 'cob') named(objNames, value);
    else if (key === 'calls') {
      callLine = true;
      if (MARK_FOR_DEOPT.test(callee)) deoptimized += Number(value.split(' ')[0]);
    }
  }
  return { total: Number(totals[1]), gc, deoptimized, functions: costs };
}

/** Runs `callgrind_control` with `args` on the callgrind process `pid`. */
export const control = (pid: number, ...args: string[]) => execFileSync('callgrind_control', [...args, String(pid)], { stdio: ['ignore', 'ignore', 'pipe'] });

/** A process under callgrind: its pid, its dumps' file name, and how many dumps it has written (callgrind numbers them 1, 2, …). */
export interface Counting {
  pid: number;
  outFile: string;
  dumped: number;
}

/** Dumps the counters since the last dump to files of their own, one a thread (and zeroes them); the main thread's first. */
export function dump(p: Counting): string[] {
  control(p.pid, `--dump=${++p.dumped}`);
  const dir = dirname(p.outFile);
  const prefix = `${basename(p.outFile)}.${p.dumped}-`;
  const files = readdirSync(dir).filter((f) => f.startsWith(prefix)).sort().map((f) => join(dir, f));
  if (files.length === 0) throw new Error(`callgrind wrote no ${prefix}* in ${dir}`);
  return files;
}

/**
 * Instructions of `files` (one a thread, the main thread's first): all threads, the main thread's, and
 * the main thread's outside the garbage collector; and the code objects the main thread marked for
 * deoptimization (readCallgrindDump). A window counted from before the last dump (after
 * `--instr=on` without `--zero`: switching instrumentation on zeroes each thread's running count but
 * not its count at the last dump) comes out negative, read unsigned near 2^64: that throws.
 */
export function instructionsOf(files: string[]): { all: number; main: number; mutator: number; deoptimized: number } {
  const [main, ...others] = files.map((f) => readCallgrindDump(f, false));
  if ([main!, ...others].some((d) => d.total >= 2 ** 63)) throw new Error(`a negative count in ${files[0]}: counters not zeroed since the last dump`);
  return { all: others.reduce((sum, d) => sum + d.total, main!.total), main: main!.total, mutator: main!.total - main!.gc, deoptimized: main!.deoptimized };
}
