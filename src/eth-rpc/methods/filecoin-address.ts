// Address conversion between the Ethereum and Filecoin views: Filecoin.EthAddressToFilecoinAddress,
// Filecoin.FilecoinAddressToEthAddress.
import { FilAddress, maskedIdAddress, Protocol } from '../../common/address.js';
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
    if (addr.protocol === Protocol.Delegated) throw new DevnetError('f4 addresses outside the EAM namespace have no Ethereum form');
    const at = block ?? { tag: 'finalized' };
    const id = devnet.stateAt(resolveStateBlock(devnet, at).epoch).lookupId(addr);
    if (id === undefined) throw new DevnetError(notInstantiated(addr, at));
    return bytesToHex(maskedIdAddress(id));
  })),
];

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
