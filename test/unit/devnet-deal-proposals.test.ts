// Direct deal proposals (devnet_proposeDeal) through the in-process JSON-RPC server: deals the market
// accepts are published and sealed by the storage provider's agent; bad ones are refused with the
// market's reasons and leave no deal behind; the provider's ask and devnet_rejectNextProposal refuse
// deals before they reach the chain; the sector cheats fault and terminate.
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { FilAddress } from '../../src/common/address.js';
import { CID, encodeCbor } from '../../src/common/cbor.js';
import { blake2b256 } from '../../src/common/hashes.js';
import { bytesToHex } from '../../src/common/hex.js';
import { proposalValue } from '../../src/fevm/actors/market/deal-proposal.js';
import { testConfig } from '../../src/config.js';
import { deriveNodeKeys } from '../../src/devnet/node-keys.js';
import { secp256k1Address } from '../../src/fevm/signature.js';
import { computePieceCid } from '../../src/devnet/storage-providers/piece-cid.js';
import { readExtraParams } from '../../src/devnet/storage-providers/contract-deals.js';
import { nextDeadlineOccurrence } from '../../src/fevm/actors/miner/proving.js';
import { setupRpc, setupWebSocketRpc } from '../helpers/rpc-harness.js';
import { randomVerifiedPiece } from '../helpers/verified-piece.js';

// audit18 K4: a contract's extra params are read as Boost reads ContractParamsVersion1, or the proposal is refused.
describe('a contract deal\'s extra params (ExtraParamsV1)', () => {
  test('[location_ref, car_size, skip_ipni_announce, remove_unsealed_copy] gives the location and the CAR size', () => {
    assert.deepEqual(readExtraParams(encodeCbor(['http://127.0.0.1:9/a.car', 4000, true, false])), { locationRef: 'http://127.0.0.1:9/a.car', carSize: 4000 });
    assert.deepEqual(readExtraParams(encodeCbor(['', 0, false, false])), { locationRef: '', carSize: 0 });
  });

  test('anything else is refused, saying what is wrong', () => {
    const refused = (value: unknown, why: RegExp) => assert.throws(() => readExtraParams(encodeCbor(value)), (e: Error) => /^its extra params are no ExtraParamsV1 /.test(e.message) && why.test(e.message));
    refused(['http://127.0.0.1:9/a.car', 4000], /an array of 2/);
    refused({ location_ref: 'x' }, /not an array/);
    refused([new Uint8Array([1]), 4000, true, false], /location_ref is no text string/);
    refused(['x', -1, true, false], /car_size is no unsigned 64-bit integer/);
    refused(['x', 1.5, true, false], /car_size is no unsigned 64-bit integer/);
    refused(['x', 1, 1, false], /must be booleans/);
    assert.throws(() => readExtraParams(new Uint8Array([0x84])), /its extra params are no ExtraParamsV1 /);
  });
});

const piece = (seed: number) => computePieceCid(new Uint8Array(2000).map((_, i) => (i * 31 + seed) & 0xff));

async function setup(t: TestContext, overrides: Parameters<typeof setupRpc>[1] = {}) {
  const rpc = await setupRpc(t, overrides);
  const [miner] = (await rpc.result('Filecoin.StateListMiners', [null])) as string[];
  const lines: string[] = [];
  rpc.devnet.events.on('storageProvider', (_level, line) => lines.push(line));
  const propose = (deal: Record<string, unknown>) => rpc.call('devnet_proposeDeal', [deal]);
  const dealsCount = async () => Object.keys(await rpc.result('Filecoin.StateMarketDeals', [null])).length;
  return { ...rpc, miner: miner!, lines, propose, dealsCount };
}

