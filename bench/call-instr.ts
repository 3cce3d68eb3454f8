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
// (docs/performance.md, txpath2), and warm + (rounds + 1) × k stays there with the defaults.
//
// `--read receipt`, `--read block-full` or `--read block-receipts` counts a polled read instead: `--n` token
// transfers of the bench's ERC-20 phase are mined first (each in its own tipset, one Transfer log each), then
// each block reads their receipts (eth_getTransactionReceipt), their blocks with full transactions
// (eth_getBlockByNumber, true) or their blocks' receipts (eth_getBlockReceipts, an indexer's poll), one
// request each, going round the `--n` transfers, every answer checked as the bench's receipts phase checks
// it; against one eth_chainId. `--warm` reads of it warm the node.
//
// `--read logs` counts the bench's steady `eth_getLogs` (bench/phases.ts getLogs): `--n` token transfers (1000 by
// default, the bench's ERC-20 phase) are mined first, then each read asks for the logs of the LOG_EPOCHS epochs
// that end at the last of them, no filter but the range (~900 Transfer logs, ~0.6 MB of answer), every answer
// checked as the bench checks it. The same logs each time: after the first, the node answers from the logs and
// their JSON bytes it keeps (docs/performance.md, "## `eth_getLogs`"). `--warm` defaults to LOGS_WARM reads.
//
// `--read balance-old` counts a read at an old height: OLD_TIPSETS empty tipsets are mined (anvil_mine),
// then each read is eth_getBalance of the storage provider t0111 (its masked ID address) at one of the
// first OLD_HEIGHTS of them, in turn: each 2 000 tipsets or more behind the head, where a past read of an
// actor written each tipset searches that actor's writes (docs/performance.md, tipsetheap2's entry).
//
// `--bundle <path>` runs another build's bundle (e.g. a copy of dist/ before a change, with node_modules
// linked beside it, from which the bundle loads its external packages, or the token's deployment fails
// with "Cannot find module 'secp256k1'": an A/B).
//
//   npm run build && npm run bench:call-instr [-- [--k 300 --rounds 5 --warm 10000 --n 100 (--read logs: --warm 1000 --n 1000)] [--send transfer|erc20|pipelined] [--read receipt|block-full|block-receipts|balance-old|logs] [--attribute] [--top 30] [--keep] [--bundle <dir>/dist/fvm-devnet.js]]
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { maskedIdAddress } from '../src/common/address.js';
import { bytesToHex } from '../src/common/hex.js';
import { MAX_TIPSETS_MINED } from '../src/devnet/cheats.js';
import { checkBlockReceipts, checkFullBlock, checkLogs, checkReceipt, erc20Transfers, giveTokens, median, pipelined, presignTokenTransfers, presignTransfers, sendToReceipt, transfersIn, type FullBlock, type Log, type Mined, type TxReceipt } from './phases.js';
import { RunningPeer } from './peers.js';
import { Signer, deployContracts, nthAddress, token } from './workload.js';
import { control, dump, instructionsOf, readCallgrindDump, type Counting, type FunctionCosts } from './callgrind-dump.js';

