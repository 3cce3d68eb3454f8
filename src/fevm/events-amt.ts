// The AMT a receipt's EventsRoot names (Lotus types.EventAMTBitwidth 5, go-amt-ipld v4): a message's
// events as StampedEvents ([emitter ID, [[flags, key, codec, value], …]]) by index. A root is
// [bit width, height, count, node]; a node is [bitmap, links, values], the bitmap's bit i (byte i/8,
// bit i%8) marking slot i. Leaves hold values, inner nodes link to their children.
import { cidOf, encodeCbor, type CID } from '../common/cbor.js';
import type { ActorEvent } from './types.js';

const BIT_WIDTH = 5;
const WIDTH = 1 << BIT_WIDTH;

export interface EventsAmt {
  root: CID;
  /** Every block of the AMT by CID string: the root and any inner nodes' children. */
  blocks: Map<string, Uint8Array>;
}

/** The CBOR value of one event, as types.Event marshals it. */
const stampedEvent = (event: ActorEvent): unknown => [event.emitter, event.entries.map((e) => [e.flags, e.key, e.codec, e.value])];

function bitmap(slots: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(WIDTH / 8);
  for (const i of slots) bytes[i >> 3] |= 1 << (i & 7);
  return bytes;
}

/** Builds the AMT of `events` (which must not be empty: an event-less receipt has no EventsRoot). */
export function eventsAmt(events: readonly ActorEvent[]): EventsAmt {
  const values = events.map(stampedEvent);
  const blocks = new Map<string, Uint8Array>();
  let height = 0;
  while (values.length > WIDTH ** (height + 1)) height++;
  // The node at `height` covering indices from `offset`.
  const node = (level: number, offset: number): unknown[] => {
    const span = WIDTH ** level;
    const slots: number[] = [];
    const items: unknown[] = [];
    for (let i = 0; i < WIDTH; i++) {
      const start = offset + i * span;
      if (start >= values.length) break;
      slots.push(i);
      if (level === 0) items.push(values[start]);
      else {
        const bytes = encodeCbor(node(level - 1, start));
        const cid = cidOf(bytes);
        blocks.set(cid.toString(), bytes);
        items.push(cid);
      }
    }
    return level === 0 ? [bitmap(slots), [], items] : [bitmap(slots), items, []];
  };
  const rootBytes = encodeCbor([BIT_WIDTH, height, values.length, node(height, 0)]);
  const root = cidOf(rootBytes);
  blocks.set(root.toString(), rootBytes);
  return { root, blocks };
}

const cache = new WeakMap<readonly ActorEvent[], EventsAmt>();

/** The EventsRoot of a receipt's events: undefined without events, as Lotus leaves it nil. */
export function eventsRoot(events: readonly ActorEvent[]): EventsAmt | undefined {
  if (events.length === 0) return undefined;
  let amt = cache.get(events);
  if (!amt) cache.set(events, (amt = eventsAmt(events)));
  return amt;
}
