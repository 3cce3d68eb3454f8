// One tipset: its key, header fields, and its messages.
import { methodNames, receiverKinds, tipsetPage } from '../chain.js';
import { ago, facts, h, link, num, thousands } from '../dom.js';
import { call } from '../rpc.js';
import { messagesTable } from './messages.js';

interface LotusTipset {
  Cids: { '/': string }[];
  Height: number;
  Blocks: { Miner: string; Timestamp: number; ParentBaseFee: string }[];
}

export async function tipsetView(epoch: number): Promise<HTMLElement> {
  const tipset = await call<LotusTipset>('Filecoin.ChainGetTipSetByHeight', [epoch, null]);
  if (tipset.Height !== epoch) {
    return h('div', {}, h('h1', {}, `Epoch ${thousands(epoch)}`), h('p', {}, 'A null round: no tipset was mined at this epoch. The tipset before it is ', link(`#/tipset/${tipset.Height}`, thousands(tipset.Height)), '.'));
  }
  const [[row], names, head] = await Promise.all([tipsetPage(epoch, 1), methodNames(), call<{ Height: number }>('Filecoin.ChainHead')]);
  if (!row || !('block' in row)) throw new Error(`no tipset at epoch ${epoch}`);
  const { block, receipts } = row;
  const kinds = await receiverKinds([row]);
  const header = tipset.Blocks[0]!;
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
      ['Epoch', thousands(epoch)],
      ['Tipset key', h('div', {}, tipset.Cids.map((cid) => h('code', { class: 'wrap' }, cid['/'])))],
      ['Block hash', h('code', { class: 'wrap' }, block.hash)],
      ['Time', `${new Date(header.Timestamp * 1000).toISOString().replace('.000Z', 'Z')} (${ago(header.Timestamp)})`],
      ['Miner', link(`#/actor/${header.Miner}`, header.Miner)],
      ['Base fee', `${BigInt(block.baseFeePerGas)} attoFIL/gas`],
      ['Gas used', `${thousands(num(block.gasUsed))} of ${thousands(num(block.gasLimit))}`],
    ]),
    h('h2', {}, `${block.transactions.length} message${block.transactions.length === 1 ? '' : 's'}`),
    block.transactions.length > 0 ? messagesTable(block.transactions.map((tx, i) => ({ tx, receipt: receipts[i] })), names, kinds) : h('p', { class: 'muted' }, 'No messages.'),
  );
}
