// Builtin actors' and contracts' events (FIP-0049, FIP-0083) as Lotus serves them:
// Filecoin.GetActorEventsRaw, SubscribeActorEventsRaw (WebSocket) and ChainGetEvents (lotus
// node/impl/full/actor_events.go, chain.go). The filter shape and matching are in ../actor-events.ts.
import { DevnetError } from '../../common/errors.js';
import { actorEventFilter, actorEventFilterJson, anyActorEvent, eventEntryJson, heightRange, tipsetActorEvents } from '../actor-events.js';
import { defineMethod } from '../define-method.js';
import { upstreamActorEvents, upstreamTipsetEvents, upstreamTipsetKey } from '../fork-events.js';
import { cid, tipsetOf } from '../lotus-params.js';

export const filecoinEvents = [
  // The events of the tipsets in range (or of the one tipset named), oldest first; null when none. A
  // filter without fromHeight (or tipsetKey) asks for no history, so it answers null, as in Lotus.
  defineMethod('Filecoin.GetActorEventsRaw', [actorEventFilter('filter')], ({ devnet }, given) => {
    const filter = given ?? anyActorEvent();
    const head = devnet.head.epoch;
    const { from, to } = heightRange(filter, head);
    // Only the tipsets with events may hold any (as for eth_getLogs): the others, cold ones among them, are not read.
    const tipsets = filter.tipset ? [tipsetOf(devnet, filter.tipset)] : from === undefined ? [] : devnet.chain.rangeWithEvents(from, to ?? head);
    const events = tipsets.flatMap((t) => tipsetActorEvents(devnet, t, filter));
    return events.length ? events : null;
  }),

  // A channel (xrpc.ch.val) of the matching events: those from fromHeight up to the head first, then
  // each new tipset's; closed once toHeight is reached (at once for a tipsetKey or a past toHeight). On
  // a fork, the backlog's part at or before the fork epoch is the upstream's (fidaudit4 V4), sent first,
  // and so is the backlog of a tipsetKey of the upstream's, as GetActorEventsRaw's (fork-events.ts).
  defineMethod('Filecoin.SubscribeActorEventsRaw', [actorEventFilter('filter')], async ({ devnet, subscriptions }, given) => {
    const filter = given ?? anyActorEvent();
    if (!subscriptions) throw new DevnetError("connection doesn't support callbacks");
    const { from, to } = heightRange(filter, devnet.head.epoch);
    const { fork } = devnet;
    const forked = fork && !filter.tipset && from !== undefined && from <= fork.point.epoch;
    const upstreamKey = fork && filter.tipset ? await upstreamTipsetKey(devnet, fork, filter.tipset) : undefined;
    const upstreamPart = forked
      ? await upstreamActorEvents(fork, actorEventFilterJson(filter), from, to ?? devnet.head.epoch)
      : upstreamKey !== undefined
        ? await upstreamTipsetEvents(fork!, actorEventFilterJson(filter), upstreamKey)
        : [];
    // No await from here to the channel's opening: a tipset mined while the upstream answered is in the backlog, not lost.
    const head = devnet.head.epoch;
    const ownFrom = forked ? fork.point.epoch + 1 : from;
    const own = upstreamKey !== undefined ? [] : filter.tipset ? [tipsetOf(devnet, filter.tipset)] : ownFrom === undefined ? [] : devnet.chain.rangeWithEvents(ownFrom, Math.min(to ?? head, head));
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
