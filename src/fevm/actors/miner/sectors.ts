// Sector onboarding (builtin-actors actors/miner/src/lib.rs): PreCommitSectorBatch2 (28) and
// ProveCommitSectors3 (34), the direct data onboarding entry point. Proven pieces with a verified
// allocation are claimed at the verified registry (ClaimAllocations 9), the new sectors' pledge is
// locked and their power claimed at f04, then every notify receiver hears SectorContentChanged.
//
// What the devnet does not do: it checks no seal proof (any non-empty bytes pass) and does not
// recompute CommD from the pieces (their total size must fit the sector); a new sector has power at
// once instead of at its first window PoSt; pre-commits with deal IDs are stored without asking the
// market (VerifyDealsForActivation) and, as in builtin-actors, cannot be proven by ProveCommitSectors3.
import { FilAddress } from '../../../common/address.js';
import type { CID } from '../../../common/cbor.js';
import { VERIFREG_ACTOR_ID } from '../../actor.js';
import { ExitCode } from '../../exit-code.js';
import { address, bigInt, bool, bytes, cid, i64, list, optional, tuple, u64 } from '../params.js';
import { ActorError, methodNumber, type ActorRuntime, type MethodSpec } from '../runtime.js';
import { illegalArgument, requireCallerIn } from '../shared.js';
import { burnFunds, notifyPledgeChanged, readMiner, sendOrAbort, updateClaimedPower, writeMiner } from './access.js';
import { BatchBuilder, batchValue, readBatch, stack, successes, type BatchReturn } from '../batch-return.js';
import { repayDebtsOrAbort } from './control.js';
import {
  ERR_NOTIFICATION_RECEIVER_ABORTED,
  ERR_NOTIFICATION_REJECTED,
  ERR_NOTIFICATION_RESPONSE_INVALID,
  ERR_NOTIFICATION_SEND_FAILED,
  EXPIRED_PRE_COMMIT_CLEAN_UP_DELAY,
  MAX_PRE_COMMIT_RANDOMNESS_LOOKBACK,
  MAX_PROVE_COMMIT_DURATION,
  MAX_SECTOR_EXPIRATION_EXTENSION,
  MAX_SECTOR_NUMBER,
  MIN_SECTOR_EXPIRATION,
  PRE_COMMIT_CHALLENGE_DELAY,
  SECTOR_MAXIMUM_LIFETIME,
  dailyProofFee,
  deadlineEndAtOrAfter,
  initialPledgeFor,
  preCommitDepositFor,
  qaPowerForWeight,
  sectorLocation,
  shapeBySealProof,
} from './policy.js';
import { availableBalance, controllingIds, sectorPower, sectorsPower, unlockedBalance, SECTOR_FLAG_SIMPLE_QA_POWER, type FullMinerState, type SectorOnChainInfo, type SectorPreCommit } from './state.js';
import { scheduleExpirations, schedulePreCommitCleanUp } from './schedule.js';
import { enrollDailyFees } from './proving.js';

const VERIFREG_CLAIM_ALLOCATIONS = 9;
export const SECTOR_CONTENT_CHANGED = methodNumber('SectorContentChanged');

/** CID prefixes of sector commitments (fil-commitment-sealed + poseidon, fil-commitment-unsealed + sha2-256-trunc254-padded). */
const SEALED = { codec: 0xf102, hash: 0xb401 };
const UNSEALED = { codec: 0xf101, hash: 0x1012 };
const hasPrefix = (c: CID, p: { codec: number; hash: number }) => c.version === 1 && c.code === p.codec && c.multihash.code === p.hash;

function readPreCommit(value: unknown, i: number): Omit<SectorPreCommit, 'preCommitDeposit' | 'preCommitEpoch'> {
  const what = `sectors[${i}]`;
  const [sealProof, sectorNumber, sealedCid, sealRandEpoch, dealIds, expiration, unsealedCid] = tuple(value, 7, what);
  return {
    sealProof: i64(sealProof, `${what}.seal_proof`),
    sectorNumber: u64(sectorNumber, `${what}.sector_number`),
    sealedCid: cid(sealedCid, `${what}.sealed_cid`),
    sealRandEpoch: i64(sealRandEpoch, `${what}.seal_rand_epoch`),
    dealIds: list(dealIds, `${what}.deal_ids`).map((d, j) => u64(d, `${what}.deal_ids[${j}]`)),
    expiration: i64(expiration, `${what}.expiration`),
    unsealedCid: optional(unsealedCid, cid, `${what}.unsealed_cid`),
  };
}

