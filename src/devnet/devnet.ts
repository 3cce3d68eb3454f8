// The node as a whole: the state tree, the chain, the pool and the miner, put together, and the typed
// operations the JSON-RPC layer calls. Everything here speaks bytes, bigints and epochs.
import { EventEmitter } from 'node:events';
import { Wallet } from 'ethers';
import { isMaskedId, Protocol, type FilAddress } from '../common/address.js';
import { keccak256 } from '../common/hashes.js';
import type { CID } from '../common/cbor.js';
import { DevnetError, MessageRejectedError } from '../common/errors.js';
import { bytesToHex, equalBytes, hexToBytes } from '../common/hex.js';
import type { DevnetConfig } from '../config.js';
import { POWER_ACTOR_ID, type Actor } from '../fevm/actor.js';
import { resolveAddress, resolveEthAddress } from '../fevm/actors/lifecycle.js';
import { decodeEthTransaction, ethTransactionFromMessage, toFilecoinMessage, type EthTransaction } from '../fevm/eth-tx.js';
import { ExitCode } from '../fevm/exit-code.js';
import { Executor } from '../fevm/executor.js';
import {
  BLOCK_GAS_LIMIT,
  DEFAULT_GAS_PREMIUM,
  GAS_LIMIT_OVERESTIMATION_PERCENT,
  INITIAL_BASE_FEE,
  nextBaseFee,
} from '../fevm/gas.js';
import { chainSize, encodeMessage, signedMessageCid, SigType, type Message, type SignedMessage } from '../fevm/message.js';
import { onChainMessage } from '../fevm/price-list.js';
import { verifyNativeSignature } from '../fevm/signature.js';
import { StateTree, type StateReader } from '../fevm/state-tree.js';
import type { InvocationResult, MessageReceipt } from '../fevm/types.js';
import { Tracer, type SendFrame } from '../fevm/actors/evm/tracer.js';
import { ChainStore, type MessageLocation } from '../mining/chain-store.js';
import { Mempool, type PendingMessage } from '../mining/mempool.js';
import { Clock } from '../mining/clock.js';
import { finality, type Finality } from '../mining/finality.js';
import { Miner } from '../mining/miner.js';
import { SerialQueue } from '../mining/serial-queue.js';
import { buildTipset, type Tipset } from '../mining/tipset.js';
import { deriveAccounts, type DevAccount } from './accounts.js';
import { Cheats } from './cheats.js';
import { NativeWallet } from './wallet.js';
import { createGenesisState } from './genesis.js';
import { deriveNodeKeys, GENESIS_VERIFIER_ALLOWANCE } from './node-keys.js';
import { deriveStorageProviderKeys } from './storage-providers/keys.js';
import { encodeChain, StateFileError, type SavedChain } from './persistence.js';
import { executionFailed } from './revert.js';
import { StorageProviderAgents } from './storage-providers/agents.js';
import { PieceStore } from './storage-providers/piece-store.js';
import { traceCall, traceTipset, type ReplayHost, type TracedMessage, type TraceOptions } from './replay.js';

/** A call or transaction as Ethereum clients describe one. */
export interface CallRequest {
  from?: Uint8Array;
  /** null or absent: a deployment. */
  to?: Uint8Array | null;
  gas?: number;
  value?: bigint;
  input?: Uint8Array;
}

export interface TransactionRequest extends CallRequest {
  from: Uint8Array;
  nonce?: number;
  maxFeePerGas?: bigint;
  maxPriorityFeePerGas?: bigint;
}

export interface DevnetEvents {
  tipset: [Tipset];
  pending: [PendingMessage];
  /** A message dropped because executing it threw: a devnet bug, reported rather than mined. */
  messageError: [PendingMessage, unknown];
  /** Scheduled work of a builtin actor (deal payments, proving) that failed at an epoch; undone, mining goes on. */
  cronError: [epoch: number, actor: number, unknown];
  /** Interval mining failed to mine a tipset (a devnet bug); the next interval tries again. */
  miningError: [unknown];
  /** The chain was put back to an earlier point (evm_revert, anvil_reset, anvil_loadState): what followed it is gone. */
  rewound: [];
  /** What the storage-provider agents did (a deal published, a sector sealed) or why they could not. */
  storageProvider: [level: 'info' | 'warn', line: string];
  /** A line a contract printed with console.log (in a transaction, a call or an estimate). */
  consoleLog: [string];
}

