// The upstream's actors a fork has fetched, by ID, each with the bytes the disk cache stores it as
// (stored-by-id.ts): a start from a cache holding many actors (contracts with their storage KAMT's
// shape, miners) decodes only the ones it reads; and as these actors are the upstream's at the fork
// point, never changed, each is encoded once for all the saves that follow.
import { decodeBigInt, decodeCbor, encodeBigInt, encodeCbor } from '../../common/cbor.js';
import type { Actor } from '../../fevm/actor.js';
import type { KamtNode, KamtPointer } from '../../fevm/actors/evm/kamt-shape.js';
import { actorFromStorable, storableActor } from '../../fevm/state-tree.js';
import { StoredById } from './stored-by-id.js';

/**
 * A contract's storage shape as the cache stores it: lists, not storable.ts's objects, as the shape
 * is most of a contract's bytes (the 100-slot contract's 8.5 KB of 8.6 in its storable form, a field
 * name per node and pointer) and its decode tiers up V8's compiler for each contract first read.
 * A node: [bytes, links, bitfield, its pointers by bucket, or null when opaque]; a pointer:
 * [bucket, key, bytes] for a slot (the key in Filecoin big-int bytes), [bucket, groups, node, bytes] for a link.
 */
type StoredNode = [bytes: number, links: number, bitfield: number, pointers: StoredPointer[] | null];
type StoredPointer = [bucket: number, key: Uint8Array, bytes: number] | [bucket: number, groups: number[], node: StoredNode, bytes: number];

const storedShape = ({ bytes, links, bitfield, pointers }: KamtNode): StoredNode => [
  bytes,
  links,
  bitfield,
  pointers ? Object.entries(pointers).map(([bucket, pointer]): StoredPointer => ('node' in pointer ? [Number(bucket), [...pointer.groups], storedShape(pointer.node), pointer.bytes] : [Number(bucket), encodeBigInt(pointer.key), pointer.bytes])) : null,
];

function shapeOf([bytes, links, bitfield, stored]: StoredNode): KamtNode {
  if (!stored) return { bytes, links, bitfield };
  const pointers: Record<number, KamtPointer> = {};
  for (const pointer of stored) pointers[pointer[0]] = pointer.length === 4 ? { groups: pointer[1], node: shapeOf(pointer[2]), bytes: pointer[3] } : { key: decodeBigInt(pointer[1]), bytes: pointer[2] };
  return { bytes, links, bitfield, pointers };
}

/** An actor's bytes in the cache: its storable form without its storage shape, and the shape as lists. */
function encodeActor({ storageShape, ...actor }: Actor): Uint8Array {
  return encodeCbor([storableActor(actor), storageShape ? storedShape(storageShape) : null]);
}

function decodeActor(bytes: Uint8Array): Actor {
  const [fields, shape] = decodeCbor<[unknown, StoredNode | null]>(bytes);
  const actor = actorFromStorable(fields);
  return shape ? { ...actor, storageShape: shapeOf(shape) } : actor;
}

/** The upstream's actors by ID; null for an ID the upstream has no actor at (stored as null). */
export class ForkedActors extends StoredById<Actor | null, Uint8Array | null> {
  /** `stored`: the actors a cache file stored, by ID: each one's bytes (null: none upstream), decoded on first read. */
  constructor(stored: Iterable<readonly [number, Uint8Array | null]> = []) {
    super(
      (actor) => (actor ? encodeActor(actor) : null),
      (bytes) => (bytes ? decodeActor(bytes) : null),
      stored,
    );
  }
}
