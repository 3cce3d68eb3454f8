// EVM logs -> FVM actor events. A LOGn becomes an event with entries t1..t4 (the topics) and d (the
// data), raw codec, all indexed (builtin-actors instructions/log_event.rs). The events of what
// call_actor ran (a contract's logs, a builtin actor's own events) ride among the calling frame's
// logs as they are (SentEvent), so that they keep their order and are dropped if that frame reverts,
// as ref-fvm keeps every event of a call that did not abort (fvm@v4.8.2 call_manager/default.rs
// EventsAccumulator).
import { RAW } from '../../../common/cbor.js';
import type { StateReader } from '../../state-tree.js';
import { EventFlags, type ActorEvent } from '../../types.js';
import { resolveEthAddress } from '../lifecycle.js';

/** A log as @ethereumjs/evm keeps it: [address, topics, data]. */
export type EvmLog = [Uint8Array, Uint8Array[], Uint8Array];

/** An event call_actor brought back, among a frame's logs. */
export class SentEvent {
  constructor(readonly event: ActorEvent) {}
}

/** What a frame's logs hold: its own LOGs and the events of what it sent. */
export type FrameEvent = EvmLog | SentEvent;

export function logToActorEvent(state: StateReader, log: FrameEvent): ActorEvent {
  if (log instanceof SentEvent) return log.event;
  const [address, topics, data] = log;
  const emitter = resolveEthAddress(state, address);
  if (!emitter) throw new Error('a log from an address with no actor');
  const entries = topics.map((topic, i) => ({ flags: EventFlags.INDEXED_ALL, key: `t${i + 1}`, codec: RAW, value: topic }));
  // No data, no data entry (builtin-actors v18 interpreter/instructions/log_event.rs).
  if (data.length > 0) entries.push({ flags: EventFlags.INDEXED_ALL, key: 'd', codec: RAW, value: data });
  return { emitter: emitter.id, entries };
}