export class Devnet {
  readonly events = new EventEmitter<DevnetEvents>();
  readonly chain = new ChainStore();
  readonly mempool = new Mempool();
  readonly miner: Miner;
  readonly clock: Clock;
  /** Anvil's and Hardhat's cheat codes. */
  readonly cheats: Cheats;
  /** Orders the nonce-take-and-sign steps of eth_sendTransaction and MpoolPushMessage. */
  private readonly signing = new SerialQueue();
  /** Keys of native accounts imported with Filecoin.WalletImport. */
  readonly wallet = new NativeWallet();
  /** The storage providers' piece data (uploaded with PUT /piece/<cid>); off-chain, so snapshots and reverts leave it. */
  readonly pieces = new PieceStore();
  /** The simulated storage providers' agents (src/sp-agent): they publish, seal and settle deals. */
  readonly storageProviders: StorageProviderAgents;

  private constructor(
    readonly config: DevnetConfig,
    readonly accounts: DevAccount[],
    readonly state: StateTree,
    private readonly executor: Executor,
    saved: SavedChain | undefined,
  ) {
    this.events.setMaxListeners(0);
    executor.onConsoleLog = (line) => this.events.emit('consoleLog', line);
    this.fresh = saved === undefined;
    if (saved) {
      for (const tipset of saved.tipsets) this.chain.append(tipset);
      // A chain loaded from a file goes on at the wall clock's time.
      this.clock = new Clock(0);
      this.clock.increase(saved.clockOffset);
    } else {
      const genesisTime = config.genesisTimestamp ?? Math.floor(Date.now() / 1000);
      this.chain.append(buildTipset({ epoch: 0, timestamp: genesisTime, baseFee: INITIAL_BASE_FEE, parent: undefined, messages: [] }));
      // Time follows the wall clock, shifted so that the chain starts at its genesis time.
      this.clock = new Clock(genesisTime - Math.floor(Date.now() / 1000));
    }
    this.miner = new Miner({
      state,
      chain: this.chain,
      mempool: this.mempool,
      executor,
      chainId: config.chainId,
      seed: config.seed,
      clock: this.clock,
      onTipset: (tipset) => this.events.emit('tipset', tipset),
      onMessageError: (message, error) => this.events.emit('messageError', message, error),
      onCronError: (epoch, actor, error) => this.events.emit('cronError', epoch, actor, error),
      onMiningError: (error) => this.events.emit('miningError', error),
    });
    this.cheats = new Cheats(this);
    this.storageProviders = new StorageProviderAgents(this, { sealDelay: config.sealDelay, log: (level, line) => this.events.emit('storageProvider', level, line) });
    this.storageProviders.start();
    if (config.noMining) this.miner.setMode({ type: 'manual' });
    else if (config.blockTime) this.miner.setMode({ type: 'interval', blockTimeMs: config.blockTime * 1000 });
  }

  /** A new chain from genesis, or the one `saved` holds. */
  static async create(config: DevnetConfig, saved?: SavedChain): Promise<Devnet> {
    const accounts = deriveAccounts(config.mnemonic, config.accounts);
    const providerKeys = deriveStorageProviderKeys(config.mnemonic, config.storageProviders);
    const nodeKeys = deriveNodeKeys(config.mnemonic);
    if (saved && saved.chainId !== config.chainId) {
      throw new StateFileError(`the saved chain has chain id ${saved.chainId}, not ${config.chainId}`);
    }
    let state: StateTree;
    if (saved) {
      state = new StateTree();
      state.load(saved.state);
    } else {
      state = createGenesisState(
        accounts,
        config.balance,
        config.fund,
        { keys: providerKeys, sectorSize: config.sectorSize, ownerBalance: config.balance },
        { rootKey: nodeKeys.rootKey.address, verifier: nodeKeys.verifier.address, dealClient: nodeKeys.dealClient.address, verifierAllowance: GENESIS_VERIFIER_ALLOWANCE, balance: config.balance },
      );
    }
    const devnet = new Devnet(config, accounts, state, await Executor.create(config.chainId), saved);
    // The node holds the providers' owner/worker keys, so it can sign their messages.
    for (const key of providerKeys) devnet.wallet.import('secp256k1', key.privateKey);
    // And the verified registry's root key and verifier (devnet_addVerifiedClient signs with the latter),
    // and the deal client `fvm-devnet deal` uses by default.
    for (const key of [nodeKeys.rootKey, nodeKeys.verifier, nodeKeys.dealClient]) devnet.wallet.import('secp256k1', key.privateKey);
    // The deal client is the wallet's default address, as a Lotus devnet's imported genesis key is.
    devnet.wallet.setDefault(nodeKeys.dealClient.address);
    return devnet;
  }

