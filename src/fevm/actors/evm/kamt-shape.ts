// The shape of a contract's storage KAMT, which says what its storage costs: the nodes a slot's read
// opens and the blocks a flush writes, each at its size in bytes. The KAMT itself is
// storage-kamt.ts's (builtin-actors v18 KAMT_CONFIG: bit width 5, one pair per bucket, extensions,
// keys the slot's 32 big-endian bytes): the shape is its nodes without the values, each node with
// the size of its block, kept as the slots change (a pair's size added or taken off along the path
// to it, a node split or merged as ref-fvm ipld/kamt's set and delete leave the tree). Shapes are
// immutable: a change copies the path to the slot, and the actor record holds the new root, so a
// reverted write takes its shape back with it.
//
// A fork reads the upstream's KAMT blocks (upstream-state.ts) as far as it may: a node it did not
// read is opaque (no pointers), priced at a modelled size, and writes below it leave it as it is.
// A contract whose root is not known at all (an upstream whose State names no root) has an opaque
// root, and each 32 adjacent slots are taken to share a node below it.
import { cborHeadSize, CID_LINK_BYTES, decodeCbor, type CID } from '../../../common/cbor.js';
import { DevnetError } from '../../../common/errors.js';
import { bytesToBigint } from '../../../common/hex.js';
import { popcount } from '../../../common/popcount.js';
import type { Actor } from '../../actor.js';
import { BIT_WIDTH, bitsAt, KEY_BITS, SHIFTS } from './storage-kamt.js';

/** A slot kept in a node: its key and the size of its pointer, {"v": [[key, value]]}. */
export interface KamtPair {
  readonly key: bigint;
  readonly bytes: number;
}

/** A link to a child node: the 5-bit groups its extension skips, the node, the pointer's size. */
export interface KamtLink {
  readonly groups: readonly number[];
  readonly node: KamtNode;
  readonly bytes: number;
}

export type KamtPointer = KamtPair | KamtLink;

/** A node of the KAMT: its block's size and links, and its pointers by bucket (absent when not known: opaque). */
export interface KamtNode {
  readonly bytes: number;
  readonly links: number;
  /** Its nonempty buckets, bucket b as bit b. */
  readonly bitfield: number;
  /**
   * One pointer per nonempty bucket, keyed by the bucket: a record, not a list, so that a saved chain
   * (common/storable.ts) stores a changed node's changed pointer, not all of its pointers again.
   */
  readonly pointers?: Readonly<Record<number, KamtPointer>>;
}

/** A node's pointers in bucket order. */
export const pointersOf = (node: KamtNode): KamtPointer[] => (node.pointers ? Object.values(node.pointers) : []);

const isLink = (pointer: KamtPointer): pointer is KamtLink => 'node' in pointer;

// --- Sizes: the dag-cbor lengths of storage-kamt.ts's blocks (its encoder is the reference: test/unit/fevm-kamt-shape.test.ts) ---

/** A map of one entry whose key is one character, and the list it holds: {"v": [ or {"l": [. */
const POINTER_FRAME = 1 + 2 + 1;

/** A U256 as builtin-actors serialises it: big-endian, no leading zeros. */
export function byteLength(value: bigint): number {
  if (value < 0x20000000000000n) {
    let length = 0;
    for (let x = Number(value); x > 0; x = Math.floor(x / 256)) length++;
    return length;
  }
  return (value.toString(16).length + 1) >> 1;
}

/** {"v": [[key, value]]} with keys and values of these lengths. */
const pairBytesOf = (keyLength: number, valueLength: number) => POINTER_FRAME + 1 + cborHeadSize(keyLength) + keyLength + cborHeadSize(valueLength) + valueLength;

/** A slot's pointer. */
const pairBytes = (key: bigint, value: bigint) => pairBytesOf(byteLength(key), byteLength(value));

/** {"l": [cid, extension length in bits, extension path]}. */
function linkBytes(groups: number): number {
  const bits = groups * BIT_WIDTH;
  const path = Math.ceil(bits / 8);
  return POINTER_FRAME + CID_LINK_BYTES + cborHeadSize(bits) + cborHeadSize(path) + path;
}

/** A node's block around its pointers: a list of two, the bitfield's bytes (big-endian, no leading zeros), the pointers' list. */
function nodeFrame(bitfield: number, pointers: number): number {
  const bitfieldBytes = bitfield === 0 ? 0 : ((31 - Math.clz32(bitfield)) >> 3) + 1;
  return 1 + cborHeadSize(bitfieldBytes) + bitfieldBytes + cborHeadSize(pointers);
}

