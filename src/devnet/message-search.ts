// Where a message ran, as Lotus finds it (chain/stmgr/searchwait.go SearchForMessage,
// searchBackForMsg, tipsetExecutedMessage): by its CID; and for a message the chain does not hold
// but the node knows (one a replacement pushed out of the pool, or one only a dropped tipset
// included: Lotus loads either from its blockstore), the message its sender's nonce went to
// instead. That one answers for it when it is the same call (Lotus's Message.EqualCall: only the gas
// fields differ) and the caller allows a replacement; otherwise Lotus's "message was replaced" errors.
// A signed (secp or delegated) message asked for by its unsigned CID is searched for the same way:
// Lotus loads that form from its blockstore, but its chain index and tipsetExecutedMessage compare the
// signed CID (lotus b835fab70 chain/stmgr/searchwait.go:362-369, chain/index/indexer.go:293), so to a
// search it is another message at the same nonce.
import type { CID } from '../common/cbor.js';
import { DevnetError } from '../common/errors.js';
import { equalBytes } from '../common/hex.js';
import type { FilAddress } from '../common/address.js';
import { resolveAddress } from '../fevm/actors/lifecycle.js';
import type { Message } from '../fevm/message.js';
import type { StateReader } from '../fevm/state-tree.js';
import type { ChainView, MessageLocation } from '../mining/chain-store.js';
import type { Mempool } from '../mining/mempool.js';
import type { Tipset } from '../mining/tipset.js';

/**
 * Lotus's stmgr.ErrMessageReplaced: StateSearchMsg answers null for it when no replacement is allowed.
 * `lookback`: raised searching back from the head, not at the head itself (StateWaitMsg then waits on).
 */
export class MessageReplacedError extends DevnetError {
  override name = 'MessageReplacedError';
  constructor(
    message: string,
    readonly lookback: boolean,
  ) {
    super(message);
  }
}

interface MessageSearchDeps {
  chain: ChainView;
  mempool: Mempool;
  stateAt(epoch: number): StateReader;
}

/**
 * The mined message that stands for `cid` in the chain up to `upTo`: itself, or for a message the
 * chain does not hold under that CID (one it holds by its unsigned CID too), the one mined at the
 * sender's nonce of `loaded` (found elsewhere: a dropped tipset's), of the chain's, or of the pool's
 * replaced one (throws MessageReplacedError when that is another call, or when `allowReplaced` is
 * false). A message mined after `upTo` is found by its CID too, as Lotus's chain index finds it; a
 * replacement, or one asked for by its unsigned CID, only up to `upTo`, as Lotus searches back for it.
 * `startedAbove`: the search began at a tipset above `upTo` (a dropped one whose branch left the chain
 * at `upTo`), so `upTo` itself is searched back to, not the head Lotus checks first.
 */
export function searchMessage(deps: MessageSearchDeps, cid: CID, allowReplaced: boolean, upTo: Tipset, startedAbove = false, loaded?: Message): MessageLocation | undefined {
  const mined = deps.chain.messageByCid(cid);
  if (mined?.message.cid.equals(cid)) return mined;
  // Found by its unsigned CID: searched for at its nonce, as a replacement would be.
  const searched = loaded ?? searchedMessage(deps, cid, mined);
  if (!searched) return undefined;
  const found = minedAtNonce(deps, searched.from, searched.nonce, upTo);
  // Lotus checks the head first (tipsetExecutedMessage), then searches back, whose errors it wraps.
  return found && checkedReplacement(found, cid, searched, allowReplaced, startedAbove || searchedBack(found, cid, upTo));
}

/**
 * `found` (where the chain ran the message standing for `cid`) was found searching back from `upTo`: a
 * message at its nonce under another CID, below `upTo`, which Lotus checks first (tipsetExecutedMessage).
 */
export function searchedBack(found: MessageLocation, cid: CID, upTo: Tipset): boolean {
  return !found.message.cid.equals(cid) && found.tipset.epoch !== upTo.epoch;
}

