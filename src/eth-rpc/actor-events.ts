// Actor events as Lotus's GetActorEventsRaw and SubscribeActorEventsRaw show them (chain/types
// actor_event.go, chain/events/filter/event.go): every event of the messages a tipset included, EVM
// logs and builtin actors' FIP-0083 events alike, filtered by emitter and by indexed entries.
import { FilAddress } from '../common/address.js';
import { CID } from '../common/cbor.js';
import { DevnetError } from '../common/errors.js';
import type { Devnet } from '../devnet/devnet.js';
import { resolveAddress } from '../fevm/actors/lifecycle.js';
import { EventFlags, type ActorEvent, type EventEntry } from '../fevm/types.js';
import type { Tipset } from '../mining/tipset.js';
import { bytesJson, cidJson, tipsetKeyJson } from './lotus-json.js';
import { MAX_FILTER_HEIGHT_RANGE } from './log-criteria.js';
import { keptTipsetOf, pointState, statePointOf } from './dropped-tipsets.js';
import { filAddress, goFields, tipsetKey } from './lotus-params.js';
import { invalid, parseBase64, type Param } from './params.js';

interface ActorEventFilter {
  /** Empty: any emitter. */
  addresses: FilAddress[];
  /** Key -> the codec/value pairs any of which matches; an empty list matches the key alone. */
  fields: Map<string, { codec: number; value: Uint8Array }[]>;
  fromHeight?: number;
  toHeight?: number;
  tipset?: CID[];
}

const parseHeight = (name: string, v: unknown): number | undefined => {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw invalid(name, 'expected an epoch');
  return v;
};

/** The filter of a call that gives none (the dispatcher passes a left-out optional param as undefined): every event, no history. */
export const anyActorEvent = (): ActorEventFilter => ({ addresses: [], fields: new Map() });

/** types.ActorEventFilter in its JSON: {addresses, fields, fromHeight, toHeight, tipsetKey}. */
export const actorEventFilter = (name: string): Param<ActorEventFilter> => ({
  name,
  optional: true,
  parse: (v) => {
    if (v === undefined || v === null) return anyActorEvent();
    if (typeof v !== 'object' || Array.isArray(v)) throw invalid(name, 'expected an ActorEventFilter object');
    const f = goFields(v, ['addresses', 'fields', 'fromHeight', 'toHeight', 'tipsetKey']);
    if (f.addresses !== undefined && f.addresses !== null && !Array.isArray(f.addresses)) throw invalid(`${name}.addresses`, 'expected a list of addresses');
    const addresses = ((f.addresses as unknown[] | null) ?? []).map((a, i) => filAddress(`${name}.addresses[${i}]`).parse(a));
    const fields = new Map<string, { codec: number; value: Uint8Array }[]>();
    if (f.fields !== undefined && f.fields !== null) {
      if (typeof f.fields !== 'object' || Array.isArray(f.fields)) throw invalid(`${name}.fields`, 'expected an object of key -> [{codec, value}]');
      for (const [key, blocks] of Object.entries(f.fields as Record<string, unknown>)) {
        if (!Array.isArray(blocks)) throw invalid(`${name}.fields.${key}`, 'expected a list of {codec, value}');
        fields.set(
          key,
          blocks.map((b, i) => {
            const { codec, value } = goFields(b, ['codec', 'value']);
            const at = `${name}.fields.${key}[${i}]`;
            if (typeof codec !== 'number' || !Number.isSafeInteger(codec) || codec < 0) throw invalid(`${at}.codec`, 'expected a codec number');
            return { codec, value: parseBase64(`${at}.value`, value) };
          }),
        );
      }
    }
    const fromHeight = parseHeight(`${name}.fromHeight`, f.fromHeight);
    const toHeight = parseHeight(`${name}.toHeight`, f.toHeight);
    const tipset = f.tipsetKey === undefined || f.tipsetKey === null ? undefined : tipsetKey(`${name}.tipsetKey`).parse(f.tipsetKey);
    return { addresses, fields, fromHeight, toHeight, tipset: tipset?.length ? tipset : undefined };
  },
});

/** A filter's emitters and entries as types.ActorEventFilter's JSON, without heights or key: to ask another node (a fork's upstream). */
export function actorEventFilterJson({ addresses, fields }: ActorEventFilter): Record<string, unknown> {
  const entries = [...fields].map(([key, values]) => [key, values.map(({ codec, value }) => ({ codec, value: Buffer.from(value).toString('base64') }))]);
  return { addresses: addresses.map((address) => address.toString('t')), fields: Object.fromEntries(entries) };
}

