// Forking: a second fvm-devnet process plays the upstream Lotus node. On the upstream: a contract
// with storage, an f410 account holding FIL (a placeholder), an f1 account funded at genesis; the
// fork starts at an epoch, and later upstream changes must not show. Then on the fork: the same
// answers as the upstream at that epoch, new transactions on top (a forked contract called,
// impersonated upstream accounts sending), blocks before the fork from the upstream, the upstream
// untouched, and a restart from the disk cache with the upstream stopped.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Contract, ContractFactory, Interface, JsonRpcProvider, Wallet } from 'ethers';
import { accountFromPrivateKey } from 'iso-filecoin/wallet';
import { FilAddress } from '../../src/common/address.js';
import { encodeCbor } from '../../src/common/cbor.js';
import { bytesToHex } from '../../src/common/hex.js';
import { deriveNodeKeys } from '../../src/devnet/node-keys.js';
import { computePieceCid } from '../../src/devnet/storage-providers/piece-cid.js';
import { methodNumber } from '../../src/fevm/actors/runtime.js';
import { compileFixtures } from '../helpers/solc.js';
import { castOk } from '../helpers/foundry.js';
import { DEV_ACCOUNTS, DEV_MNEMONIC, pollUntil, startDevnet, type DevnetProcess } from '../helpers/devnet-process.js';
import { hex, mineUntilActive, rpc } from '../helpers/fork-calls.js';
import { freshForkCache, stopForkSuite } from '../helpers/fork-suite.js';
import { randomVerifiedPiece } from '../helpers/verified-piece.js';

const native = accountFromPrivateKey(new Uint8Array(32).fill(7), 'SECP256K1', 'testnet');
const WHALE = '0x1111111111111111111111111111111111111111';
const RECIPIENT = '0x2222222222222222222222222222222222222222';
const FIL = 10n ** 18n;


/** A random payload's piece, as a client would prepare it. */
const randomPiece = () => computePieceCid(new Uint8Array(3000).map(() => Math.floor(Math.random() * 256)));
/** The node's deal client (an f1 whose key the node holds), which devnet_proposeDeal uses by default. */
const DEAL_CLIENT = deriveNodeKeys(DEV_MNEMONIC).dealClient.address.toString('t');
const VERIFIER = deriveNodeKeys(DEV_MNEMONIC).verifier.address.toString('t');
/** Epochs an upstream provider waits before sealing a deal, so that one can be forked while still pending. */
const SEAL_DELAY = 20;