/** A funded native client whose key only the test holds, with nothing in the market. */
async function ownClient(rpc: Pick<Awaited<ReturnType<typeof setupRpc>>, 'devnet'>) {
  const secret = secp256k1.utils.randomSecretKey();
  const address = secp256k1Address(secp256k1.getPublicKey(secret, false));
  const funder = deriveNodeKeys(testConfig().mnemonic).dealClient.address;
  await rpc.devnet.pushWithWallet({ version: 0, to: address, from: funder, nonce: 0, value: 10n ** 18n, gasLimit: 0, gasFeeCap: 0n, gasPremium: 0n, method: 0, params: new Uint8Array() });
  return { address, secret };
}

/** The client's signature of a proposal, as devnet_proposeDeal takes it: blake2b-256 of the CBOR proposal, then secp256k1 (Filecoin's rule), type byte first. */
function clientSignature(secret: Uint8Array, deal: Parameters<typeof proposalValue>[0] & { client: FilAddress; provider: FilAddress }): string {
  const sig = secp256k1.sign(blake2b256(encodeCbor(proposalValue(deal, deal.client, deal.provider))), secret, { prehash: false, format: 'recovered' });
  return bytesToHex(Uint8Array.from([1, ...sig.subarray(1), sig[0]!]));
}

describe('devnet_proposeDeal', () => {
  test('publishes a deal from the node’s deal client, and the agent seals it', async (t) => {
    const rpc = await setup(t);
    const { cid, size } = piece(1);
    const answer = await rpc.result('devnet_proposeDeal', [{ pieceCid: cid.toString(), pieceSize: size, provider: rpc.miner }]);
    assert.equal(answer.provider, rpc.miner);
    await rpc.devnet.storageProviders.settled();
    const deal = await rpc.result('Filecoin.StateMarketStorageDeal', [answer.dealId, null]);
    assert.equal(deal.Proposal.PieceCID['/'], cid.toString());
    assert.ok(deal.State.SectorStartEpoch > 0, 'sealed and activated');
    assert.ok(rpc.lines.some((l) => l.includes(`published deal ${answer.dealId}`)));
    assert.ok(rpc.lines.some((l) => l.includes('sealed sector')));
  });

  test('a deal whose start passes before its provider reaches it is not sealed, and the provider says so once', async (t) => {
    const rpc = await setup(t);
    const { cid, size } = piece(8);
    const head = Number(await rpc.result('eth_blockNumber'));
    // The agents fall behind the chain: their queue is held while the deal is published and the
    // chain passes its start (an anvil_mine long enough to pass as null rounds, which waits for no agent).
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    void (rpc.devnet as any).agents.queue.run(() => held);
    const answer = await rpc.result('devnet_proposeDeal', [{ pieceCid: cid.toString(), pieceSize: size, provider: rpc.miner, startEpoch: head + 50 }]);
    await rpc.result('anvil_mine', ['0x7d0']);
    release();
    await rpc.devnet.storageProviders.settled();
    await rpc.result('evm_mine');
    await rpc.devnet.storageProviders.settled();
    const warned = rpc.lines.filter((l) => l.includes(`cannot seal deal ${answer.dealId}: its start epoch ${head + 50} has passed`));
    assert.equal(warned.length, 1, rpc.lines.join('\n'));
    assert.ok(!rpc.lines.some((l) => l.includes('sealed sector')), 'nothing sealed');
  });

  test('bad deals are refused with the market’s reason, and nothing is published', async (t) => {
    const rpc = await setup(t);
    const { cid, size } = piece(2);
    const head = Number(await rpc.result('eth_blockNumber'));
    const base = { pieceCid: cid.toString(), pieceSize: size, provider: rpc.miner };
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...base, pieceCid: CID.parse('bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4').toString() }, /deal 0: proposal PieceCID undefined/],
      [{ ...base, pieceSize: 3000 }, /proposal piece size is invalid: padded piece size must be a power of 2/],
      [{ ...base, startEpoch: head + 200, endEpoch: head + 100 }, /proposal end before proposal start/],
      [{ ...base, startEpoch: head + 200, endEpoch: head + 300 }, /Deal duration out of bounds/],
      [{ ...base, clientSignature: '0x01' + '00'.repeat(65) }, /proposal authentication failed/],
    ];
    for (const [deal, reason] of cases) {
      const error = (await rpc.propose(deal)).error;
      assert.ok(error, `${JSON.stringify(deal)} should be refused`);
      assert.match(error.message, /All deal proposals invalid/);
      assert.match(error.message, reason);
    }
    assert.equal(await rpc.dealsCount(), 0);
  });

  test('a client with too little escrow is refused (its own signature: the node does not top it up)', async (t) => {
    const rpc = await setup(t);
    const client = await ownClient(rpc);
    const head = Number(await rpc.result('eth_blockNumber'));
    const { cid, size } = piece(3);
    const deal = {
      pieceCid: cid,
      pieceSize: size,
      verifiedDeal: false,
      client: client.address,
      provider: FilAddress.parse(rpc.miner),
      label: 'x',
      startEpoch: head + 200,
      endEpoch: head + 200 + 518_400,
      storagePricePerEpoch: 1000n,
      providerCollateral: 0n,
      clientCollateral: 0n,
    };
    const signature = clientSignature(client.secret, deal);
    const error = (await rpc.propose({ pieceCid: cid.toString(), pieceSize: size, client: deal.client.toString(), provider: rpc.miner, label: 'x', startEpoch: deal.startEpoch, endEpoch: deal.endEpoch, storagePricePerEpoch: '1000', clientSignature: signature })).error;
    assert.match(error?.message ?? '', /deal 0: client balance insufficient/);
    assert.equal(await rpc.dealsCount(), 0);
  });

  test('a duplicate proposal is refused', async (t) => {
    const rpc = await setup(t);
    const { cid, size } = piece(4);
    const head = Number(await rpc.result('eth_blockNumber'));
    const deal = { pieceCid: cid.toString(), pieceSize: size, provider: rpc.miner, startEpoch: head + 300, endEpoch: head + 300 + 518_400 };
    await rpc.result('devnet_proposeDeal', [deal]);
    const again = (await rpc.propose(deal)).error;
    assert.match(again?.message ?? '', /cannot publish duplicate deal with cid/);
    assert.equal(await rpc.dealsCount(), 1);
  });

  // Several at once (Promise.all) each counted the same free escrow: the second PublishStorageDeals mined failed with exit 16.
  for (const blockTime of [undefined, 1]) {
    test(`proposals sent together are all published, each with the escrow it locks (${blockTime ? 'interval' : 'instant'} mining)`, async (t) => {
      const rpc = await setup(t, { blockTime });
      const deals = [21, 22, 23, 24, 25].map((seed) => ({ pieceCid: piece(seed).cid.toString(), pieceSize: piece(seed).size, storagePricePerEpoch: '1000', providerCollateral: '1000', clientCollateral: '7' }));
      const answers = await Promise.all(deals.map((deal) => rpc.result('devnet_proposeDeal', [deal])));
      const ids = answers.map((a) => a.dealId as number);
      assert.equal(new Set(ids).size, deals.length);
      for (const [i, id] of ids.entries()) {
        const deal = await rpc.result('Filecoin.StateMarketStorageDeal', [id, null]);
        assert.equal(deal.Proposal.PieceCID['/'], deals[i]!.pieceCid);
        assert.equal(deal.Proposal.Provider, answers[i].provider);
      }
      const client = deriveNodeKeys(testConfig().mnemonic).dealClient.address.toString('t');
      const escrow = await rpc.result('Filecoin.StateMarketBalance', [client, null]);
      assert.equal(BigInt(escrow.Locked), BigInt(deals.length) * (1000n * 518_400n + 7n), 'the client\'s escrow locks every deal');
      // Review R6: each added what its own deal locks, no more (a mined publication's lock was counted twice).
      assert.equal(escrow.Escrow, escrow.Locked, 'no free escrow left over');
      for (const provider of new Set(answers.map((a) => a.provider as string))) {
        const funds = await rpc.result('Filecoin.StateMarketBalance', [provider, null]);
        assert.equal(funds.Escrow, funds.Locked, `${provider}: no free escrow left over`);
      }
    });
  }

  test('proposals sent together over one WebSocket, from a client whose escrow pays for one: one is published, the other refused with the market’s reason', async (t) => {
    const ws = await setupWebSocketRpc(t, { blockTime: 1 });
    const [miner] = (await ws.call('Filecoin.StateListMiners', [null])) as string[];
    const { address: client, secret } = await ownClient(ws);
    await ws.devnet.mine();
    const funder = deriveNodeKeys(testConfig().mnemonic).dealClient.address;
    const price = 1000n;
    // Anyone may add to a client's escrow: enough for one deal.
    await ws.devnet.pushWithWallet({ version: 0, to: FilAddress.fromId(5), from: funder, nonce: 0, value: price * 518_400n, gasLimit: 0, gasFeeCap: 0n, gasPremium: 0n, method: 2, params: encodeCbor(client.bytes) });
    await ws.devnet.mine();
    const head = ws.devnet.head.epoch;
    const proposals = [31, 32].map((seed) => {
      const { cid, size } = piece(seed);
      const deal = { pieceCid: cid, pieceSize: size, verifiedDeal: false, client, provider: FilAddress.parse(miner!), label: 'x', startEpoch: head + 200, endEpoch: head + 200 + 518_400, storagePricePerEpoch: price, providerCollateral: 0n, clientCollateral: 0n };
      return { pieceCid: cid.toString(), pieceSize: size, client: client.toString(), provider: miner, label: 'x', startEpoch: deal.startEpoch, endEpoch: deal.endEpoch, storagePricePerEpoch: price.toString(), clientSignature: clientSignature(secret, deal) };
    });
    const ids = proposals.map((_, i) => 1000 + i);
    proposals.forEach((deal, i) => ws.socket.send(JSON.stringify({ jsonrpc: '2.0', id: ids[i], method: 'devnet_proposeDeal', params: [deal] })));
    const answers = [];
    for (const id of ids) answers.push(await ws.waitFor((m) => m.id === id));
    const published = answers.filter((a) => a.result);
    const refused = answers.filter((a) => a.error);
    assert.equal(published.length, 1, JSON.stringify(answers));
    assert.equal(refused.length, 1);
    assert.match(refused[0].error.message, /All deal proposals invalid \(deal 0: client balance insufficient/);
  });

  test('the provider’s ask and devnet_rejectNextProposal refuse deals before they reach the chain', async (t) => {
    const rpc = await setup(t);
    const { cid, size } = piece(5);
    const ask = await rpc.result('devnet_setStorageAsk', [rpc.miner, { pricePerGiBEpoch: '500' }]);
    assert.equal(ask.pricePerGiBEpoch, '500');
    const cheap = (await rpc.propose({ pieceCid: cid.toString(), pieceSize: size, provider: rpc.miner, storagePricePerEpoch: '499' })).error;
    assert.match(cheap?.message ?? '', /refused the deal: price 499 per epoch is below the ask \(500\)/);

    assert.equal(await rpc.result('devnet_rejectNextProposal', [rpc.miner, 'disk full']), true);
    const refused = (await rpc.propose({ pieceCid: cid.toString(), pieceSize: size, provider: rpc.miner, storagePricePerEpoch: '500' })).error;
    assert.match(refused?.message ?? '', /refused the deal: disk full/);
    // Only the next one.
    const accepted = await rpc.result('devnet_proposeDeal', [{ pieceCid: cid.toString(), pieceSize: size, provider: rpc.miner, storagePricePerEpoch: '500' }]);
    assert.equal(typeof accepted.dealId, 'number');
    assert.equal(await rpc.dealsCount(), 1);
  });

  test('bad parameters are -32602 naming the field', async (t) => {
    const rpc = await setup(t);
    const cases: [unknown[], RegExp][] = [
      [[{}], /deal\.pieceCid/],
      [[{ pieceCid: 'nonsense', pieceSize: 128 }], /deal\.pieceCid/],
      [[{ pieceCid: piece(6).cid.toString() }], /deal\.pieceSize/],
      [[{ pieceCid: piece(6).cid.toString(), pieceSize: 2048, storagePricePerEpoch: -1 }], /deal\.storagePricePerEpoch/],
      [[{ pieceCid: piece(6).cid.toString(), pieceSize: 2048, client: 'f9xyz' }], /deal\.client/],
    ];
    for (const [params, field] of cases) {
      const error = (await rpc.call('devnet_proposeDeal', params)).error;
      assert.equal(error?.code, -32602, JSON.stringify(params));
      assert.match(error!.message, field);
    }
    assert.equal((await rpc.call('devnet_faultSectors', [rpc.miner, []])).error?.code, -32602);
  });
});