  /** Whether this chain started from genesis now (not from a saved state): wallets must forget their nonces. */
  readonly fresh: boolean;

  /** The whole chain, encoded (anvil_dumpState, --dump-state). */
  save(): Uint8Array {
    return encodeChain({
      chainId: this.chainId,
      state: this.state.exportCommits(),
      tipsets: this.chain.all(),
      clockOffset: this.clock.save().offsetSeconds,
    });
  }

  /** Replaces the chain with a saved one (anvil_loadState); pending messages and snapshots are dropped. */
  load(saved: SavedChain): Promise<void> {
    if (saved.chainId !== this.chainId) {
      return Promise.reject(new StateFileError(`the saved chain has chain id ${saved.chainId}, not ${this.chainId}`));
    }
    return this.miner.queue.run(async () => {
      this.state.load(saved.state);
      this.chain.truncate(-1);
      for (const tipset of saved.tipsets) this.chain.append(tipset);
      this.mempool.clear();
      this.clock.restore({ offsetSeconds: saved.clockOffset, nextTimestamp: undefined, intervalSeconds: undefined });
      this.cheats.forgetSnapshots();
      this.events.emit('rewound');
    });
  }

  get chainId(): bigint {
    return this.config.chainId;
  }

  get head(): Tipset {
    return this.chain.head;
  }

  /** The tipsets the `finalized` and `safe` tags name, and the one simulated F3 has certified. */
  finality(): Finality {
    return finality(this.chain, this.config.f3Lag);
  }

  stateAt(epoch: number): StateReader {
    return this.state.at(epoch);
  }

  /** The storage miner actors after `epoch`, in the order the power actor lists their claims. */
  minersAt(epoch: number): Actor[] {
    const state = this.state.at(epoch);
    return (state.getActor(POWER_ACTOR_ID)?.power?.claims ?? []).map(([id]) => state.getActor(id)!);
  }

  /** The actor an Ethereum address names after `epoch`. */
  actorAt(eth: Uint8Array, epoch: number): Actor | undefined {
    return resolveEthAddress(this.state.at(epoch), eth);
  }

  /** The nonce the next transaction from `eth` should use, counting pending ones. */
  pendingNonce(eth: Uint8Array): number {
    const actor = resolveEthAddress(this.state.at(this.head.epoch), eth);
    return actor ? this.mempool.nextNonce(actor.id, actor.nonce) : 0;
  }

  /** A message waiting in the pool, by CID. */
  pendingMessage(cid: CID): PendingMessage | undefined {
    return this.mempool.getByCid(cid);
  }

  /** An Ethereum transaction waiting in the pool, by hash. */
  pendingTransaction(hash: Uint8Array): PendingMessage | undefined {
    return this.mempool.getByTxHash(hash);
  }

  /** The base fee the next tipset will charge. */
  nextBaseFee(): bigint {
    return this.miner.nextBaseFee ?? nextBaseFee(this.head.baseFee, this.head.gasLimit);
  }

  /** What eth_maxPriorityFeePerGas suggests: Lotus's premium for an uncongested chain. */
  gasPremium(): bigint {
    return DEFAULT_GAS_PREMIUM;
  }

  /** Queues a signed Ethereum transaction; in instant mode, returns once it is mined. */
  async sendRawTransaction(raw: Uint8Array): Promise<Uint8Array> {
    const { pending, mined } = await this.submit(raw);
    await mined;
    return pending.ethTx!.hash;
  }

