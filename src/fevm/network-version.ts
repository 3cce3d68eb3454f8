// The network version the devnet runs and the actors versions of the ones before it. The devnet
// runs nv28 (FireHorse, builtin-actors v18) from genesis, as calibnet does since epoch 3 694 534
// (Lotus build/buildconstants/params_calibnet.go); every earlier version is one it has passed.
import { ACTOR_KINDS, ACTORS_VERSION, type ActorKind } from './actor.js';

/** The network version whose semantics the devnet follows (nv28, FireHorse). */
export const NETWORK_VERSION = 28;

/**
 * The first network version of each actors version, as go-state-types actors.VersionForNetwork maps
 * them (there is no actors v1): [network version, actors version].
 */
const FIRST_NETWORK_VERSIONS: readonly (readonly [number, number])[] = [
  [0, 0], [4, 2], [10, 3], [12, 4], [13, 5], [14, 6], [15, 7], [16, 8], [17, 9], [18, 10],
  [19, 11], [21, 12], [22, 13], [23, 14], [24, 15], [25, 16], [27, 17], [28, 18],
];

/** The actors version of a network version up to the devnet's; undefined for any other number. */
export function actorsVersionFor(networkVersion: number): number | undefined {
  if (!Number.isSafeInteger(networkVersion) || networkVersion < 0 || networkVersion > NETWORK_VERSION) return undefined;
  let version = 0;
  for (const [first, actors] of FIRST_NETWORK_VERSIONS) if (first <= networkVersion) version = actors;
  return version;
}

/** The devnet's actor kinds that existed in an actors version (go-state-types manifest.GetBuiltinActorsKeys: datacap from v9, the FEVM's four from v10). */
export function actorKindsOf(actorsVersion: number): readonly ActorKind[] {
  if (actorsVersion === ACTORS_VERSION) return ACTOR_KINDS;
  const fevm: readonly ActorKind[] = ['evm', 'eam', 'placeholder', 'ethaccount'];
  return ACTOR_KINDS.filter((kind) => (kind !== 'datacap' || actorsVersion >= 9) && (!fevm.includes(kind) || actorsVersion >= 10));
}
