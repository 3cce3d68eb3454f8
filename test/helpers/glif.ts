// Glif's Lotus RPC client (@glif/filecoin-rpc-client, unmodified), as e2e tests drive the devnet with it,
// and two steps those tests share: funding keys from the node's wallet, pushing a message signed by iso-filecoin.
import glifModule from '@glif/filecoin-rpc-client';
import { Message } from 'iso-filecoin/message';
import type { RPC } from 'iso-filecoin/rpc';
import type { SignatureType } from 'iso-filecoin/types';
import { signMessage } from 'iso-filecoin/wallet';

export interface LotusClient {
  request(method: string, ...params: unknown[]): Promise<any>;
}

// The package is CommonJS with an ES default export: Node's ESM import sees the exports object, whose default is the class.
const { default: LotusRpcEngine } = glifModule as unknown as { default: new (config: { apiAddress: string }) => LotusClient };

/** A Glif client of the node at `url` (http://host:port), on Lotus's `/rpc/v1` unless `path` says otherwise. */
export function glifClient(url: string, path: '/rpc/v0' | '/rpc/v1' = '/rpc/v1'): LotusClient {
  return new LotusRpcEngine({ apiAddress: `${url}${path}` });
}

/** Funds each address with `value` attoFIL from the node's default wallet, each send waited for. */
export async function fundFromDefaultWallet(lotus: LotusClient, addresses: readonly string[], value: bigint): Promise<void> {
  const funder = await lotus.request('WalletDefaultAddress');
  for (const to of addresses) {
    const funded = await lotus.request('MpoolPushMessage', { From: funder, To: to, Value: value.toString(), Method: 0 }, null);
    const { Receipt } = await lotus.request('StateWaitMsg', funded.CID, 1, -1, true);
    if (Receipt.ExitCode !== 0) throw new Error(`funding ${to} failed with exit code ${Receipt.ExitCode}`);
  }
}

/**
 * Pushes a message (Lotus's JSON) from a key only iso-filecoin holds: iso-filecoin fills the nonce and
 * gas (GasEstimateMessageGas), signs it locally and the node takes it with MpoolPush; its MsgLookup.
 */
export async function pushSignedByIso(lotus: LotusClient, iso: RPC, account: { privateKey: Uint8Array; type: SignatureType }, lotusMessage: Record<string, unknown>): Promise<any> {
  const message = await Message.fromLotus(lotusMessage as never).prepare(iso);
  const cid = await lotus.request('MpoolPush', { Message: message.toLotus(), Signature: signMessage(account.privateKey, account.type, message).toLotus() });
  return lotus.request('StateWaitMsg', cid, 1, -1, true);
}
