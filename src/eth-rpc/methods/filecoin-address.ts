// Address conversion between the Ethereum and Filecoin views: Filecoin.EthAddressToFilecoinAddress,
// Filecoin.FilecoinAddressToEthAddress.
import { FilAddress, maskedIdAddress, Protocol } from '../../common/address.js';
import { DevnetError } from '../../common/errors.js';
import { bytesToHex } from '../../common/hex.js';
import { resolveStateBlock } from '../block-ref.js';
import { defineMethod, withRawParams } from '../define-method.js';
import { filAddress } from '../lotus-params.js';
import { address, blockRef, optional } from '../params.js';

export const filecoinAddressMethods = [
  defineMethod('Filecoin.EthAddressToFilecoinAddress', [address('ethAddress')], (_ctx, eth) => FilAddress.fromEthAddress(eth).toString()),

  withRawParams(defineMethod('Filecoin.FilecoinAddressToEthAddress', [filAddress('filecoinAddress'), optional(blockRef('block'))], ({ devnet }, addr, block) => {
    // f0 and f410 addresses convert as they are; key and actor addresses through their actor's ID.
    if (addr.ethAddress) return bytesToHex(addr.ethAddress);
    if (addr.id !== undefined) return bytesToHex(maskedIdAddress(addr.id));
    if (addr.protocol === Protocol.Delegated) throw new DevnetError('f4 addresses outside the EAM namespace have no Ethereum form');
    const tipset = resolveStateBlock(devnet, block ?? { tag: 'finalized' });
    const id = devnet.stateAt(tipset.epoch).lookupId(addr);
    if (id === undefined) throw new DevnetError('failed to lookup ID address: actor not found');
    return bytesToHex(maskedIdAddress(id));
  })),
];
