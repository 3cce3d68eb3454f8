// One message: both address forms, the method by name, params and return decoded (builtin actors'
// by Lotus's StateDecodeParams and StateWaitMsg's ReturnDec, contracts' by known ABIs), its events (builtin actors' and
// contracts', from the receipt's EventsRoot), and why it failed.
import { describeExitCode } from '../../fevm/exit-code.js';
import { decodeCall, decodeLog, decodeReturn, decodeRevert, revertText, type Decoded } from '../abi.js';
import { methodNames, nativeMethod, type EthReceipt, type EthTx } from '../chain.js';
import { facts, fil, h, link, num, thousands } from '../dom.js';
import { base64Bytes, cborValue, entryValue, fieldList, hex, valueView, type EventEntry } from '../values.js';
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

/** The receipt of a mined message, as Lotus's MsgLookup carries it. */
interface LotusReceipt {
  ExitCode: number;
  Return: string | null;
  GasUsed: number;
  EventsRoot: { '/': string } | null;
}

/** The Ethereum transaction hash of a message named by its hash or its CID. */
async function transactionHash(id: string): Promise<string> {
  if (id.startsWith('0x')) return id;
  const hash = await call<string | null>('Filecoin.EthGetTransactionHashByCid', [{ '/': id }]);
  if (!hash) throw new Error(`no message ${id} on this chain`);
  return hash;
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
  const [messageAnswer, traceAnswer, fromAnswer, toAnswer, lookupAnswer] = await batch([
    ['Filecoin.ChainGetMessage', [{ '/': cid }]],
    ['debug_traceTransaction', [hash, { tracer: 'callTracer', tracerConfig: { onlyTopCall: true } }]],
    ['Filecoin.EthAddressToFilecoinAddress', [tx.from]],
    ['Filecoin.EthAddressToFilecoinAddress', [tx.to ?? receipt?.contractAddress ?? '0x']],
    // A mined message's return decoded: StateWaitMsg fills ReturnDec (StateSearchMsg, as Lotus's, does not); a pending one has none.
    receipt ? ['Filecoin.StateWaitMsg', [{ '/': cid }, 0, -1, true]] : ['Filecoin.StateSearchMsg', [null, { '/': cid }, -1, true]],
  ]);
  const message = messageAnswer!.result as LotusMessage | undefined;
  const trace = (traceAnswer!.result ?? {}) as CallFrame;
  const lookup = lookupAnswer!.result as { Receipt: LotusReceipt; ReturnDec: unknown } | null;
  const lotusReceipt = lookup?.Receipt;
  const native = nativeMethod(tx.input) !== undefined;
  const kind = !native ? (tx.to ? 'evm' : 'eam') : trace.filecoin?.actor;
  const [names, params, events] = await Promise.all([
    methodNames(),
    native && message?.Params ? call('Filecoin.StateDecodeParams', [message.To, message.Method, message.Params, null]).catch((err: Error) => err) : undefined,
    lotusReceipt?.EventsRoot ? call<ActorEvent[]>('Filecoin.ChainGetEvents', [lotusReceipt.EventsRoot]) : [],
  ]);

  const methodNumber = message?.Method;
  const methodName = methodNumber === undefined ? undefined : (kind && names[kind]?.[methodNumber]) ?? `method ${methodNumber}`;
  const code = lotusReceipt?.ExitCode;
  const failed = receipt?.status === '0x0';
  const output = trace.output ?? '0x';
  const revert = failed ? decodeRevert(output) : undefined;
  const reason = revert ? revertText(revert) : (trace.revertReason ?? trace.error);
  const evmCall = !native && tx.to ? decodeCall(tx.input) : undefined;

  return h(
    'div',
    { class: 'message' },
    h('h1', {}, 'Message'),
    facts([
      ['Status', h('span', {}, statusBadge(receipt), ' ', code !== undefined ? `exit code ${describeExitCode(code)}` : h('span', { class: 'muted' }, receipt ? 'exit code: the node has no Filecoin receipt for it (an upstream message on a fork)' : 'pending'))],
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
    ]),
    h('h2', {}, 'Params'),
    native ? nativeParams(message, params) : evmParams(tx, evmCall),
    h('h2', {}, 'Return'),
    native ? nativeReturn(lotusReceipt, lookup?.ReturnDec) : evmReturn(tx, output, failed, revert),
    h('h2', {}, `Events (${events.length})`),
    events.length > 0 ? h('div', { class: 'events' }, events.map(eventView)) : h('p', { class: 'muted' }, 'No events.'),
  );
}

