// Address conversion between the Ethereum and Filecoin views: Filecoin.EthAddressToFilecoinAddress,
// Filecoin.FilecoinAddressToEthAddress.
import { EAM_NAMESPACE, FilAddress, maskedIdAddress, Protocol } from '../../common/address.js';
import { DevnetError } from '../../common/errors.js';
import { bytesToHex, quantity } from '../../common/hex.js';
import { resolveStateBlock } from '../block-ref.js';
import { defineMethod, withRawParams } from '../define-method.js';
import { filAddress } from '../lotus-params.js';
import { address, blockRef, optional, type BlockRef } from '../params.js';

export const filecoinAddressMethods = [
  defineMethod('Filecoin.EthAddressToFilecoinAddress', [address('ethAddress')], (_ctx, eth) => FilAddress.fromEthAddress(eth).toString()),

  withRawParams(defineMethod('Filecoin.FilecoinAddressToEthAddress', [filAddress('filecoinAddress'), optional(blockRef('block'))], ({ devnet }, addr, block) => {
    // f0 and f410 addresses convert as they are; key and actor addresses through their actor's ID.
    if (addr.ethAddress) return bytesToHex(addr.ethAddress);
    if (addr.id !== undefined) return bytesToHex(maskedIdAddress(addr.id));
    if (addr.protocol === Protocol.Delegated) throw new DevnetError(notConvertible(addr));
    const at = block ?? { tag: 'finalized' };
    const id = devnet.stateAt(resolveStateBlock(devnet, at).epoch).lookupId(addr);
    if (id === undefined) throw new DevnetError(notInstantiated(addr, at));
    return bytesToHex(maskedIdAddress(id));
  })),
];

/**
 * Lotus's errors for an f4 address that is no Ethereum address (node/impl/eth/filecoin.go, ethtypes
 * EthAddressFromFilecoinAddress and CastEthAddress): an f410 of a masked ID or of other than 20 bytes,
 * or another namespace, which falls through to the protocol check.
 */
function notConvertible(addr: FilAddress): string {
  if (addr.namespace !== EAM_NAMESPACE) return `invalid filecoin address protocol: ${addr.toString()}`;
  const payload = addr.subaddress!;
  const why = payload.length === 20 ? `f410f addresses cannot embed masked-ID payloads: ${bytesToHex(payload)}` : 'cannot parse bytes into an EthAddress: incorrect input length';
  return `error converting filecoin address to eth address: ${why}`;
}

/**
 * Lotus's error for a key or actor address with no ID at the block (node/impl/eth/filecoin.go), which
 * tells a user why a fresh account fails: the default block is `finalized`, --f3-lag tipsets back.
 */
function notInstantiated(addr: FilAddress, at: BlockRef): string {
  const param = 'tag' in at ? at.tag : 'number' in at ? quantity(at.number) : bytesToHex(at.hash);
  const address = addr.toString();
  return (
    `failed to lookup ID address for given Filecoin address ${address} (ensure that the address has been instantiated on-chain and ` +
    `sufficient epochs have passed since instantiation to confirm to the given 'blkParam': "${param}"): resolve address ${address}: actor not found`
  );
}
