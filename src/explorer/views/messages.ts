// The messages of tipsets as a table: status, hash, method, from -> to, value, gas used.
import { maskedId, methodLabel, type EthReceipt, type EthTx, type MethodNames } from '../chain.js';
import { fil, h, link, num, short, table, thousands } from '../dom.js';

/** A link to an actor's page: masked IDs (builtin actors, miners) as t0 addresses, others shortened. */
export function addressLink(address: string | null) {
  if (!address) return '—';
  const id = maskedId(address);
  return id === undefined ? link(`#/actor/${address}`, short(address)) : link(`#/actor/t0${id}`, `t0${id}`);
}

/** ok, failed (the receipt's status), or pending without a receipt. */
export function statusBadge(receipt: EthReceipt | undefined) {
  if (!receipt) return h('span', { class: 'badge' }, 'pending');
  return receipt.status === '0x1' ? h('span', { class: 'badge ok' }, 'ok') : h('span', { class: 'badge fail' }, 'failed');
}

export function messagesTable(messages: { tx: EthTx; receipt: EthReceipt | undefined }[], names: MethodNames, kinds: Map<string, string>): HTMLElement {
  return table(
    ['Status', 'Message', 'Method', 'From', 'To', 'Value', 'Gas used'],
    messages.map(({ tx, receipt }) => [
      statusBadge(receipt),
      link(`#/message/${tx.hash}`, short(tx.hash)),
      h('code', {}, methodLabel(tx, names, kinds)),
      addressLink(tx.from),
      tx.to ? addressLink(tx.to) : receipt?.contractAddress ? ['new ', addressLink(receipt.contractAddress)] : '—',
      fil(tx.value),
      receipt ? thousands(num(receipt.gasUsed)) : '—',
    ]),
    'messages',
  );
}