/** validate_expiration: the lifetime after activation is within policy. */
function validateExpiration(epoch: number, activation: number, expiration: number): void {
  if (expiration <= activation) throw illegalArgument(`sector expiration ${expiration} must be after activation ${activation}`);
  const lifetime = expiration - activation;
  if (lifetime < MIN_SECTOR_EXPIRATION) {
    throw illegalArgument(`invalid expiration ${expiration}, total sector lifetime (${lifetime}) must exceed ${MIN_SECTOR_EXPIRATION} after activation ${activation}`);
  }
  if (expiration > epoch + MAX_SECTOR_EXPIRATION_EXTENSION) {
    throw illegalArgument(`invalid expiration ${expiration}, cannot be more than ${MAX_SECTOR_EXPIRATION_EXTENSION} past current epoch ${epoch}`);
  }
  if (lifetime > SECTOR_MAXIMUM_LIFETIME) {
    throw illegalArgument(`invalid expiration ${expiration}, total sector lifetime (${lifetime}) cannot exceed ${SECTOR_MAXIMUM_LIFETIME} after activation ${activation}`);
  }
}

async function preCommitSectorBatch2(rt: ActorRuntime, params: unknown): Promise<void> {
  const [rawSectors] = tuple(params, 1, 'PreCommitSectorBatch2 params');
  const sectors = list(rawSectors, 'sectors').map(readPreCommit);
  const epoch = rt.ctx.epoch;
  if (sectors.length === 0) throw illegalArgument('batch empty');
  const numbers = new Set<number>();
  for (const p of sectors) {
    if (numbers.has(p.sectorNumber)) throw illegalArgument(`duplicate sector number ${p.sectorNumber}`);
    numbers.add(p.sectorNumber);
    if (!shapeBySealProof(p.sealProof)) throw illegalArgument(`unsupported seal proof type ${p.sealProof}`);
    if (p.sectorNumber > MAX_SECTOR_NUMBER) throw illegalArgument(`sector number ${p.sectorNumber} out of range 0..(2^63-1)`);
    if (!hasPrefix(p.sealedCid, SEALED)) throw illegalArgument('sealed CID had wrong prefix');
    if (p.sealRandEpoch >= epoch) throw illegalArgument(`seal challenge epoch ${p.sealRandEpoch} must be before now ${epoch}`);
    const earliest = epoch - MAX_PRE_COMMIT_RANDOMNESS_LOOKBACK;
    if (p.sealRandEpoch < earliest) throw illegalArgument(`seal challenge epoch ${p.sealRandEpoch} too old, must be after ${earliest}`);
    if (p.unsealedCid && !hasPrefix(p.unsealedCid, UNSEALED)) throw illegalArgument('unsealed CID had wrong prefix');
    validateExpiration(epoch, epoch + MAX_PROVE_COMMIT_DURATION, p.expiration);
  }

  let m = readMiner(rt);
  const available = availableBalance(m, rt.self().balance);
  const repaid = repayDebtsOrAbort(rt, m);
  m = repaid.state;
  requireCallerIn(rt, controllingIds(m));
  if (m.consensusFaultElapsed > epoch) throw new ActorError(ExitCode.ErrForbidden, 'pre-commit not allowed during active consensus fault');
  const deposit = preCommitDepositFor(m.sectorSize);
  const precommits = new Map(m.precommits);
  for (const p of sectors) {
    const postProof = shapeBySealProof(p.sealProof)!.windowPoStProofType;
    if (postProof !== m.windowPoStProofType) {
      // builtin-actors' words and arguments as they are: the literal %d, then the sector's PoSt type,
      // then the miner's in the "seal proof type" slot, both as plain numbers (i64::from).
      throw illegalArgument(`sector Window PoSt proof type %d must match miner Window PoSt proof type ${postProof} (seal proof type ${m.windowPoStProofType})`);
    }
    precommits.set(p.sectorNumber, { ...p, preCommitDeposit: deposit, preCommitEpoch: epoch });
  }
  const total = deposit * BigInt(sectors.length);
  if (available < total) throw new ActorError(ExitCode.ErrInsufficientFunds, `insufficient funds ${available} for pre-commit deposit: ${total}`);
  const allocated = new Set(m.allocatedSectors);
  const collisions = [...numbers].filter((n) => allocated.has(n));
  if (collisions.length) throw illegalArgument(`sector numbers [${collisions.join(', ')}] already allocated`);
  writeMiner(rt, {
    ...m,
    precommits,
    preCommitDeposits: m.preCommitDeposits + total,
    allocatedSectors: [...m.allocatedSectors, ...numbers].sort((a, b) => a - b),
    // pre_commit_sector_batch_inner: "Activate miner cron".
    deadlineCronActive: true,
  });
  schedulePreCommitCleanUp(rt, epoch + MAX_PROVE_COMMIT_DURATION + EXPIRED_PRE_COMMIT_CLEAN_UP_DELAY, m.provingPeriodOffset, [...numbers]);
  for (const n of numbers) rt.emit('sector-precommitted', [{ key: 'sector', value: n, indexed: true }]);
  await burnFunds(rt, repaid.burn);
}

