// Storage deals through their whole life, as a client can learn them over JSON-RPC: the deals
// client contracts propose (their DealProposalCreate logs, read back with getDealProposal as
// storage providers do), the market's deals (Filecoin.StateMarketDeals) and its FIP-0083 events
// (deal-published, deal-activated, deal-terminated, deal-completed, by Filecoin.GetActorEventsRaw),
// which still name a deal once the market has removed it (settled in full, slashed, or timed out
// before activation). A removed deal's terms come from its PublishStorageDeals message's params
// (Filecoin.StateDecodeParams).
import { Interface, encodeBase64, getBytes } from 'ethers';
import { CID } from 'multiformats/cid';
import { forkPoint } from './fork.js';
import { batch, batchResults, call } from './rpc.js';
import { base64Bytes, cborValue, hex, type EventEntry } from './values.js';

export interface DealProposal {
  PieceCID: { '/': string };
  PieceSize: number;
  VerifiedDeal: boolean;
  Client: string;
  Provider: string;
  Label: string;
  StartEpoch: number;
  EndEpoch: number;
  StoragePricePerEpoch: string;
  ProviderCollateral: string;
  ClientCollateral: string;
}

/** Lotus's MarketDeal; -1 is "not yet". */
export interface MarketDeal {
  Proposal: DealProposal;
  State: { SectorNumber: number; SectorStartEpoch: number; LastUpdatedEpoch: number; SlashEpoch: number };
}

/**
 * - published: in the market, waiting for a sector (in the market's pending proposals)
 * - active: in a sector, paid as it is settled
 * - expired: past its end and not yet settled, or never activated by its start epoch (timed out)
 * - slashed: its sector was terminated before its end (deal-terminated)
 * - settled: paid in full at or after its end and removed (deal-completed)
 */
export type DealStatus = 'published' | 'active' | 'expired' | 'slashed' | 'settled';

/** A step of a deal as the market's events (or its client contract's log) tell it. */
export interface DealStep {
  type: 'DealProposalCreate' | 'deal-published' | 'deal-activated' | 'deal-terminated' | 'deal-completed';
  epoch: number;
  message: string;
}

export interface Deal {
  id: number;
  status: DealStatus;
  /** Why the status, in a few words. */
  detail: string;
  /** Client and provider as ID addresses (the events name them by actor ID). */
  client: string;
  provider: string;
  /** The terms, from the market or (for a removed deal) its publish message; undefined when neither says. */
  proposal?: DealProposal;
  /** The market's state of the deal while it holds it. */
  state?: MarketDeal['State'];
  steps: DealStep[];
}

/** A deal a client contract proposed (DealProposalCreate) that no provider has published. */
export interface ProposedDeal {
  /** The contract's 0x address, and the id it gave the proposal. */
  contract: string;
  proposalId: string;
  epoch: number;
  message: string;
  size: number;
  verified: boolean;
  price: bigint;
  /** From the contract's getDealProposal; undefined when it did not answer. */
  pieceCid?: string;
  startEpoch?: number;
  endEpoch?: number;
}

/** Lotus's limit on the epochs one GetActorEventsRaw may cover (MaxFilterHeightRange). */
const EVENT_WINDOW = 2880;
const BATCH = 500;
const MARKET = 't05';
const RAW_CODEC = 0x55;

/** fevm-hardhat-kit's deal client, as Boost's contract-deal monitor reads it. */
const DEAL_CLIENT = new Interface([
  'event DealProposalCreate(bytes32 indexed id, uint64 size, bool indexed verified, uint256 price)',
  'function getDealProposal(bytes32 id) view returns (bytes)',
]);
const PROPOSAL_TOPIC = DEAL_CLIENT.getEvent('DealProposalCreate')!.topicHash;

interface ActorEventJson {
  emitter: string;
  entries: EventEntry[];
  height: number;
  msgCid: { '/': string };
}

