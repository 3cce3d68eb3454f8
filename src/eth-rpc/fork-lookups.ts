// On a fork, the Filecoin lookups by CID of what the fork does not hold: a message the upstream
// included at or before the fork epoch, or a block at or before it, is the upstream's answer; one
// the upstream has only after the fork epoch (or pending) is not in the fork's history, and the
// local method answers it as unknown. What the fork holds, has pending or saw replaced is answered locally,
// without asking the upstream (users wait on their own new messages all the time). And the robust
// address of an upstream actor, which only the upstream's init actor holds.
import { FilAddress, Protocol } from '../common/address.js';
import type { CID } from '../common/cbor.js';
import { bytesToHex } from '../common/hex.js';
import type { Devnet } from '../devnet/devnet.js';
import type { Fork } from '../devnet/fork/fork.js';
import { sameTipsetKey, type TipsetKeyJson } from '../devnet/fork/fork-point.js';
import { isMethodNotFound, UpstreamAnswerError } from '../devnet/fork/upstream.js';
import { branchDown, keptByBlockCid, keptTipsetOf, loadedMessage, messageIn } from './dropped-tipsets.js';
import { cid, filAddress, integer, tipsetKey } from './lotus-params.js';
import { checkConfidence, decodedReturn } from './methods/filecoin-state.js';
import { hash } from './params.js';

export type Local = (args: unknown[]) => Promise<unknown>;

/** Lotus's MsgLookup, as far as the fork reads it: the tipset that executed the message, at its height. */
interface MsgLookup {
  Receipt: { ExitCode: number; Return: string | null };
  TipSet: TipsetKeyJson;
  Height: number;
}

/** Lookups by message CID, by the position of the CID (v0's StateSearchMsg takes it alone, v1's after a tipset key). */
const BY_MESSAGE: Record<string, (args: unknown[]) => number> = {
  'Filecoin.ChainGetMessage': () => 0,
  'Filecoin.EthGetTransactionHashByCid': () => 0,
  'Filecoin.StateSearchMsg': (args) => (args.length === 1 ? 0 : 1),
  'Filecoin.StateSearchMsgLimited': () => 0,
  'Filecoin.StateWaitMsg': () => 0,
  'Filecoin.StateWaitMsgLimited': () => 0,
};

/** The message searches, answered with the upstream's lookup itself. */
const SEARCHES = new Set(['Filecoin.StateSearchMsg', 'Filecoin.StateSearchMsgLimited', 'Filecoin.StateWaitMsg', 'Filecoin.StateWaitMsgLimited']);

/** The message waits, whose second parameter is the confidence. */
const WAITS = new Set(['Filecoin.StateWaitMsg', 'Filecoin.StateWaitMsgLimited']);

/** Lookups by block CID: the blocks at or before the fork epoch are the upstream's. */
const BY_BLOCK = new Set(['Filecoin.ChainGetBlock', 'Filecoin.ChainGetBlockMessages', 'Filecoin.ChainGetParentMessages', 'Filecoin.ChainGetParentReceipts']);

/** A parameter parsed, or undefined when it is bad (the local method answers that with its error). */
export function parsed<T>(parse: () => T): T | undefined {
  try {
    return parse();
  } catch {
    return undefined;
  }
}

/**
 * An upstream read of a block, tipset or transaction by CID or hash that is undefined when the
 * upstream does not hold it: Lotus answers `… ipld: could not find …` (a block hash too), fvm-devnet
 * the same or `… not found`. Any other error (a gateway's rate limit or lookback refusal, a failure) is
 * the upstream's failure and is thrown, never taken for an unknown CID or hash (review2 Q1, Q4).
 */
export async function unlessUnknown<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof UpstreamAnswerError && /not found|could not find/i.test(error.rpcMessage)) return undefined;
    throw error;
  }
}

/** The epoch of the block an upstream answer by hash is in: a block's number, a transaction's or receipt's blockNumber (null while pending). */
export function blockEpochOf(answer: unknown): number | undefined {
  const { number, blockNumber } = (answer ?? {}) as { number?: unknown; blockNumber?: unknown };
  const epoch = number ?? blockNumber;
  return typeof epoch === 'string' ? Number(epoch) : undefined;
}

/** The epoch the upstream places a block hash at; undefined for a hash it does not know. */
export async function upstreamEpochOf(fork: Fork, blockHash: Uint8Array): Promise<number | undefined> {
  return blockEpochOf(await unlessUnknown(fork.upstream.call('eth_getBlockByHash', [bytesToHex(blockHash), false])));
}

/**
 * The upstream's lookup of a message included at or before the fork epoch, or null. Asked from the
 * tipset whose parent state is the fork's (ForkPoint.stateKey), but a Lotus node with the chain
 * index (every one serving eth_*) finds any message it executed whatever tipset it searches from,
 * so the lookup itself must place it: executed by stateKey (Lotus: the fork epoch's messages, after
 * any null rounds) or at a height at or before the fork epoch; anything later is not the fork's.
 */