describe('storage providers', () => {
  test('devnet_addStorageProvider creates a funded owner and a miner through CreateMiner, which then takes deals', async (t) => {
    const rpc = await setup(t);
    const added = await rpc.result('devnet_addStorageProvider', [{ sectorSize: 2048 }]);
    assert.ok((await rpc.result('Filecoin.StateListMiners', [null])).includes(added.miner));
    const info = await rpc.result('Filecoin.StateMinerInfo', [added.miner, null]);
    assert.equal(info.SectorSize, 2048);
    assert.equal(await rpc.result('Filecoin.StateAccountKey', [info.Owner, null]), added.owner);
    assert.equal((await rpc.result('Filecoin.StateMinerPower', [added.miner, null])).MinerPower.RawBytePower, '0');

    const { cid, size } = piece(7);
    const deal = await rpc.result('devnet_proposeDeal', [{ pieceCid: cid.toString(), pieceSize: size, provider: added.miner }]);
    await rpc.devnet.storageProviders.settled();
    assert.ok((await rpc.result('Filecoin.StateMarketStorageDeal', [deal.dealId, null])).State.SectorStartEpoch > 0);
    assert.equal((await rpc.result('Filecoin.StateMinerPower', [added.miner, null])).MinerPower.RawBytePower, '2048');
    assert.equal((await rpc.call('devnet_addStorageProvider', [{ sectorSize: 1000 }])).error?.code, -32602);
  });

  // fidaudit6 D2: a worker change now lands by the miner's cron; the agent then sends from the new worker.
  test('after its worker changes, an added provider\'s agent seals from the new worker', async (t) => {
    const rpc = await setup(t);
    const added = await rpc.result('devnet_addStorageProvider', [{ sectorSize: 2048 }]);
    const sealed = async (seed: number) => {
      const { cid, size } = piece(seed);
      const deal = await rpc.result('devnet_proposeDeal', [{ pieceCid: cid.toString(), pieceSize: size, provider: added.miner }]);
      await rpc.devnet.storageProviders.settled();
      return (await rpc.result('Filecoin.StateMarketStorageDeal', [deal.dealId, null])).State.SectorStartEpoch > 0;
    };
    // A sealed sector: the miner holds pledge, so its deadline cron runs.
    assert.equal(await sealed(11), true);
    const worker = await rpc.result('Filecoin.WalletNew', ['bls']);
    await rpc.result('Filecoin.MpoolPushMessage', [{ From: added.owner, To: worker, Value: '1000000000000000000', Method: 0, Params: null }, null]);
    const params = Buffer.from(encodeCbor([FilAddress.parse(worker).bytes, []])).toString('base64');
    await rpc.result('Filecoin.MpoolPushMessage', [{ From: added.owner, To: added.miner, Value: '0', Method: 3, Params: params }, null]);
    await rpc.result('anvil_mine', ['0x3e8']);
    await rpc.devnet.storageProviders.settled();
    const info = await rpc.result('Filecoin.StateMinerInfo', [added.miner, null]);
    assert.equal(info.Worker, await rpc.result('Filecoin.StateLookupID', [worker, null]));
    assert.equal(await sealed(12), true, rpc.lines.filter((l) => l.includes(added.miner)).join('\n'));
  });

  test('devnet_addStorageProvider works under any base fee: the owner also gets what its CreateMiner can cost in gas', async (t) => {
    const rpc = await setup(t);
    // 1 FIL per unit of gas: CreateMiner then costs far more than a dev account's balance.
    await rpc.result('anvil_setNextBlockBaseFeePerGas', ['0xde0b6b3a7640000']);
    const before = (await rpc.result('Filecoin.StateListMiners', [null])).length;
    const added = await rpc.result('devnet_addStorageProvider', []);
    const miners = await rpc.result('Filecoin.StateListMiners', [null]);
    assert.equal(miners.length, before + 1);
    assert.ok(miners.includes(added.miner));
    // What the gas did not use stays with the owner, on top of a dev account's balance.
    assert.ok(BigInt(await rpc.result('Filecoin.WalletBalance', [added.owner])) >= BigInt(testConfig().balance));
  });

  test('devnet_addStorageProvider, MpoolPushMessage and eth_sendTransaction fill in a fee cap the pool admits after anvil_setMinGasPrice', async (t) => {
    const rpc = await setup(t);
    // A minimum fee cap far above twice the base fee (fast-check seed -301326836 found this).
    await rpc.result('anvil_setMinGasPrice', ['0xe8d4a51000']);
    const before = (await rpc.result('Filecoin.StateListMiners', [null])).length;
    const added = await rpc.result('devnet_addStorageProvider', []);
    assert.equal((await rpc.result('Filecoin.StateListMiners', [null])).length, before + 1);
    const sent = await rpc.result('Filecoin.MpoolPushMessage', [{ To: added.miner, From: added.owner, Value: '1', Method: 0, Params: null }, null]);
    assert.equal(BigInt(sent.Message.GasFeeCap), 0xe8d4a51000n);
    const [from] = await rpc.result('eth_accounts', []);
    const hash = await rpc.result('eth_sendTransaction', [{ from, to: from, value: '0x1' }]);
    assert.equal(BigInt((await rpc.result('eth_getTransactionByHash', [hash])).maxFeePerGas), 0xe8d4a51000n);
  });

  test('60 deals proposed back to back, each starting 100 epochs ahead, are all sealed in time: ready pieces share sectors, sectors share messages', async (t) => {
    const rpc = await setup(t);
    const count = 60;
    const dealIds: number[] = [];
    // The script outruns the agents (a loaded machine, proposals fired without waiting): their queue is
    // held while all 60 are published, so that they find them all at once, the chain 60 epochs further.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    void (rpc.devnet as any).agents.queue.run(() => held);
    for (let i = 0; i < count; i++) {
      const { cid, size } = piece(100 + i);
      const startEpoch = Number(await rpc.result('eth_blockNumber')) + 100;
      dealIds.push((await rpc.result('devnet_proposeDeal', [{ pieceCid: cid.toString(), pieceSize: size, startEpoch }])).dealId);
    }
    release();
    await rpc.devnet.storageProviders.settled();
    const deals = await Promise.all(dealIds.map((id) => rpc.result('Filecoin.StateMarketStorageDeal', [id, null])));
    const inactive = dealIds.filter((_, i) => !(deals[i].State.SectorStartEpoch > 0));
    assert.deepEqual(inactive, [], rpc.lines.filter((l) => l.includes('cannot seal')).join('\n'));
    const sectors = new Set(deals.map((d) => `${d.Proposal.Provider}/${d.State.SectorNumber}`));
    assert.ok(sectors.size < count, `${count} deals in ${sectors.size} sectors`);
    // Each sector's pieces are in its proven state: one activation per sector, naming every deal in it.
    const [miner] = [...sectors][0]!.split('/');
    const minerDeals = deals.filter((d) => d.Proposal.Provider === miner);
    for (const sector of new Set(minerDeals.map((d) => d.State.SectorNumber))) {
      const info = await rpc.result('Filecoin.StateSectorGetInfo', [miner, sector, null]);
      assert.ok(BigInt(info.DealWeight) > 0n, `sector ${sector} holds deals`);
    }
  });

  test('--seal-delay: the provider seals a deal only once that many epochs have passed', async (t) => {
    const rpc = await setupRpc(t, { sealDelay: 5 });
    const [miner] = await rpc.result('Filecoin.StateListMiners', [null]);
    const { cid, size } = piece(8);
    const deal = await rpc.result('devnet_proposeDeal', [{ pieceCid: cid.toString(), pieceSize: size, provider: miner }]);
    await rpc.devnet.storageProviders.settled();
    const sealed = async () => (await rpc.result('Filecoin.StateMarketStorageDeal', [deal.dealId, null])).State.SectorStartEpoch > 0;
    assert.equal(await sealed(), false);
    await rpc.result('anvil_mine', [4]);
    await rpc.devnet.storageProviders.settled();
    assert.equal(await sealed(), false);
    await rpc.result('anvil_mine', [1]);
    await rpc.devnet.storageProviders.settled();
    assert.equal(await sealed(), true);
  });
});

