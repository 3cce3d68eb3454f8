// The Filecoin.* methods that take a tipset key, on a fork, given the key of an upstream tipset from
// before the fork epoch as the fork itself hands it out (ChainGetTipSetByHeight, a message lookup's
// TipSet): they answer as the upstream does at that key, driven by Glif's Lotus client the way a
// script passes one answer's key to the next call. The key of an upstream tipset after the fork epoch
// is unknown on the fork; keys the fork holds (its own tipsets, and its first, which stands in for the
// upstream's at the fork epoch) are answered without the upstream; a path across the fork epoch
// joins the upstream's to the fork's. The fork's first tipset is the upstream's as the upstream gives
// it (its headers, Parents and weight), so a walk by Parents from the fork's head goes on into the
// upstream's chain. Against a full upstream and a --gateway-only one, whose refusal of a method outside
// the gateway's set the fork gives too.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { JsonRpcProvider, Wallet } from 'ethers';
import { Message } from 'iso-filecoin/message';
import { RPC } from 'iso-filecoin/rpc';
import { create, signMessage } from 'iso-filecoin/wallet';
import { FilAddress } from '../../src/common/address.js';
import { decodeCbor, encodeCbor } from '../../src/common/cbor.js';
import { computePieceCid } from '../../src/devnet/storage-providers/piece-cid.js';
import { codeCid } from '../../src/fevm/actor.js';
import { DEV_ACCOUNTS, startDevnet, type DevnetProcess } from '../helpers/devnet-process.js';
import { t410 } from '../helpers/f410.js';
import { answerOrError, head, hex, rpc } from '../helpers/fork-calls.js';
import { useForkSuite } from '../helpers/fork-suite.js';
import { glifClient, type LotusClient } from '../helpers/glif.js';

/**
 * A glif call's result, or its error's message. A gateway's "method not found" comes with HTTP 500
 * (go-jsonrpc), which axios rejects: its JSON-RPC error is in the body.
 */
const lotusAnswer = (call: Promise<any>): Promise<any> =>
  call.catch((error: Error & { response?: { data?: { error?: { message?: string } } } }) => ({ error: error.response?.data?.error?.message ?? error.message }));

const RECIPIENT = '0x3333333333333333333333333333333333333333';
const OTHER_RECIPIENT = '0x4444444444444444444444444444444444444444';

/** A transfer from a dev account (the first unless told), mined; its hash and block number. */
async function transfer(
  url: string,
  wei: bigint,
  { account = 0, to = RECIPIENT, fees = {} }: { account?: number; to?: string; fees?: { maxPriorityFeePerGas?: bigint; maxFeePerGas?: bigint } } = {},
): Promise<{ hash: string; block: number }> {
  const provider = new JsonRpcProvider(url, undefined, { cacheTimeout: -1, staticNetwork: true });
  try {
    const receipt = await (await new Wallet(DEV_ACCOUNTS[account].privateKey, provider).sendTransaction({ to, value: wei, ...fees })).wait();
    return { hash: receipt!.hash, block: receipt!.blockNumber };
  } finally {
    provider.destroy();
  }
}

/**
 * Two transfers from the second dev account with a premium of 1 000 attoFIL, mined one after the
 * other, then a tipset on them: the lowest premiums the chain's last tipsets paid.
 */
async function lowPremiumTransfers(url: string): Promise<void> {
  const low = { account: 1, to: OTHER_RECIPIENT, fees: { maxPriorityFeePerGas: 1000n, maxFeePerGas: 10n ** 10n } };
  for (let i = 0; i < 2; i++) await transfer(url, 1n, low);
  await rpc(url, 'anvil_mine', ['0x1']);
}

const FIL = 10n ** 18n;
const VESTING = { initial: 100n * FIL, duration: 1000 };
/** What the multisig locks at height h (vesting from epoch 0): ceil(initial × (duration − h) / duration). */
const locked = (h: number) => {
  const { initial, duration } = VESTING;
  return h >= duration ? 0n : (initial * BigInt(duration - h) + BigInt(duration) - 1n) / BigInt(duration);
};

