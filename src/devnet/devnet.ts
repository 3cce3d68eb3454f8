// The node as a whole: the state tree, the chain, the pool, the clock and the miner, put together,
// and the typed operations the JSON-RPC layer calls. The parts are private: readers get narrow views,
// and every change goes through a named operation that runs in the miner's queue. The jobs live in
// their own modules: submission.ts (into the pool), calls.ts (calls, estimates, traces),
// persistence.ts (saving and loading), cheats.ts (the cheat codes).
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { FilAddress, isMaskedId } from '../common/address.js';
import type { CID } from '../common/cbor.js';
import { ClientGoneError, DevnetError, InvalidParamsError } from '../common/errors.js';
import { equalBytes } from '../common/hex.js';
import type { DevnetConfig } from '../config.js';
import { POWER_ACTOR_ID, type Actor } from '../fevm/actor.js';
import { resolveEthAddress } from '../fevm/actors/lifecycle.js';
import type { VmCirculatingSupply } from '../fevm/circulating-supply.js';
import { allClaims, minerIds } from '../fevm/actors/power.js';
import { Executor } from '../fevm/executor.js';
import { devnetCodeTable, type CodeTable } from '../fevm/code-table.js';
import type { BatchBudget } from '../fevm/run-budget.js';
import { INITIAL_BASE_FEE } from '../fevm/gas.js';
import { estimateGasPremium } from './fee-estimates.js';
import { chainSize, type Message, type SignedMessage, type SigType } from '../fevm/message.js';
import { localStateSource, StateTree, type StateReader } from '../fevm/state-tree.js';
import type { InvocationResult } from '../fevm/types.js';
import { ChainStore, type ChainView, type MessageLocation } from '../mining/chain-store.js';
import { Clock, NEW_CLOCK } from '../mining/clock.js';
import { finality, type Finality } from '../mining/finality.js';
import { Mempool, type PendingMessage, type ReplacedMessage } from '../mining/mempool.js';
import { Miner, type MiningMode } from '../mining/miner.js';
import { buildTipset, type IncludedMessage, type Tipset } from '../mining/tipset.js';
import { deriveAccounts, type DevAccount } from './accounts.js';
import { Fork } from './fork/fork.js';
import { forkPointSupply } from './fork/fork-point.js';
import { forkAnchor, forkStartReads, stageForkStart, type Funding } from './fork/fork-genesis.js';
import type { ForkConfig } from './fork/fork.js';
import { Calls, type CallRequest, type ComputedMessage, type StateCallResult } from './calls.js';
import type { ImplicitRun } from './implicit-messages.js';
import { Cheats, type CheatCodes, type Snapshot } from './cheats.js';
import type { DevnetEventEmitter, DevnetEvents, DevnetEventSource } from './events.js';
import { createGenesisState } from './genesis.js';
import { deriveNodeKeys, GENESIS_VERIFIER_ALLOWANCE, nodePeerId } from './node-keys.js';
import { encodeChainInSteps, encodeJournalRecord, encodeJournalRewind, restoreChain, saveChain, StateFileError, type ChainPiece, type SavedChain } from './persistence.js';
import type { OffChainPoint, ReplayOptions, TracedMessage, TraceOptions } from './replay.js';
import { StorageProviderAgents, type AgentNode, type StorageProviderOperations } from './storage-providers/agents.js';
import { deriveStorageProviderKeys } from './storage-providers/keys.js';
import { PieceStore, piecesDirOf } from './storage-providers/piece-store.js';
import { Submission, type MessageWait, type ReorgTransaction, type TransactionRequest } from './submission.js';
import { addVerifiedClient, type VerifiedClient } from './verified-clients.js';
import { NativeWallet, servedWallet, type NodeWallet } from './wallet.js';

/** What Lotus's APIs report as the block delay when tipsets come on demand (a Lotus devnet's). */
const DEFAULT_BLOCK_DELAY = 4;

/** The pool's messages, by sender and nonce, and those that can run now (no nonce gap before them) in the order a tipset takes them. */
interface PoolContent {
  pending: PendingMessage[];
  ready: PendingMessage[];
}

export class Devnet {
  /** What the node tells its listeners: tipsets, pending messages, rewinds, failures it survived. */
  readonly events: DevnetEventSource;
  /** Anvil's and Hardhat's cheat codes, each an operation of the miner's queue. */
  readonly cheats: CheatCodes;
  /** Keys of native accounts (Filecoin.Wallet*); changes to them run in the miner's queue. */
  readonly wallet: NodeWallet;
  /**
   * The storage providers' piece data (uploaded with PUT /piece/<cid>), on disk: off-chain, so
   * snapshots, reverts and anvil_reset leave it (as a Boost or Curio node keeps its pieces whatever
   * the chain does), and the piece routes write it directly. With --state, kept beside the file.
   */
  readonly pieces: PieceStore;
  /** The simulated storage providers: direct deals, sector changes, and their settings (ask, refusals). */
  readonly storageProviders: StorageProviderOperations;
  /** Whether this chain started from genesis now (not from a saved state): wallets must forget their nonces. */
  readonly fresh: boolean;

  private readonly emitter: DevnetEventEmitter = new EventEmitter<DevnetEvents>();
  private readonly keys = new NativeWallet();
  private readonly agents: StorageProviderAgents;
  private readonly cheatCodes: Cheats;
  private readonly store: ChainStore;
  private readonly mempool = new Mempool();
  /** The instance the last anvil_reset made (instanceId); undefined for a chain never reset. */
  private instance: Uint8Array | undefined;
  /**
   * A node started as no fork, while anvil_reset has it fork an upstream: its own chain, moved aside
   * whole, and where a reset went back to on it. A reset without forking returns there, leaving the
   * fork, as Anvil (reset_to_in_mem) and Hardhat (the network its config names) leave theirs.
   */
  private home: HomeChain | undefined;
  /** When the head became the head, in wall-clock ms (anvil_getLastBlockWallTime): a tipset mined, or the chain rewound. */
  private headSinceMs = Date.now();
  /** Throws while what the chain becomes cannot be saved (--state's journal: StateFile.checkWritable). */
  private writeCheck: () => void = () => {};
  private readonly miner: Miner;
  /** Filecoin.ID's answer, once asked for (peerId). */
  private peerIdText: string | undefined;
  private readonly clock: Clock;
  private readonly calls: Calls;
  private readonly submission: Submission;

