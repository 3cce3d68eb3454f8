// End to end (audit15 WT4, C7, R7; fidaudit4 V20, review2 Q3): a fork process whose upstream stops answering for
// a while. The requests that need the upstream (a cold balance, a call and a traced call of an
// address the fork has not read, a send with its gas given to another such address) wait for it;
// meanwhile the fork's other clients are served: a send between dev accounts is mined, calls and a
// trace of a mined transaction are answered. Once the upstream answers again, the waiting requests
// get the upstream's values, and a later send of a cold send's sender takes the nonce after it.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Wallet } from 'ethers';
import { DEV_ACCOUNTS, DEVNET_CHAIN_ID, startDevnet, type DevnetProcess } from '../helpers/devnet-process.js';
import { rpc } from '../helpers/fork-calls.js';
import { stopForkSuite } from '../helpers/fork-suite.js';
import { upstreamProxy } from '../helpers/upstream-proxy.js';

const nodes: (DevnetProcess | undefined)[] = [];
after(() => stopForkSuite(nodes.reverse(), undefined));

/** Addresses only the upstream has a balance at. */
const COLD = '0x3333333333333333333333333333333333333333';
const COLD_RECIPIENT = '0x4444444444444444444444444444444444444444';
const COLD_RAW_RECIPIENT = '0x5555555555555555555555555555555555555555';

test('an upstream that hangs: the fork serves its other clients meanwhile, and the waiting reads answer once it is back', { timeout: 120_000 }, async (t) => {
  const upstream = await startDevnet(['--storage-providers', '0']);
  nodes.push(upstream);
  assert.equal(await rpc(upstream.url, 'anvil_setBalance', [COLD, '0x7']), true);
  assert.equal(await rpc(upstream.url, 'anvil_setBalance', [COLD_RECIPIENT, '0x9']), true);
  assert.equal(await rpc(upstream.url, 'anvil_setBalance', [COLD_RAW_RECIPIENT, '0x9']), true);
  await rpc(upstream.url, 'evm_mine');
  const forkEpoch = Number(await rpc(upstream.url, 'eth_blockNumber'));
  const proxy = await upstreamProxy(t, upstream.url);
  const fork = await startDevnet(['--fork-url', proxy.url, '--fork-block-number', String(forkEpoch), '--storage-providers', '0', '--no-fork-cache']);
  nodes.push(fork);
  const [, one, two, three, four] = DEV_ACCOUNTS;
  const raw = await new Wallet(four.privateKey).signTransaction({ type: 2, chainId: DEVNET_CHAIN_ID, nonce: 0, to: COLD_RAW_RECIPIENT, value: 1n, gasLimit: 0x1000000, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 200_000n });
  const transfer = { from: one.address, to: two.address, value: '0x1' };
  // Warm: the dev accounts and what a tipset reads.
  const warmHash = await rpc(fork.url, 'eth_sendTransaction', [transfer]);

  // The upstream now holds every request 4 s.
  proxy.mode.holdMs = 4000;
  const finished: string[] = [];
  const track = <T>(name: string, call: Promise<T>) => call.then((value) => (finished.push(name), value));
  const cold = [
    track('cold eth_getBalance', rpc(fork.url, 'eth_getBalance', [COLD, 'latest'])),
    track('cold eth_call', rpc(fork.url, 'eth_call', [{ from: one.address, to: COLD, value: '0x1' }, 'latest'])),
    track('cold debug_traceCall', rpc(fork.url, 'debug_traceCall', [{ from: one.address, to: COLD, value: '0x1' }, 'latest', { tracer: 'callTracer' }])),
    // Its gas given, so not estimated first: as a raw transaction signed with a gas limit (V20).
    track('cold send', rpc(fork.url, 'eth_sendTransaction', [{ from: three.address, to: COLD_RECIPIENT, value: '0x1', gas: '0x1000000' }])),
    // A raw transaction a wallet signed with its gas limit (V20).
    track('cold raw send', rpc(fork.url, 'eth_sendRawTransaction', [raw])),
  ];
  await new Promise((resolve) => setTimeout(resolve, 300));
  // The cold send's sender sends again, warm: it waits for the cold one and takes the next nonce (review2 Q3), as Lotus's per-sender lock orders them.
  const after = rpc(fork.url, 'eth_sendTransaction', [{ from: three.address, to: two.address, value: '0x1', gas: '0x1000000' }]);
  const warm = await Promise.all([
    track('warm send', rpc(fork.url, 'eth_sendTransaction', [transfer])),
    track('warm eth_call', rpc(fork.url, 'eth_call', [{ from: one.address, to: two.address }, 'latest'])),
    track('warm trace_transaction', rpc(fork.url, 'trace_transaction', [warmHash])),
    track('warm eth_getBalance', rpc(fork.url, 'eth_getBalance', [two.address, 'latest'])),
  ]);
  assert.ok((await rpc(fork.url, 'eth_getTransactionReceipt', [warm[0]])) !== null, 'the warm send is mined');
  assert.equal(warm[2].length, 1);
  assert.deepEqual(finished.slice(0, 4).sort(), ['warm eth_call', 'warm eth_getBalance', 'warm send', 'warm trace_transaction']);

  const [balance, , traced, ...coldSends] = await Promise.all(cold);
  assert.deepEqual(finished.slice(4).sort(), ['cold debug_traceCall', 'cold eth_call', 'cold eth_getBalance', 'cold raw send', 'cold send']);
  for (const hash of coldSends) assert.equal((await rpc(fork.url, 'eth_getTransactionReceipt', [hash])).status, '0x1');
  const nonceOf = async (hash: string) => Number((await rpc(fork.url, 'eth_getTransactionByHash', [hash])).nonce);
  assert.equal(await nonceOf(await after), (await nonceOf(coldSends[0])) + 1);
  for (const address of [COLD_RECIPIENT, COLD_RAW_RECIPIENT]) assert.equal(await rpc(fork.url, 'eth_getBalance', [address, 'latest']), '0xa');
  assert.equal(balance, '0x7');
  assert.equal(traced.to, COLD);
  assert.equal(traced.value, '0x1');
});