/** The market's events and the contracts' DealProposalCreate logs from `first` to `head`, oldest first, in Lotus's windows of epochs. */
async function chainEvents(first: number, head: number): Promise<{ market: ActorEventJson[]; proposals: ActorEventJson[] }> {
  const calls: [string, unknown[]][] = [];
  for (let from = first; from <= head; from += EVENT_WINDOW) {
    const range = { fromHeight: from, toHeight: Math.min(from + EVENT_WINDOW - 1, head) };
    calls.push(['Filecoin.GetActorEventsRaw', [{ addresses: [MARKET], ...range }]]);
    calls.push(['Filecoin.GetActorEventsRaw', [{ fields: { t1: [{ codec: RAW_CODEC, value: encodeBase64(PROPOSAL_TOPIC) }] }, ...range }]]);
  }
  const answers: (ActorEventJson[] | null)[] = [];
  for (let i = 0; i < calls.length; i += BATCH) answers.push(...(await batchResults<ActorEventJson[] | null>(calls.slice(i, i + BATCH))));
  return { market: answers.filter((_, i) => i % 2 === 0).flatMap((a) => a ?? []), proposals: answers.filter((_, i) => i % 2 === 1).flatMap((a) => a ?? []) };
}

/** The market's deal events. */
function dealEvents(events: ActorEventJson[]): (DealStep & { id: number; client: number; provider: number })[] {
  return events.flatMap((event) => {
    const field = (key: string) => {
      const entry = event.entries.find((e) => e.Key === key);
      return entry ? cborValue(base64Bytes(entry.Value)) : undefined;
    };
    const type = field('$type');
    if (typeof type !== 'string' || !type.startsWith('deal-')) return [];
    return [{ type: type as DealStep['type'], epoch: event.height, message: event.msgCid['/'], id: Number(field('id')), client: Number(field('client')), provider: Number(field('provider')) }];
  });
}

/** A deal the market holds, by its state and the head. */
function heldStatus(deal: MarketDeal, head: number): [DealStatus, string] {
  if (deal.State.SlashEpoch >= 0) return ['slashed', `sector terminated at epoch ${deal.State.SlashEpoch}`];
  if (deal.Proposal.EndEpoch <= head) return ['expired', `ended at epoch ${deal.Proposal.EndEpoch}, final settlement pending`];
  if (deal.State.SectorStartEpoch >= 0) return ['active', `in sector ${deal.State.SectorNumber} since epoch ${deal.State.SectorStartEpoch}`];
  // Activation after the start epoch fails; the market removes the deal at its cron check or a settlement.
  if (deal.Proposal.StartEpoch <= head) return ['expired', `not activated by its start epoch ${deal.Proposal.StartEpoch}: timed out, removal pending`];
  return ['published', `waiting for a sector before epoch ${deal.Proposal.StartEpoch}`];
}

/** A deal the market has removed, by its last event. */
function removedStatus(steps: DealStep[], proposal: DealProposal | undefined): [DealStatus, string] {
  const last = steps[steps.length - 1];
  if (last?.type === 'deal-completed') return ['settled', `paid in full and removed at epoch ${last.epoch}`];
  if (last?.type === 'deal-terminated') return ['slashed', `sector terminated at epoch ${last.epoch}`];
  return ['expired', `not activated by its start epoch${proposal ? ` ${proposal.StartEpoch}` : ''}: timed out`];
}

/** The proposals of PublishStorageDeals messages, by message CID: Deals[i].Proposal in the order of its deal-published events. */
async function publishedProposals(messages: string[]): Promise<Map<string, DealProposal[]>> {
  const found = new Map<string, DealProposal[]>();
  if (messages.length === 0) return found;
  const loaded = await batch<{ To: string; Method: number; Params: string }>(messages.map((cid) => ['Filecoin.ChainGetMessage', [{ '/': cid }]]));
  const decoded = await batch<{ Deals: { Proposal: DealProposal }[] }>(loaded.map((m) => ['Filecoin.StateDecodeParams', [m.result?.To, m.result?.Method, m.result?.Params, null]]));
  messages.forEach((cid, i) => {
    const deals = decoded[i]?.result?.Deals;
    if (deals) found.set(cid, deals.map((d) => d.Proposal));
  });
  return found;
}

