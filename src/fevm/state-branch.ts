// The writes of commits a revert dropped, kept so that the dropped tipsets' state can still be read
// (Lotus keeps a reorged tipset's state in its blockstore). The tree's history is linear: a revert
// pops its commits, so a dropped branch is kept as what those commits wrote over the point the tree
// went back to, its base. StateTree.branch makes one, and reads it (StateTree.branchAt): this delta
// first, then the tree as it was at the base, then the tree's source.
import type { MissingState, StateReader, StateTree } from './state-tree.js';

/** One key's values in a branch, in the order they were written, each with the epoch it holds from. */
interface Versions {
  epochs: number[];
  values: unknown[];
}

/**
 * Key -> values by epoch, keyed as an overlay stages them (`a` and an actor's ID, an address's key,
 * a storage slot's, the next ID's), valued as the tree hands them out (an actor as an object).
 */
export class BranchWrites {
  private readonly byKey = new Map<string, Versions>();

  /** Adds a value `key` holds from `epoch`, written after every value added so far. */
  add(key: string, epoch: number, value: unknown): void {
    const versions = this.byKey.get(key);
    if (!versions) this.byKey.set(key, { epochs: [epoch], values: [value] });
    else {
      versions.epochs.push(epoch);
      versions.values.push(value);
    }
  }

  /** The value `key` holds after `epoch` (the last written at or before it); undefined when none is. */
  valueAt(key: string, epoch: number): unknown {
    const versions = this.byKey.get(key);
    if (!versions) return undefined;
    const { epochs, values } = versions;
    for (let i = epochs.length - 1; i >= 0; i--) if (epochs[i] <= epoch) return values[i];
    return undefined;
  }

  /** The keys held that start with `prefix` (a contract's storage slots). */
  keysWithPrefix(prefix: string): string[] {
    return [...this.byKey.keys()].filter((key) => key.startsWith(prefix));
  }

  /** Puts `earlier`'s writes, all made before these, in front of them; `earlier` is left as it is (and may be shared). */
  prepend(earlier: BranchWrites): void {
    for (const [key, before] of earlier.byKey) {
      const after = this.byKey.get(key);
      this.byKey.set(key, after ? { epochs: [...before.epochs, ...after.epochs], values: [...before.values, ...after.values] } : before);
    }
  }

  /** How many keys it holds (tests). */
  get size(): number {
    return this.byKey.size;
  }
}

/**
 * A dropped branch of the tree's history: the tree as it was after its first `base` commits, and
 * what the dropped commits after them wrote. A later revert to below `base` puts what it drops under
 * the branch's writes and lowers `base` to its point (StateTree.revert), so the base is always a point
 * the tree still holds.
 */
export class StateBranch {
  constructor(
    private readonly tree: StateTree,
    /** The tree's commits the branch starts after. */
    public base: number,
    readonly writes: BranchWrites,
  ) {}

  /** The branch's state after `epoch`, one of its dropped epochs; `deferred` as in StateTree.at. */
  at(epoch: number, deferred?: MissingState[]): StateReader {
    return this.tree.branchAt(this, epoch, deferred);
  }

  /** The slots of a contract's storage generation the branch holds a value for after `epoch` (StateTree.writtenSlots). */
  writtenSlots(id: number, generation: number, epoch: number): bigint[] {
    return this.tree.branchWrittenSlots(this, id, generation, epoch);
  }

  /** Lets the branch go: the tree no longer keeps its base, and it can no longer be read. */
  release(): void {
    this.tree.release(this);
  }
}