/**
 * The message searched for at its nonce for `cid`, a CID the chain does not hold under it (`mined`: what
 * the chain holds by it): the signed message the chain holds by that unsigned CID, or the pool's replaced one.
 */
export function searchedMessage(deps: Pick<MessageSearchDeps, 'chain' | 'mempool'>, cid: CID, mined = deps.chain.messageByCid(cid)): Message | undefined {
  return mined?.message.signed.message ?? deps.mempool.getReplaced(cid)?.pending.signed.message;
}

/**
 * Where `tipset` ran the message `cid`, `searched` for at its sender and nonce: itself, or the message
 * there standing for it (checkedReplacement, its errors wrapped as Lotus's search back wraps them when
 * `lookback`), or undefined. Lotus's tipsetExecutedMessage (chain/stmgr/searchwait.go), on each tipset
 * a StateWaitMsg sees applied and on a tipset a revert dropped, searched as any tipset Lotus walks.
 */
export function executedIn(tipset: Tipset, cid: CID, searched: Message, allowReplaced: boolean, lookback: boolean): MessageLocation | undefined {
  const found = messageAtNonce(tipset, searched.from, searched.nonce);
  return found?.message.cid.equals(cid) ? found : found && checkedReplacement(found, cid, searched, allowReplaced, lookback);
}

/**
 * `found`, mined at the sender and nonce of `replaced`, as the message standing for it: Lotus's errors
 * when it is another call or `allowReplaced` is false, wrapped as its search back wraps them (`lookback`).
 */
function checkedReplacement(found: MessageLocation, cid: CID, replaced: Message, allowReplaced: boolean, lookback: boolean): MessageLocation {
  const which = `(F:${cid.toString()} n ${replaced.nonce}, TS: ${found.message.cid.toString()} n${replaced.nonce})`;
  const where = lookback ? 'checking for message execution during lookback: ' : '';
  if (!equalCall(found.message.signed.message, replaced)) {
    throw new MessageReplacedError(`${where}message was replaced: found message with equal nonce as the one we are looking for that is NOT a valid replacement message ${which}`, lookback);
  }
  if (!allowReplaced) throw new MessageReplacedError(`${where}message was replaced: found message with equal nonce as the one we are looking for ${which}`, lookback);
  return found;
}

/**
 * The message from `from` with `nonce` mined up to `upTo`: the tipset is the first after which the
 * sender's nonce has passed it (nonces only grow, so a binary search over epochs finds it), and the
 * message is looked for among its messages (messageAtNonce).
 */
function minedAtNonce(deps: MessageSearchDeps, from: FilAddress, nonce: number, upTo: Tipset): MessageLocation | undefined {
  const passed = (epoch: number) => (resolveAddress(deps.stateAt(epoch), from)?.nonce ?? 0) > nonce;
  if (!passed(upTo.epoch)) return undefined;
  let low = deps.chain.first.epoch;
  let high = upTo.epoch;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (passed(middle)) high = middle;
    else low = middle + 1;
  }
  const tipset = deps.chain.atEpoch(high);
  return tipset && messageAtNonce(tipset, from, nonce);
}

/**
 * The message `tipset` included from `from` at `nonce`: the sender compared by the address the
 * message names, as Lotus's tipsetExecutedMessage compares VMMessage().From (not by actor ID).
 */
function messageAtNonce(tipset: Tipset, from: FilAddress, nonce: number): MessageLocation | undefined {
  const message = tipset.messages.find((m) => m.signed.message.nonce === nonce && m.signed.message.from.equals(from));
  return message && { tipset, message };
}

/** Lotus's Message.EqualCall: the same message but for its gas limit, fee cap and premium. */
function equalCall(a: Message, b: Message): boolean {
  return (
    a.version === b.version &&
    a.to.equals(b.to) &&
    a.from.equals(b.from) &&
    a.nonce === b.nonce &&
    a.value === b.value &&
    a.method === b.method &&
    equalBytes(a.params, b.params)
  );
}