// ProveCommitSectors3 params: [sector_activations, sector_proofs, aggregate_proof, aggregate_proof_type, require_activation_success, require_notification_success].

interface PieceManifest {
  cid: CID;
  size: number;
  allocation?: { client: number; id: number };
  notify: { address: FilAddress; payload: Uint8Array }[];
}

interface ActivationManifest {
  sectorNumber: number;
  pieces: PieceManifest[];
}

function readActivation(value: unknown, i: number): ActivationManifest {
  const what = `sector_activations[${i}]`;
  const [sectorNumber, pieces] = tuple(value, 2, what);
  return {
    sectorNumber: u64(sectorNumber, `${what}.sector_number`),
    pieces: list(pieces, `${what}.pieces`).map((piece, j) => {
      const pw = `${what}.pieces[${j}]`;
      const [pieceCid, size, allocationKey, notify] = tuple(piece, 4, pw);
      const allocation = optional(
        allocationKey,
        (v, w) => {
          const [client, id] = tuple(v, 2, w);
          return { client: u64(client, `${w}.client`), id: u64(id, `${w}.id`) };
        },
        `${pw}.verified_allocation_key`,
      );
      return {
        cid: cid(pieceCid, `${pw}.cid`),
        size: u64(size, `${pw}.size`),
        allocation,
        notify: list(notify, `${pw}.notify`).map((n, k) => {
          const [to, payload] = tuple(n, 2, `${pw}.notify[${k}]`);
          return { address: address(to, `${pw}.notify[${k}].address`), payload: bytes(payload, `${pw}.notify[${k}].payload`) };
        }),
      };
    }),
  };
}

/** What one proven sector's pieces add up to. */
interface DataActivation {
  unverifiedSpace: bigint;
  verifiedSpace: bigint;
}