describe('verified deals', () => {
  test('review R6: with 2 KiB sectors a verified deal (1 MiB at least) is refused, and the refusal says why', async (t) => {
    const rpc = await setupRpc(t, { sectorSize: 2048n, maxPieceSize: 2032 });
    const client = deriveNodeKeys(testConfig().mnemonic).dealClient.address.toString('t');
    const { cid, size } = randomVerifiedPiece();
    await rpc.result('devnet_addVerifiedClient', [client, String(size)]);
    const refused = await rpc.error('devnet_proposeDeal', [{ pieceCid: cid.toString(), pieceSize: size, verifiedDeal: true }]);
    assert.match(refused.message, /no storage provider accepts this deal \(see devnet_setStorageAsk\): t0111: piece size 1048576 is above the maximum 2048; t0113: /);
  });

  test('the allocation of a published verified deal is pending until the sector claims it', async (t) => {
    const rpc = await setupRpc(t, { sealDelay: 5 });
    const [miner] = await rpc.result('Filecoin.StateListMiners', [null]);
    const client = deriveNodeKeys(testConfig().mnemonic).dealClient.address.toString('t');
    const { cid, size } = randomVerifiedPiece();
    await rpc.result('devnet_addVerifiedClient', [client, String(size)]);
    const { dealId } = await rpc.result('devnet_proposeDeal', [{ pieceCid: cid.toString(), pieceSize: size, provider: miner, verifiedDeal: true }]);
    await rpc.devnet.storageProviders.settled();
    const id = await rpc.result('Filecoin.StateGetAllocationIdForPendingDeal', [dealId, null]);
    assert.ok(id > 0);
    const allocation = await rpc.result('Filecoin.StateGetAllocationForPendingDeal', [dealId, null]);
    assert.deepEqual([allocation.Provider, allocation.Size, allocation.Data['/']], [Number(miner.slice(2)), size, cid.toString()]);
    assert.deepEqual(await rpc.result('Filecoin.StateGetAllocation', [client, id, null]), allocation);

    await rpc.result('anvil_mine', [5]);
    await rpc.devnet.storageProviders.settled();
    assert.equal(await rpc.result('Filecoin.StateGetAllocationIdForPendingDeal', [dealId, null]), 0);
    assert.equal(await rpc.result('Filecoin.StateGetAllocationForPendingDeal', [dealId, null]), null);
    assert.ok(await rpc.result('Filecoin.StateGetClaim', [miner, id, null]), 'the claim keeps the allocation ID');
  });
});

