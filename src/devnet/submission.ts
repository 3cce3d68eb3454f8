// Getting messages into the pool: signed Ethereum transactions, transactions the node signs for a
// dev account or sends for an impersonated one, signed Filecoin messages, and messages signed with
// a key of the node's wallet. Decoding and signature checks run first; adding to the pool is one task
// of the miner's queue (the pool is chain state), and in instant mode a send returns once mined.
import { Wallet } from 'ethers';
import { FilAddress, isMaskedId, maskedIdAddress, Protocol } from '../common/address.js';
import type { CID } from '../common/cbor.js';
import { ClientGoneError, DevnetError, InvalidParamsError, MessageRejectedError, RequestCancelledError } from '../common/errors.js';
import { keccak256 } from '../common/hashes.js';
import { bytesToHex, equalBytes, hexToBytes } from '../common/hex.js';
import type { Actor } from '../fevm/actor.js';
import { actorNotFound, deterministicAddress, resolveAddress, resolveEthAddress } from '../fevm/actors/lifecycle.js';
import { decodeEthTransactionMessage, ethParamsAndRecipientError, ethTransactionFromMessage, invalidSignature, toFilecoinMessage, toUnsignedMessage, type EthTransaction } from '../fevm/eth-tx.js';
import { DEFAULT_GAS_PREMIUM } from '../fevm/gas.js';
import { chainIdentity, encodeMessage, SigType, type Message, type SignedMessage } from '../fevm/message.js';
import { verifyNativeSignature } from '../fevm/signature.js';
import type { StateTree } from '../fevm/state-tree.js';
import type { ChainStore, MessageLocation } from '../mining/chain-store.js';
import type { Mempool, PendingMessage } from '../mining/mempool.js';
import type { Miner } from '../mining/miner.js';
import { SerialQueue } from '../mining/serial-queue.js';
import type { Tipset } from '../mining/tipset.js';
import type { DevAccount } from './accounts.js';
import type { CallRequest, Calls } from './calls.js';
import type { DevnetEventEmitter } from './events.js';
import { executedIn, MessageReplacedError, searchedBack, searchedMessage, searchMessage } from './message-search.js';
import type { NativeWallet } from './wallet.js';

export interface TransactionRequest extends CallRequest {
  from: Uint8Array;
  nonce?: number;
  maxFeePerGas?: bigint;
  maxPriorityFeePerGas?: bigint;
  /**
   * 0: a legacy EIP-155 transaction, its gas price `maxFeePerGas` (the request's `gasPrice`): a dev
   * account signs it; an impersonated sender's is sent as one too, as Anvil sends it, its message
   * Lotus's for a legacy transaction (fee cap and premium the gas price, an EIP-155 placeholder
   * signature). Else EIP-1559.
   */
  type?: 0 | 2;
}

/** A transaction of anvil_reorg: signed (raw bytes) or a request, and the new block (0: the first) that holds it. */
export interface ReorgTransaction {
  tx: Uint8Array | TransactionRequest;
  offset: number;
}

/** How Submission.waitForMessage waits. */
export interface MessageWait {
  /** Whether the message found is deep enough (StateWaitMsg's confidence); by default, once mined. */
  settled?: (location: MessageLocation) => boolean;
  /** A message mined at its nonce under another CID stands for it when it is the same call. */
  allowReplaced?: boolean;
  /** The message as found elsewhere (a dropped tipset's), searched for at its nonce. */
  loaded?: Message;
  /** Whether a search back from the head at `head` looks as far as `epoch` (StateWaitMsg's lookback limit); by default, all the way. */
  reached?: (epoch: number, head: number) => boolean;
  /** The request's: aborted once its client has gone, which ends the wait. */
  signal?: AbortSignal;
}

/** What submitting needs from the node. */
interface SubmissionDeps {
  state: StateTree;
  chain: ChainStore;
  mempool: Mempool;
  miner: Miner;
  events: DevnetEventEmitter;
  wallet: NativeWallet;
  accounts: readonly DevAccount[];
  chainId: bigint;
  calls: Calls;
  /** The base fee the next tipset will charge. */
  nextBaseFee: () => bigint;
  /** Throws while the chain's changes cannot be saved: a send is then refused. */
  checkWritable: () => void;
}

/** A message the pool took, and in instant mode the tipset that will take it when it can run now. */
interface Admitted {
  pending: PendingMessage;
  mined: Promise<Tipset> | undefined;
}