/** The contracts' proposals, with the terms their getDealProposal gives and the ID of the contract (the deal's client once published). */
async function contractProposals(logs: ActorEventJson[]): Promise<(ProposedDeal & { clientId?: string })[]> {
  if (logs.length === 0) return [];
  const emitters = [...new Set(logs.map((log) => log.emitter))];
  const addresses = await batch<string>(emitters.flatMap((e) => [['Filecoin.FilecoinAddressToEthAddress', [e, null]], ['Filecoin.StateLookupID', [e, null]]]));
  const ethOf = new Map(emitters.map((e, i) => [e, addresses[i * 2]?.result]));
  const idOf = new Map(emitters.map((e, i) => [e, addresses[i * 2 + 1]?.result]));
  const proposals = logs.flatMap((log) => {
    const entry = (key: string) => hex(base64Bytes(log.entries.find((e) => e.Key === key)?.Value));
    const topics = ['t1', 't2', 't3'].map(entry);
    const contract = ethOf.get(log.emitter);
    try {
      const { args } = DEAL_CLIENT.parseLog({ topics, data: entry('d') })!;
      return contract ? [{ contract, proposalId: String(args.id), epoch: log.height, message: log.msgCid['/'], size: Number(args.size), verified: Boolean(args.verified), price: BigInt(args.price), clientId: idOf.get(log.emitter) }] : [];
    } catch {
      // A log with this topic that is not fevm-hardhat-kit's event.
      return [];
    }
  });
  const terms = await batch<string>(proposals.map((p) => ['eth_call', [{ to: p.contract, data: DEAL_CLIENT.encodeFunctionData('getDealProposal', [p.proposalId]) }, 'latest']]));
  return proposals.map((p, i) => {
    const answer = terms[i]?.result;
    if (!answer) return p;
    // DealProposal's CBOR tuple: PieceCID, PieceSize, VerifiedDeal, Client, Provider, Label, StartEpoch, EndEpoch, …
    const tuple = cborValue(getBytes(String(DEAL_CLIENT.decodeFunctionResult('getDealProposal', answer)[0])));
    if (!Array.isArray(tuple)) return p;
    const cid = CID.asCID(tuple[0]);
    return { ...p, pieceCid: cid?.toString(), startEpoch: Number(tuple[6]), endEpoch: Number(tuple[7]) };
  });
}

/** Every deal the market has held or holds, newest first, and the contracts' proposals no provider has published. */
export async function allDeals(head: number): Promise<{ deals: Deal[]; proposed: ProposedDeal[] }> {
  // A fork's market holds only the upstream deals it has read, and its events start after the fork.
  const fork = await forkPoint();
  const [held, logs] = await Promise.all([call<Record<string, MarketDeal>>('Filecoin.StateMarketDeals', [null]), chainEvents(fork ? fork.epoch + 1 : 0, head)]);
  const events = dealEvents(logs.market);
  const byId = new Map<number, Deal>();
  for (const [id, deal] of Object.entries(held)) {
    const [status, detail] = heldStatus(deal, head);
    byId.set(Number(id), { id: Number(id), status, detail, client: deal.Proposal.Client, provider: deal.Proposal.Provider, proposal: deal.Proposal, state: deal.State, steps: [] });
  }
  for (const { id, client, provider, ...step } of events) {
    let deal = byId.get(id);
    if (!deal) {
      deal = { id, status: 'expired', detail: '', client: `t0${client}`, provider: `t0${provider}`, steps: [] };
      byId.set(id, deal);
    }
    deal.steps.push(step);
  }
  const removed = [...byId.values()].filter((d) => !d.proposal);
  // A removed deal's terms: the deal-published events of its message match its Deals in order (a
  // message whose every deal was valid; otherwise the terms stay unknown).
  const publishes = removed.flatMap((d) => d.steps.filter((s) => s.type === 'deal-published').map((s) => s.message));
  const proposals = await publishedProposals([...new Set(publishes)]);
  const publishedBy = new Map<string, number[]>();
  for (const { id, type, message } of events) if (type === 'deal-published') publishedBy.set(message, [...(publishedBy.get(message) ?? []), id]);
  for (const deal of removed) {
    const message = deal.steps.find((s) => s.type === 'deal-published')?.message;
    const ids = message ? publishedBy.get(message) : undefined;
    const terms = message ? proposals.get(message) : undefined;
    if (ids && terms && ids.length === terms.length) deal.proposal = terms[ids.indexOf(deal.id)];
    [deal.status, deal.detail] = removedStatus(deal.steps, deal.proposal);
  }
  // A proposal is published once a deal of that contract (its client) has its piece.
  const proposed: ProposedDeal[] = [];
  for (const { clientId, ...proposal } of await contractProposals(logs.proposals)) {
    const deal = [...byId.values()].find((d) => d.client === clientId && proposal.pieceCid !== undefined && d.proposal?.PieceCID['/'] === proposal.pieceCid);
    if (deal) deal.steps.unshift({ type: 'DealProposalCreate', epoch: proposal.epoch, message: proposal.message });
    else proposed.push(proposal);
  }
  return { deals: [...byId.values()].sort((a, b) => b.id - a.id), proposed: proposed.reverse() };
}

