// Storage providers and deals: the list of providers with their power and sectors, one provider
// with its sectors, faults and deals, the deals in every state (and contracts' proposals no
// provider has published), and one deal with its parties,
// piece, steps, and charts of escrow and payments over its epochs.
import { bitfieldFromRuns } from '../../common/bitfield-json.js';
import { lineChart } from '../chart.js';
import { allDeals, escrowOverEpochs, findDeal, sampleEpochs, type Deal, type DealStep, type ProposedDeal } from '../deals.js';
import { facts, fil, h, link, short, table, thousands } from '../dom.js';
import { batchResults, call } from '../rpc.js';

interface Power {
  RawBytePower: string;
  QualityAdjPower: string;
}

const stateBadge = (deal: Deal) => h('span', { class: `badge deal-${deal.status}`, title: deal.detail }, deal.status);
const bytes = (n: number | string) => {
  const value = Number(n);
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  const i = value > 0 ? Math.min(units.length - 1, Math.floor(Math.log2(value) / 10)) : 0;
  return `${+(value / 2 ** (10 * i)).toFixed(2)} ${units[i]}`;
};
const headHeight = async () => (await call<{ Height: number }>('Filecoin.ChainHead')).Height;

function dealsTable(deals: Deal[]): HTMLElement {
  return table(
    ['Deal', 'State', 'Client', 'Provider', 'Piece', 'Size', 'Price / epoch', 'Epochs'],
    deals.map((deal) => {
      const p = deal.proposal;
      return [
        link(`#/deal/${deal.id}`, String(deal.id)),
        stateBadge(deal),
        link(`#/actor/${deal.client}`, deal.client),
        link(`#/miner/${deal.provider}`, deal.provider),
        p ? h('code', { class: 'wrap' }, p.PieceCID['/']) : '—',
        p ? bytes(p.PieceSize) : '—',
        p ? fil(BigInt(p.StoragePricePerEpoch)) : '—',
        p ? `${thousands(p.StartEpoch)}–${thousands(p.EndEpoch)}` : '—',
      ];
    }),
    'deals',
  );
}

/** Deals client contracts proposed that no provider has published (yet). */
function proposedTable(proposed: ProposedDeal[]): HTMLElement {
  return table(
    ['Proposed at', 'Contract', 'Proposal', 'Piece', 'Size', 'Price / epoch', 'Epochs'],
    proposed.map((p) => [
      link(`#/message/${p.message}`, thousands(p.epoch)),
      link(`#/actor/${p.contract}`, short(p.contract)),
      h('code', {}, short(p.proposalId)),
      p.pieceCid ? h('code', { class: 'wrap' }, p.pieceCid) : '—',
      bytes(p.size),
      fil(p.price),
      p.startEpoch !== undefined ? `${thousands(p.startEpoch)}–${thousands(p.endEpoch!)}` : '—',
    ]),
    'proposed',
  );
}

export async function dealsView(): Promise<HTMLElement> {
  const { deals, proposed } = await allDeals(await headHeight());
  const counts = new Map<string, number>(proposed.length ? [['proposed', proposed.length]] : []);
  for (const deal of deals) counts.set(deal.status, (counts.get(deal.status) ?? 0) + 1);
  return h(
    'div',
    {},
    h('h1', {}, `Deals (${deals.length})`),
    counts.size ? h('p', { class: 'muted' }, [...counts].map(([status, n]) => `${n} ${status}`).join(', ')) : null,
    proposed.length ? [h('h2', {}, `Proposed by contracts, not yet published (${proposed.length})`), proposedTable(proposed)] : null,
    deals.length ? dealsTable(deals) : h('p', { class: 'muted' }, 'No deals in the market yet.'),
  );
}

