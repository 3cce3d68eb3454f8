// rpc.discover and its Lotus name Filecoin.Discover: an OpenRPC document (spec 1.2.6, as Lotus's) of
// the methods the path serves. Lotus answers the document it generated from its Go interfaces
// (node/rpc.go:126 aliases rpc.discover to Filecoin.Discover); the devnet's is made from its own
// method table, so it names exactly what the path answers, with the parameter names the node uses
// in its errors. It has the fields the spec requires (openrpc, info's title and version, each
// method's name and params, each param's name and schema) and no types: every schema is {}, "any".
import { defineMethod, type RpcMethod } from '../define-method.js';
import { NODE_VERSION } from './filecoin-chain.js';

const ANY = {};

function openRpcDocument(methods: readonly RpcMethod[]) {
  return {
    openrpc: '1.2.6',
    info: { title: 'fvm-devnet RPC API', version: NODE_VERSION },
    methods: methods.map((method) => ({
      name: method.name,
      paramStructure: 'by-position',
      params: method.params.map((param) => ({ name: param.name, required: !param.optional, schema: ANY })),
      result: { name: 'result', schema: ANY },
    })),
  };
}

/** `methods` with rpc.discover and Filecoin.Discover, whose document lists them all (the two included). */
export function withDiscover(methods: readonly RpcMethod[]): RpcMethod[] {
  const served: RpcMethod[] = [...methods];
  const answer = () => openRpcDocument(served);
  served.push(defineMethod('rpc.discover', [], answer), defineMethod('Filecoin.Discover', [], answer));
  return served;
}
