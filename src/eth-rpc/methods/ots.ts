// Otterscan's JSON-RPC extensions (otterscan docs/custom-jsonrpc.md, API level 8) as Anvil serves
// them, and erigon_getHeaderByNumber, which Otterscan reads blocks with: ots_getApiLevel,
// ots_getInternalOperations, ots_hasCode, ots_traceTransaction, ots_getTransactionError,
// ots_getBlockDetails(ByHash), ots_getBlockTransactions, ots_searchTransactionsBefore/After,
// ots_getTransactionBySenderAndNonce, ots_getContractCreator. Traces are the devnet's replays
// (debug_trace*'s call tree); address search matches senders, recipients and created contracts.
import { equalBytes, bytesToHex, quantity, type Hex } from '../../common/hex.js';
import type { Devnet } from '../../devnet/devnet.js';
import { REWARD_ACTOR_ID } from '../../fevm/actor.js';
import { computeGasOutputs } from '../../fevm/gas.js';
import { decodeBytesParams } from '../../fevm/message.js';
import type { StateReader } from '../../fevm/state-tree.js';
import { feeFieldsOf, type IncludedMessage, type Tipset } from '../../mining/tipset.js';
import { resolveBlock, resolveBlockState, resolveKeptBlock } from '../block-ref.js';
import { pointState, statePointOf, type StatePoint } from '../dropped-tipsets.js';
import { defineMethod } from '../define-method.js';
import { ethTransactionOf, formatBlock, formatReceipt, formatTransaction } from '../format.js';
import { transactionHash } from '../logs.js';
import { address, hash, numberOrQuantity, parseBlockRef, type BlockRef, type Param } from '../params.js';
import { callTree, minedMessage, type GethCallFrame } from './debug-trace.js';

/** The API level Otterscan 2.x asks for. */
const OTS_API_LEVEL = 8;

/** A JSON number or hex quantity (Otterscan sends numbers; Anvil takes both). */
const count = numberOrQuantity;

/**
 * A block by number or tag (or hash, with `allowHash`); also a JSON number, which is what Otterscan
 * sends for its block pages and the latest block's header (otterscan useErigonHooks.ts readBlock,
 * useLatestBlockHeader), and for ots_hasCode on a transaction's page (the block before it:
 * TransactionAddress.tsx, InternalTransfer.tsx), and Anvil 1.7.1 takes.
 */
const otsBlock = (name: string, { allowHash = false } = {}): Param<BlockRef> => ({
  name,
  parse: (v) => (typeof v === 'number' ? { number: count(name).parse(v) } : parseBlockRef(name, v, { allowHash })),
});

/** A call tree as a depth-first list: Otterscan's trace entries. */
function flatten(frame: GethCallFrame, depth: number, out: { frame: GethCallFrame; depth: number }[] = []) {
  out.push({ frame, depth });
  for (const call of frame.calls ?? []) flatten(call, depth + 1, out);
  return out;
}

async function traceOf(devnet: Devnet, txHash: Uint8Array, signal: AbortSignal | undefined) {
  const { tipset, message } = minedMessage(devnet, txHash);
  const [traced] = await devnet.traceTipset(tipset, [message.index], {}, { signal });
  return flatten(callTree(traced), 0);
}

/** The transaction's sender and recipient (or the contract it created): an address search's match. */
function touches(devnet: Devnet, tipset: Tipset, message: IncludedMessage, target: Uint8Array): boolean {
  const tx = ethTransactionOf(devnet, tipset, message);
  if (equalBytes(tx.from, target) || (tx.to !== null && equalBytes(tx.to, target))) return true;
  const created = formatReceipt(devnet, tipset, message).contractAddress;
  return created !== null && created === bytesToHex(target);
}

function searchResult(devnet: Devnet, found: { tipset: Tipset; message: IncludedMessage }[], firstPage: boolean, lastPage: boolean) {
  return {
    txs: found.map(({ tipset, message }) => formatTransaction(devnet, tipset, message)),
    receipts: found.map(({ tipset, message }) => ({ ...formatReceipt(devnet, tipset, message), timestamp: quantity(tipset.timestamp) })),
    firstPage,
    lastPage,
  };
}

/**
 * The matching transactions of `tipsets` (in search order) until at least `pageSize` are found,
 * always finishing a block; whether the search ran out of blocks.
 */
function search(devnet: Devnet, tipsets: Tipset[], target: Uint8Array, pageSize: number, newestFirst: boolean) {
  const found: { tipset: Tipset; message: IncludedMessage }[] = [];
  let i = 0;
  for (; i < tipsets.length && found.length < pageSize; i++) {
    const messages = tipsets[i].messages.filter((m) => touches(devnet, tipsets[i], m, target));
    if (newestFirst) messages.reverse();
    found.push(...messages.map((message) => ({ tipset: tipsets[i], message })));
  }
  return { found, exhausted: i === tipsets.length };
}

