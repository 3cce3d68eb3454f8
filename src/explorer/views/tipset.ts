// One tipset: its key, header fields, and its messages.
import { methodNames, receiverKinds, tipsetPage } from '../chain.js';
import { ago, facts, h, link, num, thousands } from '../dom.js';
import { forkPoint, upstreamBadge } from '../fork.js';
import { call } from '../rpc.js';
import { addressLink, messagesTable } from './messages.js';

interface LotusTipset {
  Cids: { '/': string }[];
  Height: number;
  Blocks: { Miner: string }[];
}

export async function tipsetView(epoch: number): Promise<HTMLElement> {
  const fork = await forkPoint();
  // A fork passes the upstream's blocks through its eth_ methods, but has no Filecoin tipsets before
  // the fork epoch: those show what eth_getBlockByNumber gives.
  const upstream = fork !== undefined && epoch < fork.epoch;
  const tipset = upstream ? undefined : await call<LotusTipset>('Filecoin.ChainGetTipSetByHeight', [epoch, null]);
  if (tipset && tipset.Height !== epoch) {
    return h('div', {}, h('h1', {}, `Epoch ${thousands(epoch)}`), h('p', {}, 'A null round: no tipset was mined at this epoch. The tipset before it is ', link(`#/tipset/${tipset.Height}`, thousands(tipset.Height)), '.'));
  }
  const [[row], names, head] = await Promise.all([tipsetPage(epoch, 1), methodNames(), call<{ Height: number }>('Filecoin.ChainHead')]);
  if (!row || !('block' in row)) throw new Error(`no tipset at epoch ${epoch}`);
  const { block, receipts } = row;
  const kinds = await receiverKinds([row]);
  const timestamp = num(block.timestamp);
  const miner = tipset?.Blocks[0]!.Miner;
  return h(
    'div',
    {},
    h('h1', {}, `Tipset ${thousands(epoch)}`),
    h(
      'nav',
      { class: 'pager' },
      epoch > 0 ? link(`#/tipset/${epoch - 1}`, '← Parent') : h('span', {}),
      epoch < head.Height ? link(`#/tipset/${epoch + 1}`, 'Child →') : h('span', { class: 'muted' }, 'the head'),
    ),
    facts([
      ['Epoch', h('span', {}, thousands(epoch), fork && epoch <= fork.epoch ? [' ', upstreamBadge(fork)] : null)],
      ['Tipset key', tipset ? h('div', {}, tipset.Cids.map((cid) => h('code', { class: 'wrap' }, cid['/']))) : '— (the upstream\'s)'],
      ['Block hash', h('code', { class: 'wrap' }, block.hash)],
      ['Time', `${new Date(timestamp * 1000).toISOString().replace('.000Z', 'Z')} (${ago(timestamp)})`],
      ['Miner', miner ? link(`#/actor/${miner}`, miner) : addressLink(block.miner)],
      ['Base fee', `${BigInt(block.baseFeePerGas)} attoFIL/gas`],
      ['Gas used', `${thousands(num(block.gasUsed))} of ${thousands(num(block.gasLimit))}`],
    ]),
    h('h2', {}, `${block.transactions.length} message${block.transactions.length === 1 ? '' : 's'}`),
    block.transactions.length > 0 ? messagesTable(block.transactions.map((tx, i) => ({ tx, receipt: receipts[i] })), names, kinds) : h('p', { class: 'muted' }, 'No messages.'),
  );
}