export async function minersView(): Promise<HTMLElement> {
  const miners = await call<string[]>('Filecoin.StateListMiners', [null]);
  const answers = await batchResults<any>(
    miners.flatMap((m) => [
      ['Filecoin.StateMinerPower', [m, null]],
      ['Filecoin.StateMinerInfo', [m, null]],
      ['Filecoin.StateMinerSectorCount', [m, null]],
    ]),
  );
  const { deals } = await allDeals(await headHeight());
  return h(
    'div',
    {},
    h('h1', {}, `Storage providers (${miners.length})`),
    table(
      ['Miner', 'Owner', 'Sector size', 'Raw power', 'QA power', 'Sectors (live / active / faulty)', 'Deals'],
      miners.map((miner, i) => {
        const [power, info, count] = answers.slice(i * 3, i * 3 + 3) as [{ MinerPower: Power }, { Owner: string; SectorSize: number }, { Live: number; Active: number; Faulty: number }];
        return [
          link(`#/miner/${miner}`, miner),
          link(`#/actor/${info.Owner}`, info.Owner),
          bytes(info.SectorSize),
          bytes(power.MinerPower.RawBytePower),
          bytes(power.MinerPower.QualityAdjPower),
          `${count.Live} / ${count.Active} / ${count.Faulty}`,
          String(deals.filter((d) => d.provider === miner).length),
        ];
      }),
      'miners',
    ),
  );
}

interface Sector {
  SectorNumber: number;
  Activation: number;
  Expiration: number;
  DealIDs: number[] | null;
}

export async function minerView(miner: string): Promise<HTMLElement> {
  const [power, info, count, faults, sectors, active] = await batchResults<any>([
    ['Filecoin.StateMinerPower', [miner, null]],
    ['Filecoin.StateMinerInfo', [miner, null]],
    ['Filecoin.StateMinerSectorCount', [miner, null]],
    ['Filecoin.StateMinerFaults', [miner, null]],
    ['Filecoin.StateMinerSectors', [miner, null, null]],
    ['Filecoin.StateMinerActiveSectors', [miner, null]],
  ]);
  const own = (await allDeals(await headHeight())).deals.filter((d) => d.provider === miner);
  const faulty = bitfieldFromRuns(faults as number[]);
  // The sectors list keeps terminated and expired sectors (as Lotus, until compaction): neither faulty nor active.
  const activeNumbers = new Set(((active ?? []) as Sector[]).map((s) => s.SectorNumber));
  const stateOf = (s: Sector) =>
    faulty.includes(s.SectorNumber) ? h('span', { class: 'badge fail' }, 'faulty') : activeNumbers.has(s.SectorNumber) ? h('span', { class: 'badge ok' }, 'active') : h('span', { class: 'badge' }, 'dead');
  // Sectors onboarded the DDO way list no DealIDs: the market's deal states name their sectors.
  const dealsIn = (sector: Sector) => [...new Set([...(sector.DealIDs ?? []), ...own.filter((d) => d.state && d.state.SectorStartEpoch >= 0 && d.state.SectorNumber === sector.SectorNumber).map((d) => d.id)])];
  return h(
    'div',
    { class: 'miner' },
    h('h1', {}, `Storage provider ${miner}`),
    facts([
      ['Raw power', bytes(power.MinerPower.RawBytePower)],
      ['Quality-adjusted power', `${bytes(power.MinerPower.QualityAdjPower)} of ${bytes(power.TotalPower.QualityAdjPower)} in the network`],
      ['Owner', link(`#/actor/${info.Owner}`, info.Owner)],
      ['Worker', link(`#/actor/${info.Worker}`, info.Worker)],
      ['Peer ID', h('code', { class: 'wrap' }, info.PeerId ?? '—')],
      ['Sector size', bytes(info.SectorSize)],
      ['Sectors', `${count.Live} live, ${count.Active} active, ${count.Faulty} faulty`],
      ['Faults', faulty.length ? `sector${faulty.length === 1 ? '' : 's'} ${faulty.join(', ')}` : 'none'],
      ['Actor', link(`#/actor/${miner}`, 'balance and addresses →')],
    ]),
    h('h2', {}, `Deals (${own.length})`),
    own.length ? dealsTable(own) : h('p', { class: 'muted' }, 'No deals.'),
    h('h2', {}, `Sectors (${(sectors as Sector[]).length})`),
    table(
      ['Sector', 'State', 'Activation', 'Expiration', 'Deals'],
      (sectors as Sector[]).map((s) => [
        String(s.SectorNumber),
        stateOf(s),
        thousands(s.Activation),
        thousands(s.Expiration),
        dealsIn(s).length ? dealsIn(s).map((id, i) => [i ? ', ' : '', link(`#/deal/${id}`, String(id))]) : '—',
      ]),
      'sectors',
    ),
  );
}

