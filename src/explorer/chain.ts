// What the views read from the node, in as few requests as it takes: pages of tipsets (eth blocks
// with their transactions, which include native messages as Lotus shows them), receipts, and the
// names of builtin actors' methods.
import { knownFunction } from './abi.js';
import { batch, call } from './rpc.js';

/** eth_getBlockByNumber's answer, the fields the explorer reads. */
export interface EthBlock {
  number: string;
  hash: string;
  parentHash: string;
  timestamp: string;
  gasUsed: string;
  gasLimit: string;
  baseFeePerGas: string;
  miner: string;
  transactions: EthTx[];
}

export interface EthTx {
  hash: string;
  from: string;
  to: string | null;
  value: string;
  input: string;
  nonce: string;
  gas: string;
  blockNumber: string | null;
  transactionIndex: string | null;
}

export interface EthReceipt {
  status: string;
  gasUsed: string;
  effectiveGasPrice: string;
  contractAddress: string | null;
  logs: { address: string; topics: string[]; data: string; logIndex: string }[];
}

/** A tipset of a page, or a run of null rounds (epochs without one). */
export type PageRow = { block: EthBlock; receipts: (EthReceipt | undefined)[] } | { nullRounds: [from: number, to: number] };

/** Lotus's api.ErrNullRound. */
const NULL_ROUND = 12;

/**
 * The tipsets at epochs `top` down to `top - count + 1`, newest first, with their messages'
 * receipts: two batched requests whatever the chain's length. Null rounds collapse into one row.
 */
export async function tipsetPage(top: number, count: number): Promise<PageRow[]> {
  const epochs = Array.from({ length: Math.min(count, top + 1) }, (_, i) => top - i);
  const blocks = await batch<EthBlock>(epochs.map((e) => ['eth_getBlockByNumber', ['0x' + e.toString(16), true]]));
  const txs = blocks.flatMap((b) => b.result?.transactions ?? []);
  const receipts = await batch<EthReceipt>(txs.map((tx) => ['eth_getTransactionReceipt', [tx.hash]]));
  const receiptOf = new Map(txs.map((tx, i) => [tx.hash, receipts[i]?.result]));
  const rows: PageRow[] = [];
  blocks.forEach((answer, i) => {
    const epoch = epochs[i]!;
    if (answer.result) {
      rows.push({ block: answer.result, receipts: answer.result.transactions.map((tx) => receiptOf.get(tx.hash)) });
      return;
    }
    if (answer.error?.code !== NULL_ROUND) throw new Error(`epoch ${epoch}: ${answer.error?.message}`);
    const last = rows[rows.length - 1];
    if (last && 'nullRounds' in last) last.nullRounds[0] = epoch;
    else rows.push({ nullRounds: [epoch, epoch] });
  });
  return rows;
}

/** The kinds of the receivers of a page's native messages (see actorKinds). */
export function receiverKinds(rows: PageRow[]): Promise<Map<string, string>> {
  return actorKinds(rows.flatMap((row) => ('block' in row ? row.block.transactions.flatMap((tx) => (tx.to ? [tx.to] : [])) : [])));
}

/** Method names by actor kind and number, served beside the page (/explorer/methods.json). */
export type MethodNames = Record<string, Record<string, string>>;
let names: Promise<MethodNames> | undefined;
export function methodNames(): Promise<MethodNames> {
  names ??= fetch('/explorer/methods.json').then((res) => res.json() as Promise<MethodNames>);
  return names;
}

/** handle_filecoin_method(uint64,uint64,bytes): how a native message shows as Ethereum input. */
const HANDLE_FILECOIN_METHOD = '0x868e10c4';
const FIRST_EXPORTED_METHOD = 1 << 24;

/** The Filecoin method number of a native message's Ethereum view, or undefined for an EVM call. */
export function nativeMethod(input: string): number | undefined {
  return input.startsWith(HANDLE_FILECOIN_METHOD) ? Number(BigInt('0x' + input.slice(10, 74))) : undefined;
}

/** The ID of a masked-ID 0x address (0xff, eleven zero bytes, the ID as 8 bytes), as builtin actors and miners show. */
export function maskedId(address: string): number | undefined {
  return /^0xff0{22}[0-9a-f]{16}$/i.test(address) ? Number(BigInt('0x' + address.slice(26))) : undefined;
}

const kinds = new Map<string, Promise<string | undefined>>();

/** The actor kinds of masked-ID addresses (the receivers of native messages), one batch for all, kept. */
async function actorKinds(addresses: string[]): Promise<Map<string, string>> {
  const missing = [...new Set(addresses)].filter((a) => maskedId(a) !== undefined && !kinds.has(a));
  if (missing.length > 0) {
    const answers = batch<{ Code: { '/': string } }>(missing.map((a) => ['Filecoin.StateGetActor', [`t0${maskedId(a)}`, null]]));
    missing.forEach((a, i) => kinds.set(a, answers.then((all) => (all[i]?.result ? actorKind(all[i]!.result!.Code['/']) : undefined))));
  }
  const known = new Map<string, string>();
  for (const address of addresses) {
    const kind = await kinds.get(address);
    if (kind) known.set(address, kind);
  }
  return known;
}

let codeKinds: Promise<Map<string, string>> | undefined;

/**
 * The actor kind a code CID names, by the node's code CIDs for its network version (StateActorCodeCIDs):
 * a fresh devnet's own, a fork's its upstream's (calibnet's Wasm bundle CIDs). Read once (again after a failure).
 */
export async function actorKind(code: string): Promise<string> {
  if (!codeKinds) {
    codeKinds = (async () => {
      const version = await call<number>('Filecoin.StateNetworkVersion', [null]);
      const codes = await call<Record<string, { '/': string }>>('Filecoin.StateActorCodeCIDs', [version]);
      return new Map(Object.entries(codes).map(([kind, cid]) => [cid['/'], kind]));
    })();
    // A failed read is asked again next time, not kept for the page's life.
    codeKinds.catch(() => (codeKinds = undefined));
  }
  return (await codeKinds).get(code) ?? code;
}

/**
 * What a message does: a transfer, a contract creation, a known function or its 4-byte selector, or a native method,
 * named by the receiver's kind (`kinds`, from actorKinds) or by an FRC-42 number, which is unique.
 */
export function methodLabel(tx: EthTx, known: MethodNames, kinds: Map<string, string> = new Map()): string {
  const native = nativeMethod(tx.input);
  if (native !== undefined) {
    const kind = tx.to ? kinds.get(tx.to) : undefined;
    if (kind && known[kind]?.[native]) return known[kind]![native]!;
    if (native === 0) return 'Send';
    if (native >= FIRST_EXPORTED_METHOD) for (const table of Object.values(known)) if (table[native]) return table[native]!;
    return `method ${native}`;
  }
  if (tx.to === null) return 'Create contract';
  if (tx.input === '0x') return 'Transfer';
  return knownFunction(tx.input.slice(0, 10)) ?? tx.input.slice(0, 10);
}

/** The head's epoch. */
export async function headEpoch(): Promise<number> {
  return (await call<{ Height: number }>('Filecoin.ChainHead')).Height;
}
