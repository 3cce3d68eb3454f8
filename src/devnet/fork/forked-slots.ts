// The upstream's storage slots a fork has read, by contract, each contract's with the bytes the disk
// cache stores them as (stored-by-id.ts): a start from a cache holding thousands of slots decodes none
// of them until one of a contract's is read; and as the values are the upstream's at the fork point, a
// contract's bytes are made again only when it has new slots since the last save.
import { decodeBigInt, decodeCbor, encodeBigInt, encodeCbor } from '../../common/cbor.js';
import { StoredById } from './stored-by-id.js';

/** A contract's slots as the cache stores them: [slot, value] pairs in Filecoin big-int bytes. */
const encodeSlots = (values: Map<bigint, bigint>): Uint8Array => encodeCbor([...values].map(([slot, value]) => [encodeBigInt(slot), encodeBigInt(value)]));
const decodeSlots = (bytes: Uint8Array): Map<bigint, bigint> => new Map(decodeCbor<[Uint8Array, Uint8Array][]>(bytes).map(([slot, value]) => [decodeBigInt(slot), decodeBigInt(value)]));

export class ForkedSlots {
  private readonly byContract: StoredById<Map<bigint, bigint>>;
  /**
   * The contracts whose every nonzero slot is held (read with the contract's whole storage KAMT):
   * any other slot of theirs is zero.
   */
  private readonly whole: Set<number>;

  /**
   * `stored`: the slots a cache file stored, each contract's as its bytes, decoded when one of them is
   * first read; `whole`: the contracts it stored every nonzero slot of (wholeContracts).
   */
  constructor(stored: Iterable<readonly [number, Uint8Array]> = [], whole: Iterable<number> = []) {
    this.byContract = new StoredById(encodeSlots, decodeSlots, stored);
    this.whole = new Set(whole);
  }

  /** The value of contract `id`'s `slot` at the fork point, undefined if not read. */
  get(id: number, slot: bigint): bigint | undefined {
    const values = this.valuesOf(id);
    return values?.get(slot) ?? (values && this.whole.has(id) ? 0n : undefined);
  }

  /** Contract `id`'s slots held. Those that did not decode (a damaged file) are dropped, and the contract is no longer whole. */
  private valuesOf(id: number): Map<bigint, bigint> | undefined {
    const values = this.byContract.get(id);
    if (!values) this.whole.delete(id);
    return values;
  }

  has(id: number, slot: bigint): boolean {
    return this.get(id, slot) !== undefined;
  }

  /** Holds every nonzero slot of contract `id` (`values`): its other slots read as zero from now on. */
  holdWhole(id: number, values: Map<bigint, bigint>): void {
    if (!this.byContract.has(id)) this.byContract.set(id, new Map());
    for (const [slot, value] of values) if (!this.has(id, slot)) this.set(id, slot, value);
    this.whole.add(id);
  }

  set(id: number, slot: bigint, value: bigint): void {
    const values = this.valuesOf(id);
    if (!values) {
      this.byContract.set(id, new Map([[slot, value]]));
      return;
    }
    values.set(slot, value);
    this.byContract.changed(id);
  }

  /** The contracts whose every nonzero slot is held, for the cache (a file without them holds none whole). */
  wholeContracts(): number[] {
    return [...this.whole];
  }

  /** Every contract's slots as the cache stores them, made again when they changed. */
  stored(): Generator<[number, Uint8Array]> {
    return this.byContract.stored();
  }
}
