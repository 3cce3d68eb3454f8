// End to end (review2 Q6): Filecoin.MpoolPushMessage on a fork whose upstream is slow. A push whose
// estimate reads state the fork has not read waits for the upstream; a later push from the same key
// takes the nonce after it (Lotus's MpoolPushMessage takes a per-sender lock before estimating), and a
// push with its gas limit given waits for the upstream without holding other accounts' sends.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { DEV_ACCOUNTS, pollUntil, startDevnet, type DevnetProcess } from '../helpers/devnet-process.js';
import { rpc } from '../helpers/fork-calls.js';
import { stopForkSuite } from '../helpers/fork-suite.js';
import { upstreamProxy } from '../helpers/upstream-proxy.js';

const nodes: (DevnetProcess | undefined)[] = [];
after(() => stopForkSuite(nodes.reverse(), undefined));

/** Addresses only the upstream has a balance at. */
const COLD_ESTIMATED = '0x7777777777777777777777777777777777777777';
const COLD_GAS_GIVEN = '0x8888888888888888888888888888888888888888';

test('MpoolPushMessage on a fork with a slow upstream: pushes of one key keep their order, a gas-given one holds no other account', { timeout: 120_000 }, async (t) => {
  const upstream = await startDevnet(['--storage-providers', '0']);
  nodes.push(upstream);
  for (const address of [COLD_ESTIMATED, COLD_GAS_GIVEN]) assert.equal(await rpc(upstream.url, 'anvil_setBalance', [address, '0x9']), true);
  await rpc(upstream.url, 'evm_mine');
  const forkEpoch = Number(await rpc(upstream.url, 'eth_blockNumber'));
  const proxy = await upstreamProxy(t, upstream.url);
  const fork = await startDevnet(['--fork-url', proxy.url, '--fork-block-number', String(forkEpoch), '--storage-providers', '0', '--no-fork-cache']);
  nodes.push(fork);
  const [, one, two] = DEV_ACCOUNTS;
  const key: string = await rpc(fork.url, 'Filecoin.WalletDefaultAddress');
  const [coldEstimated, coldGasGiven, warm] = await Promise.all([COLD_ESTIMATED, COLD_GAS_GIVEN, two.address].map((eth) => rpc(fork.url, 'Filecoin.EthAddressToFilecoinAddress', [eth])));
  const push = (to: string, gasLimit = 0) => rpc(fork.url, 'Filecoin.MpoolPushMessage', [{ From: key, To: to, Value: '1', Method: 0, GasLimit: gasLimit }, null]);
  // Warm: the key, the dev accounts and what a tipset reads.
  await push(warm);
  await rpc(fork.url, 'eth_sendTransaction', [{ from: one.address, to: two.address, value: '0x1' }]);

  // The upstream now holds every request 3 s.
  proxy.mode.holdMs = 3000;
  const finished: string[] = [];
  const track = <T>(name: string, call: Promise<T>) => call.then((value) => (finished.push(name), value));
  // Sends `call`, then waits until the fork has asked the upstream for what it reads (held there): it
  // is in its turn. Its answer comes wrapped, not awaited.
  const held = async <T>(name: string, call: () => Promise<T>): Promise<{ answer: Promise<T> }> => {
    const before = proxy.mode.received.length;
    const answer = track(name, call());
    await pollUntil(`${name}'s read at the upstream`, async () => (proxy.mode.received.length > before ? true : undefined));
    return { answer };
  };
  const { answer: first } = await held('cold estimated push', () => push(coldEstimated));
  const second = track('warm push', push(warm));
  const pushes = await Promise.all([first, second]);
  assert.deepEqual(pushes.map((p) => p.Message.Nonce), [pushes[0].Message.Nonce, pushes[0].Message.Nonce + 1], 'the later push takes the nonce after the cold one');

  const { answer: gasGiven } = await held('cold gas-given push', () => push(coldGasGiven, 10_000_000));
  const send = await track('warm send', rpc(fork.url, 'eth_sendTransaction', [{ from: one.address, to: two.address, value: '0x1', gas: '0x1000000' }]));
  assert.notEqual(await rpc(fork.url, 'eth_getTransactionReceipt', [send]), null);
  const pushed = await gasGiven;
  assert.deepEqual(finished.slice(2), ['warm send', 'cold gas-given push']);
  assert.equal((await rpc(fork.url, 'Filecoin.StateSearchMsg', [null, pushed.CID, -1, true])).Receipt.ExitCode, 0);
  for (const address of [COLD_ESTIMATED, COLD_GAS_GIVEN]) assert.equal(await rpc(fork.url, 'eth_getBalance', [address, 'latest']), '0xa');
});
