// devnet_addVerifiedClient: the genesis verifier grants datacap to a client with a real signed
// AddVerifiedClient message, mined before the call returns (devnet/verified-clients.ts).
import { defineWriteMethod } from '../define-method.js';
import { cidJson, idJson } from '../lotus-json.js';
import { anyAddress } from '../lotus-params.js';
import { invalid, type Param } from '../params.js';

/** Bytes of datacap: a decimal string or a hex quantity. */
const allowance: Param<bigint> = {
  name: 'allowance',
  parse: (v) => {
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
    if (typeof v !== 'string' || !/^(\d+|0x[0-9a-fA-F]+)$/.test(v)) throw invalid('allowance', 'expected bytes as a decimal string or a hex quantity');
    return BigInt(v);
  },
};

export const cheatsVerifreg = [
  defineWriteMethod('devnet_addVerifiedClient', [anyAddress('address'), allowance], async ({ devnet }, client, bytes) => {
    const granted = await devnet.addVerifiedClient(client, bytes);
    return { cid: cidJson(granted.message), client: idJson(granted.clientId), datacap: granted.datacap.toString() };
  }),
];
