// The fork's disk cache: what the fork fetched from the upstream, in one dag-cbor file per upstream
// genesis and fork epoch (holding the tipset it was read at), so that a second start at the same point asks the upstream for nothing it
// already read, and starts with the upstream down. An index maps the URL and requested epoch to
// the file, since an offline start cannot ask the upstream for its genesis.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { decodeBigInt, decodeCbor, encodeBigInt, encodeCbor } from '../../common/cbor.js';
import { fromStorable, toStorable } from '../../common/storable.js';
import { writeFileAtomically } from '../persistence.js';
import { sameTipsetKey, type ForkPoint, type LocatedPoint } from './fork-point.js';
import { ForkedActors } from './forked-actors.js';
import { ForkedSlots } from './forked-slots.js';
import { emptyForkData, type ForkData } from './fork-source.js';
import { emptyForkTables, type ForkTables } from './fork-tables.js';
import { encodeEntry, StoredEntries } from './stored-entries.js';

/**
 * Bumped when the file's layout or the meaning of what it holds changes: an older file is ignored (and
 * rewritten), never misread. 4: a non-miner's power claim is "none", where 3 recorded a zero claim.
 * 5: forked miners hold their proving state (sectors by deadline and partition) and need Window PoSts.
 * 6: forked singletons hold the upstream's Head and State (Actor.forkedFrom), and the datacap
 * allowances and the market's pending proposals are kept. 7: a forked miner records the challenge
 * window of the upstream's proven partitions (upstreamPostWindow); a gateway walk lists sectors by number.
 * 8: the upstream's lists of whole tables (ForkTables.lists) are kept. 9: the market's deal work by
 * epoch (DealOpsByEpoch) is kept, and no longer derived from the deals read. 10: a forked miner records
 * the last epoch its deadlines closed (deadlinesClosedThrough: the fork epoch). 11: a faulty sector
 * read through a gateway counts its fault from its early expiration less 42 days (its partition's
 * expiration queue), where 10 recorded the fork epoch. 12: a forked miner's proving state holds the
 * upstream's dead sectors (terminated or expired, still in their partitions). 13: the fork point holds the upstream's
 * block headers at the fork epoch and its weight. 14: a forked miner holds its locked and vesting funds.
 * 15: a forked deal's label of bytes is held as its bytes (14 held "", Lotus's JSON for it).
 * 16: a forked contract holds its storage KAMT root's bucket counts (Actor.storageBuckets). 17: and the
 * root's CID (EvmState.upstreamStorageRoot), which a fork of the fork reads. 18: the KAMT's shape,
 * its nodes read below the root (Actor.storageShape), where 16 kept the root's bucket counts. 19: a
 * shape's node keeps its pointers by bucket (18 kept them as a list). 20: the reward actor holds the
 * upstream's reward State (RewardState.kpi: its block rewards paid, the figures of its next reward).
 * 21: the fork point holds the upstream's network upgrade heights (ForkPoint.upgradeHeights). 22: the
 * reward actor holds the upstream's Head and State (Actor.forkedFrom). 23: the fork point holds the
 * upstream's actors manifest (ForkPoint.manifest: its actors' code CIDs). 24: the power actor holds
 * the upstream's smoothed QA power (PowerState.qaPowerSmoothed). 25: the fork point holds the root of
 * the upstream's init AddressMap (ForkPoint.addressMap). 26: each actor is its own CBOR bytes, decoded
 * when the fork reads it (ForkedActors), where 25 held them in the file's structure. 27: each contract's
 * slots are its own CBOR bytes, decoded when one of them is read (ForkedSlots), where 26 listed each slot.
 * 28: a contract's storage shape is stored as lists beside its actor's storable form (forked-actors.ts).
 * 29: each of the singletons' tables is its own CBOR bytes (storedTable), where 28 stored them as one value.
 * 30: a payment channel's lanes are keyed by bigint lane IDs with bigint nonces (u64), where 29 used numbers.
 * 31: each entry of a table that is a Map is its own CBOR bytes, decoded when it is read (StoredEntries),
 * where 30 stored the table as one value.
 */
const CACHE_FORMAT = 31;

/** $FVM_DEVNET_CACHE_DIR, else $XDG_CACHE_HOME/fvm-devnet/fork, else ~/.cache/fvm-devnet/fork. */
export function defaultForkCacheDir(): string {
  if (process.env.FVM_DEVNET_CACHE_DIR) return process.env.FVM_DEVNET_CACHE_DIR;
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'fvm-devnet', 'fork');
}

