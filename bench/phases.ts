// The bench's measurements, each on a node the caller started. Every phase checks that the node
// did the work (receipts, nonces, every answer), so a node that fails fast or answers wrongly cannot
// look fast; answers are kept during the timed loop and checked after the clock stops.
import { performance } from 'node:perf_hooks';
import { Signer, deployContracts, heavy, nthAddress, receipt, token, type Contracts, type Receipt } from './workload.js';
import type { RpcClient } from './rpc-client.js';

const BATCH_SIZE = 50;
const BATCHES_IN_FLIGHT = 4;
export const CLIENTS = 32;
/** anvil_mine of more blocks makes fvm-devnet mine null rounds; the bench wants real tipsets. */
const MINE_CHUNK = 1000;

/** `count` runs of `job` by `clients` concurrent workers; runs per second. */
async function rate(count: number, clients: number, job: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) await job(i);
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: clients }, worker));
  return count / ((performance.now() - t0) / 1000);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function expectNonce(rpc: RpcClient, s: Signer, expected = s.nonce): Promise<void> {
  const mined = Number(await rpc.call('eth_getTransactionCount', [s.address, 'latest']));
  if (mined !== expected) throw new Error(`expected nonce ${expected}, the node reports ${mined}`);
}

/** A transaction the node mined: its hash and its block. */
export interface Mined {
  hash: string;
  block: number;
}

/** Sends one signed transaction and waits for its receipt, which must say it succeeded; where it was mined. */
export async function sendToReceipt(rpc: RpcClient, raw: string, what: string): Promise<Mined> {
  const hash = await rpc.call('eth_sendRawTransaction', [raw]);
  const r = await receipt(rpc, hash);
  if (BigInt(r.status) !== 1n) throw new Error(`${what} failed: ${JSON.stringify(r)}`);
  return { hash, block: Number(r.blockNumber) };
}

/** Pre-signed transactions sent one at a time, each waited for to its receipt; tx/s and where each was mined. */
async function sequential(rpc: RpcClient, s: Signer, raws: string[]): Promise<{ tps: number; mined: Mined[] }> {
  const mined: Mined[] = [];
  const tps = await rate(raws.length, 1, async (i) => mined.push(await sendToReceipt(rpc, raws[i]!, `transaction ${i}`)));
  await expectNonce(rpc, s);
  return { tps, mined };
}

/**
 * Transfers of 1 attoFIL/wei to the addresses from `firstAddress` on, sequentially. The gas is
 * estimated for the first of them: all are new accounts, or all exist (Filecoin charges creating one).
 */
export async function sequentialTransfers(rpc: RpcClient, s: Signer, count: number, firstAddress = 0): Promise<number> {
  return (await sequential(rpc, s, await presignTransfers(s, count, firstAddress))).tps;
}

/** `count` signed transfers of 1 attoFIL/wei to the addresses from `firstAddress` on (see sequentialTransfers). */
export async function presignTransfers(s: Signer, count: number, firstAddress = 0): Promise<string[]> {
  const gasLimit = await s.gasFor({ to: nthAddress(firstAddress), value: 1n });
  return s.presign(count, (i) => ({ to: nthAddress(firstAddress + i), value: 1n, gasLimit }));
}

/**
 * Pre-signed transactions with consecutive nonces in JSON-RPC batches, until the last receipt; tx/s.
 * A few batches are in flight, unless the node refuses a nonce gap (Hardhat: it also runs a batch's
 * requests concurrently), then the transactions go one request after another, with no receipt waited for.
 * `nonceAfter` is the sender's nonce once all are mined.
 */
export async function pipelined(rpc: RpcClient, s: Signer, raws: string[], queuesNonceGaps: boolean, nonceAfter = s.nonce): Promise<number> {
  const batchSize = queuesNonceGaps ? BATCH_SIZE : 1;
  const batches: string[][] = [];
  for (let i = 0; i < raws.length; i += batchSize) batches.push(raws.slice(i, i + batchSize));
  const hashes: string[][] = [];
  const t0 = performance.now();
  await rate(batches.length, queuesNonceGaps ? BATCHES_IN_FLIGHT : 1, async (i) => (hashes[i] = await rpc.batch('eth_sendRawTransaction', batches[i]!.map((raw) => [raw]))));
  const last = await receipt(rpc, hashes.at(-1)!.at(-1)!);
  const elapsed = performance.now() - t0;
  if (BigInt(last.status) !== 1n) throw new Error(`the last pipelined transfer failed: ${JSON.stringify(last)}`);
  await expectNonce(rpc, s, nonceAfter);
  return raws.length / (elapsed / 1000);
}