const { values } = parseArgs({
  options: {
    k: { type: 'string' },
    rounds: { type: 'string', default: '5' },
    warm: { type: 'string' },
    n: { type: 'string' },
    attribute: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    bundle: { type: 'string' },
    top: { type: 'string', default: '30' },
    send: { type: 'string' },
    read: { type: 'string' },
  },
});
const { send, read } = values;
if (send !== undefined && send !== 'transfer' && send !== 'erc20' && send !== 'pipelined') throw new Error('--send takes transfer, erc20 or pipelined');
if (read !== undefined && !['receipt', 'block-full', 'block-receipts', 'balance-old', 'logs'].includes(read)) throw new Error('--read takes receipt, block-full, block-receipts, balance-old or logs');
if (send && read) throw new Error('--send and --read measure one thing each: give one');
/** `--read logs`: the epochs each read asks for (the bench's timed range), the token transfers mined first, and the warm-up reads. */
const LOG_EPOCHS = 1000;
const LOG_TRANSFERS = '1000';
const LOGS_WARM = '1000';
// Calls warm with 10000: 5000 left the call path still tiering up through the first rounds
// (docs/performance.md, callcut). Sends with 2000: run natively, the tipset path's last function
// (`grantsTable`) reached TurboFan near the 2300th send (performance.md, txseq); under valgrind the
// compiling comes later, and rounds after 1500 spread 32–60 % where after 5000 they spread 1–5 %: A/B
// with --warm 5000 (performance.md, "The runs of 4fa1199 and 1c30a5e").
// Logs warm with 1000: each read runs the per-log code ~900 times.
const warm = Number(values.warm ?? (send === 'pipelined' ? '800' : send ? '2000' : read === 'logs' ? LOGS_WARM : '10000'));
const n = Number(values.n ?? (read === 'logs' ? LOG_TRANSFERS : '100'));
const k = Number(values.k ?? (send === 'pipelined' ? '200' : '300'));
const [rounds, top] = [values.rounds, values.top].map(Number) as [number, number];
if (![k, rounds, n, top].every((v) => Number.isInteger(v) && v > 0) || !Number.isInteger(warm) || warm < 0) throw new Error('--k, --rounds, --n and --top take positive integers, --warm one of 0 or more');
if (read === 'logs' && n < LOG_EPOCHS) throw new Error(`--read logs reads the ${LOG_EPOCHS} epochs ending at the last transfer, one a transfer: give --n ${LOG_EPOCHS} or more (the default is ${LOG_TRANSFERS})`);
/** What each `--read logs` read asks for (the LOG_EPOCHS epochs that end at the last of the `mined` transfers) and what it must answer. */
function logsOf(mined: Mined[]) {
  const to = mined[mined.length - 1]!.block;
  const from = to - LOG_EPOCHS + 1;
  return { range: { fromBlock: `0x${from.toString(16)}`, toBlock: `0x${to.toString(16)}` }, from, to, expected: transfersIn(mined, from, to) };
}
/** The most warm-up sends signed under one estimate: a token phase of 2100 transfers ran within one (bench/README.md). */
const WARM_BLOCK = 1000;
/** `--read balance-old`: the empty tipsets mined first, and how many of the first of them are read at (2 000 or more back). */
const OLD_TIPSETS = 3 * MAX_TIPSETS_MINED;
const OLD_HEIGHTS = 1000;
/** The default first storage provider's miner, t0111, as an Ethereum address (its masked ID address): written each tipset it wins. */
const STORAGE_PROVIDER = bytesToHex(maskedIdAddress(111));
/** The block measured against eth_chainIds, and how many requests each of its operations makes. */
const measured = send ? `${send} send` : read ?? 'eth_call';
/** A sequential send is two requests; fifty pipelined transfers share one, so none is taken off theirs. */
const requestsPerOp = send === 'pipelined' ? 0 : send ? 2 : 1;