  /** Signs with a dev account's key and sends (eth_sendTransaction). */
  async sendTransaction(request: TransactionRequest): Promise<Uint8Array> {
    const account = this.accounts.find((a) => equalBytes(a.address, request.from));
    const impersonated = !account && this.isImpersonated(request.from);
    if (!account && !impersonated) throw new DevnetError(`the node holds no key for ${bytesToHex(request.from)} and does not impersonate it`);
    const fill = await this.transactionFiller(request);
    // Taking the nonce and queueing the transaction happen as one step, so that concurrent sends
    // from one account get consecutive nonces.
    const { pending, mined } = await this.signing.run(async () => {
      const tx = fill();
      return account ? this.submit(await signEthTransaction(account.privateKey, tx)) : this.submitImpersonated(tx);
    });
    await mined;
    return pending.ethTx?.hash ?? pending.cid.multihash.digest;
  }

  /** Fills in and signs a transaction with a dev account's key, without sending it (eth_signTransaction). */
  async signTransaction(request: TransactionRequest): Promise<Uint8Array> {
    const key = this.devAccountKey(request.from);
    const fill = await this.transactionFiller(request);
    return signEthTransaction(key, fill());
  }

  /**
   * The private key of a dev account (eth_sign, personal_sign, eth_signTypedData_v4); an
   * impersonated address or any other has none, and gets an error saying so.
   */
  devAccountKey(address: Uint8Array): string {
    const account = this.accounts.find((a) => equalBytes(a.address, address));
    if (account) return account.privateKey;
    if (this.isImpersonated(address)) throw new DevnetError(`${bytesToHex(address)} is impersonated: the node sends for it but holds no key to sign with`);
    throw new DevnetError(`the node holds no key for ${bytesToHex(address)}: it signs only for its dev accounts (eth_accounts)`);
  }

  /**
   * What `request` leaves out, filled as eth_sendTransaction fills it: the gas estimated now, and a
   * function giving the whole transaction with the sender's next nonce at the time it is called.
   */
  private async transactionFiller(request: TransactionRequest): Promise<() => EthTransaction> {
    const premium = request.maxPriorityFeePerGas ?? this.gasPremium();
    const gas = request.gas ?? (await this.estimateGas(request));
    return () => ({
      type: 2,
      hash: new Uint8Array(32),
      chainId: this.chainId,
      nonce: request.nonce ?? this.pendingNonce(request.from),
      from: request.from,
      to: request.to ?? null,
      value: request.value ?? 0n,
      input: request.input ?? new Uint8Array(),
      gasLimit: gas,
      maxFeePerGas: request.maxFeePerGas ?? this.nextBaseFee() * 2n + premium,
      maxPriorityFeePerGas: premium,
      v: 0n,
      r: 0n,
      s: 0n,
    });
  }

  /** anvil_impersonateAccount and friends: which senders eth_sendTransaction sends for without a key. */
  readonly impersonated = new Set<string>();
  autoImpersonate = false;

  private isImpersonated(eth: Uint8Array): boolean {
    return this.autoImpersonate || this.impersonated.has(bytesToHex(eth));
  }

  /**
   * A transaction from an impersonated sender: no signature, so the node makes the message itself.
   * An f410 sender's shows as an Ethereum transaction whose hash covers the sender; a masked ID
   * naming a native account sends as that account's key address.
   */
  private submitImpersonated(tx: EthTransaction): Promise<Admitted> {
    const state = this.state.at(this.head.epoch);
    const sender = resolveEthAddress(state, tx.from);
    if (sender?.kind === 'evm') throw new DevnetError('a contract cannot send messages on Filecoin, so it cannot be impersonated');
    // A masked ID naming an Ethereum account sends as that account's f410 address.
    const delegated = isMaskedId(tx.from) ? sender?.delegated?.ethAddress : undefined;
    if (delegated) return this.submitImpersonated({ ...tx, from: delegated });
    if (isMaskedId(tx.from)) {
      if (sender?.kind !== 'account' || !sender.robust) throw new DevnetError(`${bytesToHex(tx.from)} names no account that can send`);
      const { message } = toFilecoinMessage(tx);
      const native = sender.robust.protocol === Protocol.BLS ? { type: SigType.BLS, data: new Uint8Array(96) } : { type: SigType.Secp256k1, data: new Uint8Array(65) };
      const signed: SignedMessage = { message: { ...message, from: sender.robust }, signature: native };
      return this.admit({ cid: signedMessageCid(signed), signed, chainSize: chainSize(signed) });
    }
    // No signature to hash: the hash covers the message, whose sender and nonce make it unique.
    const hashed = { ...tx, hash: keccak256(encodeMessage(toFilecoinMessage(tx).message)) };
    return this.submitEth(hashed);
  }

