// `npm run bench:call-instr`: what a sequential eth_call costs the node beyond its eth_chainId, in
// instructions executed (valgrind's callgrind), a count the machine's load does not move, where wall
// and CPU time on this shared machine spread by up to a quarter (bench/README.md).
//
// The bundle's node runs under `valgrind --tool=callgrind` with instrumentation off (valgrind's core
// alone, several times slower than native, no counting) while the bench's token is deployed and given
// to `--n` holders and the node is warmed with `--warm` balanceOf calls and as many eth_chainIds (V8
// has tiered the call path up by then). Then instrumentation goes on (`callgrind_control -i on`),
// and each of `--rounds` rounds runs one block of `--k` sequential eth_chainIds and one of `--k`
// balanceOf eth_calls (a different address each, over keep-alive HTTP, every answer checked), the
// order swapped every other round; the node's counters are dumped before and after each block
// (`callgrind_control --dump`), so each dump holds exactly one block, a file a thread. Printed per
// request: all threads, the main thread, and the main thread outside V8's garbage collector (a
// collection falls in one block and not another); medians over the rounds, with their spread, and
// the call's count beyond the chain id's. The last is the figure to compare between builds.
//
// A run is trusted only if it settled: each round's line names the code objects V8 marked for
// deoptimization in its block or the gap before it (a mass deoptimization re-tiers the request path for
// rounds after; an eager deoptimization, a failed check in optimized code, is not counted), and a round
// more than OFF_MEDIAN off its method's median, or any code marked, prints NOT SETTLED under the medians.
// The node runs with V8's memory reducer off (below), which removed the one trigger caught, not the run-wide
// offset: it came back with the reducer off (docs/performance.md: callloop3's A3, chain id 121.8–131.9 k;
// callouter2's first plain B2, 109 k in rounds 2–3). An offset set before counting
// that stays flat passes both checks, so a settled run compares with another only when their eth_chainId
// medians (main thread, outside the collector) agree within CHAIN_ID_AGREE: the run prints its own and the
// range that agrees.
//
// `--attribute` adds node's `--perf-basic-prof` and callgrind's `--dump-instr=yes`, and prints the
// `--top` functions that account for the difference: JIT-compiled code by its name in
// /tmp/perf-<pid>.map (removed after the run), the rest (V8's builtins and interpreter, node's C++,
// libc) by its symbol. `--keep` keeps the dumps (their directory is printed) and the map.
//
// `--send transfer` or `--send erc20` counts a sequential send instead of a call, as the bench's sequential
// phases make it: a pre-signed transfer of 1 attoFIL to a new address, or a token transfer of 1 to a new
// holder, sent with eth_sendRawTransaction (which fvm-devnet answers once the transaction is mined in its
// own tipset) and its receipt asked for; against two eth_chainIds, since a send is two requests. `--warm`
// sends warm the node first (`--warm 0`: counting starts at send k+1, the first `--k` run being uncounted
// while valgrind retranslates).
//
// `--send pipelined` counts the bench's pipelined phase instead: each block's `--k` transfers (as `--send
// transfer` signs them) go out as that phase sends them (JSON-RPC batches of 50, four in flight, then the last
// one's receipt: bench/phases.ts pipelined), so a tipset takes tens of them; the count is a transfer's, with no
// eth_chainId taken off (fifty transfers share a request). Its `--warm` defaults to 800 and its `--k` to 200:
// the bench's pipelined phase runs below the node's 2 048th message, where nothing goes cold yet
// (docs/performance.md, txpath2): warm + (rounds + 1) × k past 2000 (the defaults' sum) is refused.
//
// `--read receipt`, `--read block-full` or `--read block-receipts` counts a polled read instead: `--n` token
// transfers of the bench's ERC-20 phase are mined first (each in its own tipset, one Transfer log each), then
// each block reads their receipts (eth_getTransactionReceipt), their blocks with full transactions
// (eth_getBlockByNumber, true) or their blocks' receipts (eth_getBlockReceipts, an indexer's poll), one
// request each, going round the `--n` transfers, every answer checked as the bench's receipts phase checks
// it; against one eth_chainId. `--warm` reads of it warm the node.
//
// `--after-logs` (with `--read receipt`, `block-full` or `block-receipts`) counts a third block each round: one
// eth_getLogs over every transfer's epoch (its answer checked) and at once the same reads, as the bench's receipts
// phase follows its logs phases (X20); the query is counted with them, so that no dump's seconds fall between it and
// them. Printed as (the reads + the query) ÷ k beyond eth_chainId and beyond the plain reads: the query's share is one
// steady `--read logs` read ÷ k (~1.05 M ÷ 300 ≈ 3.5 k), as each counted query asks for the range already asked
// before counting.
// Its `--n` defaults to 1000, so that the query is the same size as the bench's logs phase's (1000 logs, ~0.6 MB).
//
// `--read logs` counts the bench's steady `eth_getLogs` (bench/phases.ts getLogs): `--n` token transfers (1000 by
// default, the bench's ERC-20 phase) are mined first, then each read asks for the logs of the LOG_EPOCHS epochs
// that end at the last of them, no filter but the range (1000 Transfer logs, ~0.6 MB of answer), every answer
// checked as the bench checks it. The same logs each time: after the first, the node answers from the logs and
// their JSON bytes it keeps (docs/performance.md, "## `eth_getLogs`"). `--warm` defaults to 1000 reads.
//
// `--read balance-old` counts a read at an old height: OLD_TIPSETS empty tipsets are mined (anvil_mine),
// then each read is eth_getBalance of the storage provider t0111 (its masked ID address) at one of the
// first OLD_HEIGHTS of them, in turn: each 2 000 tipsets or more behind the head, where a past read of an
// actor written each tipset searches that actor's writes (docs/performance.md, tipsetheap2's entry).
//
// `--bundle <path>` runs another build's bundle (e.g. a copy of dist/ before a change, with node_modules
// linked beside it, from which the bundle loads its external packages, or the token's deployment fails
// with "Cannot find module 'secp256k1'": an A/B). `--node-flag <flag>` (repeatable) adds a node or V8 flag
// to the counted node's command line (e.g. `--node-flag=--memory-reducer` to count as before instrtool).
//
//   npm run build && npm run bench:call-instr [-- [--k 300 --rounds 5 --warm 10000 --n 100 (--read logs: --warm 1000 --n 1000; --after-logs: --n 1000)] [--send transfer|erc20|pipelined] [--read receipt|block-full|block-receipts|balance-old|logs [--after-logs]] [--attribute] [--top 30] [--keep] [--bundle <dir>/dist/fvm-devnet.js] [--node-flag <flag>]]
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { maskedIdAddress } from '../src/common/address.js';
import { bytesToHex } from '../src/common/hex.js';
import { MAX_TIPSETS_MINED } from '../src/devnet/cheats.js';
import { checkBlockReceipts, checkFullBlock, checkLogs, checkReceipt, erc20Transfers, giveTokens, median, pipelined, presignTokenTransfers, presignTransfers, sendToReceipt, transfersIn, type FullBlock, type Log, type Mined, type TxReceipt } from './phases.js';
import { RunningPeer } from './peers.js';
import { Signer, deployContracts, nthAddress, token } from './workload.js';
import { LOG_EPOCHS, callInstrOptions } from './call-instr-options.js';
import { control, dump, instructionsOf, readCallgrindDump, type Counting, type FunctionCosts } from './callgrind-dump.js';

