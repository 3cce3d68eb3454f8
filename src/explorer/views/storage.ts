// Storage providers and deals, as the market (f05) and the miners hold them: the list of
// providers with their power and sectors, one provider with its sectors and deals, the deals,
// and one deal with its state, parties, piece and payments.
import { facts, fil, h, link, table, thousands } from '../dom.js';
import { batchResults, call } from '../rpc.js';

interface MarketDeal {
  Proposal: {
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
  };
  State: { SectorNumber: number; SectorStartEpoch: number; LastUpdatedEpoch: number; SlashEpoch: number };
}

interface Power {
  RawBytePower: string;
  QualityAdjPower: string;
}

/** Where a deal is, as Lotus's deal states are read: -1 is "not yet". */
function dealState(deal: MarketDeal, head: number): 'published' | 'active' | 'slashed' | 'expired' {
  if (deal.State.SlashEpoch >= 0) return 'slashed';
  if (deal.Proposal.EndEpoch <= head) return 'expired';
  if (deal.State.SectorStartEpoch >= 0) return 'active';
  return 'published';
}

const stateBadge = (state: string) => h('span', { class: `badge deal-${state}` }, state);
const bytes = (n: number | string) => {
  const value = Number(n);
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  const i = value > 0 ? Math.min(units.length - 1, Math.floor(Math.log2(value) / 10)) : 0;
  return `${+(value / 2 ** (10 * i)).toFixed(2)} ${units[i]}`;
};
const headHeight = async () => (await call<{ Height: number }>('Filecoin.ChainHead')).Height;

function dealsTable(deals: [string, MarketDeal][], head: number): HTMLElement {
  return table(
    ['Deal', 'State', 'Client', 'Provider', 'Piece', 'Size', 'Price / epoch', 'Epochs'],
    deals.map(([id, deal]) => [
      link(`#/deal/${id}`, id),
      stateBadge(dealState(deal, head)),
      link(`#/actor/${deal.Proposal.Client}`, deal.Proposal.Client),
      link(`#/miner/${deal.Proposal.Provider}`, deal.Proposal.Provider),
      h('code', { class: 'wrap' }, deal.Proposal.PieceCID['/']),
      bytes(deal.Proposal.PieceSize),
      fil(BigInt(deal.Proposal.StoragePricePerEpoch)),
      `${thousands(deal.Proposal.StartEpoch)}–${thousands(deal.Proposal.EndEpoch)}`,
    ]),
    'deals',
  );
}

/** The market's deals, newest first. */
async function marketDeals(): Promise<[string, MarketDeal][]> {
  const deals = await call<Record<string, MarketDeal>>('Filecoin.StateMarketDeals', [null]);
  return Object.entries(deals).sort(([a], [b]) => Number(b) - Number(a));
}

export async function dealsView(): Promise<HTMLElement> {
  const [deals, head] = await Promise.all([marketDeals(), headHeight()]);
  return h('div', {}, h('h1', {}, `Deals (${deals.length})`), deals.length ? dealsTable(deals, head) : h('p', { class: 'muted' }, 'No deals in the market yet.'));
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
  const deals = await marketDeals();
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
          String(deals.filter(([, d]) => d.Proposal.Provider === miner).length),
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
  const [power, info, count, faults, sectors] = await batchResults<any>([
    ['Filecoin.StateMinerPower', [miner, null]],
    ['Filecoin.StateMinerInfo', [miner, null]],
    ['Filecoin.StateMinerSectorCount', [miner, null]],
    ['Filecoin.StateMinerFaults', [miner, null]],
    ['Filecoin.StateMinerSectors', [miner, null, null]],
  ]);
  const [deals, head] = await Promise.all([marketDeals(), headHeight()]);
  const own = deals.filter(([, d]) => d.Proposal.Provider === miner);
  const faulty = new Set<number>(expandBitfield(faults as number[]));
  // Sectors onboarded the DDO way list no DealIDs: the market's deal states name their sectors.
  const dealsIn = (sector: Sector) => [...new Set([...(sector.DealIDs ?? []), ...own.filter(([, d]) => d.State.SectorStartEpoch >= 0 && d.State.SectorNumber === sector.SectorNumber).map(([id]) => Number(id))])];
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
      ['Actor', link(`#/actor/${miner}`, 'balance and addresses →')],
    ]),
    h('h2', {}, `Deals (${own.length})`),
    own.length ? dealsTable(own, head) : h('p', { class: 'muted' }, 'No deals.'),
    h('h2', {}, `Sectors (${(sectors as Sector[]).length})`),
    table(
      ['Sector', 'State', 'Activation', 'Expiration', 'Deals'],
      (sectors as Sector[]).map((s) => [
        String(s.SectorNumber),
        faulty.has(s.SectorNumber) ? h('span', { class: 'badge fail' }, 'faulty') : h('span', { class: 'badge ok' }, 'active'),
        thousands(s.Activation),
        thousands(s.Expiration),
        dealsIn(s).length ? dealsIn(s).map((id, i) => [i ? ', ' : '', link(`#/deal/${id}`, String(id))]) : '—',
      ]),
      'sectors',
    ),
  );
}

