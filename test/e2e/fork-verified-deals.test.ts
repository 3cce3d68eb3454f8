// Verified deals and the market's cron on a fork of an fvm-devnet upstream that answers as a public
// Lotus gateway (--gateway-only). On the upstream, the node's deal client is made a verified client
// (AddVerifiedClient: datacap, with an infinite allowance for the market) and publishes a verified
// deal with one provider that never seals it (which spends part of that allowance and leaves a
// pending allocation). On the fork: the client's allowance reads as the upstream's (its token
// state's allowances HAMT, read with ChainReadObj); the client makes a new verified deal with the
// other, forked, provider, whose worker is impersonated; the datacap moves, the allocation becomes a
// claim. Then the upstream's unsealed deal times out at the cron epoch builtin-actors scheduled it
// for, on the fork as on the upstream.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { FilAddress } from '../../src/common/address.js';
import { decodeBigInt, decodeCbor, encodeCbor } from '../../src/common/cbor.js';
import { deriveNodeKeys } from '../../src/devnet/node-keys.js';
import { INFINITE_ALLOWANCE } from '../../src/fevm/actors/datacap/state.js';
import { nextUpdateEpoch } from '../../src/fevm/actors/market/policy.js';
import { methodNumber } from '../../src/fevm/actors/runtime.js';
import { hex, masked, rpc } from '../helpers/fork-calls.js';
import { DEV_MNEMONIC, pollUntil, startDevnet, type DevnetProcess } from '../helpers/devnet-process.js';
import { useForkSuite } from '../helpers/fork-suite.js';
import { randomVerifiedPiece } from '../helpers/verified-piece.js';

const SEAL_DELAY = 3;
const TOKENS_PER_BYTE = 10n ** 18n;
const DEAL_CLIENT = deriveNodeKeys(DEV_MNEMONIC).dealClient.address.toString('t');

