// End to end: storage deals against the devnet CLI, driven with ethers and Lotus JSON-RPC. A client
// contract shaped like fevm-hardhat-kit's DealClient proposes a deal, a storage provider's agent
// publishes and seals it, the contract hears MarketNotifyDeal and reads the deal's activation through
// call_actor, escrow flows as epochs pass and the deal expires; a terminated sector slashes its deal
// and refunds the client; a verified client contract onboards data directly and is notified; a file
// goes in through `fvm-devnet deal` and comes back from /piece. Each flow logs how long it took.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test, type TestContext } from 'node:test';
import { Contract, ContractFactory, JsonRpcProvider, Wallet, keccak256, parseEther, type ContractTransactionResponse } from 'ethers';
import { FilAddress } from '../../src/common/address.js';
import { decodeBigInt, decodeCbor, encodeCbor, type CID } from '../../src/common/cbor.js';
import { bytesToHex, hexToBytes } from '../../src/common/hex.js';
import { deriveNodeKeys } from '../../src/devnet/node-keys.js';
import { proposalValue } from '../../src/fevm/actors/market/deal-proposal.js';
import { computePieceCid, paddedPieceCid } from '../../src/devnet/storage-providers/piece-cid.js';
import { startDevnet as startNode, testConfig } from '../../src/index.js';
import { CLI_PATH, DEV_ACCOUNTS, DEV_MNEMONIC, pollUntil, within } from '../helpers/devnet-process.js';
import { compileFixtures, REPO_ROOT, type CompiledContract } from '../helpers/solc.js';
import { useDevnet } from '../helpers/use-devnet.js';
import { MIN_DATACAP, VERIFIED_PAYLOAD_BYTES } from '../helpers/verified-piece.js';

const run = promisify(execFile);

const DEAL_MIN_DURATION = 518_400;
const PRICE_PER_EPOCH = 1_000_000_000n;

