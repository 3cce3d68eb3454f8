// End to end: what one storage provider seals in one batch. Deals published in one
// PublishStorageDeals message (as Boost batches them) are taken on by the provider's agent in one
// turn and sealed together: verified and unverified deals of different durations must all be
// activated, and a piece whose sector cannot be proven (a client contract that refuses the
// SectorContentChanged notification) must not take its batch-mates down with it, nor lose its claim.
// The provider waits a few epochs before sealing (--seal-delay), so a verified claim's term counts
// from a later proof.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { Contract, ContractFactory, JsonRpcProvider, Wallet } from 'ethers';
import { FilAddress } from '../../src/common/address.js';
import { encodeCbor, type CID } from '../../src/common/cbor.js';
import { hexToBytes } from '../../src/common/hex.js';
import { proposalValue, type DealProposal } from '../../src/fevm/actors/market/deal-proposal.js';
import { deriveNodeKeys } from '../../src/devnet/node-keys.js';
import { computePieceCid } from '../../src/devnet/storage-providers/piece-cid.js';
import { DEV_ACCOUNTS, DEV_MNEMONIC, pollUntil } from '../helpers/devnet-process.js';
import { compileFixtures, type CompiledContract } from '../helpers/solc.js';
import { useDevnet } from '../helpers/use-devnet.js';
import { randomVerifiedPiece } from '../helpers/verified-piece.js';

const DAY = 2880;
const DEAL_MIN_DURATION = 180 * DAY;
const SEAL_DELAY = 5;
const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