export class Submission {
  /** anvil_impersonateAccount and friends: which senders eth_sendTransaction sends for without a key. */
  readonly impersonated = new Set<string>();
  autoImpersonate = false;
  /** Orders the nonce-take-and-sign steps of eth_sendTransaction and MpoolPushMessage. */
  private readonly signing = new SerialQueue();
  /** On a fork, each sender's last eth_sendTransaction or MpoolPushMessage until it is admitted, by the sender's address in hex (inSenderOrder). */
  private readonly sendsInOrder = new Map<string, Promise<Admitted>>();

  constructor(private readonly node: SubmissionDeps) {}

  /**
   * The nonce the next transaction from `eth` should use, counting pending ones (eth_getTransactionCount
   * 'pending'): Lotus asks MpoolGetNonce, whose state lookup fails for an address with no actor
   * (node/impl/eth/transaction.go EthGetTransactionCount, chain/messagepool/messagepool.go getStateNonce).
   */
  pendingNonce(eth: Uint8Array): number {
    const actor = resolveEthAddress(this.headState(), eth);
    if (!actor) throw new DevnetError(`failed to get nonce from mpool: ${isMaskedId(eth) ? 'actor not found' : actorNotFound(FilAddress.fromEthAddress(eth))}`);
    return this.node.mempool.nextNonce(actor.id, actor.nonce);
  }

  /** The nonce the next message from a Filecoin address should use, counting pending ones (Filecoin.MpoolGetNonce; an error with no actor, as pendingNonce). */
  nextNonce(address: FilAddress): number {
    const actor = resolveAddress(this.headState(), address);
    if (!actor) throw new DevnetError(actorNotFound(address));
    return this.node.mempool.nextNonce(actor.id, actor.nonce);
  }

  /** The nonce the node gives a message it fills in: as nextNonce, 0 for a sender with no actor (which the pool then refuses with Lotus's reason). */
  private fillNonce(actor: Actor | undefined): number {
    return actor ? this.node.mempool.nextNonce(actor.id, actor.nonce) : 0;
  }

  /** Queues a signed Ethereum transaction; in instant mode, returns once it is mined. */
  async sendRawTransaction(raw: Uint8Array, { untrusted = false } = {}): Promise<Uint8Array> {
    const { pending, mined } = await this.withBatch(() => this.submit(raw, untrusted));
    await this.minedAndSaved(mined);
    return pending.ethTx!.hash;
  }

  /**
   * Runs `admit`, a send's way into the pool (its fill, its fork fetches, its turn in the queue), in
   * the hold of the batch that started it, if a batch holds instant mining (Miner.joinHold): so that
   * the batch's sends mine in one tipset even when they reach the pool after the batch has started
   * them all, as node-signed sends do once estimated and signed (readme1 M5).
   */
  private withBatch(admit: () => Promise<Admitted>): Promise<Admitted> {
    const release = this.node.miner.joinHold();
    // Not async: a send outside a batch pays no promise of its own.
    if (!release) return admit();
    const admitted = new Promise<Admitted>((resolve) => resolve(admit()));
    admitted.then(release, release);
    return admitted;
  }

  /** Signs with a dev account's key and sends (eth_sendTransaction), or sends an impersonated sender's unsigned. */
  async sendTransaction(request: TransactionRequest, { unsigned = false } = {}): Promise<Uint8Array> {
    // Unsigned (eth_sendUnsignedTransaction): sent as if impersonated, whoever the sender is, as Anvil does.
    const account = unsigned ? undefined : this.node.accounts.find((a) => equalBytes(a.address, request.from));
    const impersonated = unsigned || (!account && this.isImpersonated(request.from));
    if (!account && !impersonated) throw new DevnetError(`the node holds no key for ${bytesToHex(request.from)} and does not impersonate it`);
    const admit = () => this.fillAndAdmit(request, account);
    const { pending, mined } = await this.withBatch(() => (this.node.state.fetches ? this.inSenderOrder(request.from, admit) : admit()));
    await this.minedAndSaved(mined);
    return pending.ethTx?.hash ?? pending.cid.multihash.digest;
  }