async function proveCommitSectors3(rt: ActorRuntime, params: unknown): Promise<unknown> {
  const [rawActivations, rawProofs, rawAggregate, rawAggregateType, rawRequireActivation, rawRequireNotification] = tuple(params, 6, 'ProveCommitSectors3 params');
  const activations = list(rawActivations, 'sector_activations').map(readActivation);
  const proofs = list(rawProofs, 'sector_proofs').map((p, i) => bytes(p, `sector_proofs[${i}]`));
  const aggregate = bytes(rawAggregate, 'aggregate_proof');
  const aggregateType = optional(rawAggregateType, i64, 'aggregate_proof_type');
  const requireActivation = bool(rawRequireActivation, 'require_activation_success');
  const requireNotification = bool(rawRequireNotification, 'require_notification_success');
  const epoch = rt.ctx.epoch;

  const m = readMiner(rt);
  requireCallerIn(rt, controllingIds(m));
  const precommits = activations.map((a) => {
    const p = m.precommits.get(a.sectorNumber);
    if (!p) throw new ActorError(ExitCode.ErrNotFound, `sector ${a.sectorNumber} not found`);
    return p;
  });
  if (precommits.length === 0) throw illegalArgument('no sectors to prove');
  if ((proofs.length === 0) === (aggregate.length === 0)) throw illegalArgument('exactly one of sector proofs or aggregate proof must be non-empty');
  if (proofs.length > 0) {
    if (aggregateType !== undefined) throw illegalArgument('aggregate proof type must be null with batched proofs');
    if (activations.length !== proofs.length) throw illegalArgument(`mismatched lengths: ${activations.length} sector activations, ${proofs.length} proofs`);
  } else if (aggregateType !== 1) {
    throw illegalArgument('aggregate proof type must be SnarkPackV2');
  }

  // validate_precommits: pre-committed deal IDs and late proofs fail the sector; early proofs abort.
  const validation = new BatchBuilder();
  for (const [i, p] of precommits.entries()) {
    if (i > 0 && precommits[i - 1].sealProof !== p.sealProof) {
      throw new ActorError(ExitCode.ErrIllegalState, `seal proof group for verification contains mismatched seal proofs ${precommits[i - 1].sealProof} and ${p.sealProof}`);
    }
    if (epoch <= p.preCommitEpoch + PRE_COMMIT_CHALLENGE_DELAY) throw new ActorError(ExitCode.ErrForbidden, 'too early to prove sector');
    const ok = p.dealIds.length === 0 && epoch <= p.preCommitEpoch + MAX_PROVE_COMMIT_DURATION;
    if (!ok && requireActivation) throw illegalArgument(`invalid pre-commit for sector ${p.sectorNumber} while requiring activation success`);
    validation.add(ok, ExitCode.ErrIllegalArgument);
  }
  const validationBatch = validation.build();
  if (validationBatch.successCount === 0) throw illegalArgument('no valid precommits specified');
  // Every proof verifies on the devnet.
  const provenBatch: BatchReturn = { successCount: validationBatch.successCount, failCodes: [] };
  const proven = successes(validationBatch, activations.map((a, i) => ({ manifest: a, precommit: precommits[i] })));

  for (const { manifest } of proven) {
    const total = manifest.pieces.reduce((sum, p) => sum + BigInt(p.size), 0n);
    if (total > m.sectorSize) {
      throw illegalArgument(`failed to compute unsealed sector CID: pieces of sector ${manifest.sectorNumber} total ${total} bytes, more than the sector size ${m.sectorSize}`);
    }
  }
  const { batch: dataBatch, outputs } = await activatePieces(rt, proven.map((p) => ({ manifest: p.manifest, expiration: p.precommit.expiration })), requireActivation);
  if (dataBatch.successCount === 0) throw illegalArgument('all data activations failed');
  const activated = successes(dataBatch, proven);

  await activateNewSectors(rt, activated.map((a, i) => ({ precommit: a.precommit, data: outputs[i], hasData: a.manifest.pieces.length > 0 })));
  for (const { manifest, precommit } of activated) {
    rt.emit('sector-activated', [
      { key: 'sector', value: manifest.sectorNumber, indexed: true },
      { key: 'unsealed-cid', value: precommit.unsealedCid ?? null, indexed: true },
      ...manifest.pieces.flatMap((p) => [
        { key: 'piece-cid', value: p.cid, indexed: true },
        { key: 'piece-size', value: p.size },
      ]),
    ]);
  }
  await notifyDataConsumers(rt, activated.map((a) => ({ sector: a.manifest.sectorNumber, expiration: a.precommit.expiration, pieces: a.manifest.pieces })), requireNotification);
  return batchValue(stack([validationBatch, provenBatch, dataBatch]));
}

