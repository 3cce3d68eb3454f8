// The market's cron on a fork follows the upstream's own schedule (its DealOpsByEpoch), whatever the
// fork has read. On an fvm-devnet upstream: deal S is sealed and settled once before its first cron
// check (so builtin-actors' cron settles it there and every 30 days after, its legacy path); deal T
// is published and never sealed (so it times out at its check). Two forks at the same epoch, one
// that reads both deals first and one that reads nothing, mine past both checks and answer as the
// upstream did at that epoch. A third fork, after S's first check, re-settles S 30 days later. The
// same against an upstream answering as a Lotus gateway.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { computePieceCid } from '../../src/devnet/storage-providers/piece-cid.js';
import { nextUpdateEpoch } from '../../src/fevm/actors/market/policy.js';
import { hex, rpc } from '../helpers/fork-calls.js';
import { pollUntil, startDevnet, type DevnetProcess } from '../helpers/devnet-process.js';
import { useForkSuite } from '../helpers/fork-suite.js';

const SEAL_DELAY = 3;
const COLLATERAL = 10n ** 18n;
const PRICE = 1_000_000n;
const randomPiece = () => computePieceCid(new Uint8Array(3000).map(() => Math.floor(Math.random() * 256)));

interface Balance {
  Escrow: string;
  Locked: string;
}

