// One message: both address forms, the method by name, params, return, events, and why it failed.
import { ExitCode, formatExitCode } from '../../fevm/exit-code.js';
import { methodNames, nativeMethod, type EthReceipt, type EthTx } from '../chain.js';
import { facts, fil, h, link, num, table, thousands } from '../dom.js';
import { batch, call } from '../rpc.js';
import { addressLink, statusBadge } from './messages.js';

interface LotusMessage {
  From: string;
  To: string;
  Method: number;
  Nonce: number;
  GasLimit: number;
  Params: string | null;
}

/** debug_traceTransaction's callTracer frame, the fields shown here. */
interface CallFrame {
  output?: string;
  error?: string;
  revertReason?: string;
  filecoin?: { actor?: string; method: number; exitCode: number };
}

/** `Name(n)` as Lotus prints exit codes, the EVM actor's codes named too. */
function exitCodeText(code: number): string {
  const evm = Object.entries(ExitCode).find(([name, value]) => value === code && name.startsWith('Evm'));
  return evm ? `${evm[0]}(${code})` : formatExitCode(code);
}

const base64ToHex = (text: string | null): string =>
  text ? '0x' + Array.from(atob(text), (c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('') : '0x';

/** The Ethereum transaction hash of a message named by its hash or its CID. */
async function transactionHash(id: string): Promise<string> {
  if (id.startsWith('0x')) return id;
  const hash = await call<string | null>('Filecoin.EthGetTransactionHashByCid', [{ '/': id }]);
  if (!hash) throw new Error(`no message ${id} on this chain`);
  return hash;
}

/** The receipt's exit code: Lotus keeps a tipset's receipts in its child, so the head's wait for one. */
async function exitCode(tx: EthTx): Promise<number | undefined> {
  const epoch = num(tx.blockNumber!);
  const head = (await call<{ Height: number }>('Filecoin.ChainHead')).Height;
  if (epoch >= head) return undefined;
  const child = await call<{ Cids: { '/': string }[] }>('Filecoin.ChainGetTipSetAfterHeight', [epoch + 1, null]);
  const receipts = await call<{ ExitCode: number }[]>('Filecoin.ChainGetParentReceipts', [child.Cids[0]]);
  return receipts[num(tx.transactionIndex!)]?.ExitCode;
}

export async function messageView(id: string): Promise<HTMLElement> {
  const hash = await transactionHash(id);
  const [txAnswer, receiptAnswer, cidAnswer] = await batch([
    ['eth_getTransactionByHash', [hash]],
    ['eth_getTransactionReceipt', [hash]],
    ['Filecoin.EthGetMessageCidByTransactionHash', [hash]],
  ]);
  const tx = txAnswer!.result as EthTx | null;
  if (!tx) throw new Error(`no message ${id} on this chain`);
  const receipt = (receiptAnswer!.result ?? undefined) as EthReceipt | undefined;
  const cid = (cidAnswer!.result as { '/': string } | null)?.['/'];
  const [messageAnswer, traceAnswer, fromAnswer, toAnswer] = await batch([
    ['Filecoin.ChainGetMessage', [{ '/': cid }]],
    ['debug_traceTransaction', [hash, { tracer: 'callTracer', tracerConfig: { onlyTopCall: true } }]],
    ['Filecoin.EthAddressToFilecoinAddress', [tx.from]],
    ['Filecoin.EthAddressToFilecoinAddress', [tx.to ?? receipt?.contractAddress ?? '0x']],
  ]);
  const message = messageAnswer!.result as LotusMessage | undefined;
  const trace = (traceAnswer!.result ?? {}) as CallFrame;
  const names = await methodNames();
  const code = tx.blockNumber ? await exitCode(tx) : undefined;

  const kind = nativeMethod(tx.input) === undefined ? (tx.to ? 'evm' : 'eam') : trace.filecoin?.actor;
  const methodNumber = message?.Method;
  const methodName = methodNumber === undefined ? undefined : (kind && names[kind]?.[methodNumber]) ?? `method ${methodNumber}`;
  const failed = receipt?.status === '0x0';
  const reason = trace.revertReason ?? trace.error;

  return h(
    'div',
    { class: 'message' },
    h('h1', {}, 'Message'),
    facts([
      ['Status', h('span', {}, statusBadge(receipt), ' ', code === undefined ? h('span', { class: 'muted' }, 'exit code: in the next tipset\'s receipts') : `exit code ${exitCodeText(code)}`)],
      ...(failed ? ([['Revert reason', h('strong', { class: 'reason' }, reason ?? 'none')]] as [string, HTMLElement][]) : []),
      ['Hash', h('code', { class: 'wrap' }, tx.hash)],
      ['CID', h('code', { class: 'wrap' }, cid ?? '—')],
      ['Tipset', tx.blockNumber ? link(`#/tipset/${num(tx.blockNumber)}`, thousands(num(tx.blockNumber))) : 'pending'],
      ['From', h('div', {}, addressLink(tx.from), ' ', h('code', {}, fromAnswer!.result ?? message?.From ?? ''))],
      ['To', h('div', {}, tx.to ? addressLink(tx.to) : receipt?.contractAddress ? ['new contract ', addressLink(receipt.contractAddress)] : '—', ' ', h('code', {}, message?.To ?? toAnswer!.result ?? ''))],
      ['Method', h('span', {}, h('strong', {}, methodName ?? '—'), methodNumber !== undefined ? ` (${methodNumber}${kind ? `, ${kind} actor` : ''})` : '', kind === 'evm' && tx.input.length >= 10 ? [' selector ', h('code', {}, tx.input.slice(0, 10))] : '')],
      ['Value', fil(tx.value)],
      ['Nonce', String(num(tx.nonce))],
      ['Gas', `${receipt ? thousands(num(receipt.gasUsed)) : '—'} used of ${thousands(num(tx.gas))}`],
      kind === 'evm' || kind === 'eam' ? ['Input', h('code', { class: 'wrap data' }, tx.input)] : ['Params (CBOR)', h('code', { class: 'wrap data' }, message ? base64ToHex(message.Params) : '—')],
      ['Return', h('code', { class: 'wrap data' }, trace.output ?? '0x')],
    ]),
    h('h2', {}, `Events (${receipt?.logs.length ?? 0})`),
    receipt && receipt.logs.length > 0
      ? table(
          ['#', 'Emitter', 'Topics', 'Data'],
          receipt.logs.map((log) => [String(num(log.logIndex)), addressLink(log.address), h('div', {}, log.topics.map((t) => h('code', { class: 'wrap' }, t))), h('code', { class: 'wrap data' }, log.data)]),
          'events',
        )
      : h('p', { class: 'muted' }, 'No events.'),
  );
}
