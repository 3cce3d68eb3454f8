// Lotus's deal, DataCap and supply integration tests ported (at b835fab70): itests/deals_invalid_utf8_label_test.go,
// supply_test.go, verifreg_test.go, remove_verifreg_datacap_test.go, pending_deal_allocation_test.go and
// direct_data_onboard*_test.go, as far as they are chain and actor behaviour (sealing and proving are simulated
// here). Messages are pushed from the node's default wallet as Lotus's kit pushes them. Each test names the itest
// it ports and asserts what Lotus asserts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CID } from 'multiformats/cid';
import { FilAddress } from '../../src/common/address.js';
import { decodeCbor, encodeBigInt, encodeCbor } from '../../src/common/cbor.js';
import { proposalValue } from '../../src/fevm/actors/market/deal-proposal.js';
import { pollUntil } from '../helpers/devnet-process.js';
import { lotusKitSuite } from '../helpers/lotus-contracts.js';

const MARKET = 'f05';
const PUBLISH_STORAGE_DEALS = 4;
/** The miner's ProveCommitSectors3, the method the node's storage providers prove sectors with. */
const PROVE_COMMIT_SECTORS3 = 34;
const FIL = 10n ** 18n;
const VERIFREG = 't06';
const MiB = 1n << 20n;
/** DataCap's FRC-46 Transfer (TransferExported). */
const TRANSFER_EXPORTED = 80475954;
const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

