// A Lotus gateway's lookback cap: with --gateway-only the node refuses tipsets more than 24 hours
// old, by key, by height and as eth_ block parameters, with Lotus's errors (gateway/node.go,
// proxy_eth.go). A fork of such an upstream at an epoch beyond the cap fails at start saying what to
// do; a fork made within it keeps answering what it has read once the upstream's clock has moved 24
// hours on, and a first read of untouched state then fails with an error naming the upstream call.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { startDevnet, type DevnetProcess } from '../helpers/devnet-process.js';
import { head, hex, rpc } from '../helpers/fork-calls.js';
import { useForkSuite } from '../helpers/fork-suite.js';

const REFUSED = 'lookbacks of more than 24h0m0s are disallowed';
/** A little more than the cap, in seconds. */
const PAST_THE_CAP = 25 * 60 * 60;
/** A gateway's limit on a message search's lookback, in epochs. */
const MESSAGE_LOOKBACK = 20;
const READ_FIRST = '0x4444444444444444444444444444444444444444';
const READ_LATER = '0x5555555555555555555555555555555555555555';

/** An error whose message (after the helper's `method: `) is `message`. */
const refusal = (message: string) => new RegExp(`: ${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);

/** Sends `wei` from the first dev account to `to` (mined at once); the tipset's epoch. */
async function transfer(url: string, to: string, wei: bigint): Promise<number> {
  const [from] = await rpc(url, 'eth_accounts');
  const hash = await rpc(url, 'eth_sendTransaction', [{ from, to, value: hex(Number(wei)) }]);
  return Number((await rpc(url, 'eth_getTransactionReceipt', [hash])).blockNumber);
}

/** Moves the node's clock on past the cap and mines a tipset there. */
async function passTheCap(url: string): Promise<void> {
  await rpc(url, 'evm_increaseTime', [PAST_THE_CAP]);
  await rpc(url, 'evm_mine');
}

describe('the lookback cap of an upstream started with --gateway-only', () => {
  let upstream: DevnetProcess;
  let fork: DevnetProcess | undefined;
  /** An epoch mined before the upstream's clock passed the cap, and its key; one after it. */
  let oldEpoch: number;
  let oldKey: unknown;
  let freshEpoch: number;

  useForkSuite('fvm-fork-lookback-', () => [fork, upstream]);

  before(async () => {
    upstream = await startDevnet(['--gateway-only']);
    oldEpoch = await transfer(upstream.url, READ_FIRST, 1n);
    oldKey = (await rpc(upstream.url, 'Filecoin.ChainGetTipSetByHeight', [oldEpoch, null])).Cids;
    await passTheCap(upstream.url);
    freshEpoch = await transfer(upstream.url, READ_LATER, 2n);
    await rpc(upstream.url, 'anvil_mine', [hex(MESSAGE_LOOKBACK + 1)]);
  });

  test('tipsets older than 24 hours are refused by key and by height, with Lotus\'s errors; newer ones and the head are served', async () => {
    const actor = 't01';
    await assert.rejects(rpc(upstream.url, 'Filecoin.StateGetActor', [actor, oldKey]), refusal(`bad tipset: ${REFUSED}`));
    await assert.rejects(rpc(upstream.url, 'Filecoin.StateSearchMsg', [oldKey, { '/': 'bafy2bzaceaxm23epjsmh75yvzcecsrbavlmkcxnva66bkdebdcnyw3bjrc74u' }, -1, true]), refusal(`bad tipset: ${REFUSED}`));
    await assert.rejects(rpc(upstream.url, 'Filecoin.ChainGetTipSetByHeight', [oldEpoch, null]), refusal(`bad tipset height: ${REFUSED}`));
    const headKey = (await rpc(upstream.url, 'Filecoin.ChainHead')).Cids;
    await assert.rejects(rpc(upstream.url, 'Filecoin.ChainGetPath', [oldKey, headKey]), refusal(`gateway: checking 'from' tipset: bad tipset: ${REFUSED}`));
    await assert.rejects(rpc(upstream.url, 'Filecoin.ChainGetPath', [headKey, oldKey]), refusal(`gateway: checking 'to' tipset: bad tipset: ${REFUSED}`));
    await assert.rejects(rpc(upstream.url, 'Filecoin.ChainGetTipSetByHeight', [(await head(upstream.url)) + 5, null]), refusal('tipset height in future'));
    // MsigGetVested: the gateway checks the end key only.
    await assert.rejects(rpc(upstream.url, 'Filecoin.MsigGetVested', [actor, headKey, oldKey]), refusal(`bad tipset: ${REFUSED}`));
    await assert.rejects(rpc(upstream.url, 'Filecoin.MsigGetVested', [actor, oldKey, headKey]), (error: Error) => !error.message.includes(REFUSED));
    await assert.rejects(rpc(upstream.url, 'Filecoin.GetActorEventsRaw', [{ fromHeight: oldEpoch }]), refusal(`bad tipset height: ${REFUSED}`));
    await rpc(upstream.url, 'Filecoin.GetActorEventsRaw', [{ fromHeight: freshEpoch }]);
    // The gateway does not check ChainGetTipSet: a tool may still learn the old tipset's height.
    assert.equal((await rpc(upstream.url, 'Filecoin.ChainGetTipSet', [oldKey])).Height, oldEpoch);
    const fresh = (await rpc(upstream.url, 'Filecoin.ChainGetTipSetByHeight', [freshEpoch, null])).Cids;
    assert.equal((await rpc(upstream.url, 'Filecoin.StateGetActor', [actor, fresh])).Nonce, 0);
    assert.ok(await rpc(upstream.url, 'Filecoin.StateGetActor', [actor, null]));
  });

  test('a message search looks back at most 20 epochs from where it starts, whatever limit it asks for', async () => {
    const { hash } = (await rpc(upstream.url, 'eth_getBlockByNumber', [hex(freshEpoch), true])).transactions[0];
    const cid = await rpc(upstream.url, 'Filecoin.EthGetMessageCidByTransactionHash', [hash]);
    for (const limit of [-1, MESSAGE_LOOKBACK + 5]) assert.equal(await rpc(upstream.url, 'Filecoin.StateSearchMsg', [null, cid, limit, true]), null, `limit ${limit}`);
    const fromFresh = (await rpc(upstream.url, 'Filecoin.ChainGetTipSetByHeight', [freshEpoch + 1, null])).Cids;
    assert.equal((await rpc(upstream.url, 'Filecoin.StateSearchMsg', [fromFresh, cid, -1, true])).Height, freshEpoch);
  });

  test('eth_ block parameters older than 24 hours are refused as Lotus\'s gateway refuses them', async () => {
    await assert.rejects(rpc(upstream.url, 'eth_getBalance', [READ_FIRST, hex(oldEpoch)]), refusal(`bad tipset height: ${REFUSED}`));
    await assert.rejects(rpc(upstream.url, 'Filecoin.EthGetBalance', [READ_FIRST, hex(oldEpoch)]), refusal(`bad tipset height: ${REFUSED}`));
    // The tipset mined after the clock passed the cap is served; its parent is the old one.
    const oldHash = (await rpc(upstream.url, 'eth_getBlockByNumber', [hex(oldEpoch + 1), false])).parentHash;
    await assert.rejects(rpc(upstream.url, 'eth_getBlockByHash', [oldHash, false]), refusal(`bad tipset: ${REFUSED}`));
    await assert.rejects(rpc(upstream.url, 'eth_getBalance', [READ_FIRST, { blockHash: oldHash }]), refusal(`bad tipset: ${REFUSED}`));
    await assert.rejects(rpc(upstream.url, 'eth_getLogs', [{ fromBlock: hex(oldEpoch) }]), refusal(`bad tipset height: ${REFUSED}`));
    await assert.rejects(rpc(upstream.url, 'eth_getBlockByNumber', ['earliest', false]), refusal('block param "earliest" is not supported'));
    // eth_feeHistory checks the height its block count reaches back to from a tag.
    const back = (await head(upstream.url)) - oldEpoch;
    await assert.rejects(rpc(upstream.url, 'eth_feeHistory', [hex(back), 'latest', []]), refusal(`bad tipset height: ${REFUSED}`));
    assert.ok(await rpc(upstream.url, 'eth_feeHistory', [hex(back - 1), 'latest', []]));
    assert.equal(await rpc(upstream.url, 'eth_getBalance', [READ_FIRST, 'latest']), '0x1');
    assert.equal(await rpc(upstream.url, 'eth_getBalance', [READ_LATER, hex(freshEpoch)]), '0x2');
  });

  test('a fork at an epoch beyond the cap fails at start, saying what the cap is and what to do', async () => {
    await assert.rejects(
      startDevnet(['--fork-url', upstream.url, '--fork-block-number', String(oldEpoch)]),
      /serves no tipset older than 24h0m0s \(its lookback cap\), and the fork epoch \d+ is older: fork at a later --fork-block-number \(within the last 24h0m0s\), or fork a full node's URL/,
    );
  });

  test('24 hours after a fork within the cap, what it read still answers and a first read of untouched state names the upstream call that failed', async () => {
    fork = await startDevnet(['--fork-url', upstream.url, '--fork-block-number', String(freshEpoch)]);
    assert.equal(await rpc(fork.url, 'eth_getBalance', [READ_FIRST, 'latest']), '0x1');
    await passTheCap(upstream.url);
    assert.equal(await rpc(fork.url, 'eth_getBalance', [READ_FIRST, 'latest']), '0x1');
    const untouched = new RegExp(`upstream (Filecoin\\.|eth_)\\w+: bad tipset( height)?: ${REFUSED}$`);
    await assert.rejects(rpc(fork.url, 'eth_getBalance', [READ_LATER, 'latest']), untouched);
    // Restarted from its disk cache, it starts, and answers the same.
    await fork.stop();
    fork = await startDevnet(['--fork-url', upstream.url, '--fork-block-number', String(freshEpoch)]);
    assert.equal(await rpc(fork.url, 'eth_getBalance', [READ_FIRST, 'latest']), '0x1');
    await assert.rejects(rpc(fork.url, 'eth_getBalance', [READ_LATER, 'latest']), untouched);
  });
});