const { k, rounds, warm, n, top, send, read, attribute, keep, bundle, nodeFlags: extraNodeFlags, afterLogs: countAfterLogs } = callInstrOptions(process.argv.slice(2));
/**
 * An eth_getLogs over the epochs `from` to the last of the `mined` transfers' (`--read logs`: the LOG_EPOCHS that end
 * there) and the transfers whose Transfer logs it must answer.
 */
function logsOf(mined: Mined[], from = mined[mined.length - 1]!.block - LOG_EPOCHS + 1) {
  const to = mined[mined.length - 1]!.block;
  return { range: { fromBlock: `0x${from.toString(16)}`, toBlock: `0x${to.toString(16)}` }, from, to, expected: transfersIn(mined, from, to) };
}
/** The most warm-up sends signed under one estimate: a token phase of 2100 transfers ran within one (bench/README.md). */
const WARM_BLOCK = 1000;
/** A round whose count (main thread, outside the collector) is more than this fraction off its method's median is flagged: settled runs' rounds spread 0.3–3.4 %. */
const OFF_MEDIAN = 0.05;
/**
 * Two runs compare only when their eth_chainId medians (main thread, outside the collector) are at most this
 * fraction apart: this session's runs without the run-wide offset read 98.1–100.0 k, with it 107.9–131.9 k
 * (docs/performance.md, instrtool's entry).
 */
