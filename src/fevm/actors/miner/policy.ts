// The storage miner's policy numbers (builtin-actors runtime/src/runtime/policy.rs and actors/miner/src/
// policy.rs, as the "devnet" bundle builds them: short pre-commit delay, 2 KiB consensus minimum) and
// the devnet's simplified economics (pledge, fees), each said where it is defined.
import { blake2b } from '@noble/hashes/blake2.js';
import type { FilAddress } from '../../../common/address.js';
import { encodeCbor } from '../../../common/cbor.js';

/** 30-second epochs in a day (builtin-actors runtime builtin/network.rs); the market's and verifreg's policies read it here. */
export const EPOCHS_IN_DAY = 2880;
const CHAIN_FINALITY = 900;
export const WPOST_PROVING_PERIOD = EPOCHS_IN_DAY;
export const WPOST_CHALLENGE_WINDOW = 60;
export const WPOST_PERIOD_DEADLINES = 48;
export const WPOST_CHALLENGE_LOOKBACK = 20;
export const FAULT_DECLARATION_CUTOFF = WPOST_CHALLENGE_LOOKBACK + 50;
/** Sectors faulty this long are terminated (42 proving periods). */
export const FAULT_MAX_AGE = WPOST_PROVING_PERIOD * 42;
/** A worker key change takes effect this many epochs after it is requested (WORKER_KEY_CHANGE_DELAY = CHAIN_FINALITY). */
export const WORKER_KEY_CHANGE_DELAY = CHAIN_FINALITY;
/**
 * Epochs between a pre-commit and its proof: 150 on mainnet, 10 in builtin-actors' devnet bundle
 * ("short-precommit"), 0 here so that the storage-provider agents seal in two consecutive tipsets
 * (the proof still cannot land in the pre-commit's own epoch).
 */
export const PRE_COMMIT_CHALLENGE_DELAY = 0;
export const MAX_PRE_COMMIT_RANDOMNESS_LOOKBACK = EPOCHS_IN_DAY + CHAIN_FINALITY;
export const EXPIRED_PRE_COMMIT_CLEAN_UP_DELAY = 8 * 120;
export const MIN_SECTOR_EXPIRATION = 180 * EPOCHS_IN_DAY;
export const MAX_SECTOR_EXPIRATION_EXTENSION = 1278 * EPOCHS_IN_DAY;
/** V1_1 seal proofs may live 5 years (seal_proof_sector_maximum_lifetime). */
export const SECTOR_MAXIMUM_LIFETIME = 5 * 365 * EPOCHS_IN_DAY;
export const MAX_CONTROL_ADDRESSES = 10;
export const MAX_PEER_ID_LENGTH = 128;
export const MAX_MULTIADDR_DATA = 1024;
export const MAX_SECTOR_NUMBER = Number.MAX_SAFE_INTEGER;

/** Exit codes the miner adds (actors/miner/src/lib.rs): notification failures under require_notification_success. */
export const ERR_NOTIFICATION_SEND_FAILED = 1001;
export const ERR_NOTIFICATION_RECEIVER_ABORTED = 1002;
export const ERR_NOTIFICATION_RESPONSE_INVALID = 1003;
export const ERR_NOTIFICATION_REJECTED = 1004;

const FIL = 10n ** 18n;

/** One size of sector: its bytes, its window PoSt proof, the seal proofs it takes and sectors per partition. */
interface SectorShape {
  sectorSize: bigint;
  windowPoStProofType: number;
  partitionSectors: number;
  /** RegisteredSealProof: StackedDrg…V1_1 and the SyntheticPoRep variant (ref-fvm registered_proof.rs). */
  sealProofs: readonly number[];
}

const SHAPES: SectorShape[] = [
  { sectorSize: 2n << 10n, windowPoStProofType: 10, partitionSectors: 2, sealProofs: [5, 10] },
  { sectorSize: 8n << 20n, windowPoStProofType: 11, partitionSectors: 2, sealProofs: [6, 11] },
  { sectorSize: 512n << 20n, windowPoStProofType: 12, partitionSectors: 2, sealProofs: [7, 12] },
  { sectorSize: 32n << 30n, windowPoStProofType: 13, partitionSectors: 2349, sealProofs: [8, 13] },
  { sectorSize: 64n << 30n, windowPoStProofType: 14, partitionSectors: 2300, sealProofs: [9, 14] },
];

export function shapeBySize(sectorSize: bigint): SectorShape | undefined {
  return SHAPES.find((s) => s.sectorSize === sectorSize);
}

export function shapeByPoStProof(proofType: number): SectorShape | undefined {
  return SHAPES.find((s) => s.windowPoStProofType === proofType);
}

/**
 * RegisteredPoStProof's names by number (fvm_shared 4 sector/registered_proof.rs), which builtin-actors'
 * errors print ({:?}): 5–9, the V1 Window PoSt proofs, left the enum, so they and any other number
 * print as Invalid(n).
 */
