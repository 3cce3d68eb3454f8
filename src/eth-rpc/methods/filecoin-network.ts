// The network's constants, as `lotus info` and SDKs read them: Filecoin.StateGetNetworkParams,
// Filecoin.StateActorCodeCIDs, Filecoin.StateActorManifestCID; and the node's own libp2p peer ID,
// Filecoin.ID.
import { DevnetError } from '../../common/errors.js';
import { ACTORS_VERSION, codeCid } from '../../fevm/actor.js';
import type { Fork } from '../../devnet/fork/fork.js';
import { actorsManifest, FIRST_MANIFEST_VERSION } from '../../fevm/manifest.js';
import { actorKindsOf, actorsVersionFor, NETWORK_VERSION } from '../../fevm/network-version.js';
import { CONSENSUS_MINER_MIN_POWER } from '../../fevm/actors/power.js';
import { PRE_COMMIT_CHALLENGE_DELAY } from '../../fevm/actors/miner/policy.js';
import { defineMethod } from '../define-method.js';
import { cidJson } from '../lotus-json.js';
import { integer } from '../lotus-params.js';
import { networkNameOf } from './filecoin-state.js';

/** Lotus's network upgrades up to nv28 (FireHorse): all before genesis here, as on Lotus's 2k devnet. */
const PAST_UPGRADES = ['Smoke', 'Breeze', 'Ignition', 'Liftoff', 'Assembly', 'Refuel', 'Tape', 'Kumquat', 'Calico', 'Persian', 'Orange', 'Claus', 'Trust', 'Norwegian', 'Turbo', 'Hyperdrive', 'Chocolate', 'OhSnap', 'Skyr', 'Shark', 'Hygge', 'Lightning', 'Thunder', 'Watermelon', 'Dragon', 'Phoenix', 'Waffle', 'Tuktuk', 'Teep', 'Tock', 'GoldenWeek', 'FireHorse'];
/** Upgrades Lotus knows after nv28: never, here (Lotus's height for an unscheduled upgrade). */
const FUTURE_UPGRADES = ['Xx'];
const NEVER = 9_999_999_999;

function forkUpgradeParams(): Record<string, number> {
  const params: Record<string, number> = {};
  for (const name of PAST_UPGRADES) params[`Upgrade${name}Height`] = -1;
  for (const name of FUTURE_UPGRADES) params[`Upgrade${name}Height`] = NEVER;
  params.BreezeGasTampingDuration = 0;
  return params;
}

/**
 * The actors version of a network version the devnet runs or has passed, as Lotus maps it; Lotus's
 * error for any other (a later version has no actors here).
 */
function actorsVersionOf(networkVersion: number): number {
  const version = actorsVersionFor(networkVersion);
  if (version === undefined) throw new DevnetError(`invalid network version ${networkVersion}: fvm-devnet runs network version ${NETWORK_VERSION} and knows none after it`);
  return version;
}

/**
 * A fork's answer for an earlier network version's bundle: its upstream's, as the upstream's node
 * holds the bundles of the versions its network passed (a gateway does not serve these methods: its
 * refusal is the answer).
 */
const upstreamBundles = (fork: Fork, method: string, networkVersion: number): Promise<unknown> => fork.upstream.call(method, [networkVersion]);

export const filecoinNetwork = [
  // Lotus's NetAPI ID (api/api_net.go): the node's peer ID, from its mnemonic (devnet/node-keys.ts nodePeerId).
  defineMethod('Filecoin.ID', [], ({ devnet }) => devnet.peerId),

  defineMethod('Filecoin.StateGetNetworkParams', [], ({ devnet }) => ({
    NetworkName: networkNameOf(devnet),
    BlockDelaySecs: devnet.blockDelay,
    ConsensusMinerMinPower: CONSENSUS_MINER_MIN_POWER.toString(),
    PreCommitChallengeDelay: PRE_COMMIT_CHALLENGE_DELAY,
    // A fork's history is its upstream's: the upgrades at the upstream's heights.
    ForkUpgradeParams: devnet.fork?.point.upgradeHeights ?? forkUpgradeParams(),
    Eip155ChainID: Number(devnet.chainId),
    GenesisTimestamp: devnet.fork?.point.genesisTimestamp ?? devnet.chain.first.timestamp,
  })),

  // Any version up to the devnet's, as Lotus answers for a network that has passed them: that actors
  // version's code CIDs (lotus chain/actors/actor_cids.go GetActorCodeIDs). The chain's own version:
  // its code table's (a fork's: the upstream's manifest at the fork point, every name it lists); an
  // earlier one: the devnet's identity ones, or on a fork the upstream's answer (upstreamBundles).
  defineMethod('Filecoin.StateActorCodeCIDs', [integer('networkVersion')], ({ devnet }, networkVersion) => {
    const version = actorsVersionOf(networkVersion);
    if (version === ACTORS_VERSION) return Object.fromEntries(devnet.codes.entries().map(([name, code]) => [name, cidJson(code)]));
    if (devnet.fork) return upstreamBundles(devnet.fork, 'Filecoin.StateActorCodeCIDs', networkVersion);
    return Object.fromEntries(actorKindsOf(version).map((kind) => [kind, cidJson(codeCid(kind, version))]));
  }),

  // The devnet has no actors bundles: its manifests list its own code CIDs (fevm/manifest.ts); a
  // fork's, its upstream's. Before actors v8 there was no bundle, and Lotus answers an error.
  defineMethod('Filecoin.StateActorManifestCID', [integer('networkVersion')], ({ devnet }, networkVersion) => {
    const version = actorsVersionOf(networkVersion);
    if (version === ACTORS_VERSION) return cidJson(devnet.codes.manifestCid);
    if (devnet.fork) return upstreamBundles(devnet.fork, 'Filecoin.StateActorManifestCID', networkVersion);
    if (version < FIRST_MANIFEST_VERSION) throw new DevnetError(`could not find manifest cid for network version ${networkVersion}, actors version ${version}`);
    return cidJson(actorsManifest(version).cid);
  }),
];