  /**
   * Queues a signed Filecoin message (Filecoin.MpoolPush): from an f1 or f3 account, or an f410 one
   * with the Ethereum signature of the transaction it stands for; in instant mode, returns once mined.
   */
  async pushMessage(signed: SignedMessage): Promise<CID> {
    const { pending, mined } = await (signed.signature.type === SigType.Delegated ? this.submitEth(ethTransactionFromMessage(signed, this.chainId)) : this.submitNative(signed));
    await mined;
    return pending.cid;
  }

  /**
   * Fills in a message's nonce and gas, signs it with a key the node holds and pushes it
   * (Filecoin.MpoolPushMessage).
   */
  async pushWithWallet(message: Message): Promise<SignedMessage> {
    if (!this.wallet.has(message.from)) throw new DevnetError(`the node holds no key for ${message.from.toString()}`);
    // Taking the nonce and queueing happen together, so that concurrent pushes get consecutive nonces.
    const gasLimit = message.gasLimit || (await this.estimateMessageGas(message, signatureTypeOf(message.from)));
    const gasPremium = message.gasPremium || DEFAULT_GAS_PREMIUM;
    const gasFeeCap = message.gasFeeCap || this.nextBaseFee() * 2n + gasPremium;
    const { pending, mined } = await this.signing.run(async () => {
      const sender = resolveAddress(this.state.at(this.head.epoch), message.from);
      const nonce = sender ? this.mempool.nextNonce(sender.id, sender.nonce) : 0;
      const signed = this.wallet.signMessage(message.from, { ...message, nonce, gasLimit, gasPremium, gasFeeCap }, this.chainId);
      // A delegated key's message goes in as the Ethereum transaction it was signed as.
      return signed.signature.type === SigType.Delegated ? this.submitEth(ethTransactionFromMessage(signed, this.chainId)) : this.submitNative(signed);
    });
    await mined;
    return pending.signed;
  }