/** `count` pipelined transfers of 1 attoFIL/wei to new addresses; tx/s. */
export async function pipelinedTransfers(rpc: RpcClient, s: Signer, count: number, queuesNonceGaps: boolean): Promise<number> {
  const gasLimit = await s.gasFor({ to: nthAddress(0), value: 1n });
  return pipelined(rpc, s, await s.presign(count, (i) => ({ to: nthAddress(i), value: 1n, gasLimit })), queuesNonceGaps);
}

/** What bench:long sends: `count` transfers of 1 attoFIL/wei to new addresses, signed before any is sent, and the sender's nonce before them. */
export async function longTransfers(s: Signer, count: number): Promise<{ raws: string[]; firstNonce: number }> {
  const gasLimit = await s.gasFor({ to: nthAddress(0), value: 1n });
  const firstNonce = s.nonce;
  return { raws: await s.presign(count, (i) => ({ to: nthAddress(i), value: 1n, gasLimit })), firstNonce };
}

/**
 * Sends `raws` (from `s`, consecutive nonces from `firstNonce`) pipelined, `step` at a time, and
 * reads `measure` before the first and after each step: [transactions so far, measure] pairs.
 * A fresh node of the same peer accepts the same `raws` (same chain, same fees).
 */
export async function alongTransfers(rpc: RpcClient, s: Signer, raws: string[], firstNonce: number, step: number, queuesNonceGaps: boolean, measure: () => number | Promise<number>): Promise<[number, number][]> {
  // Signing held this event loop for minutes: let it see the idle keep-alive connection the node
  // closed meanwhile, or the first batch is written to it (EPIPE).
  await new Promise((resolve) => setTimeout(resolve, 100));
  const points: [number, number][] = [[0, await measure()]];
  for (let sent = 0; sent < raws.length; sent += step) {
    const chunk = raws.slice(sent, sent + step);
    await pipelined(rpc, s, chunk, queuesNonceGaps, firstNonce + sent + chunk.length);
    points.push([sent + chunk.length, await measure()]);
  }
  return points;
}

/** `count` pipelined transfers to new addresses, `step` at a time; the node's resident memory after each step: [transactions so far, MiB] pairs. */
export async function rssAlongTransfers(rpc: RpcClient, s: Signer, count: number, step: number, queuesNonceGaps: boolean, rssMiB: () => number): Promise<[number, number][]> {
  const { raws, firstNonce } = await longTransfers(s, count);
  return alongTransfers(rpc, s, raws, firstNonce, step, queuesNonceGaps, rssMiB);
}

/** The gas margin over one estimate for a phase of token transfers to new holders (see erc20Transfers). */
const TOKEN_GAS_MARGIN = 8;

/** `count` token transfers of 1 to nthAddress(0…count-1), sequential: tx/s, and where each was mined (its Transfer log). */
export async function erc20Transfers(rpc: RpcClient, s: Signer, contracts: Contracts, count: number): Promise<{ tps: number; mined: Mined[] }> {
  return sequential(rpc, s, await presignTokenTransfers(s, contracts, count));
}

/** `count` signed token transfers of 1 to nthAddress(first…first+count-1), with one gas limit for all (see erc20Transfers). */
export async function presignTokenTransfers(s: Signer, contracts: Contracts, count: number, first = 0): Promise<string[]> {
  const data = (i: number) => token.encodeFunctionData('transfer', [nthAddress(first + i), 1n]);
  // On the FVM a transfer costs more as the token's storage fills: each new holder's slot lands in
  // the contract's KAMT, whose nodes on its path are loaded and written whole at their real size
  // (G11), so the nodes grow and the tree deepens with the holders. With a margin of 3 over the
  // first transfer's estimate, the 606th transfer of this phase ran out of its 18.8 M (1a98cab).
  // One estimate, made now, must cover the whole phase: hence the margin.
  const gasLimit = await s.gasFor({ to: contracts.token, data: data(count) }, TOKEN_GAS_MARGIN);
  return s.presign(count, (i) => ({ to: contracts.token, data: data(i), gasLimit }));
}

