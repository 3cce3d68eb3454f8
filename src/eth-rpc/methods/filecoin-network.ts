// The network's constants, as `lotus info` and SDKs read them: Filecoin.StateGetNetworkParams,
// Filecoin.StateActorCodeCIDs, Filecoin.StateActorManifestCID.
import { DevnetError } from '../../common/errors.js';
import { ACTOR_KINDS, codeCid } from '../../fevm/actor.js';
import { actorsManifest } from '../../fevm/manifest.js';
import { CONSENSUS_MINER_MIN_POWER } from '../../fevm/actors/power.js';
import { PRE_COMMIT_CHALLENGE_DELAY } from '../../fevm/actors/miner/policy.js';
import { defineMethod } from '../define-method.js';
import { cidJson } from '../lotus-json.js';
import { integer } from '../lotus-params.js';
import { NETWORK_NAME, NETWORK_VERSION } from './filecoin-state.js';

/** Lotus's network upgrades up to nv27 (GoldenWeek): all before genesis here, as on Lotus's 2k devnet. */
const PAST_UPGRADES = ['Smoke', 'Breeze', 'Ignition', 'Liftoff', 'Assembly', 'Refuel', 'Tape', 'Kumquat', 'Calico', 'Persian', 'Orange', 'Claus', 'Trust', 'Norwegian', 'Turbo', 'Hyperdrive', 'Chocolate', 'OhSnap', 'Skyr', 'Shark', 'Hygge', 'Lightning', 'Thunder', 'Watermelon', 'Dragon', 'Phoenix', 'Waffle', 'Tuktuk', 'Teep', 'Tock', 'GoldenWeek'];
/** Upgrades Lotus knows after nv27: never, here (Lotus's height for an unscheduled upgrade). */
const FUTURE_UPGRADES = ['FireHorse', 'Xx'];
const NEVER = 9_999_999_999;

function forkUpgradeParams(): Record<string, number> {
  const params: Record<string, number> = {};
  for (const name of PAST_UPGRADES) params[`Upgrade${name}Height`] = -1;
  for (const name of FUTURE_UPGRADES) params[`Upgrade${name}Height`] = NEVER;
  params.BreezeGasTampingDuration = 0;
  return params;
}

/** The devnet runs one network version; its actors answer for it alone. */
function checkVersion(version: number): void {
  if (version !== NETWORK_VERSION) throw new DevnetError(`invalid network version ${version}: fvm-devnet runs network version ${NETWORK_VERSION} only`);
}

export const filecoinNetwork = [
  defineMethod('Filecoin.StateGetNetworkParams', [], ({ devnet }) => ({
    NetworkName: NETWORK_NAME,
    BlockDelaySecs: devnet.blockDelay,
    ConsensusMinerMinPower: CONSENSUS_MINER_MIN_POWER.toString(),
    PreCommitChallengeDelay: PRE_COMMIT_CHALLENGE_DELAY,
    ForkUpgradeParams: forkUpgradeParams(),
    Eip155ChainID: Number(devnet.chainId),
    GenesisTimestamp: devnet.fork?.point.genesisTimestamp ?? devnet.chain.first.timestamp,
  })),

  defineMethod('Filecoin.StateActorCodeCIDs', [integer('networkVersion')], (_ctx, version) => {
    checkVersion(version);
    return Object.fromEntries(ACTOR_KINDS.map((kind) => [kind, cidJson(codeCid(kind))]));
  }),

  // The devnet has no actors bundle: its manifest lists its own code CIDs (fevm/manifest.ts).
  defineMethod('Filecoin.StateActorManifestCID', [integer('networkVersion')], (_ctx, version) => {
    checkVersion(version);
    return cidJson(actorsManifest().cid);
  }),
];