  private constructor(
    private readonly config: DevnetConfig,
    /** The dev accounts: their addresses and keys (eth_accounts, eth_sendTransaction). */
    readonly accounts: readonly DevAccount[],
    private readonly state: StateTree,
    executor: Executor,
    saved: SavedChain | undefined,
    /** The upstream this chain forks, if it does (--fork-url). */
    private forked: Fork | undefined,
    /**
     * The name this node's upstream requests carry (upstream.ts SELF_HEADER): random, one per node, so
     * that its server refuses a request it sent itself (a fork of its own URL) rather than wait on it.
     */
    readonly upstreamName: string,
  ) {
    this.events = this.emitter;
    this.emitter.setMaxListeners(0);
    this.emitter.on('rewound', () => (this.headSinceMs = Date.now()));
    executor.onConsoleLog = (line) => this.emitter.emit('consoleLog', line);
    this.fresh = saved === undefined;
    this.pieces = new PieceStore({ dir: config.statePath === undefined ? undefined : piecesDirOf(config.statePath), limitBytes: config.pieceStoreLimit, maxPayloadBytes: config.maxPieceSize });
    this.store = new ChainStore(config.hotMessages);
    // BLOCKHASH below a fork's first tipset reads the upstream's (the fork of the moment: anvil_reset may change it).
    this.store.hashBeforeFirst = (epoch) => this.forked?.source.tipsetHash(epoch);
    this.store.upstreamFees = () => this.forked?.source.data.tipsetFees;
    if (saved) {
      this.store.adopt(saved.chain);
      this.instance = saved.instanceId;
      for (const message of saved.replaced) this.mempool.keepReplaced(message);
      // A chain loaded from a file goes on at the wall clock's time.
      this.clock = new Clock(0);
      this.clock.increase(saved.clockOffset);
    } else if (forked) {
      // A fork goes on from the upstream's tipset at the fork epoch, at the wall clock's time.
      this.store.append(forkAnchor(forked.point));
      this.clock = new Clock(0);
    } else {
      const genesisTime = config.genesisTimestamp ?? Math.floor(Date.now() / 1000);
      this.store.append(buildTipset({ epoch: 0, timestamp: genesisTime, baseFee: INITIAL_BASE_FEE, parent: undefined, messages: [] }));
      // Time follows the wall clock, shifted so that the chain starts at its genesis time.
      this.clock = new Clock(genesisTime - Math.floor(Date.now() / 1000));
    }
    this.miner = new Miner({
      state,
      chain: this.store,
      mempool: this.mempool,
      executor,
      chainId: config.chainId,
      seed: config.seed,
      codes: () => this.codes,
      clock: this.clock,
      onTipset: (tipset) => {
        this.headSinceMs = Date.now();
        this.emitter.emit('tipset', tipset);
      },
      onMessageError: (message, error) => this.emitter.emit('messageError', message, error),
      onCronError: (epoch, actor, error) => this.emitter.emit('cronError', epoch, actor, error),
      onMiningError: (error) => this.emitter.emit('miningError', error),
      forkSupply: () => {
        const supply = this.fork && forkPointSupply(this.fork.point);
        return supply && { supply, epoch: this.fork!.point.epoch };
      },
    });
    if (forked) this.catchUpOn(forked);
    this.calls = new Calls({ state, chain: this.store, executor, queue: this.miner.queue, chainId: config.chainId, seed: config.seed, codes: () => this.codes, clock: this.clock, callTimeoutMs: config.callTimeoutMs, withPremiumHistory: (estimate) => this.withPremiumHistory(estimate), expectContract: (eth) => this.expectContract(eth) }, (id) => this.mempool.pendingFor(id));
    this.submission = new Submission({
      state,
      chain: this.store,
      mempool: this.mempool,
      miner: this.miner,
      events: this.emitter,
      wallet: this.keys,
      accounts,
      chainId: config.chainId,
      calls: this.calls,
      nextBaseFee: () => this.nextBaseFee(),
      checkWritable: () => this.writeCheck(),
    });
    this.submission.autoImpersonate = config.autoImpersonate ?? false;
    this.cheats = this.cheatCodes = new Cheats({
      state,
      chain: this.store,
      mempool: this.mempool,
      miner: this.miner,
      clock: this.clock,
      events: this.emitter,
      impersonation: this.submission,
      checkWritable: () => this.writeCheck(),
      newInstance: () => {
        this.instance = randomBytes(32);
      },
      // Only when messages are mined as they come: otherwise an agent's message waits for a tipset that anvil_mine would not mine while waiting.
      agentsSettled: () => (this.miner.mode.type === 'instant' ? this.agents.settled() : Promise.resolve()),
    }, saved !== undefined);
    this.wallet = servedWallet(this.keys, (change) => this.betweenTipsets(change));
    this.storageProviders = this.agents = new StorageProviderAgents(this.agentNode(), {
      sealDelay: config.sealDelay,
      mnemonic: config.mnemonic,
      ownerBalance: config.balance,
      sectorSize: config.sectorSize,
      dataTimeoutMs: config.requestTimeoutMs,
      log: (level, line) => this.emitter.emit('storageProvider', level, line),
    });
    this.agents.start();
    if (config.noMining) this.miner.setMode({ type: 'manual' });
    else if (config.blockTime) this.miner.setMode({ type: 'interval', blockTimeMs: config.blockTime * 1000 });
  }

