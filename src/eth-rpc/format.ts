// Ethereum shapes (block, transaction, receipt, log) computed from tipsets, messages and receipts,
// field by field as Lotus computes them (node/impl/eth/utils.go, chain/types/ethtypes).
import { AbiCoder } from 'ethers';
import { maskedIdAddress, type FilAddress } from '../common/address.js';
import { CBOR, decodePayload } from '../common/cbor.js';
import { bytesToHex, hexToBytes, quantity, type Hex } from '../common/hex.js';
import { EAM_ACTOR_ID } from '../fevm/actor.js';
import { ethAddressOf, resolveAddress } from '../fevm/actors/lifecycle.js';
import { METHOD_CREATE_EXTERNAL, METHOD_INVOKE_CONTRACT } from '../fevm/message.js';
import type { EthTransaction } from '../fevm/eth-tx.js';
import { ExitCode } from '../fevm/exit-code.js';
import { BLOCK_GAS_LIMIT, computeGasOutputs } from '../fevm/gas.js';
import type { Devnet } from '../devnet/devnet.js';
import type { IncludedMessage, Tipset } from '../mining/tipset.js';
import type { PendingMessage } from '../mining/mempool.js';
import { BLOOM_BYTES, logsBloom } from './bloom.js';
import { plainValue } from './plain-json.js';
import { blockLogs } from './dropped-tipsets.js';
import { createdEthAddress, transactionHash, type EthLog } from './logs.js';

const ZERO_HASH = bytesToHex(new Uint8Array(32));
/** The logs bloom of a receipt without logs (most transactions'), made once: its 514 characters were the longest hex a receipt made. */
const EMPTY_BLOOM = bytesToHex(new Uint8Array(BLOOM_BYTES));
/** How Lotus shows a key or actor address that names no actor after execution. */
const MISSING_RECIPIENT = hexToBytes('0xff0000000000000000000000ffffffffffffffff');
/** handle_filecoin_method(uint64,uint64,bytes): how native calls appear as Ethereum input. */
const HANDLE_FILECOIN_METHOD_SELECTOR = '0x868e10c4';
const ZERO_ADDRESS = bytesToHex(new Uint8Array(20));
/** keccak256(rlp([])): the uncles hash of a block without uncles. */
const EMPTY_UNCLES_HASH = '0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347';
/** The root of an empty trie. */
const EMPTY_TRIE_ROOT = '0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421';

/** Where a log was emitted, as its JSON shows it: a receipt's own fields, which its logs repeat. */
interface LogPlace {
  transactionIndex: Hex;
  transactionHash: Hex;
  blockHash: Hex;
  blockNumber: Hex;
}

/**
 * A log as Ethereum shows it (log-json.ts keeps the JSON bytes of the logs eth_getLogs answered last).
 * `place`: its receipt's strings, already made for the receipt (the log's own fields hold the same values).
 */
export function formatLog(log: EthLog, place?: LogPlace) {
  return {
    address: bytesToHex(log.address),
    data: bytesToHex(log.data),
    topics: log.topics.map(bytesToHex),
    removed: false,
    logIndex: quantity(log.logIndex),
    transactionIndex: place ? place.transactionIndex : quantity(log.transactionIndex),
    transactionHash: place ? place.transactionHash : bytesToHex(log.transactionHash),
    blockHash: place ? place.blockHash : bytesToHex(log.blockHash),
    blockNumber: place ? place.blockNumber : quantity(log.blockNumber),
  };
}

/**
 * A log as a filter or subscription reports it: numbered as Lotus's live paths number it (logs.ts
 * filterMatches), and `removed` when a revert dropped its tipset.
 */
export function formatLiveLog(log: EthLog, logIndex: number, removed: boolean) {
  return { ...formatLog(log), removed, logIndex: quantity(logIndex) };
}