interface CacheFile {
  format: number;
  point: ForkPoint;
  /** Each actor's storable form (fevm/state-tree.ts storableActor) as its own CBOR bytes, decoded when read (ForkedActors); null: none upstream. */
  actors: [number, Uint8Array | null][];
  /** By address key (FilAddress.key). */
  ids: [string, number | null][];
  /** Each contract's slots as their own CBOR bytes (ForkedSlots): [slot, value] pairs, decoded when one is read. */
  slots: [number, Uint8Array][];
  /** The contracts whose every nonzero slot `slots` holds (ForkedSlots.holdWhole); absent from a file written before: none. */
  wholeSlots?: number[];
  nextId: number | null;
  /** The singletons' tables (ForkTables), each through storable.ts as its own CBOR bytes (storedTable). */
  tables: Record<string, Uint8Array>;
  /** The upstream's tipset hashes below the fork epoch; absent from a file written before they were kept. */
  tipsetHashes?: [number, Uint8Array][];
  /** The upstream's tipsets premium estimates read (ForkData.tipsetFees): blocks, then [premium, gas limit] per message; absent until fetched. */
  tipsetFees?: [number, [Uint8Array, number][]][];
}

/**
 * The bytes each table was last stored as (or loaded from), with its size then. The fork only adds
 * entries to its tables (ForkSource.load fills a key it does not hold; dealOpEpochs is set once), so a
 * table of the same size holds the same entries: a save encodes again only the tables that grew, not
 * a listed deals table (StateMarketDeals: all of calibnet's) a second after every fetch.
 */
const storedBytes = new WeakMap<object, { size: number; bytes: Uint8Array }>();

const sizeOf = (table: Map<unknown, unknown> | readonly unknown[]): number => (table instanceof Map ? table.size : table.length);

/** A table that is a Map as its entries (keys as they are: numbers and strings), each entry's value its own bytes (StoredEntries). */
interface StoredMap {
  $entries: [unknown, Uint8Array][];
}

function storedTable(table: Map<unknown, unknown> | readonly unknown[]): Uint8Array {
  const stored = storedBytes.get(table);
  if (stored?.size === sizeOf(table)) return stored.bytes;
  const entries = table instanceof StoredEntries ? table.storedEntries() : table instanceof Map ? [...table].map(([key, value]) => [key, encodeEntry(value)]) : undefined;
  const bytes = encodeCbor(entries ? { $entries: entries } : toStorable(table));
  storedBytes.set(table, { size: sizeOf(table), bytes });
  return bytes;
}

/**
 * A table as a file stored it, as an entry of ForkTables; none if its bytes do not decode (its entries
 * are fetched again). A Map's entries stay bytes until read (StoredEntries).
 */
function loadedTable(name: string, bytes: Uint8Array): [string, Map<unknown, unknown> | readonly unknown[]][] {
  let table: Map<unknown, unknown> | readonly unknown[];
  try {
    const stored = decodeCbor<StoredMap | unknown[]>(bytes);
    table = Array.isArray(stored) ? (fromStorable(stored) as unknown[]) : new StoredEntries(stored.$entries);
  } catch {
    return [];
  }
  storedBytes.set(table, { size: sizeOf(table), bytes });
  return [[name, table]];
}

/**
 * mkdir -p, one level at a time: Node 20's `mkdirSync(…, { recursive: true })` never returns for a
 * path whose mkdir fails ENOENT under a parent that exists (/proc/x), on the thread that serves.
 */
function makeDirectory(dir: string): void {
  try {
    mkdirSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    if (code !== 'ENOENT' || dirname(dir) === dir) throw err;
    makeDirectory(dirname(dir));
    mkdirSync(dir);
  }
}

export class ForkCache {
  /** The file pointFor read last, for the load at that point that follows it: a start reads and decodes it once, not twice. */
  private readAhead: { path: string; content: { point: ForkPoint; data: ForkData } } | undefined;

  constructor(private readonly dir: string) {}

  /** The index's key: what the user asked for (URL without credentials, epoch or the default). */
  private static indexKey(url: string, requestedEpoch: number | undefined): string {
    return `${url} ${requestedEpoch ?? 'finalized'}`;
  }

  private get indexPath(): string {
    return join(this.dir, 'index.json');
  }

  private fileOf(point: Pick<ForkPoint, 'genesis' | 'epoch'>): string {
    return join(this.dir, `${point.genesis}-${point.epoch}.cbor`);
  }