export async function heavyCalls(rpc: RpcClient, s: Signer, contracts: Contracts, count: number): Promise<number> {
  const data = (i: number) => heavy.encodeFunctionData('hash', [BigInt(i + 1)]);
  const gasLimit = await s.gasFor({ to: contracts.heavy, data: data(0) }, 1.2);
  return (await sequential(rpc, s, await s.presign(count, (i) => ({ to: contracts.heavy, data: data(i), gasLimit })))).tps;
}

/**
 * The bench's throughput phases before its eth_call phase (bench/run.ts, for `n`: transfers sequential
 * and pipelined, mine to 2880, ERC-20 transfers, tokens given, heavy calls) on `nodes`, together phase
 * by phase, so that none sits idle while another works (an idle node's young generation shrinks, and
 * it then collects several times as often in the calls measured next). Each node's contracts, and
 * which addresses got a token (run.ts's holders: the first `n`, and `n` from 2n + CALL_WARM_UP on).
 */
export async function callWorkload(nodes: readonly { rpc: RpcClient }[], n: number): Promise<{ contracts: Contracts[]; holds: (i: number) => boolean }> {
  const signers = await Promise.all(nodes.map((node) => Signer.create(node.rpc)));
  const contracts = await Promise.all(signers.map((signer) => deployContracts(signer)));
  const phases: ((rpc: RpcClient, signer: Signer, contracts: Contracts) => Promise<unknown>)[] = [
    (rpc, signer) => sequentialTransfers(rpc, signer, n),
    (rpc, signer) => pipelinedTransfers(rpc, signer, n, true),
    (rpc) => mineTo(rpc, 'anvil_mine', 2880),
    (rpc, signer, token) => erc20Transfers(rpc, signer, token, n),
    (rpc, signer, token) => giveTokens(rpc, signer, token, 2 * n + CALL_WARM_UP, n, true),
    (rpc, signer, token) => heavyCalls(rpc, signer, token, Math.round(n / 5)),
  ];
  for (const phase of phases) await Promise.all(nodes.map((node, i) => phase(node.rpc, signers[i]!, contracts[i]!)));
  return { contracts, holds: (i) => i < n || (i >= 2 * n + CALL_WARM_UP && i < 3 * n + CALL_WARM_UP) };
}

/** How many calls of other addresses warm the node up before each eth_call phase's clock. */
export const CALL_WARM_UP = 200;

/**
 * balanceOf of nthAddress(first…first+count-1), one call each, by `clients` concurrent clients;
 * calls/s. The arguments are ABI-encoded before the clock, as transactions are signed before theirs;
 * after it, every answer is checked: nthAddress(n) holds 1 token when `holds(n)`, none otherwise.
 */
export async function balanceOfCalls(rpc: RpcClient, tokenAddress: string, first: number, count: number, clients: number, holds: (n: number) => boolean): Promise<number> {
  const datas = Array.from({ length: count }, (_, i) => token.encodeFunctionData('balanceOf', [nthAddress(first + i)]));
  const answers: string[] = new Array(count);
  const perSec = await rate(count, clients, async (i) => (answers[i] = await rpc.call('eth_call', [{ to: tokenAddress, data: datas[i] }, 'latest'])));
  answers.forEach((answer, i) => {
    const n = first + i;
    const expected = holds(n) ? 1n : 0n;
    if (!/^0x[0-9a-f]{64}$/i.test(answer) || BigInt(answer) !== expected) throw new Error(`balanceOf(${nthAddress(n)}) answered ${answer}, expected ${expected}`);
  });
  return perSec;
}

/**
 * `count` balanceOf calls (see balanceOfCalls) of the addresses from `first` on, after CALL_WARM_UP
 * warm-up calls of the addresses that follow them; calls/s. A phase with addresses of its own sends
 * no request another phase sent, so no answer can come from a cache keyed on the request.
 */
export async function ethCalls(rpc: RpcClient, contracts: Contracts, first: number, count: number, clients: number, holds: (n: number) => boolean): Promise<number> {
  await balanceOfCalls(rpc, contracts.token, first + count, CALL_WARM_UP, clients, holds);
  return balanceOfCalls(rpc, contracts.token, first, count, clients, holds);
}

/**
 * One token each to nthAddress(first…first+count-1), pipelined as the transfers are (set-up, not
 * timed): holders for an eth_call phase of its own. balanceOfCalls checks that each got it.
 */
