// --gateway-only: a Lotus gateway's lookback cap (gateway/node.go DefaultLookbackCap). A gateway
// refuses, before the method runs, a tipset more than 24 hours old: named by key, by its timestamp
// (checkTipsetKey: "bad tipset: …"); by height, by the time the block delay puts there (below)
// (checkTipsetHeight: "bad tipset height: …", and "tipset height in future" above the tipset counted
// from; ChainGetTipSetByHeight, an actor event filter's fromHeight); and the eth_ block parameters
// the same way (gateway/proxy_eth_v1.go, and proxy_v2.go on /rpc/v2).
// "Now" is the node's clock: the wall clock, moved as the chain's time is (a genesis timestamp,
// evm_increaseTime), so a chain whose time was moved on 25 hours shows what a gateway does to
// tipsets 25 hours old.
import type { CID } from '../common/cbor.js';
import { BlockRangeExceededError, DevnetError } from '../common/errors.js';
import type { Devnet } from '../devnet/devnet.js';
import { EC_FINALITY, SAFE_EPOCH_DELAY } from '../mining/finality.js';
import type { Tipset } from '../mining/tipset.js';
import { resolveKeptBlock } from './block-ref.js';
import type { RpcMethod } from './define-method.js';
import { keptByBlockHash, keptSearchMessage, keptTipsetOf } from './dropped-tipsets.js';
import { ethereumName } from './lotus-aliases.js';
import { isTipsetKey } from './lotus-params.js';
import { beyondLookback, checkReceiptsLookback, NO_LIMIT } from './message-lookback.js';
import { parseBlockRef, type BlockRef } from './params.js';

/** Lotus's DefaultLookbackCap, and its error (Go prints 24 hours as 24h0m0s). */
const LOOKBACK_CAP_SECONDS = 24 * 60 * 60;
const LOOKBACK_REFUSED = 'lookbacks of more than 24h0m0s are disallowed';

/** The Filecoin.* methods whose tipset keys the gateway does not check (all their keys), and MsigGetVested's start (it checks the end only). */
const UNCHECKED_KEYS: Record<string, number[] | 'all'> = {
  'Filecoin.ChainGetTipSet': 'all',
  'Filecoin.ChainGetMessagesInTipset': 'all',
  'Filecoin.MsigGetVested': [1],
};

/** Methods given a height and the tipset to count back from (head when the key is empty). */
const BY_HEIGHT = new Set(['Filecoin.ChainGetTipSetByHeight', 'Filecoin.ChainGetTipSetAfterHeight', 'Filecoin.StateGetRandomnessDigestFromBeacon']);

/** Methods given an actor event filter, whose fromHeight is counted back from the head. */
const EVENT_FILTERS = new Set(['Filecoin.GetActorEventsRaw', 'Filecoin.SubscribeActorEventsRaw']);

/**
 * The gateway's limit on a message lookup's lookback (DefaultMaxMessageLookbackEpochs): v1's
 * StateSearchMsg gets it in place of no limit (-1) or a larger one; v0's StateSearchMsg, the eth_
 * lookups by hash and eth_getBlockReceipts are sent to Lotus's *Limited calls with it. The
 * devnet's StateWaitMsg, as Lotus's, finds an indexed message whatever the limit.
 */
const MESSAGE_LOOKBACK_LIMIT = 20;

/** The gateway's cap on StateWaitMsg's confidence (DefaultMaxMessageConfidence; v0's goes through v1's). */
const MESSAGE_CONFIDENCE_CAP = 20;

/** Lookups by message or transaction hash, searched from the head: an answer executed more than the limit before it is null. */
const LIMITED_LOOKUPS = new Set(['eth_getTransactionByHash', 'eth_getTransactionReceipt']);

/** The gateway's own limits: eth_feeHistory's block count (EthFeeHistoryMaxBlockCount), trace_filter's range (DefaultEthTraceFilterMaxBlockRange). */
const FEE_HISTORY_MAX_BLOCKS = 128;
const TRACE_FILTER_MAX_RANGE = 100;

