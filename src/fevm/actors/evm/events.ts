// EVM logs <-> FVM actor events. A LOGn becomes an event with entries t1..t4 (the topics) and d (the
// data), raw codec, all indexed (builtin-actors instructions/log_event.rs). The way back is for the
// events of a contract that call_actor ran: they rejoin the calling frame's logs, so that they keep
// their order and are dropped if that frame reverts.
import { RAW } from '../../../common/cbor.js';
import type { StateReader } from '../../state-tree.js';
import { EventFlags, type ActorEvent } from '../../types.js';
import { ethAddressOf, resolveEthAddress } from '../lifecycle.js';

/** A log as @ethereumjs/evm keeps it: [address, topics, data]. */
export type EvmLog = [Uint8Array, Uint8Array[], Uint8Array];

export function logToActorEvent(state: StateReader, [address, topics, data]: EvmLog): ActorEvent {
  const emitter = resolveEthAddress(state, address);
  if (!emitter) throw new Error('a log from an address with no actor');
  const entries = topics.map((topic, i) => ({ flags: EventFlags.INDEXED_ALL, key: `t${i + 1}`, codec: RAW, value: topic }));
  entries.push({ flags: EventFlags.INDEXED_ALL, key: 'd', codec: RAW, value: data });
  return { emitter: emitter.id, entries };
}

/** Whether an event has the shape of an EVM log (builtin actors' FIP-0083 events do not). */
export function isEvmLog(event: ActorEvent): boolean {
  const topics = event.entries.filter((e) => /^t[1-4]$/.test(e.key)).length;
  return event.entries.some((e) => e.key === 'd') && topics + 1 === event.entries.length;
}

/** The log an event came from; only events shaped like EVM logs have one. */
export function actorEventToLog(state: StateReader, event: ActorEvent): EvmLog {
  const emitter = state.getActor(event.emitter);
  const topics = event.entries.filter((e) => /^t[1-4]$/.test(e.key));
  const data = event.entries.find((e) => e.key === 'd');
  if (!emitter || !data || topics.length + 1 !== event.entries.length) {
    throw new Error(`event of actor ${event.emitter} is not an EVM log`);
  }
  return [ethAddressOf(emitter), topics.map((t) => t.value), data.value];
}