describe('storage deals against the devnet CLI', () => {
  const devnet = useDevnet();
  let provider: JsonRpcProvider;
  let wallet: Wallet;
  let artifacts: Record<string, CompiledContract>;

  before(async () => {
    artifacts = await compileFixtures();
    provider = devnet.provider;
    wallet = devnet.wallet;
  });

  const rpc = (method: string, params: unknown[] = []) => provider.send(method, params);
  const mined = async (tx: Promise<ContractTransactionResponse>) => (await (await tx).wait())!;
  const head = async () => Number(await rpc('eth_blockNumber'));
  const deploy = async (name: string): Promise<Contract> => {
    const { abi, bytecode } = artifacts[name]!;
    const contract = await new ContractFactory(abi, bytecode, wallet).deploy();
    await contract.waitForDeployment();
    return contract as Contract;
  };
  /** A random payload's piece, as a client would prepare it. */
  const piece = (bytes = 4000) => {
    const payload = new Uint8Array(bytes).map(() => Math.floor(Math.random() * 256));
    return { payload, ...computePieceCid(payload) };
  };
  /** Uploads a piece's payload to the devnet (PUT /piece), as `fvm-devnet piece --upload` does: what a provider can fetch or import. */
  const upload = async ({ cid, payload }: { cid: CID; payload: Uint8Array }) => {
    const res = await fetch(`${devnet.url}/piece/${cid}`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: Buffer.from(payload) });
    assert.ok(res.ok, `upload of ${cid}: HTTP ${res.status} ${await res.text()}`);
  };
  /** Runs a flow and reports how long it took (a diagnostic line in the test output). */
  const timed = async <T>(t: TestContext, run: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    const result = await run();
    t.diagnostic(`${t.name}: ${Math.round(performance.now() - start)} ms`);
    return result;
  };

  /** A DealClient with `escrow` in the market, and a proposal made for a fresh piece; resolves once the deal is active. */
  async function activeContractDeal(escrow: bigint, providerCollateral = 0n) {
    const client = await deploy('DealClient');
    const address = await client.getAddress();
    await mined(wallet.sendTransaction({ to: address, value: escrow }) as Promise<ContractTransactionResponse>);
    await mined(client.addBalance(escrow));
    const data = piece();
    const { cid, size } = data;
    // The provider fetches the data from location_ref (the devnet's own /piece) before publishing.
    await upload(data);
    const startEpoch = (await head()) + 200;
    const request = {
      pieceCid: cid.bytes,
      pieceSize: size,
      verifiedDeal: false,
      label: cid.toString(),
      startEpoch,
      endEpoch: startEpoch + DEAL_MIN_DURATION,
      storagePricePerEpoch: PRICE_PER_EPOCH,
      providerCollateral,
      clientCollateral: 0n,
      locationRef: `${devnet.url}/piece/${cid.toString()}`,
      carSize: 4000,
    };
    await mined(client.makeDealProposal(request));
    // The provider's agent publishes the deal: the market tells the contract its deal ID.
    await pollUntil('MarketNotifyDeal', async () => ((await client.published(keccak256(cid.bytes))) ? true : undefined));
    const dealId = Number(await client.dealOfPiece(keccak256(cid.bytes)));
    // Then seals it: the deal becomes active.
    const deal = await pollUntil('deal activation', async () => {
      const d = await rpc('Filecoin.StateMarketStorageDeal', [dealId, null]);
      return d.State.SectorStartEpoch > 0 ? d : undefined;
    });
    return { client, cid, dealId, deal, startEpoch, endEpoch: request.endEpoch };
  }

  test('flow 1: a contract deal is published, notified, sealed, activated, paid over time and expires', async (t) => {
    await timed(t, async () => {
      const { client, cid, dealId, deal, startEpoch, endEpoch } = await activeContractDeal(parseEther('1'));
      // audit18 K1: the first deal on a fresh node is not deal 0 (contracts take 0 for "no deal"): IDs start
      // past the deals a Lotus localnet's genesis publishes for the pre-sealed sectors, 2 providers × 10.
      assert.equal(dealId, 20);
      await assert.rejects(rpc('Filecoin.StateMarketStorageDeal', [0, null]), /deal 0 not found/);
      const contractAddress = (await client.getAddress()).toLowerCase();
      assert.equal(deal.Proposal.PieceCID['/'], cid.toString());
      assert.equal(deal.Proposal.Label, cid.toString());
      const providerAddress: string = deal.Proposal.Provider;
      const clientId = await rpc('Filecoin.StateLookupID', [deal.Proposal.Client, null]);
      assert.equal(await rpc('Filecoin.EthAddressToFilecoinAddress', [contractAddress]).then((f410: string) => rpc('Filecoin.StateLookupID', [f410, null])), clientId);

      // The contract reads its deal's activation from the market through call_actor.
      await mined(client.updateActivationStatus(cid.bytes));
      const [activated, terminated] = await client.activations(dealId);
      assert.equal(Number(activated), deal.State.SectorStartEpoch);
      assert.equal(terminated, -1n);

      // A day of epochs later the provider settles: the storage fee so far moves to its escrow.
      const before = await rpc('Filecoin.StateMarketBalance', [providerAddress, null]);
      await rpc('anvil_mine', [3000]);
      const paid = await pollUntil('a settlement', async () => {
        const now = await rpc('Filecoin.StateMarketBalance', [providerAddress, null]);
        return BigInt(now.Escrow) > BigInt(before.Escrow) ? now : undefined;
      });
      // Paid for every epoch from the deal's start to the settlement.
      const settled = await rpc('Filecoin.StateMarketStorageDeal', [dealId, null]);
      assert.ok(settled.State.LastUpdatedEpoch > startEpoch);
      assert.equal(BigInt(paid.Escrow) - BigInt(before.Escrow), BigInt(settled.State.LastUpdatedEpoch - startEpoch) * PRICE_PER_EPOCH);

      // Past its end the deal is settled in full and cleaned up: the market no longer knows it.
      await rpc('anvil_mine', [endEpoch - (await head()) + 10]);
      await pollUntil('deal completion', async () => {
        try {
          await rpc('Filecoin.StateMarketStorageDeal', [dealId, null]);
          return undefined;
        } catch {
          return true;
        }
      });
      const final = await rpc('Filecoin.StateMarketBalance', [providerAddress, null]);
      assert.equal(BigInt(final.Escrow) - BigInt(before.Escrow), PRICE_PER_EPOCH * BigInt(DEAL_MIN_DURATION));
      // The contract's call_actor read now gets the market's "deal expired" exit code (32).
      await assert.rejects(client.updateActivationStatus.staticCall(cid.bytes), (err: any) => err.revert?.name === 'ActorCallFailed' && err.revert.args[0] === 32n);
    });
  });

  test('flow 3: a terminated sector slashes its deal and the client gets its funds back', async (t) => {
    await timed(t, async () => {
      const collateral = parseEther('0.01');
      const { client, cid, dealId, deal, startEpoch } = await activeContractDeal(parseEther('1'), collateral);
      const providerAddress: string = deal.Proposal.Provider;
      const clientAddress: string = deal.Proposal.Client;
      const fee = PRICE_PER_EPOCH * BigInt(DEAL_MIN_DURATION);
      const clientBefore = await rpc('Filecoin.StateMarketBalance', [clientAddress, null]);
      const providerBefore = await rpc('Filecoin.StateMarketBalance', [providerAddress, null]);
      assert.equal(BigInt(clientBefore.Locked), fee);
      assert.ok(BigInt(providerBefore.Locked) >= collateral);

      // A fault first: the sector loses its power, the deal stays.
      const sector: number = deal.State.SectorNumber;
      const powerBefore = await rpc('Filecoin.StateMinerPower', [providerAddress, null]);
      await rpc('devnet_faultSectors', [providerAddress, [sector]]);
      const faults = await rpc('Filecoin.StateMinerFaults', [providerAddress, null]);
      assert.ok(JSON.stringify(faults) !== '[0]', 'the sector is faulty');
      const powerFaulty = await rpc('Filecoin.StateMinerPower', [providerAddress, null]);
      assert.ok(BigInt(powerFaulty.MinerPower.RawBytePower) < BigInt(powerBefore.MinerPower.RawBytePower));
      assert.equal((await rpc('Filecoin.StateMarketStorageDeal', [dealId, null])).State.SectorNumber, sector);

      // Then the provider terminates the sector, after the deal has run 100 epochs.
      await rpc('anvil_mine', [startEpoch + 100 - (await head())]);
      const message = await rpc('devnet_terminateSectors', [providerAddress, [sector]]);
      const { Height: terminatedAt, Receipt } = await rpc('Filecoin.StateSearchMsg', [null, message, -1, true]);
      assert.equal(Receipt.ExitCode, 0);

      // builtin-actors: the provider is paid up to the termination and loses its collateral; the
      // client's remaining fee is unlocked, and the deal is gone.
      const paid = BigInt(terminatedAt - startEpoch) * PRICE_PER_EPOCH;
      const clientAfter = await rpc('Filecoin.StateMarketBalance', [clientAddress, null]);
      assert.equal(BigInt(clientAfter.Locked), 0n);
      assert.equal(BigInt(clientAfter.Escrow), BigInt(clientBefore.Escrow) - paid);
      const providerAfter = await rpc('Filecoin.StateMarketBalance', [providerAddress, null]);
      assert.equal(BigInt(providerAfter.Escrow), BigInt(providerBefore.Escrow) + paid - collateral);
      await assert.rejects(rpc('Filecoin.StateMarketStorageDeal', [dealId, null]));
      await assert.rejects(client.updateActivationStatus.staticCall(cid.bytes), (err: any) => err.revert?.args[0] === 32n);
    });
  });

  test('flow 4: a file onboarded with `fvm-devnet deal` is sealed and retrieved byte for byte from /piece', async (t) => {
    await timed(t, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'fvm-devnet-deal-'));
      t.after(() => rmSync(dir, { recursive: true, force: true }));
      const file = join(dir, 'data.bin');
      const payload = new Uint8Array(300_000).map(() => Math.floor(Math.random() * 256));
      writeFileSync(file, payload);
      const { stdout } = await run(process.execPath, [join(REPO_ROOT, CLI_PATH), 'deal', file, '--rpc', devnet.url]);
      const dealId = Number(/Deal ID:\s+(\d+)/.exec(stdout)![1]);
      const pieceCid = /Piece CID:\s+(\S+)/.exec(stdout)![1]!;
      assert.equal(pieceCid, computePieceCid(payload).cid.toString());
      const deal = await pollUntil('the CLI deal to be sealed', async () => {
        const d = await rpc('Filecoin.StateMarketStorageDeal', [dealId, null]);
        return d.State.SectorStartEpoch > 0 ? d : undefined;
      });
      assert.equal(deal.Proposal.PieceCID['/'], pieceCid);
      // The client is the node's deal client, a native f1 account.
      assert.match(await rpc('Filecoin.StateAccountKey', [deal.Proposal.Client, null]), /^t1/);
      const sector = await rpc('Filecoin.StateSectorGetInfo', [deal.Proposal.Provider, deal.State.SectorNumber, null]);
      assert.equal(sector.SectorNumber, deal.State.SectorNumber);

      const res = await fetch(`${devnet.url}/piece/${pieceCid}`);
      assert.equal(res.status, 200);
      assert.deepEqual(new Uint8Array(await res.arrayBuffer()), payload);
    });
  });

  test('flow 2: a verified client contract allocates datacap directly, a provider claims it, the contract is notified', async (t) => {
    await timed(t, async () => {
      const client = await deploy('FilecoinApiCaller');
      const address = await client.getAddress();
      const { cid, size } = piece(VERIFIED_PAYLOAD_BYTES);
      await rpc('devnet_addVerifiedClient', [address, String(size)]);
      assert.equal(await client.datacapReceipts(), 1n, 'the datacap mint reached the contract’s receiver hook');

      // DataCapAPI.transfer to the verified registry, with an allocation request for the first provider.
      const [minerAddress] = await rpc('Filecoin.StateListMiners', [null]);
      const minerId = Number(minerAddress.slice(2));
      const expiration = (await head()) + 1000;
      const allocationRequests = encodeCbor([[[minerId, cid, size, DEAL_MIN_DURATION, 1_000_000, expiration]], []]);
      const params = encodeCbor([FilAddress.fromId(6).bytes, fsBigInt(BigInt(size) * 10n ** 18n), allocationRequests]);
      const [exitCode] = await client.callById.staticCall(7, 80475954, 0, 0, 0x51, params);
      assert.equal(exitCode, 0n);
      await mined(client.callById(7, 80475954, 0, 0, 0x51, params));

      // The provider's agent claims the allocation in a sector and notifies the contract.
      await pollUntil('SectorContentChanged', async () => ((await client.notificationCount()) > 0n ? true : undefined));
      const notification = await client.notifications(0);
      assert.equal(notification.pieceCid, bytesToHex(cid.bytes));
      assert.equal(notification.pieceSize, BigInt(size));
      assert.equal(notification.notifier.toLowerCase(), `0xff${'0'.repeat(22)}${minerId.toString(16).padStart(16, '0')}`);
      const claims = await rpc('Filecoin.StateGetClaims', [minerAddress, null]);
      const claim = Object.values(claims).find((c: any) => c.Data['/'] === cid.toString()) as any;
      assert.ok(claim, 'the claim is on chain');
      assert.equal(claim.Sector, Number(notification.sector));
      assert.equal(await rpc('Filecoin.StateVerifiedClientStatus', [await rpc('Filecoin.EthAddressToFilecoinAddress', [address]), null]), null);
    });
  });

  test('flow 5: filecoin-solidity-style calls from a contract answer what the Lotus state methods say', async (t) => {
    await timed(t, async () => {
      const caller = await deploy('FilecoinApiCaller');
      const { client: dealClient, dealId, deal } = await activeContractDeal(parseEther('1'));
      const providerAddress: string = deal.Proposal.Provider;
      const minerId = Number(providerAddress.slice(2));
      /** Actor.callByIDReadOnly, then the CBOR answer. */
      const read = async (actorId: number, method: number, params?: unknown) => {
        const [exitCode, codec, data] = await caller.callById.staticCall(actorId, method, 0, 1, params === undefined ? 0 : 0x51, params === undefined ? '0x' : encodeCbor(params));
        assert.equal(exitCode, 0n, `method ${method} of f0${actorId} exited with ${exitCode}`);
        return codec === 0n ? undefined : decodeCbor(hexToBytes(data));
      };
      const big = (bytes: unknown) => decodeBigInt(bytes as Uint8Array).toString();

      // MarketAPI: the deal's getters against StateMarketStorageDeal, the escrow against StateMarketBalance.
      const p = deal.Proposal;
      const [data, pieceSize] = (await read(5, 1157985802, dealId)) as [CID, number];
      assert.equal(data.toString(), p.PieceCID['/']);
      assert.equal(pieceSize, p.PieceSize);
      assert.equal(`t0${await read(5, 128053329, dealId)}`, await rpc('Filecoin.StateLookupID', [p.Client, null]));
      assert.equal(`t0${await read(5, 935081690, dealId)}`, p.Provider);
      assert.equal(await read(5, 46363526, dealId), p.Label);
      assert.deepEqual(await read(5, 163777312, dealId), [p.StartEpoch, p.EndEpoch - p.StartEpoch]);
      assert.equal(big(await read(5, 4287162428, dealId)), (BigInt(p.StoragePricePerEpoch) * BigInt(p.EndEpoch - p.StartEpoch)).toString());
      assert.equal(big(await read(5, 200567895, dealId)), p.ClientCollateral);
      assert.equal(big(await read(5, 2986712137, dealId)), p.ProviderCollateral);
      assert.equal(await read(5, 2627389465, dealId), p.VerifiedDeal);
      assert.deepEqual(await read(5, 2567238399, dealId), [deal.State.SectorStartEpoch, -1]);
      const clientF410 = FilAddress.fromEthAddress(hexToBytes(await dealClient.getAddress()));
      const balance = await rpc('Filecoin.StateMarketBalance', [clientF410.toString('t'), null]);
      assert.deepEqual(((await read(5, 726108461, clientF410.bytes)) as Uint8Array[]).map(big), [balance.Escrow, balance.Locked]);

      // MinerAPI against StateMinerInfo and StateMinerAvailableBalance.
      const info = await rpc('Filecoin.StateMinerInfo', [providerAddress, null]);
      const [owner] = (await read(minerId, 3275365574)) as [Uint8Array];
      assert.equal(FilAddress.fromBytes(owner).toString('t'), info.Owner);
      assert.equal(await read(minerId, 3858292296), info.SectorSize);
      assert.equal(big(await read(minerId, 4026106874)), await rpc('Filecoin.StateMinerAvailableBalance', [providerAddress, null]));
      assert.equal(await read(minerId, 348244887, FilAddress.parse(info.Worker).bytes), true);
      assert.deepEqual(await read(minerId, 1332909407), [info.Multiaddrs ?? []]);

      // PowerAPI against StateMinerPower and StateListMiners.
      const power = await rpc('Filecoin.StateMinerPower', [providerAddress, null]);
      assert.equal(await read(4, 1987646258), (await rpc('Filecoin.StateListMiners', [null])).length);
      assert.equal(big(await read(4, 931722534)), power.TotalPower.RawBytePower);
      const [raw, meets] = (await read(4, 3753401894, minerId)) as [Uint8Array, boolean];
      assert.equal(big(raw), power.MinerPower.RawBytePower);
      assert.equal(meets, power.HasMinPower);

      // DataCapAPI and VerifRegAPI against the Lotus verified-registry methods.
      assert.equal(await read(7, 48890204), 'DataCap');
      assert.equal(await read(7, 2061153854), 'DCAP');
      const verified = await deploy('FilecoinApiCaller');
      await rpc('devnet_addVerifiedClient', [await verified.getAddress(), MIN_DATACAP]);
      const verifiedF410 = FilAddress.fromEthAddress(hexToBytes(await verified.getAddress()));
      const datacap = decodeBigInt((await read(7, 3261979605, verifiedF410.bytes)) as Uint8Array);
      assert.equal((datacap / 10n ** 18n).toString(), await rpc('Filecoin.StateVerifiedClientStatus', [verifiedF410.toString('t'), null]));
      const claims = await rpc('Filecoin.StateGetClaims', [providerAddress, null]);
      const claimIds = Object.keys(claims).map(Number);
      const [batch, found] = (await read(6, 2199871187, [minerId, claimIds])) as [[number, unknown[]], unknown[][]];
      assert.equal(batch[0], claimIds.length);
      assert.equal(found.length, claimIds.length);
    });
  });

  test('a verified market deal: the client’s datacap becomes an allocation the provider claims, for 10× power', async (t) => {
    await timed(t, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'fvm-devnet-verified-'));
      t.after(() => rmSync(dir, { recursive: true, force: true }));
      const file = join(dir, 'data.bin');
      writeFileSync(file, randomBytes(VERIFIED_PAYLOAD_BYTES));
      // The node's deal client (the CLI's default) gets datacap from the genesis verifier.
      const { stdout: pieceOut } = await run(process.execPath, [join(REPO_ROOT, CLI_PATH), 'piece', file]);
      const size = Number(/Piece size:\s+(\d+)/.exec(pieceOut)![1]);
      const dealClient = deriveNodeKeys(DEV_MNEMONIC).dealClient.address.toString('t');
      await rpc('devnet_addVerifiedClient', [dealClient, String(size)]);
      const [someMiner] = await rpc('Filecoin.StateListMiners', [null]);
      const before = (await rpc('Filecoin.StateMinerPower', [someMiner, null])).TotalPower;
      const { stdout } = await run(process.execPath, [join(REPO_ROOT, CLI_PATH), 'deal', file, '--rpc', devnet.url, '--verified']);
      const dealId = Number(/Deal ID:\s+(\d+)/.exec(stdout)![1]);
      const provider = /Provider:\s+(\S+)/.exec(stdout)![1]!;
      const deal = await pollUntil('the verified deal to be sealed', async () => {
        const d = await rpc('Filecoin.StateMarketStorageDeal', [dealId, null]);
        return d.State.SectorStartEpoch > 0 ? d : undefined;
      });
      assert.equal(deal.Proposal.VerifiedDeal, true);
      assert.equal(await rpc('Filecoin.StateVerifiedClientStatus', [dealClient, null]), null, 'the datacap was spent');
      const claims = Object.values(await rpc('Filecoin.StateGetClaims', [provider, null])) as any[];
      assert.ok(claims.some((c) => c.Data['/'] === deal.Proposal.PieceCID['/'] && c.Sector === deal.State.SectorNumber));
      const sector = await rpc('Filecoin.StateSectorGetInfo', [provider, deal.State.SectorNumber, null]);
      assert.ok(BigInt(sector.VerifiedDealWeight) > 0n);
      // Verified space counts ten times in quality-adjusted power; builtin-actors computes the sector's
      // quality with 20 bits of precision, so a small piece in a 32 GiB sector adds whole 2^-20 steps.
      const after = (await rpc('Filecoin.StateMinerPower', [provider, null])).TotalPower;
      const raw = BigInt(after.RawBytePower) - BigInt(before.RawBytePower);
      const qa = BigInt(after.QualityAdjPower) - BigInt(before.QualityAdjPower);
      const step = raw >> 20n;
      assert.equal(qa, raw + step * ((9n * BigInt(size) * (1n << 20n)) / raw));
    });
  });

  /** A DealClient with 1 FIL of escrow in the market. */
  async function fundedDealClient(): Promise<Contract> {
    const client = await deploy('DealClient');
    await mined(wallet.sendTransaction({ to: await client.getAddress(), value: parseEther('1') }) as Promise<ContractTransactionResponse>);
    await mined(client.addBalance(parseEther('1')));
    return client;
  }

  /** Sends a proposal per piece without waiting for it to be mined, each starting 100 epochs after the head it was sent at. */
  async function proposeEach(client: Contract, pieces: { cid: CID; size: number }[]): Promise<ContractTransactionResponse[]> {
    let nonce = await provider.getTransactionCount(wallet.address);
    const sent: ContractTransactionResponse[] = [];
    for (const { cid, size } of pieces) {
      const startEpoch = (await head()) + 100;
      const request = [cid.bytes, size, false, cid.toString(), startEpoch, startEpoch + DEAL_MIN_DURATION, PRICE_PER_EPOCH, 0n, 0n, '', 1000];
      // A proposal's id hashes block.timestamp and places its storage slots: how many KAMT nodes
      // (32 adjacent slots each) they span decides what its writes cost (18.96 M or 20.72 M gas here,
      // more when several span two). Mined in a later second than it was estimated in, it can need
      // more than the estimate's 25 % margin, as on calibnet: the script gives it half as much again.
      const gasLimit = ((await client.makeDealProposal.estimateGas(request)) * 3n) / 2n;
      sent.push(await client.makeDealProposal(request, { nonce: nonce++, gasLimit }));
    }
    return sent;
  }

  /** Resolves with the market deals of `pieces` once every one is published and active; each must be active by its start. */
  async function allActive(client: Contract, pieces: { cid: CID }[]): Promise<any[]> {
    const dealIds = await pollUntil('every deal published', async () => {
      const ids = await Promise.all(pieces.map(async ({ cid }) => ((await client.published(keccak256(cid.bytes))) ? Number(await client.dealOfPiece(keccak256(cid.bytes))) : undefined)));
      return ids.every((id) => id !== undefined) ? (ids as number[]) : undefined;
    }, { attempts: 600 });
    const deals = await pollUntil('every deal active', async () => {
      const all = await Promise.all(dealIds.map((id) => rpc('Filecoin.StateMarketStorageDeal', [id, null])));
      return all.every((d) => d.State.SectorStartEpoch > 0) ? all : undefined;
    }, { attempts: 600 });
    for (const deal of deals) assert.ok(deal.State.SectorStartEpoch <= deal.Proposal.StartEpoch, 'activated by its start epoch');
    return deals;
  }

  const sectorsOf = (deals: any[]) => new Set(deals.map((d) => `${d.Proposal.Provider}/${d.State.SectorNumber}`)).size;

  test('60 contract deals proposed back to back, each starting 100 epochs ahead, are all sealed by their start', async (t) => {
    await timed(t, async () => {
      const client = await fundedDealClient();
      // As a script does: the proposals sent one after another, then it waits for them all.
      const pieces = Array.from({ length: 60 }, () => piece(1000));
      // No location_ref: each provider imports the uploaded piece (Boost's offline deal).
      for (const data of pieces) await upload(data);
      const sent = await proposeEach(client, pieces);
      await Promise.all(sent.map((tx) => tx.wait()));
      const deals = await allActive(client, pieces);
      // How many sectors they took depends on how far the agents lagged: deals ready at once share one.
      t.diagnostic(`${deals.length} deals in ${sectorsOf(deals)} sectors`);
    });
  });

  test('a direct deal for an f410 contract client that vouches for it is published, notified and sealed', async () => {
    const client = await deploy('FilecoinApiCaller');
    const { cid, size } = piece();
    // A free deal: the contract needs no escrow.
    const { dealId } = await rpc('devnet_proposeDeal', [{ pieceCid: cid.toString(), pieceSize: size, client: await client.getAddress() }]);
    assert.equal(await client.notifiedDeals(0), BigInt(dealId), 'the market told the contract its deal ID');
    const deal = await pollUntil('the direct contract deal to be sealed', async () => {
      const d = await rpc('Filecoin.StateMarketStorageDeal', [dealId, null]);
      return d.State.SectorStartEpoch > 0 ? d : undefined;
    });
    assert.equal(deal.Proposal.Client, await rpc('Filecoin.StateLookupID', [await rpc('Filecoin.EthAddressToFilecoinAddress', [await client.getAddress()]), null]));
  });

  // review R1: a contract deal's publication waits for its tipset out of the queue that orders publications,
  // and so does its provider's collateral addition, which is mined before the publication is pushed.
  for (const providerCollateral of [0n, 10n ** 18n]) test(`with automine off, a direct proposal answers while a contract deal${providerCollateral ? ' whose provider adds collateral first' : ''} waits for a tipset, and mines it with its own`, async (t) => {
    const client = await deploy('DealClient');
    const address = await client.getAddress();
    await mined(wallet.sendTransaction({ to: address, value: 10n ** 20n }) as Promise<ContractTransactionResponse>);
    await mined(client.addBalance(10n ** 19n));
    const data = piece();
    await upload(data);
    const startEpoch = (await head()) + 200;
    await rpc('evm_setAutomine', [false]);
    t.after(() => rpc('evm_setAutomine', [true]));
    const request = { pieceCid: data.cid.bytes, pieceSize: data.size, verifiedDeal: false, label: data.cid.toString(), startEpoch, endEpoch: startEpoch + DEAL_MIN_DURATION, storagePricePerEpoch: PRICE_PER_EPOCH, providerCollateral, clientCollateral: 0n, locationRef: `${devnet.url}/piece/${data.cid.toString()}`, carSize: 4000 };
    const proposal = await client.makeDealProposal(request, { gasLimit: 100_000_000 });
    await rpc('evm_mine');
    assert.equal((await proposal.wait())!.status, 1);
    const pending = async (method: number) => ((await rpc('Filecoin.MpoolPending', [null])) as { Message: { Method: number; To: string } }[]).filter((m) => m.Message.To === 't05' && m.Message.Method === method).length;
    // The agent pushed the contract deal's first message (AddBalance 2, else PublishStorageDeals 4): nothing mines it until someone does.
    const first = providerCollateral ? 2 : 4;
    await pollUntil('the contract deal\'s first message in the pool', async () => ((await pending(first)) > 0 ? true : undefined));
    // With a collateral addition pending, the proposal is made to the same provider, with collateral of its own (review R11).
    const adding = ((await rpc('Filecoin.MpoolPending', [null])) as { Message: { Method: number; To: string; Params: string } }[]).find((m) => m.Message.To === 't05' && m.Message.Method === 2);
    if (providerCollateral) assert.ok(adding, 'the collateral addition is pending');
    const sameProvider = providerCollateral && adding ? { provider: FilAddress.fromBytes(decodeCbor<Uint8Array>(new Uint8Array(Buffer.from(adding.Message.Params, 'base64')))).toString('t'), providerCollateral: providerCollateral.toString() } : {};
    const other = piece();
    const direct = await rpc('devnet_proposeDeal', [{ pieceCid: other.cid.toString(), pieceSize: other.size, ...sameProvider }]);
    assert.equal(typeof direct.dealId, 'number');
    // The tipset the cheat mined for its own messages took the contract's message too.
    assert.equal(await pending(first), 0);
    // With a collateral addition, the agent pushes the publication once the addition is mined: a tipset
    // mines it (the cheat's own, if it came after it, or the one this test mines).
    await pollUntil('MarketNotifyDeal', async () => {
      if (await client.published(keccak256(data.cid.bytes))) return true;
      if ((await pending(4)) > 0) await rpc('evm_mine');
      return undefined;
    });
    if (providerCollateral) {
      // Each deal's collateral was added once: the pending addition counted as escrow on its way.
      const funds = await rpc('Filecoin.StateMarketBalance', [direct.provider, null]);
      assert.equal(funds.Escrow, funds.Locked);
    }
  });

  test('a deal naming a contract client that refuses AuthenticateMessage is refused, and nothing is published', async () => {
    const client = await deploy('DealClient');
    const { cid, size } = piece();
    const deals = Object.keys(await rpc('Filecoin.StateMarketDeals', [null])).length;
    // The contract vouches only for pieces it asked for: this one it did not.
    await assert.rejects(rpc('devnet_proposeDeal', [{ pieceCid: cid.toString(), pieceSize: size, client: await client.getAddress() }]), (err: any) =>
      /All deal proposals invalid \(deal 0: proposal authentication failed: AuthenticateMessage exited with 33\)/.test(err.error?.message ?? err.message),
    );
    assert.equal(Object.keys(await rpc('Filecoin.StateMarketDeals', [null])).length, deals);
  });

  // fevm-foundry-kit's test hands its DealClient a piece CID with the 0x00 byte CBOR links carry, and
  // filecoin-solidity adds another: the proposal it answers is no DAG-CBOR, as a Boost provider finds too.
  test('a contract deal whose proposal does not decode is logged with its contract and proposal ID', async () => {
    const client = await deploy('DealClient');
    const { cid, size } = piece();
    const startEpoch = (await head()) + 200;
    const request = [Uint8Array.from([0, ...cid.bytes]), size, false, cid.toString(), startEpoch, startEpoch + DEAL_MIN_DURATION, 0n, 0n, 0n, '', 0];
    const receipt = await mined(client.makeDealProposal(request));
    const id = receipt.logs[0]!.topics[1]!;
    const line = await pollUntil('the failure in the log', async () => devnet.output().split('\n').find((l) => l.includes(id)));
    assert.ok(line.toLowerCase().includes((await client.getAddress()).toLowerCase()), line);
    assert.match(line, /getDealProposal answered no DAG-CBOR DealProposal: /, line);
  });

  // audit18 K4: Boost's monitor drops a proposal whose contract's getExtraParams call fails (contract_deal_monitor.go).
  test('a contract deal whose contract has no getExtraParams is logged and not published, though its data was uploaded', async () => {
    const client = await deploy('ProposalOnlyClient');
    const data = piece();
    await upload(data);
    const startEpoch = (await head()) + 200;
    const terms = { pieceCid: data.cid, pieceSize: data.size, verifiedDeal: false, label: data.cid.toString(), startEpoch, endEpoch: startEpoch + DEAL_MIN_DURATION, storagePricePerEpoch: 0n, providerCollateral: 0n, clientCollateral: 0n };
    const proposal = encodeCbor(proposalValue(terms, FilAddress.fromEthAddress(hexToBytes(await client.getAddress())), FilAddress.fromId(0)));
    const id = (await mined(client.propose(proposal, data.size))).logs[0]!.topics[1]!;
    const line = await pollUntil('the failure in the log', async () => devnet.output().split('\n').find((l) => l.includes(`the deal proposal ${id}`)));
    assert.ok(line.includes(`of contract ${(await client.getAddress()).toLowerCase()} failed: its getExtraParams(id) call failed`), line);
    await rpc('anvil_mine', ['0x2']);
    const deals = Object.values(await rpc('Filecoin.StateMarketDeals', [null])) as any[];
    assert.ok(!deals.some((d) => d.Proposal.PieceCID['/'] === data.cid.toString()), 'no market deal for the piece');
  });

  test('a contract deal no provider accepts is logged, and mining goes on', async () => {
    const miners: string[] = await rpc('Filecoin.StateListMiners', [null]);
    for (const miner of miners) await rpc('devnet_setStorageAsk', [miner, { minPieceSize: 1 << 30 }]);
    try {
      const client = await deploy('DealClient');
      const { cid, size } = piece();
      const startEpoch = (await head()) + 200;
      const request = [cid.bytes, size, false, cid.toString(), startEpoch, startEpoch + DEAL_MIN_DURATION, 0n, 0n, 0n, '', 0];
      await mined(client.makeDealProposal(request));
      await pollUntil('the refusal in the log', async () => (devnet.output().includes('no storage provider accepts the deal proposed by') ? true : undefined));
      const height = await head();
      await mined(wallet.sendTransaction({ to: wallet.address, value: 1n }) as Promise<ContractTransactionResponse>);
      assert.ok((await head()) > height);
      assert.equal(await client.published(keccak256(cid.bytes)), false);
    } finally {
      for (const miner of miners) await rpc('devnet_setStorageAsk', [miner, { minPieceSize: 128 }]);
    }
  });

  // audit18 K4: a provider receives a contract deal's data before it publishes the deal, as Boost does
  // (an http download of location_ref, car_size bytes, whose CommP must be the proposal's piece CID).
  describe('a contract deal is published only once its data is received', () => {
    let server: Server;
    let base: string;
    /** What the loopback data server answers, by path. */
    const served = new Map<string, Uint8Array>();
    /** Paths it holds without answering until told: each one's request, answered by `release`. */
    const held = new Map<string, { res: ServerResponse; aborted: boolean }>();
    const holding = new Map<string, (res: ServerResponse) => void>();

    before(async () => {
      server = createServer((req, res) => {
        const hold = holding.get(req.url ?? '');
        if (hold) return hold(res);
        const body = served.get(req.url ?? '');
        if (!body) return void res.writeHead(404).end();
        res.writeHead(200, { 'content-type': 'application/vnd.ipld.car', 'content-length': body.length }).end(body);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => {
      server?.closeAllConnections();
      server?.close();
    });

    /** A URL nothing listens on: a port that was free a moment ago. */
    async function unreachableUrl(): Promise<string> {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const { port } = closed.address() as AddressInfo;
      await new Promise((resolve) => closed.close(resolve));
      return `http://127.0.0.1:${port}/data.car`;
    }

    /** Proposes `data`'s piece from a new DealClient with its data at `locationRef`; resolves with the contract and the proposal's id. */
    async function propose(data: { cid: CID; size: number; payload: Uint8Array }, locationRef: string, label = data.cid.toString()) {
      const client = await deploy('DealClient');
      const startEpoch = (await head()) + 200;
      const { cid, size, payload } = data;
      const request = [cid.bytes, size, false, label, startEpoch, startEpoch + DEAL_MIN_DURATION, 0n, 0n, 0n, locationRef, payload.length];
      const receipt = await mined(client.makeDealProposal(request));
      return { client, id: receipt.logs[0]!.topics[1]! };
    }

    const published = (client: Contract, cid: CID) => pollUntil('MarketNotifyDeal', async () => ((await client.published(keccak256(cid.bytes))) ? true : undefined));

    /** The provider's refusal of proposal `id` in the node's log; the deal stays unpublished. */
    async function refused(client: Contract, id: string, cid: CID): Promise<string> {
      const line = await pollUntil('the refusal in the log', async () => devnet.output().split('\n').find((l) => l.includes(`refused the deal proposal ${id}`)));
      assert.match(line, new RegExp(`storage provider t0\\d+ refused the deal proposal ${id} of contract ${(await client.getAddress()).toLowerCase()}: `));
      assert.equal(await client.published(keccak256(cid.bytes)), false);
      const deals = Object.values(await rpc('Filecoin.StateMarketDeals', [null])) as any[];
      assert.ok(!deals.some((d) => d.Proposal.PieceCID['/'] === cid.toString()), 'no market deal for the piece');
      return line;
    }

    test('data served at location_ref is fetched, checked, stored, and the deal published; /piece serves it', async () => {
      const data = piece();
      served.set(`/${data.cid}.car`, data.payload);
      const { client } = await propose(data, `${base}/${data.cid}.car`);
      await published(client, data.cid);
      const res = await fetch(`${devnet.url}/piece/${data.cid}`);
      assert.equal(res.status, 200);
      assert.deepEqual(new Uint8Array(await res.arrayBuffer()), data.payload);
    });

    // audit18 K4: Boost zero-pads data smaller than the proposal's PieceSize before its CommP check (deal_commp.go, PadCommP).
    test('a proposal whose piece size is larger than the data\'s: the data zero-padded to it is the piece, so it is published', async () => {
      const data = piece();
      const size = data.size * 4;
      const dealPiece = { ...data, cid: paddedPieceCid(data, size)!, size };
      served.set(`/${data.cid}-padded.car`, data.payload);
      const { client } = await propose(dealPiece, `${base}/${data.cid}-padded.car`);
      await published(client, dealPiece.cid);
      const deal = (Object.values(await rpc('Filecoin.StateMarketDeals', [null])) as any[]).find((d) => d.Proposal.PieceCID['/'] === dealPiece.cid.toString());
      assert.equal(deal?.Proposal.PieceSize, size);
      // Served under the deal's piece CID, as booster-http serves it (review R4), and under the data's own.
      for (const cid of [dealPiece.cid, data.cid]) {
        const res = await fetch(`${devnet.url}/piece/${cid}`);
        assert.equal(res.status, 200, `GET /piece/${cid}`);
        assert.deepEqual(new Uint8Array(await res.arrayBuffer()), data.payload);
      }
    });

    test('an unreachable location_ref with no uploaded piece: refused, logged, not published', async () => {
      const data = piece();
      const { client, id } = await propose(data, await unreachableUrl());
      const line = await refused(client, id, data.cid);
      assert.match(line, /cannot fetch http:\/\/127\.0\.0\.1:\d+\/data\.car: .*, and piece baga\w+ was not uploaded to the devnet/);
      assert.equal((await fetch(`${devnet.url}/piece/${data.cid}`)).status, 404);
    });

    test('a location_ref serving other bytes: commP mismatch, not published, nothing stored', async () => {
      const data = piece();
      const other = piece();
      served.set(`/${data.cid}-wrong.car`, other.payload);
      const { client, id } = await propose(data, `${base}/${data.cid}-wrong.car`);
      const line = await refused(client, id, data.cid);
      assert.ok(line.includes(`commP mismatch: the data at ${base}/${data.cid}-wrong.car is piece ${other.cid}`), line);
      assert.equal((await fetch(`${devnet.url}/piece/${data.cid}`)).status, 404);
      assert.equal((await fetch(`${devnet.url}/piece/${other.cid}`)).status, 404);
    });

    test('a label that is no CID (Boost reads it as the data\'s root CID): logged, not published, though the data is there', async () => {
      const data = piece();
      await upload(data);
      const { client, id } = await propose(data, `${devnet.url}/piece/${data.cid}`, 'my-dataset-v1');
      const line = await pollUntil('the failure in the log', async () => devnet.output().split('\n').find((l) => l.includes(`the deal proposal ${id}`)));
      assert.ok(line.includes(`of contract ${(await client.getAddress()).toLowerCase()} failed: its label "my-dataset-v1" is not a CID`), line);
      assert.equal(await client.published(keccak256(data.cid.bytes)), false);
    });

    // review2 Q5: as Boost's transfers, a download runs beside the agents' work, not in its queue.
    test('a slow location_ref holds neither mining nor anvil_mine; the deal is published once the data arrives', async () => {
      const data = piece();
      const path = `/${data.cid}-slow.car`;
      const requested = new Promise<void>((resolve) =>
        holding.set(path, (res) => {
          const request = { res, aborted: false };
          res.on('close', () => (request.aborted = !res.writableEnded));
          held.set(path, request);
          resolve();
        }),
      );
      const { client } = await propose(data, `${base}${path}`);
      await requested;
      // anvil_mine waits for the agents: with the download in their queue it returned only once the download gave up.
      const height = await head();
      await rpc('anvil_mine', ['0x2']);
      assert.equal(await head(), height + 2);
      const request = held.get(path)!;
      assert.equal(request.aborted, false, 'the download is still waiting for the data');
      assert.equal(await client.published(keccak256(data.cid.bytes)), false);
      request.res.writeHead(200, { 'content-length': data.payload.length }).end(data.payload);
      await published(client, data.cid);
    });

    // audit18 K4: the chain the download ends on decides; a reverted proposal is one the chain no longer holds.
    test('a proposal reverted (evm_revert) while its data downloads is dropped when the data arrives, with a line', async () => {
      const data = piece();
      const path = `/${data.cid}-reverted.car`;
      const requested = new Promise<ServerResponse>((resolve) => holding.set(path, resolve));
      const client = await deploy('DealClient');
      const snapshot = await rpc('evm_snapshot');
      const startEpoch = (await head()) + 200;
      const request = [data.cid.bytes, data.size, false, data.cid.toString(), startEpoch, startEpoch + DEAL_MIN_DURATION, 0n, 0n, 0n, `${base}${path}`, data.payload.length];
      const id = (await mined(client.makeDealProposal(request))).logs[0]!.topics[1]!;
      const res = await requested;
      assert.equal(await rpc('evm_revert', [snapshot]), true);
      res.writeHead(200, { 'content-length': data.payload.length }).end(data.payload);
      const line = await pollUntil('the drop in the log', async () => devnet.output().split('\n').find((l) => l.includes(`the deal proposal ${id}`)));
      assert.match(line, new RegExp(`storage provider t0\\d+ dropped the deal proposal ${id} of contract ${(await client.getAddress()).toLowerCase()}: the tipset that proposed it \\(epoch \\d+\\) left the chain while its data was received`));
      await rpc('anvil_mine', ['0x2']);
      assert.equal(await client.published(keccak256(data.cid.bytes)), false);
      const deals = Object.values(await rpc('Filecoin.StateMarketDeals', [null])) as any[];
      assert.ok(!deals.some((d) => d.Proposal.PieceCID['/'] === data.cid.toString()), 'no market deal for the piece');
    });

    test('an unreachable location_ref, but the piece uploaded to the devnet: imported (an offline deal) and published', async () => {
      const data = piece();
      await upload(data);
      const { client } = await propose(data, await unreachableUrl());
      await published(client, data.cid);
    });
  });
});

// audit18 K4: closing the node (Ctrl-C, close() in a test) ends a contract deal's download at once and
// publishes nothing; before, the download kept its connection (and the process) open until
// --request-timeout, and its deal was published after the close.
describe('a node closed while a contract deal\'s data downloads', () => {
  test('close resolves at once, the data server sees the download end, and nothing is published', async () => {
    const artifacts = await compileFixtures();
    // A data server that takes the request and never answers it.
    let request: ServerResponse | undefined;
    const server = createServer((_req, res) => void (request = res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    after(() => {
      server.closeAllConnections();
      server.close();
    });
    const node = await startNode(testConfig({ host: '127.0.0.1' }));
    let closed = false;
    after(() => (closed ? undefined : node.close()));
    const lines: string[] = [];
    node.devnet.events.on('storageProvider', (_level, line) => lines.push(line));
    const provider = new JsonRpcProvider(node.url, undefined, { cacheTimeout: -1, staticNetwork: true });
    after(() => provider.destroy());
    const wallet = new Wallet(DEV_ACCOUNTS[0]!.privateKey, provider);
    const { abi, bytecode } = artifacts.DealClient!;
    const client = (await new ContractFactory(abi, bytecode, wallet).deploy()) as Contract;
    await client.waitForDeployment();
    const payload = new Uint8Array(4000).map(() => Math.floor(Math.random() * 256));
    const { cid, size } = computePieceCid(payload);
    const startEpoch = (await provider.getBlockNumber()) + 200;
    const locationRef = `http://127.0.0.1:${(server.address() as AddressInfo).port}/data.car`;
    await (await client.makeDealProposal([cid.bytes, size, false, cid.toString(), startEpoch, startEpoch + DEAL_MIN_DURATION, 0n, 0n, 0n, locationRef, payload.length])).wait();
    const res = await pollUntil('the download\'s request', async () => request);
    const ended = new Promise<void>((resolve) => res.on('close', resolve));
    provider.destroy();
    closed = true;
    await within('close', 5_000, node.close());
    // testConfig's --request-timeout is 30 s: before, the connection stayed open that long.
    await within('the download\'s end, seen by the data server', 5_000, ended);
    // The data would have been whole now: no deal comes of it.
    if (res.writable) res.writeHead(200, { 'content-length': payload.length }).end(payload);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(lines.filter((line) => line.includes('published') || line.includes('refused')), []);
  });
});

/** A TokenAmount as filecoin-solidity's BigInts.fromUint256 sends it: a sign byte and 32 magnitude bytes. */
function fsBigInt(value: bigint): Uint8Array {
  return Uint8Array.from([0, ...hexToBytes(`0x${value.toString(16).padStart(64, '0')}`)]);
}
