// The upstream's storage slots a fork has read, by contract, each contract's with the bytes the disk
// cache stores them as. A contract's slots loaded from the cache stay those bytes until one of them
// is read, so that a start from a cache holding thousands of slots decodes none of them; and as the
// values are the upstream's at the fork point, a contract's bytes are made again only when it has
// new slots since the last save.
import { decodeBigInt, decodeCbor, encodeBigInt, encodeCbor } from '../../common/cbor.js';

/** A contract's slots: their values by slot (once decoded or read), and their stored bytes (until a slot is added). */
interface ContractSlots {
  values?: Map<bigint, bigint>;
  bytes?: Uint8Array;
}

export class ForkedSlots {
  private readonly byContract = new Map<number, ContractSlots>();

  /** The slots a cache file stored: each contract's as its bytes, decoded when one of them is first read. */
  static fromStored(stored: Iterable<readonly [number, Uint8Array]>): ForkedSlots {
    const slots = new ForkedSlots();
    for (const [id, bytes] of stored) slots.byContract.set(id, { bytes });
    return slots;
  }

  /** The value of contract `id`'s `slot` at the fork point, undefined if not read. */
  get(id: number, slot: bigint): bigint | undefined {
    return this.valuesOf(id)?.get(slot);
  }

  has(id: number, slot: bigint): boolean {
    return this.valuesOf(id)?.has(slot) ?? false;
  }

  set(id: number, slot: bigint, value: bigint): void {
    const held = this.byContract.get(id);
    if (!held) {
      this.byContract.set(id, { values: new Map([[slot, value]]) });
      return;
    }
    this.valuesOf(id)!.set(slot, value);
    held.bytes = undefined;
  }

  /** Every contract's slots as the cache stores them: [slot, value] pairs in Filecoin big-int bytes, made when they changed. */
  *stored(): Generator<[number, Uint8Array]> {
    for (const [id, held] of this.byContract) {
      held.bytes ??= encodeCbor([...held.values!].map(([slot, value]) => [encodeBigInt(slot), encodeBigInt(value)]));
      yield [id, held.bytes];
    }
  }

  /**
   * A contract's values, decoded from its stored bytes on first use; undefined for a contract none of
   * whose slots were read. Bytes that do not decode (a damaged file) are dropped: the slots are read again.
   */
  private valuesOf(id: number): Map<bigint, bigint> | undefined {
    const held = this.byContract.get(id);
    if (held && !held.values) {
      try {
        held.values = new Map(decodeCbor<[Uint8Array, Uint8Array][]>(held.bytes!).map(([slot, value]) => [decodeBigInt(slot), decodeBigInt(value)]));
      } catch {
        this.byContract.delete(id);
        return undefined;
      }
    }
    return held?.values;
  }
}
