// The Lotus message pool and gas methods: Filecoin.MpoolPush, MpoolBatchPush, MpoolBatchPushMessage,
// MpoolPending, MpoolSelect, MpoolGetNonce, MpoolClear, MpoolGetConfig, MpoolSub, GasEstimateMessageGas,
// GasEstimateGasLimit, GasEstimateFeeCap, GasEstimateGasPremium.
import { Protocol, type FilAddress } from '../../common/address.js';
import { canSend } from '../../fevm/actor.js';
import { resolveAddress } from '../../fevm/actors/lifecycle.js';
import { ExitCode, formatExitCode } from '../../fevm/exit-code.js';
import { GAS_LIMIT_OVERESTIMATION_PERCENT } from '../../fevm/gas.js';
import { capGasFee, estimateFeeCap, estimateGasPremium, MESSAGE_PREMIUM_BLOCKS, withFeeCap, type SendSpec } from '../../devnet/fee-estimates.js';
import type { BatchBudget } from '../../fevm/run-budget.js';
import type { PendingMessage } from '../../mining/mempool.js';
import type { Tipset } from '../../mining/tipset.js';
import { SigType, type Message, type SignedMessage } from '../../fevm/message.js';
import type { Devnet } from '../../devnet/devnet.js';
import type { CID } from '../../common/cbor.js';
import { defineChannelMethod, defineMethod, defineWriteMethod } from '../define-method.js';
import { DevnetError } from '../../common/errors.js';
import { signedMessageCid } from '../../fevm/message.js';
import { branchDown, keptFeeHistory, keptTipsetOf, tipsetState, walkedParentOf } from '../dropped-tipsets.js';
import { keyAddressAt } from '../key-address.js';
import { wrapped } from '../log-criteria.js';
import { cidJson, messageJson, signedMessageJson } from '../lotus-json.js';
import { filAddress, integer, message, messages, sendSpec, signedMessage, tipsetKey } from '../lotus-params.js';
import { bool, invalid, listOf, type Param } from '../params.js';

/**
 * What the Filecoin gas estimates read at their key, as Lotus reads its tipset there (lotus b835fab70
 * node/impl/full/gas.go, node/impl/gasutils/gasutils.go): an ID sender's key address
 * (ResolveToDeterministicAddress; its refusal a DevnetError in Lotus's words), the premium for
 * `blocks` (GasEstimateGasPremium: its parents' premiums) and the base fee a fee cap grows from (its
 * ParentBaseFee). The gas itself runs on the pool's head whatever the key. A tipset the devnet holds
 * (heldKey), or on a fork an upstream one before the fork epoch (fork-tipsets.ts).
 */
export interface EstimateKey {
  /** Refuses an address with no key address there (an f2 always, an ID only of an account or an actor with an f4 address passes). */
  keyAddress(address: FilAddress): Promise<void>;
  /** `msg` with its gas limit filled, the sender and limit Lotus passes on (its GasEstimateGasPremium reads neither). */
  premium(blocks: number, msg: Message): Promise<bigint>;
  baseFee: bigint;
}

/** A tipset the devnet holds (a dropped one too, read along its own branch) as an estimate's key. */
function heldKey(devnet: Devnet, tipset: Tipset): EstimateKey {
  return {
    keyAddress: async (address) => {
      await devnet.untilFetched(() => keyAddressAt(devnet, address, tipset));
    },
    premium: async (blocks) => devnet.withPremiumHistory(() => estimateGasPremium(keptFeeHistory(devnet), tipset, blocks)),
    baseFee: tipset.baseFee,
  };
}

/**
 * What Lotus's GasEstimateMessageGas fills of a message left at zero, reading at its key (`at`,
 * given the prefix of the error loading it would give): the gas limit (used times 1.25, on the pool's
 * pending state whatever the key), the premium for 10 blocks, the fee cap for 20; then its fee capped
 * by the spec's MaxFee or 0.07 FIL (CapGasFee), though never below the pool's minimum. As Lotus, the
 * key is loaded by the first estimate the message needs, whose error says which; a message with all
 * three set never loads it. MpoolPushMessage and the methods that push through it fill so, at the head.
 */
