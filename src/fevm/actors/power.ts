// The storage power actor (f04, builtin-actors actors/power): each miner's claim of raw and
// quality-adjusted power, the network's totals and pledge, CreateMiner, and the exported getters.
// Simplifications: every claim counts toward the totals (builtin-actors counts only miners above the
// consensus minimum once enough of them exist); the smoothed QA power estimate is the current power
// with zero velocity (on a fork, the upstream's moved on by every epoch's cron); the creation deposit
// is the devnet's fixed-rate pledge.
import { FilAddress } from '../../common/address.js';
import { encodeBigInt } from '../../common/cbor.js';
import { POWER_ACTOR_ID } from '../actor.js';
import { ExitCode } from '../exit-code.js';
import { wholeKeys } from '../lazy-map.js';
import { newActorAddress, transfer } from './lifecycle.js';
import { checkPeerInfo, resolveWorker } from './miner/control.js';
import { createMinerActor } from './miner/create.js';
import { initialPledgeFor, postProofName, shapeByPoStProof } from './miner/policy.js';
import { address, bigInt, bytes, i64, list, tuple, u64 } from './params.js';
import { ActorError, methodTable, type ActorRuntime, type BuiltinActor } from './runtime.js';
import { requireCallerKind } from './shared.js';
import { estimateThrough, filterEstimateValue, type FilterEstimate } from './reward-logic.js';
import type { StateOverlay } from '../state-tree.js';

/** A miner's power (power Claim): bytes of sectors, raw and quality-adjusted. */
export interface Claim {
  readonly rawBytePower: bigint;
  readonly qualityAdjPower: bigint;
}

export interface PowerState {
  /** Claims by miner actor ID, in the order the miners were created. */
  readonly claims: readonly (readonly [minerId: number, claim: Claim])[];
  readonly totalRawBytePower: bigint;
  readonly totalQualityAdjPower: bigint;
  readonly minerCount: number;
  /** Miners whose raw power reaches the consensus minimum. */
  readonly minerAboveMinPowerCount: number;
  /** The pledge all miners have locked (absent in states saved before sectors existed). */
  readonly totalPledgeCollateral?: bigint;
  /**
   * On a fork, the upstream's claims by miner, read on first touch (lazy-map.ts); a claim the fork
   * changes moves to `claims`. Absent on a chain of its own.
   */
  readonly upstreamClaims?: ReadonlyMap<number, Claim>;
  /**
   * On a fork, the upstream's ThisEpochQAPowerSmoothed, moved on by the cron of every epoch through
   * `through` (updatePowerSmoothed). Absent on a chain of its own, whose estimate is its QA power.
   */
  readonly qaPowerSmoothed?: { readonly estimate: FilterEstimate; readonly through: number };
}

/** The smoothed QA power estimate (Q.128): a fork's moved-on one, or the QA power with no velocity. */
export const qaPowerSmoothedOf = (state: PowerState): FilterEstimate => state.qaPowerSmoothed?.estimate ?? { position: state.totalQualityAdjPower << 128n, velocity: 0n };

/**
 * On a fork, the power actor's smoothed QA power moved through the cron of epoch `through`, each
 * epoch observing the QA power the state holds (on_epoch_tick_end; estimateThrough, epoch by epoch
 * from `exactFrom`). The devnet's own chain keeps its steady estimate.
 */
export function updatePowerSmoothed(state: StateOverlay, through: number, exactFrom?: number): void {
  const actor = state.getActor(POWER_ACTOR_ID);
  const smoothed = actor?.power?.qaPowerSmoothed;
  if (!actor?.power || !smoothed || smoothed.through >= through) return;
  const estimate = estimateThrough(smoothed.estimate, smoothed.through, through, actor.power.totalQualityAdjPower, exactFrom);
  state.putActor({ ...actor, power: { ...actor.power, qaPowerSmoothed: { estimate, through } } });
}

/**
 * The consensus minimum of raw power. Lotus's 2k devnet lowers it to 2 KiB (build/buildconstants
 * params_2k.go, builtin-actors' min-power-2k feature), so that small local miners take part in
 * consensus; the devnet does the same.
 */
export const CONSENSUS_MINER_MIN_POWER = 2048n;
/**
 * What a new miner must be sent and locks (FIP-0077, builtin-actors v17+ calculate_create_miner_deposit):
 * the initial pledge of a tenth of the consensus minimum, at the devnet's fixed rate. Lotus's
 * StateMinerCreationDeposit answers the same (ConsensusMinerMinPower / 10).
 */
export const CREATE_MINER_DEPOSIT = initialPledgeFor(CONSENSUS_MINER_MIN_POWER / 10n);
/** Below this many miners above the minimum, any miner with power counts (CONSENSUS_MINER_MIN_MINERS). */
const CONSENSUS_MINER_MIN_MINERS = 4;

export const EMPTY_POWER_STATE: PowerState = {
  claims: [],
  totalRawBytePower: 0n,
  totalQualityAdjPower: 0n,
  minerCount: 0,
  minerAboveMinPowerCount: 0,
};