async function upstreamSearch(fork: Fork, message: CID): Promise<MsgLookup | null> {
  const { stateKey, epoch } = fork.point;
  const lookup = await fork.upstream.call<MsgLookup | null>('Filecoin.StateSearchMsg', [stateKey, { '/': message.toString() }, -1, true]);
  return lookup && (lookup.Height <= epoch || sameTipsetKey(lookup.TipSet, stateKey)) ? lookup : null;
}

/**
 * A message lookup of the upstream's as the fork answers it. Lotus executes the messages of the
 * tipset at the fork epoch in the next one, so it names that tipset (after the fork epoch, not in the
 * fork's chain); the fork's state at its first tipset, the upstream's after those messages, already
 * holds them, and the fork names the tipset that included a message, as the devnet does for its own:
 * there, the fork epoch's. Earlier messages keep the upstream's lookup, in the upstream's history.
 */
function forkLookup(fork: Fork, lookup: MsgLookup): MsgLookup {
  return lookup.Height > fork.point.epoch ? { ...lookup, TipSet: fork.point.tipsetKey, Height: fork.point.epoch } : lookup;
}

async function byMessage(devnet: Devnet, fork: Fork, method: string, args: unknown[], local: Local): Promise<unknown> {
  const message = parsed(() => cid('messageCid').parse(args[BY_MESSAGE[method](args)]));
  if (!message || devnet.chain.messageByCid(message) || devnet.pendingMessage(message) || loadedMessage(devnet, message)) return local(args);
  // A wait's confidence is refused before the message is looked for; one of the upstream's history is answered at once.
  const confidence = WAITS.has(method) ? parsed(() => integer('confidence').parse(args[1])) : undefined;
  if (confidence !== undefined) checkConfidence(confidence);
  if (method === 'Filecoin.StateSearchMsg' && args.length > 1) {
    // v1's StateSearchMsg from a tipset key the fork does not know (nor kept when a revert dropped it) is still the local error.
    const from = keptTipsetOf(devnet, tipsetKey('tipsetKey').parse(args[0]));
    // A message of a dropped key's own branch is the fork's, which the local search finds there.
    if (branchDown(devnet, from, -1).dropped.some((tipset) => messageIn(tipset, message))) return local(args);
  }
  const lookup = await upstreamSearch(fork, message);
  if (!lookup) return local(args);
  // A wait answers the return decoded (ReturnDec), as the devnet decodes its own messages' (the
  // upstream's StateWaitMsg would wait for ever for a message past its lookback: review R5).
  if (WAITS.has(method)) return { ...forkLookup(fork, lookup), ReturnDec: await decodedUpstreamReturn(devnet, fork, message, lookup) };
  return SEARCHES.has(method) ? forkLookup(fork, lookup) : fork.upstream.call(method, [{ '/': message.toString() }]);
}

/** The return of a message the upstream executed, decoded as StateWaitMsg's ReturnDec: its recipient's kind as the fork holds it. */
async function decodedUpstreamReturn(devnet: Devnet, fork: Fork, message: CID, lookup: MsgLookup): Promise<unknown> {
  const { To, Method } = await fork.upstream.call<{ To: string; Method: number }>('Filecoin.ChainGetMessage', [{ '/': message.toString() }]);
  const receipt = { exitCode: lookup.Receipt.ExitCode, returnData: new Uint8Array(Buffer.from(lookup.Receipt.Return ?? '', 'base64')) };
  return devnet.untilFetched(() => decodedReturn(devnet, devnet.chain.first.epoch, { to: FilAddress.parse(To), method: Method }, receipt));
}

/** Filecoin.EthGetMessageCidByTransactionHash: the upstream's CID of a transaction it executed at or before the fork epoch, else the fork's own answer. */
async function messageCidByHash(devnet: Devnet, fork: Fork, args: unknown[], local: Local): Promise<unknown> {
  const txHash = parsed(() => hash('transactionHash').parse(args[0]));
  if (!txHash || devnet.chain.messageByTxHash(txHash) || devnet.pendingTransaction(txHash)) return local(args);
  const found = await fork.upstream.call<{ '/': string } | null>('Filecoin.EthGetMessageCidByTransactionHash', args);
  if (found && (await upstreamSearch(fork, cid('messageCid').parse(found)))) return found;
  // Not the upstream's: the local answer, which also finds what the two lookups above do not (a
  // replaced transaction, a pooled message by its CID's or unsigned CID's digest, a kept dropped
  // tipset's message), as Lotus's GetSignedMessage then GetMessage do (lotus b835fab70
  // node/impl/eth/transaction.go:208-233); null for a hash the fork does not know either.
  return local(args);
}

/** The messages the upstream's tipset at the fork epoch included, the parent messages of the fork's first tipset. */
function forkEpochMessages(fork: Fork): Promise<{ Cid: { '/': string } }[] | null> {
  return fork.upstream.call('Filecoin.ChainGetMessagesInTipset', [fork.point.tipsetKey]);
}