/** The first epoch up to `head` from which `holds` is true (false before it), by binary search; `holds(head)` must be. */
function firstEpochWhere(head: number, holds: (epoch: number) => boolean): number {
  let lo = 0;
  let hi = head;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (holds(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The mined transaction from `sender` with `nonce`: a binary search on the sender's nonce over epochs. */
export function transactionBySenderAndNonce(devnet: Devnet, sender: Uint8Array, nonce: number): { tipset: Tipset; message: IncludedMessage } | undefined {
  const nonceAt = (epoch: number) => devnet.actorAt(sender, epoch)?.nonce ?? 0;
  const head = devnet.head.epoch;
  if (nonceAt(head) <= nonce) return undefined;
  const tipset = devnet.chain.atOrBefore(firstEpochWhere(head, (epoch) => nonceAt(epoch) > nonce));
  // An Ethereum transaction's nonce is its own (its message is made from it when read).
  const message = tipset?.messages.find((m) => (m.ethTx ?? m.signed.message).nonce === nonce && equalBytes(ethTransactionOf(devnet, tipset, m).from, sender));
  return tipset && message ? { tipset, message } : undefined;
}

/**
 * A block's details at a state point: a tipset of the chain, or one a revert dropped, whose issuance
 * is read in the state it kept (dropped-tipsets.ts), not the chain's at its epoch.
 */
function blockDetails(devnet: Devnet, point: StatePoint) {
  const { tipset, dropped } = point;
  const { transactions: _, ...block } = formatBlock(devnet, tipset, false);
  let totalFees = 0n;
  for (const m of tipset.messages) {
    const { gasLimit, gasFeeCap, gasPremium } = feeFieldsOf(m);
    const fees = computeGasOutputs(m.receipt.gasUsed, gasLimit, tipset.baseFee, gasFeeCap, gasPremium);
    totalFees += fees.baseFeeBurn + fees.overEstimationBurn + fees.minerTip;
  }
  // The block rewards paid up to the tipset less those up to its parent; the chain's first tipset (genesis, a fork's upstream one) none.
  const paid = (state: StateReader) => state.getActor(REWARD_ACTOR_ID)?.reward?.totalStoragePowerReward ?? 0n;
  const before = () => (dropped ? dropped.stateBefore() : devnet.stateAt(tipset.epoch - 1));
  const minted = tipset.epoch > (devnet.fork?.point.epoch ?? 0) ? paid(pointState(devnet, point)) - paid(before()) : 0n;
  return {
    block: { ...block, transactionCount: tipset.messages.length, logsBloom: null },
    // What the tipset's block reward minted (none without a winner; on a fork, builtin-actors' epoch reward); there are no uncles.
    issuance: { blockReward: quantity(minted), uncleReward: '0x0', issuance: quantity(minted) },
    totalFees: quantity(totalFees),
  };
}

export const otsMethods = [
  defineMethod('ots_getApiLevel', [], () => OTS_API_LEVEL),

  // By hash also a block a revert dropped, read in its kept state as eth_getCode reads it (Erigon takes a hash here, Anvil a number).
  defineMethod('ots_hasCode', [address('address'), otsBlock('block', { allowHash: true })], ({ devnet }, addr, block) => {
    // Its code alone, as eth_getCode reads it: a fork's contract read first here does not wait for its storage KAMT.
    return (devnet.codeAt(addr, resolveBlockState(devnet, block))?.length ?? 0) > 0;
  }),

  // Every call frame depth-first: {type, depth, from, to, value (null for static and delegate calls), input, output}.
  defineMethod('ots_traceTransaction', [hash('transactionHash')], async ({ devnet, signal }, txHash) =>
    (await traceOf(devnet, txHash, signal)).map(({ frame, depth }) => ({
      type: frame.type,
      depth,
      from: frame.from,
      to: frame.to ?? null,
      value: frame.type === 'STATICCALL' || frame.type === 'DELEGATECALL' ? null : (frame.value ?? '0x0'),
      input: frame.input,
      output: frame.output ?? '0x',
    })),
  ),

  // Value transfers (0) and contract creations (2: CREATE, 3: CREATE2) inside the transaction, below its top call.
  defineMethod('ots_getInternalOperations', [hash('transactionHash')], async ({ devnet, signal }, txHash) => {
    const operations: { type: number; from: Hex; to: Hex; value: Hex }[] = [];
    for (const { frame, depth } of await traceOf(devnet, txHash, signal)) {
      if (depth === 0 || frame.error !== undefined || !frame.to) continue;
      const value = frame.value ?? '0x0';
      if (frame.type === 'CREATE' || frame.type === 'CREATE2') operations.push({ type: frame.type === 'CREATE' ? 2 : 3, from: frame.from, to: frame.to, value });
      else if (frame.type === 'CALL' && BigInt(value) > 0n) operations.push({ type: 0, from: frame.from, to: frame.to, value });
    }
    return operations;
  }),

  // The revert data of a failed transaction, 0x for a successful one.
  defineMethod('ots_getTransactionError', [hash('transactionHash')], ({ devnet }, txHash) => {
    const { message } = minedMessage(devnet, txHash);
    if (message.receipt.exitCode === 0) return '0x';
    const ret = message.receipt.returnData;
    return bytesToHex(decodeBytesParams(ret) ?? ret);
  }),

  defineMethod('ots_getBlockDetails', [otsBlock('block')], ({ devnet }, block) => blockDetails(devnet, { tipset: resolveBlock(devnet, block) })),
  // Also a block a revert dropped, as eth_getBlockByHash answers it (Erigon reads a non-canonical block by hash; Anvil forgets it).
  defineMethod('ots_getBlockDetailsByHash', [hash('blockHash')], ({ devnet }, blockHash) =>
    blockDetails(devnet, statePointOf(devnet, resolveKeptBlock(devnet, { hash: blockHash }))),
  ),

  // A page of the block's transactions (inputs cut to their 4-byte selectors) with their receipts (no logs).
  defineMethod('ots_getBlockTransactions', [otsBlock('block'), count('pageNumber'), count('pageSize')], ({ devnet }, block, page, size) => {
    const tipset = resolveBlock(devnet, block);
    const full = formatBlock(devnet, tipset, true);
    const messages = tipset.messages.slice(page * size, (page + 1) * size);
    const transactions = full.transactions.slice(page * size, (page + 1) * size).map((tx) => {
      const t = tx as { input: Hex };
      return { ...t, input: t.input.slice(0, 10) };
    });
    return {
      fullblock: { ...full, transactions, transactionCount: tipset.messages.length },
      receipts: messages.map((m) => ({ ...formatReceipt(devnet, tipset, m), logs: null, logsBloom: null })),
    };
  }),

  // Newest first, from the block before `blockNumber` (0: the head) back.
  defineMethod('ots_searchTransactionsBefore', [address('address'), count('blockNumber'), count('pageSize')], ({ devnet }, target, blockNumber, pageSize) => {
    const from = blockNumber === 0 ? devnet.head.epoch : blockNumber - 1;
    const { found, exhausted } = search(devnet, devnet.chain.range(0, from).reverse(), target, pageSize, true);
    return searchResult(devnet, found, blockNumber === 0, exhausted);
  }),

  // From the block after `blockNumber` forward, answered newest first as Otterscan expects.
  defineMethod('ots_searchTransactionsAfter', [address('address'), count('blockNumber'), count('pageSize')], ({ devnet }, target, blockNumber, pageSize) => {
    const { found, exhausted } = search(devnet, devnet.chain.range(blockNumber + 1, devnet.head.epoch), target, pageSize, false);
    return searchResult(devnet, found.reverse(), exhausted, blockNumber === 0);
  }),

  defineMethod('ots_getTransactionBySenderAndNonce', [address('sender'), count('nonce')], ({ devnet }, sender, nonce) => {
    const found = transactionBySenderAndNonce(devnet, sender, nonce);
    return found ? bytesToHex(transactionHash(found.message)) : null;
  }),

  // The transaction that deployed the contract and who deployed it (a contract, for CREATE inside a call); null for a non-contract.
  defineMethod('ots_getContractCreator', [address('address')], async ({ devnet, signal }, target) => {
    const head = devnet.head.epoch;
    const isContract = (epoch: number) => devnet.actorAt(target, epoch)?.kind === 'evm';
    if (!isContract(head)) return null;
    const tipset = devnet.chain.atOrBefore(firstEpochWhere(head, isContract));
    if (!tipset) return null;
    const hex = bytesToHex(target);
    for (const traced of await devnet.traceTipset(tipset, 'all', {}, { signal })) {
      const creation = flatten(callTree(traced), 0).find(({ frame }) => (frame.type === 'CREATE' || frame.type === 'CREATE2') && frame.to === hex);
      if (creation) return { hash: bytesToHex(transactionHash(traced.included!)), creator: creation.frame.from };
    }
    return null;
  }),

  // The header fields of the block (eth_getBlockByNumber without its transactions), as Erigon answers.
  defineMethod('erigon_getHeaderByNumber', [otsBlock('block')], ({ devnet }, block) => {
    const { transactions: _, uncles: __, ...header } = formatBlock(devnet, resolveBlock(devnet, block), false);
    return header;
  }),
];