  /** A new chain from genesis, a fork of an upstream node (config.fork), or the chain `saved` holds. */
  static async create(config: DevnetConfig, saved?: SavedChain): Promise<Devnet> {
    const accounts = deriveAccounts(config.mnemonic, config.accounts, config.derivationPath);
    const providerKeys = deriveStorageProviderKeys(config.mnemonic, config.storageProviders);
    const nodeKeys = deriveNodeKeys(config.mnemonic);
    if (saved && config.fork) throw new StateFileError('a saved chain cannot be loaded into a fork (--fork-url with --state or --load-state)');
    if (saved && saved.chainId !== config.chainId) {
      throw new StateFileError(`the saved chain has chain id ${saved.chainId}, not ${config.chainId}`);
    }
    let state: StateTree;
    let fork: Fork | undefined;
    let devnet: Devnet | undefined;
    const upstreamName = randomBytes(16).toString('hex');
    if (config.fork) {
      const funding = forkFunding(accounts, config);
      // Named, as a re-fork's are, so that anvil_setRpcUrl to the node's own URL is refused.
      const named = { ...config.fork, upstream: { ...config.fork.upstream, self: upstreamName } };
      fork = await Fork.open(named, (progress) => devnet?.emitter.emit('forkProgress', progress), (err) => devnet?.emitter.emit('forkCacheError', err), forkStartReads(funding));
      // A fork keeps the upstream's chain id unless told otherwise, as wallets know the network by it.
      config = { ...config, chainId: config.fork.chainId ?? BigInt(fork.point.chainId) };
      state = new StateTree(fork.source);
      state.commit(await stageForkStart(fork.source, funding), fork.point.epoch);
    } else if (saved) {
      state = new StateTree();
      state.adopt(saved.state);
    } else {
      state = createGenesisState(
        accounts,
        config.balance,
        config.fund,
        { keys: providerKeys, sectorSize: config.sectorSize, ownerBalance: config.balance },
        { rootKey: nodeKeys.rootKey.address, verifier: nodeKeys.verifier.address, dealClient: nodeKeys.dealClient.address, verifierAllowance: GENESIS_VERIFIER_ALLOWANCE, balance: config.balance },
      );
    }
    devnet = new Devnet(config, accounts, state, await Executor.create(config.chainId), saved, fork, upstreamName);
    // Before the node runs, so straight into the key store (their addresses are derived already):
    // the providers' owner/worker keys, so that the node can sign their messages,
    for (const key of providerKeys) devnet.keys.hold(key);
    // the verified registry's root key signer and verifier (devnet_addVerifiedClient signs with the latter),
    // and the deal client `fvm-devnet deal` uses by default.
    for (const key of [nodeKeys.rootKey, nodeKeys.verifier, nodeKeys.dealClient]) devnet.keys.hold(key);
    // The deal client is the wallet's default address, as a Lotus devnet's imported genesis key is.
    devnet.keys.setDefault(nodeKeys.dealClient.address);
    return devnet;
  }

  // --- reads --------------------------------------------------------------------------------------

  /** The upstream this chain forks, if it does (--fork-url, or anvil_reset with forking). */
  get fork(): Fork | undefined {
    return this.forked;
  }

  /** The chain's actor code CIDs: a fork's upstream's (calibnet's on a fork of calibnet), else the devnet's own. */
  get codes(): CodeTable {
    return this.forked?.codes ?? devnetCodeTable();
  }

  get chainId(): bigint {
    return this.config.chainId;
  }

  get head(): Tipset {
    return this.store.head;
  }

  /**
   * The seconds between tipsets Lotus's APIs report: --block-time, else a Lotus devnet's 4; whole
   * seconds, as Lotus's BlockDelaySecs (a uint64), so a fraction is rounded up (tipsets' timestamps
   * step at least a second anyway: `--block-time 0.5` runs chain time a second a tipset).
   */
  get blockDelay(): number {
    return Math.ceil(this.config.blockTime ?? DEFAULT_BLOCK_DELAY);
  }

  /** Epochs the simulated F3 finalizes behind the head (--f3-lag). */
  get f3Lag(): number {
    return this.config.f3Lag;
  }

  /** The seed of the randomness beacon (--seed). */
  get beaconSeed(): Uint8Array {
    return this.config.seed;
  }

  /** The chain's tipsets and the messages they hold, read-only. */
  get chain(): ChainView {
    return this.store;
  }

  /** The node's libp2p peer ID (Filecoin.ID), drawn from its mnemonic when first asked for. */
  get peerId(): string {
    return (this.peerIdText ??= nodePeerId(this.config.mnemonic));
  }

  /** The tipsets the `finalized` and `safe` tags name, and the one simulated F3 has certified. */
  finality(): Finality {
    return finality(this.store, this.config.f3Lag);
  }

  stateAt(epoch: number): StateReader {
    return this.state.at(epoch);
  }

  /**
   * A contract's storage after `epoch`, for StateReadState's ContractState: its nonzero slots (a KAMT
   * is built from them), or for a forked contract's first generation, which the upstream holds and
   * the fork knows only the slots of that it read, the upstream's root while the fork has written
   * none of it; undefined when neither is known. `state`: the state after `epoch`, read for the slots'
   * values; `dropped`: after that dropped tipset (`state` its kept one), not the chain's `epoch`.
   */
  contractStorage(actor: Actor, epoch: number, state: StateReader, dropped?: OffChainPoint): { slots: [bigint, bigint][] } | { upstreamRoot: string } | undefined {
    const generation = actor.evm?.storageGeneration ?? 0;
    const upstreamNextId = this.forked?.source.data.nextId;
    const written = dropped ? dropped.writtenSlots(actor.id, generation) : this.state.writtenSlots(actor.id, generation, epoch);
    if (this.forked && generation === 0 && (upstreamNextId === undefined || actor.id < upstreamNextId)) {
      const upstreamRoot = actor.evm?.upstreamStorageRoot;
      return upstreamRoot && written.length === 0 ? { upstreamRoot } : undefined;
    }
    const slots = written.map((slot): [bigint, bigint] => [slot, state.getStorage(actor.id, generation, slot)]);
    return { slots: slots.filter(([, value]) => value !== 0n) };
  }