  /** eth_sendTransaction's fill (an estimate, or on a fork the gas-given prefetch), then the nonce and the pool. */
  private async fillAndAdmit(request: TransactionRequest, account: DevAccount | undefined): Promise<Admitted> {
    const fill = await this.transactionFiller(request);
    // Taking the nonce and queueing the transaction happen as one step, so that concurrent sends
    // from one account get consecutive nonces.
    // What it reads is fetched already, on a fork: by its estimate, or by transactionFiller when its gas is given.
    return this.signing.run(async () => {
      const tx = await this.node.state.untilFetched(fill);
      return account ? this.submit(await signEthTransaction(account.privateKey, tx), false, true) : this.admit(await this.impersonatedMessage(tx), false, true);
    });
  }

  /**
   * On a fork, a sender's eth_sendTransaction or MpoolPushMessage is filled and admitted once its
   * previous one has been (review2 Q3, Q6): its fetches wait for the upstream outside the signing
   * queue, so a later warm send of the same sender would otherwise take the lower nonce. Lotus takes a
   * per-sender lock before it estimates and signs (node/impl/full/mpool.go MpoolPushMessage,
   * PushLocks); other senders go on. `from`: an Ethereum address, or a Filecoin one's bytes.
   */
  private inSenderOrder(from: Uint8Array, admit: () => Promise<Admitted>): Promise<Admitted> {
    const key = bytesToHex(from);
    const previous = this.sendsInOrder.get(key);
    const admitted = previous ? previous.then(admit, admit) : admit();
    this.sendsInOrder.set(key, admitted);
    const forget = () => this.sendsInOrder.get(key) === admitted && this.sendsInOrder.delete(key);
    admitted.then(forget, forget);
    return admitted;
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
    const account = this.node.accounts.find((a) => equalBytes(a.address, address));
    if (account) return account.privateKey;
    if (this.isImpersonated(address)) throw new DevnetError(`${bytesToHex(address)} is impersonated: the node sends for it but holds no key to sign with`);
    throw new DevnetError(`the node holds no key for ${bytesToHex(address)}: it signs only for its dev accounts (eth_accounts)`);
  }

  /**
   * What `request` leaves out, filled as eth_sendTransaction fills it: the gas estimated now, and a
   * function giving the whole transaction with the sender's next nonce at the time it is called.
   */
  private async transactionFiller(request: TransactionRequest, estimateAt?: { epoch: number }): Promise<() => EthTransaction> {
    // A legacy transaction's gas price is its fee cap and premium both, as Lotus makes its message.
    const gasPrice = request.type === 0 ? (request.maxFeePerGas ?? this.defaultGasPrice()) : undefined;
    const premium = gasPrice ?? request.maxPriorityFeePerGas ?? DEFAULT_GAS_PREMIUM;
    const gas = request.gas ?? (await this.node.calls.estimateGas(request, estimateAt));
    const fill = (): EthTransaction => ({
      type: request.type === 0 ? 0 : 2,
      hash: new Uint8Array(32),
      chainId: this.node.chainId,
      nonce: request.nonce ?? this.fillNonce(resolveEthAddress(this.headState(), request.from)),
      from: request.from,
      to: request.to ?? null,
      value: request.value ?? 0n,
      input: request.input ?? new Uint8Array(),
      gasLimit: gas,
      maxFeePerGas: gasPrice ?? request.maxFeePerGas ?? this.defaultFeeCap(premium),
      maxPriorityFeePerGas: premium,
      v: 0n,
      r: 0n,
      s: 0n,
    });
    // With its gas given there is no estimate to fetch what it reads: on a fork that is done here, before
    // the sends' signing queue, which a fetch inside would hold for every account (fidaudit4 V20).
    if (request.gas !== undefined && this.node.state.fetches) await this.prefetch(toUnsignedMessage(await this.node.state.untilFetched(fill)));
    return fill;
  }

  /**
   * On a fork, fetches what `message` reads by running it once as a call on the head's state (as an
   * estimate's reads are fetched: outside the miner's queue); any error is dropped.
   */
  private prefetch(message: Message): Promise<void> {
    return this.node.calls.fetchFor(message, this.node.chain.head.epoch).catch(() => undefined);
  }

  /**
   * Queues a signed Filecoin message (Filecoin.MpoolPush): from an f1 or f3 account, or an f410 one
   * with the Ethereum signature of the transaction it stands for; in instant mode, returns once mined.
   * `untrusted`: as MpoolPushUntrusted, with its lower cap on a sender's pending messages.
   */
  async pushMessage(signed: SignedMessage, { untrusted = false } = {}): Promise<CID> {
    const { pending, mined } = await this.withBatch(() => this.submitSigned(signed, untrusted));
    await this.minedAndSaved(mined);
    return pending.cid;
  }

