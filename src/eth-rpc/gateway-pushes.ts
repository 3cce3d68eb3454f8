// --gateway-only: a send as a Lotus gateway makes it. Its proxy forwards eth_sendRawTransaction (on v1
// and v2, and its Filecoin.EthSendRawTransaction name) to the full node's EthSendRawTransactionUntrusted,
// and MpoolPush to MpoolPushUntrusted (gateway/proxy_eth_v1.go, proxy_v2.go, proxy_fil_v1.go at lotus
// b835fab70), so the pool holds at most 100 of a sender's messages from it, not 1 000.
import type { RpcMethod } from './define-method.js';
import { ethereumName } from './lotus-aliases.js';
import { ethSendRawTransactionUntrusted } from './methods/filecoin-eth-limited.js';
import { mpoolPushUntrusted } from './methods/filecoin-mpool.js';

const UNTRUSTED_FORMS: ReadonlyMap<string, RpcMethod> = new Map([
  ['eth_sendRawTransaction', ethSendRawTransactionUntrusted],
  ['Filecoin.MpoolPush', mpoolPushUntrusted],
]);

/** `method` under its own name and params, answered by its untrusted form when the gateway forwards it to one. */
export function withGatewayPushes(method: RpcMethod): RpcMethod {
  const untrusted = UNTRUSTED_FORMS.get(ethereumName(method.name));
  return untrusted ? { ...method, handler: untrusted.handler } : method;
}