export function claimOf(state: PowerState, minerId: number): Claim | undefined {
  return state.claims.find(([id]) => id === minerId)?.[1] ?? state.upstreamClaims?.get(minerId);
}

/** Every claim the state holds: its own, then (on a fork) the upstream's read so far. */
export function allClaims(state: PowerState): PowerState['claims'] {
  if (!state.upstreamClaims) return state.claims;
  const own = new Set(state.claims.map(([id]) => id));
  return [...state.claims, ...[...(state.upstreamClaims ?? [])].filter(([id]) => !own.has(id))];
}

/**
 * Every miner with a claim, as Lotus's StateListMiners lists them: on a fork, the upstream's whole list
 * (MissingStateError until it is fetched) and then the miners created on the fork.
 */
export function minerIds(state: PowerState): number[] {
  const own = state.claims.map(([id]) => id);
  if (!state.upstreamClaims) return own;
  const upstream = wholeKeys(state.upstreamClaims);
  const listed = new Set(upstream);
  return [...upstream, ...own.filter((id) => !listed.has(id))];
}

export function meetsConsensusMinimum(claim: Claim): boolean {
  return claim.rawBytePower >= CONSENSUS_MINER_MIN_POWER;
}

/** The state with a new miner's claim added to the table and the totals. */
export function addClaim(state: PowerState, minerId: number, claim: Claim): PowerState {
  if (claimOf(state, minerId)) throw new Error(`miner ${minerId} already has a power claim`);
  return {
    ...state,
    claims: [...state.claims, [minerId, claim]],
    totalRawBytePower: state.totalRawBytePower + claim.rawBytePower,
    totalQualityAdjPower: state.totalQualityAdjPower + claim.qualityAdjPower,
    minerCount: state.minerCount + 1,
    minerAboveMinPowerCount: state.minerAboveMinPowerCount + (meetsConsensusMinimum(claim) ? 1 : 0),
  };
}

/**
 * The state with the network's pledge total changed by `delta` (UpdatePledgeTotal). A total that would
 * go negative is refused, as builtin-actors' update_pledge_total refuses it (actors/power/src/lib.rs;
 * its message gives the total in FIL, this one in attoFIL, as the devnet's amounts are):
 * the miner that sent the change aborts with it. A deadline cron's unlock can get there, as the
 * creation deposit a miner's constructor locks never joins the total while its unlocks come off it;
 * Lotus's block rewards keep the total above them, and the devnet's null rounds pay none.
 */
export function addPledgeTotal(state: PowerState, delta: bigint): PowerState {
  const total = (state.totalPledgeCollateral ?? 0n) + delta;
  if (total < 0n) throw new ActorError(ExitCode.ErrIllegalState, `negative total pledge collateral ${total}`);
  return { ...state, totalPledgeCollateral: total };
}

/** The state with a miner's claim changed by the deltas (add_to_claim). */
function addToClaim(state: PowerState, minerId: number, raw: bigint, qa: bigint): PowerState {
  const old = claimOf(state, minerId);
  if (!old) throw new ActorError(ExitCode.ErrNotFound, `no claim for actor ${FilAddress.fromId(minerId).toString('f')}`);
  const claim = { rawBytePower: old.rawBytePower + raw, qualityAdjPower: old.qualityAdjPower + qa };
  if (claim.rawBytePower < 0n || claim.qualityAdjPower < 0n) throw new ActorError(ExitCode.ErrIllegalState, `negative claimed power for miner ${minerId}`);
  const aboveMin = (meetsConsensusMinimum(claim) ? 1 : 0) - (meetsConsensusMinimum(old) ? 1 : 0);
  return {
    ...state,
    // A forked miner's first change moves its claim from the upstream's to the state's own.
    claims: state.claims.some(([id]) => id === minerId) ? state.claims.map(([id, c]) => [id, id === minerId ? claim : c] as const) : [...state.claims, [minerId, claim]],
    totalRawBytePower: state.totalRawBytePower + raw,
    totalQualityAdjPower: state.totalQualityAdjPower + qa,
    minerAboveMinPowerCount: state.minerAboveMinPowerCount + aboveMin,
  };
}

/** Whether a miner takes part in consensus (miner_nominal_power_meets_consensus_minimum). */
export function minerMeetsConsensus(state: PowerState, claim: Claim): boolean {
  if (meetsConsensusMinimum(claim)) return true;
  if (state.minerAboveMinPowerCount >= CONSENSUS_MINER_MIN_MINERS) return false;
  return claim.rawBytePower > 0n;
}

/** The bit width of the power actor's Claims HAMT (builtin-actors CLAIMS_CONFIG, DEFAULT_HAMT_CONFIG). */
export const CLAIMS_HAMT_BIT_WIDTH = 5;

/** The CBOR value of the power actor's state: the totals and the claims (standing for its HAMT). */
export function powerStateValue(state: PowerState): unknown {
  const claims = allClaims(state).map(([id, c]) => [id, encodeBigInt(c.rawBytePower), encodeBigInt(c.qualityAdjPower)]);
  const smoothed = state.qaPowerSmoothed && filterEstimateValue(state.qaPowerSmoothed.estimate);
  return [encodeBigInt(state.totalRawBytePower), encodeBigInt(state.totalQualityAdjPower), state.minerCount, state.minerAboveMinPowerCount, claims, ...(smoothed ? [smoothed] : [])];
}