describe("Lotus's deal, DataCap and supply itests (b835fab70)", () => {
  const { kit } = lotusKitSuite({ aged: false });

  test('TestSubmitInvalidDealLabel: a deal whose text label is not UTF-8 fails to decode, in serde\'s words', async () => {
    // The itest's PublishStorageDealsParams, label 0x64deadbeef: a CBOR text string of bytes that are not UTF-8.
    const params =
      '8181828bd82a45000155000000f458310394345a1393a5665772ae97456fdc00cf8f537960eeb3838c297da0d60546252d98469cc68b56eb45081e5c959c8cf4fa58310394345a1393a5665772ae97456fdc00cf8f537960eeb3838c297da0d60546252d98469cc68b56eb45081e5c959c8cf4fa64deadbeef00004040405861029927585cf250656cb3ddf337aed516e6393829389e52c45a4fbbe297b8ad3b7a008b3675a5b5c4df43657ff53bcb6c670b4bd83911867ba90b2b14da856a0ecb36782a7d87232272e3b9cd98dd959b2851602fea30c414a4dc1ea12057d31f81';
    const message = { From: await kit.sender(), To: MARKET, Value: '0', Method: PUBLISH_STORAGE_DEALS, Params: Buffer.from(params, 'hex').toString('base64') };
    const { error } = await kit.raw('Filecoin.MpoolPushMessage', [message, null]);
    assert.match(error?.message ?? '', /Serialization error for Cbor protocol: InvalidUtf8/);
    assert.match(error?.message ?? '', /exit=\[ErrSerialization\(21\)\]/);
  });

  test('TestCirciulationSupplyUpgrade: from nv23 the funds a published deal locks in the market are not in FilLocked (only the power actor\'s pledge is)', async () => {
    assert.ok((await kit.rpc('Filecoin.StateNetworkVersion', null)) >= 23);
    // The itest's makePSDMessage at a smaller scale: the client locks price × 200 days, the provider its collateral.
    const wallet = await kit.sender();
    const [miner] = await kit.rpc('Filecoin.StateListMiners', null);
    const worker = await kit.rpc('Filecoin.StateAccountKey', (await kit.rpc('Filecoin.StateMinerInfo', miner, null)).Worker, null);
    const duration = 2880 * 200;
    const clientLocked = 576n * FIL;
    const providerLocked = 10n * FIL;
    const wait = async (cid: unknown) => assert.equal((await kit.rpc('Filecoin.StateWaitMsg', cid, 0, -1, false)).Receipt.ExitCode, 0);
    await wait(await kit.rpc('Filecoin.MarketAddBalance', wallet, wallet, clientLocked.toString()));
    await wait(await kit.rpc('Filecoin.MarketAddBalance', worker, miner, providerLocked.toString()));
    const terms = {
      pieceCid: CID.parse('baga6ea4seaqflae5c3k2odz4sqfufmrmoegplhk5jbq3co4fgmmy56yc2qfh4aq'),
      pieceSize: 128,
      verifiedDeal: false,
      label: '',
      startEpoch: 10_000,
      endEpoch: 10_000 + duration,
      storagePricePerEpoch: clientLocked / BigInt(duration),
      providerCollateral: providerLocked,
      clientCollateral: 0n,
    };
    const proposal = proposalValue(terms, FilAddress.parse(wallet), FilAddress.parse(miner));
    const signature = await kit.rpc('Filecoin.WalletSign', wallet, base64(encodeCbor(proposal)));
    const params = encodeCbor([[[proposal, Uint8Array.from([signature.Type, ...Buffer.from(signature.Data, 'base64')])]]]);
    // Mined by hand from here, so that the node's provider, which seals the deal, has its proof (a pledge) land in the tipset read below.
    await kit.rpc('evm_setAutomine', false);
    try {
      const published = await kit.rpc('Filecoin.MpoolPushMessage', { From: worker, To: MARKET, Value: '0', Method: PUBLISH_STORAGE_DEALS, Params: base64(params) }, null);
      await kit.rpc('evm_mine');
      await wait(published.CID);
      assert.equal((await kit.rpc('Filecoin.StateMarketBalance', wallet, null)).Locked, clientLocked.toString());
      assert.equal((await kit.rpc('Filecoin.StateMarketBalance', miner, null)).Locked, providerLocked.toString());
      // The provider's pre-commit (and its funding) are mined until its proof waits in the pool.
      await pollUntil("the provider's proof in the pool", async () => {
        const pending: { Message: { To: string; Method: number } }[] = await kit.rpc('Filecoin.MpoolPending', null);
        if (pending.some(({ Message }) => Message.To === miner && Message.Method === PROVE_COMMIT_SECTORS3)) return true;
        if (pending.length > 0) await kit.rpc('evm_mine');
        return undefined;
      });
      const before = (await kit.rpc('Filecoin.StateReadState', 'f04', null)).State.TotalPledgeCollateral;
      await kit.rpc('evm_mine');
      // Both read the head's state at one key, as Lotus's do (its parent state): the proof's pledge is in both.
      const head = (await kit.rpc('Filecoin.ChainHead')).Cids;
      const pledge = (await kit.rpc('Filecoin.StateReadState', 'f04', head)).State.TotalPledgeCollateral;
      assert.notEqual(pledge, before, 'the proof was mined in the head');
      const afterDeal: Record<string, string> = await kit.rpc('Filecoin.StateVMCirculatingSupplyInternal', head);
      assert.equal(afterDeal.FilLocked, pledge, 'nv22 would add the market\'s locked funds; nv23 does not (chain/stmgr/supply.go GetFilLocked)');
      const { FilVested, FilMined, FilReserveDisbursed, FilBurnt, FilLocked, FilCirculating } = afterDeal;
      assert.equal(BigInt(FilCirculating!), BigInt(FilVested!) + BigInt(FilMined!) + BigInt(FilReserveDisbursed!) - BigInt(FilBurnt!) - BigInt(FilLocked!));
    } finally {
      await kit.rpc('evm_setAutomine', true);
    }
  });

  test('verifreg_test TestVerifiedClientTopUp (nv13+), TestRemoveDataCap, TestVerifiedClientCanCreateAllocation, TestVerifiedListAllAllocationsAndClaims; remove_verifreg_datacap_test TestNoRemoveDatacapFromVerifreg; direct_data_onboard_verified_test\'s allocation, allocation-removed and verifier-balance events', async () => {
    // A client granted twice holds both grants; the root key takes datacap back on two verifiers' signed proposals, IDs 0
    // then 1, down to none; datacap transferred to the registry becomes allocations, which the root key cannot take back.
    const wallet = await kit.sender();
    const rootKey = await kit.rpc('Filecoin.StateVerifiedRegistryRootKey', null);
    // The root key is a multisig of one signer here (as on calibnet); Lotus's kit makes it an account.
    const { State } = await kit.rpc('Filecoin.StateReadState', rootKey, null);
    const signer = await kit.rpc('Filecoin.StateAccountKey', State.Signers[0], null);
    const registryCode = (await kit.rpc('Filecoin.StateActorCodeCIDs', await kit.rpc('Filecoin.StateNetworkVersion', null))).verifiedregistry;
    const receipt = async (message: Record<string, unknown>) => {
      const signed = await kit.rpc('Filecoin.MpoolPushMessage', { Value: '0', ...message }, null);
      return (await kit.rpc('Filecoin.StateWaitMsg', signed.CID, 0, -1, true)).Receipt;
    };
    /** A root key call: proposed by its signer (MsigPropose's message, pushed), applied at once; the registry's exit code. */
    const asRoot = async (method: number, params: string): Promise<number> => {
      const proposal = await kit.rpc('Filecoin.MsigPropose', rootKey, VERIFREG, '0', signer, method, params);
      const Receipt = await receipt(proposal.Message);
      assert.equal(Receipt.ExitCode, 0);
      const [, applied, code] = decodeCbor<[number, boolean, number]>(Buffer.from(Receipt.Return, 'base64'));
      assert.equal(applied, true);
      return code;
    };
    const grant = (address: string, allowance: bigint) => kit.rpc('Filecoin.StateEncodeParams', registryCode, 4, { Address: address, Allowance: allowance.toString() });

    // makeVerifier, twice.
    const allowance = 100n * MiB;
    const verifiers: string[] = [];
    for (let i = 0; i < 2; i++) {
      const verifier = await kit.rpc('Filecoin.WalletNew', 'secp256k1');
      assert.equal((await receipt({ From: wallet, To: verifier, Value: (10n * FIL).toString(), Method: 0 })).ExitCode, 0);
      assert.equal(await asRoot(2, await kit.rpc('Filecoin.StateEncodeParams', registryCode, 2, { Address: verifier, Allowance: allowance.toString() })), 0);
      assert.equal(await kit.rpc('Filecoin.StateVerifierStatus', verifier, null), allowance.toString());
      verifiers.push(verifier);
    }
    const client = await kit.rpc('Filecoin.WalletNew', 'bls');
    assert.equal((await receipt({ From: wallet, To: client, Value: (10n * FIL).toString(), Method: 0 })).ExitCode, 0);
    const clientId = await kit.rpc('Filecoin.StateLookupID', client, null);

    // TestVerifiedClientTopUp: a second grant to the same client works (nv13+) and adds up.
    const datacap = 2n * MiB;
    for (const expected of [datacap, 2n * datacap]) {
      assert.equal((await receipt({ From: verifiers[0], To: VERIFREG, Method: 4, Params: await grant(client, datacap) })).ExitCode, 0);
      assert.equal(await kit.rpc('Filecoin.StateVerifiedClientStatus', client, null), expected.toString());
    }

    // TestRemoveDataCap's makeRemoveDatacapMsg: each verifier signs "fil_removedatacap:" ‖ RemoveDataCapProposal.
    const removal = async (target: string, targetId: string, amount: bigint, proposalId: number): Promise<string> => {
      const proposal = encodeCbor([FilAddress.parse(targetId).bytes, encodeBigInt(amount), [proposalId]]);
      const payload = Buffer.concat([Buffer.from('fil_removedatacap:'), proposal]).toString('base64');
      const requests = [];
      for (const verifier of verifiers) {
        const signature = await kit.rpc('Filecoin.WalletSign', verifier, payload);
        const id = await kit.rpc('Filecoin.StateLookupID', verifier, null);
        requests.push([FilAddress.parse(id).bytes, Uint8Array.from([signature.Type, ...Buffer.from(signature.Data, 'base64')])]);
      }
      return base64(encodeCbor([FilAddress.parse(target).bytes, encodeBigInt(amount), ...requests]));
    };
    const half = datacap;
    assert.equal(await asRoot(7, await removal(client, clientId, half, 0)), 0);
    assert.equal(await kit.rpc('Filecoin.StateVerifiedClientStatus', client, null), (2n * datacap - half).toString());
    // A proposal ID used up does not authenticate again: the verifier's account refuses the signature (ErrIllegalArgument).
    assert.equal(await asRoot(7, await removal(client, clientId, half, 0)), 16);
    const last = await removal(client, clientId, half, 1);
    // StateDecodeParams shows them as go-state-types' RemoveDataCapParams.
    const decoded = await kit.rpc('Filecoin.StateDecodeParams', VERIFREG, 7, last, null);
    assert.deepEqual(Object.keys(decoded), ['VerifiedClientToRemove', 'DataCapAmountToRemove', 'VerifierRequest1', 'VerifierRequest2']);
    assert.deepEqual(Object.keys(decoded.VerifierRequest2), ['Verifier', 'VerifierSignature']);
    assert.equal(await asRoot(7, last), 0);
    assert.equal(await kit.rpc('Filecoin.StateVerifiedClientStatus', client, null), null);

    // TestVerifiedClientCanCreateAllocation, TestVerifiedListAllAllocationsAndClaims: the client spends its datacap on two
    // allocations with a DataCap Transfer to the registry (at calibnet's 1 MiB minimum, not the itests' 10000 bytes).
    assert.equal((await receipt({ From: verifiers[0], To: VERIFREG, Method: 4, Params: await grant(client, datacap) })).ExitCode, 0);
    const [miner] = await kit.rpc('Filecoin.StateListMiners', null);
    const minerId = Number(FilAddress.parse(miner).id);
    const pieces = ['baga6ea4seaaqa', 'baga6ea4seaaqc'];
    const [termMin, maxExpiration] = [180 * 2880, 60 * 2880]; // MinimumVerifiedAllocationTerm, MaximumVerifiedAllocationExpiration
    const requests = encodeCbor([pieces.map((piece) => [minerId, CID.parse(piece), Number(MiB), termMin, termMin, maxExpiration]), []]);
    const transfer = encodeCbor([FilAddress.parse(VERIFREG).bytes, encodeBigInt(datacap * FIL), requests]);
    assert.equal((await receipt({ From: client, To: 't07', Method: TRANSFER_EXPORTED, Params: base64(transfer) })).ExitCode, 0);
    assert.equal(await kit.rpc('Filecoin.StateVerifiedClientStatus', client, null), null);
    assert.equal(Object.keys(await kit.rpc('Filecoin.StateGetAllocations', client, null)).length, 2);
    const all = Object.values<Record<string, unknown>>(await kit.rpc('Filecoin.StateGetAllAllocations', null));
    assert.equal(all.length, 2);
    for (const allocation of all) {
      assert.equal(allocation.Client, Number(FilAddress.parse(clientId).id));
      assert.equal(allocation.Provider, minerId);
      assert.equal(allocation.Size, Number(MiB));
    }
    assert.deepEqual(all.map((a) => (a.Data as { '/': string })['/']).sort(), pieces);

    // direct_data_onboard_verified_test TestOnboardRawPieceVerified_WithActorEvents: the allocation events' entries and flags,
    // and verifier-balance's ($type, verifier, balance; with client when a client is granted).
    type Entry = { Flags: number; Key: string; Codec: number; Value: string };
    const events: { entries: Entry[] }[] = await kit.rpc('Filecoin.GetActorEventsRaw', { fromHeight: 0 });
    const value = (e: { entries: Entry[] }, key: string) => decodeCbor(Buffer.from(e.entries.find((x) => x.Key === key)!.Value, 'base64'));
    const shape = (e: { entries: Entry[] }) => e.entries.map((x) => [x.Flags, x.Key, x.Codec]);
    const allocationEvents = events.filter((e) => value(e, '$type') === 'allocation');
    assert.equal(allocationEvents.length, 2);
    for (const event of allocationEvents) {
      const keys = ['$type', 'id', 'client', 'provider', 'piece-cid', 'piece-size', 'term-min', 'term-max', 'expiration'];
      assert.deepEqual(shape(event), keys.map((key, i) => [i < 5 ? 3 : 1, key, 0x51]));
      assert.deepEqual(['client', 'provider', 'piece-size', 'term-min', 'term-max', 'expiration'].map((k) => value(event, k)), [Number(FilAddress.parse(clientId).id), minerId, Number(MiB), termMin, termMin, maxExpiration]);
    }
    // Its bogus allocation, expired, removed with RemoveExpiredAllocations (8): allocation-removed has the allocation's entries.
    assert.equal((await receipt({ From: verifiers[0], To: VERIFREG, Method: 4, Params: await grant(client, MiB) })).ExitCode, 0);
    const expiration = (await kit.rpc('Filecoin.ChainHead')).Height + 3;
    const bogus = encodeCbor([[[minerId, CID.parse(pieces[0]!), Number(MiB), termMin, termMin, expiration]], []]);
    assert.equal((await receipt({ From: client, To: 't07', Method: TRANSFER_EXPORTED, Params: base64(encodeCbor([FilAddress.parse(VERIFREG).bytes, encodeBigInt(MiB * FIL), bogus])) })).ExitCode, 0);
    const [bogusId] = Object.keys(await kit.rpc('Filecoin.StateGetAllocations', client, null)).map(Number).filter((id) => !allocationEvents.some((e) => value(e, 'id') === id));
    for (let i = 0; i < 4; i++) await kit.rpc('evm_mine');
    const clientIdNumber = Number(FilAddress.parse(clientId).id);
    assert.equal((await receipt({ From: client, To: VERIFREG, Method: 8, Params: base64(encodeCbor([clientIdNumber, [bogusId]])) })).ExitCode, 0);
    await kit.rpc('evm_mine');
    const later: { entries: Entry[] }[] = await kit.rpc('Filecoin.GetActorEventsRaw', { fromHeight: 0 });
    const removed = later.filter((e) => value(e, '$type') === 'allocation-removed');
    assert.equal(removed.length, 1);
    assert.deepEqual(shape(removed[0]!), shape(allocationEvents[0]!));
    assert.deepEqual(['id', 'client', 'expiration'].map((k) => value(removed[0]!, k)), [bogusId, clientIdNumber, expiration]);
    const balances = events.filter((e) => value(e, '$type') === 'verifier-balance').map((e) => e.entries.map((x) => x.Key));
    assert.ok(balances.some((keys) => keys.join() === '$type,verifier,balance'));
    assert.ok(balances.some((keys) => keys.join() === '$type,verifier,balance,client'));

    // TestNoRemoveDatacapFromVerifreg: the registry holds the allocations' datacap, and the root key may not take it.
    assert.equal(await kit.rpc('Filecoin.StateVerifiedClientStatus', VERIFREG, null), datacap.toString());
    assert.equal(await asRoot(7, await removal(VERIFREG, VERIFREG, datacap, 0)), 16);
    assert.equal(await kit.rpc('Filecoin.StateVerifiedClientStatus', VERIFREG, null), datacap.toString());
  });
});