  /** The index's note of what kind of upstream a URL was at its last save (servedLotus). */
  private static kindKey(url: string): string {
    return `${url} upstream`;
  }

  /**
   * Whether the URL served Lotus (a tipset's state read from the next tipset) when a fork of it was
   * last saved: a start at another epoch then asks for the next tipset in its first batch.
   */
  servedLotus(url: string): boolean {
    return this.readIndex()[ForkCache.kindKey(url)] === 'lotus';
  }

  /** The fork point last used for this URL and requested epoch, if a cache file for it exists (an offline start). */
  pointFor(url: string, requestedEpoch: number | undefined): ForkPoint | undefined {
    const index = this.readIndex();
    const file = index[ForkCache.indexKey(url, requestedEpoch)];
    if (!file || !existsSync(join(this.dir, file))) return undefined;
    const path = join(this.dir, file);
    const content = this.read(path);
    this.readAhead = content && { path, content };
    return content?.point;
  }

  /**
   * What was fetched before at this fork point (empty if nothing was). The file of the genesis and
   * epoch must hold this very tipset: two devnets started with the same flags in the same second have
   * one genesis, and their chains part at their first different message, so the genesis alone does
   * not say which chain a cached epoch was read from.
   */
  load(point: LocatedPoint): ForkData {
    const path = this.fileOf(point);
    // Taken once: the data is the source's to fill, never handed to two.
    const ahead = this.readAhead?.path === path ? this.readAhead.content : undefined;
    this.readAhead = undefined;
    const cached = ahead ?? (existsSync(path) ? this.read(path) : undefined);
    return (cached && sameTipsetKey(cached.point.tipsetKey, point.tipsetKey) && sameTipsetKey(cached.point.stateKey, point.stateKey) && cached.data) || emptyForkData();
  }

  save(url: string, requestedEpoch: number | undefined, point: ForkPoint, data: ForkData): void {
    makeDirectory(this.dir);
    const file: CacheFile = {
      format: CACHE_FORMAT,
      point,
      actors: [...data.actors.stored()],
      ids: [...data.ids],
      slots: [...data.slots.stored()],
      wholeSlots: data.slots.wholeContracts(),
      nextId: data.nextId ?? null,
      tables: Object.fromEntries(Object.entries(data.tables).flatMap(([name, table]) => (table === undefined ? [] : [[name, storedTable(table)]]))),
      tipsetHashes: [...data.tipsetHashes],
      ...(data.tipsetFees ? { tipsetFees: data.tipsetFees.map(({ blocks, fees }) => [blocks, fees.map(({ premium, gasLimit }) => [encodeBigInt(premium), gasLimit])]) } : {}),
    };
    writeFileAtomically(this.fileOf(point), encodeCbor(file));
    const index = this.readIndex();
    index[ForkCache.indexKey(url, requestedEpoch)] = `${point.genesis}-${point.epoch}.cbor`;
    index[ForkCache.kindKey(url)] = sameTipsetKey(point.stateKey, point.tipsetKey) ? 'fvm-devnet' : 'lotus';
    writeFileAtomically(this.indexPath, new TextEncoder().encode(JSON.stringify(index, null, 1)));
  }

  private readIndex(): Record<string, string> {
    try {
      return JSON.parse(readFileSync(this.indexPath, 'utf8')) as Record<string, string>;
    } catch {
      return {};
    }
  }

  /** A cache file's content; undefined for a file of another format or a damaged one (it is refetched, not trusted). */
  private read(path: string): { point: ForkPoint; data: ForkData } | undefined {
    let file: CacheFile;
    try {
      file = decodeCbor<CacheFile>(new Uint8Array(readFileSync(path)));
    } catch {
      return undefined;
    }
    if (file?.format !== CACHE_FORMAT) return undefined;
    const data: ForkData = {
      actors: new ForkedActors(file.actors),
      ids: new Map(file.ids),
      slots: new ForkedSlots(file.slots, file.wholeSlots ?? []),
      nextId: file.nextId ?? undefined,
      tables: { ...emptyForkTables(), ...(Object.fromEntries(Object.entries(file.tables).flatMap(([name, bytes]) => loadedTable(name, bytes))) as Partial<ForkTables>) },
      tipsetHashes: new Map(file.tipsetHashes ?? []),
      tipsetFees: file.tipsetFees?.map(([blocks, fees]) => ({ blocks, fees: fees.map(([premium, gasLimit]) => ({ premium: decodeBigInt(premium), gasLimit })) })),
    };
    return { point: file.point, data };
  }
}