/** A KAMT with no slot: a constructor's, before it writes. */
export const EMPTY_KAMT: KamtNode = Object.freeze({ bytes: nodeFrame(0, 0), links: 0, bitfield: 0, pointers: Object.freeze({}) });

/** `node` with `bucket`'s pointer replaced by `pointer` (none: emptied); its size moved by what changed. */
function withPointer(node: KamtNode, bucket: number, pointer: KamtPointer | undefined): KamtNode {
  const pointers: Record<number, KamtPointer> = { ...node.pointers };
  const old = pointers[bucket];
  if (pointer) pointers[bucket] = pointer;
  else delete pointers[bucket];
  const bit = 1 << bucket;
  const bitfield = pointer ? node.bitfield | bit : node.bitfield & ~bit;
  const frame = nodeFrame(bitfield, popcount(bitfield)) - nodeFrame(node.bitfield, popcount(node.bitfield));
  const bytes = node.bytes + frame + (pointer?.bytes ?? 0) - (old?.bytes ?? 0);
  const links = node.links + (pointer && isLink(pointer) ? 1 : 0) - (old && isLink(old) ? 1 : 0);
  return Object.freeze({ bytes, links, bitfield, pointers: Object.freeze(pointers) });
}

/** A node holding just these pointers (buckets distinct). */
function nodeWith(entries: [number, KamtPointer][]): KamtNode {
  return entries.reduce((node, [bucket, pointer]) => withPointer(node, bucket, pointer), EMPTY_KAMT);
}

const linkTo = (groups: readonly number[], node: KamtNode): KamtLink => Object.freeze({ groups: Object.freeze(groups.slice()), node, bytes: linkBytes(groups.length) });

// --- Changes: ref-fvm ipld/kamt node.rs modify_value, rm_value and pointer.rs clean, on the shape ---

/** The shape once `slot` went from `before` to `after` (values): the same object when its shape did not change. */
export function withSlot(root: KamtNode, slot: bigint, before: bigint, after: bigint): KamtNode {
  if (after === 0n) return before === 0n ? root : removed(root, slot, 0) ?? root;
  if (before !== 0n && byteLength(before) === byteLength(after)) return root;
  return set(root, slot, pairBytes(slot, after), 0) ?? root;
}

/** `node` (at `consumed` bits of the key) with the slot's pair set; undefined when opaque on the way. */
function set(node: KamtNode, key: bigint, bytes: number, consumed: number): KamtNode | undefined {
  if (!node.pointers) return undefined;
  const bucket = bitsAt(key, consumed);
  const pair: KamtPair = Object.freeze({ key, bytes });
  if (!(node.bitfield & (1 << bucket))) return withPointer(node, bucket, pair);
  const pointer = node.pointers[bucket]!;
  const next = consumed + BIT_WIDTH;
  if (!isLink(pointer)) {
    if (pointer.key === key) return withPointer(node, bucket, pair);
    // Two slots in one bucket: a node where their keys part, linked over the groups they share.
    const shared = sharedGroups(key, pointer.key, next);
    const at = next + shared.length * BIT_WIDTH;
    const child = nodeWith([
      [bitsAt(pointer.key, at), pointer],
      [bitsAt(key, at), pair],
    ]);
    return withPointer(node, bucket, linkTo(shared, child));
  }
  const matched = matchedGroups(key, pointer.groups, next);
  if (matched === pointer.groups.length) {
    const child = set(pointer.node, key, bytes, next + matched * BIT_WIDTH);
    return child && withPointer(node, bucket, linkTo(pointer.groups, child));
  }
  // The key leaves the extension: a node where it does, linking on to the old child over the rest.
  const at = next + matched * BIT_WIDTH;
  const midway = nodeWith([
    [pointer.groups[matched]!, linkTo(pointer.groups.slice(matched + 1), pointer.node)],
    [bitsAt(key, at), pair],
  ]);
  return withPointer(node, bucket, linkTo(pointer.groups.slice(0, matched), midway));
}

/** `node` without the slot; undefined when it does not hold it (or an opaque node is on the way). */
function removed(node: KamtNode, key: bigint, consumed: number): KamtNode | undefined {
  if (!node.pointers) return undefined;
  const bucket = bitsAt(key, consumed);
  if (!(node.bitfield & (1 << bucket))) return undefined;
  const pointer = node.pointers[bucket]!;
  if (!isLink(pointer)) return pointer.key === key ? withPointer(node, bucket, undefined) : undefined;
  const next = consumed + BIT_WIDTH;
  if (matchedGroups(key, pointer.groups, next) < pointer.groups.length) return undefined;
  const child = removed(pointer.node, key, next + pointer.groups.length * BIT_WIDTH);
  if (!child) return undefined;
  if (popcount(child.bitfield) > 1) return withPointer(node, bucket, linkTo(pointer.groups, child));
  // A node left with one pointer goes: its pair moves up, or the link skips it (pointer.rs clean).
  const onlyBucket = 31 - Math.clz32(child.bitfield);
  const only = child.pointers![onlyBucket]!;
  if (!isLink(only)) return withPointer(node, bucket, only);
  return withPointer(node, bucket, linkTo([...pointer.groups, onlyBucket, ...only.groups], only.node));
}