for (const gatewayOnly of [false, true]) describe(`fork: the market's cron runs the upstream's deal schedule${gatewayOnly ? ' (upstream started with --gateway-only)' : ''}`, () => {
  let upstream: DevnetProcess;
  const forks: DevnetProcess[] = [];
  let forkEpoch: number;
  let client: string;
  let provider: string;
  /** S: sealed and settled before its first check; T: never sealed. */
  let settledDeal: number;
  let unsealedDeal: number;
  /** Their first checks, both after the fork epoch. */
  let settledCheck: number;
  let unsealedCheck: number;
  /** The epoch, past both checks, at which the forks are compared with the upstream. */
  let compareEpoch: number;

  const deal = (url: string, id: number, key: unknown = null) => rpc(url, 'Filecoin.StateMarketStorageDeal', [id, key]);
  const balances = async (url: string, key: unknown = null): Promise<Balance[]> => Promise.all([client, provider].map((a) => rpc(url, 'Filecoin.StateMarketBalance', [a, key])));
  const fork = async (epoch: number) => {
    const node = await startDevnet(['--fork-url', upstream.url, '--fork-block-number', String(epoch), '--storage-providers', '0']);
    forks.push(node);
    return node;
  };
  const mineTo = async (node: DevnetProcess, epoch: number) => {
    await rpc(node.url, 'anvil_mine', [hex(epoch - Number(await rpc(node.url, 'eth_blockNumber')))]);
    assert.equal(Number(await rpc(node.url, 'eth_blockNumber')), epoch);
  };

  useForkSuite('fvm-fork-deal-cron-', () => [...forks, upstream]);

  before(async () => {
    upstream = await startDevnet(['--seal-delay', String(SEAL_DELAY), ...(gatewayOnly ? ['--gateway-only'] : [])]);
    const sPiece = randomPiece();
    ({ dealId: settledDeal, provider } = await rpc(upstream.url, 'devnet_proposeDeal', [
      { pieceCid: sPiece.cid.toString(), pieceSize: sPiece.size, storagePricePerEpoch: String(PRICE) },
    ]));
    const s = await pollUntil('the upstream to activate deal S', async () => {
      await rpc(upstream.url, 'anvil_mine', [hex(SEAL_DELAY)]);
      const onChain = await deal(upstream.url, settledDeal);
      return onChain.State.SectorStartEpoch > 0 ? onChain : undefined;
    });
    client = s.Proposal.Client;
    const tPiece = randomPiece();
    const head = Number(await rpc(upstream.url, 'eth_blockNumber'));
    ({ dealId: unsealedDeal } = await rpc(upstream.url, 'devnet_proposeDeal', [
      { pieceCid: tPiece.cid.toString(), pieceSize: tPiece.size, provider, startEpoch: head + 200, providerCollateral: String(COLLATERAL) },
    ]));
    // Null rounds past both starts: the provider never gets to seal T, and settles S (once a day of epochs) at the tipset that ends them.
    await rpc(upstream.url, 'anvil_mine', [hex(3000)]);
    await pollUntil('the provider to settle deal S', async () => ((await deal(upstream.url, settledDeal)).State.LastUpdatedEpoch > 0 ? true : undefined));
    assert.equal((await deal(upstream.url, unsealedDeal)).State.SectorStartEpoch, -1);
    forkEpoch = Number(await rpc(upstream.url, 'eth_blockNumber'));
    settledCheck = nextUpdateEpoch(settledDeal, s.Proposal.StartEpoch);
    unsealedCheck = nextUpdateEpoch(unsealedDeal, head + 200);
    assert.ok(Math.min(settledCheck, unsealedCheck) > forkEpoch);
    compareEpoch = Math.max(settledCheck, unsealedCheck) + 1;
  });

  test('two forks at one epoch, one that read the deals and one that did not, check them at their epochs as the upstream did', async () => {
    // The forks run while the upstream's head is still at the fork epoch (a gateway serves no state
    // a day of epochs below its head); the upstream then mines on to answer at compareEpoch.
    const [reader, blind] = [await fork(forkEpoch), await fork(forkEpoch)];
    const atFork = { s: await deal(reader.url, settledDeal), t: await deal(reader.url, unsealedDeal), balances: await balances(reader.url) };
    // Just before the first check: both deals as at the fork epoch. The blind fork reads nothing until it has mined past them.
    await mineTo(reader, Math.min(settledCheck, unsealedCheck) - 1);
    assert.deepEqual(await deal(reader.url, settledDeal), atFork.s);
    assert.deepEqual(await deal(reader.url, unsealedDeal), atFork.t);
    const ours = [];
    for (const node of [reader, blind]) {
      await mineTo(node, compareEpoch);
      await assert.rejects(deal(node.url, unsealedDeal), new RegExp(`deal ${unsealedDeal} not found`));
      ours.push({ s: await deal(node.url, settledDeal), balances: await balances(node.url) });
    }

    // A tipset ends the upstream's run at compareEpoch (the provider's messages may follow at once).
    await rpc(upstream.url, 'anvil_mine', [hex(compareEpoch - forkEpoch)]);
    const compareKey = (await rpc(upstream.url, 'Filecoin.ChainGetTipSetByHeight', [compareEpoch, null])).Cids;
    const theirs = { s: await deal(upstream.url, settledDeal, compareKey), balances: await balances(upstream.url, compareKey) };
    await assert.rejects(deal(upstream.url, unsealedDeal, compareKey), new RegExp(`deal ${unsealedDeal} not found`));
    assert.equal(theirs.s.State.LastUpdatedEpoch, settledCheck);
    // T timed out, S settled by cron at its check: as on the upstream.
    for (const answer of ours) assert.deepEqual(answer, theirs);
    // What builtin-actors does: S paid for the epochs since its last settlement, T's provider collateral burnt.
    const payment = PRICE * BigInt(settledCheck - atFork.s.State.LastUpdatedEpoch);
    const change = (i: number, field: keyof Balance) => BigInt(theirs.balances[i][field]) - BigInt(atFork.balances[i][field]);
    assert.deepEqual([change(0, 'Escrow'), change(0, 'Locked')], [-payment, -payment]);
    assert.deepEqual([change(1, 'Escrow'), change(1, 'Locked')], [payment - COLLATERAL, -COLLATERAL]);
  });

  test('a deal whose first check came at or before the fork epoch is settled again by cron 30 days later', async () => {
    // After the upstream's provider settled S at the end of its run (a message of its own after compareEpoch).
    const settled = await pollUntil('the provider to settle deal S again', async () => {
      const s = await deal(upstream.url, settledDeal);
      return s.State.LastUpdatedEpoch > settledCheck ? s : undefined;
    });
    const node = await fork(Number(await rpc(upstream.url, 'eth_blockNumber')));
    const next = nextUpdateEpoch(settledDeal, settledCheck + 1);
    assert.equal(next, settledCheck + 86_400);
    const before = await balances(node.url);
    // A forked miner's deadlines close once the fork holds its proving state (README "Forking"): nothing
    // here reads the provider's, so S's sector, faulty since the upstream's null rounds, is not
    // terminated at FAULT_MAX_AGE (near epoch 121 000), and S is still there to settle.
    await mineTo(node, next - 1);
    assert.deepEqual(await deal(node.url, settledDeal), settled);
    await mineTo(node, next);
    assert.equal((await deal(node.url, settledDeal)).State.LastUpdatedEpoch, next);
    const payment = PRICE * BigInt(next - settled.State.LastUpdatedEpoch);
    const after = await balances(node.url);
    assert.equal(BigInt(after[0].Escrow), BigInt(before[0].Escrow) - payment);
    assert.equal(BigInt(after[1].Escrow), BigInt(before[1].Escrow) + payment);
  });
});
