// On a fork, the Filecoin.* methods that take a tipset key, given a key the fork does not hold: the
// key of an upstream tipset at or before the fork epoch (as ChainGetTipSetByHeight or a message
// lookup's TipSet hands it out) is answered by the upstream, the method itself at that key, as the
// upstream answers it without the fork; the pool's methods, whose pool is the fork's, never so (the
// gas estimates read at such a key through the upstream; MpoolSelect refuses it). A key the fork
// holds (its own tipsets, those a revert dropped among them, and its first, which stands in for the
// upstream's at the fork epoch) stays local, but for the messages of that first tipset, which only
// the upstream holds; an upstream tipset after the fork epoch is not in the fork's chain, and the
// local method answers it as an unknown key.
import type { CID } from '../common/cbor.js';
import { DevnetError } from '../common/errors.js';
import type { Devnet } from '../devnet/devnet.js';
import type { SendSpec } from '../devnet/fee-estimates.js';
import type { Fork } from '../devnet/fork/fork.js';
import { isTipset, type LotusTipset, type TipsetKeyJson } from '../devnet/fork/fork-point.js';
import { UpstreamAnswerError } from '../devnet/fork/upstream.js';
import type { Message } from '../fevm/message.js';
import type { RpcMethod } from './define-method.js';
import { keptTipset, keptTipsetOf } from './dropped-tipsets.js';
import { parsed, unlessUnknown, type Local } from './fork-lookups.js';
import { tipsetKeyJson } from './lotus-json.js';
import { filAddress, isTipsetKey, tipsetKey } from './lotus-params.js';
import { emptyPathEnd } from './methods/filecoin-chain.js';
import { gasLimitAt, messageGasAt, type EstimateKey } from './methods/filecoin-mpool.js';
import { vestedBetween } from './methods/filecoin-msig-state.js';

/**
 * Pool methods that load their key (Lotus's GetTipSetFromKey) and answer the head's pool: given an
 * upstream key before the fork epoch, which Lotus would load, below the pool's head (so MpoolPending
 * adds no branch's messages), the fork's pool answers, as with no key.
 */
const LOCAL_KEY_LOADED = new Set(['Filecoin.MpoolPending']);

/**
 * Gas estimates that run on the pool's head whatever their key and read at it only the chain and
 * the sender (filecoin-mpool.ts EstimateKey): given an upstream key before the fork epoch, the fork's
 * estimate with those reads the upstream's (upstreamEstimateKey).
 */
const ESTIMATES = new Set(['Filecoin.GasEstimateGasLimit', 'Filecoin.GasEstimateMessageGas']);

/** Methods answered here at an upstream key before the fork epoch, never by the upstream's own method (its pool and its estimates are calibnet's). */
const NOT_ASKED_UPSTREAM = new Set(['Filecoin.MpoolSelect', ...LOCAL_KEY_LOADED, ...ESTIMATES]);

const keyPositions = new WeakMap<RpcMethod, number[]>();

/** The positions of a method's tipset keys, as its endpoint takes them (v2's selectors and v0's message CIDs are not keys). */
function positionsOf(method: RpcMethod): number[] {
  let positions = keyPositions.get(method);
  if (!positions) {
    positions = method.params.flatMap((param, i) => (isTipsetKey(param) ? [i] : []));
    keyPositions.set(method, positions);
  }
  return positions;
}

/**
 * Where the tipset a key names is: the fork's own chain (a tipset a revert dropped among them), its
 * first tipset (both sides'), or elsewhere.
 */
type Side = 'fork' | 'first' | 'elsewhere';

function sideOf(devnet: Devnet, key: CID[]): Side {
  const held = keptTipset(devnet, key);
  if (!held) return 'elsewhere';
  return held === devnet.chain.first ? 'first' : 'fork';
}

/** The upstream's tipset `key` names, if it has one at or before the fork epoch. */
async function upstreamTipset(fork: Fork, key: unknown): Promise<LotusTipset | undefined> {
  const tipset = await unlessUnknown(fork.upstream.answerOf<LotusTipset>('Filecoin.ChainGetTipSet', [key], 'a tipset', isTipset));
  return tipset !== undefined && tipset.Height <= fork.point.epoch ? tipset : undefined;
}

/** The height of the upstream's tipset `key` names, if it has one at or before the fork epoch. */
export async function upstreamHeight(fork: Fork, key: unknown): Promise<number | undefined> {
  return (await upstreamTipset(fork, key))?.Height;
}

/**
 * An upstream tipset before the fork epoch as a gas estimate's key: what Lotus reads there, the
 * upstream's answers at it (StateAccountKey is the same ResolveToDeterministicAddress, from the
 * tipset's parent state; GasEstimateGasPremium the same premiums; its ParentBaseFee), the upstream's
 * refusals as the local reads word theirs (a DevnetError of the upstream's text).
 */