const POST_PROOF_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'StackedDRGWinning2KiBV1'],
  [1, 'StackedDRGWinning8MiBV1'],
  [2, 'StackedDRGWinning512MiBV1'],
  [3, 'StackedDRGWinning32GiBV1'],
  [4, 'StackedDRGWinning64GiBV1'],
  [10, 'StackedDRGWindow2KiBV1P1'],
  [11, 'StackedDRGWindow8MiBV1P1'],
  [12, 'StackedDRGWindow512MiBV1P1'],
  [13, 'StackedDRGWindow32GiBV1P1'],
  [14, 'StackedDRGWindow64GiBV1P1'],
]);

/** A PoSt proof type as builtin-actors' errors name it. */
export const postProofName = (proofType: number): string => POST_PROOF_NAMES.get(proofType) ?? `Invalid(${proofType})`;

export function shapeBySealProof(sealProof: number): SectorShape | undefined {
  return SHAPES.find((s) => s.sealProofs.includes(sealProof));
}

/** Window PoSt by sector size: the proof type and the sectors per partition. */
export function windowPoSt(sectorSize: bigint): { proofType: number; partitionSectors: number } {
  const shape = shapeBySize(sectorSize);
  if (!shape) throw new RangeError(`no window PoSt for sectors of ${sectorSize} bytes`);
  return { proofType: shape.windowPoStProofType, partitionSectors: shape.partitionSectors };
}

/** How long before prove-commit is too late (max_prove_commit_duration for V1_1 and synthetic proofs). */
export const MAX_PROVE_COMMIT_DURATION = 30 * EPOCHS_IN_DAY + PRE_COMMIT_CHALLENGE_DELAY;

// Quality (builtin-actors actors/miner/src/policy.rs quality_for_weight, FIP-0045 SIMPLE_QA_POWER).
const SECTOR_QUALITY_PRECISION = 20n;
const QUALITY_BASE_MULTIPLIER = 10n;
const DEAL_WEIGHT_MULTIPLIER = 10n;
const VERIFIED_DEAL_WEIGHT_MULTIPLIER = 100n;

/** The quality-adjusted power of a sector: raw space plus 9× its verified space, from its weights as builtin-actors computes it. */
export function qaPowerForWeight(sectorSize: bigint, duration: number, dealWeight: bigint, verifiedWeight: bigint): bigint {
  const spaceTime = sectorSize * BigInt(duration);
  if (spaceTime === 0n) return sectorSize;
  const base = (spaceTime - dealWeight - verifiedWeight) * QUALITY_BASE_MULTIPLIER;
  const weighted = base + dealWeight * DEAL_WEIGHT_MULTIPLIER + verifiedWeight * VERIFIED_DEAL_WEIGHT_MULTIPLIER;
  const quality = (weighted << SECTOR_QUALITY_PRECISION) / spaceTime / QUALITY_BASE_MULTIPLIER;
  return (sectorSize * quality) >> SECTOR_QUALITY_PRECISION;
}

// The devnet's simplified economics. builtin-actors derives pledge and fees from the reward and power
// actors' smoothed estimates; the devnet has a fixed block reward, so it uses fixed rates instead.

/**
 * builtin-actors' cap on a pledge per byte of quality-adjusted power (actors/miner/src/monies.rs
 * INITIAL_PLEDGE_MAX_PER_BYTE): 1 FIL / 32 GiB, floored to whole attoFIL before any power multiplies it.
 */
const INITIAL_PLEDGE_MAX_PER_BYTE = FIL / (32n << 30n);

/**
 * Initial pledge: builtin-actors' cap on it (initial_pledge_for_power's pledge_cap), the floored rate
 * times the power, so 29 103 830 attoFIL a byte (a CC 32 GiB sector pledges 1 FIL less 15 693 250 560
 * attoFIL, a verified one ten times that).
 */
export function initialPledgeFor(qaPower: bigint): bigint {
  return qaPower * INITIAL_PLEDGE_MAX_PER_BYTE;
}

/** Pre-commit deposit: the initial pledge of the sector's raw size, returned when the sector is proven. */
export function preCommitDepositFor(sectorSize: bigint): bigint {
  return initialPledgeFor(sectorSize);
}

/**
 * Fault fee per proving period a sector stays faulty. builtin-actors charges 3.51 days of the
 * sector's expected reward; the devnet's pledge stands for 20 days of reward, so the fee is 3.51/20
 * of the pledge the sector's power would lock (0.1755 FIL a day for a CC 32 GiB sector).
 */
export function faultFeeFor(qaPower: bigint): bigint {
  return (initialPledgeFor(qaPower) * 351n) / 2000n;
}

/**
 * FIP-0100's daily fee of a sector onboarded now (builtin-actors v18 actors/miner/src/policy.rs:214-227
 * daily_proof_fee): 161 817 × 10^-30 of the circulating supply per byte of quality-adjusted power
 * (runtime/src/runtime/policy.rs:372-374), about 5.56 × 10^-15 of it per 32 GiB.
 */
export function dailyProofFee(circulatingSupply: bigint, qaPower: bigint): bigint {
  return (161_817n * circulatingSupply * qaPower) / 10n ** 30n;
}