  /**
   * A delegated-signature message goes in as the Ethereum transaction it was signed as, any other as a
   * native message; either once it meets the pool's rules that need no state, which Lotus checks
   * before the signature (chain/messagepool/messagepool.go checkMessage, then VerifyMsgSig). Checked
   * here only: the pool's add skips them (`checked`), as it runs them for every other way in.
   */
  private submitSigned(signed: SignedMessage, untrusted = false, fetched = false) {
    const pending = pendingMessage(signed);
    this.node.mempool.checkMessage(pending);
    if (signed.signature.type !== SigType.Delegated) return this.submitNative(pending, untrusted, fetched);
    // The Ethereum transaction it was signed as: its round trip (ethTransactionFromMessage) found that
    // the message and signature Lotus makes of it are the pushed ones, so the pending message made
    // above stands, with its transaction, as eth_sendRawTransaction's would.
    pending.ethTx = ethTransactionFromMessage(signed, this.node.chainId);
    return this.admit(pending, untrusted, fetched, true);
  }

  /**
   * Fills in a message's nonce and gas, signs it with a key the node holds and pushes it
   * (Filecoin.MpoolPushMessage). `fill`: what MpoolPushMessage does before it signs (its gas estimate
   * and balance check), run on `pushed` in the sender's turn; without it, the gas limit is estimated.
   */
  async pushWithWallet(pushed: Message, fill?: (message: Message) => Promise<Message>): Promise<SignedMessage> {
    const { pending, mined } = await this.withBatch(async () => {
      // From an ID address, Lotus signs with the key of the account it names ("Push from ID address, adjusting").
      const from = pushed.from.protocol === Protocol.ID ? await this.node.state.untilFetched(() => this.deterministicAddressOf(pushed.from)) : pushed.from;
      const admit = () => this.fillAndPush(pushed, from, fill);
      // On a fork, in the sender's order (an f410 sender's shared with its eth_sendTransaction), as Lotus
      // takes MpoolPushMessage's per-sender lock on the key address before it estimates.
      return this.node.state.fetches ? this.inSenderOrder(from.ethAddress ?? from.bytes, admit) : admit();
    });
    await this.minedAndSaved(mined);
    return pending.signed;
  }

  /** pushWithWallet's fill (an estimate, or on a fork the gas-given prefetch), then the nonce, the signature and the pool. */
  private async fillAndPush(pushed: Message, from: FilAddress, fill: ((message: Message) => Promise<Message>) | undefined): Promise<Admitted> {
    const { wallet } = this.node;
    const message = { ...(fill ? await fill(pushed) : pushed), from };
    // An account impersonated by its masked ID sends unsigned, as eth_sendTransaction does for it.
    const impersonated = wallet.has(from) ? undefined : await this.node.state.untilFetched(() => this.impersonatedAccount(from));
    // Lotus's messagesigner: a delegated key signs the Ethereum transaction the message stands for, so a
    // message that is none is refused (SigningBytes), then the wallet must hold the key (WalletSign).
    const notEth = from.protocol === Protocol.Delegated ? ethParamsAndRecipientError(message) : undefined;
    if (notEth) throw new DevnetError(`failed to reconstruct eth transaction: failed to get eth params and recipient: ${notEth}`);
    if (!wallet.has(from) && !impersonated) throw new DevnetError(`failed to sign message: key not found for ${from.toString()}, addr=${from.toString()}`);
    const sender = impersonated?.robust ?? from;
    const gasLimit = message.gasLimit || (await this.node.calls.estimateMessageGas(message, signatureTypeOf(sender)));
    const gasPremium = message.gasPremium || DEFAULT_GAS_PREMIUM;
    const gasFeeCap = message.gasFeeCap || this.defaultFeeCap(gasPremium);
    // With its gas limit given there is no estimate to fetch what it reads: on a fork that is done here,
    // before the signing queue, which a fetch inside would hold for every account (review2 Q6, as V20).
    if (pushed.gasLimit && this.node.state.fetches) await this.prefetch({ ...message, from: sender, gasLimit, gasPremium, gasFeeCap });
    // Taking the nonce and queueing happen together, so that concurrent pushes get consecutive nonces.
    // What it reads is fetched already, on a fork: by its estimate or by the prefetch above.
    return this.signing.run(async () => {
      const nonce = await this.node.state.untilFetched(() => this.fillNonce(resolveAddress(this.headState(), from)));
      const filled = { ...message, nonce, gasLimit, gasPremium, gasFeeCap };
      const signed = impersonated ? undefined : wallet.signMessage(from, filled, this.node.chainId);
      try {
        return await (signed ? this.submitSigned(signed, false, true) : this.admit(unsignedPending({ ...filled, from: sender }), false, true));
      } catch (error) {
        // What the pool refuses, in the words of Lotus's push callback (node/impl/full/mpool.go MpoolPushMessage).
        throw error instanceof MessageRejectedError ? new MessageRejectedError(`mpool push: failed to push message: ${error.message}`) : error;
      }
    });
  }

