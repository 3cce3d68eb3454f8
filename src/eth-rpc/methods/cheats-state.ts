// State and snapshot cheat codes: anvil_dumpState, anvil_loadState, evm_snapshot/evm_revert (anvil_*), anvil_reset/hardhat_reset,
// anvil_setBalance, anvil_setCode, anvil_setNonce, anvil_setStorageAt (and their hardhat_* names).
import { gunzipSync, gzipSync } from 'node:zlib';
import { DevnetError, InvalidParamsError } from '../../common/errors.js';
import { bytesToBigint, bytesToHex, quantity } from '../../common/hex.js';
import { decodeChain } from '../../devnet/persistence.js';
import { defineMethod, defineWriteMethod } from '../define-method.js';
import { address, amount, data, numberOrQuantity, optional, parseObject, storageKey, type Param } from '../params.js';
import { aliases } from './cheats-mining.js';

/** evm_snapshot's id, hex as it answers it, or a JSON number, as Anvil's U256 takes it (`cast rpc evm_revert 1`). */
const snapshotId: Param<number> = numberOrQuantity('snapshotId');

/** A storage value: up to 32 bytes of hex. */
const storageValue: Param<bigint> = {
  name: 'value',
  parse: (v) => {
    const bytes = data('value').parse(v);
    if (bytes.length > 32) throw new DevnetError('a storage value has at most 32 bytes');
    return bytesToBigint(bytes);
  },
};

/** anvil_dumpState answers through JSON; larger chains are for --dump-state's file. */
const MAX_DUMP_BYTES = 64 << 20;

/** How a gzip stream starts (RFC 1952: ID1, ID2). */
const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * What anvil_loadState was given, unzipped: a dump is gzipped, as Anvil's is (empty tipsets repeat
 * most of their state: 2 000 of them are 12 MB of CBOR, 0.4 MB gzipped), and plain CBOR, as dumps
 * before were, still loads. At most what anvil_dumpState gives.
 */
function unzipped(bytes: Uint8Array): Uint8Array {
  if (bytes[0] !== GZIP_MAGIC[0] || bytes[1] !== GZIP_MAGIC[1]) return bytes;
  try {
    return gunzipSync(bytes, { maxOutputLength: MAX_DUMP_BYTES });
  } catch (err) {
    throw new DevnetError(`the state is not a gzipped dump of at most ${MAX_DUMP_BYTES} bytes (${(err as Error).message})`);
  }
}

export const cheatsState = [
  ...aliases(
    defineMethod('anvil_dumpState', [], ({ devnet }) => {
      const bytes = devnet.save();
      if (bytes.length > MAX_DUMP_BYTES) {
        throw new DevnetError(`the chain's state is ${bytes.length} bytes, more than anvil_dumpState answers (${MAX_DUMP_BYTES}); use --dump-state <file>`);
      }
      return bytesToHex(gzipSync(bytes));
    }),
    'hardhat_dumpState',
  ),

  ...aliases(
    defineWriteMethod('anvil_loadState', [data('state')], async ({ devnet }, bytes) => {
      await devnet.load(decodeChain(unzipped(bytes), 'the state'));
      return true;
    }),
    'hardhat_loadState',
  ),

  ...aliases(
    defineWriteMethod('evm_snapshot', [], async ({ devnet }) => quantity(await devnet.cheats.snapshot())),
    'anvil_snapshot',
  ),

  ...aliases(
    defineWriteMethod('evm_revert', [snapshotId], ({ devnet }, id) => devnet.cheats.revert(id)),
    'anvil_revert',
  ),

  ...aliases(
    defineWriteMethod('anvil_reset', [optional({ name: 'options', parse: (v) => parseObject('options', v) })], async ({ devnet, filters, signal }, options) => {
      const forking = options?.forking === undefined || options.forking === null ? undefined : parseObject('options.forking', options.forking);
      const url = forking?.jsonRpcUrl ?? undefined;
      if (url !== undefined && typeof url !== 'string') throw new InvalidParamsError('invalid options.forking.jsonRpcUrl: expected a URL string');
      const blockNumber = forking?.blockNumber === undefined || forking.blockNumber === null ? undefined : numberOrQuantity('options.forking.blockNumber').parse(forking.blockNumber);
      // A URL forks it; a block number alone re-forks the node's upstream there (viem sends
      // {forking: {blockNumber}} even without a URL: on a node that is no fork, that is a plain reset).
      const upstream = url ?? (blockNumber !== undefined ? devnet.fork?.config.url : undefined);
      if (upstream) await devnet.refork({ url: upstream, blockNumber }, signal);
      else await devnet.reset();
      // A fresh chain, fresh filters: leaked ones (never uninstalled) would hold --max-filters for an hour (their TTL).
      filters.clear();
      return null;
    }),
    'hardhat_reset',
  ),

  ...aliases(
    defineWriteMethod('anvil_setBalance', [address('address'), amount('balance')], async ({ devnet }, eth, balance) => {
      await devnet.cheats.setBalance(eth, balance);
      return true;
    }),
    'hardhat_setBalance',
  ),

  ...aliases(
    defineWriteMethod('anvil_setCode', [address('address'), data('code')], async ({ devnet }, eth, code) => {
      await devnet.cheats.setCode(eth, code);
      return true;
    }),
    'hardhat_setCode',
  ),

  ...aliases(
    defineWriteMethod('anvil_setNonce', [address('address'), numberOrQuantity('nonce')], async ({ devnet }, eth, nonce) => {
      await devnet.cheats.setNonce(eth, nonce);
      return true;
    }),
    'hardhat_setNonce',
    'evm_setAccountNonce',
  ),

  // Hardhat has no addBalance; Anvil answers hardhat_addBalance too, as an alias.
  ...aliases(
    defineWriteMethod('anvil_addBalance', [address('address'), amount('amount')], async ({ devnet }, eth, amount) => {
      await devnet.cheats.addBalance(eth, amount);
      return true;
    }),
    'hardhat_addBalance',
  ),

  ...aliases(
    defineWriteMethod('anvil_setStorageAt', [address('address'), storageKey('slot'), storageValue], async ({ devnet }, eth, slot, value) => {
      await devnet.cheats.setStorage(eth, slot, value);
      return true;
    }),
    'hardhat_setStorageAt',
  ),
];
