// On a fork, builtin actors' and contracts' events from before the fork epoch are the upstream's, as
// its logs are (fork-routes.ts getLogs): Filecoin.GetActorEventsRaw's part of a range at or before the
// fork epoch and its tipset key of such a tipset (SubscribeActorEventsRaw's backlog too:
// methods/filecoin-events.ts), and ChainGetEvents of a receipt's EventsRoot the fork does not hold (a
// Lotus gateway serves them: api/api_gateway.go at b835fab70). What the fork mined is its own.
import type { CID } from '../common/cbor.js';
import type { Devnet } from '../devnet/devnet.js';
import type { Fork } from '../devnet/fork/fork.js';
import { actorEventFilter, heightRange } from './actor-events.js';
import { keptTipset } from './dropped-tipsets.js';
import { parsed, type Local } from './fork-lookups.js';
import { upstreamHeight } from './fork-tipsets.js';
import { cid } from './lotus-params.js';
import { cidJson } from './lotus-json.js';

/**
 * The upstream's events of `filter` (its JSON, heights aside) from `from` to `to`, cut at the fork
 * epoch: the part of a range that is the upstream's history. An empty list for none.
 */
export async function upstreamActorEvents(fork: Fork, filter: Record<string, unknown>, from: number, to: number): Promise<unknown[]> {
  const part = { ...filter, fromHeight: from, toHeight: Math.min(to, fork.point.epoch) };
  return (await fork.upstream.call<unknown[] | null>('Filecoin.GetActorEventsRaw', [part])) ?? [];
}

/**
 * The upstream's key for a filter's tipsetKey on a fork, when the tipset is the upstream's: one at or
 * before the fork epoch (the fork's first tipset among them: it stands in for the upstream's, without
 * its messages, so its key there is asked), as the other methods that take a key (fork-tipsets.ts).
 * Undefined for the fork's own tipsets (those a revert dropped too), and for keys neither knows (the local method refuses them).
 */
export async function upstreamTipsetKey(devnet: Devnet, fork: Fork, key: CID[]): Promise<unknown> {
  const held = keptTipset(devnet, key);
  if (held === devnet.chain.first) return fork.point.tipsetKey;
  const keyJson = key.map(cidJson);
  return !held && (await upstreamHeight(fork, keyJson)) !== undefined ? keyJson : undefined;
}

/** The upstream's events of `filter` (its JSON, heights and key aside) at the tipset of `upstreamKey`, as it answers them (null for none). */
export function upstreamTipsetEvents(fork: Fork, filter: Record<string, unknown>, upstreamKey: unknown): Promise<unknown[] | null> {
  return fork.upstream.call<unknown[] | null>('Filecoin.GetActorEventsRaw', [{ ...filter, tipsetKey: upstreamKey }]);
}

/**
 * GetActorEventsRaw on a fork: a range starting at or before the fork epoch asks the upstream for that
 * part (the filter as given, its heights cut at the fork epoch) and the fork for the rest; a range
 * after the fork epoch is the fork's. A tipset key of the upstream's (upstreamTipsetKey) is the
 * upstream's; the fork's own are local. A bad filter gets the local error.
 */
export async function actorEventsOnFork(devnet: Devnet, fork: Fork, args: unknown[], local: Local): Promise<unknown> {
  const given = args[0] as Record<string, unknown> | undefined;
  const filter = parsed(() => actorEventFilter('filter').parse(given));
  const range = filter && parsed(() => heightRange(filter, devnet.head.epoch));
  if (filter?.tipset && range) {
    const upstreamKey = await upstreamTipsetKey(devnet, fork, filter.tipset);
    return upstreamKey === undefined ? local(args) : upstreamTipsetEvents(fork, given ?? {}, upstreamKey);
  }
  const forkEpoch = fork.point.epoch;
  if (!range || range.from === undefined || range.from > forkEpoch) return local(args);
  const to = Math.min(range.to ?? devnet.head.epoch, devnet.head.epoch);
  const [before, after] = await Promise.all([
    upstreamActorEvents(fork, given ?? {}, range.from, to),
    to > forkEpoch ? (local([{ ...given, fromHeight: forkEpoch + 1 }]) as Promise<unknown[] | null>) : null,
  ]);
  const events = [...before, ...(after ?? [])];
  return events.length > 0 ? events : null;
}

/** ChainGetEvents on a fork: a root the fork does not hold may be a forked receipt's, which the upstream answers (or refuses as Lotus does). */
export function eventsRootOnFork(devnet: Devnet, fork: Fork, args: unknown[], local: Local): Promise<unknown> {
  const root = parsed(() => cid('eventsRoot').parse(args[0]));
  if (!root || devnet.chain.eventsOf(root)) return local(args);
  return fork.upstream.call('Filecoin.ChainGetEvents', args);
}
