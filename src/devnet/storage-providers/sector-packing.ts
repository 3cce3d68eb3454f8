// How a storage provider fills sectors with the pieces waiting to be sealed, as Curio and Lotus's
// sealing pipeline do: several pieces to a sector while they fit, several sectors to one
// PreCommitSectorBatch2 and one ProveCommitSectors3. Pure: the agents decide what is ready and send.

/**
 * Sectors per batch message: Lotus's and Curio's default MaxPreCommitBatch, which was the miner
 * actor's own limit (PRE_COMMIT_SECTOR_BATCH_MAX_SIZE) until FIP-0100 (nv25) removed it.
 */
export const MAX_SECTORS_PER_BATCH = 256;

/** builtin-actors' sector_deals_max: at most 256 deals in a sector, or one per 128 MiB of a larger one. */
export function sectorDealsMax(sectorSize: bigint): number {
  return Math.max(256, Number(sectorSize / 134_217_728n));
}

/**
 * How many epochs after its pre-commit a sector's proof may land and still claim its verified pieces:
 * the agent proves the epoch after the pre-commit is on chain; a day covers a chain mined ahead of it.
 */
export const PROVE_MARGIN = 2880;

/** What packing needs of a piece waiting for a sector. */
export interface PackableJob {
  piece: { size: number };
  /** The sector must live until at least this epoch (the deal's end, or the allocation's minimum term)… */
  minExpiration: number;
  /** …and at most until this one (a verified piece's allocation's maximum term, the longest a sector lives). */
  maxExpiration?: number;
  /** It shared a sector whose proof failed: it is retried in a sector of its own. */
  alone?: boolean;
}

/**
 * The expirations a sector pre-committed at `head` may have for a verified piece whose allocation has
 * the term `[min, max]`. The registry measures a claim's lifetime from the prove epoch (expiration −
 * prove epoch must be within the term): the proof lands after `head`, so head + max is never too
 * long; the lower end leaves the proof PROVE_MARGIN epochs (or as many as the term allows).
 */
export function claimableExpirations(term: { min: number; max: number }, head: number): { minExpiration: number; maxExpiration: number } {
  return { minExpiration: head + Math.min(term.min + PROVE_MARGIN, term.max), maxExpiration: head + term.max };
}

interface PackedSector<J extends PackableJob> {
  /** Largest piece first: each then starts at an offset aligned to its size, with no padding between. */
  jobs: J[];
  expiration: number;
}

/** Sectors for a batch and the jobs no sector can hold (why, for each); jobs in neither wait for a later batch. */
interface Packing<J extends PackableJob> {
  sectors: PackedSector<J>[];
  unsealable: { job: J; reason: string }[];
}

/**
 * Packs `jobs` first-fit, largest piece first, into sectors of `sectorSize`: a sector takes a piece
 * while the pieces' padded sizes fit, it holds fewer than sectorDealsMax pieces, and one expiration
 * (at least `earliestExpiration`, the latest any piece needs) is within every piece's term; a job
 * marked `alone` gets a sector to itself. Jobs beyond `maxSectors` sectors are left out.
 */
export function packSectors<J extends PackableJob>(jobs: readonly J[], sectorSize: bigint, earliestExpiration: number, maxSectors = MAX_SECTORS_PER_BATCH): Packing<J> {
  const open: (PackedSector<J> & { free: bigint; latest: number })[] = [];
  const packing: Packing<J> = { sectors: open, unsealable: [] };
  const maxPieces = sectorDealsMax(sectorSize);
  for (const job of [...jobs].sort((a, b) => b.piece.size - a.piece.size)) {
    const size = BigInt(job.piece.size);
    const expiration = Math.max(job.minExpiration, earliestExpiration);
    const latest = job.maxExpiration ?? Infinity;
    if (size > sectorSize) {
      packing.unsealable.push({ job, reason: `its piece of ${size} bytes is larger than a sector (${sectorSize})` });
      continue;
    }
    if (expiration > latest) {
      packing.unsealable.push({ job, reason: `its sector would have to live until ${expiration} and expire by ${latest}` });
      continue;
    }
    const fits = (s: (typeof open)[number]) => !job.alone && !s.jobs[0]!.alone && s.free >= size && s.jobs.length < maxPieces && Math.max(s.expiration, expiration) <= Math.min(s.latest, latest);
    const sector = open.find(fits);
    if (sector) {
      sector.jobs.push(job);
      sector.free -= size;
      sector.expiration = Math.max(sector.expiration, expiration);
      sector.latest = Math.min(sector.latest, latest);
    } else if (open.length < maxSectors) {
      open.push({ jobs: [job], expiration, free: sectorSize - size, latest });
    }
  }
  packing.sectors = open.map(({ jobs: packed, expiration }) => ({ jobs: packed, expiration }));
  return packing;
}