/**
 * Their receipts, the parent receipts of the fork's first tipset: each message's from its lookup
 * (the upstream's own next block may be after a null round, or not mined yet).
 */
async function forkEpochReceipts(fork: Fork): Promise<unknown[]> {
  const messages = (await forkEpochMessages(fork)) ?? [];
  const lookups = await Promise.all(messages.map((m) => upstreamSearch(fork, cid('messageCid').parse(m.Cid))));
  return lookups.map((lookup) => lookup!.Receipt);
}

/** A block the fork does not hold, or its stand-in for the upstream's at the fork epoch: the upstream's answer when at or before that epoch. */
async function byBlock(devnet: Devnet, fork: Fork, method: string, args: unknown[], local: Local): Promise<unknown> {
  const block = parsed(() => cid('blockCid').parse(args[0]));
  if (!block) return local(args);
  // A tipset a revert dropped is the fork's own (a revert stays above the fork epoch).
  const held = keptByBlockCid(devnet, block);
  if (held && held.epoch > fork.point.epoch) {
    const parentIsUpstreams = devnet.chain.parentOf(held)?.epoch === fork.point.epoch;
    if (parentIsUpstreams && method === 'Filecoin.ChainGetParentMessages') return forkEpochMessages(fork);
    if (parentIsUpstreams && method === 'Filecoin.ChainGetParentReceipts') return forkEpochReceipts(fork);
    return local(args);
  }
  if (!held) {
    const header = await unlessUnknown(fork.upstream.call<{ Height: number }>('Filecoin.ChainGetBlock', args));
    if (!header || header.Height > fork.point.epoch) return local(args);
    if (method === 'Filecoin.ChainGetBlock') return header;
  }
  return fork.upstream.call(method, args);
}

/**
 * StateReplay with the empty key (`lotus state replay <cid>`), which Lotus answers by searching for the
 * message and replaying it where it was included (node/impl/full/state.go StateReplay): a message the
 * fork does not hold that the upstream included at or before the fork epoch is the upstream's replay.
 */
async function replayBySearch(devnet: Devnet, fork: Fork, args: unknown[], local: Local): Promise<unknown> {
  const key = parsed(() => tipsetKey('tipsetKey').parse(args[0]));
  const message = parsed(() => cid('messageCid').parse(args[1]));
  if (!key || key.length > 0 || !message || devnet.chain.messageByCid(message) || devnet.pendingMessage(message)) return local(args);
  return (await upstreamSearch(fork, message)) ? fork.upstream.call('Filecoin.StateReplay', args) : local(args);
}

/**
 * Filecoin.StateLookupRobustAddress of an upstream actor's ID (below the upstream's next ID) for which
 * the fork knows no key or t2 address: Lotus finds it in the init actor's address map
 * (chain/stmgr/stmgr.go LookupRobustAddress), which the fork does not read, so a full node's answer at
 * the fork's state key (a multisig's or a contract's t2: an actor's robust address never changes);
 * where the upstream refuses (a gateway does not serve it), the local answer.
 */
async function robustAddressOfForked(fork: Fork, args: unknown[], local: Local): Promise<unknown> {
  const address = parsed(() => filAddress('address').parse(args[0]));
  const nextId = fork.source.data.nextId;
  if (address?.id === undefined || nextId === undefined || address.id >= nextId) return local(args);
  let mine: unknown;
  let refused: unknown;
  try {
    mine = await local(args);
    const robust = typeof mine === 'string' ? parsed(() => FilAddress.parse(mine as string)) : undefined;
    if (robust && robust.protocol !== Protocol.Delegated) return mine;
  } catch (error) {
    refused = error;
  }
  try {
    return await fork.upstream.call('Filecoin.StateLookupRobustAddress', [address.toString(), fork.point.stateKey]);
  } catch (error) {
    // A gateway does not serve it, and an ID with no robust address is Lotus's "Address … not found": the
    // local answer then; any other refusal (a rate limit, a failure) is the upstream's, never taken for either.
    if (!isMethodNotFound(error) && !(error instanceof UpstreamAnswerError && /not found/.test(error.rpcMessage))) throw error;
  }
  if (refused) throw refused;
  return mine;
}

/** Answers a Filecoin lookup by CID on a fork, or undefined when `method` is not one. */
export function routeForkLookup(devnet: Devnet, fork: Fork, method: string, args: unknown[], local: Local): Promise<unknown> | undefined {
  if (method in BY_MESSAGE) return byMessage(devnet, fork, method, args, local);
  if (method === 'Filecoin.StateReplay') return replayBySearch(devnet, fork, args, local);
  if (method === 'Filecoin.EthGetMessageCidByTransactionHash') return messageCidByHash(devnet, fork, args, local);
  if (BY_BLOCK.has(method)) return byBlock(devnet, fork, method, args, local);
  if (method === 'Filecoin.StateLookupRobustAddress') return robustAddressOfForked(fork, args, local);
  return undefined;
}