  /**
   * Fetches the fork state a MissingStateError names, so that the read or call that threw it can
   * run again; false for any other error (see StateTree.fetchMissing).
   */
  async fetchMissing(error: unknown): Promise<boolean> {
    const source = this.forked?.source;
    if (!source?.takes(error)) return this.state.fetchMissing(error);
    // The first read of a forked miner's proving state writes its missed deadline closes (ForkSource):
    // a task of the queue, which the upstream's answers, fetched before, do not hold up.
    await source.fetchValues(error.missing);
    return this.miner.queue.run(() => this.state.fetchMissing(error));
  }

  /**
   * Runs `read` (which only reads the state) until it has read nothing a fork has not fetched yet
   * (as StateTree.untilFetched, fetching as fetchMissing does): for the methods that write, which the
   * dispatcher runs only once. Not from a task of the queue, which fetches through the state itself.
   */
  async untilFetched<T>(read: () => T): Promise<T> {
    for (;;) {
      try {
        return await read();
      } catch (error) {
        if (!(await this.fetchMissing(error))) throw error;
      }
    }
  }

  /** A number that changes whenever the state does (--state saves only then). */
  get stateVersion(): number {
    return this.state.snapshot().write;
  }

  /** The IDs of the miners with a power claim after `epoch`, in the power actor's order (on a fork, the upstream's read so far). */
  claimedMinerIdsAt(epoch: number): number[] {
    const power = this.state.at(epoch).getActor(POWER_ACTOR_ID)?.power;
    return power ? allClaims(power).map(([id]) => id) : [];
  }

  /** The IDs of every storage miner in `state` (Filecoin.StateListMiners): on a fork, the upstream's as well as those read. */
  minerIdsIn(state: StateReader): number[] {
    const power = state.getActor(POWER_ACTOR_ID)?.power;
    return power ? minerIds(power) : [];
  }

  /**
   * Says that a read of `eth` expects a contract there (eth_getCode, eth_getStorageAt, a call's `to`):
   * on a fork, if the address is not read yet, its contract's code and State come in one batch with
   * its actor.
   */
  expectContract(eth: Uint8Array): void {
    if (this.forked && !isMaskedId(eth)) this.forked.source.expectContract(FilAddress.fromEthAddress(eth));
  }

  /**
   * The code at `eth` in `state` alone (eth_getCode, ots_hasCode), undefined where no contract is: on a
   * fork, a contract whose code is fetched reads without waiting for its storage's shape (ForkSource.readCode).
   */
  codeAt(eth: Uint8Array, state: StateReader): Uint8Array | undefined {
    this.expectContract(eth);
    const read = () => resolveEthAddress(state, eth);
    return (this.forked ? this.forked.source.readCode(read) : read())?.evm?.bytecode;
  }

  /** The actor an Ethereum address names after `epoch`. */
  actorAt(eth: Uint8Array, epoch: number): Actor | undefined {
    return resolveEthAddress(this.state.at(epoch), eth);
  }

  /** The nonce the next transaction from `eth` should use, counting pending ones; an error for an address with no actor (Lotus). */
  pendingNonce(eth: Uint8Array): number {
    this.readAheadForMining();
    return this.submission.pendingNonce(eth);
  }

  /** The nonce the next message from a Filecoin address should use, counting pending ones (Filecoin.MpoolGetNonce); an error with no actor. */
  nextNonce(address: FilAddress): number {
    this.readAheadForMining();
    return this.submission.nextNonce(address);
  }

  /** A message waiting in the pool, by CID. */
  pendingMessage(cid: CID): PendingMessage | undefined {
    return this.mempool.getByCid(cid);
  }

  /** A message a replacement pushed out of the pool, by CID (Lotus keeps every message its pool took). */
  replacedMessage(cid: CID): PendingMessage | undefined {
    return this.mempool.getReplaced(cid)?.pending;
  }

  /** A secp or delegated message the pool took (pending or replaced), by its unsigned CID, which Lotus's blockstore holds too. */
  pooledByUnsignedCid(cid: CID): PendingMessage | undefined {
    return this.mempool.getByUnsignedCid(cid);
  }

  /** A replaced Ethereum transaction, by hash (Lotus's chain index keeps its hash). */
  replacedTransaction(hash: Uint8Array): PendingMessage | undefined {
    return this.mempool.getReplacedTx(hash);
  }

  /**
   * Where the message `cid` ran, or for a replaced message the replacement that stands for it, up to
   * `upTo` (Lotus's SearchForMessage; message-search.ts, which throws MessageReplacedError; with
   * `startedAbove`, a search from a dropped tipset whose branch left the chain at `upTo`; `loaded`, the
   * message as found elsewhere, a dropped tipset's, matched by sender and nonce as a replaced one).
   */
  searchMessage(cid: CID, allowReplaced: boolean, upTo: Tipset = this.head, startedAbove = false, loaded?: Message): MessageLocation | undefined {
    return this.submission.searchMessage(cid, allowReplaced, upTo, startedAbove, loaded);
  }

  /** An Ethereum transaction waiting in the pool, by hash. */
  pendingTransaction(hash: Uint8Array): PendingMessage | undefined {
    return this.mempool.getByTxHash(hash);
  }

  /**
   * Everything in the pool, and what of it is ready on the head's state, by nonce alone, whatever its
   * fee cap (txpool_*: Ethereum's pending and queued).
   */
  poolContent(): PoolContent {
    return { pending: this.mempool.pending(), ready: this.mempool.select(this.state.at(this.head.epoch)) };
  }

  /** How many messages the pool holds, queued behind a nonce gap too. */
  get poolSize(): number {
    return this.mempool.size;
  }