describe('the agents and the chain', () => {
  test('after evm_revert the agent reads its work again: the same deal, published anew, is sealed anew', async (t) => {
    const rpc = await setup(t);
    const { cid, size } = piece(9);
    const head = Number(await rpc.result('eth_blockNumber'));
    const deal = { pieceCid: cid.toString(), pieceSize: size, provider: rpc.miner, startEpoch: head + 300, endEpoch: head + 300 + 518_400 };
    const sealed = async (id: number) => (await rpc.result('Filecoin.StateMarketStorageDeal', [id, null])).State.SectorStartEpoch > 0;
    const snapshot = await rpc.result('evm_snapshot');
    const first = await rpc.result('devnet_proposeDeal', [deal]);
    await rpc.devnet.storageProviders.settled();
    assert.equal(await sealed(first.dealId), true);
    await rpc.result('evm_revert', [snapshot]);
    assert.equal(await rpc.dealsCount(), 0);
    const again = await rpc.result('devnet_proposeDeal', [deal]);
    assert.equal(again.dealId, first.dealId);
    await rpc.devnet.storageProviders.settled();
    assert.equal(await sealed(again.dealId), true);
  });

  test('with mining off, a cheat mines its own message and the agent seals as tipsets are mined', async (t) => {
    const rpc = await setupRpc(t, { noMining: true });
    const [miner] = await rpc.result('Filecoin.StateListMiners', [null]);
    const { cid, size } = piece(10);
    const { dealId } = await rpc.result('devnet_proposeDeal', [{ pieceCid: cid.toString(), pieceSize: size, provider: miner }]);
    const sealed = async () => (await rpc.result('Filecoin.StateMarketStorageDeal', [dealId, null])).State.SectorStartEpoch > 0;
    // The agent's pre-commit and proof wait in the pool until tipsets are mined.
    let mined = 0;
    while (!(await sealed()) && mined < 50) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      await rpc.result('evm_mine');
      mined++;
    }
    assert.equal(await sealed(), true);
    assert.ok(mined >= 2, 'a pre-commit and a proof, each in its own tipset');
  });
});

