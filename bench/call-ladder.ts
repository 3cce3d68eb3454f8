// `npm run bench:call-ladder`: what a sequential eth_call costs a node beyond its eth_chainId, split
// without instrumenting it: a ladder of requests, each doing a little more of a call's work than the
// one before, and the node's CPU time per request of each (/proc/<pid>/task/*/schedstat, which the
// machine's load moves far less than wall time). The steps between rungs are the segments:
//
//   eth_chainId           the HTTP request and answer, fastify, the JSON-RPC dispatch
//   eth_getBalance        + parameters, the block, one state read
//   call an account       + a call's set-up: its message and context, the miner's queue, an overlay,
//                           the executor, the send (an EthAccount runs no EVM)
//   call a STOP contract  + the EVM actor, its message and one frame of one instruction
//   call last()           + a short frame: the selector's dispatch and one SLOAD (~40 instructions)
//   call balanceOf        the bench's call: 103 instructions, a keccak, a mapping's SLOAD
//
// The node is put through the bench's throughput workload first (phases.ts callWorkload, `--n`),
// then each rung's `--warm` requests, then `--rounds` rounds of one block of `--block` requests per
// rung, the order reversed every other round; medians of the blocks. With `--batch k` the requests
// go k to a JSON-RPC batch, so a node runs them back to back: what each costs warm, against what it
// costs once between HTTP requests. `--peer anvil` runs Anvil (its answering thread is not its main).
//
//   npm run bench:call-ladder [-- [--peer anvil] [--batch 50] [--n 1000 --rounds 8 --block 500 --warm 2000]]
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { id } from 'ethers';
import { callWorkload, median } from './phases.js';
import { RunningPeer, type PeerName } from './peers.js';
import { Signer, nthAddress, token } from './workload.js';

const { values } = parseArgs({
  options: {
    peer: { type: 'string', default: 'fvm-devnet' },
    n: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '8' },
    block: { type: 'string', default: '500' },
    warm: { type: 'string', default: '2000' },
    batch: { type: 'string', default: '1' },
  },
});
const [n, rounds, block, warm, batch] = [values.n, values.rounds, values.block, values.warm, values.batch].map(Number) as [number, number, number, number, number];
if (![n, rounds, block, warm, batch].every((v) => Number.isInteger(v) && v > 0) || block % batch !== 0 || warm % batch !== 0) {
  throw new Error('--n, --rounds, --block, --warm and --batch take positive integers, --block and --warm multiples of --batch');
}
if (values.peer !== 'fvm-devnet' && values.peer !== 'anvil') throw new Error('--peer takes fvm-devnet or anvil');

/** Runtime code of one STOP (0x00), returned by its init code: PUSH1 1, PUSH1 12, PUSH1 0, CODECOPY, PUSH1 1, PUSH1 0, RETURN. */
const STOP_CONTRACT_INIT = '0x6001600c60003960016000f300';
const LAST = id('last()').slice(0, 10);

interface Rung {
  name: string;
  method: string;
  params(i: number): unknown[];
  /** Whether `answer` is right for request `i`. */
  right(answer: unknown, i: number): boolean;
}