async function estimateMessageGas(devnet: Devnet, msg: Message, spec: SendSpec, at: (loading: string) => EstimateKey, batch?: BatchBudget): Promise<Message> {
  const loading = !msg.gasLimit ? 'getting tipset: ' : !msg.gasPremium ? 'estimating gas price: getting tipset from key: ' : !msg.gasFeeCap ? 'estimating fee cap: getting tipset from key: ' : undefined;
  // All three set: nothing is read at the key (no base fee either), the fee only capped.
  if (loading === undefined) return capGasFee(msg, spec);
  const key = at(loading);
  const gasLimit = msg.gasLimit || (await estimateGasLimit(devnet, msg, key, batch));
  let gasPremium = msg.gasPremium;
  try {
    gasPremium ||= await key.premium(MESSAGE_PREMIUM_BLOCKS, { ...msg, gasLimit });
  } catch (error) {
    throw wrapped(error, 'estimating gas price: ');
  }
  const filled = withFeeCap({ ...msg, gasLimit, gasPremium }, key.baseFee, spec);
  // After anvil_setMinGasPrice, a fee cap the node fills is one its pool admits, whatever the cap.
  return msg.gasFeeCap ? filled : { ...filled, gasFeeCap: devnet.admittedFeeCap(filled.gasFeeCap) };
}

/** The tipset a key names as an estimate's key (the chain's or a kept dropped one: keptTipsetOf), its error after `prefix` as Lotus wraps it. */
function loadedKey(devnet: Devnet, key: CID[] | undefined, prefix: string): EstimateKey {
  return heldKey(devnet, loadedTipset(devnet, key, prefix));
}

/** The tipset a key names, the chain's or a kept dropped one (keptTipsetOf), its error after `prefix` as Lotus wraps it. */
function loadedTipset(devnet: Devnet, key: CID[] | undefined, prefix: string): Tipset {
  try {
    return keptTipsetOf(devnet, key);
  } catch (e) {
    throw wrapped(e, prefix);
  }
}

/** GasEstimateGasLimit at a key the fork's upstream holds (fork-tipsets.ts): the key's reads through `at`. */
export async function gasLimitAt(devnet: Devnet, msg: Message, at: EstimateKey): Promise<number> {
  return devnet.estimateGasLimit(msg, await checkedSignatureType(devnet, msg, at));
}

/** GasEstimateMessageGas at a key the fork's upstream holds (fork-tipsets.ts), as its JSON: the key's reads through `at`. */
export async function messageGasAt(devnet: Devnet, msg: Message, spec: SendSpec, at: EstimateKey): Promise<unknown> {
  return messageJson(await estimateMessageGas(devnet, msg, spec, () => at));
}

/**
 * What Lotus's MpoolSelect answers at `tipset` (lotus b835fab70 chain/messagepool/selection.go
 * SelectMessages): the pool's messages and those a reorg from the head to `tipset` would revert (the
 * chain's tipsets above where `tipset`'s branch meets it: getPendingMessages' runHeadChange; the
 * messages the reorg would apply are below their senders' nonces in `tipset`'s state, so none of them
 * runs), each sender's run from its nonce and balance after `tipset` (GetActorAfter: a dropped one's
 * kept state), at the base fee of a tipset mined on it. Null only when there is no such message at
 * all (selectMessagesGreedy/Optimal's `len(pending) == 0`); when none of them can run, none selected.
 */
function selectAt(devnet: Devnet, tipset: Tipset): PendingMessage[] | null {
  const { below } = branchDown(devnet, tipset, -1);
  const reverted = devnet.chain.range(below.epoch + 1, devnet.head.epoch).flatMap((t) => t.messages);
  const selected = devnet.selectMessages(tipset, tipsetState(devnet, tipset), reverted);
  const considered = selected.length > 0 || reverted.length > 0 || devnet.poolSize > 0;
  return considered ? selected : null;
}

/**
 * The pool's pending messages as Lotus's MpoolPending answers them at `tipset` (lotus b835fab70
 * node/impl/full/mpool.go): for a tipset above the pool's head (one a revert or reorg dropped), also
 * the messages of its branch the pool does not hold, walked down its parents, newest tipset first,
 * until the first at or below the head's height, whose own are taken too unless it is the head (at
 * the head's height, all but the head's). The devnet's pool's head is the chain's.
 */
function pendingFrom(devnet: Devnet, tipset: Tipset): { signed: SignedMessage; cid: CID }[] {
  const pending: { signed: SignedMessage; cid: CID }[] = devnet.poolContent().pending;
  const { head } = devnet;
  if (head.epoch > tipset.epoch) return pending;
  const have = new Set(pending.map((p) => p.cid.toString()));
  const out = [...pending];
  for (let t = tipset; ; t = walkedParentOf(devnet, t)) {
    if (t.epoch === head.epoch) {
      if (t.key.equals(head.key)) return out;
      for (const m of head.messages) have.add(m.cid.toString());
    }
    for (const m of t.messages) {
      if (have.has(m.cid.toString())) continue;
      have.add(m.cid.toString());
      out.push(m);
    }
    if (head.epoch >= t.epoch) return out;
  }
}