/**
 * The daily fee a deadline pays (policy.rs:243-251 daily_proof_fee_payable): at most half the day's
 * expected reward of its power (DAILY_FEE_BLOCK_REWARD_CAP_DENOM). The devnet's pledge stands for 20
 * days of reward (faultFeeFor), so half a day's reward is 1/40 of the pledge the power would lock.
 */
export function dailyFeePayable(dailyFee: bigint, qaPower: bigint): bigint {
  const cap = initialPledgeFor(qaPower) / 40n;
  return dailyFee < cap ? dailyFee : cap;
}

/** The age at which a sector's termination fee stops growing (TERMINATION_LIFETIME_CAP, 140 days). */
export const TERMINATION_LIFETIME_CAP = 140 * EPOCHS_IN_DAY;

/**
 * Termination fee (FIP-0098, actors v16+): 8.5% of the initial pledge scaled by age over 140 days,
 * at most 8.5%, at least 2% of the pledge or 105% of the fault fee.
 */
export function terminationFeeFor(initialPledge: bigint, ageEpochs: number, faultFee: bigint): bigint {
  const full = (initialPledge * 85n) / 1000n;
  const lifetimeCap = BigInt(TERMINATION_LIFETIME_CAP);
  const age = BigInt(Math.max(0, ageEpochs));
  const base = age >= lifetimeCap ? full : (full * age) / lifetimeCap;
  const floor = [(initialPledge * 2n) / 100n, (faultFee * 105n) / 100n].reduce((a, b) => (a > b ? a : b));
  return base > floor ? base : floor;
}

// Proving periods and deadlines (actors/miner/src/lib.rs, deadline_info.rs).

/**
 * The miner's proving period offset (assign_proving_period_offset): blake2b-256 of the address as
 * CBOR (a byte string, its header included, as an Address serializes) ‖ i64be(epoch), its first
 * 8 bytes as a big-endian u64, modulo the period.
 */
export function provingPeriodOffset(address: FilAddress, epoch: number): number {
  const cbor = encodeCbor(address.bytes);
  const input = new Uint8Array(cbor.length + 8);
  input.set(cbor);
  new DataView(input.buffer).setBigInt64(cbor.length, BigInt(epoch));
  const digest = blake2b(input, { dkLen: 32 });
  const word = new DataView(digest.buffer, digest.byteOffset, 8).getBigUint64(0);
  return Number(word % BigInt(WPOST_PROVING_PERIOD));
}

/** The start of the proving period `epoch` falls in, for a miner with this offset. */
export function provingPeriodStart(epoch: number, offset: number): number {
  const modulus = ((epoch % WPOST_PROVING_PERIOD) + WPOST_PROVING_PERIOD) % WPOST_PROVING_PERIOD;
  const progress = modulus >= offset ? modulus - offset : WPOST_PROVING_PERIOD - (offset - modulus);
  return epoch - progress;
}

/**
 * The last epoch of deadline `index` at or after `epoch`, for a miner with this offset: where
 * builtin-actors' expiration queues put what is due at `epoch` (state.rs quant_spec_for_deadline:
 * quantize_up with the proving period as unit and the deadline's last epoch as offset), popped by that
 * deadline's cron.
 */
export function deadlineEndAtOrAfter(epoch: number, offset: number, index: number): number {
  const last = (((offset + (index + 1) * WPOST_CHALLENGE_WINDOW - 1) % WPOST_PROVING_PERIOD) + WPOST_PROVING_PERIOD) % WPOST_PROVING_PERIOD;
  return epoch + ((((last - epoch) % WPOST_PROVING_PERIOD) + WPOST_PROVING_PERIOD) % WPOST_PROVING_PERIOD);
}

/** go-state-types dline.Info: the deadline open at `epoch` (never elapsed, as it is computed from the epoch itself). */
interface DeadlineInfo {
  currentEpoch: number;
  periodStart: number;
  index: number;
  open: number;
  close: number;
  challenge: number;
  faultCutoff: number;
}

export function deadlineInfo(epoch: number, offset: number): DeadlineInfo {
  const periodStart = provingPeriodStart(epoch, offset);
  const index = Math.floor((epoch - periodStart) / WPOST_CHALLENGE_WINDOW);
  const open = periodStart + index * WPOST_CHALLENGE_WINDOW;
  return {
    currentEpoch: epoch,
    periodStart,
    index,
    open,
    close: open + WPOST_CHALLENGE_WINDOW,
    challenge: open - WPOST_CHALLENGE_LOOKBACK,
    faultCutoff: open - FAULT_DECLARATION_CUTOFF,
  };
}

/** The last epoch of the first deadline (of any index) that ends after `epoch`: the one open at `epoch + 1`. */
export const deadlineEndAfter = (epoch: number, offset: number): number => deadlineInfo(epoch + 1, offset).close - 1;

/**
 * Where a new sector is proven. builtin-actors fills the least-loaded deadlines; the devnet spreads
 * sectors by number, so that the place of a sector follows from its number alone.
 */
export function sectorLocation(sectorNumber: number, partitionSectors: number): { deadline: number; partition: number } {
  return { deadline: sectorNumber % WPOST_PERIOD_DEADLINES, partition: Math.floor(Math.floor(sectorNumber / WPOST_PERIOD_DEADLINES) / partitionSectors) };
}