  /**
   * The fee cap the node fills in when it sends: twice the next base fee plus the premium, and no
   * less than the pool admits (anvil_setMinGasPrice raises that minimum).
   */
  defaultFeeCap(gasPremium: bigint): bigint {
    return this.node.mempool.admittedFeeCap(this.node.nextBaseFee() * 2n + gasPremium);
  }

  /**
   * The gas price the node fills in for a legacy transaction: the next base fee plus the premium it
   * fills in for an EIP-1559 one, as Anvil fills its gas price (base fee plus its priority fee), and no
   * less than the pool admits.
   */
  private defaultGasPrice(): bigint {
    return this.node.mempool.admittedFeeCap(this.node.nextBaseFee() + DEFAULT_GAS_PREMIUM);
  }

  /**
   * Whether the node can push messages from `address` (MpoolPushMessage, the storage providers'
   * agents): it holds its key, or it is an account impersonated by its masked ID address.
   */
  canSendFrom(address: FilAddress): boolean {
    return this.node.wallet.has(address) || this.impersonatedAccount(address) !== undefined;
  }

  /** The key address an ID address names (Lotus ResolveToDeterministicAddress), or the ID address if none. */
  private deterministicAddressOf(id: FilAddress): FilAddress {
    return deterministicAddress(this.headState(), id) ?? id;
  }

  /** The account `address` names, if it is impersonated by its masked ID address (anvil_impersonateAccount). */
  private impersonatedAccount(address: FilAddress): Actor | undefined {
    const actor = resolveAddress(this.headState(), address);
    return actor?.kind === 'account' && actor.robust && this.isImpersonated(maskedIdAddress(actor.id)) ? actor : undefined;
  }

  /**
   * Where a message landed once it is mined and `settled` holds for where it is (looked up again at
   * each tipset, so a rewound chain's new place counts); fails if it leaves the pool without being
   * mined. A message a replacement pushed out is found as the one mined at its nonce
   * (message-search.ts), which fails unless `allowReplaced` and it is the same call; so is `loaded`,
   * the message as found elsewhere (a dropped tipset's), as searchMessage takes it. A `loaded` one is
   * waited for until its sender's nonce is mined, in the pool or not (a revert does not put a mined
   * message back), as Lotus's WaitForMessage checks each new tipset for it (chain/stmgr/searchwait.go).
   *
   * Lotus searches back from the head in the background and only logs what fails there (lotus b835fab70
   * chain/stmgr/searchwait.go WaitForMessage): a message at its nonce below the head that may not stand
   * for it (a secp message asked for by its unsigned CID with no replacement allowed), or one below
   * `reached` (the lookback limit), leaves the wait watching new tipsets only, for as long as the
   * client waits. The wait ends when `signal` aborts (its client gone, or its request cancelled:
   * ws-cancels.ts), its tipset listener with it.
   */
  waitForMessage(cid: CID, options: MessageWait = {}): Promise<MessageLocation> {
    const { settled = () => true, allowReplaced = false, loaded, reached = () => true, signal } = options;
    const { mempool, events, chain } = this.node;
    const search = () => this.searchMessage(cid, allowReplaced, chain.head, false, loaded);
    let found: MessageLocation | undefined;
    let gaveUp = false;
    try {
      found = search();
      // A message at its nonce, found searching back (the chain's index has only its own CID), out of reach.
      if (found && searchedBack(found, cid, chain.head) && !reached(found.tipset.epoch, chain.head.epoch)) {
        found = undefined;
        gaveUp = true;
      }
    } catch (error) {
      if (!(error instanceof MessageReplacedError && error.lookback)) throw error;
      gaveUp = true;
    }
    // Once the search back gave up: the message watched for at its nonce in the tipsets mined from then on.
    const watchedFor = gaveUp ? (loaded ?? searchedMessage(this.node, cid)) : undefined;
    if (found && settled(found)) return Promise.resolve(found);
    if (signal?.aborted) return Promise.reject(waitEnded(signal));
    return new Promise((resolve, reject) => {
      const stop = () => {
        events.off('tipset', onTipset);
        signal?.removeEventListener('abort', onGone);
      };
      const onGone = () => {
        stop();
        reject(waitEnded(signal!));
      };
      // After the search back gave up: the last tipset that ran it, while it stays on the chain.
      const watched = (tipset: Tipset, message: Message) => {
        if (found && chain.byBlockHash(found.tipset.hash)) return found;
        return (found = executedIn(tipset, cid, message, allowReplaced, false));
      };
      const onTipset = (tipset: Tipset) => {
        try {
          const location = watchedFor ? watched(tipset, watchedFor) : search();
          if (location) {
            if (!settled(location)) return;
            stop();
            resolve(location);
          } else if (!watchedFor && !loaded && !mempool.stillPending(cid)) {
            stop();
            reject(new DevnetError(`message ${cid.toString()} was dropped from the message pool`));
          }
        } catch (error) {
          stop();
          reject(error);
        }
      };
      events.on('tipset', onTipset);
      signal?.addEventListener('abort', onGone, { once: true });
    });
  }