const readPower = (rt: ActorRuntime): PowerState => rt.self().power ?? EMPTY_POWER_STATE;
const writePower = (rt: ActorRuntime, power: PowerState) => rt.update({ power });

async function createMiner(rt: ActorRuntime, params: unknown): Promise<unknown> {
  const [rawOwner, rawWorker, rawProof, rawPeer, rawMultiaddrs] = tuple(params, 5, 'CreateMiner params');
  const owner = address(rawOwner, 'owner');
  const proofType = i64(rawProof, 'window_post_proof_type');
  const peerId = bytes(rawPeer, 'peer');
  const multiaddrs = list(rawMultiaddrs, 'multiaddrs').map((m, i) => bytes(m, `multiaddrs[${i}]`));
  checkPeerInfo(peerId, multiaddrs);
  if (!shapeByPoStProof(proofType)) throw new ActorError(ExitCode.ErrIllegalArgument, `proof type ${postProofName(proofType)} not allowed for new miner actors`);
  // The new miner's balance is the value sent with CreateMiner, as Init Exec forwards it.
  if (rt.valueReceived < CREATE_MINER_DEPOSIT) {
    throw new ActorError(ExitCode.ErrInsufficientFunds, `not enough balance to lock for create miner deposit: sent balance ${rt.valueReceived} < deposit ${CREATE_MINER_DEPOSIT}`);
  }
  const ownerId = rt.state.lookupId(owner);
  if (ownerId === undefined) throw new ActorError(ExitCode.ErrIllegalArgument, `unable to resolve owner address: ${owner.toString('f')}`);
  const worker = await resolveWorker(rt, address(rawWorker, 'worker'));
  const robust = newActorAddress(rt.state, rt.caller.id);
  const miner = createMinerActor(rt.state, { owner: ownerId, worker, windowPoStProofType: proofType, peerId, multiaddrs, epoch: rt.ctx.epoch, robust, deposit: CREATE_MINER_DEPOSIT });
  // The value sent with CreateMiner goes on to the new miner, as Init Exec forwards it.
  transfer(rt.state, POWER_ACTOR_ID, miner.id, rt.valueReceived);
  const power = readPower(rt);
  writePower(rt, { ...addClaim(power, miner.id, { rawBytePower: 0n, qualityAdjPower: 0n }) });
  return [FilAddress.fromId(miner.id).bytes, robust.bytes];
}

export const powerActor: BuiltinActor = {
  methods: methodTable({
    CreateMiner: { legacy: 2, run: createMiner },
    UpdateClaimedPower: {
      legacy: 3,
      internalOnly: true,
      run(rt, params) {
        const [raw, qa] = tuple(params, 2, 'UpdateClaimedPower params');
        const [rawDelta, qaDelta] = [bigInt(raw, 'raw_byte_delta'), bigInt(qa, 'quality_adjusted_delta')];
        requireCallerKind(rt, 'storageminer');
        writePower(rt, addToClaim(readPower(rt), rt.caller.id, rawDelta, qaDelta));
      },
    },
    UpdatePledgeTotal: {
      legacy: 6,
      internalOnly: true,
      run(rt, params) {
        const delta = bigInt(params, 'pledge_delta');
        requireCallerKind(rt, 'storageminer');
        writePower(rt, addPledgeTotal(readPower(rt), delta));
      },
    },
    CurrentTotalPower: {
      noParams: true,
      legacy: 9,
      internalOnly: true,
      run(rt) {
        const p = readPower(rt);
        // quality_adj_power_smoothed is a FilterEstimate: a Q.128 position and a velocity.
        const smoothed = filterEstimateValue(qaPowerSmoothedOf(p));
        return [encodeBigInt(p.totalRawBytePower), encodeBigInt(p.totalQualityAdjPower), encodeBigInt(p.totalPledgeCollateral ?? 0n), smoothed, 0, 0];
      },
    },
    NetworkRawPower: { noParams: true, run: (rt) => encodeBigInt(readPower(rt).totalRawBytePower) },
    MinerRawPower: {
      run(rt, params) {
        const id = u64(params, 'MinerRawPower params');
        const power = readPower(rt);
        const claim = claimOf(power, id);
        if (!claim) throw new ActorError(ExitCode.ErrIllegalArgument, `no claim for actor: ${id}`);
        return [encodeBigInt(claim.rawBytePower), minerMeetsConsensus(power, claim)];
      },
    },
    MinerCount: { noParams: true, run: (rt) => readPower(rt).minerCount },
    MinerConsensusCount: { noParams: true, run: (rt) => readPower(rt).minerAboveMinPowerCount },
    MinerPower: {
      run(rt, params) {
        const claim = claimOf(readPower(rt), u64(params, 'MinerPower params'));
        if (!claim) throw new ActorError(ExitCode.ErrNotFound, 'miner not found');
        return [encodeBigInt(claim.rawBytePower), encodeBigInt(claim.qualityAdjPower)];
      },
    },
  }),
};