/** A Lotus bitfield in JSON (run lengths, starting with a run of unset bits) as the set bits. */
function expandBitfield(runs: number[]): number[] {
  const set: number[] = [];
  let position = 0;
  runs.forEach((length, i) => {
    if (i % 2 === 1) for (let k = 0; k < length; k++) set.push(position + k);
    position += length;
  });
  return set;
}

/** Payments over the deal's epochs: what the client has paid by each epoch, and where the head is. */
function paymentsChart(deal: MarketDeal, head: number): SVGSVGElement {
  const { StartEpoch: start, EndEpoch: end } = deal.Proposal;
  const total = BigInt(deal.Proposal.StoragePricePerEpoch) * BigInt(end - start);
  const width = 320;
  const height = 100;
  const x = (epoch: number) => ((epoch - start) / Math.max(1, end - start)) * width;
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', `-4 -4 ${width + 8} ${height + 24}`);
  svg.setAttribute('class', 'chart');
  const now = Math.min(Math.max(head, start), end);
  svg.innerHTML = `
    <line x1="0" y1="${height}" x2="${width}" y2="${height}" class="axis"/>
    <line x1="0" y1="${height}" x2="${width}" y2="0" class="planned"/>
    <line x1="0" y1="${height}" x2="${x(now)}" y2="${height - (x(now) / width) * height}" class="paid"/>
    <line x1="${x(now)}" y1="0" x2="${x(now)}" y2="${height}" class="head"/>
    <text x="0" y="${height + 16}">${start}</text>
    <text x="${width}" y="${height + 16}" text-anchor="end">${end}</text>
    <text x="4" y="12">${fil(total)} over the deal</text>`;
  return svg;
}

export async function dealView(id: string): Promise<HTMLElement> {
  const [deal, head] = await Promise.all([call<MarketDeal>('Filecoin.StateMarketStorageDeal', [Number(id), null]), headHeight()]);
  const p = deal.Proposal;
  const [client] = await batchResults<{ Escrow: string; Locked: string }>([['Filecoin.StateMarketBalance', [p.Client, null]]]);
  const state = dealState(deal, head);
  const elapsed = Math.max(0, Math.min(head, p.EndEpoch) - p.StartEpoch);
  return h(
    'div',
    { class: 'deal' },
    h('h1', {}, `Deal ${id}`),
    facts([
      ['State', stateBadge(state)],
      ['Provider', link(`#/miner/${p.Provider}`, p.Provider)],
      ['Client', link(`#/actor/${p.Client}`, p.Client)],
      ['Piece CID', h('code', { class: 'wrap' }, p.PieceCID['/'])],
      ['Piece size', bytes(p.PieceSize)],
      ['Verified', p.VerifiedDeal ? 'yes (DataCap)' : 'no'],
      ['Label', p.Label || '—'],
      ['Epochs', `${thousands(p.StartEpoch)} to ${thousands(p.EndEpoch)} (head ${thousands(head)})`],
      ['Price', `${fil(BigInt(p.StoragePricePerEpoch))} per epoch`],
      ['Collateral', `provider ${fil(BigInt(p.ProviderCollateral))}, client ${fil(BigInt(p.ClientCollateral))}`],
      ['Sector', deal.State.SectorStartEpoch >= 0 ? `${deal.State.SectorNumber}, activated at ${thousands(deal.State.SectorStartEpoch)}` : 'not yet sealed'],
      ['Slashed', deal.State.SlashEpoch >= 0 ? `at epoch ${thousands(deal.State.SlashEpoch)}` : 'no'],
      ["Client's escrow", `${fil(BigInt(client!.Escrow))} (${fil(BigInt(client!.Locked))} locked)`],
      ['Earned so far', `${fil(BigInt(p.StoragePricePerEpoch) * BigInt(elapsed))} (${thousands(elapsed)} epochs; paid when SettleDealPayments runs)`],
    ]),
    h('h2', {}, 'Payments over the deal'),
    paymentsChart(deal, head),
  );
}