/**
 * The epochs a filter covers at `head` (Lotus parseHeightRange): undefined bounds are open; a filter
 * without fromHeight has no history. Throws Lotus's errors for ranges it refuses.
 */
export function heightRange(filter: ActorEventFilter, head: number): { from?: number; to?: number } {
  const { fromHeight: from, toHeight: to } = filter;
  if (filter.tipset) {
    if (from !== undefined || to !== undefined) throw new DevnetError('cannot specify both TipSetKey and FromHeight/ToHeight');
    return {};
  }
  if (from !== undefined && from < 0) throw new DevnetError("range 'from' must be greater than or equal to 0");
  if (from === undefined && to !== undefined && to > 0 && to - head > MAX_FILTER_HEIGHT_RANGE) {
    throw new DevnetError(`invalid epoch range: 'to' height is too far in the future (maximum: ${MAX_FILTER_HEIGHT_RANGE})`);
  }
  if (from !== undefined && to === undefined && head - from > MAX_FILTER_HEIGHT_RANGE) {
    throw new DevnetError(`invalid epoch range: 'from' height is too far in the past (maximum: ${MAX_FILTER_HEIGHT_RANGE})`);
  }
  if (from !== undefined && to !== undefined) {
    if (from > to) throw new DevnetError(`invalid epoch range: 'to' height (${from}) must be after 'from' height (${to})`);
    if (to - from > MAX_FILTER_HEIGHT_RANGE) throw new DevnetError(`invalid epoch range: range between to and 'from' heights is too large (maximum: ${MAX_FILTER_HEIGHT_RANGE})`);
  }
  return { from, to };
}

/**
 * The tipsets a filter's history is read from: the one of its tipset key, else those from `from` to
 * `to` that hold events (as for eth_getLogs: the others, cold ones among them, are not read); none
 * without `from`.
 */
export function filterTipsets(devnet: Devnet, filter: ActorEventFilter, from: number | undefined, to: number): Tipset[] {
  if (filter.tipset) return [keptTipsetOf(devnet, filter.tipset)];
  return from === undefined ? [] : devnet.chain.rangeWithEvents(from, to);
}

/** Whether the event's indexed entries carry every key the filter names, each with one of its values. */
function matchesFields(entries: readonly EventEntry[], fields: ActorEventFilter['fields']): boolean {
  if (fields.size === 0) return true;
  const matched = new Set<string>();
  for (const entry of entries) {
    if (!(entry.flags & EventFlags.INDEXED_ALL)) continue;
    const wanted = fields.get(entry.key);
    if (!wanted) continue;
    if (wanted.length === 0 || wanted.some((w) => w.codec === entry.codec && Buffer.from(w.value).equals(entry.value))) matched.add(entry.key);
  }
  return matched.size === fields.size;
}

export const eventEntryJson = (e: EventEntry) => ({ Flags: e.flags, Key: e.key, Codec: e.codec, Value: bytesJson(e.value) ?? '' });

/**
 * The filter's matching events of the messages `tipset` included, as types.ActorEvent: a dropped
 * tipset's (a tipset key's) reverted, its emitters read in its kept state, as Lotus's index answers a
 * query by tipset key with its reverted events (lotus b835fab70 chain/index/events.go
 * makePrefillFilterQuery: no `reverted` clause for a tipset).
 */
export function tipsetActorEvents(devnet: Devnet, tipset: Tipset, filter: ActorEventFilter): unknown[] {
  const point = statePointOf(devnet, tipset);
  const state = pointState(devnet, point);
  const wanted = new Set(filter.addresses.map((a) => resolveAddress(state, a)?.id).filter((id) => id !== undefined));
  if (filter.addresses.length > 0 && wanted.size === 0) return [];
  const out: unknown[] = [];
  for (const message of tipset.messages) {
    for (const event of message.receipt.events as readonly ActorEvent[]) {
      if (wanted.size > 0 && !wanted.has(event.emitter)) continue;
      if (!matchesFields(event.entries, filter.fields)) continue;
      // The emitter's f410 address when it has one, else its ID address, as Lotus reports it.
      const emitter = state.getActor(event.emitter)?.delegated ?? FilAddress.fromId(event.emitter);
      out.push({
        entries: event.entries.map(eventEntryJson),
        emitter: emitter.toString('t'),
        reverted: point.dropped !== undefined,
        height: tipset.epoch,
        tipsetKey: tipsetKeyJson(tipset),
        msgCid: cidJson(message.cid),
      });
    }
  }
  return out;
}