/** A transaction as Lotus shows it: 1559 ones without gasPrice, legacy ones without the fee caps. */
function formatEthTx(tx: EthTransaction, position: { blockHash: Hex; blockNumber: Hex; transactionIndex: Hex } | null) {
  const fees =
    tx.type === 2
      ? { maxFeePerGas: quantity(tx.maxFeePerGas), maxPriorityFeePerGas: quantity(tx.maxPriorityFeePerGas) }
      : { gasPrice: quantity(tx.maxFeePerGas) };
  return plainValue({
    chainId: quantity(tx.chainId),
    nonce: quantity(tx.nonce),
    hash: bytesToHex(tx.hash),
    blockHash: position?.blockHash ?? null,
    blockNumber: position?.blockNumber ?? null,
    transactionIndex: position?.transactionIndex ?? null,
    from: bytesToHex(tx.from),
    to: tx.to ? bytesToHex(tx.to) : null,
    value: quantity(tx.value),
    type: quantity(tx.type),
    input: bytesToHex(tx.input),
    gas: quantity(tx.gasLimit),
    ...fees,
    accessList: [],
    // Quantities, as Lotus's EthBigInt prints them (no leading zeros; a native message's are 0x0).
    v: quantity(tx.v),
    r: quantity(tx.r),
    s: quantity(tx.s),
  });
}

/**
 * The Ethereum view of a native Filecoin message (Lotus ethTxFromNativeMessage): its hash is the
 * digest of its CID, addresses are f410 or masked IDs, and a call to any method other than
 * InvokeContract shows as handle_filecoin_method(method, codec, params).
 */
function nativeTransaction(devnet: Devnet, tipset: Tipset, message: IncludedMessage): EthTransaction {
  const msg = message.signed.message;
  const state = devnet.stateAt(tipset.epoch);
  // Lotus lookupEthAddress (node/impl/eth/utils.go): an f410 is its own address and an ID its masked
  // ID whether an actor is there or not; only an address that resolves to no ID is the sentinel.
  const ethAddress = (address: FilAddress) => {
    const actor = resolveAddress(state, address);
    if (actor) return ethAddressOf(actor);
    return address.ethAddress ?? (address.id !== undefined ? maskedIdAddress(address.id) : MISSING_RECIPIENT);
  };
  const isCreate = msg.to.id === EAM_ACTOR_ID && msg.method === METHOD_CREATE_EXTERNAL;
  // Lotus's codec for a message's params: CBOR, or 0 for none.
  const codec = msg.params.length ? CBOR : 0;
  // As Lotus's decodePayload reads them: the leading byte string (bytes after the string, which the
  // actors refuse, are ignored), no params as none.
  const bytesParam = msg.method === METHOD_INVOKE_CONTRACT || isCreate ? decodePayload(msg.params, codec) : undefined;
  const input =
    bytesParam ??
    hexToBytes(
      HANDLE_FILECOIN_METHOD_SELECTOR +
        AbiCoder.defaultAbiCoder()
          .encode(['uint64', 'uint64', 'bytes'], [msg.method, codec, msg.params])
          .slice(2),
    );
  return {
    type: 2,
    hash: message.cid.multihash.digest,
    chainId: devnet.chainId,
    nonce: msg.nonce,
    from: ethAddress(msg.from),
    // Lotus shows a deployment only when the params decode as the initcode; garbage keeps the EAM as `to`.
    to: isCreate && bytesParam !== undefined ? null : ethAddress(msg.to),
    value: msg.value,
    input,
    gasLimit: msg.gasLimit,
    maxFeePerGas: msg.gasFeeCap,
    maxPriorityFeePerGas: msg.gasPremium,
    v: 0n,
    r: 0n,
    s: 0n,
  };
}

/** The Ethereum transaction a message was made from, or the view Lotus gives of a native one. */
export function ethTransactionOf(devnet: Devnet, tipset: Tipset, message: IncludedMessage): EthTransaction {
  return message.ethTx ?? nativeTransaction(devnet, tipset, message);
}

export function formatTransaction(devnet: Devnet, tipset: Tipset, message: IncludedMessage) {
  return formatEthTx(ethTransactionOf(devnet, tipset, message), {
    blockHash: bytesToHex(tipset.hash),
    blockNumber: quantity(tipset.epoch),
    transactionIndex: quantity(message.index),
  });
}

/** A pending transaction; Lotus shows only Ethereum-signed ones from the pool. */
export function formatPendingTransaction(pending: PendingMessage) {
  return pending.ethTx ? formatEthTx(pending.ethTx, null) : null;
}

/**
 * Each block's logs bloom, made once per kept logs array (tipsetLogs hands out the same array while
 * it keeps a tipset's logs) and dropped with it: 3 keccaks an address or topic made it most of
 * eth_getBlockByNumber's CPU when made on every read (a block of 50 Transfers, ~150 µs of ~370).
 */
const blockBlooms = new WeakMap<readonly EthLog[], Hex>();