/**
 * A 1-of-1 multisig of `owner`'s vesting VESTING from epoch 0, made by Init Exec pushed with MpoolPush
 * (which a gateway serves, unlike MsigCreate); its ID address.
 */
async function createMultisig(url: string, owner: ReturnType<typeof create>): Promise<{ msig: string; cid: string }> {
  const signer = FilAddress.parse(owner.address.toString());
  const constructorParams = encodeCbor([[signer.bytes], 1, VESTING.duration, 0]);
  const params = Buffer.from(encodeCbor([codeCid('multisig'), constructorParams])).toString('base64');
  const iso = new RPC({ api: `${url}/rpc/v1`, network: 'testnet' });
  const message = await new Message({ from: signer.toString(), to: 't01', value: VESTING.initial.toString(), method: 2, params }).prepare(iso);
  const cid = await rpc(url, 'Filecoin.MpoolPush', [{ Message: message.toLotus(), Signature: signMessage(owner.privateKey, owner.type, message).toLotus() }]);
  const { Receipt } = await rpc(url, 'Filecoin.StateWaitMsg', [cid, 1, -1, true]);
  assert.equal(Receipt.ExitCode, 0);
  const [id] = decodeCbor<[Uint8Array, Uint8Array]>(Buffer.from(Receipt.Return, 'base64'));
  return { msig: FilAddress.fromBytes(id).toString(), cid };
}

/** A call's JSON-RPC error as the node gives it (code and message), or its answer. */
async function rawAnswer(url: string, method: string, params: unknown[]): Promise<{ result?: unknown; error?: { code: number; message: string } }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  return (await res.json()) as { result?: unknown; error?: { code: number; message: string } };
}