/** activate_sectors_pieces: claims the verified pieces' allocations; unverified space is the other pieces'. */
async function activatePieces(
  rt: ActorRuntime,
  sectors: { manifest: ActivationManifest; expiration: number }[],
  allOrNothing: boolean,
): Promise<{ batch: BatchReturn; outputs: DataActivation[] }> {
  const claims = sectors.map(({ manifest, expiration }) => [
    manifest.sectorNumber,
    expiration,
    manifest.pieces.filter((p) => p.allocation).map((p) => [p.allocation!.client, p.allocation!.id, p.cid, p.size]),
  ]);
  let batch: BatchReturn = { successCount: sectors.length, failCodes: [] };
  let claimed: bigint[] = sectors.map(() => 0n);
  if (claims.some((c) => (c[2] as unknown[]).length > 0)) {
    const reply = await sendOrAbort(rt, VERIFREG_ACTOR_ID, VERIFREG_CLAIM_ALLOCATIONS, [claims, allOrNothing]);
    const [rawBatch, rawClaims] = tuple(reply, 2, 'ClaimAllocations return');
    batch = readBatch(rawBatch, 'sector_results');
    claimed = list(rawClaims, 'sector_claims').map((c, i) => bigInt(Array.isArray(c) ? c[0] : c, `sector_claims[${i}]`));
  }
  const outputs = successes(batch, sectors).map(({ manifest }, i) => ({
    unverifiedSpace: manifest.pieces.filter((p) => !p.allocation).reduce((sum, p) => sum + BigInt(p.size), 0n),
    verifiedSpace: claimed[i] ?? 0n,
  }));
  return { batch, outputs };
}

/** activate_new_sector_infos: the sectors go on chain, their deposits are unlocked and their pledge locked; power is claimed. */
async function activateNewSectors(rt: ActorRuntime, items: { precommit: SectorPreCommit; data: DataActivation; hasData: boolean }[]): Promise<void> {
  const epoch = rt.ctx.epoch;
  let m = readMiner(rt);
  const sectors = new Map(m.sectors);
  const precommits = new Map(m.precommits);
  let pledge = 0n;
  let deposits = 0n;
  for (const { precommit: p, data, hasData } of items) {
    const duration = p.expiration - epoch;
    if (duration < MIN_SECTOR_EXPIRATION) {
      throw illegalArgument(`precommit ${p.sectorNumber} has lifetime ${duration} less than minimum ${MIN_SECTOR_EXPIRATION}. ignoring`);
    }
    const proven = newSector(m, p, epoch, data, hasData);
    const sector = { ...proven, dailyFee: dailyFeeAtOnboarding(rt, sectorPower(m.sectorSize, proven).qa) };
    sectors.set(p.sectorNumber, sector);
    pledge += sector.initialPledge;
    deposits += p.preCommitDeposit;
  }
  // delete_precommitted_sectors: a sector proven twice in one message is no longer pre-committed the second time.
  for (const { precommit: p } of items) {
    if (!precommits.delete(p.sectorNumber)) throw new ActorError(ExitCode.ErrIllegalState, `sector ${p.sectorNumber} not pre-committed`);
  }
  m = { ...m, sectors, precommits, preCommitDeposits: m.preCommitDeposits - deposits };
  const unlocked = unlockedBalance(m, rt.self().balance);
  if (unlocked < pledge) throw new ActorError(ExitCode.ErrInsufficientFunds, `insufficient funds for aggregate initial pledge requirement ${pledge}, available: ${unlocked}`);
  const added = items.map((i) => sectors.get(i.precommit.sectorNumber)!);
  const { raw, qa } = sectorsPower(m.sectorSize, added);
  m = { ...m, initialPledge: m.initialPledge + pledge };
  writeMiner(rt, enrollDailyFees(rt, m, added, epoch));
  scheduleExpirations(rt, added, (sector) => deadlineEndAtOrAfter(sector.expiration, m.provingPeriodOffset, sector.deadline));
  await notifyPledgeChanged(rt, pledge);
  await updateClaimedPower(rt, raw, qa);
}

/**
 * FIP-0100's daily fee of a sector of `qaPower` proven now (builtin-actors v18 actors/miner/src/lib.rs:1846-1868):
 * fixed from the circulating supply; none where it is not known (a fork, a call).
 */
function dailyFeeAtOnboarding(rt: ActorRuntime, qaPower: bigint): bigint {
  const supply = rt.ctx.circulatingSupply?.();
  return supply === undefined ? 0n : dailyProofFee(supply, qaPower);
}

/**
 * A proven sector as builtin-actors stores it (weights over its lifetime); its pledge the one for its QA
 * power unless given (a pre-sealed genesis sector's, genesis-sectors.ts).
 */
