// Builtin actors' and contracts' events (FIP-0049, FIP-0083) as Lotus serves them:
// Filecoin.GetActorEventsRaw, SubscribeActorEventsRaw (WebSocket) and ChainGetEvents (lotus
// node/impl/full/actor_events.go, chain.go). The filter shape and matching are in ../actor-events.ts.
import { DevnetError } from '../../common/errors.js';
import { actorEventFilter, actorEventFilterJson, anyActorEvent, eventEntryJson, filterTipsets, heightRange, tipsetActorEvents } from '../actor-events.js';
import { defineChannelMethod, defineMethod } from '../define-method.js';
import { upstreamActorEvents, upstreamTipsetEvents, upstreamTipsetKey } from '../fork-events.js';
import { cid } from '../lotus-params.js';

export const filecoinEvents = [
  // The events of the tipsets in range (or of the one tipset named), oldest first; null when none. A
  // filter without fromHeight (or tipsetKey) asks for no history, so it answers null, as in Lotus.
  defineMethod('Filecoin.GetActorEventsRaw', [actorEventFilter('filter')], ({ devnet }, given) => {
    const filter = given ?? anyActorEvent();
    const head = devnet.head.epoch;
    const { from, to } = heightRange(filter, head);
    const events = filterTipsets(devnet, filter, from, to ?? head).flatMap((t) => tipsetActorEvents(devnet, t, filter));
    return events.length ? events : null;
  }),

  // A channel (xrpc.ch.val) of the matching events: those from fromHeight up to the head first, then
  // each new tipset's; closed once toHeight is reached (at once for a tipsetKey or a past toHeight). On
  // a fork, the backlog's part at or before the fork epoch is the upstream's (fidaudit4 V4), sent first,
  // and so is the backlog of a tipsetKey of the upstream's, as GetActorEventsRaw's (fork-events.ts).
  defineChannelMethod('Filecoin.SubscribeActorEventsRaw', [actorEventFilter('filter')], async ({ devnet, subscriptions }, given) => {
    const filter = given ?? anyActorEvent();
    const { from, to } = heightRange(filter, devnet.head.epoch);
    const { fork } = devnet;
    const upstreamKey = fork && filter.tipset ? await upstreamTipsetKey(devnet, fork, filter.tipset) : undefined;
    const forked = fork && !filter.tipset && from !== undefined && from <= fork.point.epoch;
    let upstreamPart: unknown[] = [];
    if (fork && upstreamKey !== undefined) upstreamPart = (await upstreamTipsetEvents(fork, actorEventFilterJson(filter), upstreamKey)) ?? [];
    else if (forked) upstreamPart = await upstreamActorEvents(fork, actorEventFilterJson(filter), from, to ?? devnet.head.epoch);
    // No await from here to the channel's opening: a tipset mined while the upstream answered is in the backlog, not lost.
    const head = devnet.head.epoch;
    const own = upstreamKey !== undefined ? [] : filterTipsets(devnet, filter, forked ? fork.point.epoch + 1 : from, Math.min(to ?? head, head));
    return subscriptions.actorEvents(
      [...upstreamPart, ...own.flatMap((t) => tipsetActorEvents(devnet, t, filter))],
      (tipset) => (filter.tipset || (from !== undefined && tipset.epoch < from) ? [] : tipsetActorEvents(devnet, tipset, filter)),
      (tipset) => to !== undefined && tipset.epoch >= to,
      filter.tipset !== undefined || (to !== undefined && to <= head),
    );
  }),

  // types.Event of a receipt's EventsRoot: {Emitter (actor ID), Entries}.
  defineMethod('Filecoin.ChainGetEvents', [cid('eventsRoot')], ({ devnet }, root) => {
    const events = devnet.chain.eventsOf(root);
    if (!events) throw new DevnetError(`load events amt: ipld: could not find ${root.toString()}`);
    return events.map((e) => ({ Emitter: e.emitter, Entries: e.entries.map(eventEntryJson) }));
  }),
];