const peer = await RunningPeer.start(values.peer as PeerName);
try {
  const { rpc } = peer;
  const { contracts: [contracts], holds } = await callWorkload([peer], n);
  const signer = await Signer.create(rpc);
  const stop = (await signer.send({ data: STOP_CONTRACT_INIT })).contractAddress!;
  const chainId = `0x${signer.chainId.toString(16)}`;
  const lastWord = await rpc.call('eth_call', [{ to: contracts!.heavy, data: LAST }, 'latest']);
  const balanceOf = (i: number) => token.encodeFunctionData('balanceOf', [nthAddress(i)]);
  const rungs: Rung[] = [
    { name: 'eth_chainId', method: 'eth_chainId', params: () => [], right: (a) => a === chainId },
    // The workload's sequential and pipelined transfers each sent the first n addresses 1 attoFIL.
    { name: 'eth_getBalance', method: 'eth_getBalance', params: (i) => [nthAddress(i), 'latest'], right: (a, i) => BigInt(a as string) === (i < n ? 2n : 0n) },
    { name: 'call an account', method: 'eth_call', params: (i) => [{ to: nthAddress(i), data: balanceOf(i) }, 'latest'], right: (a) => a === '0x' },
    { name: 'call a STOP contract', method: 'eth_call', params: (i) => [{ to: stop, data: balanceOf(i) }, 'latest'], right: (a) => a === '0x' },
    { name: 'call last()', method: 'eth_call', params: () => [{ to: contracts!.heavy, data: LAST }, 'latest'], right: (a) => a === lastWord },
    { name: 'call balanceOf', method: 'eth_call', params: (i) => [{ to: contracts!.token, data: balanceOf(i) }, 'latest'], right: (a, i) => BigInt(a as string) === (holds(i) ? 1n : 0n) },
  ];
  if (!/^0x[0-9a-f]{64}$/.test(lastWord)) throw new Error(`last() answered ${lastWord}`);

  // Each block asks about addresses no block asked about before.
  let next = 0;
  /** µs per request of the node's CPU (all threads, main thread), the client's, and wall time. */
  const runBlock = async (rung: Rung, count: number) => {
    const first = next;
    next += count;
    const params = Array.from({ length: count }, (_, k) => rung.params(first + k));
    const answers: unknown[] = [];
    const cpu0 = peer.cpu();
    const client0 = process.cpuUsage();
    const t0 = performance.now();
    for (let k = 0; k < count; k += batch) {
      if (batch === 1) answers.push(await rpc.call(rung.method, params[k]));
      else answers.push(...(await rpc.batch(rung.method, params.slice(k, k + batch) as unknown[][])));
    }
    const wall = performance.now() - t0;
    const client = process.cpuUsage(client0);
    const cpu1 = peer.cpu();
    const wrong = answers.findIndex((a, k) => !rung.right(a, first + k));
    if (wrong >= 0) throw new Error(`${rung.name} answered ${JSON.stringify(answers[wrong])} for request ${first + wrong}`);
    return { all: (cpu1.all - cpu0.all) / count, main: (cpu1.main - cpu0.main) / count, client: (client.user + client.system) / count, wall: (wall * 1000) / count };
  };

  const loadBefore = loadavg()[0]!.toFixed(1);
  for (const rung of rungs) await runBlock(rung, warm);
  const blocks = new Map(rungs.map((rung) => [rung, [] as Awaited<ReturnType<typeof runBlock>>[]]));
  for (let r = 0; r < rounds; r++) {
    for (const rung of r % 2 === 0 ? rungs : [...rungs].reverse()) blocks.get(rung)!.push(await runBlock(rung, block));
  }

  console.log(`\n${values.peer}, after the bench's workload (n = ${n}); ${batch === 1 ? 'sequential requests' : `batches of ${batch}`}, µs per request (medians of ${rounds} blocks of ${block})`);
  console.log(`${'rung'.padEnd(22)} ${'node, all'.padStart(10)} ${'main'.padStart(7)} ${'step'.padStart(6)} ${'client'.padStart(7)} ${'wall'.padStart(7)}`);
  let below: number | undefined;
  for (const rung of rungs) {
    const got = blocks.get(rung)!;
    const [all, main, client, wall] = (['all', 'main', 'client', 'wall'] as const).map((key) => median(got.map((b) => b[key])));
    const step = below === undefined ? '' : `${all! >= below ? '+' : ''}${(all! - below).toFixed(1)}`;
    console.log(`${rung.name.padEnd(22)} ${all!.toFixed(1).padStart(10)} ${main!.toFixed(1).padStart(7)} ${step.padStart(6)} ${client!.toFixed(1).padStart(7)} ${wall!.toFixed(1).padStart(7)}`);
    below = all;
  }
  console.log(`(${new Date().toISOString()}; load average ${loadBefore} before, ${loadavg()[0]!.toFixed(1)} after; "step": node CPU, all threads, over the rung above)`);
} finally {
  await peer.stop();
}