describe("Lotus's direct data onboarding itest, its chain part (b835fab70)", () => {
  const { kit } = lotusKitSuite({ aged: false });

  test('direct_data_onboard_test TestOnboardMixedMarketDDO: once sealed, the deal has a sector start; deal-published and deal-activated are [$type, id, client, provider], sector-activated [$type, sector, unsealed-cid, piece-cid, piece-size], flags as Lotus reads them', async () => {
    const wallet = await kit.sender();
    const [miner] = await kit.rpc('Filecoin.StateListMiners', null);
    const owner = await kit.rpc('Filecoin.StateAccountKey', (await kit.rpc('Filecoin.StateMinerInfo', miner, null)).Owner, null);
    const wait = async (cid: unknown) => assert.equal((await kit.rpc('Filecoin.StateWaitMsg', cid, 0, -1, false)).Receipt.ExitCode, 0);
    await wait(await kit.rpc('Filecoin.MarketAddBalance', owner, miner, FIL.toString()));
    const head = (await kit.rpc('Filecoin.ChainHead')).Height;
    const pieceCid = CID.parse('baga6ea4seaqflae5c3k2odz4sqfufmrmoegplhk5jbq3co4fgmmy56yc2qfh4aq');
    const terms = { pieceCid, pieceSize: 2048, verifiedDeal: false, label: '', startEpoch: head + 100, endEpoch: head + 100 + 180 * 2880, storagePricePerEpoch: 0n, providerCollateral: FIL / 10n, clientCollateral: 0n };
    const proposal = proposalValue(terms, FilAddress.parse(wallet), FilAddress.parse(miner));
    const signature = await kit.rpc('Filecoin.WalletSign', wallet, base64(encodeCbor(proposal)));
    const params = encodeCbor([[[proposal, Uint8Array.from([signature.Type, ...Buffer.from(signature.Data, 'base64')])]]]);
    const published = await kit.rpc('Filecoin.MpoolPushMessage', { From: owner, To: MARKET, Value: '0', Method: PUBLISH_STORAGE_DEALS, Params: base64(params) }, null);
    const dealId: number = (await kit.rpc('Filecoin.StateWaitMsg', published.CID, 0, -1, true)).ReturnDec.IDs[0];
    const state = await pollUntil('the deal in a sector', async () => {
      await kit.rpc('evm_mine');
      const deal = await kit.rpc('Filecoin.StateMarketStorageDeal', dealId, null);
      return deal.State.SectorStartEpoch !== -1 ? deal.State : undefined;
    });
    assert.notEqual(state.SectorStartEpoch, -1);

    const ids = { client: Number(FilAddress.parse(await kit.rpc('Filecoin.StateLookupID', wallet, null)).id), provider: Number(FilAddress.parse(miner).id) };
    await kit.rpc('evm_mine'); // Lotus indexes a tipset's events when the next tipset executes it
    type Entry = { Flags: number; Key: string; Codec: number; Value: string };
    const events: { entries: Entry[] }[] = await kit.rpc('Filecoin.GetActorEventsRaw', { fromHeight: 0 });
    const value = (e: { entries: Entry[] }, key: string) => decodeCbor(Buffer.from(e.entries.find((x) => x.Key === key)!.Value, 'base64'));
    const shape = (e: { entries: Entry[] }) => e.entries.map((x) => [x.Flags, x.Key, x.Codec]);
    for (const type of ['deal-published', 'deal-activated']) {
      const event = events.find((e) => value(e, '$type') === type && value(e, 'id') === dealId)!;
      assert.ok(event, type);
      assert.deepEqual(shape(event), [[3, '$type', 0x51], [3, 'id', 0x51], [3, 'client', 0x51], [3, 'provider', 0x51]]);
      assert.deepEqual([value(event, 'client'), value(event, 'provider')], [ids.client, ids.provider]);
    }
    const activated = events.find((e) => value(e, '$type') === 'sector-activated' && value(e, 'sector') === state.SectorNumber)!;
    assert.deepEqual(shape(activated), [[3, '$type', 0x51], [3, 'sector', 0x51], [3, 'unsealed-cid', 0x51], [3, 'piece-cid', 0x51], [1, 'piece-size', 0x51]]);
    assert.equal(String(value(activated, 'piece-cid')), pieceCid.toString());
    assert.equal(value(activated, 'piece-size'), 2048);
  });
  test('direct_data_onboard_verified_test TestOnboardRawPieceVerified_WithActorEvents: a sealed verified deal\'s claim event and StateGetClaim; sector-precommitted is [$type, sector]', async () => {
    const wallet = await kit.sender();
    const [miner] = await kit.rpc('Filecoin.StateListMiners', null);
    const owner = await kit.rpc('Filecoin.StateAccountKey', (await kit.rpc('Filecoin.StateMinerInfo', miner, null)).Owner, null);
    await kit.rpc('devnet_addVerifiedClient', wallet, MiB.toString());
    assert.equal((await kit.rpc('Filecoin.StateWaitMsg', await kit.rpc('Filecoin.MarketAddBalance', owner, miner, FIL.toString()), 0, -1, false)).Receipt.ExitCode, 0);
    const head = (await kit.rpc('Filecoin.ChainHead')).Height;
    const pieceCid = CID.parse('baga6ea4seaqhyticusemlcxjpz6hm2w3jdmzqtpvt2x4kckmfmvkx3olqw6arsy');
    const terms = { pieceCid, pieceSize: Number(MiB), verifiedDeal: true, label: '', startEpoch: head + 100, endEpoch: head + 100 + 180 * 2880, storagePricePerEpoch: 0n, providerCollateral: FIL / 10n, clientCollateral: 0n };
    const proposal = proposalValue(terms, FilAddress.parse(wallet), FilAddress.parse(miner));
    const signature = await kit.rpc('Filecoin.WalletSign', wallet, base64(encodeCbor(proposal)));
    const params = encodeCbor([[[proposal, Uint8Array.from([signature.Type, ...Buffer.from(signature.Data, 'base64')])]]]);
    const published = await kit.rpc('Filecoin.MpoolPushMessage', { From: owner, To: MARKET, Value: '0', Method: PUBLISH_STORAGE_DEALS, Params: base64(params) }, null);
    const dealId: number = (await kit.rpc('Filecoin.StateWaitMsg', published.CID, 0, -1, true)).ReturnDec.IDs[0];
    const state = await pollUntil('the deal in a sector', async () => {
      await kit.rpc('evm_mine');
      const deal = await kit.rpc('Filecoin.StateMarketStorageDeal', dealId, null);
      return deal.State.SectorStartEpoch !== -1 ? deal.State : undefined;
    });

    // Lotus indexes a tipset's events when the next tipset executes it: one more tipset, and the activation's are there.
    await kit.rpc('evm_mine');
    type Entry = { Flags: number; Key: string; Codec: number; Value: string };
    const events: { entries: Entry[]; height: number }[] = await kit.rpc('Filecoin.GetActorEventsRaw', { fromHeight: 0 });
    const value = (e: { entries: Entry[] }, key: string) => decodeCbor(Buffer.from(e.entries.find((x) => x.Key === key)!.Value, 'base64'));
    const shape = (e: { entries: Entry[] }) => e.entries.map((x) => [x.Flags, x.Key]);
    // The provider may seal at once, so the allocation is found by its piece: the claim keeps its ID.
    const ofPiece = (type: string) => events.find((e) => value(e, '$type') === type && String(value(e, 'piece-cid')) === pieceCid.toString())!;
    const allocationId = value(ofPiece('allocation'), 'id');
    const claim = ofPiece('claim');
    assert.equal(value(claim, 'id'), allocationId);
    assert.deepEqual(shape(claim), [[3, '$type'], [3, 'id'], [3, 'client'], [3, 'provider'], [3, 'piece-cid'], [1, 'piece-size'], [1, 'term-min'], [1, 'term-max'], [1, 'term-start'], [3, 'sector']]);
    assert.equal(value(claim, 'term-start'), claim.height);
    assert.equal(value(claim, 'sector'), state.SectorNumber);
    const precommitted = events.find((e) => value(e, '$type') === 'sector-precommitted' && value(e, 'sector') === state.SectorNumber)!;
    assert.deepEqual(shape(precommitted), [[3, '$type'], [3, 'sector']]);

    // The claim keeps its allocation's ID and terms; its start is the activation.
    const stored = await kit.rpc('Filecoin.StateGetClaim', miner, allocationId, null);
    assert.equal(stored.Data['/'], pieceCid.toString());
    assert.deepEqual([stored.Size, stored.TermStart, stored.Sector], [Number(MiB), claim.height, state.SectorNumber]);
  });
});

