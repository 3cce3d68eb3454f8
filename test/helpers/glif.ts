// Glif's Lotus RPC client (@glif/filecoin-rpc-client, unmodified), as e2e tests drive the devnet with it.
import glifModule from '@glif/filecoin-rpc-client';

export interface LotusClient {
  request(method: string, ...params: unknown[]): Promise<any>;
}

// The package is CommonJS with an ES default export: Node's ESM import sees the exports object, whose default is the class.
const { default: LotusRpcEngine } = glifModule as unknown as { default: new (config: { apiAddress: string }) => LotusClient };

/** A Glif client of the node at `url` (http://host:port), on Lotus's `/rpc/v1` unless `path` says otherwise. */
export function glifClient(url: string, path: '/rpc/v0' | '/rpc/v1' = '/rpc/v1'): LotusClient {
  return new LotusRpcEngine({ apiAddress: `${url}${path}` });
}