/** A builtin method's params as Lotus decodes them (Filecoin.StateDecodeParams), and the CBOR. */
function nativeParams(message: LotusMessage | undefined, decoded: unknown): HTMLElement {
  const raw = hex(base64Bytes(message?.Params));
  if (!message?.Params) return h('p', { class: 'muted' }, 'None.');
  return h(
    'div',
    { class: 'params' },
    decoded instanceof Error ? h('p', { class: 'muted' }, `Not decoded: ${decoded.message}`) : valueView(decoded),
    h('p', { class: 'raw' }, 'CBOR ', h('code', { class: 'wrap data' }, raw)),
  );
}

/** A contract call's input, by a known signature or as words after the selector. */
function evmParams(tx: EthTx, decoded: Decoded | undefined): HTMLElement {
  return h(
    'div',
    { class: 'params' },
    decoded ? [h('p', {}, h('code', { class: 'signature' }, decoded.signature)), decoded.args.length ? fieldList(decoded.args.map(([n, v]) => [n, h('code', { class: 'wrap' }, v)])) : null] : null,
    h('p', { class: 'raw' }, tx.to ? 'Input ' : 'Init code ', h('code', { class: 'wrap data' }, tx.input)),
  );
}

/** A builtin method's return: as the node decodes it (MsgLookup.ReturnDec, with Lotus's field names), else its CBOR as it is. */
function nativeReturn(receipt: LotusReceipt | undefined, decoded: unknown): HTMLElement {
  const bytes = base64Bytes(receipt?.Return);
  if (bytes.length === 0) return h('p', { class: 'muted' }, 'None.');
  return h('div', { class: 'return' }, valueView(decoded ?? cborValue(bytes) ?? bytes), h('p', { class: 'raw' }, 'CBOR ', h('code', { class: 'wrap data' }, hex(bytes))));
}

/** A contract call's output: the revert decoded, or what a known function returned. */
function evmReturn(tx: EthTx, output: string, failed: boolean, revert: Decoded | undefined): HTMLElement {
  const decoded = failed ? revert : decodeReturn(tx.input, output);
  return h(
    'div',
    { class: 'return' },
    decoded ? [h('p', {}, failed ? 'Reverted with ' : '', h('code', { class: 'signature' }, decoded.signature)), decoded.args.length ? fieldList(decoded.args.map(([n, v]) => [n, h('code', { class: 'wrap' }, v)])) : null] : null,
    output === '0x' ? h('p', { class: 'muted' }, 'No data.') : h('p', { class: 'raw' }, failed ? 'Revert data ' : 'Output ', h('code', { class: 'wrap data' }, output)),
  );
}

/** An event of Filecoin.ChainGetEvents: a builtin actor's ($type and fields) or a contract's log (topics t1–t4, data d). */
interface ActorEvent {
  Emitter: number;
  Entries: EventEntry[];
}

function eventView(event: ActorEvent, index: number): HTMLElement {
  const entry = (key: string) => event.Entries.find((e) => e.Key === key);
  const type = entry('$type');
  const emitter = link(`#/actor/t0${event.Emitter}`, `t0${event.Emitter}`);
  if (type) {
    return h(
      'section',
      { class: 'event builtin' },
      h('header', {}, h('span', { class: 'muted' }, `#${index}`), ' ', h('strong', {}, String(entryValue(type))), ' from ', emitter),
      fieldList(event.Entries.filter((e) => e !== type).map((e) => [e.Key, valueView(entryValue(e))])),
    );
  }
  const topics = ['t1', 't2', 't3', 't4'].flatMap((key) => (entry(key) ? [hex(base64Bytes(entry(key)!.Value))] : []));
  const data = hex(base64Bytes(entry('d')?.Value));
  const decoded = decodeLog(topics, data);
  return h(
    'section',
    { class: 'event log' },
    h('header', {}, h('span', { class: 'muted' }, `#${index}`), ' ', h('strong', {}, decoded?.signature ?? 'log'), ' from ', emitter),
    decoded
      ? fieldList(decoded.args.map(([n, v]) => [n, h('code', { class: 'wrap' }, v)]))
      : fieldList([...topics.map((t, i): [string, HTMLElement] => [`topic ${i}`, h('code', { class: 'wrap' }, t)]), ['data', h('code', { class: 'wrap data' }, data)]]),
  );
}