export async function giveTokens(rpc: RpcClient, s: Signer, contracts: Contracts, first: number, count: number, queuesNonceGaps: boolean): Promise<void> {
  const data = (i: number) => token.encodeFunctionData('transfer', [nthAddress(first + i), 1n]);
  // Every recipient is new; the margin as for the ERC-20 phase.
  const gasLimit = await s.gasFor({ to: contracts.token, data: data(0) }, TOKEN_GAS_MARGIN);
  await pipelined(rpc, s, await s.presign(count, (i) => ({ to: contracts.token, data: data(i), gasLimit })), queuesNonceGaps);
}

/** The node's own floor per request: eth_chainId, calls/s; every answer must be `chainId` (the one the node mined the transactions under). */
export async function chainIds(rpc: RpcClient, count: number, clients: number, chainId: bigint): Promise<number> {
  const answers: string[] = new Array(count);
  await rate(200, clients, () => rpc.call('eth_chainId'));
  const perSec = await rate(count, clients, async (i) => (answers[i] = await rpc.call('eth_chainId')));
  const expected = `0x${chainId.toString(16)}`;
  const wrong = answers.findIndex((a) => a !== expected);
  if (wrong >= 0) throw new Error(`eth_chainId answered ${answers[wrong]}, expected ${expected}`);
  return perSec;
}

/** Mines until the head is at least `height`, in real blocks. */
export async function mineTo(rpc: RpcClient, mineMethod: string, height: number): Promise<void> {
  for (let head = Number(await rpc.call('eth_blockNumber')); head < height; head = Number(await rpc.call('eth_blockNumber'))) {
    await rpc.call(mineMethod, [`0x${Math.min(MINE_CHUNK, height - head).toString(16)}`]);
  }
}

const TRANSFER_TOPIC = token.getEvent('Transfer')!.topicHash;

export type Log = { address: string; topics: string[]; blockNumber: string; transactionHash: string };

/** How many eth_getLogs over other epochs come before the first timed range, as the eth_call and eth_chainId phases warm up. */
export const LOGS_WARM_UP = 5;

/**
 * eth_getLogs over `from`…`to`, LOGS_WARM_UP times, not timed: the node's first use of its logs path. The
 * range holds Transfer logs of the bench token (the gifts) and lies outside the timed ranges, whose
 * tipsets it does not read.
 */
export async function warmGetLogs(rpc: RpcClient, from: number, to: number): Promise<void> {
  const range = { fromBlock: `0x${from.toString(16)}`, toBlock: `0x${to.toString(16)}` };
  for (let i = 0; i < LOGS_WARM_UP; i++) {
    const logs = await rpc.call<Log[]>('eth_getLogs', [range]);
    if (logs.length === 0) throw new Error(`eth_getLogs over ${range.fromBlock}…${range.toBlock} (the gifts' epochs) answered no log`);
  }
}

/**
 * Median time of eth_getLogs (no filter but the range) over the `epochs` epochs that end at `last`,
 * and how many logs it returns. Every answer is checked after the clock: exactly the Transfer logs
 * of the token's `transfers` mined in the range (no other transaction of the bench logs there).
 */
export async function getLogs(rpc: RpcClient, last: number, epochs: number, tokenAddress: string, transfers: Mined[], repeats = 9): Promise<{ ms: number; logs: number }> {
  const first = last - epochs + 1;
  const range = { fromBlock: `0x${first.toString(16)}`, toBlock: `0x${last.toString(16)}` };
  const times: number[] = [];
  const answers: Log[][] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    answers.push(await rpc.call<Log[]>('eth_getLogs', [range]));
    times.push(performance.now() - t0);
  }
  const expected = transfersIn(transfers, first, last);
  for (const logs of answers) checkLogs(logs, first, last, tokenAddress, expected);
  return { ms: median(times), logs: expected.size };
}

/** The hashes (lower case) of the `transfers` mined in epochs `first`…`last`: the Transfer logs eth_getLogs over them answers. */
export function transfersIn(transfers: Mined[], first: number, last: number): Set<string> {
  return new Set(transfers.filter((t) => t.block >= first && t.block <= last).map((t) => t.hash.toLowerCase()));
}