  /**
   * What a tipset mined on `tipset` would take, in order (Filecoin.MpoolSelect): the ready messages
   * its producer takes at the base fee it would charge (Mempool.select), on `state`, the state after
   * `tipset` (a dropped one's kept state), with `restored` (messages of the chain's tipsets above where
   * `tipset`'s branch meets it) among the pool's; off the head, each sender is found by its address in
   * `state` (an ID another branch gave may name another actor there).
   */
  selectMessages(tipset: Tipset, state: StateReader, restored: readonly IncludedMessage[]): PendingMessage[] {
    if (tipset === this.head) return this.mempool.select(state, this.nextBaseFee());
    const head = this.state.at(this.head.epoch);
    const senderIdThere = (senderId: number) => {
      const sender = head.getActor(senderId);
      const address = sender?.robust ?? sender?.delegated;
      return address ? state.lookupId(address) : senderId;
    };
    const senders = restored.flatMap(({ cid, signed, ethTx }) => {
      const senderId = state.lookupId(signed.message.from);
      return senderId === undefined ? [] : [{ senderId, pending: { cid, signed, ethTx, chainSize: chainSize(signed) } }];
    });
    return this.mempool.select(state, tipset.nextBaseFee, { senderIdThere, restored: senders });
  }

  /** How tipsets are mined now (anvil_getAutomine). */
  get miningMode(): MiningMode {
    return this.miner.mode;
  }

  /** Holds instant mining until the release is called (Miner.holdInstantMining): a batch's sends mine together. */
  holdInstantMining(): Promise<() => void> {
    return this.miner.holdInstantMining();
  }

  /** When the head became the head (a tipset mined, or the chain rewound), in wall-clock ms (anvil_getLastBlockWallTime). */
  get headSince(): number {
    return this.headSinceMs;
  }

  /** Chain time now: the wall clock shifted to the genesis time, plus what evm_increaseTime added. */
  chainTime(): number {
    return this.clock.now();
  }

  /** The base fee the next tipset will charge. */
  nextBaseFee(): bigint {
    return this.miner.nextBaseFee ?? this.head.nextBaseFee;
  }

  /** The base fee anvil_/hardhat_setNextBlockBaseFeePerGas set for the next tipset, until it is mined. */
  get baseFeeSetForNext(): bigint | undefined {
    return this.miner.nextBaseFee;
  }

  /**
   * How to compute the VM's circulating supply of `state`, the state after the tipset at `epoch` (after
   * its messages, as every Filecoin.State* method reads a tipset key here; a dropped tipset's kept
   * state too): what a tipset at the next epoch gives its actors, as Lotus's figure at a key is its
   * parent state's, at the key's height; undefined on a fork whose upstream served none
   * (Miner.vmCirculatingSupply).
   */
  vmCirculatingSupply(state: StateReader, epoch: number): (() => VmCirculatingSupply) | undefined {
    return this.miner.vmCirculatingSupply(() => state, epoch + 1);
  }

  /** A fee cap the node fills in, raised to the least the pool admits (anvil_setMinGasPrice's) if below it. */
  admittedFeeCap(feeCap: bigint): bigint {
    return this.mempool.admittedFeeCap(feeCap);
  }

  /** What eth_maxPriorityFeePerGas suggests: Lotus's premium estimate for the next block, from the last two tipsets' messages. */
  gasPremium(): bigint {
    return estimateGasPremium(this.store, this.head, 1);
  }

  /**
   * `estimate` once a fork's fetch of the upstream's tipsets that premium estimates read past its
   * first tipset (started as it opened, again after a failure: ForkSource.fetchTipsetFees) is over,
   * a failure said once; at once, with no promise, on a plain node.
   */
  withPremiumHistory<T>(estimate: () => T): T | Promise<T> {
    const source = this.forked?.source;
    if (!source) return estimate();
    const answer = () => {
      const error = source.takeTipsetFeesError();
      if (error) this.emitter.emit('forkWarning', `premium estimates read the fork's own tipsets only, not the upstream's before the fork epoch (read again in a minute): ${error.message}`);
      return estimate();
    };
    const fetching = source.fetchTipsetFees();
    return fetching ? fetching.then(answer) : answer();
  }

  // --- submission (submission.ts) -----------------------------------------------------------------

  /**
   * On a fork, starts reading what its first mined tipset's cron reads from the upstream (the market's
   * deal schedule: ForkSource.readDealScheduleAhead), once: from the nonce and gas estimate tools ask
   * for before a send, so that the read overlaps the user's wait, not a calls-only fork's.
   */
  private readAheadForMining(): void {
    void this.forked?.source.readDealScheduleAhead();
  }

  /** Queues a signed Ethereum transaction (`untrusted`: with the pool's untrusted limits); in instant mode, returns once it is mined. */
  sendRawTransaction(raw: Uint8Array, options: { untrusted?: boolean } = {}): Promise<Uint8Array> {
    return this.submission.sendRawTransaction(raw, options);
  }

  /** Signs with a dev account's key, or sends for an impersonated account (eth_sendTransaction); `unsigned` sends for any sender (eth_sendUnsignedTransaction). */
  sendTransaction(request: TransactionRequest, options: { unsigned?: boolean } = {}): Promise<Uint8Array> {
    this.readAheadForMining();
    return this.submission.sendTransaction(request, options);
  }

  /** Fills in and signs a transaction with a dev account's key, without sending it (eth_signTransaction). */
  signTransaction(request: TransactionRequest): Promise<Uint8Array> {
    return this.submission.signTransaction(request);
  }

  /**
   * anvil_reorg: the last `depth` epochs replaced by new tipsets holding `transactions` (cheats.ts
   * reorg, submission.ts reorgBlocks); its errors answered before anything changes.
   */
  async reorg(depth: number, transactions: readonly ReorgTransaction[]): Promise<void> {
    const offsets = transactions.map((t) => t.offset);
    this.cheatCodes.checkReorg(depth, offsets);
    // A Lotus node never reverts a finalized tipset (F3's, or EC finality's when that is newer): review R29.
    const { finalized } = this.finality();
    if (this.store.head.epoch - depth < finalized.epoch) {
      throw new InvalidParamsError(`Reorg depth must not reach the finalized tipset (epoch ${finalized.epoch}, --f3-lag ${this.config.f3Lag} behind the head), which a Lotus node never reverts: depth ${depth}; start the node with a larger --f3-lag for a deeper reorg`);
    }
    const blocks = await this.submission.reorgBlocks(depth, transactions);
    await this.cheatCodes.reorg(depth, offsets, blocks);
    this.writeCheck();
  }