  /**
   * Where the message `cid` ran up to `upTo`, or for a replaced message the replacement that stands
   * for it (message-search.ts, which throws MessageReplacedError; `startedAbove` and `loaded` as there).
   */
  searchMessage(cid: CID, allowReplaced: boolean, upTo: Tipset, startedAbove = false, loaded?: Message): MessageLocation | undefined {
    const { chain, mempool, state } = this.node;
    return searchMessage({ chain, mempool, stateAt: (epoch) => state.at(epoch) }, cid, allowReplaced, upTo, startedAbove, loaded);
  }

  private headState() {
    return this.node.state.at(this.node.chain.head.epoch);
  }

  /** Whether eth_sendTransaction sends for `eth` without a key (anvil_impersonateAccount, anvil_autoImpersonateAccount). */
  isImpersonated(eth: Uint8Array): boolean {
    return this.autoImpersonate || this.impersonated.has(bytesToHex(eth));
  }

  /**
   * The message a transaction from an impersonated sender sends: no signature, so the node makes the
   * message itself. An f410 sender's shows as an Ethereum transaction whose hash covers the sender; a
   * masked ID naming a native account sends as that account's key address.
   */
  private async impersonatedMessage(tx: EthTransaction): Promise<PendingMessage> {
    const sender = await this.node.state.untilFetched(() => resolveEthAddress(this.headState(), tx.from));
    if (sender?.kind === 'evm') throw new DevnetError('a contract cannot send messages on Filecoin, so it cannot be impersonated');
    // A masked ID naming an Ethereum account sends as that account's f410 address.
    const delegated = isMaskedId(tx.from) ? sender?.delegated?.ethAddress : undefined;
    if (delegated) return this.impersonatedMessage({ ...tx, from: delegated });
    if (isMaskedId(tx.from)) {
      if (sender?.kind !== 'account' || !sender.robust) throw new DevnetError(`${bytesToHex(tx.from)} names no account that can send`);
      return unsignedPending({ ...toFilecoinMessage(tx).message, from: sender.robust });
    }
    // No signature to hash: the hash covers the message, whose sender and nonce make it unique.
    const signed = toFilecoinMessage(tx);
    return pendingMessage(signed, { ...tx, hash: keccak256(encodeMessage(signed.message)) });
  }

