// Filecoin.StateDecodeParams and StateEncodeParams: a builtin actor method's CBOR params to and from
// the Go JSON Lotus shows (schemas in ../actor-params.ts).
import type { CID } from '../../common/cbor.js';
import { DevnetError } from '../../common/errors.js';
import type { ActorKind } from '../../fevm/actor.js';
import { resolveAddress } from '../../fevm/actors/lifecycle.js';
import { decodeParams, encodeParams, paramsSchema, type Schema } from '../actor-params.js';
import { defineMethod } from '../define-method.js';
import { bytesJson } from '../lotus-json.js';
import { keptStateOf } from '../dropped-tipsets.js';
import { base64Bytes, cid, filAddress, integer, tipsetKey } from '../lotus-params.js';
import type { Param } from '../params.js';

/** The schema of `method` of the actor with code `code`, or Lotus's error. */
function schemaOf(kind: ActorKind | undefined, code: CID, method: number): Schema {
  const schema = kind && paramsSchema(kind, method);
  if (!schema) throw new DevnetError(`getting params type: unknown method ${method} for actor ${code.toString()}: actor metadata not found`);
  return schema;
}

const anyJson: Param<unknown> = { name: 'params', parse: (v) => v };

export const filecoinParams = [
  defineMethod(
    'Filecoin.StateDecodeParams',
    [filAddress('toAddress'), integer('method'), base64Bytes('params'), tipsetKey('tipsetKey')],
    ({ devnet }, to, method, params, key) => {
      const actor = resolveAddress(keptStateOf(devnet, key), to);
      if (!actor) throw new DevnetError(`getting actor: resolution lookup failed (${to.toString()}): actor not found`);
      return decodeParams(schemaOf(actor.kind, devnet.codes.codeOf(actor.kind), method), params, 'params');
    },
  ),

  // Answers the CBOR bytes, base64.
  // The kind by the chain's code CIDs (a fork's: its upstream's).
  defineMethod('Filecoin.StateEncodeParams', [cid('toActorCode'), integer('method'), anyJson], ({ devnet }, code, method, json) => {
    const kind = devnet.codes.kindOf(code);
    return bytesJson(encodeParams(schemaOf(kind, code, method), json, 'params')) ?? '';
  }),
];