const CHAIN_ID_AGREE = 0.02;
/** `--read balance-old`: the empty tipsets mined first, and how many of the first of them are read at (2 000 or more back). */
const OLD_TIPSETS = 3 * MAX_TIPSETS_MINED;
const OLD_HEIGHTS = 1000;
/** The default first storage provider's miner, t0111, as an Ethereum address (its masked ID address): written each tipset it wins. */
const STORAGE_PROVIDER = bytesToHex(maskedIdAddress(111));
/** The block measured against eth_chainIds, and how many requests each of its operations makes. */
const measured = send ? `${send} send` : read ?? 'eth_call';
/** `--after-logs`: one eth_getLogs over the transfers' epochs, then at once the same reads, counted together (X20). */
const afterLogs = `${measured} after logs`;
/** The blocks each round counts, rotated a place each round. */
const methods = ['eth_chainId', measured, ...(countAfterLogs ? [afterLogs] : [])];
/** A sequential send is two requests; fifty pipelined transfers share one, so none is taken off theirs. */
const requestsPerOp = send === 'pipelined' ? 0 : send ? 2 : 1;

const dumps = mkdtempSync(join(tmpdir(), 'fvm-call-instr-'));
/** Where node's --perf-basic-prof writes the names of the code it compiles: /tmp, whatever TMPDIR says. */
const perfMapOf = (pid: number) => `/tmp/perf-${pid}.map`;
const outFile = join(dumps, 'callgrind.out');
const valgrind = ['valgrind', '--tool=callgrind', '--instr-atstart=no', '--separate-threads=yes', `--callgrind-out-file=${outFile}`, ...(attribute ? ['--dump-instr=yes'] : [])];
// V8's memory reducer runs mark-compacts once the node goes idle, which here it does only in the gaps the
// harness leaves between blocks (a dump under valgrind takes seconds; longer with --dump-instr). One such
// collection let maps that optimized code embeds die, V8 deoptimized the request path (126 code objects)
// and the next rounds re-tiered it (docs/performance.md, instrtool's entry): off, as the bench's
// back-to-back requests never leave the node idle. That is one trigger of the run-wide offset, not its
// only cause (the header). `--node-flag` adds node or V8 flags after it.
const nodeFlags = ['--no-memory-reducer', ...(attribute ? ['--perf-basic-prof'] : []), ...extraNodeFlags];
const peer = await RunningPeer.start('fvm-devnet', () => ({ wrapper: valgrind, nodeFlags, bundle }));
/** The node's dumps, taken before and after each block. */
const counting: Counting = { pid: peer.pid, outFile, dumped: 0 };