describe('sector cheats', () => {
  test('fault, recover and terminate a genesis sector through the provider’s worker', async (t) => {
    const rpc = await setup(t);
    const power = async () => BigInt((await rpc.result('Filecoin.StateMinerPower', [rpc.miner, null])).MinerPower.RawBytePower);
    const healthy = await power();
    await rpc.result('devnet_faultSectors', [rpc.miner, [0]]);
    assert.ok((await power()) < healthy);
    await rpc.result('devnet_recoverSectors', [rpc.miner, [0]]);
    // Recovering until its deadline's next (simulated) Window PoSt, at the deadline's end.
    assert.ok((await power()) < healthy);
    const { PeriodStart } = await rpc.result('Filecoin.StateMinerProvingDeadline', [rpc.miner, null]);
    const head = Number(await rpc.result('eth_blockNumber'));
    const { last } = nextDeadlineOccurrence(((PeriodStart % 2880) + 2880) % 2880, 0, head);
    await rpc.result('anvil_mine', [last - head]);
    assert.equal(await power(), healthy);
    const cid = await rpc.result('devnet_terminateSectors', [rpc.miner, [0]]);
    assert.equal((await rpc.result('Filecoin.StateSearchMsg', [null, cid, -1, true])).Receipt.ExitCode, 0);
    // Gone from the active sectors, still in the sectors AMT and its partition, as on Lotus (until a CompactPartitions).
    assert.equal((await rpc.result('Filecoin.StateMinerActiveSectors', [rpc.miner, null])).some((x: { SectorNumber: number }) => x.SectorNumber === 0), false);
    assert.equal((await rpc.result('Filecoin.StateSectorGetInfo', [rpc.miner, 0, null])).SectorNumber, 0);
    assert.equal((await rpc.result('Filecoin.StateMinerSectors', [rpc.miner, [0, 1], null])).length, 1);
    const place = await rpc.result('Filecoin.StateSectorPartition', [rpc.miner, 0, null]);
    const partition = (await rpc.result('Filecoin.StateMinerPartitions', [rpc.miner, place.Deadline, null]))[place.Partition];
    // Its partition holds it alone (a genesis sector per deadline): all of it, none live.
    assert.deepEqual([partition.AllSectors, partition.LiveSectors], [[0, 1], [0]]);
    const missing = (await rpc.call('devnet_terminateSectors', [rpc.miner, [999]])).error;
    assert.match(missing?.message ?? '', /has no sector 999/);
  });
});
