// Filecoin.StateReadState of a forked builtin singleton (power, market, verified registry, datacap):
// the upstream's State exactly as it answered, until the fork writes to the actor; after that the
// node's own State, in which each table the fork reads by key shows a root made of the upstream's
// root and what the fork wrote to the table (its entries and deletions), never of what it merely
// read, so reads leave the answer as it was (fevm/actor-state.ts does the same for the Head).
import { cidOf, encodeCbor, CID } from '../common/cbor.js';
import { toStorable } from '../common/storable.js';
import type { Actor } from '../fevm/actor.js';
import { forkedSingletonState, unchangedSinceForked, writtenTable } from '../fevm/actor-state.js';
import { LazyMap } from '../fevm/lazy-map.js';
import { cidJson } from './lotus-json.js';

/** The State fields (Go names, dotted within Token) that hold a table the fork reads by key, and the devnet state's field for each. */
const FORKED_TABLES: Partial<Record<Actor['kind'], Record<string, string>>> = {
  storagemarket: {
    Proposals: 'proposals',
    States: 'states',
    PendingProposals: 'pendingProposals',
    EscrowTable: 'escrow',
    LockedTable: 'locked',
    PendingDealAllocationIds: 'pendingDealAllocationIds',
    ProviderSectors: 'providerSectors',
  },
  verifiedregistry: { Verifiers: 'verifiers', RemoveDataCapProposalIDs: 'removeDataCapProposalIds', Allocations: 'allocations', Claims: 'claims' },
  datacap: { 'Token.Balances': 'balances', 'Token.Allowances': 'allowances' },
};

/** The object holding a dotted path's last field, and that field's name. */
function fieldOf(json: Record<string, unknown>, path: string): [Record<string, unknown>, string] {
  const names = path.split('.');
  let holder = json;
  for (const name of names.slice(0, -1)) holder = holder[name] as Record<string, unknown>;
  return [holder, names[names.length - 1]];
}

/** The State to answer for `actor`, given how to make the node's own. */
export function forkedStateJson(actor: Actor, ownJson: () => object | null): unknown {
  if (!actor.forkedFrom) return ownJson();
  if (unchangedSinceForked(actor)) return actor.forkedFrom.stateJson;
  const own = ownJson() as Record<string, unknown>;
  const state = forkedSingletonState(actor) as unknown as Record<string, unknown>;
  for (const [path, field] of Object.entries(FORKED_TABLES[actor.kind] ?? {})) {
    const table = state[field];
    const [upstreamHolder, name] = fieldOf(actor.forkedFrom.stateJson as Record<string, unknown>, path);
    const upstreamRoot = (upstreamHolder[name] as { '/': string } | undefined)?.['/'];
    if (!(table instanceof LazyMap) || !upstreamRoot) continue;
    const { table: held, removed } = writtenTable(table);
    const [holder] = fieldOf(own, path);
    holder[name] = forkedRootJson(upstreamRoot, toStorable(held), toStorable(removed));
  }
  return own;
}

/** A forked table's CID as the fork reads it: the upstream's `root` with what the fork wrote to it. */
export const forkedRootJson = (root: string, ...written: unknown[]) => cidJson(cidOf(encodeCbor([CID.parse(root), ...written])));