function upstreamEstimateKey(fork: Fork, tipset: LotusTipset): EstimateKey {
  const asked = async <T>(method: string, params: unknown[]): Promise<T> => {
    try {
      return await fork.upstream.call<T>(method, params);
    } catch (error) {
      throw error instanceof UpstreamAnswerError ? new DevnetError(error.rpcMessage) : error;
    }
  };
  return {
    keyAddress: async (address) => {
      await asked('Filecoin.StateAccountKey', [address.toString(), tipset.Cids]);
    },
    premium: async (blocks, msg) => BigInt(await asked<string>('Filecoin.GasEstimateGasPremium', [blocks, msg.from.toString(), msg.gasLimit, tipset.Cids])),
    baseFee: BigInt(tipset.Blocks[0]!.ParentBaseFee),
  };
}

/**
 * GasEstimateGasLimit or GasEstimateMessageGas at an upstream tipset before the fork epoch, as a
 * Lotus node holding both chains answers: the gas run on the fork's head and pool, the reads at the
 * key the upstream's (upstreamEstimateKey). Arguments the method would refuse are left to it. The
 * route holds no JSON-RPC batch: the run has its own --call-timeout, not a share of the batch's.
 */
function estimateAtUpstream(devnet: Devnet, fork: Fork, method: RpcMethod, args: unknown[], tipset: LotusTipset, local: Local): Promise<unknown> {
  const params = parsed(() => method.params.map((param, i) => param.parse(args[i])));
  if (!params) return local(args);
  const msg = params[0] as Message;
  const at = upstreamEstimateKey(fork, tipset);
  if (method.name === 'Filecoin.GasEstimateGasLimit') return gasLimitAt(devnet, msg, at);
  // GasEstimateMessageGas(message, spec, key): its second parameter is the send spec (GasEstimateGasLimit's is the key).
  return messageGasAt(devnet, msg, (params[1] ?? {}) as SendSpec, at);
}

/**
 * MpoolSelect at an upstream tipset before the fork epoch: refused. Lotus's SelectMessages there
 * takes back as pending the messages of every tipset from its head down to that one
 * (getPendingMessages' runHeadChange), the upstream's up to the fork epoch among them (of which the
 * fork holds neither the list nor the BLS signatures), and selects on the state after it.
 */
function selectRefused(fork: Fork, tipset: LotusTipset): DevnetError {
  const key = tipset.Cids.map((cid) => cid['/']).join(',');
  return new DevnetError(
    `MpoolSelect at tipset ${key}, the upstream's at height ${tipset.Height}, before the fork epoch ${fork.point.epoch}, is not answered: a selection there takes back every message of the tipsets above it, the upstream's up to the fork epoch among them, which the fork does not hold; ask at the fork's first tipset (the fork epoch) or a later one`,
  );
}

/**
 * Filecoin.ChainGetPath between a tipset of the upstream's before the fork epoch and one of the
 * fork's after it: the chain is one line through the fork's first tipset, so the path is the
 * upstream's to it joined to the fork's from it (or the reverse).
 */
async function pathAcross(devnet: Devnet, fork: Fork, [from, to]: unknown[], fromUpstream: boolean, local: Local): Promise<unknown> {
  const firstHere = tipsetKeyJson(devnet.chain.first);
  const firstThere: TipsetKeyJson = fork.point.tipsetKey;
  const [before, after] = fromUpstream
    ? await Promise.all([fork.upstream.call<unknown[]>('Filecoin.ChainGetPath', [from, firstThere]), local([firstHere, to])])
    : await Promise.all([local([from, firstHere]), fork.upstream.call<unknown[]>('Filecoin.ChainGetPath', [firstThere, to])]);
  return [...(before as unknown[]), ...(after as unknown[])];
}

/**
 * Filecoin.MsigGetVested between a tipset of the upstream's before the fork epoch and one of the
 * fork's: Lotus reads the wallet's schedule at the end tipset and only the start's height, which the
 * upstream gave (`heights`, by parameter position); a start after the end is Lotus's error.
 */
async function vestedAcross(devnet: Devnet, args: unknown[], heights: Map<number, number>, local: Local): Promise<unknown> {
  const address = parsed(() => filAddress('address').parse(args[0]));
  if (!address) return local(args);
  const tipsetAt = (position: number) => keptTipsetOf(devnet, tipsetKey('tipsetKey').parse(args[position]));
  const epochAt = (position: number) => heights.get(position) ?? tipsetAt(position).epoch;
  // A read of the fork's state, run again once what it had not fetched from the upstream is, as the dispatcher runs a method.
  for (;;) {
    try {
      return vestedBetween(devnet, address, epochAt(1), epochAt(2), () => tipsetAt(2));
    } catch (error) {
      if (!(await devnet.fetchMissing(error))) throw error;
    }
  }
}

