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
   * any other slot of theirs is zero. Not stored in the cache: after a restart such a slot is asked for.
   */
  private readonly whole = new Set<number>();

  /** `stored`: the slots a cache file stored, each contract's as its bytes, decoded when one of them is first read. */
  constructor(stored: Iterable<readonly [number, Uint8Array]> = []) {
    this.byContract = new StoredById(encodeSlots, decodeSlots, stored);
  }

  /** The value of contract `id`'s `slot` at the fork point, undefined if not read. */
  get(id: number, slot: bigint): bigint | undefined {
    return this.byContract.get(id)?.get(slot) ?? (this.whole.has(id) ? 0n : undefined);
  }

  has(id: number, slot: bigint): boolean {
    return this.whole.has(id) || (this.byContract.get(id)?.has(slot) ?? false);
  }

  /** Holds every nonzero slot of contract `id` (`values`): its other slots read as zero from now on. */
  holdWhole(id: number, values: Map<bigint, bigint>): void {
    for (const [slot, value] of values) if (!this.has(id, slot)) this.set(id, slot, value);
    this.whole.add(id);
  }

  set(id: number, slot: bigint, value: bigint): void {
    const values = this.byContract.get(id);
    if (!values) {
      this.byContract.set(id, new Map([[slot, value]]));
      return;
    }
    values.set(slot, value);
    this.byContract.changed(id);
  }

  /** Every contract's slots as the cache stores them, made again when they changed. */
  stored(): Generator<[number, Uint8Array]> {
    return this.byContract.stored();
  }
}