describe('a storage provider’s sealing batches', () => {
  const devnet = useDevnet(['--storage-providers', '1', '--seal-delay', String(SEAL_DELAY)]);
  let provider: JsonRpcProvider;
  let artifacts: Record<string, CompiledContract>;
  let minerId: number;
  const client = deriveNodeKeys(DEV_MNEMONIC).dealClient.address;

  before(async () => {
    artifacts = await compileFixtures();
    provider = devnet.provider;
    const [miner] = await rpc('Filecoin.StateListMiners', [null]);
    minerId = Number(miner.slice(2));
  });

  const deploy = async (name: string) => {
    const { abi, bytecode } = artifacts[name]!;
    const wallet = new Wallet(DEV_ACCOUNTS[0]!.privateKey, provider);
    return (await (await new ContractFactory(abi, bytecode, wallet).deploy()).waitForDeployment()) as Contract;
  };
  /** DataCap Transfer params to the verified registry with one allocation request for the provider. */
  const allocationTransfer = (piece: { cid: CID; size: number }, termMin: number, termMax: number, expiration: number) => {
    const requests = encodeCbor([[[minerId, piece.cid, piece.size, termMin, termMax, expiration]], []]);
    const amount = Uint8Array.from([0, ...hexToBytes(`0x${(BigInt(piece.size) * 10n ** 18n).toString(16).padStart(64, '0')}`)]);
    return encodeCbor([FilAddress.fromId(6).bytes, amount, requests]);
  };
  const rpc = (method: string, params: unknown[] = []) => provider.send(method, params);
  const head = async () => Number(await rpc('eth_blockNumber'));
  const piece = () => computePieceCid(new Uint8Array(1000).map(() => Math.floor(Math.random() * 256)));

  /** Publishes deals of the node's deal client in one PublishStorageDeals from the provider's worker, signed by the node's wallet; not waited for. */
  async function pushPublish(deals: Pick<DealProposal, 'pieceCid' | 'pieceSize' | 'verifiedDeal' | 'startEpoch' | 'endEpoch'>[]): Promise<string> {
    const worker = await rpc('Filecoin.StateAccountKey', [(await rpc('Filecoin.StateMinerInfo', [`t0${minerId}`, null])).Worker, null]);
    const signed = [];
    for (const deal of deals) {
      const proposal: DealProposal = { ...deal, client, provider: FilAddress.fromId(minerId), label: deal.pieceCid.toString(), storagePricePerEpoch: 0n, providerCollateral: 0n, clientCollateral: 0n };
      const value = proposalValue(proposal, proposal.client, proposal.provider);
      const signature = await rpc('Filecoin.WalletSign', [client.toString('t'), base64(encodeCbor(value))]);
      signed.push([value, Uint8Array.from([signature.Type, ...Buffer.from(signature.Data, 'base64')])]);
    }
    const message = { To: 't05', From: worker, Value: '0', Method: 4, Params: base64(encodeCbor([signed])) };
    return (await rpc('Filecoin.MpoolPushMessage', [message, null])).CID['/'];
  }

  /** The deals a PublishStorageDeals message made, once it is on chain. */
  async function publishedIds(cid: string): Promise<number[]> {
    const { Receipt, ReturnDec } = await rpc('Filecoin.StateWaitMsg', [{ '/': cid }, 0, -1, true]);
    assert.equal(Receipt.ExitCode, 0, 'the deals are published');
    return ReturnDec.IDs;
  }

  /** Resolves with the deals once every one is active (mining an epoch between looks: the seal delay passes); each must be active by its start. */
  async function allActive(ids: number[]) {
    const deals = await pollUntil('every deal active', async () => {
      await rpc('evm_mine');
      const all = await Promise.all(ids.map((id) => rpc('Filecoin.StateMarketStorageDeal', [id, null])));
      return all.every((d) => d.State.SectorStartEpoch > 0) ? all : undefined;
    }, { attempts: 300 });
    for (const deal of deals) assert.ok(deal.State.SectorStartEpoch <= deal.Proposal.StartEpoch, 'activated by its start epoch');
    return deals;
  }

  test('verified and unverified deals of different durations, taken on in one turn, are all activated', async () => {
    const pieces = [piece(), randomVerifiedPiece(), randomVerifiedPiece(), piece()];
    await rpc('devnet_addVerifiedClient', [client.toString('t'), String(pieces[1]!.size + pieces[2]!.size)]);
    const start = (await head()) + 1000;
    const ids = await publishedIds(
      await pushPublish([
        { pieceCid: pieces[0]!.cid, pieceSize: pieces[0]!.size, verifiedDeal: false, startEpoch: start, endEpoch: start + 3 * DEAL_MIN_DURATION },
        { pieceCid: pieces[1]!.cid, pieceSize: pieces[1]!.size, verifiedDeal: true, startEpoch: start, endEpoch: start + DEAL_MIN_DURATION },
        { pieceCid: pieces[2]!.cid, pieceSize: pieces[2]!.size, verifiedDeal: true, startEpoch: start, endEpoch: start + 2 * DEAL_MIN_DURATION },
        { pieceCid: pieces[3]!.cid, pieceSize: pieces[3]!.size, verifiedDeal: false, startEpoch: start, endEpoch: start + DEAL_MIN_DURATION },
      ]),
    );
    const deals = await allActive(ids);
    // Each verified deal's sector lives no longer than its allocation's maximum term allows.
    for (const deal of deals.filter((d) => d.Proposal.VerifiedDeal)) {
      const sector = await rpc('Filecoin.StateSectorGetInfo', [`t0${minerId}`, deal.State.SectorNumber, null]);
      assert.ok(sector.Expiration >= deal.Proposal.EndEpoch);
      assert.ok(sector.Expiration - deal.State.SectorStartEpoch <= deal.Proposal.EndEpoch - deal.Proposal.StartEpoch + 90 * DAY);
    }
  });

  test('a client contract that refuses SectorContentChanged: the sector with its allocation and a batch-mate deal is proven, the refusal ignored, the data claimed', async () => {
    // A verified client contract whose Filecoin method handler refuses anything but datacap, as
    // fevm-hardhat-kit's DealClient (0ece4bc) reverts MethodNotHandled. Lotus's sealing sends
    // ProveCommitSectors3 with require_notification_success false (its default), so on calibnet the
    // contract is called, its refusal ignored, and its data claimed in that one proof.
    const refusing = await deploy('DataCapClient');
    const refusingId = await rpc('Filecoin.EthAddressToFilecoinAddress', [await refusing.getAddress()]);
    const bad = randomVerifiedPiece();
    const good = piece();
    await rpc('devnet_addVerifiedClient', [await refusing.getAddress(), String(bad.size)]);
    const transfer = allocationTransfer(bad, DEAL_MIN_DURATION, DEAL_MIN_DURATION + 90 * DAY, (await head()) + 1000);

    // The allocation and the deal land in one tipset, so the agent packs them into one sector.
    await rpc('evm_setAutomine', [false]);
    try {
      const tx = await refusing.callActor(7, 80475954, transfer);
      const start = (await head()) + 1000;
      const publish = await pushPublish([{ pieceCid: good.cid, pieceSize: good.size, verifiedDeal: false, startEpoch: start, endEpoch: start + DEAL_MIN_DURATION }]);
      await rpc('evm_mine');
      assert.equal((await tx.wait())!.status, 1, 'the allocation is made');
      const [dealId] = await publishedIds(publish);
      const [deal] = await allActive([dealId!]);
      const claim = await pollUntil('the refused allocation claimed', async () => {
        const claims = await rpc('Filecoin.StateGetClaims', [`t0${minerId}`, null]);
        return Object.values(claims ?? {}).find((c: any) => c.Data['/'] === bad.cid.toString()) as any;
      });
      assert.equal(`t0${claim.Client}`, await rpc('Filecoin.StateLookupID', [refusingId, null]));
      assert.equal(claim.Sector, deal.State.SectorNumber, 'claimed in the deal’s sector, by the one proof');
      assert.deepEqual(await rpc('Filecoin.StateGetAllocations', [refusingId, null]), {}, 'the allocation became the claim');
      assert.equal(await refusing.receivedCount(), 1n, 'the contract took only its datacap');
      assert.ok(!devnet.output().includes('could not prove'), devnet.output());
    } finally {
      await rpc('evm_setAutomine', [true]);
    }
  });

  test('a direct allocation with a long minimum term is claimed though the proof comes the seal delay after it was taken on', async () => {
    const client = await deploy('FilecoinApiCaller');
    const data = randomVerifiedPiece();
    await rpc('devnet_addVerifiedClient', [await client.getAddress(), String(data.size)]);
    // A minimum term past what the earliest sector expiration covers: the sector must outlive it counted from the proof.
    const termMin = 3 * DEAL_MIN_DURATION;
    const termMax = termMin + 10 * DAY;
    await (await client.callById(7, 80475954, 0, 0, 0x51, allocationTransfer(data, termMin, termMax, (await head()) + 1000))).wait();
    const claim = await pollUntil('the allocation claimed', async () => {
      await rpc('evm_mine');
      const claims = await rpc('Filecoin.StateGetClaims', [`t0${minerId}`, null]);
      return Object.values(claims ?? {}).find((c: any) => c.Data['/'] === data.cid.toString()) as any;
    }, { attempts: 300 });
    const sector = await rpc('Filecoin.StateSectorGetInfo', [`t0${minerId}`, claim.Sector, null]);
    const lifetime = sector.Expiration - claim.TermStart;
    assert.ok(lifetime >= termMin && lifetime <= termMax, `lifetime ${lifetime} within [${termMin}, ${termMax}]`);
  });

  test('a verified deal starting 100 days ahead waits to be sealed until its allocation’s term can cover it, then is activated', async () => {
    const data = randomVerifiedPiece();
    await rpc('devnet_addVerifiedClient', [client.toString('t'), String(data.size)]);
    const start = (await head()) + 100 * DAY;
    const [dealId] = await publishedIds(await pushPublish([{ pieceCid: data.cid, pieceSize: data.size, verifiedDeal: true, startEpoch: start, endEpoch: start + DEAL_MIN_DURATION }]));
    // Past the seal delay it is not sealed yet: its sector would outlive the claim's maximum term (its duration plus 90 days, counted from the proof).
    for (let i = 0; i < 2 * SEAL_DELAY; i++) await rpc('evm_mine');
    await rpc('anvil_mine', [11 * DAY]);
    const [deal] = await allActive([dealId!]);
    assert.ok(deal.State.SectorStartEpoch >= start - 90 * DAY, 'sealed once the term covers the deal');
    assert.ok(!devnet.output().includes(`cannot seal deal ${dealId}`));
  });

  test('a deal no sector can hold until its end (1 278 days, the longest a sector lives) is given up and named, and its batch-mate sealed', async () => {
    const [long, normal] = [piece(), piece()];
    const start = (await head()) + 1000;
    const [longId, normalId] = await publishedIds(
      await pushPublish([
        { pieceCid: long.cid, pieceSize: long.size, verifiedDeal: false, startEpoch: start, endEpoch: start + 1278 * DAY },
        { pieceCid: normal.cid, pieceSize: normal.size, verifiedDeal: false, startEpoch: start, endEpoch: start + DEAL_MIN_DURATION },
      ]),
    );
    await allActive([normalId!]);
    await pollUntil('the long deal named in the log', async () => (devnet.output().includes(`cannot seal deal ${longId}:`) ? true : undefined));
  });
});