  /** Where a message landed once it is mined; fails if it leaves the pool without being mined. */
  waitForMessage(cid: CID): Promise<MessageLocation> {
    const found = this.chain.messageByCid(cid.toString());
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const onTipset = () => {
        const location = this.chain.messageByCid(cid.toString());
        if (location) {
          this.events.off('tipset', onTipset);
          resolve(location);
        } else if (!this.mempool.getByCid(cid)) {
          this.events.off('tipset', onTipset);
          reject(new DevnetError(`message ${cid.toString()} was dropped from the message pool`));
        }
      };
      this.events.on('tipset', onTipset);
    });
  }

  /** Checks a native message's signature and adds it to the pool, or throws with the pool's reason. */
  private submitNative(signed: SignedMessage): Promise<Admitted> {
    const { message } = signed;
    const state = this.state.at(this.head.epoch);
    const keyAddress = message.from.protocol === Protocol.ID ? resolveAddress(state, message.from)?.robust : message.from;
    if (!keyAddress || !verifyNativeSignature(signed, keyAddress)) {
      throw new MessageRejectedError(`failed to validate message signature: not a valid signature by ${message.from.toString()}`);
    }
    return this.admit({ cid: signedMessageCid(signed), signed, chainSize: chainSize(signed) });
  }

  /**
   * Adds a message to the pool as one task of the miner's queue (the pool is chain state), or throws
   * with the pool's reason. Decoding and signature checks happen before, outside the queue.
   */
  private admit(pending: PendingMessage): Promise<Admitted> {
    return this.miner.queue.run(async () => {
      const ready = this.mempool.add(pending, this.state.at(this.head.epoch));
      this.events.emit('pending', pending);
      // The pool has told the miner; in instant mode the tipset that will take the message is queued.
      return { pending, mined: ready ? this.miner.queuedTipset : undefined };
    });
  }

  /** Decodes a signed transaction and adds it to the pool, or throws with the pool's reason. */
  private submit(raw: Uint8Array): Promise<Admitted> {
    return this.submitEth(decodeEthTransaction(raw, this.chainId));
  }

  /** Adds a decoded Ethereum transaction to the pool as the message Lotus makes of it. */
  private submitEth(tx: EthTransaction): Promise<Admitted> {
    const signed = toFilecoinMessage(tx);
    return this.admit({ cid: signedMessageCid(signed), signed, ethTx: tx, chainSize: chainSize(signed) });
  }

  /** Runs a call on the state after `epoch` without changing anything (eth_call). */
  async call(request: CallRequest, epoch: number): Promise<InvocationResult> {
    // As in Lotus, a call runs with the block gas limit whatever gas it names.
    const message = this.toMessage(request, BLOCK_GAS_LIMIT);
    const result = await this.runCall(message, epoch);
    if (result.exitCode !== ExitCode.Ok) throw executionFailed(result, message.to.toString(), message.method);
    // Lotus answers a deployment call with empty bytes, not the runtime code.
    return request.to ? result : { ...result, returnData: new Uint8Array() };
  }

  /** A gas limit with which the transaction succeeds (eth_estimateGas). */
  estimateGas(request: CallRequest): Promise<number> {
    return this.estimateMessageGas(this.toMessage(request, BLOCK_GAS_LIMIT), SigType.Delegated);
  }

  /**
   * A gas limit with which a message signed with `signatureType` succeeds, found as Lotus finds it:
   * the gas used at the block gas limit, plus chain inclusion, times 1.25; then raised while the
   * call runs out of gas.
   */
  async estimateMessageGas(message: Message, signatureType: SigType): Promise<number> {
    const probe = { ...message, gasLimit: BLOCK_GAS_LIMIT };
    const inclusion = onChainMessage(estimatedChainSize(probe, signatureType));
    const first = await this.runCall(probe, this.head.epoch);
    if (first.exitCode !== ExitCode.Ok) throw executionFailed(first, probe.to.toString(), probe.method);
    let limit = Math.min(BLOCK_GAS_LIMIT, Math.ceil(((inclusion + first.gasUsed) * GAS_LIMIT_OVERESTIMATION_PERCENT) / 100));
    // Calls that pass gas on (63/64 rules) may need more than they use: double until it passes.
    for (;;) {
      const result = await this.runCall({ ...probe, gasLimit: limit - inclusion }, this.head.epoch);
      if (result.exitCode === ExitCode.Ok) return limit;
      if (result.exitCode !== ExitCode.SysErrOutOfGas || limit >= BLOCK_GAS_LIMIT) {
        const error = executionFailed(result, probe.to.toString(), probe.method);
        throw new DevnetError(`gas search failed: ${error.message}`);
      }
      limit = Math.min(BLOCK_GAS_LIMIT, limit * 2);
    }
  }

  /** Runs a message on the state after `epoch` without changing anything (Filecoin.StateCall). */
  callMessage(message: Message, epoch: number): Promise<InvocationResult> {
    return this.runCall(message, epoch);
  }

  /**
   * Applies `messages` in order (nonces, balances and fees checked and charged, signatures not) on
   * the state after `epoch`, as epoch `atEpoch` would run them, each traced; nothing is kept
   * (Filecoin.StateCompute).
   */
  computeMessages(messages: readonly Message[], epoch: number, atEpoch: number): Promise<(MessageReceipt & { root?: SendFrame })[]> {
    const tipset = this.chain.atOrBefore(epoch)!;
    return this.miner.queue.run(async () => {
      const overlay = this.state.stage(epoch);
      const ctx = { epoch: atEpoch, timestamp: tipset.timestamp, chainId: this.chainId, baseFee: tipset.baseFee, seed: this.config.seed, tipsetHash: (e: number) => this.chain.hashAt(e) };
      const results: (MessageReceipt & { root?: SendFrame })[] = [];
      for (const message of messages) {
        const tracer = new Tracer({});
        const receipt = await this.executor.traced(tracer, () => this.executor.applyMessage(overlay, message, encodeMessage(message).length, ctx));
        results.push({ ...receipt, root: tracer.root });
      }
      return results;
    });
  }

  /**
   * Re-runs a mined tipset's messages on the state before it and traces those at `indices`
   * (debug_trace*, trace_*); the chain does not change (replay.ts).
   */
  traceTipset(tipset: Tipset, indices: 'all' | readonly number[], options: TraceOptions): Promise<TracedMessage[]> {
    return traceTipset(this.replayHost, tipset, indices, options);
  }

  /** Runs a call as eth_call does, on the state after `epoch`, traced (debug_traceCall). */
  traceCall(request: CallRequest, epoch: number, options: TraceOptions): Promise<TracedMessage> {
    return traceCall(this.replayHost, this.toMessage(request, request.gas ?? BLOCK_GAS_LIMIT), epoch, options);
  }

  private get replayHost(): ReplayHost {
    return { state: this.state, chain: this.chain, executor: this.executor, queue: this.miner.queue, chainId: this.chainId, seed: this.config.seed };
  }

  /** Mines one tipset now (evm_mine). */
  mine(): Promise<Tipset> {
    return this.miner.mine();
  }

  close(): void {
    this.miner.stop();
  }

  private runCall(message: Message, epoch: number): Promise<InvocationResult> {
    const tipset = this.chain.atEpoch(epoch);
    if (!tipset) throw new DevnetError(`no tipset at epoch ${epoch}`);
    return this.miner.queue.run(() =>
      this.executor.call(this.state.stage(epoch), message, {
        epoch: epoch + 1,
        timestamp: tipset.timestamp + 1,
        chainId: this.chainId,
        baseFee: nextBaseFee(tipset.baseFee, tipset.gasLimit),
        seed: this.config.seed,
        tipsetHash: (e: number) => this.chain.hashAt(e),
      }),
    );
  }

  /** The message Lotus would make of a call (ethtypes EthCall.ToFilecoinMessage). */
  private toMessage(request: CallRequest, gasLimit: number): Message {
    const to = request.to ? request.to : null;
    const input = request.input ?? new Uint8Array();
    const { message } = toFilecoinMessage({
      type: 2,
      hash: new Uint8Array(32),
      chainId: this.chainId,
      nonce: 0,
      // With no sender, Lotus calls from the f410 of the zero address.
      from: request.from ?? new Uint8Array(20),
      to,
      value: request.value ?? 0n,
      input,
      gasLimit,
      maxFeePerGas: 0n,
      maxPriorityFeePerGas: 0n,
      v: 0n,
      r: 0n,
      s: 0n,
    });
    return message;
  }

}