function blockBloom(logs: readonly EthLog[]): Hex {
  let bloom = blockBlooms.get(logs);
  if (bloom === undefined) blockBlooms.set(logs, (bloom = bytesToHex(logsBloom(logs.flatMap((l) => [l.address, ...l.topics])))));
  return bloom;
}

/**
 * A receipt's logs bloom. When its transaction holds all its tipset's logs (each automined transaction
 * has a tipset of its own) the bloom is its block's, made once: made on every read, its keccaks (three
 * bits each from the address and every topic) and its hex were over a third of a receipt read's instructions
 * beyond eth_chainId (docs/performance.md, receipts).
 */
function receiptBloom(logs: readonly EthLog[], tipsetLogs: readonly EthLog[]): Hex {
  if (logs.length === 0) return EMPTY_BLOOM;
  if (logs.length === tipsetLogs.length) return blockBloom(tipsetLogs);
  return bytesToHex(logsBloom(logs.flatMap((l) => [l.address, ...l.topics])));
}

export function formatBlock(devnet: Devnet, tipset: Tipset, fullTransactions: boolean) {
  const { logs } = blockLogs(devnet, tipset);
  return plainValue({
    hash: bytesToHex(tipset.hash),
    parentHash: tipset.parentKey ? bytesToHex(tipset.parentKey.multihash.digest) : ZERO_HASH,
    sha3Uncles: EMPTY_UNCLES_HASH,
    miner: ZERO_ADDRESS,
    stateRoot: ZERO_HASH,
    transactionsRoot: tipset.messages.length ? ZERO_HASH : EMPTY_TRIE_ROOT,
    receiptsRoot: ZERO_HASH,
    logsBloom: blockBloom(logs),
    difficulty: '0x0',
    totalDifficulty: '0x0',
    number: quantity(tipset.epoch),
    gasLimit: quantity(BLOCK_GAS_LIMIT),
    gasUsed: quantity(tipset.gasUsed),
    timestamp: quantity(tipset.timestamp),
    extraData: '0x',
    mixHash: ZERO_HASH,
    nonce: '0x0000000000000000',
    baseFeePerGas: quantity(tipset.baseFee),
    size: '0x0',
    transactions: tipset.messages.map((m) => (fullTransactions ? formatTransaction(devnet, tipset, m) : bytesToHex(transactionHash(m)))),
    uncles: [],
  });
}

export function formatReceipt(devnet: Devnet, tipset: Tipset, message: IncludedMessage) {
  const tx = ethTransactionOf(devnet, tipset, message);
  const { receipt } = message;
  // The transaction's fee fields are its message's (a native message's view copies them).
  const fees = computeGasOutputs(receipt.gasUsed, tx.gasLimit, tipset.baseFee, tx.maxFeePerGas, tx.maxPriorityFeePerGas);
  const paid = fees.baseFeeBurn + fees.minerTip + fees.overEstimationBurn;
  const block = blockLogs(devnet, tipset);
  const logs = block.logs.filter((l) => l.transactionIndex === message.index);
  const succeeded = receipt.exitCode === ExitCode.Ok;
  const created = tx.to === null && succeeded ? createdEthAddress(receipt.returnData) : undefined;
  const formatted = {
    transactionHash: bytesToHex(tx.hash),
    transactionIndex: quantity(message.index),
    blockHash: bytesToHex(tipset.hash),
    blockNumber: quantity(tipset.epoch),
    from: bytesToHex(tx.from),
    to: tx.to ? bytesToHex(tx.to) : null,
    root: ZERO_HASH,
    status: succeeded ? '0x1' : '0x0',
    contractAddress: created ? bytesToHex(created) : null,
    cumulativeGasUsed: '0x0',
    gasUsed: quantity(receipt.gasUsed),
    effectiveGasPrice: quantity(receipt.gasUsed ? paid / BigInt(receipt.gasUsed) : 0n),
    logsBloom: receiptBloom(logs, block.logs),
    logs: [] as ReturnType<typeof formatLog>[],
    type: quantity(tx.type),
  };
  // Its logs repeat its place's four strings (the tipset's logs of this message, so the same values):
  // the receipt itself is their place.
  formatted.logs = block.removed ? logs.map((log) => formatLiveLog(log, log.logIndex, true)) : logs.map((log) => formatLog(log, formatted));
  return plainValue(formatted);
}