/** The gas limit GasEstimateMessageGas fills at its key, once the sender passes checkedSignatureType. */
async function estimateGasLimit(devnet: Devnet, msg: Message, at: EstimateKey, batch?: BatchBudget): Promise<number> {
  return devnet.estimateMessageGas(msg, await checkedSignatureType(devnet, msg, at), batch);
}

/**
 * The sender check of Lotus's Filecoin gas estimates (GasEstimateGasLimit, GasEstimateMessageGas;
 * eth_estimateGas skips it), in its order (lotus b835fab70 node/impl/gasutils/gasutils.go
 * gasEstimateCallWithGasInternal): an ID sender is first resolved to its key address in the state
 * of the key's tipset's parent, then its own (a dropped one's kept state; key-address.ts
 * keyAddressAt: no actor, or one neither an account nor with an f4 address, is refused), an actor
 * (f2) sender refused as it never resolves;
 * then, on the pool's head, a sender with no actor is refused as CallWithGas refuses it
 * (chain/stmgr/call.go: no sender actor, no call); one that may send no message (a contract, by
 * its ID or f4 address) as the FVM's preflight refuses it (ref-fvm DefaultExecutor::preflight_message, `Send
 * not from valid sender`), which gasutils.go gasEstimateGasLimitInternal answers as a failed sender validation.
 * Then the signature type the sender's address implies (an f1 signs with secp256k1, f3 with BLS); an
 * ID sender's is its key's, read from a fork's upstream first if the fork has not read it (a write
 * method, MpoolPushMessage, runs once: its reads fetch what they miss).
 */
async function checkedSignatureType(devnet: Devnet, msg: Message, at: EstimateKey): Promise<SigType> {
  const from = msg.from.toString();
  // Key and delegated addresses resolve to themselves; an actor (f2) address never does, with or without an actor.
  if (msg.from.protocol === Protocol.ID || msg.from.protocol === Protocol.Actor) {
    try {
      await at.keyAddress(msg.from);
    } catch (error) {
      // Exactly the base class, not instanceof: the resolution's refusals (keyAddressAt's, the upstream's
      // StateAccountKey answer in upstreamEstimateKey) are plain DevnetErrors; its subclasses are transport
      // and budget failures (UpstreamError, LookbackCapError, a timeout, ClientGoneError), passed on as they are.
      if (error instanceof DevnetError && error.constructor === DevnetError) throw new DevnetError(`gas estimation failed: resolving sender ${from} (${error.message}): sender validation failed`);
      throw error;
    }
  }
  const sender = await devnet.untilFetched(() => resolveAddress(devnet.stateAt(devnet.head.epoch), msg.from));
  if (!sender) throw new DevnetError(`gas estimation failed: CallWithGas failed: sender ${from} not found on chain: sender validation failed`);
  if (!canSend(sender)) {
    const exit = formatExitCode(ExitCode.SysErrSenderInvalid);
    throw new DevnetError(`message execution failed (exit=[${exit}], vm error=[pre-validation failed: Send not from valid sender\n (RetCode=${ExitCode.SysErrSenderInvalid})]): sender validation failed`);
  }
  const key = sender.robust ?? msg.from;
  return key.protocol === Protocol.BLS ? SigType.BLS : key.protocol === Protocol.Secp256k1 ? SigType.Secp256k1 : SigType.Delegated;
}

/** The messages MpoolPushMessage pushed under a spec's MsgUuid, per node (Lotus's MessageSigner keeps them in its datastore). */
const pushedByUuid = new WeakMap<Devnet, Map<string, SignedMessage>>();

/**
 * Lotus's MpoolPushMessage (node/impl/full/mpool.go), in its order: an f4 recipient outside the
 * EAM's 20-byte addresses is refused (sanityCheckOutgoingMessage); a MsgUuid pushed before answers
 * that message again; the sender must have a key address at the head (ResolveToDeterministicAddress:
 * an f2 never, an ID only of an account or an actor with an f4 address); a nonce must be 0 (the node takes the next); the gas filled as
 * GasEstimateMessageGas fills it (its errors wrapped, code 1); the value and the most the gas can
 * cost must fit the sender's balance; then signed with the node's key and pushed.
 */