/** eth_ and trace_ methods by the position of their block parameter. */
const BLOCK_PARAMS: Record<string, number> = {
  eth_getBalance: 1,
  eth_getCode: 1,
  eth_getTransactionCount: 1,
  eth_call: 1,
  eth_getStorageAt: 2,
  eth_getBlockByNumber: 0,
  eth_getBlockTransactionCountByNumber: 0,
  eth_getTransactionByBlockNumberAndIndex: 0,
  trace_block: 0,
  trace_replayBlockTransactions: 0,
};

/** eth_ methods whose first parameter is a block hash the gateway checks (not eth_getBlockTransactionCountByHash). */
const BLOCK_HASHES = new Set(['eth_getBlockByHash', 'eth_getTransactionByBlockHashAndIndex']);

/** Methods whose filter's fromBlock and toBlock (and eth_getLogs' blockHash) are checked. */
const FILTERS = new Set(['eth_getLogs', 'trace_filter']);

function refuseIfOld(devnet: Devnet, timestamp: number, what: string): void {
  if (devnet.chainTime() - timestamp > LOOKBACK_CAP_SECONDS) throw new DevnetError(`${what}: ${LOOKBACK_REFUSED}`);
}

function checkTipset(devnet: Devnet, tipset: Tipset): void {
  refuseIfOld(devnet, tipset.timestamp, 'bad tipset');
}

/**
 * A key left empty is the head's, which the gateway does not check. The gateway loads the tipset
 * (ChainGetTipSet), which finds one a revert or reorg dropped too.
 */
function checkKey(devnet: Devnet, key: CID[] | undefined): void {
  if (key && key.length > 0) checkTipset(devnet, keptTipsetOf(devnet, key));
}

/**
 * A height counted back from `anchor`, aged as Lotus's gateway ages it (checkTipSetHeight): the
 * anchor's timestamp less a block delay (the devnet's, --block-time or 4 s) per epoch between them,
 * so that epochs mined 1 s apart (anvil_mine) age as a real chain's would. A real chain's clock
 * never runs ahead of its epochs, the devnet's does (evm_increaseTime): the timestamp of the tipset
 * at that height (at a null round, the one before it) counts too when it is older.
 */
function checkHeight(devnet: Devnet, anchor: Tipset, height: number): void {
  if (height > anchor.epoch) throw new DevnetError('tipset height in future');
  const byDelay = anchor.timestamp - (anchor.epoch - height) * devnet.blockDelay;
  const at = devnet.chain.atOrBefore(Math.max(height, devnet.chain.first.epoch));
  refuseIfOld(devnet, Math.min(byDelay, at?.timestamp ?? byDelay), 'bad tipset height');
}

/** An eth_ block parameter, as Lotus's gateway checks it; `lookback` epochs before a tag (eth_feeHistory's block count). */
function checkBlock(devnet: Devnet, ref: BlockRef | undefined, lookback = 0): void {
  if (!ref) return; // left out: the method's default, the head
  const head = devnet.head;
  if ('hash' in ref) {
    // A tipset a revert dropped too: the gateway reads the key under the hash and loads its tipset (checkBlkHash).
    const tipset = keptByBlockHash(devnet, ref.hash);
    if (tipset) checkTipset(devnet, tipset);
    return;
  }
  if ('number' in ref) return checkHeight(devnet, head, ref.number);
  switch (ref.tag) {
    case 'earliest':
      throw new DevnetError('block param "earliest" is not supported');
    case 'safe':
      return checkHeight(devnet, head, Math.max(0, head.epoch - SAFE_EPOCH_DELAY - lookback));
    case 'finalized':
      return checkHeight(devnet, head, Math.max(0, head.epoch - EC_FINALITY - lookback));
    default:
      // The head is always within the cap.
      if (lookback > 0) checkHeight(devnet, head, Math.max(0, head.epoch - lookback));
  }
}

