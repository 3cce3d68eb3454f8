// On a fork, the Filecoin.* methods that take a tipset key, given a key the fork does not hold: the
// key of an upstream tipset at or before the fork epoch (as ChainGetTipSetByHeight or a message
// lookup's TipSet hands it out) is answered by the upstream, the method itself at that key, as the
// upstream answers it without the fork. A key the fork holds (its own tipsets, and its first, which
// stands in for the upstream's at the fork epoch) stays local; an upstream tipset after the fork
// epoch is not in the fork's chain, and the local method answers it as an unknown key.
import type { CID } from '../common/cbor.js';
import type { Devnet } from '../devnet/devnet.js';
import type { Fork } from '../devnet/fork/fork.js';
import type { TipsetKeyJson } from '../devnet/fork/fork-point.js';
import { parsed, unlessRefused, type Local } from './fork-lookups.js';
import { tipsetKeyJson } from './lotus-json.js';
import { heldTipset, isTipsetKey, tipsetKey } from './lotus-params.js';
import { allMethods } from './methods/index.js';

/**
 * Methods about the fork's own pool and the messages sent to it, which the upstream's pool and
 * estimates do not answer: local whatever key they are given (all but MpoolSelect ignore it).
 */
const LOCAL_WHATEVER_KEY = new Set([
  'Filecoin.MpoolPending',
  'Filecoin.MpoolSelect',
  'Filecoin.GasEstimateGasLimit',
  'Filecoin.GasEstimateGasPremium',
  'Filecoin.GasEstimateFeeCap',
  'Filecoin.GasEstimateMessageGas',
]);

let keyPositions: Map<string, number[]> | undefined;

/** The positions of each /rpc/v1 method's tipset keys (v0 and v2 take theirs in the same places, or none as a list). */
function positionsOf(method: string): number[] | undefined {
  keyPositions ??= new Map(
    allMethods
      .filter((m) => !LOCAL_WHATEVER_KEY.has(m.name))
      .map((m) => [m.name, m.params.flatMap((param, i) => (isTipsetKey(param) ? [i] : []))] as const)
      .filter(([, positions]) => positions.length > 0),
  );
  return keyPositions.get(method);
}

/** Where the tipset a key names is: the fork's own chain, its first tipset (both sides'), or elsewhere. */
type Side = 'fork' | 'first' | 'elsewhere';

function sideOf(devnet: Devnet, key: CID[]): Side {
  const held = heldTipset(devnet, key);
  if (!held) return 'elsewhere';
  return held === devnet.chain.first ? 'first' : 'fork';
}

/** Whether the upstream has the tipset `key` names at or before the fork epoch. */
async function beforeForkUpstream(fork: Fork, key: unknown): Promise<boolean> {
  const tipset = await unlessRefused(fork.upstream.call<{ Height: number }>('Filecoin.ChainGetTipSet', [key]));
  return tipset !== undefined && tipset.Height <= fork.point.epoch;
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
 * Answers a call given a tipset key the fork does not hold, or undefined when `method` takes no key
 * or every key it was given is the fork's (or bad: the local method answers that).
 */
export function routeTipsetKeys(devnet: Devnet, fork: Fork, method: string, args: unknown[], local: Local): Promise<unknown> | undefined {
  const positions = positionsOf(method);
  if (!positions) return undefined;
  // A key is a list: null or [] is the head, and v2's selectors (objects) and v0's message CIDs in v1's key place are not keys.
  const keys = positions.filter((i) => Array.isArray(args[i]) && (args[i] as unknown[]).length > 0).map((i) => {
    const key = parsed(() => tipsetKey('tipsetKey').parse(args[i]));
    return { position: i, side: key && sideOf(devnet, key) };
  });
  if (keys.some(({ side }) => side === undefined) || !keys.some(({ side }) => side === 'elsewhere')) return undefined;
  const upstreams = keys.filter(({ side }) => side === 'elsewhere');
  const mixed = keys.some(({ side }) => side === 'fork');
  return (async () => {
    // Asked with the checks, in one batch; the upstream's answer counts only if every key it was given is its own before the fork epoch.
    const firstThere = keys.filter(({ side }) => side === 'first').map(({ position }) => position);
    const upstreamArgs = args.map((arg, i) => (firstThere.includes(i) ? fork.point.tipsetKey : arg));
    const answer = mixed ? undefined : settled(fork.upstream.call(method, upstreamArgs));
    const beforeFork = await Promise.all(upstreams.map(({ position }) => beforeForkUpstream(fork, args[position])));
    if (beforeFork.includes(false)) return local(args);
    if (answer) return (await answer)();
    // A tipset of the fork's own and one of the upstream's: of such pairs, only a path is answered (across the fork epoch).
    if (method !== 'Filecoin.ChainGetPath') return local(args);
    return pathAcross(devnet, fork, args, keys[0].side === 'elsewhere', local);
  })();
}
