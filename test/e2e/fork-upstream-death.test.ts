// End to end: the upstream process is killed (SIGKILL) while a fork process's first call of a
// contract is fetching its 100 cold storage slots. The call fails with an error naming the upstream
// call (no wrong answer, no hang), the fork keeps serving, and a fork restarted on the same cache
// once the upstream is back answers right: the cache kept only complete data.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DEV_ACCOUNTS, pollUntil, startDevnet, within, type DevnetProcess } from '../helpers/devnet-process.js';
import { answerOrError, hex, rpc } from '../helpers/fork-calls.js';
import { deployHundredSlots, freshForkCache, HUNDRED_SLOTS_SUM, hundredSlots, stopForkSuite } from '../helpers/fork-suite.js';
import { upstreamProxy } from '../helpers/upstream-proxy.js';


const nodes: (DevnetProcess | undefined)[] = [];
let cacheDir: string | undefined;
after(() => stopForkSuite(nodes.reverse(), cacheDir));

test('an upstream killed mid-warm-up: a clear error, the fork serves on, and a restart on the same cache answers right', async (t) => {
  cacheDir = freshForkCache('fvm-fork-upstream-death-');
  // The upstream journals each tipset to its state file, so it comes back after SIGKILL with the same chain.
  const stateFile = join(cacheDir, 'upstream.state');
  const upstream = await startDevnet(['--state', stateFile]);
  nodes.push(upstream);
  const contract = await deployHundredSlots(upstream.url);
  const forkEpoch = Number(await rpc(upstream.url, 'eth_blockNumber'));
  const forkBlock = await rpc(upstream.url, 'eth_getBlockByNumber', [hex(forkEpoch), false]);
  const sum = { to: contract, data: hundredSlots.encodeFunctionData('sum') };

  const proxy = await upstreamProxy(t, upstream.url);
  const fork = await startDevnet(['--fork-url', proxy.url, '--fork-block-number', String(forkEpoch), '--storage-providers', '0']);
  nodes.push(fork);

  // Each request now waits before it reaches the upstream, so the contract's storage reads (its KAMT's blocks) are unanswered when it dies.
  proxy.mode.holdMs = 1000;
  const asked = proxy.mode.received.length;
  const call = answerOrError(rpc(fork.url, 'eth_call', [sum, 'latest']));
  await pollUntil("the fork to read the contract's storage", async () => (proxy.mode.received.slice(asked).includes('Filecoin.ChainReadObj') ? true : undefined), { attempts: 1200 });
  upstream.kill('SIGKILL');
  // The reads in flight are held past the death; the fork's retries need no hold to find the upstream gone.
  proxy.mode.holdMs = 0;
  const answer = await within('the cold call to settle', 60_000, call);
  assert.match(answer.error ?? '', /^eth_call: upstream Filecoin\.ChainReadObj failed after \d+ attempts: /, `the call must fail, not answer ${JSON.stringify(answer)}`);

  // The fork serves on: what it holds answers (its head, a dev account it funded at start), and the
  // same call fails again as clearly, an upstream read given up after its retries (which read fails
  // first varies: the retry reads the actor again).
  assert.equal(await rpc(fork.url, 'eth_blockNumber'), hex(forkEpoch));
  assert.ok(BigInt(await rpc(fork.url, 'eth_getBalance', [DEV_ACCOUNTS[0].address, 'latest'])) > 0n);
  assert.match((await answerOrError(rpc(fork.url, 'eth_call', [sum, 'latest']))).error ?? '', /^eth_call: upstream \S+ failed after \d+ attempts: /);
  await fork.stop();

  // The upstream back up (same chain), a fork at the same epoch on the same cache answers right.
  const back = await startDevnet(['--state', stateFile]);
  nodes.push(back);
  assert.equal((await rpc(back.url, 'eth_getBlockByNumber', [hex(forkEpoch), false])).hash, forkBlock.hash);
  const again = await startDevnet(['--fork-url', back.url, '--fork-block-number', String(forkEpoch), '--storage-providers', '0']);
  nodes.push(again);
  assert.equal(BigInt(await rpc(again.url, 'eth_call', [sum, 'latest'])), HUNDRED_SLOTS_SUM);
  for (const slot of [0, 37, 99]) {
    const read = { to: contract, data: hundredSlots.encodeFunctionData('values', [slot]) };
    assert.equal(BigInt(await rpc(again.url, 'eth_call', [read, 'latest'])), BigInt(slot + 1));
  }
});