/** One deal, or undefined when the market never had it. */
export async function findDeal(id: number, head: number): Promise<Deal | undefined> {
  return (await allDeals(head)).deals.find((d) => d.id === id);
}

/** The epochs one deal's chart samples: from its publication to now (or its removal), at most `count`. */
export function sampleEpochs(deal: Deal, head: number, count = 40): number[] {
  const first = deal.steps[0]?.epoch ?? deal.proposal?.StartEpoch ?? 0;
  const removal = deal.status === 'settled' || (deal.status === 'slashed' && !deal.state) ? deal.steps[deal.steps.length - 1]!.epoch : undefined;
  const last = Math.min(head, removal !== undefined ? removal + Math.max(1, Math.ceil((removal - first) / count)) : head);
  const span = Math.max(1, last - first);
  const step = Math.max(1, Math.ceil(span / (count - 1)));
  const epochs: number[] = [];
  for (let e = first; e < last; e += step) epochs.push(e);
  epochs.push(last);
  return epochs;
}

/** A point of a deal's chart: the escrow of its client and provider, and what the deal has paid by then. */
interface EscrowPoint {
  epoch: number;
  clientEscrow: bigint;
  clientLocked: bigint;
  providerEscrow: bigint;
  /** What this deal has paid its provider by this epoch (settlements only). */
  settled: bigint;
}

/** The client's and provider's market balances and the deal's settled payments at each epoch, read at the tipsets there. */
export async function escrowOverEpochs(deal: Deal, epochs: number[]): Promise<EscrowPoint[]> {
  const tipsets = await batchResults<{ Cids: { '/': string }[] }>(epochs.map((e) => ['Filecoin.ChainGetTipSetByHeight', [e, null]]));
  const reads = await batch<any>(
    tipsets.flatMap((t) => [
      ['Filecoin.StateMarketBalance', [deal.client, t.Cids]],
      ['Filecoin.StateMarketBalance', [deal.provider, t.Cids]],
      ['Filecoin.StateMarketStorageDeal', [deal.id, t.Cids]],
    ]),
  );
  const price = BigInt(deal.proposal?.StoragePricePerEpoch ?? 0);
  const start = deal.proposal?.StartEpoch ?? 0;
  const end = deal.proposal?.EndEpoch ?? 0;
  let settled = 0n;
  return epochs.map((epoch, i) => {
    const [client, provider, held] = reads.slice(i * 3, i * 3 + 3);
    const state = held?.result?.State as MarketDeal['State'] | undefined;
    if (state && state.LastUpdatedEpoch > start) settled = price * BigInt(Math.min(state.LastUpdatedEpoch, end) - start);
    // Gone from the market: paid for every epoch when it completed, up to the termination when slashed.
    const removedAt = deal.state ? undefined : deal.steps[deal.steps.length - 1]?.epoch;
    if (!state && removedAt !== undefined && epoch >= removedAt) {
      if (deal.status === 'settled') settled = price * BigInt(end - start);
      if (deal.status === 'slashed') settled = price * BigInt(Math.max(0, Math.min(end, removedAt) - start));
    }
    return {
      epoch,
      clientEscrow: BigInt(client?.result?.Escrow ?? 0),
      clientLocked: BigInt(client?.result?.Locked ?? 0),
      providerEscrow: BigInt(provider?.result?.Escrow ?? 0),
      settled,
    };
  });
}
