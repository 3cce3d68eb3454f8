// The front page: the newest tipsets with their messages, a page at a time (never the whole chain),
// refreshed as new heads arrive while the first page is shown.
import { headEpoch, methodNames, receiverKinds, tipsetPage, type MethodNames, type PageRow } from '../chain.js';
import { ago, fil, h, link, num, thousands } from '../dom.js';
import { forkPoint, upstreamBadge, type ForkPoint } from '../fork.js';
import { messagesTable } from './messages.js';

const PAGE_SIZE = 20;

function tipsetRow(row: PageRow, names: MethodNames, kinds: Map<string, string>, fork: ForkPoint | undefined): HTMLElement {
  if ('nullRounds' in row) {
    const [from, to] = row.nullRounds;
    return h('section', { class: 'tipset null' }, h('span', { class: 'muted' }, from === to ? `null round ${from}` : `null rounds ${from}–${to}`));
  }
  const { block, receipts } = row;
  const epoch = num(block.number);
  const messages = block.transactions.map((tx, i) => ({ tx, receipt: receipts[i] }));
  return h(
    'section',
    { class: 'tipset', 'data-epoch': String(epoch) },
    h(
      'header',
      {},
      link(`#/tipset/${epoch}`, h('strong', {}, `Tipset ${thousands(epoch)}`)),
      fork && epoch <= fork.epoch ? upstreamBadge(fork) : null,
      h('span', { class: 'muted' }, ago(num(block.timestamp))),
      h('span', {}, `${messages.length} message${messages.length === 1 ? '' : 's'}`),
      h('span', { class: 'muted' }, `gas ${thousands(num(block.gasUsed))}`),
      h('span', { class: 'muted' }, `base fee ${fil(block.baseFeePerGas)}`),
    ),
    messages.length > 0 && messagesTable(messages, names, kinds),
  );
}

/** `before`: the newest epoch of the page, the head's page when undefined. */
export async function homeView(before: number | undefined): Promise<HTMLElement> {
  const head = await headEpoch();
  const top = Math.min(before ?? head, head);
  const [rows, names, fork] = await Promise.all([tipsetPage(top, PAGE_SIZE), methodNames(), forkPoint()]);
  const kinds = await receiverKinds(rows);
  const bottom = top - PAGE_SIZE + 1;
  const pager = h(
    'nav',
    { class: 'pager' },
    top < head ? link(top + PAGE_SIZE >= head ? '#/' : `#/?before=${top + PAGE_SIZE}`, '← Newer') : h('span', {}),
    h('span', { class: 'muted' }, `epochs ${thousands(Math.max(bottom, 0))}–${thousands(top)} of ${thousands(head)}`),
    bottom > 0 ? link(`#/?before=${bottom - 1}`, 'Older →') : h('span', {}),
  );
  return h('div', { class: 'home' }, h('h1', {}, before === undefined ? 'Latest tipsets' : 'Tipsets'), pager, rows.map((row) => tipsetRow(row, names, kinds, fork)), pager.cloneNode(true));
}