export async function mpoolPushMessage(devnet: Devnet, msg: Message, spec: SendSpec = {}): Promise<SignedMessage> {
  const insane = sanityError(msg);
  if (insane) throw new DevnetError(`message from ${msg.from.toString()} failed sanity check: ${insane}`);
  const pushed = pushedByUuid.get(devnet) ?? new Map<string, SignedMessage>();
  pushedByUuid.set(devnet, pushed);
  const again = spec.msgUuid && pushed.get(spec.msgUuid);
  if (again) return again;
  // An ID or actor (f2) sender with no key address at the head is refused before the nonce and the estimate look at it.
  try {
    await devnet.untilFetched(() => keyAddressAt(devnet, msg.from, devnet.head));
  } catch (error) {
    throw wrapped(error, 'getting key address: ');
  }
  if (msg.nonce !== 0) throw new DevnetError(`MpoolPushMessage expects message nonce to be 0, was ${msg.nonce}`);
  // Estimated and checked in the sender's turn (Lotus takes its per-sender lock first).
  const signed = await devnet.pushWithWallet(msg, async (toFill) => {
    let filled: Message;
    try {
      filled = await estimateMessageGas(devnet, toFill, spec, () => heldKey(devnet, devnet.head));
    } catch (error) {
      if (error instanceof DevnetError) throw new DevnetError(`GasEstimateMessageGas error: ${error.message}`);
      throw error;
    }
    const balance = (await devnet.untilFetched(() => resolveAddress(devnet.stateAt(devnet.head.epoch), filled.from)))?.balance ?? 0n;
    const required = filled.value + filled.gasFeeCap * BigInt(filled.gasLimit);
    if (balance < required) throw new DevnetError(`mpool push: not enough funds: ${balance} < ${required}`);
    return filled;
  });
  if (spec.msgUuid) pushed.set(spec.msgUuid, signed);
  return signed;
}

/**
 * Lotus's MpoolPush and MpoolBatchPush, and their untrusted forms (node/impl/full/mpool.go):
 * sanityCheckOutgoingMessage of every message first, so that a signed message to an f4 address
 * outside the EAM's 20-byte ones (which no key or contract can ever use) is refused before any is
 * pushed; then the pool, one after another. The messages' CIDs.
 */
async function mpoolPush(devnet: Devnet, batch: readonly SignedMessage[], untrusted: boolean) {
  for (const signed of batch) {
    const insane = sanityError(signed.message);
    if (insane) throw new DevnetError(`message ${signedMessageCid(signed).toString()} from ${signed.message.from.toString()} with nonce ${signed.message.nonce} failed sanity check: ${insane}`);
  }
  const cids = [];
  for (const signed of batch) cids.push(cidJson(await devnet.pushMessage(signed, { untrusted })));
  return cids;
}

/** Lotus's sanityCheckOutgoingMessage: an f4 recipient must be an Ethereum address (the EAM's, 20 bytes, not a masked ID). */
function sanityError({ to }: Message): string | undefined {
  if (to.protocol === Protocol.Delegated && !to.ethAddress) return `message recipient ${to.toString()} is a delegated address but not a valid Eth Address`;
  return undefined;
}

/** types.MpoolConfig as a Lotus node reports its defaults (chain/messagepool/config.go). */
const MPOOL_CONFIG = {
  PriorityAddrs: null,
  SizeLimitHigh: 30000,
  SizeLimitLow: 20000,
  ReplaceByFeeRatio: 1.25,
  PruneCooldown: 60_000_000_000,
  GasLimitOverestimation: GAS_LIMIT_OVERESTIMATION_PERCENT / 100,
};

const ticketQuality: Param<number> = {
  name: 'ticketQuality',
  parse: (v) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw invalid('ticketQuality', 'expected a number');
    return v;
  },
};

/** What a Lotus gateway forwards MpoolPush to: the pool's cap on a sender's pending messages is 100, not 1 000. */
export const mpoolPushUntrusted = defineWriteMethod('Filecoin.MpoolPushUntrusted', [signedMessage('signedMessage')], async ({ devnet }, signed) => (await mpoolPush(devnet, [signed], true))[0]);