const STEP_NAMES: Record<DealStep['type'], string> = {
  DealProposalCreate: 'proposed by its client contract',
  'deal-published': 'published',
  'deal-activated': 'activated',
  'deal-terminated': 'terminated (slashed)',
  'deal-completed': 'completed (settled)',
};

/** The deal's escrow (client and provider) and payments (earned by the epoch, settled) over its epochs. */
async function dealCharts(deal: Deal, head: number): Promise<HTMLElement[]> {
  const epochs = sampleEpochs(deal, head);
  const points = await escrowOverEpochs(deal, epochs);
  const p = deal.proposal;
  const price = BigInt(p?.StoragePricePerEpoch ?? 0);
  const stop = deal.status === 'slashed' ? deal.steps[deal.steps.length - 1]?.epoch ?? head : (p?.EndEpoch ?? head);
  const earned = (epoch: number) => (p ? price * BigInt(Math.max(0, Math.min(epoch, stop, p.EndEpoch) - p.StartEpoch)) : 0n);
  return [
    lineChart('Market escrow', epochs, [
      { label: `client ${deal.client} escrow`, className: 'series-0', values: points.map((pt) => pt.clientEscrow) },
      { label: 'client locked', className: 'series-1', values: points.map((pt) => pt.clientLocked) },
      { label: `provider ${deal.provider} escrow`, className: 'series-2', values: points.map((pt) => pt.providerEscrow) },
    ]),
    lineChart('Payments for this deal', epochs, [
      { label: 'earned (price × epochs stored)', className: 'series-1', values: epochs.map(earned) },
      { label: 'settled (paid to the provider)', className: 'series-2', values: points.map((pt) => pt.settled) },
    ]),
  ];
}

export async function dealView(id: string): Promise<HTMLElement> {
  const head = await headHeight();
  const deal = await findDeal(Number(id), head);
  if (!deal) throw new Error(`the market has never had a deal ${id}`);
  const p = deal.proposal;
  const [client] = await batchResults<{ Escrow: string; Locked: string }>([['Filecoin.StateMarketBalance', [deal.client, null]]]);
  return h(
    'div',
    { class: 'deal' },
    h('h1', {}, `Deal ${id}`),
    facts([
      ['State', h('span', {}, stateBadge(deal), ' ', h('span', { class: 'muted' }, deal.detail))],
      ['Provider', link(`#/miner/${deal.provider}`, deal.provider)],
      ['Client', link(`#/actor/${deal.client}`, deal.client)],
      ['Piece CID', p ? h('code', { class: 'wrap' }, p.PieceCID['/']) : '—'],
      ['Piece size', p ? bytes(p.PieceSize) : '—'],
      ['Verified', p ? (p.VerifiedDeal ? 'yes (DataCap)' : 'no') : '—'],
      ['Label', p?.Label || '—'],
      ['Epochs', p ? `${thousands(p.StartEpoch)} to ${thousands(p.EndEpoch)} (head ${thousands(head)})` : '—'],
      ['Price', p ? `${fil(BigInt(p.StoragePricePerEpoch))} per epoch` : '—'],
      ['Collateral', p ? `provider ${fil(BigInt(p.ProviderCollateral))}, client ${fil(BigInt(p.ClientCollateral))}` : '—'],
      ['Sector', deal.state && deal.state.SectorStartEpoch >= 0 ? `${deal.state.SectorNumber}, activated at ${thousands(deal.state.SectorStartEpoch)}` : deal.state ? (deal.status === 'expired' ? 'never sealed' : 'not yet sealed') : '—'],
      ["Client's escrow", `${fil(BigInt(client!.Escrow))} (${fil(BigInt(client!.Locked))} locked)`],
    ]),
    h('h2', {}, 'Steps'),
    deal.steps.length
      ? table(
          ['Epoch', 'Step', 'Message'],
          deal.steps.map((s) => [link(`#/tipset/${s.epoch}`, thousands(s.epoch)), STEP_NAMES[s.type], link(`#/message/${s.message}`, s.message)]),
          'steps',
        )
      : h('p', { class: 'muted' }, 'No market events name this deal.'),
    h('h2', {}, 'Escrow and payments over epochs'),
    h('div', { class: 'charts' }, await dealCharts(deal, head)),
  );
}
