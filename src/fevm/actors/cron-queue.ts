// The cron actor's queue of scheduled work, by epoch: a tree whose nodes are never changed once made
// (a treap ordered by epoch, each node's priority a hash of its epoch), so that enrolling an entry or
// taking the due ones makes new nodes only along one path, ~log n of them, and every version of the
// queue the state tree keeps shares the rest. An array copied at each enrolment made each deal's
// cron entry cost as much as the whole schedule, and each epoch's state keep a copy of it.
//
// State files store the queue as the list of [epoch, entries] it stands for (`storedPairs`), which is
// what they held before, and a later version as the epochs it changed (common/storable.ts), found
// along the nodes the two versions do not share (`pairsChangedFrom`); a state read from one holds
// that list (or the ReadPairs a change made) until the queue is next changed (`CronQueue.of`).
import { mix32 } from '../../common/hash32.js';
import { pairsChangeOf, ReadPairs, type PairsChange, type StoredAsPairs } from '../../common/storable.js';
import type { CronEntry } from './cron.js';

/** The queue as a list, ascending by epoch, each epoch's entries in the order they were enrolled. */
export type CronList = readonly (readonly [epoch: number, entries: readonly CronEntry[]])[];

class Node {
  constructor(
    readonly epoch: number,
    readonly entries: readonly CronEntry[],
    readonly left: Node | undefined,
    readonly right: Node | undefined,
  ) {}

  /** A node's priority: above its children's. A hash spreads the epochs' (they come in order). */
  get priority(): number {
    return mix32(this.epoch);
  }

  with(left: Node | undefined, right: Node | undefined): Node {
    return left === this.left && right === this.right ? this : new Node(this.epoch, this.entries, left, right);
  }
}

export class CronQueue implements StoredAsPairs {
  static readonly EMPTY = new CronQueue(undefined);

  private constructor(private readonly root: Node | undefined) {}

  /** The queue a state holds: this queue, or one made from the list a state file held. */
  static of(queue: CronQueue | CronList | ReadPairs): CronQueue {
    if (queue instanceof CronQueue) return queue;
    let made = CronQueue.EMPTY;
    const list = queue instanceof ReadPairs ? (queue.pairs as CronList) : queue;
    for (const [epoch, entries] of list) for (const entry of entries) made = made.with(epoch, entry);
    return made;
  }

  /** The first epoch with work. */
  first(): number | undefined {
    let node = this.root;
    while (node?.left) node = node.left;
    return node?.epoch;
  }

  /** This queue with `entry` after the others of its epoch. */
  with(epoch: number, entry: CronEntry): CronQueue {
    return new CronQueue(insert(this.root, epoch, entry));
  }

  /** The work due at or before `epoch`, as a list, and the queue of the rest. */
  takeUpTo(epoch: number): { due: CronList; rest: CronQueue } {
    const [due, rest] = split(this.root, epoch);
    return { due: due ? listOf(due) : [], rest: rest === this.root ? this : new CronQueue(rest) };
  }

  list(): CronList {
    return this.root ? listOf(this.root) : [];
  }

  storedPairs(): CronList {
    return this.list();
  }

  /** The epochs changed since `previous` (a queue this one was made from), found along the nodes they do not share. */
  pairsChangedFrom(previous: StoredAsPairs): PairsChange | undefined {
    if (!(previous instanceof CronQueue)) return undefined;
    const change: PairsChange = { set: [], unset: [] };
    changed(this.root, previous.root, change);
    return change;
  }
}

/**
 * What changed from `before` to `node`, two subtrees at the same place of two versions (so over the
 * same range of epochs), in epoch order: a node of the same epoch compared and its children in turn,
 * subtrees arranged otherwise (a node taken or put in above them) compared as lists.
 */
function changed(node: Node | undefined, before: Node | undefined, change: PairsChange): void {
  if (node === before) return;
  if (node && before && node.epoch === before.epoch) {
    changed(node.left, before.left, change);
    if (node.entries !== before.entries) change.set.push([node.epoch, node.entries, { item: before.entries }]);
    changed(node.right, before.right, change);
    return;
  }
  pairsChangeOf(node ? listOf(node) : [], before ? listOf(before) : [], change);
}

function insert(node: Node | undefined, epoch: number, entry: CronEntry): Node {
  if (!node) return new Node(epoch, [entry], undefined, undefined);
  if (epoch === node.epoch) return new Node(epoch, [...node.entries, entry], node.left, node.right);
  if (epoch < node.epoch) {
    const left = insert(node.left, epoch, entry);
    // The new node rises above this one: a right rotation.
    return left.priority > node.priority ? left.with(left.left, node.with(left.right, node.right)) : node.with(left, node.right);
  }
  const right = insert(node.right, epoch, entry);
  return right.priority > node.priority ? right.with(node.with(node.left, right.left), right.right) : node.with(node.left, right);
}

/** The nodes at or before `epoch`, and those after it. */
function split(node: Node | undefined, epoch: number): [Node | undefined, Node | undefined] {
  if (!node) return [undefined, undefined];
  if (node.epoch <= epoch) {
    const [due, rest] = split(node.right, epoch);
    return [node.with(node.left, due), rest];
  }
  const [due, rest] = split(node.left, epoch);
  return [due, node.with(rest, node.right)];
}

function listOf(root: Node): [number, readonly CronEntry[]][] {
  const list: [number, readonly CronEntry[]][] = [];
  const visit = (node: Node | undefined): void => {
    if (!node) return;
    visit(node.left);
    list.push([node.epoch, node.entries]);
    visit(node.right);
  };
  visit(root);
  return list;
}