const isEmptyKey = (arg: unknown) => arg === undefined || arg === null || (Array.isArray(arg) && arg.length === 0);

/**
 * Filecoin.ChainGetPath given an empty key, which Lotus refuses (emptyPathEnd), loading `from`
 * before `to`: the local method's error, but for a `from` the upstream has before the fork epoch,
 * which Lotus finds before it refuses an empty `to`.
 */
async function pathWithEmptyKey(devnet: Devnet, fork: Fork, args: unknown[], local: Local): Promise<unknown> {
  const [from] = args;
  const fromKey = isEmptyKey(from) ? undefined : parsed(() => tipsetKey('from').parse(from));
  if (!fromKey || keptTipset(devnet, fromKey) || (await upstreamHeight(fork, from)) === undefined) return local(args);
  throw emptyPathEnd('to');
}

/** An upstream call's answer or error, kept to give later (an error nobody asks for is never unhandled). */
async function settled<T>(call: Promise<T>): Promise<() => T> {
  try {
    const answer = await call;
    return () => answer;
  } catch (error) {
    return () => {
      throw error;
    };
  }
}

/**
 * Answers a call given a tipset key the fork does not hold, or undefined when the method takes no key
 * or every key it was given is the fork's (or bad: the local method answers that).
 */
export function routeTipsetKeys(devnet: Devnet, fork: Fork, method: RpcMethod, args: unknown[], local: Local): Promise<unknown> | undefined {
  const positions = positionsOf(method);
  if (positions.length === 0) return undefined;
  if (method.name === 'Filecoin.ChainGetPath' && positions.some((i) => isEmptyKey(args[i]))) return pathWithEmptyKey(devnet, fork, args, local);
  const keys = positions.map((i) => {
    const arg = args[i];
    // An empty key (null, left out or []) is the fork's head (Lotus's GetTipSetFromKey), never the upstream's.
    if (isEmptyKey(arg)) return { position: i, side: 'fork' as Side };
    const key = parsed(() => tipsetKey('tipsetKey').parse(arg));
    return { position: i, side: key && sideOf(devnet, key) };
  });
  // The fork's first tipset holds none of the messages the upstream's included (its state already has them): the upstream lists them.
  if (method.name === 'Filecoin.ChainGetMessagesInTipset' && keys[0].side === 'first') return fork.upstream.call(method.name, [fork.point.tipsetKey]);
  if (keys.some(({ side }) => side === undefined) || !keys.some(({ side }) => side === 'elsewhere')) return undefined;
  const upstreams = keys.filter(({ side }) => side === 'elsewhere');
  const mixed = keys.some(({ side }) => side === 'fork');
  return (async () => {
    // Asked with the checks, in one batch; the upstream's answer counts only if every key it was given is its own before the fork epoch.
    const firstThere = keys.filter(({ side }) => side === 'first').map(({ position }) => position);
    const upstreamArgs = args.map((arg, i) => (firstThere.includes(i) ? fork.point.tipsetKey : arg));
    const answer = mixed || NOT_ASKED_UPSTREAM.has(method.name) ? undefined : settled(fork.upstream.call(method.name, upstreamArgs));
    const tipsets = await Promise.all(upstreams.map(({ position }) => upstreamTipset(fork, args[position])));
    if (tipsets.includes(undefined)) return local(args);
    const heights = tipsets.map((tipset) => tipset!.Height);
    if (LOCAL_KEY_LOADED.has(method.name)) return local(args.map((arg, i) => (positions.includes(i) ? null : arg)));
    if (ESTIMATES.has(method.name)) return estimateAtUpstream(devnet, fork, method, args, tipsets[0]!, local);
    if (method.name === 'Filecoin.MpoolSelect') throw selectRefused(fork, tipsets[0]!);
    // The upstream's answer at its own key, its errors too: a gateway's -32601 for a method outside its
    // set is what a client asking the gateway at that key gets (final-s51 D1). Ticket randomness differs:
    // it is drawn at the fork's own key, where a -32601 would read as the fork lacking the method.
    if (answer) return (await answer)();
    // A tipset of the fork's own (or its head) and one of the upstream's: of such pairs, a path (across
    // the fork epoch) and what a multisig vested between them are answered.
    if (method.name === 'Filecoin.ChainGetPath') return pathAcross(devnet, fork, args, keys[0].side === 'elsewhere', local);
    if (method.name === 'Filecoin.MsigGetVested') return vestedAcross(devnet, args, new Map(upstreams.map(({ position }, i) => [position, heights[i]])), local);
    return local(args);
  })();
}