  /**
   * anvil_reorg's transactions, each with its block offset, as the messages they send, not pooled: a
   * signed transaction decoded (its own nonce), a request signed by a dev account or sent for an
   * impersonated sender as eth_sendTransaction fills it but for its nonce, its gas estimated on the
   * tipset the new chain grows from (Anvil estimates on its head: a Filecoin message may cost more
   * where, say, its recipient does not exist yet), the reorg's transactions before it not run. What
   * is returned makes the new blocks' messages, by block offset, on the new chain's parent: a
   * request's nonce is its sender's there, counted on through the requests before it, in block order
   * (Anvil's).
   */
  async reorgBlocks(depth: number, transactions: readonly ReorgTransaction[]): Promise<(parentEpoch: number) => Promise<PendingMessage[][]>> {
    const { chain } = this.node;
    const parent = chain.atOrBefore(chain.head.epoch - depth)!;
    const makers: ((nextNonce: (from: Uint8Array) => Promise<number>) => Promise<PendingMessage>)[] = [];
    for (const [i, { tx }] of transactions.entries()) makers.push(await this.reorgMessage(tx, `txBlockPairs[${i}][0]`, parent.epoch));
    // Stable: a block's transactions in the order given.
    const order = transactions.map((_, i) => i).sort((a, b) => transactions[a]!.offset - transactions[b]!.offset);
    return async (parentEpoch) => {
      const { state } = this.node;
      const nonces = new Map<string, number>();
      const nextNonce = async (from: Uint8Array) => {
        const key = bytesToHex(from);
        const nonce = nonces.get(key) ?? (await state.untilFetched(() => resolveEthAddress(state.at(parentEpoch), from)))?.nonce ?? 0;
        nonces.set(key, nonce + 1);
        return nonce;
      };
      const blocks: PendingMessage[][] = Array.from({ length: depth }, () => []);
      for (const i of order) {
        const { offset } = transactions[i]!;
        blocks[offset]!.push(await makers[i]!(nextNonce));
      }
      return blocks;
    };
  }

  /**
   * reorgBlocks' message for one transaction (`name`: the parameter it came in), given the new chain's
   * nonce counter (a request takes its sender's next) when the new chain's parent is known. One that cannot be decoded, or that no key signs,
   * is refused as Anvil refuses it (-32602).
   */
  private async reorgMessage(tx: Uint8Array | TransactionRequest, name: string, parentEpoch: number): Promise<(nextNonce: (from: Uint8Array) => Promise<number>) => Promise<PendingMessage>> {
    if (tx instanceof Uint8Array) {
      let decoded: ReturnType<typeof decodeEthTransactionMessage>;
      try {
        decoded = decodeEthTransactionMessage(tx, this.node.chainId);
      } catch (error) {
        throw new InvalidParamsError(`${name}: Failed to decode transaction: ${(error as Error).message}`);
      }
      const pending = pendingMessage(decoded.signed, decoded.tx);
      return async () => pending;
    }
    const account = this.node.accounts.find((a) => equalBytes(a.address, tx.from));
    if (!account && !this.isImpersonated(tx.from)) throw new InvalidParamsError(`${name}: No Signer available: the node holds no key for ${bytesToHex(tx.from)} and does not impersonate it`);
    // Its nonce is set below: the head's is not looked up.
    const fill = await this.transactionFiller({ ...tx, nonce: 0 }, { epoch: parentEpoch });
    return async (nextNonce) => {
      const filled = { ...fill(), nonce: await nextNonce(tx.from) };
      if (!account) return this.impersonatedMessage(filled);
      const { tx: ethTx, signed } = decodeEthTransactionMessage(await signEthTransaction(account.privateKey, filled), this.node.chainId);
      return pendingMessage(signed, ethTx);
    };
  }

  /**
   * Waits for the instant-mining tipset that takes a send, if any. One mined but not saved (--state's
   * journal could not be written) is answered with that error, not as sent: a restart would lose it.
   */
  private async minedAndSaved(mined: Promise<Tipset> | undefined): Promise<void> {
    if (!mined) return;
    await mined;
    this.node.checkWritable();
  }

  /**
   * Checks a native message's signature and adds it to the pool, or throws with the pool's reason. Its
   * sender must be a key address: Lotus's pool verifies the signature against the From as it is
   * (chain/messagepool/messagepool.go VerifyMsgSig, lib/sigs/sigs.go Verify), which an ID cannot be.
   */
  private async submitNative(pending: PendingMessage, untrusted: boolean, fetched = false): Promise<Admitted> {
    const { signed } = pending;
    const { message } = signed;
    if (message.from.protocol === Protocol.ID) {
      throw invalidSignature(pending.cid, signed.signature.type, 'must resolve ID addresses before using them to verify a signature');
    }
    const { type, data } = signed.signature;
    // The pool's signature check (VerifyMsgSig: a BLS signature's size first, then AuthenticateMessage's lib/sigs Verify).
    if (type === SigType.BLS && data.length !== 96) throw new MessageRejectedError('signature verification failed: bls signature incorrectly sized');
    if (!verifyNativeSignature(signed, message.from)) {
      const reason = type === SigType.BLS ? 'bls signature failed to verify' : 'signature did not match';
      throw invalidSignature(pending.cid, type, reason);
    }
    return this.admit(pending, untrusted, fetched, true);
  }