/** The 5-bit groups two keys share from bit `from` on, up to where they part. */
function sharedGroups(a: bigint, b: bigint, from: number): number[] {
  const shared: number[] = [];
  for (let at = from; at < KEY_BITS; at += BIT_WIDTH) {
    const group = bitsAt(a, at);
    if (group !== bitsAt(b, at)) break;
    shared.push(group);
  }
  return shared;
}

/**
 * How many of an extension's groups the key has from bit `from` on. A small slot's key is zeros down
 * to its last bits, so the link to slots 0-31 skips 49 groups: a long extension is compared whole
 * (longMatchedGroups), not by a BigInt shift per group (a walk to such a slot spent ~3 µs there).
 */
function matchedGroups(key: bigint, groups: readonly number[], from: number): number {
  if (groups.length > SHORT_EXTENSION) return longMatchedGroups(key, groups, from);
  let matched = 0;
  while (matched < groups.length && bitsAt(key, from + matched * BIT_WIDTH) === groups[matched]) matched++;
  return matched;
}

/** matchedGroups of a long extension: its bits as one BigInt (extensionBits) against the key's bits there. */
function longMatchedGroups(key: bigint, groups: readonly number[], from: number): number {
  const { bits, length } = extensionBits(groups, from);
  const differ = BigInt.asUintN(length, key >> SHIFTS[KEY_BITS - from - length]!) ^ bits;
  if (differ === 0n) return groups.length;
  // The groups above the highest bit that differs match: all are BIT_WIDTH wide but the last.
  return Math.floor((length - differ.toString(2).length) / BIT_WIDTH);
}

/** Extensions of up to this many groups (those between a mapping's keys, hashes) are compared group by group on the key. */
const SHORT_EXTENSION = 4;

/** A long extension's bits (its groups, the last narrower at the key's end), made once per extension: extensions never change. */
const extensionBitsMade = new WeakMap<readonly number[], { from: number; bits: bigint; length: number }>();

function extensionBits(groups: readonly number[], from: number): { bits: bigint; length: number } {
  const made = extensionBitsMade.get(groups);
  if (made?.from === from) return made;
  let bits = 0n;
  let length = 0;
  for (const group of groups) {
    const width = Math.min(BIT_WIDTH, KEY_BITS - from - length);
    bits = (bits << SHIFTS[width]!) | BigInt(group);
    length += width;
  }
  const extension = { from, bits, length };
  extensionBitsMade.set(groups, extension);
  return extension;
}

// --- Walks: the nodes below the root that an access to a slot reaches ---

/** A node the walk reaches, named by where it sits (its depth in bits and the key's bits above it): the same node across copies. */
type NodeVisit = (id: bigint, node: KamtNode) => void;

/** An opaque node's size: a few pairs and links. */
const OPAQUE_NODE: KamtNode = Object.freeze({ bytes: 300, links: 0, bitfield: 0 });
/** An opaque root's (a contract whose root is not known). */
export const UNKNOWN_ROOT: KamtNode = Object.freeze({ bytes: 200, links: 4, bitfield: 0 });

const nodeId = (key: bigint, consumed: number) => ((key >> SHIFTS[KEY_BITS - consumed]!) << 9n) | SHIFTS[consumed]!;

/**
 * Visits each node below the root that reaching `slot` opens: `read` (a get) opens a link's node
 * before it checks the extension, a set or delete only when the extension matches (ref-fvm node.rs
 * get_value, modify_value, rm_value). Stops at an opaque node.
 */
export function walk(root: KamtNode, slot: bigint, read: boolean, visit: NodeVisit): void {
  // A root not known: each 32 adjacent slots are taken to share a node below it.
  if (!root.pointers) return visit(slot >> 5n, OPAQUE_NODE);
  let node = root;
  let consumed = 0;
  for (;;) {
    const bucket = bitsAt(slot, consumed);
    if (!(node.bitfield & (1 << bucket))) return;
    const pointer = node.pointers![bucket]!;
    if (!isLink(pointer)) return;
    const next = consumed + BIT_WIDTH;
    const matched = matchedGroups(slot, pointer.groups, next) === pointer.groups.length;
    if (!matched && !read) return;
    consumed = next + pointer.groups.length * BIT_WIDTH;
    node = pointer.node;
    // A node the key leaves the extension to is named by its own bits: the key's to the bucket, then the extension's.
    const id = matched ? nodeId(slot, consumed) : pointer.groups.reduce((bits, group) => (bits << 5n) | BigInt(group), slot >> BigInt(KEY_BITS - next));
    visit(matched ? id : (id << 9n) | BigInt(consumed), node.pointers ? node : OPAQUE_NODE);
    if (!matched || !node.pointers) return;
  }
}