describe("Lotus's pending deal allocation itest (b835fab70), with a provider that does not seal (as kit's, which never gets the data)", () => {
  const { kit } = lotusKitSuite({ args: ['--seal-delay', '1000000'], aged: false });

  test('pending_deal_allocation_test TestGetAllocationForPendingDeal: a published verified deal\'s allocation is its client\'s only one, for its piece; the deal is not in a sector (-1)', async () => {
    const wallet = await kit.sender();
    const wait = async (cid: unknown) => (await kit.rpc('Filecoin.StateWaitMsg', cid, 0, -1, true)).Receipt;
    const client = await kit.rpc('Filecoin.WalletNew', 'bls');
    assert.equal((await wait((await kit.rpc('Filecoin.MpoolPushMessage', { From: wallet, To: client, Value: (10n * FIL).toString(), Method: 0 }, null)).CID)).ExitCode, 0);
    await kit.rpc('devnet_addVerifiedClient', client, MiB.toString());
    assert.equal(await kit.rpc('Filecoin.StateVerifiedClientStatus', client, null), MiB.toString());
    const [miner] = await kit.rpc('Filecoin.StateListMiners', null);
    const owner = await kit.rpc('Filecoin.StateAccountKey', (await kit.rpc('Filecoin.StateMinerInfo', miner, null)).Owner, null);
    // Calibnet's minimum provider collateral is above zero (the itest's 2k build lets it be 0).
    const collateral = FIL;
    assert.equal((await wait(await kit.rpc('Filecoin.MarketAddBalance', owner, miner, collateral.toString()))).ExitCode, 0);

    const pieceCid = CID.parse('baga6ea4seaqflae5c3k2odz4sqfufmrmoegplhk5jbq3co4fgmmy56yc2qfh4aq');
    const terms = { pieceCid, pieceSize: Number(MiB), verifiedDeal: true, label: '', startEpoch: 1_000_000, endEpoch: 2_000_000, storagePricePerEpoch: 0n, providerCollateral: collateral, clientCollateral: 0n };
    const proposal = proposalValue(terms, FilAddress.parse(client), FilAddress.parse(miner));
    const signature = await kit.rpc('Filecoin.WalletSign', client, base64(encodeCbor(proposal)));
    const params = encodeCbor([[[proposal, Uint8Array.from([signature.Type, ...Buffer.from(signature.Data, 'base64')])]]]);
    const published = await kit.rpc('Filecoin.MpoolPushMessage', { From: owner, To: MARKET, Value: '0', Method: PUBLISH_STORAGE_DEALS, Params: base64(params) }, null);
    const { Receipt, ReturnDec } = await kit.rpc('Filecoin.StateWaitMsg', published.CID, 0, -1, true);
    assert.equal(Receipt.ExitCode, 0);
    const [dealId] = ReturnDec.IDs;

    const allocation = await kit.rpc('Filecoin.StateGetAllocationForPendingDeal', dealId, null);
    assert.equal(allocation.Data['/'], pieceCid.toString());
    for (const each of Object.values(await kit.rpc('Filecoin.StateGetAllocations', client, null))) assert.deepEqual(each, allocation);
    assert.equal((await kit.rpc('Filecoin.StateMarketStorageDeal', dealId, null)).State.SectorStartEpoch, -1);
  });
});