/** A filter's block field, when it is one the method reads (a bad one is the method's to refuse). */
function filterBlock(value: unknown): BlockRef | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return parseBlockRef('block', value);
  } catch {
    return undefined;
  }
}

function checkFilecoin(devnet: Devnet, method: RpcMethod, args: unknown[]): void {
  const unchecked = UNCHECKED_KEYS[method.name];
  if (unchecked === 'all') return;
  if (EVENT_FILTERS.has(method.name)) {
    const fromHeight = (args[0] as { fromHeight?: number } | undefined)?.fromHeight;
    if (fromHeight === undefined) return;
    checkTipset(devnet, devnet.head);
    return checkHeight(devnet, devnet.head, fromHeight);
  }
  if (BY_HEIGHT.has(method.name)) {
    const [height, key] = args as [number, CID[] | undefined];
    const anchor = keptTipsetOf(devnet, key);
    checkTipset(devnet, anchor);
    return checkHeight(devnet, anchor, height);
  }
  method.params.forEach((param, i) => {
    if (!isTipsetKey(param) || unchecked?.includes(i)) return;
    if (method.name !== 'Filecoin.ChainGetPath') return checkKey(devnet, args[i] as CID[] | undefined);
    try {
      checkKey(devnet, args[i] as CID[] | undefined);
    } catch (error) {
      throw new DevnetError(`gateway: checking '${i === 0 ? 'from' : 'to'}' tipset: ${(error as Error).message}`);
    }
  });
}

function checkEthereum(devnet: Devnet, name: string, args: unknown[]): void {
  if (name in BLOCK_PARAMS) return checkBlock(devnet, args[BLOCK_PARAMS[name]] as BlockRef);
  if (BLOCK_HASHES.has(name)) return checkBlock(devnet, { hash: args[0] as Uint8Array });
  if (name === 'eth_feeHistory') {
    checkBlock(devnet, args[1] as BlockRef, Number(args[0]));
    if (Number(args[0]) > FEE_HISTORY_MAX_BLOCKS) throw new DevnetError('block count too high');
    return;
  }
  if (FILTERS.has(name)) {
    const filter = args[0] as Record<string, unknown>;
    for (const field of ['fromBlock', 'toBlock', 'blockHash']) {
      const ref = filterBlock(filter[field]);
      if (ref) checkBlock(devnet, ref);
    }
    if (name === 'trace_filter') checkTraceFilterRange(devnet.head.epoch, filter);
  }
}

/**
 * trace_filter's range as the gateway resolves it (checkEthTraceFilterBlockRange): left out is
 * latest, the tipset below the head; safe is 30 below that; a tag it does not resolve
 * (finalized, earliest) skips the check.
 */
function checkTraceFilterRange(head: number, filter: Record<string, unknown>): void {
  const resolve = (value: unknown = 'latest'): number | undefined => {
    if (value === 'pending') return head;
    if (value === 'latest') return Math.max(0, head - 1);
    if (value === 'safe') return Math.max(0, head - 1 - SAFE_EPOCH_DELAY);
    const ref = filterBlock(value);
    return ref && 'number' in ref ? ref.number : undefined;
  };
  const from = resolve(filter.fromBlock);
  const to = resolve(filter.toBlock);
  if (from === undefined || to === undefined || to - from <= TRACE_FILTER_MAX_RANGE) return;
  throw new BlockRangeExceededError(`block range exceeds maximum of ${TRACE_FILTER_MAX_RANGE} (got ${to - from})`);
}

/** Whether a message found at `epoch` (where the devnet executes it) is out of the gateway's message lookback from the head. */
function beyondMessageLookback(devnet: Devnet, epoch: number): boolean {
  return beyondLookback(epoch, MESSAGE_LOOKBACK_LIMIT, devnet.head.epoch);
}

/**
 * eth_getBlockReceipts as EthGetBlockReceiptsLimited: a block more than the limit below the head is
 * refused (one a revert dropped too). A block the devnet does not hold (bad, or a fork's upstream's)
 * is the method's to answer.
 */