// --- A fork's shape, from the upstream's blocks ---

type DecodedPointer = { v: [Uint8Array, Uint8Array][] } | { l: [CID, number, Uint8Array] };

/** A KAMT block decoded: its bitfield and pointers. */
export interface KamtBlockNode {
  bitfield: number;
  pointers: DecodedPointer[];
}

/** A KAMT block's bitfield and pointers. */
export function decodeKamtNode(block: Uint8Array): KamtBlockNode {
  const [bits, pointers] = decodeCbor<[Uint8Array, DecodedPointer[]]>(block);
  let bitfield = 0;
  for (const byte of bits) bitfield = bitfield * 256 + byte;
  if (bitfield >= 2 ** 32 || popcount(bitfield >>> 0) !== pointers.length) throw new DevnetError('KAMT node: its bitfield does not match its pointers');
  return { bitfield: bitfield >>> 0, pointers };
}

/** The CIDs a KAMT block (or the node decoded from it) links to. */
export function kamtLinks(block: Uint8Array | KamtBlockNode): CID[] {
  return decoded(block).pointers.flatMap((pointer) => ('l' in pointer ? [pointer.l[0]] : []));
}

/** The slots a KAMT node holds itself (not those below its links), with their values. */
export function kamtPairs(node: KamtBlockNode): [bigint, bigint][] {
  return node.pointers.flatMap((pointer) => ('v' in pointer ? pointer.v.map(([key, value]): [bigint, bigint] => [bytesToBigint(key), bytesToBigint(value)]) : []));
}

const decoded = (block: Uint8Array | KamtBlockNode): KamtBlockNode => (block instanceof Uint8Array ? decodeKamtNode(block) : block);

/** The 5-bit groups of an extension (its length in bits, its path packed from the most significant bit). */
function extensionGroups(bits: number, path: Uint8Array): number[] {
  const groups: number[] = [];
  for (let at = 0; at < bits; at += BIT_WIDTH) {
    let group = 0;
    for (let b = at; b < at + BIT_WIDTH; b++) group = (group << 1) | ((path[b >> 3]! >> (7 - (b & 7))) & 1);
    groups.push(group);
  }
  return groups;
}

/**
 * The shape of a KAMT from its root block and the blocks read below it (`block`: undefined for one
 * not read, which stays opaque), each a block or the node decoded from it.
 */
export function shapeOfBlocks(root: Uint8Array | KamtBlockNode, block: (cid: CID) => Uint8Array | KamtBlockNode | undefined): KamtNode {
  const { bitfield, pointers } = decoded(root);
  let bucket = -1;
  const entries = pointers.map((pointer): [number, KamtPointer] => {
    do bucket++;
    while (!(bitfield & (1 << bucket)));
    if ('v' in pointer) {
      const [[key, value]] = pointer.v as [[Uint8Array, Uint8Array]];
      return [bucket, Object.freeze({ key: bytesToBigint(key), bytes: pairBytesOf(key.length, value.length) })];
    }
    const [cid, bits, path] = pointer.l;
    const child = block(cid);
    return [bucket, linkTo(extensionGroups(bits, path), child ? shapeOfBlocks(child, block) : OPAQUE_NODE)];
  });
  return nodeWith(entries);
}

// --- The actor's shape ---

/** The storage shape of an actor: kept, or empty for an actor that is no contract yet; undefined when unknown. */
export function storageShapeOf(actor: Actor | undefined): KamtNode | undefined {
  if (!actor) return undefined;
  return actor.storageShape ?? (actor.kind === 'evm' ? undefined : EMPTY_KAMT);
}

/** `actor` once `slot` went from `before` to `after`: with its shape moved, or the actor itself when it did not move (or is unknown). */
export function withSlotShaped(actor: Actor, slot: bigint, before: bigint, after: bigint): Actor {
  if (before === after) return actor;
  const shape = storageShapeOf(actor);
  const moved = shape && withSlot(shape, slot, before, after);
  return moved && moved !== shape ? { ...actor, storageShape: moved } : actor;
}

/** The root of a shape, or the opaque root when unknown. */
export const rootOf = (shape: KamtNode | undefined): KamtNode => shape ?? UNKNOWN_ROOT;