describe('fork: verified deals with a forked client, and the market\'s cron for forked deals', () => {
  let upstream: DevnetProcess;
  let fork: DevnetProcess;
  let forkEpoch: number;
  let forkKey: unknown;
  let clientId: number;
  /** A forked provider the fork takes a new deal with, and one whose upstream deal is never sealed. */
  let provider: string;
  let idleProvider: string;
  let unsealedDeal: number;
  let unsealedPieceSize: number;

  /** Datacap's Allowance(owner, operator) as a Filecoin.StateCall answers it. */
  async function allowance(url: string, owner: string, operator: string, key: unknown): Promise<bigint> {
    const params = Buffer.from(encodeCbor([FilAddress.parse(owner).bytes, FilAddress.parse(operator).bytes])).toString('base64');
    const message = { From: DEAL_CLIENT, To: 'f07', Value: '0', Method: methodNumber('Allowance'), Params: params, Nonce: 0, GasLimit: 0, GasFeeCap: '0', GasPremium: '0' };
    const { MsgRct } = await rpc(url, 'Filecoin.StateCall', [message, key]);
    assert.equal(MsgRct.ExitCode, 0);
    return decodeBigInt(decodeCbor<Uint8Array>(new Uint8Array(Buffer.from(MsgRct.Return, 'base64'))));
  }

  const tokenSupply = async (url: string, key: unknown) => BigInt((await rpc(url, 'Filecoin.StateReadState', ['f07', key])).State.Token.Supply);

  useForkSuite('fvm-fork-verified-', () => [fork, upstream]);

  before(async () => {
    // The upstream's providers never seal (a seal delay past the deal's start).
    upstream = await startDevnet(['--gateway-only', '--seal-delay', '1000000']);
    [provider, idleProvider] = await rpc(upstream.url, 'Filecoin.StateListMiners', [null]);
    const granted = await rpc(upstream.url, 'devnet_addVerifiedClient', [DEAL_CLIENT, String(4 * 2 ** 20)]);
    clientId = Number(granted.client.slice(2));
    const piece = randomVerifiedPiece();
    unsealedPieceSize = piece.size;
    const head = Number(await rpc(upstream.url, 'eth_blockNumber'));
    ({ dealId: unsealedDeal } = await rpc(upstream.url, 'devnet_proposeDeal', [
      { pieceCid: piece.cid.toString(), pieceSize: piece.size, verifiedDeal: true, provider: idleProvider, startEpoch: head + 200, providerCollateral: String(10n ** 18n) },
    ]));
    forkEpoch = Number(await rpc(upstream.url, 'eth_blockNumber'));
    forkKey = (await rpc(upstream.url, 'Filecoin.ChainGetTipSetByHeight', [forkEpoch, null])).Cids;
    // The forked provider waits a few epochs before sealing, so the test sees the allocation before the claim.
    fork = await startDevnet(['--fork-url', upstream.url, '--fork-block-number', String(forkEpoch), '--storage-providers', '0', '--seal-delay', String(SEAL_DELAY)]);
  });

  /** Each singleton's Head and State (Filecoin.StateGetActor, StateReadState). */
  const singletons = (url: string, key: unknown, actors = ['f04', 'f05', 'f06', 'f07']) =>
    Promise.all(actors.map(async (actor) => [(await rpc(url, 'Filecoin.StateGetActor', [actor, key])).Head, (await rpc(url, 'Filecoin.StateReadState', [actor, key])).State]));

  test('the singletons\' heads and states are the upstream\'s until the fork writes to them, whatever it reads', async () => {
    const theirs = await singletons(upstream.url, forkKey);
    assert.deepEqual(await singletons(fork.url, null), theirs);
    // Reading entries of their tables (a deal, escrow, allocations, datacap, a power claim) changes neither.
    await rpc(fork.url, 'Filecoin.StateMarketStorageDeal', [unsealedDeal, null]);
    await rpc(fork.url, 'Filecoin.StateMarketBalance', [DEAL_CLIENT, null]);
    await rpc(fork.url, 'Filecoin.StateGetAllocations', [DEAL_CLIENT, null]);
    await rpc(fork.url, 'Filecoin.StateVerifiedClientStatus', [DEAL_CLIENT, null]);
    await rpc(fork.url, 'Filecoin.StateMinerPower', [provider, null]);
    assert.deepEqual(await singletons(fork.url, null), theirs);
  });

  test('a forked client\'s allowance for the market reads as the upstream\'s: what Mint set less what the market spent', async () => {
    const mine = await allowance(fork.url, DEAL_CLIENT, 'f05', null);
    assert.equal(mine, await allowance(upstream.url, DEAL_CLIENT, 'f05', forkKey));
    assert.equal(mine, INFINITE_ALLOWANCE - BigInt(unsealedPieceSize) * TOKENS_PER_BYTE);
    // No allowance for another operator.
    assert.equal(await allowance(fork.url, DEAL_CLIENT, idleProvider, null), 0n);
  });

  test('the forked client makes a new verified deal with a forked provider: its datacap pays for the allocation, which the sealing claims', async () => {
    // The upstream's unsealed deal, not activated (its cron check, next test, comes from the upstream's schedule).
    assert.equal((await rpc(fork.url, 'Filecoin.StateMarketStorageDeal', [unsealedDeal, null])).State.SectorStartEpoch, -1);
    const before = {
      allowance: await allowance(fork.url, DEAL_CLIENT, 'f05', null),
      datacap: BigInt(await rpc(fork.url, 'Filecoin.StateVerifiedClientStatus', [DEAL_CLIENT, null])),
      supply: await tokenSupply(fork.url, null),
      registry: BigInt((await rpc(fork.url, 'Filecoin.StateVerifiedClientStatus', ['f06', null])) ?? 0),
      allocations: await rpc(fork.url, 'Filecoin.StateGetAllocations', [DEAL_CLIENT, null]),
      nextAllocationId: (await rpc(fork.url, 'Filecoin.StateReadState', ['f06', null])).State.NextAllocationId,
    };
    const { Worker } = await rpc(fork.url, 'Filecoin.StateMinerInfo', [provider, null]);
    await rpc(fork.url, 'anvil_impersonateAccount', [masked(Worker)]);
    const piece = randomVerifiedPiece();
    const { dealId } = await rpc(fork.url, 'devnet_proposeDeal', [{ pieceCid: piece.cid.toString(), pieceSize: piece.size, verifiedDeal: true, provider }]);
    assert.equal(dealId, unsealedDeal + 1);
    const size = BigInt(piece.size);

    // Published: the market moved the client's datacap to the registry under its allowance, and the registry allocated it.
    const allocations = await rpc(fork.url, 'Filecoin.StateGetAllocations', [DEAL_CLIENT, null]);
    const allocation = allocations[String(before.nextAllocationId)];
    assert.deepEqual(Object.keys(allocations).sort(), [...Object.keys(before.allocations), String(before.nextAllocationId)].sort());
    assert.deepEqual([allocation.Client, allocation.Provider, allocation.Data['/'], allocation.Size], [clientId, Number(provider.slice(2)), piece.cid.toString(), piece.size]);
    assert.deepEqual(await rpc(fork.url, 'Filecoin.StateGetAllocationForPendingDeal', [dealId, null]), allocation);
    assert.equal(await allowance(fork.url, DEAL_CLIENT, 'f05', null), before.allowance - size * TOKENS_PER_BYTE);
    assert.equal(BigInt(await rpc(fork.url, 'Filecoin.StateVerifiedClientStatus', [DEAL_CLIENT, null])), before.datacap - size);

    // Sealed: the allocation became the provider's claim, and the registry burnt the datacap it held for it.
    const deal = await pollUntil('the forked provider to seal the verified deal', async () => {
      await rpc(fork.url, 'anvil_mine', [hex(SEAL_DELAY)]);
      const onChain = await rpc(fork.url, 'Filecoin.StateMarketStorageDeal', [dealId, null]);
      return onChain.State.SectorStartEpoch > 0 ? onChain : undefined;
    });
    const claim = await rpc(fork.url, 'Filecoin.StateGetClaim', [provider, before.nextAllocationId, null]);
    assert.deepEqual([claim.Client, claim.Provider, claim.Data['/'], claim.Size, claim.Sector, claim.TermStart], [clientId, Number(provider.slice(2)), piece.cid.toString(), piece.size, deal.State.SectorNumber, deal.State.SectorStartEpoch]);
    assert.deepEqual(await rpc(fork.url, 'Filecoin.StateGetAllocations', [DEAL_CLIENT, null]), before.allocations);
    assert.equal(BigInt((await rpc(fork.url, 'Filecoin.StateVerifiedClientStatus', ['f06', null])) ?? 0), before.registry);
    assert.equal(await tokenSupply(fork.url, null), before.supply - size * TOKENS_PER_BYTE);
    await rpc(fork.url, 'anvil_stopImpersonatingAccount', [masked(Worker)]);

    // Written: the market's, registry's and token's heads are the fork's own, and reading more entries leaves them as they are.
    const written = await singletons(fork.url, null, ['f05', 'f06', 'f07']);
    const upstreamHeads = (await singletons(upstream.url, forkKey, ['f05', 'f06', 'f07'])).map(([head]) => head);
    written.forEach(([head], i) => assert.notDeepEqual(head, upstreamHeads[i]));
    await rpc(fork.url, 'Filecoin.StateMarketBalance', [idleProvider, null]);
    await rpc(fork.url, 'Filecoin.StateGetClaims', [idleProvider, null]);
    await rpc(fork.url, 'Filecoin.StateVerifiedClientStatus', [idleProvider, null]);
    assert.deepEqual(await singletons(fork.url, null, ['f05', 'f06', 'f07']), written);
    // The upstream never saw it.
    assert.equal(await allowance(upstream.url, DEAL_CLIENT, 'f05', null), INFINITE_ALLOWANCE - BigInt(unsealedPieceSize) * TOKENS_PER_BYTE);
  });

  // Before the timeout below, which mines up to 30 days of epochs upstream (as many seconds of its clock, up to a day):
  // a gateway then no longer serves the fork epoch.
  test('a proposal identical to one pending upstream is refused as a duplicate, looked up in the upstream\'s pending set', async () => {
    // A fresh fork at the same point, which has read no deal: the market's pending set is the upstream's (its HAMT, read with ChainReadObj).
    const other = await startDevnet(['--fork-url', upstream.url, '--fork-block-number', String(forkEpoch), '--storage-providers', '0']);
    try {
      const { Proposal: p } = await rpc(upstream.url, 'Filecoin.StateMarketStorageDeal', [unsealedDeal, forkKey]);
      const same = {
        pieceCid: p.PieceCID['/'],
        pieceSize: p.PieceSize,
        verifiedDeal: p.VerifiedDeal,
        label: p.Label,
        provider: p.Provider,
        startEpoch: p.StartEpoch,
        endEpoch: p.EndEpoch,
        storagePricePerEpoch: p.StoragePricePerEpoch,
        providerCollateral: p.ProviderCollateral,
        clientCollateral: p.ClientCollateral,
      };
      const { Worker } = await rpc(other.url, 'Filecoin.StateMinerInfo', [idleProvider, null]);
      await rpc(other.url, 'anvil_impersonateAccount', [masked(Worker)]);
      await assert.rejects(rpc(other.url, 'devnet_proposeDeal', [same]), /cannot publish duplicate deal with cid/);
      // Another label makes another proposal, which the market takes.
      const { dealId } = await rpc(other.url, 'devnet_proposeDeal', [{ ...same, label: 'another' }]);
      assert.equal(dealId, unsealedDeal + 1);
    } finally {
      await other.stop();
    }
  });

  test('the upstream deal never sealed times out at its cron epoch on the fork, as on the upstream', async () => {
    const deal = await rpc(fork.url, 'Filecoin.StateMarketStorageDeal', [unsealedDeal, null]);
    const check = nextUpdateEpoch(unsealedDeal, deal.Proposal.StartEpoch);
    const balances = async (url: string) => Promise.all([rpc(url, 'Filecoin.StateMarketBalance', [idleProvider, null]), rpc(url, 'Filecoin.StateMarketBalance', [DEAL_CLIENT, null])]);
    const locked = ([providerBalance, clientBalance]: { Locked: string }[]) => [BigInt(providerBalance.Locked), BigInt(clientBalance.Locked)];
    const [forkBefore, upstreamBefore] = [await balances(fork.url), await balances(upstream.url)];
    for (const node of [fork, upstream]) {
      // Up to the check epoch (null rounds, then a tipset): still there.
      await rpc(node.url, 'anvil_mine', [hex(check - 1 - Number(await rpc(node.url, 'eth_blockNumber')))]);
      assert.equal((await rpc(node.url, 'Filecoin.StateMarketStorageDeal', [unsealedDeal, null])).State.SectorStartEpoch, -1);
      // The check epoch's cron times it out.
      await rpc(node.url, 'anvil_mine', ['0x1']);
      assert.equal(Number(await rpc(node.url, 'eth_blockNumber')), check);
      await assert.rejects(rpc(node.url, 'Filecoin.StateMarketStorageDeal', [unsealedDeal, null]), new RegExp(`deal ${unsealedDeal} not found`));
    }
    const [forkAfter, upstreamAfter] = [await balances(fork.url), await balances(upstream.url)];
    // The provider's collateral was burnt and the client's funds unlocked, by the same amounts on both.
    assert.deepEqual(forkAfter[0], upstreamAfter[0]);
    assert.equal(BigInt(forkAfter[0].Escrow), BigInt(forkBefore[0].Escrow) - 10n ** 18n);
    const released = (was: { Locked: string }[], is: { Locked: string }[]) => locked(was).map((amount, i) => amount - locked(is)[i]);
    assert.deepEqual(released(forkBefore, forkAfter), released(upstreamBefore, upstreamAfter));
    assert.equal(released(forkBefore, forkAfter)[0], 10n ** 18n);
  });
});