  /** Whether eth_sendTransaction sends for `eth` without a key (impersonation). */
  impersonates(eth: Uint8Array): boolean {
    return this.submission.isImpersonated(eth);
  }

  /** The addresses anvil_impersonateAccount named that no stop has ended, lowercase hex, in the order named. */
  impersonatedAddresses(): string[] {
    return [...this.submission.impersonated];
  }

  /** A dev account's private key (eth_sign, personal_sign, eth_signTypedData_v4); an error for any other address. */
  devAccountKey(address: Uint8Array): string {
    return this.submission.devAccountKey(address);
  }

  /** Queues a signed Filecoin message (Filecoin.MpoolPush; `untrusted`: MpoolPushUntrusted); in instant mode, returns once mined. */
  pushMessage(signed: SignedMessage, options: { untrusted?: boolean } = {}): Promise<CID> {
    return this.submission.pushMessage(signed, options);
  }

  /** Fills in a message's nonce and gas, signs it with a key the node holds and pushes it (Filecoin.MpoolPushMessage; `fill`: Submission.pushWithWallet's). */
  pushWithWallet(message: Message, fill?: (message: Message) => Promise<Message>): Promise<SignedMessage> {
    this.readAheadForMining();
    return this.submission.pushWithWallet(message, fill);
  }

  /** Where a message landed once it is mined; fails if it leaves the pool without being mined. */
  waitForMessage(cid: CID): Promise<MessageLocation> {
    return this.submission.waitForMessage(cid);
  }

  /**
   * Where a message landed once the head is `confidence` epochs past its tipset (Lotus's
   * StateWaitMsg). Instant mining makes a tipset only for a transaction, so there a mined message
   * has its confidence at once; manual and interval mining wait for the tipsets, as Lotus does.
   * A replaced message: its replacement, if `allowReplaced` (see searchMessage; `loaded`, the
   * lookback limit `reached` and the request's `signal` as Submission.waitForMessage takes them).
   */
  waitForConfidence(cid: CID, confidence: number, allowReplaced: boolean, options: Pick<MessageWait, 'loaded' | 'reached' | 'signal'> = {}): Promise<MessageLocation> {
    const settled = ({ tipset }: MessageLocation) => this.miner.mode.type === 'instant' || this.head.epoch - tipset.epoch >= confidence;
    return this.submission.waitForMessage(cid, { ...options, settled, allowReplaced });
  }

  /** Grants `bytes` of datacap to `client` from the genesis verifier; resolves once mined (devnet_addVerifiedClient). */
  addVerifiedClient(client: FilAddress, bytes: bigint): Promise<VerifiedClient> {
    return addVerifiedClient(this, deriveNodeKeys(this.config.mnemonic).verifier.address, client, bytes);
  }

  // --- calls, estimates and traces (calls.ts) -----------------------------------------------------
  // `batch`: the JSON-RPC batch the request came in, whose executions share one --call-timeout.

  /** Runs a call on the state after `at` (an epoch of the chain, or a tipset a revert dropped) without changing anything (eth_call). */
  call(request: CallRequest, at: number | OffChainPoint, batch?: BatchBudget): Promise<InvocationResult> {
    return this.calls.inBatch(batch).call(request, at);
  }

  /** A gas limit with which the transaction succeeds (eth_estimateGas). */
  estimateGas(request: CallRequest, batch?: BatchBudget): Promise<number> {
    this.readAheadForMining();
    return this.calls.inBatch(batch).estimateGas(request);
  }

  /** The gas limit Lotus's GasEstimateMessageGas gives a message signed with `signatureType`: its gas used times 1.25. */
  estimateMessageGas(message: Message, signatureType: SigType, batch?: BatchBudget): Promise<number> {
    this.readAheadForMining();
    return this.calls.inBatch(batch).estimateMessageGas(message, signatureType);
  }

  /** The gas a message signed with `signatureType` uses, inclusion included (Lotus's GasEstimateGasLimit). */
  estimateGasLimit(message: Message, signatureType: SigType, batch?: BatchBudget): Promise<number> {
    this.readAheadForMining();
    return this.calls.inBatch(batch).estimateGasLimit(message, signatureType);
  }

  /** Runs a message on the state after `at` (an epoch, or a dropped tipset) without changing anything, as Lotus's StateCall: the message as it ran, its result. */
  stateCall(message: Message, at: number | OffChainPoint, batch?: BatchBudget): Promise<StateCallResult> {
    return this.calls.inBatch(batch).stateCall(message, at);
  }

  /** Applies `messages` in order on the state after `at` (an epoch, or a dropped tipset) as epoch `atEpoch`, each traced; nothing is kept (Filecoin.StateCompute). */
  computeMessages(messages: readonly Message[], at: number | OffChainPoint, atEpoch: number, batch?: BatchBudget): Promise<ComputedMessage[]> {
    return this.calls.inBatch(batch).computeMessages(messages, at, atEpoch);
  }

  /**
   * Re-runs a mined tipset's messages and traces those at `indices` (debug_trace*, trace_*); `replay`:
   * a CPU-time budget (none: uncut), the request's signal (its client gone: the replay stops).
   */
  traceTipset(tipset: Tipset, indices: 'all' | readonly number[], options: TraceOptions, replay?: ReplayOptions): Promise<TracedMessage[]> {
    return this.calls.traceTipset(tipset, indices, options, replay);
  }