export function newSector(m: FullMinerState, p: Pick<SectorPreCommit, 'sectorNumber' | 'sealProof' | 'sealedCid' | 'expiration'>, epoch: number, data: DataActivation, hasData: boolean, pledge?: bigint): SectorOnChainInfo {
  const duration = BigInt(p.expiration - epoch);
  const dealWeight = data.unverifiedSpace * duration;
  const verifiedDealWeight = data.verifiedSpace * duration;
  const qa = qaPowerForWeight(m.sectorSize, p.expiration - epoch, dealWeight, verifiedDealWeight);
  return {
    sectorNumber: p.sectorNumber,
    sealProof: p.sealProof,
    sealedCid: p.sealedCid,
    activation: epoch,
    expiration: p.expiration,
    dealWeight,
    verifiedDealWeight,
    initialPledge: pledge ?? initialPledgeFor(qa),
    powerBaseEpoch: epoch,
    flags: SECTOR_FLAG_SIMPLE_QA_POWER,
    dailyFee: 0n,
    hasData,
    ...sectorLocation(p.sectorNumber, m.windowPoStPartitionSectors),
  };
}

/** notify_data_consumers: one SectorContentChanged per receiver, with the sectors and pieces that name it. */
async function notifyDataConsumers(rt: ActorRuntime, activations: { sector: number; expiration: number; pieces: PieceManifest[] }[], requireSuccess: boolean): Promise<void> {
  const byNotifee = new Map<string, { address: FilAddress; sectors: Map<number, unknown[][]> }>();
  const expirations = new Map(activations.map((a) => [a.sector, a.expiration]));
  for (const a of activations) {
    for (const piece of a.pieces) {
      for (const n of piece.notify) {
        const key = Buffer.from(n.address.bytes).toString('hex');
        const entry = byNotifee.get(key) ?? { address: n.address, sectors: new Map() };
        const added = entry.sectors.get(a.sector) ?? [];
        added.push([piece.cid, piece.size, n.payload]);
        entry.sectors.set(a.sector, added);
        byNotifee.set(key, entry);
      }
    }
  }
  for (const key of [...byNotifee.keys()].sort()) {
    const { address: notifee, sectors } = byNotifee.get(key)!;
    const request = [...sectors.entries()].sort(([a], [b]) => a - b).map(([sector, added]) => [sector, expirations.get(sector)!, added]);
    const reply = await rt.send(notifee, SECTOR_CONTENT_CHANGED, request);
    if (!requireSuccess) continue;
    if (reply.exitCode !== ExitCode.Ok) {
      // A receiver that does not exist is a failed send rather than an abort.
      if (rt.state.lookupId(notifee) === undefined) throw new ActorError(ERR_NOTIFICATION_SEND_FAILED, `send error ${reply.exitCode}`);
      throw new ActorError(ERR_NOTIFICATION_RECEIVER_ABORTED, `receiver aborted with ${reply.exitCode}`);
    }
    validateNotificationResponse(notifee, request, reply.returnValue);
  }
}

function validateNotificationResponse(notifee: FilAddress, request: unknown[][], response: unknown): void {
  const invalid = (message: string) => new ActorError(ERR_NOTIFICATION_RESPONSE_INVALID, message);
  if (response === undefined) throw invalid('no return data');
  if (!Array.isArray(response)) throw invalid('invalid return data serialization');
  if (response.length !== request.length) throw invalid('sector change response mismatched sectors');
  for (const [i, [sector, , added]] of request.entries()) {
    const accepted = response[i];
    const pieces = added as unknown[][];
    if (!Array.isArray(accepted) || accepted.length !== pieces.length) throw invalid(`sector change response mismatched pieces for sector ${sector}`);
    for (const [j, ok] of accepted.entries()) {
      if (ok !== true) {
        const [pieceCid, , payload] = pieces[j];
        throw new ActorError(ERR_NOTIFICATION_REJECTED, `sector change rejected by ${notifee.toString('f')} for sector ${sector} piece ${String(pieceCid)} payload ${Buffer.from(payload as Uint8Array).toString('hex')}`);
      }
    }
  }
}

export const sectorMethods: Record<string, MethodSpec> = {
  PreCommitSectorBatch2: { legacy: 28, internalOnly: true, run: preCommitSectorBatch2 },
  ProveCommitSectors3: { legacy: 34, internalOnly: true, run: proveCommitSectors3 },
};
