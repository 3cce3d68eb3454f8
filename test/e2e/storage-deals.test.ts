// End to end: storage deals against the devnet CLI, driven with ethers and Lotus JSON-RPC. A client
// contract shaped like fevm-hardhat-kit's DealClient proposes a deal, a storage provider's agent
// publishes and seals it, the contract hears MarketNotifyDeal and reads the deal's activation through
// call_actor, escrow flows as epochs pass and the deal expires; a terminated sector slashes its deal
// and refunds the client; a verified client contract onboards data directly and is notified; a file
// goes in through `fvm-devnet deal` and comes back from /piece. Each flow logs how long it took.
import assert from 'node:assert/strict';
import { after, before, describe, test, type TestContext } from 'node:test';
import { Contract, ContractFactory, JsonRpcProvider, Wallet, keccak256, parseEther, type ContractTransactionResponse } from 'ethers';
import { computePieceCid } from '../../src/sp-agent/piece-cid.js';
import { DEV_ACCOUNTS, pollUntil, startDevnet, type DevnetProcess } from '../helpers/devnet-process.js';
import { compileFixtures, type CompiledContract } from '../helpers/solc.js';

const DEAL_MIN_DURATION = 518_400;
const PRICE_PER_EPOCH = 1_000_000_000n;

describe('storage deals against the devnet CLI', () => {
  let devnet: DevnetProcess;
  let provider: JsonRpcProvider;
  let wallet: Wallet;
  let artifacts: Record<string, CompiledContract>;

  before(async () => {
    artifacts = await compileFixtures();
    devnet = await startDevnet();
    provider = new JsonRpcProvider(devnet.url, undefined, { cacheTimeout: -1, staticNetwork: true });
    wallet = new Wallet(DEV_ACCOUNTS[0]!.privateKey, provider);
  });

  after(async () => {
    provider?.destroy();
    if (process.env.SHOW_NODE_OUTPUT) console.log(devnet?.output());
    await devnet?.stop();
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
    const { cid, size } = piece();
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
});