  /** A mined tipset's null rounds' crons, messages, block reward and cron, replayed and traced (Filecoin.StateCompute: Lotus's ExecutionTrace of a tipset). */
  traceTipsetWhole(tipset: Tipset, replay?: ReplayOptions): Promise<{ nullRounds: ImplicitRun[]; traced: TracedMessage[]; implicit: ImplicitRun[] }> {
    return this.calls.traceTipsetWhole(tipset, replay);
  }

  /** The storage slot a call's answer comes from (anvil_dealERC20, anvil_setERC20Allowance): Calls.findAnsweringSlot. */
  findAnsweringSlot(request: CallRequest, epoch: number, value: bigint): Promise<bigint | undefined> {
    return this.calls.findAnsweringSlot(request, epoch, value);
  }

  /** Runs a call as eth_call does, on the state after `at` (an epoch, or a tipset a revert dropped), traced (debug_traceCall). */
  traceCall(request: CallRequest, at: number | OffChainPoint, options: TraceOptions, batch?: BatchBudget): Promise<TracedMessage> {
    return this.calls.inBatch(batch).traceCall(request, at, options);
  }

  // --- mining and persistence ---------------------------------------------------------------------

  /** Mines one tipset now (evm_mine). */
  mine(): Promise<Tipset> {
    return this.miner.mine();
  }

  /**
   * The whole chain, encoded (anvil_dumpState, --dump-state). A fork refuses, as --dump-state with
   * --fork-url is refused at start-up: its chain holds what it wrote, not what it read (fidaudit4 V19).
   */
  save(): Uint8Array {
    if (this.forked) throw new StateFileError('a forked chain cannot be saved (anvil_dumpState on a forked node): it holds only what the fork wrote, not what it read');
    return saveChain(this.chainParts());
  }

  /** The whole chain, encoded a piece at a time (a --state file's compaction, see persistence.ts). */
  saveInSteps(): Generator<ChainPiece, void, void> {
    return encodeChainInSteps(this.chainParts());
  }

  /** Sends and cheat codes that change the chain first call `check`, which throws to refuse them (--state's journal broken). */
  guardWrites(check: () => void): void {
    this.writeCheck = check;
  }

  /**
   * The journal record of `tipset` (none: edits between tipsets), with the state commits numbered after
   * `fromVersion` and the replaced messages after the first `replacedFrom` (see persistence.ts).
   */
  journalRecord(fromVersion: number, tipset: Tipset | undefined, replacedFrom: number): Uint8Array {
    return encodeJournalRecord(fromVersion, this.state.exportCommitsSince(fromVersion), tipset, this.clock.save().offsetSeconds, this.mempool.replacedSince(replacedFrom));
  }

  /** The journal record of a rewind to the chain as it is now (see persistence.ts). */
  journalRewind(): Uint8Array {
    return encodeJournalRewind(this.stateVersion, this.head.epoch, this.clock.save().offsetSeconds, this.instance, this.mempool.replacedCount);
  }

  /** How many messages replacements have pushed out of the pool and the node keeps (--state journals them). */
  get replacedCount(): number {
    return this.mempool.replacedCount;
  }

  /**
   * The instance anvil_reset made last (anvil_metadata's instanceId), kept with the chain (--state,
   * anvil_dumpState); undefined for a chain never reset, whose instance is its own (its genesis hash).
   */
  get instanceId(): Uint8Array | undefined {
    return this.instance;
  }

  /**
   * Replaces the chain with a saved one (anvil_loadState); pending messages and snapshots are dropped.
   * A fork refuses it, as at start-up: a saved chain has plain tables in place of the forked ones.
   */
  load(saved: SavedChain): Promise<void> {
    return this.miner.queue.run(async () => {
      if (this.forked) throw new StateFileError('a saved chain cannot be loaded into a fork (anvil_loadState on a forked node)');
      restoreChain(this.chainParts(), saved);
      this.instance = saved.instanceId;
      this.chainReplaced(saved.replaced);
    });
  }

  /**
   * Forks `config`'s upstream instead (anvil_reset with forking): the state, the chain from the new
   * fork point, an empty pool, no snapshots; the chain id stays the node's. Everything the new fork
   * starts from is read and staged before anything changes, and the switch is one step with no
   * await in it: a failure (an upstream that cannot be read) leaves the node exactly as it was.
   * `signal`: the request's; a reset whose client has gone before the new fork was read is dropped
   * (audit15 C12: it would replace the chain long after its user took it for failed).
   */
  async refork(config: ForkConfig, signal?: AbortSignal): Promise<void> {
    // A chain file holds what the node wrote, not what a fork reads (review R51: the file could no
    // longer be saved, and its journal would refuse every write after): refused as at start-up.
    if (this.config.statePath !== undefined || this.config.dumpStatePath !== undefined) {
      throw new StateFileError('anvil_reset with forking is refused on a node started with --state or --dump-state, as --fork-url with them is: a saved chain holds only what the node wrote, not what a fork reads');
    }
    // The current fork's token (for its own origin only), cache and client settings carry over.
    const previous = this.forked;
    const asked = { head: this.store.head, pooled: new Set(this.mempool.pending()), at: Date.now() };
    const funding = forkFunding(this.accounts, this.config);
    const fork = await Fork.open(
      { token: previous?.config.token, tokenOrigin: previous?.config.tokenOrigin, cacheDir: previous?.config.cacheDir, upstream: { ...previous?.config.upstream, self: this.upstreamName }, ...config },
      (progress) => this.emitter.emit('forkProgress', progress),
      (err) => this.emitter.emit('forkCacheError', err),
      forkStartReads(funding),
    );
    const start = await stageForkStart(fork.source, funding);
    await this.miner.queue.run(async () => {
      if (signal?.aborted) {
        fork.close();
        throw new ClientGoneError('anvil_reset not done');
      }
      // Sends go on while the new fork is read (a slow upstream takes minutes, and its client may
      // have given up): a swap would silently drop the transactions they were answered for.
      const sent = this.sentSince(asked.head, asked.pooled);
      if (sent > 0) {
        fork.close();
        const seconds = Math.round((Date.now() - asked.at) / 1000);
        throw new DevnetError(`anvil_reset not done: ${sent} transaction(s) were sent while the new fork was read (${seconds} s), which the reset would drop; send it again`);
      }
      // The node's own chain goes aside the first time it forks, for a reset to come back to.
      if (!previous) this.home = this.moveChainAside();
      this.forked = fork;
      // The new fork is a new instance of its own (anvil_metadata: forkInstanceId), not the last reset's.
      this.instance = undefined;
      this.catchUpOn(fork);
      this.state.rebase(fork.source);
      this.state.commit(start, fork.point.epoch);
      this.store.truncate(-1);
      this.store.append(forkAnchor(fork.point));
      this.clock.restore(NEW_CLOCK);
      this.chainReplaced();
    });
    // Saves what the old fork fetched to its cache.
    previous?.close();
  }