for (const gatewayOnly of [false, true]) describe(`fork: Filecoin.* methods at an upstream tipset key before the fork epoch${gatewayOnly ? ' (a --gateway-only upstream)' : ''}`, () => {
  let upstream: DevnetProcess;
  let fork: DevnetProcess | undefined;
  let forkEpoch: number;
  let early: { hash: string; block: number };
  let later: { hash: string; block: number };
  let miner: string;
  let dealId: number;
  /** A multisig vesting since epoch 0, made upstream before the fork epoch, and the CID of the message that made it. */
  let msig: string;
  let msigCreation: string;
  /** Glif's client on the fork's /rpc/v1 and on the upstream's. */
  let onFork: LotusClient;
  let onUpstream: LotusClient;
  /** The fork's ChainHead before it mined anything. */
  let firstHead: any;
  const sender = t410(DEV_ACCOUNTS[0].address);

  useForkSuite('fvm-fork-tipsets-', () => [fork, upstream]);

  before(async () => {
    const owner = create('SECP256K1', 'testnet');
    upstream = await startDevnet(['--storage-providers', '1', '--fund', `${owner.address.toString()}=1000`, ...(gatewayOnly ? ['--gateway-only'] : [])]);
    ({ msig, cid: msigCreation } = await createMultisig(upstream.url, owner));
    [miner] = await rpc(upstream.url, 'Filecoin.StateListMiners', [null]);
    const piece = computePieceCid(new Uint8Array(2000).map((_, i) => i % 249));
    ({ dealId } = await rpc(upstream.url, 'devnet_proposeDeal', [{ pieceCid: piece.cid.toString(), pieceSize: piece.size, storagePricePerEpoch: '1000' }]));
    early = await transfer(upstream.url, 1n);
    await rpc(upstream.url, 'anvil_mine', ['0x3']);
    forkEpoch = await head(upstream.url);
    later = await transfer(upstream.url, 2n);
    fork = await startDevnet(['--fork-url', upstream.url, '--fork-block-number', String(forkEpoch), '--storage-providers', '0']);
    firstHead = await rpc(fork.url, 'Filecoin.ChainHead');
    onFork = glifClient(fork.url);
    onUpstream = glifClient(upstream.url);
  });

  test('the fork\'s first tipset is the upstream\'s at the fork epoch, headers and all, and a walk by Parents from the fork\'s head goes on into the upstream\'s chain', async () => {
    const theirs = await rpc(upstream.url, 'Filecoin.ChainGetTipSetByHeight', [forkEpoch, null]);
    assert.deepEqual(firstHead, theirs);
    assert.deepEqual(await rpc(fork!.url, 'Filecoin.ChainGetTipSet', [theirs.Cids]), theirs);
    assert.deepEqual(await rpc(fork!.url, 'Filecoin.ChainGetBlock', [theirs.Cids[0]]), theirs.Blocks[0]);
    await rpc(fork!.url, 'anvil_mine', ['0x2']);
    let tipset = await rpc(fork!.url, 'Filecoin.ChainHead');
    assert.equal(tipset.Height, forkEpoch + 2);
    const walked: number[] = [];
    while (tipset.Height > early.block) {
      walked.push(tipset.Height);
      const parent = await rpc(fork!.url, 'Filecoin.ChainGetTipSet', [tipset.Blocks[0].Parents]);
      // A Lotus-like weight: the parent's plus one here, as the upstream's own tipsets have it.
      assert.equal(BigInt(tipset.Blocks[0].ParentWeight), BigInt(parent.Blocks[0].ParentWeight) + 1n, `weight at ${tipset.Height}`);
      if (parent.Height <= forkEpoch) assert.deepEqual(parent, await rpc(upstream.url, 'Filecoin.ChainGetTipSet', [parent.Cids]), `parent of ${tipset.Height}`);
      tipset = parent;
    }
    assert.deepEqual(walked, Array.from({ length: forkEpoch + 2 - early.block }, (_, i) => forkEpoch + 2 - i));
    assert.equal(tipset.Height, early.block);
    // The fork's first own tipset has the weight the upstream's next tipset gives the fork epoch's.
    const mined = await rpc(fork!.url, 'Filecoin.ChainGetTipSetByHeight', [forkEpoch + 1, null]);
    const upstreamNext = await rpc(upstream.url, 'Filecoin.ChainGetTipSetByHeight', [forkEpoch + 1, null]);
    assert.equal(mined.Blocks[0].ParentWeight, upstreamNext.Blocks[0].ParentWeight);
  });

  test('a key the fork hands out for an earlier height reads the chain and the state there, as the upstream answers', async () => {
    const tipset = await onFork.request('ChainGetTipSetByHeight', early.block, null);
    assert.equal(tipset.Height, early.block);
    const key = tipset.Cids;
    assert.deepEqual(await onFork.request('ChainGetTipSet', key), await onUpstream.request('ChainGetTipSet', key));
    const calls: [string, ...unknown[]][] = [
      ['ChainGetTipSetByHeight', early.block - 1, key],
      ['ChainGetTipSetAfterHeight', 1, key],
      ['ChainGetMessagesInTipset', key],
      ['StateGetActor', sender, key],
      ['StateLookupID', sender, key],
      ['StateAccountKey', sender, key],
      ['StateNetworkVersion', key],
      ['StateReadState', miner, key],
      ['StateMinerInfo', miner, key],
      ['StateMinerPower', miner, key],
      ['StateMarketStorageDeal', dealId, key],
      ['StateMarketBalance', sender, key],
      ['StateVerifiedClientStatus', sender, key],
      ['StateListMiners', key],
      ['MsigGetPending', sender, key],
      ['StateCall', { From: sender, To: t410(RECIPIENT), Value: '7', Method: 0, Params: null }, key],
      ['StateMarketDeals', key],
      ['StateMinerSectors', miner, null, key],
      // Read only the chain at the key (its parents' premiums, its base fee): the upstream's (a gateway serves no GasEstimateFeeCap: its error).
      ['GasEstimateGasPremium', 2, sender, 0, key],
      ['GasEstimateFeeCap', { From: sender, To: t410(RECIPIENT), Value: '7', Method: 0 }, 20, key],
    ];
    for (const [method, ...params] of calls) {
      const theirs = await lotusAnswer(onUpstream.request(method, ...params));
      const mine = await lotusAnswer(onFork.request(method, ...params));
      if (theirs?.error) assert.match(mine.error ?? '', new RegExp(theirs.error.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), method);
      // StateCall's Duration is how long each node's own run took (ns): set aside.
      else if (method === 'StateCall') assert.deepEqual({ ...mine, Duration: 0 }, { ...theirs, Duration: 0 }, method);
      else assert.deepEqual(mine, theirs, method);
    }
    // MpoolPending only loads its key (Lotus does so there): the fork's pool answers, as with no key.
    const transferMessage = { From: sender, To: t410(RECIPIENT), Value: '7', Method: 0 };
    assert.deepEqual(await onFork.request('MpoolPending', key), await onFork.request('MpoolPending', null));
    // The gas estimates run on the fork's head and read the key's tipset upstream: the gas as with no key; the
    // premium and fee cap the upstream's at the key, as its own estimate with that gas limit gives them.
    // First the fork's head is given a premium of its own: on a chain this lightly used the premium is the
    // mean of the two lowest paid in the last 20 tipsets, the same (150 000) at the key and at the head
    // until the head's window holds two lower ones (then the floor, 100 000).
    await lowPremiumTransfers(fork!.url);
    const limit = await onFork.request('GasEstimateGasLimit', transferMessage, null);
    assert.equal(await onFork.request('GasEstimateGasLimit', transferMessage, key), limit);
    const estimated = await onFork.request('GasEstimateMessageGas', transferMessage, null, key);
    const atHead = await onFork.request('GasEstimateMessageGas', transferMessage, null, null);
    assert.notEqual(estimated.GasPremium, atHead.GasPremium);
    assert.notEqual(estimated.GasFeeCap, atHead.GasFeeCap);
    assert.deepEqual(estimated, await onUpstream.request('GasEstimateMessageGas', { ...transferMessage, GasLimit: estimated.GasLimit }, null, key));
    assert.equal(estimated.GasLimit, atHead.GasLimit);
    // An ID sender is resolved at the key (the upstream's StateAccountKey there): before the early transfer its recipient had no actor.
    const recipientId = await onFork.request('StateLookupID', t410(RECIPIENT), null);
    const before = (await onFork.request('ChainGetTipSetByHeight', early.block - 1, null)).Cids;
    const fromRecipient = { ...transferMessage, From: recipientId, To: sender };
    const unresolved = `gas estimation failed: resolving sender ${recipientId} (failed to find actor: ${recipientId}): sender validation failed`;
    // One request at a time: a second one sent along would have no rejection handler while the first is awaited.
    for (const estimate of [() => onFork.request('GasEstimateGasLimit', fromRecipient, before), () => onFork.request('GasEstimateMessageGas', fromRecipient, null, before)]) {
      await assert.rejects(estimate(), (error: Error) => error.message.includes(unresolved));
    }
    await assert.rejects(onUpstream.request('GasEstimateMessageGas', fromRecipient, null, before), (error: Error) => error.message.includes(unresolved));
    const senderId = await onFork.request('StateLookupID', sender, null);
    assert.equal(await onFork.request('GasEstimateGasLimit', { ...transferMessage, From: senderId }, before), await onFork.request('GasEstimateGasLimit', { ...transferMessage, From: senderId }, null));
    // MpoolSelect there would take back the upstream's messages above the key, which the fork does not hold: refused, saying so (README).
    await assert.rejects(onFork.request('MpoolSelect', key, 0.9), new RegExp(`MpoolSelect at tipset .*, the upstream's at height ${early.block}, before the fork epoch ${forkEpoch}, is not answered: .*ask at the fork's first tipset`));
    // The fork holds no ticket up to its epoch: ticket randomness there is the upstream's, drawn at the
    // fork point, never the fork's first ticket; a gateway serves none (Lotus's api_gateway.go): an
    // error of the fork's says so (its "method not found" would say the fork lacks the method).
    for (const at of [early.block, forkEpoch]) {
      const drawn = onFork.request('StateGetRandomnessFromTickets', 2, at, null, null);
      if (gatewayOnly) await assert.rejects(drawn, new RegExp(`ticket randomness at or before the fork epoch ${forkEpoch} is the upstream's, and it does not serve Filecoin.StateGetRandomnessFromTickets \\(a Lotus gateway`));
      else assert.equal(await drawn, await onUpstream.request('StateGetRandomnessFromTickets', 2, at, null, firstHead.Cids));
    }
    // The state at a key is the upstream's then, not the fork's: before the early transfer its recipient did not exist.
    await assert.rejects(onFork.request('StateGetActor', t410(RECIPIENT), before), /actor not found/);
    assert.equal((await onFork.request('StateGetActor', t410(RECIPIENT), null)).Balance, '1');
  });

  test('a method a gateway does not serve gets the gateway\'s error from a gateway upstream, the upstream\'s answer from a full node', async () => {
    const { Cids: key } = await rpc(fork!.url, 'Filecoin.ChainGetTipSetByHeight', [early.block, null]);
    for (const [method, params] of [
      ['Filecoin.StateMarketDeals', [key]],
      ['Filecoin.StateMinerSectors', [miner, null, key]],
      ['Filecoin.StateCirculatingSupply', [key]],
    ] as const) {
      const mine = await rawAnswer(fork!.url, method, [...params]);
      const theirs = await rawAnswer(upstream.url, method, [...params]);
      if (gatewayOnly) {
        assert.equal(mine.error?.code, -32601, method);
        assert.match(mine.error!.message, new RegExp(`method '${method}' not found`), method);
        assert.deepEqual(theirs.error, { code: -32601, message: `method '${method}' not found` });
      } else {
        assert.deepEqual(mine.result, theirs.result, method);
        assert.ok(mine.result !== undefined, method);
      }
    }
  });

  test('a message lookup\'s TipSet names a tipset whose key reads on the fork, on /rpc/v1 and /rpc/v0', async () => {
    const cid = await rpc(upstream.url, 'Filecoin.EthGetMessageCidByTransactionHash', [early.hash]);
    const lookup = await onFork.request('StateSearchMsg', null, cid, -1, true);
    assert.equal(lookup.Height, early.block);
    assert.deepEqual(await onFork.request('ChainGetTipSet', lookup.TipSet), await onUpstream.request('ChainGetTipSet', lookup.TipSet));
    const messages = await onFork.request('ChainGetMessagesInTipset', lookup.TipSet);
    assert.deepEqual(messages.map((m: any) => m.Cid), [cid]);
    // Searched from that tipset, as the upstream searches.
    assert.deepEqual(await onFork.request('StateSearchMsg', lookup.TipSet, cid, -1, true), await onUpstream.request('StateSearchMsg', lookup.TipSet, cid, -1, true));
    const v0 = glifClient(fork!.url, '/rpc/v0');
    assert.deepEqual(await v0.request('StateGetActor', sender, lookup.TipSet), await onUpstream.request('StateGetActor', sender, lookup.TipSet));
  });

  test('a wait for an upstream message answers the upstream\'s decoded return (ReturnDec), on /rpc/v1 and /rpc/v0 (fidaudit4 V7)', async () => {
    const theirs = await rpc(upstream.url, 'Filecoin.StateWaitMsg', [msigCreation, 1, -1, true]);
    assert.deepEqual(theirs.ReturnDec.IDAddress, msig);
    assert.deepEqual(await rpc(fork!.url, 'Filecoin.StateWaitMsg', [msigCreation, 1, -1, true]), theirs);
    for (const [method, params] of [['Filecoin.StateWaitMsg', [msigCreation, 1]], ['Filecoin.StateWaitMsgLimited', [msigCreation, 1, 100]]] as const) {
      assert.deepEqual(await rpc(`${fork!.url}/rpc/v0`, method, [...params]), theirs, method);
    }
    // A search has no decoded return, on the fork as on Lotus.
    assert.equal((await rpc(fork!.url, 'Filecoin.StateSearchMsg', [null, msigCreation, -1, true])).ReturnDec, null);
  });

  test('/rpc/v2 takes a selector, not a key: an upstream key is refused there as the fork\'s own is', async () => {
    const { Cids: key } = await rpc(fork!.url, 'Filecoin.ChainGetTipSetByHeight', [early.block, null]);
    const { Cids: own } = await rpc(fork!.url, 'Filecoin.ChainHead', []);
    const mine = await rawAnswer(`${fork!.url}/rpc/v2`, 'Filecoin.ChainGetTipSet', [key]);
    assert.match(mine.error?.message ?? '', /expected a tipset selector object/);
    assert.deepEqual(mine.error, (await rawAnswer(`${fork!.url}/rpc/v2`, 'Filecoin.ChainGetTipSet', [own])).error);
  });

  test('/rpc/v2 selectors naming an upstream tipset before the fork epoch (by key, by a height below the fork\'s tipsets or below such a key) answer as the upstream\'s', async () => {
    const { Cids: key } = await rpc(fork!.url, 'Filecoin.ChainGetTipSetByHeight', [early.block, null]);
    const { Cids: laterKey } = await rpc(upstream.url, 'Filecoin.ChainGetTipSetByHeight', [later.block, null]);
    const selectors = [
      { key },
      { height: { at: early.block, anchor: { tag: 'latest' } } },
      { height: { at: early.block - 1, previous: true, anchor: { tag: 'latest' } } },
      { height: { at: early.block - 1, anchor: { key } } },
    ];
    for (const selector of selectors) {
      const name = JSON.stringify(selector);
      const tipset = await rpc(`${fork!.url}/rpc/v2`, 'Filecoin.ChainGetTipSet', [selector]);
      assert.deepEqual(tipset, await rpc(`${upstream.url}/rpc/v2`, 'Filecoin.ChainGetTipSet', [selector]), name);
      assert.deepEqual(tipset, await rpc(upstream.url, 'Filecoin.ChainGetTipSet', [tipset.Cids]), name);
      for (const method of ['Filecoin.StateGetActor', 'Filecoin.StateGetID']) {
        for (const address of [sender, t410(RECIPIENT)]) {
          const theirs = await rpc(`${upstream.url}/rpc/v2`, method, [address, selector]);
          assert.deepEqual(await rpc(`${fork!.url}/rpc/v2`, method, [address, selector]), theirs, `${method} ${address} ${name}`);
        }
      }
    }
    // Before the early transfer its recipient did not exist: null, as /rpc/v2 answers a missing actor.
    const before = { height: { at: early.block - 1, anchor: { key } } };
    assert.equal(await rpc(`${fork!.url}/rpc/v2`, 'Filecoin.StateGetActor', [t410(RECIPIENT), before]), null);
    assert.equal(await rpc(`${fork!.url}/rpc/v2`, 'Filecoin.StateGetID', [t410(RECIPIENT), before]), null);
    assert.equal((await rpc(`${fork!.url}/rpc/v2`, 'Filecoin.StateGetActor', [t410(RECIPIENT), { key }])).Balance, '1');
    // An upstream tipset after the fork epoch is not the fork's, by key or as an anchor.
    for (const selector of [{ key: laterKey }, { height: { at: early.block, anchor: { key: laterKey } } }]) {
      await assert.rejects(rpc(`${fork!.url}/rpc/v2`, 'Filecoin.ChainGetTipSet', [selector]), /loading tipset .*: not found/, JSON.stringify(selector));
    }
  });

  test('the key of an upstream tipset after the fork epoch is unknown on the fork', async () => {
    const { Cids: key } = await rpc(upstream.url, 'Filecoin.ChainGetTipSetByHeight', [later.block, null]);
    for (const [method, params] of [
      ['Filecoin.ChainGetTipSet', [key]],
      ['Filecoin.StateGetActor', [sender, key]],
      ['Filecoin.StateCall', [{ From: sender, To: t410(RECIPIENT), Value: '7', Method: 0, Params: null }, key]],
      ['Filecoin.ChainGetTipSetByHeight', [early.block, key]],
      ['Filecoin.StateMarketDeals', [key]],
    ] as const) {
      await assert.rejects(rpc(fork!.url, method, [...params]), /loading tipset .*: not found/, method);
    }
  });

  test('a path across the fork epoch is the upstream\'s up to it, then the fork\'s', async () => {
    const own = await transfer(fork!.url, 3n);
    const genesis = (await onFork.request('ChainGetGenesis')).Cids;
    const from = (await onFork.request('ChainGetTipSetByHeight', early.block, null)).Cids;
    const to = (await onFork.request('ChainHead')).Cids;
    assert.equal((await onFork.request('ChainHead')).Height, own.block);
    const first = (await onFork.request('ChainGetTipSetByHeight', forkEpoch, null)).Cids;
    const path = await onFork.request('ChainGetPath', from, to);
    assert.deepEqual(path.map((change: any) => [change.Type, change.Val.Height]), Array.from({ length: own.block - early.block }, (_, i) => ['apply', early.block + 1 + i]));
    const upstreamPart = await onUpstream.request('ChainGetPath', from, first);
    assert.deepEqual(path.slice(0, upstreamPart.length), upstreamPart);
    assert.deepEqual(path.slice(upstreamPart.length), await onFork.request('ChainGetPath', first, to));
    const back = await onFork.request('ChainGetPath', to, genesis);
    assert.deepEqual(back.map((change: any) => [change.Type, change.Val.Height]), Array.from({ length: own.block }, (_, i) => ['revert', own.block - i]));
    // An empty key is no tipset in a path, as the upstream answers it ('from' is loaded first).
    for (const [a, b] of [[from, null], [null, from], [first, []], [null, null]]) {
      const theirs = await answerOrError(onUpstream.request('ChainGetPath', a, b));
      assert.match(theirs.error ?? '', /^loading (from|to) tipset \{\}: NewTipSet called with zero length array of blocks$/);
      assert.deepEqual(await answerOrError(onFork.request('ChainGetPath', a, b)), theirs, JSON.stringify([a, b]));
    }
  });

  test('MsigGetVested from an upstream tipset before the fork epoch to one of the fork\'s: by the start\'s height, as the upstream answers between the same heights', async () => {
    const start = await onFork.request('ChainGetTipSetByHeight', early.block, null);
    await transfer(fork!.url, 5n);
    const end = await onFork.request('ChainHead');
    const vested = await onFork.request('MsigGetVested', msig, start.Cids, end.Cids);
    assert.equal(vested, (locked(start.Height) - locked(end.Height)).toString());
    assert.notEqual(vested, '0');
    // The upstream, mined on past the fork's head, between its own tipsets at the same heights.
    if ((await head(upstream.url)) < end.Height) await rpc(upstream.url, 'anvil_mine', [hex(end.Height - (await head(upstream.url)))]);
    const theirEnd = await onUpstream.request('ChainGetTipSetByHeight', end.Height, null);
    assert.equal(theirEnd.Height, end.Height);
    assert.equal(await onUpstream.request('MsigGetVested', msig, start.Cids, theirEnd.Cids), vested);
    // The empty key is the fork's head (Lotus's GetTipSetFromKey); a start after the end is Lotus's error.
    assert.equal(await onFork.request('MsigGetVested', msig, start.Cids, null), vested);
    await assert.rejects(onFork.request('MsigGetVested', msig, end.Cids, start.Cids), new RegExp(`start tipset ${end.Height} is after end tipset ${start.Height}`));
    await assert.rejects(onFork.request('MsigGetVested', sender, start.Cids, end.Cids), /actor code is not multisig/);
  });

  test('keys the fork holds are answered without the upstream', async () => {
    // Read while the upstream is up: the fork answers heights up to the fork epoch from it.
    const first = await onFork.request('ChainGetTipSetByHeight', forkEpoch, null);
    const headKey = (await onFork.request('ChainHead')).Cids;
    await upstream.stop();
    assert.equal((await onFork.request('ChainGetTipSet', first.Cids)).Height, forkEpoch);
    assert.ok((await onFork.request('StateGetActor', sender, first.Cids)).Nonce >= 0);
    assert.ok((await onFork.request('StateGetActor', sender, headKey)).Nonce > 0);
    const path = await onFork.request('ChainGetPath', first.Cids, headKey);
    assert.equal(path.length, (await head(fork!.url)) - forkEpoch);
    assert.equal(await rpc(fork!.url, 'eth_blockNumber'), hex(await head(fork!.url)));
  });
});