/** Throws unless `logs`, eth_getLogs' answer over `first`…`last`, are exactly the token's Transfer logs of the `expected` transactions (transfersIn). */
export function checkLogs(logs: Log[], first: number, last: number, tokenAddress: string, expected: Set<string>): void {
  const range = `0x${first.toString(16)}…0x${last.toString(16)}`;
  const hashes = new Set(logs.map((l) => l.transactionHash.toLowerCase()));
  const stray = logs.find((l) => l.address.toLowerCase() !== tokenAddress.toLowerCase() || l.topics[0]?.toLowerCase() !== TRANSFER_TOPIC || Number(l.blockNumber) < first || Number(l.blockNumber) > last);
  if (stray) throw new Error(`eth_getLogs over ${range} answered a log not among the bench's Transfers: ${JSON.stringify(stray)}`);
  if (logs.length !== expected.size || hashes.size !== expected.size || [...expected].some((h) => !hashes.has(h))) {
    throw new Error(`eth_getLogs over ${range} answered ${logs.length} logs of ${hashes.size} transactions, expected the ${expected.size} Transfers mined there`);
  }
}

export type TxReceipt = { transactionHash: string; blockNumber: string; status: string; logs: unknown[] };
export type FullBlock = { number: string; transactions: { hash: string }[] };

/** Throws unless `r` is the receipt of `mined`'s token transfer: its hash, block, success and one Transfer log. */
export function checkReceipt(r: TxReceipt, { hash, block }: Mined): void {
  if (r.transactionHash.toLowerCase() !== hash.toLowerCase() || Number(r.blockNumber) !== block || BigInt(r.status) !== 1n || r.logs.length !== 1) {
    throw new Error(`eth_getTransactionReceipt(${hash}) answered ${JSON.stringify(r).slice(0, 300)}`);
  }
}

/** Throws unless `receipts` are `mined`'s block's: its transaction's receipt alone, as checkReceipt checks it. */
export function checkBlockReceipts(receipts: TxReceipt[], mined: Mined): void {
  if (receipts.length !== 1) throw new Error(`eth_getBlockReceipts(${mined.block}) answered ${receipts.length} receipts, expected only ${mined.hash}'s`);
  checkReceipt(receipts[0]!, mined);
}

/** Throws unless `b` is `mined`'s block with full transactions: its number and `mined`'s transaction alone. */
export function checkFullBlock(b: FullBlock, { hash, block }: Mined): void {
  if (Number(b.number) !== block || b.transactions.length !== 1 || b.transactions[0]!.hash.toLowerCase() !== hash.toLowerCase()) {
    throw new Error(`eth_getBlockByNumber(${block}, true) answered ${JSON.stringify(b).slice(0, 300)}, expected only ${hash}`);
  }
}

/**
 * What a test runner or a dApp polls after each transaction: the receipt of each of `mined` (a
 * token transfer each, one Transfer log), then its block with full transactions, sequential, one
 * request each, every one different; reads/s of each. Every answer is checked after the clock: the
 * receipt's hash, block and status and its one log; the block's number and its one transaction.
 */
export async function receiptsAndBlocks(rpc: RpcClient, mined: Mined[]): Promise<{ receiptsPerSec: number; blocksPerSec: number }> {
  const receipts: TxReceipt[] = new Array(mined.length);
  const receiptsPerSec = await rate(mined.length, 1, async (i) => (receipts[i] = await rpc.call<TxReceipt>('eth_getTransactionReceipt', [mined[i]!.hash])));
  const blocks: FullBlock[] = new Array(mined.length);
  const blocksPerSec = await rate(mined.length, 1, async (i) => (blocks[i] = await rpc.call<FullBlock>('eth_getBlockByNumber', [`0x${mined[i]!.block.toString(16)}`, true])));
  mined.forEach((m, i) => {
    checkReceipt(receipts[i]!, m);
    checkFullBlock(blocks[i]!, m);
  });
  return { receiptsPerSec, blocksPerSec };
}

/** Milliseconds per sequential transfer (to new addresses from `firstAddress` on) at the current head. */
export async function msPerTransfer(rpc: RpcClient, s: Signer, count: number, firstAddress: number): Promise<number> {
  return 1000 / (await sequentialTransfers(rpc, s, count, firstAddress));
}

/** What one loadFixture-style cycle sends between its evm_snapshot and its evm_revert: 3 transfers, then 1 token transfer. */
const FIXTURE_TRANSFERS = 3;