  /**
   * anvil_reset without forking: back to where the chain starts (Cheats.reset). A node started as no
   * fork that anvil_reset forked since leaves the fork for its own chain, back at the point a reset
   * went to before it forked (its genesis, or the first tipset of the chain it loaded at start).
   */
  async reset(): Promise<void> {
    // Whether there is a home to go back to is read in the queue: a reset just before may have gone there.
    const left = await this.miner.queue.run(async () => (this.home ? this.goHome(this.home) : undefined));
    if (!left) return this.cheats.reset();
    // Saves what the fork fetched to its cache.
    left.close();
  }

  /** The node's own chain back in place of the fork's, at `home.start` (in the miner's queue); answers the fork left. */
  private goHome({ state, chain, start }: HomeChain): Fork {
    this.writeCheck();
    // Back at its start while still aside, so that no listener hears of the tipsets it drops.
    state.revert(start.state);
    chain.truncate(start.height);
    const fork = this.forked!;
    this.home = undefined;
    this.forked = undefined;
    this.state.rebase(localStateSource);
    this.state.adopt(state);
    this.store.adopt(chain);
    this.clock.restore(start.clock);
    // A reset is a new instance, as Anvil's reset_instance_id makes one.
    this.instance = randomBytes(32);
    this.chainReplaced();
    return fork;
  }

  /**
   * What follows a chain put in place of the node's (anvil_loadState, anvil_reset to or from a fork):
   * an empty pool, the replaced messages `kept` only (a saved chain's), no snapshots, and listeners told.
   */
  private chainReplaced(kept: readonly ReplacedMessage[] = []): void {
    this.mempool.clear();
    this.mempool.forgetReplaced();
    for (const message of kept) this.mempool.keepReplaced(message);
    this.cheatCodes.forgetSnapshots();
    this.emitter.emit('rewound', 'replace');
  }

  /** The chain's state and tipsets moved out whole into a tree and a store of their own, the node's left empty. */
  private moveChainAside(): HomeChain {
    const state = new StateTree();
    state.adopt(this.state);
    const chain = new ChainStore(this.config.hotMessages);
    chain.adopt(this.store);
    return { state, chain, start: this.cheatCodes.start };
  }

  /** The messages mined after `head` or added to the pool since it held `pooled`; any, if the chain no longer has `head`. */
  private sentSince(head: Tipset, pooled: ReadonlySet<PendingMessage>): number {
    const still = this.store.atEpoch(head.epoch);
    if (!still || !equalBytes(still.hash, head.hash)) return Math.max(1, this.store.range(head.epoch, this.store.head.epoch).reduce((n, t) => n + t.messages.length, 0));
    const mined = this.store.range(head.epoch + 1, this.store.head.epoch).reduce((n, t) => n + t.messages.length, 0);
    return mined + this.mempool.pending().filter((p) => !pooled.has(p)).length;
  }

  /** A forked miner taken after the fork epoch catches up its missed deadline closes on the head's state (ForkSource.take). */
  private catchUpOn(fork: Fork): void {
    fork.source.runLate = (due, prepare) => this.miner.runLate(due, prepare);
  }

  close(): void {
    this.agents.close();
    this.miner.stop();
    this.forked?.close();
    this.pieces.close();
  }

  /** A change to the node's settings as one task of the miner's queue: between tipsets, in the order asked. */
  private betweenTipsets<T>(change: () => T): Promise<T> {
    return this.miner.queue.run(async () => change());
  }

  /** What the storage providers' agents use of the node (agents.ts AgentNode). */
  private agentNode(): AgentNode {
    const devnet = this;
    return {
      get head() {
        return devnet.head;
      },
      chain: this.store,
      wallet: this.wallet,
      cheats: this.cheats,
      events: this.events,
      stateAt: (epoch) => this.stateAt(epoch),
      fetchMissing: (error) => this.fetchMissing(error),
      untilFetched: (read) => this.untilFetched(read),
      claimedMinerIdsAt: (epoch) => this.claimedMinerIdsAt(epoch),
      canSendFrom: (address) => this.submission.canSendFrom(address),
      call: (request, epoch) => this.call(request, epoch),
      pushWithWallet: (message) => this.pushWithWallet(message),
      waitForMessage: (cid) => this.waitForMessage(cid),
      mine: () => this.mine(),
      betweenTipsets: (change) => this.betweenTipsets(change),
      defaultFeeCap: (gasPremium) => this.submission.defaultFeeCap(gasPremium),
      pieces: this.pieces,
    };
  }

  private chainParts() {
    return { chainId: this.chainId, state: this.state, chain: this.store, clock: this.clock, instanceId: this.instance, replaced: this.mempool.replacedSince() };
  }
}

/** A node's own chain while anvil_reset has it fork an upstream (Devnet.home): its state, its tipsets, where a reset went. */
interface HomeChain {
  state: StateTree;
  chain: ChainStore;
  start: Snapshot;
}

/** What a fork funds on top of the upstream's state: the dev accounts and the --fund addresses. */
function forkFunding(accounts: readonly DevAccount[], config: DevnetConfig): Funding[] {
  return [...accounts.map((a) => ({ address: a.filAddress, balance: config.balance })), ...config.fund];
}
