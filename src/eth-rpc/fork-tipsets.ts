// On a fork, the Filecoin.* methods that take a tipset key, given a key the fork does not hold: the
// key of an upstream tipset at or before the fork epoch (as ChainGetTipSetByHeight or a message
// lookup's TipSet hands it out) is answered by the upstream, the method itself at that key, as the
// upstream answers it without the fork. A key the fork holds (its own tipsets, those a revert dropped
// among them, and its first, which stands in for the upstream's at the fork epoch) stays local, but
// for the messages of that first tipset, which only the upstream holds; an upstream tipset after the
// fork epoch is not in the fork's chain, and the local method answers it as an unknown key.
import type { CID } from '../common/cbor.js';
import type { Devnet } from '../devnet/devnet.js';
import type { Fork } from '../devnet/fork/fork.js';
import type { TipsetKeyJson } from '../devnet/fork/fork-point.js';
import type { RpcMethod } from './define-method.js';
import { keptTipset, keptTipsetOf } from './dropped-tipsets.js';
import { parsed, unlessUnknown, type Local } from './fork-lookups.js';
import { tipsetKeyJson } from './lotus-json.js';
import { filAddress, isTipsetKey, tipsetKey } from './lotus-params.js';
import { emptyPathEnd } from './methods/filecoin-chain.js';
import { vestedBetween } from './methods/filecoin-msig-state.js';

/**
 * Methods about the fork's own pool and the messages sent to it, which the upstream's pool and
 * estimates do not answer: local whatever key they are given, so an upstream key before the fork
 * epoch is refused as unknown, where Lotus would load it (README says so). GasEstimateFeeCap and
 * GasEstimateGasPremium, which read only the chain at their key, are not among them: the upstream
 * answers them at its own tipsets.
 */
const LOCAL_WHATEVER_KEY = new Set(['Filecoin.MpoolSelect', 'Filecoin.GasEstimateMessageGas']);

/**
 * Pool methods that load their key (Lotus's GetTipSetFromKey) and answer the head's pool: given an
 * upstream key before the fork epoch, which Lotus would load, below the pool's head (so MpoolPending
 * adds no branch's messages), the fork's pool answers, as with no key.
 */
const LOCAL_KEY_LOADED = new Set(['Filecoin.MpoolPending', 'Filecoin.GasEstimateGasLimit']);

const keyPositions = new WeakMap<RpcMethod, number[]>();

/** The positions of a method's tipset keys, as its endpoint takes them (v2's selectors and v0's message CIDs are not keys). */
function positionsOf(method: RpcMethod): number[] {
  let positions = keyPositions.get(method);
  if (!positions) {
    positions = LOCAL_WHATEVER_KEY.has(method.name) ? [] : method.params.flatMap((param, i) => (isTipsetKey(param) ? [i] : []));
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

/** The height of the upstream's tipset `key` names, if it has one at or before the fork epoch. */
export async function upstreamHeight(fork: Fork, key: unknown): Promise<number | undefined> {
  const tipset = await unlessUnknown(fork.upstream.call<{ Height: number }>('Filecoin.ChainGetTipSet', [key]));
  return tipset !== undefined && tipset.Height <= fork.point.epoch ? tipset.Height : undefined;
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
    const keyLoaded = LOCAL_KEY_LOADED.has(method.name);
    const answer = mixed || keyLoaded ? undefined : settled(fork.upstream.call(method.name, upstreamArgs));
    const heights = await Promise.all(upstreams.map(({ position }) => upstreamHeight(fork, args[position])));
    if (heights.includes(undefined)) return local(args);
    if (keyLoaded) return local(args.map((arg, i) => (positions.includes(i) ? null : arg)));
    if (answer) return (await answer)();
    // A tipset of the fork's own (or its head) and one of the upstream's: of such pairs, a path (across
    // the fork epoch) and what a multisig vested between them are answered.
    if (method.name === 'Filecoin.ChainGetPath') return pathAcross(devnet, fork, args, keys[0].side === 'elsewhere', local);
    if (method.name === 'Filecoin.MsigGetVested') return vestedAcross(devnet, args, new Map(upstreams.map(({ position }, i) => [position, heights[i]!])), local);
    return local(args);
  })();
}