try {
  const { rpc } = peer;
  const signer = await Signer.create(rpc);
  const contracts = await deployContracts(signer);
  if (!send && !read) await giveTokens(rpc, signer, contracts, 0, n, true);
  /** The token transfers whose receipts or blocks `--read` reads, each in its own tipset. */
  const mined: Mined[] = read !== undefined && read !== 'balance-old' ? (await erc20Transfers(rpc, signer, contracts, n)).mined : [];
  /** `--read logs`: the epochs read (the LOG_EPOCHS ending at the last transfer) and the transfers whose Transfer logs they hold. */
  const logsRead = read === 'logs' ? logsOf(mined) : undefined;
  /** The heights `--read balance-old` reads at, the first OLD_HEIGHTS of OLD_TIPSETS empty tipsets. */
  const oldHeights: string[] = [];
  if (read === 'balance-old') {
    const before = Number(await rpc.call<string>('eth_blockNumber'));
    for (let m = 0; m < OLD_TIPSETS; m += MAX_TIPSETS_MINED) await rpc.call('anvil_mine', [`0x${MAX_TIPSETS_MINED.toString(16)}`]);
    for (let h = 1; h <= OLD_HEIGHTS; h++) oldHeights.push(`0x${(before + h).toString(16)}`);
  }
  const chainId = `0x${signer.chainId.toString(16)}`;
  /** `--after-logs`: the query over every epoch from the first transfer's to the last's. */
  const afterLogsQuery = countAfterLogs ? logsOf(mined, mined[0]!.block) : undefined;
  /** One eth_getLogs, its answer checked as the bench checks it. */
  const readLogs = async ({ range, from, to, expected }: ReturnType<typeof logsOf>) => {
    checkLogs(await rpc.call<Log[]>('eth_getLogs', [range]), from, to, contracts.token, expected);
  };

  // Each block asks about addresses no block asked about before; the first n hold one token.
  let next = 0;
  const balanceOfs = async (count: number) => {
    const first = next;
    next += count;
    const datas = Array.from({ length: count }, (_, i) => token.encodeFunctionData('balanceOf', [nthAddress(first + i)]));
    for (let i = 0; i < count; i++) {
      const answer = await rpc.call('eth_call', [{ to: contracts.token, data: datas[i] }, 'latest']);
      if (!/^0x[0-9a-f]{64}$/.test(answer) || BigInt(answer) !== (first + i < n ? 1n : 0n)) throw new Error(`balanceOf(${nthAddress(first + i)}) answered ${answer}`);
    }
  };
  // Each read asks about the transfer after the last one read, round the `--n` mined; its answer checked
  // by the receipts phase's own checks (bench/phases.ts). An old-height read asks at the next old height.
  let nextRead = 0;
  const reads = async (count: number) => {
    for (let i = 0; i < count; i++, nextRead++) {
      if (read === 'balance-old') {
        const height = oldHeights[nextRead % OLD_HEIGHTS]!;
        const balance = await rpc.call<string>('eth_getBalance', [STORAGE_PROVIDER, height]);
        if (!/^0x[1-9a-f][0-9a-f]*$/.test(balance)) throw new Error(`eth_getBalance(${STORAGE_PROVIDER}, ${height}) answered ${balance}`);
        continue;
      }
      if (read === 'logs') {
        await readLogs(logsRead!);
        continue;
      }
      const m = mined[nextRead % mined.length]!;
      if (read === 'receipt') checkReceipt(await rpc.call<TxReceipt>('eth_getTransactionReceipt', [m.hash]), m);
      else if (read === 'block-receipts') checkBlockReceipts(await rpc.call<TxReceipt[]>('eth_getBlockReceipts', [`0x${m.block.toString(16)}`]), m);
      else checkFullBlock(await rpc.call<FullBlock>('eth_getBlockByNumber', [`0x${m.block.toString(16)}`, true]), m);
    }
  };
  const chainIds = async (count: number) => {
    for (let i = 0; i < count; i++) {
      const answer = await rpc.call('eth_chainId');
      if (answer !== chainId) throw new Error(`eth_chainId answered ${answer}`);
    }
  };

  // Sends are signed a block at a time, before the block and its first dump, so that no block counts
  // the estimate. A token transfer's gas limit is one estimate with the ERC-20 phase's margin, made
  // against the token as it is then; a transfer costs more as the holders grow (presignTokenTransfers),
  // so one estimate for a whole run (3 800 transfers with the defaults) would not cover its end.
  let raws: string[] = [];
  let sent = 0;
  const sign = async (count: number) => {
    raws = send === 'erc20' ? await presignTokenTransfers(signer, contracts, count, sent) : await presignTransfers(signer, count, sent);
    // Signing held this event loop for seconds: let it see the idle keep-alive connection the node may
    // have closed meanwhile (as alongTransfers does), or the first send is written to it.
    await new Promise((resolve) => setTimeout(resolve, 100));
  };
  /** Sends the `count` transactions `sign(count)` signed last. */
  const sends = async (count: number) => {
    if (send === 'pipelined') {
      await pipelined(rpc, signer, raws.slice(0, count), true);
      sent += count;
      return;
    }
    for (let i = 0; i < count; i++, sent++) await sendToReceipt(rpc, raws[i]!, `send ${sent}`);
  };
  const work = send ? sends : read ? reads : balanceOfs;
  /** Signs the sends of a block of `count` (nothing for calls); outside the counted blocks. */
  const prepare = async (count: number) => {
    if (send) await sign(count);
  };
  /** The warm-up, as the counted blocks run, in blocks of at most WARM_BLOCK (sends: each signed with its own estimate). */
  const warmUp = async () => {
    for (let left = warm; left > 0; ) {
      const count = Math.min(left, WARM_BLOCK);
      await prepare(count);
      await work(count);
      left -= count;
    }
  };

  /** An after-logs block: its eth_getLogs, then the reads at once (no dump between them). */
  const afterLogsBlock = async (count: number) => {
    await readLogs(afterLogsQuery!);
    await work(count);
  };

  const loadBefore = loadavg()[0]!.toFixed(1);
  await warmUp();
  await chainIds(warm);
  control(peer.pid, '--instr=on');
  // Valgrind translates the code again once instrumented; a block of each before the first counted.
  await prepare(k);
  await work(k);
  await chainIds(k);
  if (countAfterLogs) await afterLogsBlock(k);

  const blocks: Record<string, (count: number) => Promise<void>> = { eth_chainId: chainIds, [measured]: work, [afterLogs]: afterLogsBlock };
  /** What a block needs first, uncounted: a send block's signing. */
  const setUp = async (method: string) => {
    if (method === measured) await prepare(k);
  };
  /** `deoptimized`: code objects V8 marked for deoptimization in the block or in the gap before it (callgrind-dump.ts MARK_FOR_DEOPT; eager deoptimizations are not counted). */
  type Counted = { all: number; main: number; mutator: number; deoptimized: number; files: string[] };
  type Figure = 'all' | 'main' | 'mutator';
  const counted: Record<string, Counted[]> = Object.fromEntries(methods.map((m) => [m, []]));
  const fmt = (ir: number) => Math.round(ir).toLocaleString('en-US').padStart(10);
  /** The width of the methods' column. */
  const width = Math.max(14, ...methods.map((m) => m.length));
  for (let r = 0; r < rounds; r++) {
    const order = methods.map((_, i) => methods[(i + r) % methods.length]!);
    for (const method of order) {
      await setUp(method);
      // The gap's dump is read after the block, so that the node is not left idle before it.
      const gapFiles = dump(counting);
      await blocks[method]!(k);
      const files = dump(counting);
      const gap = readCallgrindDump(gapFiles[0]!, false).deoptimized;
      const { all, main, mutator, deoptimized } = instructionsOf(files);
      counted[method]!.push({ all: all / k, main: main / k, mutator: mutator / k, deoptimized: gap + deoptimized, files });
      const deopts = gap + deoptimized > 0 ? `; V8 marked ${gap + deoptimized} code objects for deoptimization (${gap} before the block)` : '';
      console.log(`round ${r + 1}: ${method.padEnd(width)} instructions ${method === measured && send ? 'a send' : 'a request'}: ${fmt(all / k)} all threads, ${fmt(main / k)} main thread, ${fmt(mutator / k)} of it outside the collector${deopts}`);
    }
  }
  // A round re-tiering after a mass deoptimization (a mark-compact that let maps die, a field
  // generalized) reads up to several times the others; one not settled again since reads above them.
  const offRounds = methods.flatMap((method) => {
    const mid = median(counted[method]!.map((b) => b.mutator));
    return counted[method]!.flatMap((b, r) => (Math.abs(b.mutator - mid) / mid > OFF_MEDIAN ? [`round ${r + 1}'s ${method} ${(((b.mutator - mid) / mid) * 100).toFixed(1)} %`] : []));
  });
  /** The median and the spread (max − min ÷ median, %) of one figure over the rounds. */
  const summary = (method: string, key: Figure) => {
    const irs = counted[method]!.map((b) => b[key]);
    const mid = median(irs);
    return { mid, spread: ((Math.max(...irs) - Math.min(...irs)) / mid) * 100 };
  };
  console.log(`\nfvm-devnet under callgrind, ${send === 'pipelined' ? 'pipelined' : 'sequential'}, ${rounds} rounds of ${k} ${send === 'pipelined' ? 'transfers and eth_chainIds' : send ? 'sends (two requests each) and eth_chainIds' : 'requests'} each after ${warm} warm-up of each; instructions ${send ? 'a send or a request' : 'a request'}, medians (max − min ÷ median)`);
  const figures: Figure[] = ['all', 'main', 'mutator'];
  console.log(`${''.padEnd(width)} ${'all threads'.padStart(21)} ${'main thread'.padStart(21)} ${'main, outside the GC'.padStart(21)}`);
  for (const method of methods) {
    console.log(`${method.padEnd(width)} ${figures.map((f) => summary(method, f)).map(({ mid, spread }) => `${fmt(mid)} (${spread.toFixed(2).padStart(6)} %)`).join(' ')}`);
  }
  const deoptimized = methods.reduce((sum, m) => sum + counted[m]!.reduce((s, b) => s + b.deoptimized, 0), 0);
  if (offRounds.length > 0 || deoptimized > 0) {
    console.log(`NOT SETTLED: ${[...offRounds.map((o) => `${o} off its median (outside the collector)`), ...(deoptimized > 0 ? [`V8 marked ${deoptimized} code objects for deoptimization while counting`] : [])].join('; ')}. Run it again (docs/performance.md, instrtool's entry).`);
  }
  const diff = (method: string, key: Figure) => summary(method, key).mid - requestsPerOp * summary('eth_chainId', key).mid;
  console.log(`${'difference'.padEnd(width)} ${figures.map((f) => `${fmt(diff(measured, f))}${''.padStart(11)}`).join(' ')} ${send === 'pipelined' ? 'a pipelined transfer, nothing taken off' : send ? 'a send beyond two eth_chainIds' : `${read ? `a ${read} read` : 'a call'} beyond eth_chainId`}`);
  if (countAfterLogs) {
    console.log(`${'after logs'.padEnd(width)} ${figures.map((f) => `${fmt(diff(afterLogs, f))}${''.padStart(11)}`).join(' ')} a ${read} read after eth_getLogs, the query ÷ k in it, beyond eth_chainId`);
    console.log(`${'logs first'.padEnd(width)} ${figures.map((f) => `${fmt(summary(afterLogs, f).mid - summary(measured, f).mid)}${''.padStart(11)}`).join(' ')} a read after eth_getLogs (the query ÷ k in it) beyond one without`);
  }
  // A run-wide offset moves every round of both methods alike, so the checks above pass it: the basis to compare on.
  const chainIdMid = summary('eth_chainId', 'mutator').mid;
  const around = (f: number) => Math.round(chainIdMid * f).toLocaleString('en-US');
  console.log(`compare only with a run whose eth_chainId median (main thread, outside the collector) is within ${CHAIN_ID_AGREE * 100} % of this one's ${around(1)}: ${around(1 - CHAIN_ID_AGREE)}–${around(1 + CHAIN_ID_AGREE)} (a run-wide offset passes the checks above)`);

  if (attribute) {
    // The main thread of the round whose measured block is the median's, against the median eth_chainId block.
    const pick = (list: Counted[]) => [...list].sort((a, b) => a.mutator - b.mutator)[Math.floor(list.length / 2)]!.files[0]!;
    const call = readCallgrindDump(pick(counted[measured]!), true, perfMapOf(peer.pid)).functions;
    const base = readCallgrindDump(pick(counted.eth_chainId!), true, perfMapOf(peer.pid)).functions;
    printTop(call, base);
  }
  console.log(`(${new Date().toISOString()}; load average ${loadBefore} before, ${loadavg()[0]!.toFixed(1)} after${keep ? `; dumps kept in ${dumps}${attribute ? `, the map in ${perfMapOf(peer.pid)}` : ''}` : ''})`);
} finally {
  await peer.stop();
  if (!keep) {
    rmSync(dumps, { recursive: true, force: true });
    if (attribute) rmSync(perfMapOf(peer.pid), { force: true });
  }
}

/** The functions whose instructions an operation, the measured block's less its requests' eth_chainIds', are largest (self cost). */
function printTop(call: FunctionCosts, base: FunctionCosts): void {
  const names = new Set([...call.keys(), ...base.keys()]);
  const rows = [...names].map((name) => ({ name, call: (call.get(name) ?? 0) / k, base: (requestsPerOp * (base.get(name) ?? 0)) / k })).map((r) => ({ ...r, diff: r.call - r.base }));
  rows.sort((a, b) => b.diff - a.diff);
  const baseName = requestsPerOp === 1 ? 'chainId' : requestsPerOp === 0 ? 'nothing' : `${requestsPerOp}×chainId`;
  console.log(`\ntop ${top} functions of the main thread by self instructions ${send ? 'a send' : 'a request'}, ${measured} − ${baseName}:`);
  console.log(`${measured.slice(0, 9).padStart(9)} ${baseName.padStart(9)} ${'diff'.padStart(9)}  function`);
  for (const r of rows.slice(0, top)) console.log(`${Math.round(r.call).toString().padStart(9)} ${Math.round(r.base).toString().padStart(9)} ${Math.round(r.diff).toString().padStart(9)}  ${r.name}`);
}