export const filecoinMpool = [
  defineWriteMethod('Filecoin.MpoolPush', [signedMessage('signedMessage')], async ({ devnet }, signed) => (await mpoolPush(devnet, [signed], false))[0]),
  mpoolPushUntrusted,

  // Every message's sanity checked first; then one after another, the first refusal ending the batch (those before it stay pushed), as in Lotus.
  defineWriteMethod('Filecoin.MpoolBatchPush', [listOf('signedMessages', signedMessage)], async ({ devnet }, batch) => mpoolPush(devnet, batch, false)),
  defineWriteMethod('Filecoin.MpoolBatchPushUntrusted', [listOf('signedMessages', signedMessage)], async ({ devnet }, batch) => mpoolPush(devnet, batch, true)),

  // Every recipient checked first (Lotus's own text names the message's index), then pushed one after another.
  defineWriteMethod('Filecoin.MpoolBatchPushMessage', [messages('messages'), sendSpec('spec')], async ({ devnet }, batch, spec) => {
    batch.forEach((msg, i) => {
      const insane = sanityError(msg);
      if (insane) throw new DevnetError(`message #${i} from ${msg.from.toString()} with failed sanity check: ${insane}`);
    });
    const out = [];
    for (const msg of batch) {
      const signed = await mpoolPushMessage(devnet, msg, spec);
      out.push(signedMessageJson(signed, signedMessageCid(signed)));
    }
    return out;
  }),

  // What the miner would take into a tipset mined on the key's, in order ([] when none can run, null when there is none).
  defineMethod('Filecoin.MpoolSelect', [tipsetKey('tipsetKey'), ticketQuality], ({ devnet }, key) =>
    selectAt(devnet, keptTipsetOf(devnet, key))?.map((p) => signedMessageJson(p.signed, p.cid)) ?? null,
  ),

  defineMethod('Filecoin.MpoolGetConfig', [], () => MPOOL_CONFIG),

  defineChannelMethod('Filecoin.MpoolSub', [], ({ subscriptions }) => subscriptions.mpoolSub()),

  // Lotus loads the key first (a tipset a revert dropped too), then answers the pool, and the branch's messages for a key above the pool's head (pendingFrom).
  defineMethod('Filecoin.MpoolPending', [tipsetKey('tipsetKey')], ({ devnet }, key) =>
    pendingFrom(devnet, keptTipsetOf(devnet, key)).map((p) => signedMessageJson(p.signed, p.cid)),
  ),

  defineMethod('Filecoin.MpoolGetNonce', [filAddress('address')], ({ devnet }, address) => devnet.nextNonce(address)),

  // Lotus's MessagePool.Clear (chain/messagepool/messagepool.go): with `local`, every pending message;
  // without, those of senders that are not local. A message pushed through the node's API is local
  // (Push and PushUntrusted both add it so; only gossip brings others), and the devnet has no gossip:
  // without `local` nothing goes.
  defineWriteMethod('Filecoin.MpoolClear', [bool('local')], async ({ devnet }, local) => {
    if (local) await devnet.cheats.dropAllTransactions();
    return null;
  }),

  // Lotus loads the key first (a tipset a revert dropped too, node/impl/full/gas.go), resolves an ID sender there, then estimates on the pool's pending state.
  defineMethod('Filecoin.GasEstimateGasLimit', [message('message'), tipsetKey('tipsetKey')], async ({ devnet, batch }, msg, key) => {
    const at = loadedKey(devnet, key, 'getting tipset: ');
    return devnet.estimateGasLimit(msg, await checkedSignatureType(devnet, msg, at), batch);
  }),

  // Lotus loads the key (a dropped tipset too) and walks its parents back, a dropped one's along its own branch (node/impl/gasutils/gasutils.go).
  defineMethod('Filecoin.GasEstimateGasPremium', [integer('blocks'), filAddress('sender'), integer('gasLimit'), tipsetKey('tipsetKey')], ({ devnet }, blocks, _sender, _gasLimit, key) => {
    const tipset = loadedTipset(devnet, key, 'getting tipset from key: ');
    return devnet.withPremiumHistory(() => estimateGasPremium(keptFeeHistory(devnet), tipset, blocks).toString());
  }),

  // Lotus loads the key (a dropped tipset too) and takes its block's ParentBaseFee.
  defineMethod('Filecoin.GasEstimateFeeCap', [message('message'), integer('maxQueueBlocks'), tipsetKey('tipsetKey')], ({ devnet }, msg, blocks, key) =>
    estimateFeeCap(loadedTipset(devnet, key, 'getting tipset from key: ').baseFee, msg.gasPremium, blocks).toString(),
  ),

  defineMethod('Filecoin.GasEstimateMessageGas', [message('message'), sendSpec('spec'), tipsetKey('tipsetKey')], async ({ devnet, batch }, msg, spec, key) =>
    messageJson(await estimateMessageGas(devnet, msg, spec, (loading) => loadedKey(devnet, key, loading), batch)),
  ),
];
