// Mining and time cheat codes, as Anvil and Hardhat answer them: evm_mine, anvil_mine/hardhat_mine,
// anvil_mine_detailed/evm_mine_detailed, evm_setAutomine, anvil_getAutomine/hardhat_getAutomine,
// evm_setIntervalMining, anvil_getIntervalMining, evm_setBlockGasLimit, evm_increaseTime, evm_setTime,
// evm_setNextBlockTimestamp, anvil_setBlockTimestampInterval, anvil_removeBlockTimestampInterval,
// anvil_getGenesisTime, anvil_getLastBlockWallTime, anvil_rollback, anvil_reorg.
import { AbiCoder } from 'ethers';
import { DevnetError } from '../../common/errors.js';
import { bytesToHex } from '../../common/hex.js';
import { ExitCode } from '../../fevm/exit-code.js';
import { BLOCK_GAS_LIMIT } from '../../fevm/gas.js';
import { decodeBytesParams } from '../../fevm/message.js';
import type { Devnet } from '../../devnet/devnet.js';
import { ERROR_SELECTOR, PANIC_SELECTOR } from '../../devnet/revert.js';
import type { Tipset } from '../../mining/tipset.js';
import { defineMethod, defineWriteMethod, withNamedParams, type RpcMethod } from '../define-method.js';
import { formatBlock } from '../format.js';
import { createdEthAddress } from '../logs.js';
import { transactionToSign } from '../call-request.js';
import { bool, data, describeValue, invalid, listOf, numberOrQuantity, optional, parseObject, type Param } from '../params.js';

/** The same method under each of the names tools use for it. */
export function aliases(method: RpcMethod, ...names: string[]): RpcMethod[] {
  return [method, ...names.map((name) => ({ ...method, name }))];
}

const automine = (devnet: Devnet) => devnet.miningMode.type === 'instant';

/** evm_setIntervalMining / anvil_setIntervalMining (seconds; 0: manual mining), answering `answer` as each tool does. */
function intervalMiningMethod(name: string, answer: true | null): RpcMethod {
  return defineWriteMethod(name, [numberOrQuantity('intervalSeconds')], async ({ devnet }, seconds) => {
    await devnet.cheats.setMiningMode(seconds === 0 ? { type: 'manual' } : { type: 'interval', blockTimeMs: seconds * 1000 });
    return answer;
  });
}

/**
 * anvil_mine / hardhat_mine (count, interval); `fromFirst`: the interval comes before the first tipset
 * too (RunInterval); answering `answer` as each tool does (Anvil null, Hardhat true).
 */
function mineMethod(name: string, fromFirst: boolean, answer: null | true): RpcMethod {
  return defineWriteMethod(name, [optional(numberOrQuantity('blocks')), optional(numberOrQuantity('interval'))], async ({ devnet }, blocks, interval) => {
    await devnet.cheats.mine(blocks ?? 1, interval === undefined ? undefined : { seconds: interval, fromFirst });
    return answer;
  });
}

/** Anvil's MineOptions: a timestamp, or {timestamp?, blocks?}. */
interface MineOptions {
  timestamp?: number;
  blocks?: number;
}

const mineOptions: Param<MineOptions> = {
  name: 'options',
  parse: (v) => {
    if (v === null) return {};
    if (typeof v !== 'object' || Array.isArray(v)) return { timestamp: numberOrQuantity('options').parse(v) };
    const { timestamp, blocks, ...rest } = parseObject('options', v);
    const unknown = Object.keys(rest)[0];
    if (unknown !== undefined) throw invalid('options', `unknown field ${describeValue(unknown)}: expected timestamp and blocks`);
    return {
      timestamp: timestamp == null ? undefined : numberOrQuantity('options.timestamp').parse(timestamp),
      blocks: blocks == null ? undefined : numberOrQuantity('options.blocks').parse(blocks),
    };
  },
};

/**
 * anvil_reorg's [transaction, block number] pairs, as Anvil takes them: a signed transaction's bytes, or
 * a transaction request (parsed by the method, which knows the default sender); the block number is
 * an offset in the new blocks, 0 the first.
 */
const reorgPairs = listOf(
  'txBlockPairs',
  (name): Param<{ tx: Uint8Array | Record<string, unknown>; offset: number }> => ({
    name,
    parse: (v) => {
      if (!Array.isArray(v) || v.length !== 2) throw invalid(name, `expected a [transaction, block number] pair, got ${describeValue(v)}`);
      const [tx, offset] = v as unknown[];
      return { tx: typeof tx === 'string' ? data(`${name}[0]`).parse(tx) : parseObject(`${name}[0]`, tx), offset: numberOrQuantity(`${name}[1]`).parse(offset) };
    },
  }),
  'a list of [transaction, block number] pairs',
);

