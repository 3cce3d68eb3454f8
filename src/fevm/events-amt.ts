// The AMT a receipt's EventsRoot names (Lotus types.EventAMTBitwidth 5, go-amt-ipld v4, common/amt.ts):
// a message's events as StampedEvents ([emitter ID, [[flags, key, codec, value], …]]) by index.
import { buildAmt, type Amt } from '../common/amt.js';
import type { ActorEvent } from './types.js';

const BIT_WIDTH = 5;

type EventsAmt = Amt;

/** The CBOR value of one event, as types.Event marshals it. */
const stampedEvent = (event: ActorEvent): unknown => [event.emitter, event.entries.map((e) => [e.flags, e.key, e.codec, e.value])];

/** Builds the AMT of `events` (which must not be empty: an event-less receipt has no EventsRoot). */
export function eventsAmt(events: readonly ActorEvent[]): EventsAmt {
  return buildAmt(events.map(stampedEvent), BIT_WIDTH);
}

const cache = new WeakMap<readonly ActorEvent[], EventsAmt>();

/** The EventsRoot of a receipt's events: undefined without events, as Lotus leaves it nil. */
export function eventsRoot(events: readonly ActorEvent[]): EventsAmt | undefined {
  if (events.length === 0) return undefined;
  let amt = cache.get(events);
  if (!amt) cache.set(events, (amt = eventsAmt(events)));
  return amt;
}