const dumps = mkdtempSync(join(tmpdir(), 'fvm-call-instr-'));
/** Where node's --perf-basic-prof writes the names of the code it compiles: /tmp, whatever TMPDIR says. */
const perfMapOf = (pid: number) => `/tmp/perf-${pid}.map`;
const outFile = join(dumps, 'callgrind.out');
const valgrind = ['valgrind', '--tool=callgrind', '--instr-atstart=no', '--separate-threads=yes', `--callgrind-out-file=${outFile}`, ...(values.attribute ? ['--dump-instr=yes'] : [])];
const peer = await RunningPeer.start('fvm-devnet', () => ({ wrapper: valgrind, nodeFlags: values.attribute ? ['--perf-basic-prof'] : [], bundle: values.bundle }));
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
        const { range, from, to, expected } = logsRead!;
        checkLogs(await rpc.call<Log[]>('eth_getLogs', [range]), from, to, contracts.token, expected);
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

  const loadBefore = loadavg()[0]!.toFixed(1);
  await warmUp();
  await chainIds(warm);
  control(peer.pid, '--instr=on');
  // Valgrind translates the code again once instrumented; a block of each before the first counted.
  await prepare(k);
  await work(k);
  await chainIds(k);

  const blocks = { eth_chainId: chainIds, [measured]: work };
  type Counted = { all: number; main: number; mutator: number; files: string[] };
  type Figure = 'all' | 'main' | 'mutator';
  const counted: Record<string, Counted[]> = { eth_chainId: [], [measured]: [] };
  const fmt = (ir: number) => Math.round(ir).toLocaleString('en-US').padStart(10);
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? ['eth_chainId', measured] : [measured, 'eth_chainId'];
    for (const method of order) {
      if (method === measured) await prepare(k);
      dump(counting);
      await blocks[method]!(k);
      const files = dump(counting);
      const { all, main, mutator } = instructionsOf(files);
      counted[method]!.push({ all: all / k, main: main / k, mutator: mutator / k, files });
      console.log(`round ${r + 1}: ${method.padEnd(14)} instructions ${method === measured && send ? 'a send' : 'a request'}: ${fmt(all / k)} all threads, ${fmt(main / k)} main thread, ${fmt(mutator / k)} of it outside the collector`);
    }
  }
  /** The median and the spread (max − min ÷ median, %) of one figure over the rounds. */
  const summary = (method: string, key: Figure) => {
    const irs = counted[method]!.map((b) => b[key]);
    const mid = median(irs);
    return { mid, spread: ((Math.max(...irs) - Math.min(...irs)) / mid) * 100 };
  };
  console.log(`\nfvm-devnet under callgrind, ${send === 'pipelined' ? 'pipelined' : 'sequential'}, ${rounds} rounds of ${k} ${send === 'pipelined' ? 'transfers and eth_chainIds' : send ? 'sends (two requests each) and eth_chainIds' : 'requests'} each after ${warm} warm-up of each; instructions ${send ? 'a send or a request' : 'a request'}, medians (max − min ÷ median)`);
  const figures: Figure[] = ['all', 'main', 'mutator'];
  console.log(`${''.padEnd(14)} ${'all threads'.padStart(21)} ${'main thread'.padStart(21)} ${'main, outside the GC'.padStart(21)}`);
  for (const method of ['eth_chainId', measured]) {
    console.log(`${method.padEnd(14)} ${figures.map((f) => summary(method, f)).map(({ mid, spread }) => `${fmt(mid)} (${spread.toFixed(2).padStart(6)} %)`).join(' ')}`);
  }
  const diff = (key: Figure) => summary(measured, key).mid - requestsPerOp * summary('eth_chainId', key).mid;
  console.log(`${'difference'.padEnd(14)} ${figures.map((f) => `${fmt(diff(f))}${''.padStart(11)}`).join(' ')} ${send === 'pipelined' ? 'a pipelined transfer, nothing taken off' : send ? 'a send beyond two eth_chainIds' : `${read ? `a ${read} read` : 'a call'} beyond eth_chainId`}`);

  if (values.attribute) {
    // The main thread of the round whose measured block is the median's, against the median eth_chainId block.
    const pick = (list: Counted[]) => [...list].sort((a, b) => a.mutator - b.mutator)[Math.floor(list.length / 2)]!.files[0]!;
    const call = readCallgrindDump(pick(counted[measured]!), true, perfMapOf(peer.pid)).functions;
    const base = readCallgrindDump(pick(counted.eth_chainId!), true, perfMapOf(peer.pid)).functions;
    printTop(call, base);
  }
  console.log(`(${new Date().toISOString()}; load average ${loadBefore} before, ${loadavg()[0]!.toFixed(1)} after${values.keep ? `; dumps kept in ${dumps}${values.attribute ? `, the map in ${perfMapOf(peer.pid)}` : ''}` : ''})`);
} finally {
  await peer.stop();
  if (!values.keep) {
    rmSync(dumps, { recursive: true, force: true });
    if (values.attribute) rmSync(perfMapOf(peer.pid), { force: true });
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