  /**
   * Adds a message to the pool as one task of the miner's queue (the pool is chain state), or throws
   * with the pool's reason. Decoding and signature checks happen before, outside the queue. On a
   * fork, the pool's checks (which read before the pool changes) run again once what they missed is
   * fetched: the message is added once. `fetched`: what it reads was fetched before (eth_sendTransaction).
   * `checked`: it met the pool's checkMessage rules before its signature was checked (submitSigned).
   */
  private admit(pending: PendingMessage, untrusted = false, fetched = false, checked = false): Promise<Admitted> {
    // On a fork, what the message reads is fetched first (prefetch): its task must not wait on the
    // upstream while every other client's sends and calls queue behind it (fidaudit4 V20); the pool
    // and the tipset judge the message as before.
    if (this.node.state.fetches && !fetched) return this.prefetch(pending.signed.message).then(() => this.admitFetched(pending, untrusted, checked));
    return this.admitFetched(pending, untrusted, checked);
  }

  /** admit's task in the miner's queue. */
  private admitFetched(pending: PendingMessage, untrusted: boolean, checked: boolean): Promise<Admitted> {
    const { miner, mempool, events, state } = this.node;
    return miner.queue.run(async () => {
      this.node.checkWritable();
      const ready = await state.untilFetched(() => mempool.add(pending, this.headState(), this.node.nextBaseFee(), untrusted, checked));
      events.emit('pending', pending);
      // The pool has told the miner; in instant mode the tipset that will take the message is queued.
      // A message the next tipset would not take (its fee cap under the base fee) waits: its send
      // answers at once, as a pending transaction, as under manual mining.
      return { pending, mined: ready ? miner.queuedTipsetFor(pending) : undefined };
    });
  }

  /** Decodes a signed transaction and adds it to the pool (`untrusted`: as MpoolPushUntrusted), or throws with the pool's reason. */
  private submit(raw: Uint8Array, untrusted = false, fetched = false): Promise<Admitted> {
    const { tx, signed } = decodeEthTransactionMessage(raw, this.node.chainId);
    return this.admit(pendingMessage(signed, tx), untrusted, fetched);
  }
}

/**
 * A signed message as the pool holds it. Written out field by field: V8 (Node 20) gives an object
 * spread followed by more fields a hidden class of its own each time, made in the old generation.
 */
function pendingMessage(signed: SignedMessage, ethTx?: EthTransaction): PendingMessage {
  const { cid, chainSize } = chainIdentity(signed);
  return { cid, signed, ethTx, chainSize };
}

/** A native message from an impersonated account: a placeholder signature of its key's type, which nothing checks. */
function unsignedPending(message: Message): PendingMessage {
  const signature = message.from.protocol === Protocol.BLS ? { type: SigType.BLS, data: new Uint8Array(96) } : { type: SigType.Secp256k1, data: new Uint8Array(65) };
  return pendingMessage({ message, signature });
}

/** Why a message wait ended on its signal: its request cancelled (the cancel's own error, `context canceled`), else its client gone. */
function waitEnded(signal: AbortSignal): DevnetError {
  return signal.reason instanceof RequestCancelledError ? signal.reason : new ClientGoneError('message wait');
}

/** The signature a key address signs with. */
function signatureTypeOf(address: FilAddress): SigType {
  if (address.protocol === Protocol.Delegated) return SigType.Delegated;
  return address.protocol === Protocol.BLS ? SigType.BLS : SigType.Secp256k1;
}

/** The raw transaction `tx` signed with `privateKey`: EIP-1559, or legacy with an EIP-155 `v` (its gas price the fee cap). */
async function signEthTransaction(privateKey: string, tx: EthTransaction): Promise<Uint8Array> {
  const common = { chainId: tx.chainId, nonce: tx.nonce, to: tx.to ? bytesToHex(tx.to) : null, value: tx.value, data: bytesToHex(tx.input), gasLimit: tx.gasLimit };
  const fees = tx.type === 0 ? { type: 0, gasPrice: tx.maxFeePerGas } : { type: 2, maxFeePerGas: tx.maxFeePerGas, maxPriorityFeePerGas: tx.maxPriorityFeePerGas };
  return hexToBytes(await new Wallet(privateKey).signTransaction({ ...common, ...fees }));
}