/** A message the pool took, and in instant mode the tipset that will take it when it can run now. */
interface Admitted {
  pending: PendingMessage;
  mined: Promise<Tipset> | undefined;
}

/** The signature a key address signs with. */
function signatureTypeOf(address: FilAddress): SigType {
  if (address.protocol === Protocol.Delegated) return SigType.Delegated;
  return address.protocol === Protocol.BLS ? SigType.BLS : SigType.Secp256k1;
}

/** The size a message would have once signed, to charge chain inclusion in estimates. */
function estimatedChainSize(message: Message, signatureType: SigType): number {
  // Fees and nonce as large as they may plausibly be, so that the estimate covers the real message.
  const sized = { ...message, gasFeeCap: 10n ** 12n, gasPremium: 10n ** 6n, nonce: 0xffff };
  const signatureBytes = signatureType === SigType.BLS ? 96 : 65;
  return chainSize({ message: sized, signature: { type: signatureType, data: new Uint8Array(signatureBytes) } });
}

/** The raw EIP-1559 transaction `tx` signed with `privateKey`. */
async function signEthTransaction(privateKey: string, tx: EthTransaction): Promise<Uint8Array> {
  const raw = await new Wallet(privateKey).signTransaction({
    type: 2,
    chainId: tx.chainId,
    nonce: tx.nonce,
    to: tx.to ? bytesToHex(tx.to) : null,
    value: tx.value,
    data: bytesToHex(tx.input),
    gasLimit: tx.gasLimit,
    maxFeePerGas: tx.maxFeePerGas,
    maxPriorityFeePerGas: tx.maxPriorityFeePerGas,
  });
  return hexToBytes(raw);
}
