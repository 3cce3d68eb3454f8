// On a fork, builtin actors' and contracts' events from before the fork epoch are the upstream's, as
// its logs are (fork-routes.ts getLogs): Filecoin.GetActorEventsRaw's part of a range at or before the
// fork epoch, and ChainGetEvents of a receipt's EventsRoot the fork does not hold (a Lotus gateway
// serves both: api/api_gateway.go at b835fab70). What the fork mined is its own.
import type { Devnet } from '../devnet/devnet.js';
import type { Fork } from '../devnet/fork/fork.js';
import { actorEventFilter, heightRange } from './actor-events.js';
import { parsed, type Local } from './fork-lookups.js';
import { cid } from './lotus-params.js';

/**
 * GetActorEventsRaw on a fork: a range starting at or before the fork epoch asks the upstream for that
 * part (the filter as given, its heights cut at the fork epoch) and the fork for the rest; a tipset key
 * and a range after the fork epoch are the fork's (a bad filter gets the local error).
 */
export async function actorEventsOnFork(devnet: Devnet, fork: Fork, args: unknown[], local: Local): Promise<unknown> {
  const given = args[0] as Record<string, unknown> | undefined;
  const filter = parsed(() => actorEventFilter('filter').parse(given));
  const range = filter && !filter.tipset ? parsed(() => heightRange(filter, devnet.head.epoch)) : undefined;
  const forkEpoch = fork.point.epoch;
  if (!range || range.from === undefined || range.from > forkEpoch) return local(args);
  const to = Math.min(range.to ?? devnet.head.epoch, devnet.head.epoch);
  const upstreamPart = [{ ...given, fromHeight: range.from, toHeight: Math.min(to, forkEpoch) }];
  if (to <= forkEpoch) return fork.upstream.call('Filecoin.GetActorEventsRaw', upstreamPart);
  const [before, after] = await Promise.all([
    fork.upstream.call<unknown[] | null>('Filecoin.GetActorEventsRaw', upstreamPart),
    local([{ ...given, fromHeight: forkEpoch + 1 }]) as Promise<unknown[] | null>,
  ]);
  const events = [...(before ?? []), ...(after ?? [])];
  return events.length > 0 ? events : null;
}

/** ChainGetEvents on a fork: a root the fork does not hold may be a forked receipt's, which the upstream answers (or refuses as Lotus does). */
export function eventsRootOnFork(devnet: Devnet, fork: Fork, args: unknown[], local: Local): Promise<unknown> {
  const root = parsed(() => cid('eventsRoot').parse(args[0]));
  if (!root || devnet.chain.eventsOf(root)) return local(args);
  return fork.upstream.call('Filecoin.ChainGetEvents', args);
}