/** Solidity's panic codes as alloy names them (alloy-sol-types PanicKind::as_str), which Anvil prints. */
const PANIC_KINDS: Record<number, string> = {
  0x00: 'generic/unspecified error',
  0x01: 'assertion failed',
  0x11: 'arithmetic underflow or overflow',
  0x12: 'division or modulo by zero',
  0x21: 'failed to convert value into enum type',
  0x22: 'storage byte array incorrectly encoded',
  0x31: 'called `.pop()` on an empty array',
  0x32: 'array out-of-bounds access',
  0x41: 'memory allocation error',
  0x51: 'called an invalid internal function',
};

const abi = AbiCoder.defaultAbiCoder();

/** `decode` of `types` from `hex`, or undefined when the bytes do not hold them. */
function decoded(types: string[], hex: string): unknown {
  try {
    return abi.decode(types, hex)[0];
  } catch {
    return undefined;
  }
}

/** The bytes as text when they are all ASCII, or (`utf8`) valid UTF-8. */
function asText(bytes: Uint8Array, utf8 = false): string | undefined {
  if (!utf8 && bytes.some((b) => b >= 0x80)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Why a mined transaction failed, as Anvil's evm_mine_detailed words it (foundry 2a5df2c
 * crates/evm/core/src/decode.rs RevertDecoder::maybe_decode, with no custom errors known): an
 * Error(string)'s reason; a Panic as alloy prints it; the data as an ABI string or ASCII text;
 * else `custom error <selector>` and the rest (as text if UTF-8, else hex); none for no data.
 */
function anvilRevertReason(data: Uint8Array): string | undefined {
  if (data.length === 0) return undefined;
  const hex = bytesToHex(data);
  const rest = '0x' + hex.slice(10);
  if (hex.startsWith(ERROR_SELECTOR)) {
    const reason = decoded(['string'], rest);
    if (typeof reason === 'string') return reason;
  }
  if (hex.startsWith(PANIC_SELECTOR)) {
    const code = decoded(['uint256'], rest);
    if (typeof code === 'bigint') {
      const kind = PANIC_KINDS[Number(code)];
      return kind !== undefined ? `panic: ${kind} (0x${code.toString(16).padStart(2, '0')})` : `panic: unknown code (0x${code.toString(16)})`;
    }
  }
  const text = decoded(['string'], hex) ?? asText(data);
  if (typeof text === 'string' && text !== '') return text;
  if (data.length < 4) return `custom error bytes ${hex}`;
  const args = data.subarray(4);
  return `custom error ${hex.slice(0, 10)}${args.length > 0 ? `: ${asText(args, true) ?? hex.slice(10)}` : ''}`;
}

/**
 * A mined tipset as eth_getBlockByNumber shows it with full transactions, each with Anvil's extra
 * `output` (what it returned: a deployment, the code it left) and, if it failed, `revertReason`.
 */
function detailedBlock(devnet: Devnet, tipset: Tipset) {
  const block = formatBlock(devnet, tipset, true);
  const transactions = block.transactions.map((tx, i) => {
    const { ethTx, receipt } = tipset.messages[i]!;
    const succeeded = receipt.exitCode === ExitCode.Ok;
    const created = ethTx?.to === null && succeeded ? createdEthAddress(receipt.returnData) : undefined;
    // The receipt wraps the EVM's output (or revert data) as a CBOR byte string.
    const returned = decodeBytesParams(receipt.returnData) ?? receipt.returnData;
    const output = created ? (devnet.actorAt(created, tipset.epoch)?.evm?.bytecode ?? new Uint8Array()) : returned;
    const reason = succeeded ? undefined : anvilRevertReason(returned);
    return { ...(tx as object), output: bytesToHex(output), ...(reason === undefined ? {} : { revertReason: reason }) };
  });
  return { ...block, transactions };
}

export const cheatsMining = [
  defineWriteMethod('evm_mine', [optional(numberOrQuantity('timestamp'))], async ({ devnet }, timestamp) => {
    if (timestamp !== undefined) await devnet.cheats.setNextTimestamp(timestamp);
    await devnet.mine();
    return '0x0';
  }),

  // Anvil's evm_mine with what it mined: each tipset with its full transactions (null rounds, past
  // MAX_TIPSETS_MINED epochs, have none to show).
  ...aliases(
    defineWriteMethod('anvil_mine_detailed', [optional(mineOptions)], async ({ devnet }, options) => {
      if (options?.timestamp !== undefined) await devnet.cheats.setNextTimestamp(options.timestamp);
      const blocks = options?.blocks ?? 1;
      const from = devnet.head.epoch;
      if (blocks === 1) return [detailedBlock(devnet, await devnet.mine())];
      await devnet.cheats.mine(blocks);
      return devnet.chain.range(from + 1, devnet.head.epoch).map((tipset) => detailedBlock(devnet, tipset));
    }),
    'evm_mine_detailed',
  ),

  // The interval spaces the run as the tool each name comes from does (RunInterval): Anvil's every tipset, Hardhat's from the second on.
  mineMethod('anvil_mine', true, null),
  mineMethod('hardhat_mine', false, true),

  ...aliases(
    defineWriteMethod('evm_setAutomine', [bool('enabled')], async ({ devnet }, enabled) => {
      await devnet.cheats.setAutomine(enabled);
      return true;
    }),
    'anvil_setAutomine',
  ),

  ...aliases(
    defineMethod('anvil_getAutomine', [], ({ devnet }) => automine(devnet)),
    'hardhat_getAutomine',
  ),

  // Whole seconds, as Anvil answers; null unless tipsets are mined on a timer.
  defineMethod('anvil_getIntervalMining', [], ({ devnet }) => {
    const mode = devnet.miningMode;
    return mode.type === 'interval' ? Math.floor(mode.blockTimeMs / 1000) : null;
  }),

  // Seconds under both names, as Anvil takes them (its name is the one web3_clientVersion answers
  // with, and viem's anvil mode sends seconds); each name keeps its tool's answer. Hardhat's
  // evm_setIntervalMining takes milliseconds: README's cheat table says what its users get.
  intervalMiningMethod('evm_setIntervalMining', true),
  intervalMiningMethod('anvil_setIntervalMining', null),

  ...aliases(
    // The total as a JSON number, as Anvil answers it (Hardhat 2: a decimal string; no tool reads it).
    defineWriteMethod('evm_increaseTime', [numberOrQuantity('seconds')], async ({ devnet }, seconds) => devnet.cheats.increaseTime(seconds)),
    'anvil_increaseTime',
  ),

  // Seconds, or milliseconds above 10^12, as Anvil takes them (for Ganache's habit); answers the
  // seconds the clock moved past the time the next tipset would have had, as Anvil does.
  ...aliases(
    defineWriteMethod('anvil_setTime', [numberOrQuantity('timestamp')], async ({ devnet }, timestamp) =>
      devnet.cheats.setTime(timestamp > 1e12 ? Math.floor(timestamp / 1000) : timestamp),
    ),
    'evm_setTime',
  ),

  // The first tipset's timestamp: genesis's, or the tipset a fork starts from.
  defineMethod('anvil_getGenesisTime', [], ({ devnet }) => devnet.chain.first.timestamp),

  // Unix milliseconds of the wall clock when the head became the head.
  defineMethod('anvil_getLastBlockWallTime', [], ({ devnet }) => devnet.headSince),

  // Drops the last `depth` epochs (default 1) as evm_revert drops them.
  defineWriteMethod('anvil_rollback', [optional(numberOrQuantity('depth'))], async ({ devnet }, depth) => {
    await devnet.cheats.rollback(depth ?? 1);
    return null;
  }),

  // Anvil's: the last `depth` blocks replaced by as many new ones, holding only the transactions given;
  // its ReorgOptions as positional params or as one object (alloy's AnvilApi sends it so).
  withNamedParams(['depth', 'tx_block_pairs'], defineWriteMethod('anvil_reorg', [numberOrQuantity('depth'), optional(reorgPairs)], async ({ devnet }, depth, pairs) => {
    // A request without a sender is the first dev account's, as in Anvil.
    const first = devnet.accounts[0];
    const transactions = (pairs ?? []).map(({ tx, offset }, i) => ({
      offset,
      tx: tx instanceof Uint8Array ? tx : transactionToSign(`txBlockPairs[${i}][0]`).parse(tx.from == null && first ? { ...tx, from: bytesToHex(first.address) } : tx),
    }));
    await devnet.reorg(depth, transactions);
    return null;
  })),

  ...aliases(
    defineWriteMethod('evm_setNextBlockTimestamp', [numberOrQuantity('timestamp')], async ({ devnet }, timestamp) => {
      await devnet.cheats.setNextTimestamp(timestamp);
      return null;
    }),
    'anvil_setNextBlockTimestamp',
  ),

  // Anvil and Hardhat let tests change the block gas limit; Filecoin's is a network constant.
  ...aliases(
    defineWriteMethod('evm_setBlockGasLimit', [numberOrQuantity('gasLimit')], () => {
      throw new DevnetError(`the block gas limit is fixed on Filecoin (${BLOCK_GAS_LIMIT}); fvm-devnet keeps it`);
    }),
    'anvil_setBlockGasLimit',
  ),

  defineWriteMethod('anvil_setBlockTimestampInterval', [numberOrQuantity('seconds')], async ({ devnet }, seconds) => {
    await devnet.cheats.setTimestampInterval(seconds);
    return null;
  }),

  defineWriteMethod('anvil_removeBlockTimestampInterval', [], async ({ devnet }) => {
    await devnet.cheats.setTimestampInterval(undefined);
    return true;
  }),
];