/**
 * What a test suite does thousands of times (Hardhat's loadFixture, evm_snapshot/evm_revert around
 * each test of an ethers or viem suite): `cycles` times evm_snapshot, 3 transfers and 1 token
 * transfer each sent and waited for to its receipt, evm_revert; after `warmUp` cycles not timed.
 * On a fresh node most of V8's warm-up (~250 cycles, docs/performance.md "The warm-up") falls in the
 * timed cycles, as in a short suite: 1 000 cycles or more to see past it.
 * A revert puts the nonces back, so the same 4 signed transactions are sent in every cycle. Cycles/s,
 * and the median milliseconds of one evm_snapshot plus one evm_revert. Checked after the clock: every
 * revert answered true, every receipt succeeded and in the same blocks every cycle, and after the
 * last revert the sender's nonce and the recipients' balances are as before the first cycle.
 */
export async function fixtureCycles(rpc: RpcClient, s: Signer, contracts: Contracts, cycles: number, warmUp: number): Promise<{ cyclesPerSec: number; snapshotRevertMs: number }> {
  const baseNonce = s.nonce;
  const recipient = (i: number) => nthAddress(4_000_000 + i);
  const transferGas = await s.gasFor({ to: recipient(0), value: 1n });
  const tokenData = token.encodeFunctionData('transfer', [recipient(FIXTURE_TRANSFERS), 1n]);
  const tokenGas = await s.gasFor({ to: contracts.token, data: tokenData }, 1.2);
  const raws = await s.presign(FIXTURE_TRANSFERS + 1, (i) => (i < FIXTURE_TRANSFERS ? { to: recipient(i), value: 1n, gasLimit: transferGas } : { to: contracts.token, data: tokenData, gasLimit: tokenGas }));
  s.nonce = baseNonce;
  const head = Number(await rpc.call('eth_blockNumber'));
  const reverted: unknown[] = [];
  const receipts: Receipt[][] = [];
  const snapshotRevertMs: number[] = [];
  const cycle = async () => {
    const t0 = performance.now();
    const id = await rpc.call('evm_snapshot');
    const snapshotMs = performance.now() - t0;
    const mined: Receipt[] = [];
    for (const raw of raws) mined.push(await receipt(rpc, await rpc.call('eth_sendRawTransaction', [raw])));
    const t1 = performance.now();
    reverted.push(await rpc.call<unknown>('evm_revert', [id]));
    snapshotRevertMs.push(snapshotMs + performance.now() - t1);
    receipts.push(mined);
  };
  for (let i = 0; i < warmUp; i++) await cycle();
  snapshotRevertMs.length = 0;
  const cyclesPerSec = await rate(cycles, 1, cycle);
  const wrong = reverted.findIndex((r) => r !== true);
  if (wrong >= 0) throw new Error(`evm_revert of cycle ${wrong} answered ${JSON.stringify(reverted[wrong])}`);
  // Each cycle mines its transactions in the blocks after the snapshot's head: the first cycle's.
  const blocks = (mined: Receipt[]) => mined.map((r) => Number(r.blockNumber)).join(',');
  const first = blocks(receipts[0]!);
  if (Number(receipts[0]![0]!.blockNumber) !== head + 1) throw new Error(`the first cycle's transactions were mined in blocks ${first}, the head was ${head}`);
  receipts.forEach((mined, c) => {
    const failed = mined.findIndex((r) => BigInt(r.status) !== 1n);
    if (failed >= 0) throw new Error(`cycle ${c}, transaction ${failed} failed: ${JSON.stringify(mined[failed])}`);
    if (blocks(mined) !== first) throw new Error(`cycle ${c} mined its transactions in blocks ${blocks(mined)}, the first cycle in ${first}`);
  });
  await expectNonce(rpc, s, baseNonce);
  for (let i = 0; i < FIXTURE_TRANSFERS; i++) {
    const balance = BigInt(await rpc.call('eth_getBalance', [recipient(i), 'latest']));
    if (balance !== 0n) throw new Error(`${recipient(i)} holds ${balance} after the last revert, expected 0`);
  }
  const tokens = BigInt(await rpc.call('eth_call', [{ to: contracts.token, data: token.encodeFunctionData('balanceOf', [recipient(FIXTURE_TRANSFERS)]) }, 'latest']));
  if (tokens !== 0n) throw new Error(`${recipient(FIXTURE_TRANSFERS)} holds ${tokens} tokens after the last revert, expected 0`);
  return { cyclesPerSec, snapshotRevertMs: median(snapshotRevertMs) };
}