// The same suite against an upstream that answers as a public Lotus gateway does (--gateway-only):
// the fork must need no method outside the gateway's set.
for (const gatewayOnly of [false, true]) describe(`fork of an fvm-devnet upstream${gatewayOnly ? ' started with --gateway-only' : ''}`, () => {
  let upstream: DevnetProcess;
  let fork: DevnetProcess | undefined;
  let cacheDir: string;
  let counterAddress: string;
  let callerAddress: string;
  let forkEpoch: number;
  /** The fork tipset's key on the upstream, to pin its Filecoin.State* answers to the fork epoch. */
  let forkKey: unknown;
  /** A verified deal the upstream activated, and one published but not sealed at the fork epoch. */
  let activeDeal: number;
  let pendingDeal: number;
  let dealProvider: string;
  /** What the upstream answered at the fork epoch, to compare the fork with. */
  const atFork: Record<string, unknown> = {};

  // The fork holds no storage provider's key (its mnemonic's would be the upstream's providers'), as
  // when forking a real network: it runs a forked provider only while its worker is impersonated.
  const forkArgs = () => ['--fork-url', upstream.url, '--fork-block-number', String(forkEpoch), '--storage-providers', '0'];

  before(async () => {
    cacheDir = freshForkCache('fvm-fork-cache-');
    upstream = await startDevnet(['--fund', `${native.address.toString()}=1000`, '--seal-delay', String(SEAL_DELAY), ...(gatewayOnly ? ['--gateway-only'] : [])]);
    const ethProvider = new JsonRpcProvider(upstream.url, undefined, { cacheTimeout: -1, staticNetwork: true });
    const deployer = new Wallet(DEV_ACCOUNTS[0].privateKey, ethProvider);
    const { Counter, FilecoinApiCaller } = await compileFixtures();
    const counter = (await new ContractFactory(Counter.abi, Counter.bytecode, deployer).deploy()) as Contract;
    await counter.waitForDeployment();
    counterAddress = await counter.getAddress();
    const caller = (await new ContractFactory(FilecoinApiCaller.abi, FilecoinApiCaller.bytecode, deployer).deploy()) as Contract;
    await caller.waitForDeployment();
    callerAddress = await caller.getAddress();
    await (await counter.getFunction('set')(41)).wait();
    await (await deployer.sendTransaction({ to: WHALE, value: 5n * FIL })).wait();

    // Storage on the upstream: the deal client gets datacap; one verified deal is sealed and activated
    // (a claim, the provider's power), another is published and not sealed yet (a pending allocation).
    await rpc(upstream.url, 'devnet_addVerifiedClient', [DEAL_CLIENT, String(4 * 2 ** 20)]);
    const sealedPiece = randomVerifiedPiece();
    ({ dealId: activeDeal, provider: dealProvider } = await rpc(upstream.url, 'devnet_proposeDeal', [{ pieceCid: sealedPiece.cid.toString(), pieceSize: sealedPiece.size, verifiedDeal: true }]));
    await mineUntilActive(upstream.url, activeDeal, SEAL_DELAY);
    const pendingPiece = randomVerifiedPiece();
    ({ dealId: pendingDeal } = await rpc(upstream.url, 'devnet_proposeDeal', [{ pieceCid: pendingPiece.cid.toString(), pieceSize: pendingPiece.size, verifiedDeal: true, provider: dealProvider }]));
    forkEpoch = Number(await rpc(upstream.url, 'eth_blockNumber'));
    forkKey = (await rpc(upstream.url, 'Filecoin.ChainGetTipSetByHeight', [forkEpoch, null])).Cids;
    for (const [name, method, params] of [
      ['count', 'eth_getStorageAt', [counterAddress, '0x0', hex(forkEpoch)]],
      ['code', 'eth_getCode', [counterAddress, hex(forkEpoch)]],
      ['whale', 'eth_getBalance', [WHALE, hex(forkEpoch)]],
      ['block', 'eth_getBlockByNumber', [hex(forkEpoch), false]],
      ['chainId', 'eth_chainId', []],
      ['nativeId', 'Filecoin.StateLookupID', [native.address.toString(), null]],
    ] as const) {
      atFork[name] = await rpc(upstream.url, method, [...params]);
    }
    // After the fork epoch: the fork must not see this, nor the pending deal's sealing.
    await (await counter.getFunction('set')(900)).wait();
    await rpc(upstream.url, 'anvil_mine', [hex(SEAL_DELAY + 5)]);
    ethProvider.destroy();
    fork = await startDevnet(forkArgs());
  });

  after(() => stopForkSuite([fork, upstream], cacheDir));

  test('the upstream serves the Filecoin.* methods of its mode', async () => {
    // Filecoin.StateMarketDeals is a full node's, not the gateway's.
    const deals = rpc(upstream.url, 'Filecoin.StateMarketDeals', [null]);
    if (gatewayOnly) await assert.rejects(deals, /Filecoin.StateMarketDeals: method 'Filecoin.StateMarketDeals' not found/);
    else assert.deepEqual(Object.keys(await deals).map(Number), [activeDeal, pendingDeal]);
  });

  test('the banner names the upstream, its network and the fork epoch; anvil_nodeInfo has forkConfig', async () => {
    assert.match(fork!.output(), new RegExp(`Fork: +${upstream.url}/rpc/v1 \\(fvm-devnet\\) at epoch ${forkEpoch}`));
    const info = await rpc(fork!.url, 'anvil_nodeInfo');
    assert.deepEqual(info.forkConfig, { forkUrl: `${upstream.url}/rpc/v1`, forkBlockNumber: forkEpoch });
  });

  test('--chain-id replaces the upstream\'s; a fork cannot be saved or loaded as a state file', async () => {
    const other = await startDevnet([...forkArgs(), '--chain-id', '314159']);
    try {
      assert.equal(await rpc(other.url, 'eth_chainId'), '0x4cb2f');
    } finally {
      await other.stop();
    }
    await assert.rejects(startDevnet([...forkArgs(), '--state', join(cacheDir, 'chain.state')]), /--fork-url cannot be combined with --state, --load-state or --dump-state/);
  });

  test('state at the fork epoch reads as the upstream did: storage, code, balances, chain id, IDs', async () => {
    assert.equal(await rpc(fork!.url, 'eth_chainId'), atFork.chainId);
    assert.equal(await rpc(fork!.url, 'eth_getStorageAt', [counterAddress, '0x0', 'latest']), atFork.count);
    assert.equal(BigInt(atFork.count as string), 41n);
    assert.equal(await rpc(fork!.url, 'eth_getCode', [counterAddress, 'latest']), atFork.code);
    assert.equal(await rpc(fork!.url, 'eth_getBalance', [WHALE, 'latest']), atFork.whale);
    assert.equal(await rpc(fork!.url, 'Filecoin.StateLookupID', [native.address.toString(), null]), atFork.nativeId);
    const actor = await rpc(fork!.url, 'Filecoin.StateGetActor', [native.address.toString(), null]);
    assert.equal(actor.Balance, (1000n * FIL).toString());
    const contract = await rpc(fork!.url, 'Filecoin.StateGetActor', [`f0${(await rpc(fork!.url, 'Filecoin.StateLookupID', [await rpc(fork!.url, 'Filecoin.EthAddressToFilecoinAddress', [counterAddress]), null])).slice(2)}`, null]);
    const upstreamContract = await rpc(upstream.url, 'Filecoin.StateGetActor', [await rpc(upstream.url, 'Filecoin.EthAddressToFilecoinAddress', [counterAddress]), null]);
    assert.deepEqual(contract.Code, upstreamContract.Code);
    // cast reads the forked contract as a Foundry user would.
    assert.equal(await castOk(['call', counterAddress, 'count()(uint256)', '--rpc-url', fork!.url]), '41');
  });

  /** A Filecoin.State* read on the fork at its head and on the upstream pinned to the fork tipset: the same answer. */
  async function sameAsUpstream(method: string, params: unknown[]): Promise<any> {
    const theirs = await rpc(upstream.url, method, [...params, forkKey]);
    assert.deepEqual(await rpc(fork!.url, method, [...params, null]), theirs, `${method}(${params.join(', ')})`);
    return theirs;
  }

  test('the builtin actors read as the upstream did at the fork epoch: deals, escrow, allocations, claims, datacap, power', async () => {
    const active = await sameAsUpstream('Filecoin.StateMarketStorageDeal', [activeDeal]);
    assert.ok(active.State.SectorStartEpoch > 0);
    const pending = await sameAsUpstream('Filecoin.StateMarketStorageDeal', [pendingDeal]);
    assert.equal(pending.State.SectorStartEpoch, -1);
    // The upstream sealed it after the fork epoch; the fork does not see that.
    assert.ok((await rpc(upstream.url, 'Filecoin.StateMarketStorageDeal', [pendingDeal, null])).State.SectorStartEpoch > 0);
    await assert.rejects(rpc(fork!.url, 'Filecoin.StateMarketStorageDeal', [pendingDeal + 1, null]), new RegExp(`deal ${pendingDeal + 1} not found`));
    for (const address of [DEAL_CLIENT, dealProvider]) await sameAsUpstream('Filecoin.StateMarketBalance', [address]);

    // The pending deal's allocation; the active one's became the provider's claim.
    const allocations = await sameAsUpstream('Filecoin.StateGetAllocations', [DEAL_CLIENT]);
    assert.equal(Object.keys(allocations).length, 1);
    await sameAsUpstream('Filecoin.StateGetAllocation', [DEAL_CLIENT, Number(Object.keys(allocations)[0])]);
    assert.notEqual(await sameAsUpstream('Filecoin.StateGetAllocationForPendingDeal', [pendingDeal]), null);
    const claims = await sameAsUpstream('Filecoin.StateGetClaims', [dealProvider]);
    assert.equal(Object.keys(claims).length, 1);
    await sameAsUpstream('Filecoin.StateGetClaim', [dealProvider, Number(Object.keys(claims)[0])]);
    assert.notEqual(await sameAsUpstream('Filecoin.StateVerifiedClientStatus', [DEAL_CLIENT]), null);
    assert.notEqual(await sameAsUpstream('Filecoin.StateVerifierStatus', [VERIFIER]), null);
    const power = await sameAsUpstream('Filecoin.StateMinerPower', [dealProvider]);
    assert.ok(BigInt(power.MinerPower.QualityAdjPower) > 0n);

    // The active deal's sector; the pending deal's, sealed upstream after the fork epoch, is not there.
    atFork.activeSector = await sameAsUpstream('Filecoin.StateSectorGetInfo', [dealProvider, active.State.SectorNumber]);
    assert.notEqual(atFork.activeSector, null);
    const sealedLater = (await rpc(upstream.url, 'Filecoin.StateMarketStorageDeal', [pendingDeal, null])).State.SectorNumber;
    assert.equal(await sameAsUpstream('Filecoin.StateSectorGetInfo', [dealProvider, sealedLater]), null);
    await sameAsUpstream('Filecoin.StateMinerProvingDeadline', [dealProvider]);
    // The provider's proving state, the active deal's sector in it (a gateway serves the counts and deadlines only).
    assert.equal((await sameAsUpstream('Filecoin.StateMinerSectorCount', [dealProvider])).Live, 11);
    await sameAsUpstream('Filecoin.StateMinerDeadlines', [dealProvider]);
    if (!gatewayOnly) {
      await sameAsUpstream('Filecoin.StateMinerSectors', [dealProvider, null]);
      const { Deadline } = await sameAsUpstream('Filecoin.StateSectorPartition', [dealProvider, active.State.SectorNumber]);
      await sameAsUpstream('Filecoin.StateMinerPartitions', [dealProvider, Deadline]);
    }

    // Every singleton's State, field by field, and its Head: deals, allocations, datacap and claims in its tables.
    for (const actor of ['t00', 't01', 't02', 't03', 't04', 't05', 't06', 't07', 't010', 't099']) {
      await sameAsUpstream('Filecoin.StateReadState', [actor]);
      await sameAsUpstream('Filecoin.StateGetActor', [actor]);
    }
    // The network-wide figures (of those a gateway serves: StateNetworkVersion, StateGetNetworkParams).
    await sameAsUpstream('Filecoin.StateNetworkVersion', []);
    assert.deepEqual(await rpc(fork!.url, 'Filecoin.StateGetNetworkParams'), await rpc(upstream.url, 'Filecoin.StateGetNetworkParams'));
    // The rest a gateway does not serve.
    if (!gatewayOnly) {
      for (const method of ['Filecoin.StateMarketParticipants', 'Filecoin.StateVerifiedRegistryRootKey', 'Filecoin.StateVMCirculatingSupplyInternal']) {
        await sameAsUpstream(method, []);
      }
      // Lotus's sum over the actors: the upstream's, but for the dev accounts, whose balances the fork set.
      let funded = 0n;
      for (const { address } of DEV_ACCOUNTS) {
        funded += BigInt(await rpc(fork!.url, 'eth_getBalance', [address, 'latest'])) - BigInt(await rpc(upstream.url, 'eth_getBalance', [address, hex(forkEpoch)]));
      }
      assert.ok(funded > 0n, 'the upstream spent some of the dev accounts\' FIL');
      const supply = async (url: string, key: unknown) => BigInt(await rpc(url, 'Filecoin.StateCirculatingSupply', [key]));
      assert.equal(await supply(fork!.url, null), (await supply(upstream.url, forkKey)) + funded);
    }
    Object.assign(atFork, { activeDeal: active, allocations, claims });
  });

  test('a forked contract calls the market\'s exported methods on forked deals (call_actor_id) as on the upstream', async () => {
    const { FilecoinApiCaller } = await compileFixtures();
    const abi = new Interface(FilecoinApiCaller.abi);
    const calls: [string, unknown][] = [
      ['GetDealClient', activeDeal],
      ['GetDealProvider', activeDeal],
      ['GetDealActivation', activeDeal],
      ['GetDealDataCommitment', pendingDeal],
      ['GetDealActivation', pendingDeal],
      ['GetBalance', FilAddress.parse(DEAL_CLIENT).bytes],
    ];
    for (const [method, params] of calls) {
      const data = abi.encodeFunctionData('callById', [5, methodNumber(method), 0, 0, 0x51, bytesToHex(encodeCbor(params))]);
      const request = { from: DEV_ACCOUNTS[1].address, to: callerAddress, data };
      const [mine, theirs] = await Promise.all([rpc(fork!.url, 'eth_call', [request, 'latest']), rpc(upstream.url, 'eth_call', [request, hex(forkEpoch)])]);
      assert.equal(abi.decodeFunctionResult('callById', mine)[0], 0n, method);
      assert.equal(mine, theirs, method);
    }
  });

  test('blocks up to the fork epoch are the upstream\'s; the next tipset follows its hash', async () => {
    const block = await rpc(fork!.url, 'eth_getBlockByNumber', [hex(forkEpoch), false]);
    assert.deepEqual(block, atFork.block);
    // Before anything is mined on the fork, every tag names that block.
    for (const tag of ['latest', 'finalized', 'safe']) assert.deepEqual(await rpc(fork!.url, 'eth_getBlockByNumber', [tag, false]), atFork.block, tag);
    const provider = new JsonRpcProvider(fork!.url, undefined, { cacheTimeout: -1, staticNetwork: true });
    const sender = new Wallet(DEV_ACCOUNTS[1].privateKey, provider);
    const receipt = (await (await sender.sendTransaction({ to: RECIPIENT, value: 1n })).wait())!;
    provider.destroy();
    const next = await rpc(fork!.url, 'eth_getBlockByNumber', [hex(receipt.blockNumber), false]);
    // Nothing was mined on the fork before: this is its first tipset, whose parent is the upstream's.
    assert.equal(receipt.blockNumber, forkEpoch + 1);
    assert.equal(next.parentHash, (atFork.block as { hash: string }).hash);
    assert.equal(await rpc(fork!.url, 'eth_getBlockByNumber', ['0x0', false]).then((b) => b.hash), await rpc(upstream.url, 'eth_getBlockByNumber', ['0x0', false]).then((b) => b.hash));
  });

  test('Filecoin tipsets by height up to the fork epoch are the upstream\'s; earlier epochs elsewhere are a clear error', async () => {
    const forkHead = await rpc(fork!.url, 'Filecoin.ChainHead');
    assert.ok(forkHead.Height > forkEpoch);
    for (const method of ['Filecoin.ChainGetTipSetByHeight', 'Filecoin.ChainGetTipSetAfterHeight']) {
      for (const height of [1, forkEpoch - 1, forkEpoch]) {
        const upstreamTipset = await rpc(upstream.url, method, [height, null]);
        assert.equal(upstreamTipset.Height, height);
        // From the fork's head (by its key or null): the upstream's tipset, as its chain holds it.
        assert.deepEqual(await rpc(fork!.url, method, [height, null]), upstreamTipset, `${method}(${height})`);
        assert.deepEqual(await rpc(fork!.url, method, [height, forkHead.Cids]), upstreamTipset, `${method}(${height}, head)`);
      }
    }
    // After the fork epoch the fork's own tipsets answer.
    assert.deepEqual(await rpc(fork!.url, 'Filecoin.ChainGetTipSetByHeight', [forkHead.Height, null]), forkHead);
    // A key the fork does not know is refused, as locally.
    await assert.rejects(rpc(fork!.url, 'Filecoin.ChainGetTipSetByHeight', [1, [{ '/': 'bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4' }]]), /loading tipset .*: not found/);
    // Lotus's v2 selector by height before the fork epoch is the upstream's tipset too.
    assert.deepEqual(await rpc(`${fork!.url}/rpc/v2`, 'Filecoin.ChainGetTipSet', [{ height: { at: 1, anchor: { tag: 'latest' } } }]), await rpc(upstream.url, 'Filecoin.ChainGetTipSetByHeight', [1, null]));
    // Ethereum methods by block number that are not passed through (a Lotus node has no debug_ traces) answer a clear error (code 1), never an internal one.
    await assert.rejects(rpc(fork!.url, 'debug_traceBlockByNumber', ['0x1']), new RegExp(`^Error: debug_traceBlockByNumber: epoch 1 is before the fork epoch ${forkEpoch}: this fork does not hold the upstream's tipsets$`));
  });

  test('a forked contract runs on the fork; impersonated upstream accounts send; the upstream is untouched', async () => {
    const provider = new JsonRpcProvider(fork!.url, undefined, { cacheTimeout: -1, staticNetwork: true });
    const { Counter } = await compileFixtures();
    const counter = new Contract(counterAddress, Counter.abi, new Wallet(DEV_ACCOUNTS[2].privateKey, provider));
    await (await counter.getFunction('increment')()).wait();
    assert.equal(await counter.getFunction('count')(), 42n);

    // An f410 account of the upstream (a placeholder holding FIL) sends, impersonated.
    await rpc(fork!.url, 'anvil_impersonateAccount', [WHALE]);
    const hash = await rpc(fork!.url, 'eth_sendTransaction', [{ from: WHALE, to: RECIPIENT, value: hex(Number(FIL)) }]);
    assert.equal((await rpc(fork!.url, 'eth_getTransactionReceipt', [hash])).status, '0x1');
    // The f1 account, by its masked ID address.
    const id = Number((atFork.nativeId as string).slice(2));
    const masked = `0xff${'0'.repeat(22)}${id.toString(16).padStart(16, '0')}`;
    await rpc(fork!.url, 'anvil_impersonateAccount', [masked]);
    const nativeHash = await rpc(fork!.url, 'eth_sendTransaction', [{ from: masked, to: RECIPIENT, value: hex(Number(FIL)) }]);
    assert.equal((await rpc(fork!.url, 'eth_getTransactionReceipt', [nativeHash])).status, '0x1');
    assert.equal(BigInt(await rpc(fork!.url, 'eth_getBalance', [RECIPIENT, 'latest'])), 2n * FIL + 1n);
    provider.destroy();

    // The upstream went on without the fork: its counter is what it set after the fork epoch.
    assert.equal(BigInt(await rpc(upstream.url, 'eth_getStorageAt', [counterAddress, '0x0', 'latest'])), 900n);
    assert.equal(await rpc(upstream.url, 'eth_getBalance', [RECIPIENT, 'latest']), '0x0');
  });

  test('a forked storage provider, its worker impersonated, takes a new deal: published, sealed and activated on the fork only', async () => {
    const { Worker } = await rpc(fork!.url, 'Filecoin.StateMinerInfo', [dealProvider, null]);
    const worker = `0xff${'0'.repeat(22)}${Number(Worker.slice(2)).toString(16).padStart(16, '0')}`;
    const piece = randomPiece();
    const proposal = { pieceCid: piece.cid.toString(), pieceSize: piece.size, provider: dealProvider };
    // The node holds no key of the forked provider's worker: it cannot act for it until told to.
    await assert.rejects(rpc(fork!.url, 'devnet_proposeDeal', [proposal]), /is not a storage provider the devnet runs/);
    await rpc(fork!.url, 'anvil_impersonateAccount', [worker]);
    const { dealId } = await rpc(fork!.url, 'devnet_proposeDeal', [proposal]);
    // Deal IDs go on from the upstream's next one.
    assert.equal(dealId, pendingDeal + 1);
    const deal = await pollUntil('the forked provider to seal the deal', async () => {
      const onChain = await rpc(fork!.url, 'Filecoin.StateMarketStorageDeal', [dealId, null]);
      return onChain.State.SectorStartEpoch > 0 ? onChain : undefined;
    });
    assert.equal(deal.Proposal.Provider, dealProvider);
    // In a sector number the upstream had not used at the fork epoch; the forked sectors still read as upstream.
    const sector = deal.State.SectorNumber;
    assert.equal(await rpc(upstream.url, 'Filecoin.StateSectorGetInfo', [dealProvider, sector, forkKey]), null);
    const sectorInfo = await rpc(fork!.url, 'Filecoin.StateSectorGetInfo', [dealProvider, sector, null]);
    assert.equal(sectorInfo.SectorNumber, sector);
    const forkedSector = (atFork.activeDeal as { State: { SectorNumber: number } }).State.SectorNumber;
    assert.deepEqual(await rpc(fork!.url, 'Filecoin.StateSectorGetInfo', [dealProvider, forkedSector, null]), await rpc(upstream.url, 'Filecoin.StateSectorGetInfo', [dealProvider, forkedSector, forkKey]));
    // The provider's power grew by the new sector on the fork.
    const [mine, theirs] = await Promise.all([rpc(fork!.url, 'Filecoin.StateMinerPower', [dealProvider, null]), rpc(upstream.url, 'Filecoin.StateMinerPower', [dealProvider, forkKey])]);
    assert.ok(BigInt(mine.MinerPower.RawBytePower) > BigInt(theirs.MinerPower.RawBytePower));
    // Its claim the fork's own now, it wins once the state a base was mined on holds that claim (Lotus's
    // MinerEligibleToMine reads ParentState(baseTs): src/mining/election.ts), two tipsets on at most: paid
    // the reward actor's epoch reward over the 5 blocks an epoch expects (builtin-actors AwardBlockReward),
    // which TotalStoragePowerReward counts.
    await rpc(fork!.url, 'anvil_mine', ['0x2']);
    const before = (await rpc(fork!.url, 'Filecoin.StateReadState', ['t02', null])).State;
    await rpc(fork!.url, 'anvil_mine', ['0x1']);
    const after = (await rpc(fork!.url, 'Filecoin.StateReadState', ['t02', null])).State;
    const paid = BigInt(before.ThisEpochReward) / 5n;
    assert.equal(BigInt(after.TotalStoragePowerReward) - BigInt(before.TotalStoragePowerReward), paid);
    assert.equal((await rpc(fork!.url, 'ots_getBlockDetails', [Number(await rpc(fork!.url, 'eth_blockNumber'))])).issuance.blockReward, `0x${paid.toString(16)}`);
    // FIP-0100's daily fee: from the upstream's own circulating supply at the fork point, moved by what
    // the fork mined, burnt and pledged since; a gateway serves no such figure, so there none.
    // The figure the proving tipset's actors were given is its parent's (the state every State* method reads there).
    const parent = await rpc(fork!.url, 'Filecoin.ChainGetTipSetByHeight', [sectorInfo.Activation - 1, null]);
    if (gatewayOnly) {
      assert.equal(sectorInfo.DailyFee, '0');
      await assert.rejects(rpc(fork!.url, 'Filecoin.StateVMCirculatingSupplyInternal', [parent.Cids]), /served no Filecoin.StateVMCirculatingSupplyInternal at the fork point/);
    } else {
      const supply = await rpc(fork!.url, 'Filecoin.StateVMCirculatingSupplyInternal', [parent.Cids]);
      // The new sector's QA power: what the provider's grew by.
      const qa = BigInt(mine.MinerPower.QualityAdjPower) - BigInt(theirs.MinerPower.QualityAdjPower);
      assert.ok(BigInt(sectorInfo.DailyFee) > 0n);
      assert.equal(BigInt(sectorInfo.DailyFee), (161_817n * BigInt(supply.FilCirculating) * qa) / 10n ** 30n);
      assert.equal(supply.FilVested, (await rpc(upstream.url, 'Filecoin.StateVMCirculatingSupplyInternal', [forkKey])).FilVested);
      const part = (name: string) => BigInt(supply[name]);
      assert.equal(part('FilVested') + part('FilMined') + part('FilReserveDisbursed') - part('FilBurnt') - part('FilLocked'), part('FilCirculating'));
    }
    // A contract reads the new deal's activation through the market, as for any deal.
    const { FilecoinApiCaller } = await compileFixtures();
    const abi = new Interface(FilecoinApiCaller.abi);
    const data = abi.encodeFunctionData('callById', [5, methodNumber('GetDealActivation'), 0, 0, 0x51, bytesToHex(encodeCbor(dealId))]);
    const [exitCode] = abi.decodeFunctionResult('callById', await rpc(fork!.url, 'eth_call', [{ to: callerAddress, data }, 'latest']));
    assert.equal(exitCode, 0n);
    // The upstream never saw it.
    await assert.rejects(rpc(upstream.url, 'Filecoin.StateMarketStorageDeal', [dealId, null]), new RegExp(`deal ${dealId} not found`));
    await rpc(fork!.url, 'anvil_stopImpersonatingAccount', [worker]);
  });

  test('anvil_reset goes back to the fork point; hardhat_reset with forking re-forks at another epoch', async () => {
    await rpc(fork!.url, 'anvil_reset', []);
    assert.equal(Number(await rpc(fork!.url, 'eth_blockNumber')), forkEpoch);
    assert.equal(await rpc(fork!.url, 'eth_getStorageAt', [counterAddress, '0x0', 'latest']), atFork.count);
    assert.equal(await rpc(fork!.url, 'eth_getBalance', [RECIPIENT, 'latest']), '0x0');

    const head = Number(await rpc(upstream.url, 'eth_blockNumber'));
    await rpc(fork!.url, 'hardhat_reset', [{ forking: { jsonRpcUrl: upstream.url, blockNumber: head } }]);
    assert.equal(Number(await rpc(fork!.url, 'eth_blockNumber')), head);
    assert.equal(BigInt(await rpc(fork!.url, 'eth_getStorageAt', [counterAddress, '0x0', 'latest'])), 900n);
    assert.equal((await rpc(fork!.url, 'anvil_nodeInfo')).forkConfig.forkBlockNumber, head);
    // viem's form: a block number alone re-forks the same upstream there.
    await rpc(fork!.url, 'anvil_reset', [{ forking: { blockNumber: forkEpoch } }]);
    assert.equal(await rpc(fork!.url, 'eth_getStorageAt', [counterAddress, '0x0', 'latest']), atFork.count);
    await assert.rejects(rpc(fork!.url, 'anvil_reset', [{ forking: { jsonRpcUrl: 42 } }]), /invalid options.forking.jsonRpcUrl/);
  });

  test('a restart at the same epoch answers from the disk cache with the upstream stopped', async () => {
    await fork!.stop();
    await upstream.stop();
    fork = await startDevnet(forkArgs());
    assert.equal(await rpc(fork.url, 'eth_getStorageAt', [counterAddress, '0x0', 'latest']), atFork.count);
    assert.equal(await rpc(fork.url, 'eth_getCode', [counterAddress, 'latest']), atFork.code);
    assert.equal(await rpc(fork.url, 'eth_getBalance', [WHALE, 'latest']), atFork.whale);
    assert.equal(await rpc(fork.url, 'eth_chainId'), atFork.chainId);
    assert.deepEqual(await rpc(fork.url, 'Filecoin.StateMarketStorageDeal', [activeDeal, null]), atFork.activeDeal);
    assert.deepEqual(await rpc(fork.url, 'Filecoin.StateGetAllocations', [DEAL_CLIENT, null]), atFork.allocations);
    assert.deepEqual(await rpc(fork.url, 'Filecoin.StateGetClaims', [dealProvider, null]), atFork.claims);
    assert.deepEqual(await rpc(fork.url, 'Filecoin.StateSectorGetInfo', [dealProvider, (atFork.activeDeal as any).State.SectorNumber, null]), atFork.activeSector);
    // The counter's storage came whole with it (its KAMT): any other slot is zero, from the cache too.
    assert.equal(BigInt(await rpc(fork.url, 'eth_getStorageAt', [counterAddress, '0x5', 'latest'])), 0n);
    // What was never fetched cannot be answered: a clear error naming the upstream call, not a zero.
    await assert.rejects(rpc(fork.url, 'eth_getBalance', [`0x${'5e'.repeat(20)}`, 'latest']), /upstream Filecoin\.\w+ failed/);
  });
});