function checkReceiptsBlock(devnet: Devnet, ref: BlockRef): void {
  let tipset: Tipset;
  try {
    tipset = resolveKeptBlock(devnet, ref);
  } catch {
    return;
  }
  checkReceiptsLookback(tipset, MESSAGE_LOOKBACK_LIMIT, devnet.head);
}

/** A lookup's answer, null when what it found lies beyond the message lookback (a transaction still pending has no block). */
async function limitedLookup(devnet: Devnet, answer: unknown): Promise<unknown> {
  const found = (await answer) as { blockNumber?: string | null; Height?: number } | null;
  const epoch = found?.Height ?? (typeof found?.blockNumber === 'string' ? Number(found.blockNumber) : undefined);
  return epoch !== undefined && beyondMessageLookback(devnet, epoch) ? null : found;
}

/** `method` with the gateway's lookback checks run before it, its message lookback (20 epochs) applied and StateWaitMsg's confidence capped (20). */
export function withLookbackCap(method: RpcMethod): RpcMethod {
  const name = ethereumName(method.name);
  const ethereum = name in BLOCK_PARAMS || FILTERS.has(name) || BLOCK_HASHES.has(name) || name === 'eth_feeHistory';
  const keyed = method.name.startsWith('Filecoin.') && !ethereum && (BY_HEIGHT.has(method.name) || EVENT_FILTERS.has(method.name) || method.params.some(isTipsetKey));
  // The position of a message search's lookback limit: v1's StateSearchMsg's, v0's StateSearchMsgLimited's.
  const limitAt = method.name === 'Filecoin.StateSearchMsg' && method.params.length === 4 ? 2 : method.name === 'Filecoin.StateSearchMsgLimited' ? 1 : undefined;
  // v0's StateSearchMsg searches from the head with no limit: the gateway's v1 call clamps it.
  const limitsAnswer = LIMITED_LOOKUPS.has(name) || (method.name === 'Filecoin.StateSearchMsg' && method.params.length === 1);
  // v0's StateGetReceipt searches from its tipset with no limit: clamped the same, counted from that tipset.
  const receiptLookup = method.name === 'Filecoin.StateGetReceipt';
  const receipts = name === 'eth_getBlockReceipts';
  const waits = method.name === 'Filecoin.StateWaitMsg' || method.name === 'Filecoin.StateWaitMsgLimited';
  if (!ethereum && !keyed && !limitsAnswer && !receiptLookup && limitAt === undefined && !receipts && !waits) return method;
  return {
    ...method,
    handler: (ctx, args) => {
      if (ethereum) checkEthereum(ctx.devnet, name, args);
      else if (keyed) checkFilecoin(ctx.devnet, method, args);
      if (receipts) checkReceiptsBlock(ctx.devnet, args[0] as BlockRef);
      if (waits && (args[1] as number) > MESSAGE_CONFIDENCE_CAP) {
        throw new DevnetError(`confidence ${args[1] as number} exceeds gateway maximum ${MESSAGE_CONFIDENCE_CAP}`);
      }
      if (limitsAnswer) return limitedLookup(ctx.devnet, method.handler(ctx, args));
      if (receiptLookup) {
        const from = keptTipsetOf(ctx.devnet, args[1] as CID[] | undefined);
        const found = keptSearchMessage(ctx.devnet, args[0] as CID, true, from);
        if (found && beyondLookback(found.tipset.epoch, MESSAGE_LOOKBACK_LIMIT, from.epoch)) return null;
      }
      if (limitAt === undefined) return method.handler(ctx, args);
      const limit = args[limitAt] as number;
      const clamped = [...args];
      clamped[limitAt] = limit === NO_LIMIT || limit > MESSAGE_LOOKBACK_LIMIT ? MESSAGE_LOOKBACK_LIMIT : limit;
      return method.handler(ctx, clamped);
    },
  };
}
