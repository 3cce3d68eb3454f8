// --gateway-only: a Lotus gateway's stateful Ethereum methods (gateway/proxy_eth_v1.go, handler.go
// statefulCallHandler at lotus b835fab70). Polling filters and subscriptions are served over a
// WebSocket only, each connection seeing its own: over HTTP every filter method and eth_unsubscribe
// is refused (code 1, "EthNewFilter not supported: stateful methods are only available on websocket
// connections"), eth_subscribe with the gateway's wording; over a WebSocket, a filter or subscription
// of another connection is unknown (eth_getFilterChanges/Logs: "filter not found"; eth_uninstallFilter
// and eth_unsubscribe: false), and the connection's filters are uninstalled when it closes.
import { DevnetError } from '../common/errors.js';
import type { RpcContext, RpcMethod } from './define-method.js';
import { ethereumName, lotusAlias } from './lotus-aliases.js';

const INSTALLS = new Set(['eth_newFilter', 'eth_newBlockFilter', 'eth_newPendingTransactionFilter']);
const POLLS = new Set(['eth_getFilterChanges', 'eth_getFilterLogs']);
const STATEFUL = new Set([...INSTALLS, ...POLLS, 'eth_uninstallFilter', 'eth_subscribe', 'eth_unsubscribe']);

/** The gateway's refusal over HTTP, naming the method as Lotus's Go API does (EthNewFilter). */
function httpRefusal(name: string): DevnetError {
  const goName = lotusAlias(name).slice('Filecoin.'.length);
  // eth_subscribe first asks for the connection's reverse client, which HTTP has not.
  const why = name === 'eth_subscribe' ? "connection doesn't support callbacks" : 'stateful methods are only available on websocket connections';
  return new DevnetError(`${goName} not supported: ${why}`);
}

export function withGatewayStatefulCalls(method: RpcMethod): RpcMethod {
  const name = ethereumName(method.name);
  if (!STATEFUL.has(name)) return method;
  return {
    ...method,
    handler: (ctx: RpcContext, args: unknown[]) => {
      const connection = ctx.subscriptions;
      if (!connection) throw httpRefusal(name);
      const id = args[0] as string;
      if (POLLS.has(name) && !connection.ownsFilter(id)) throw new DevnetError('filter not found');
      if (name === 'eth_uninstallFilter' && !connection.ownsFilter(id)) return false;
      if (name === 'eth_unsubscribe') return connection.unsubscribe(id);
      return method.handler(ctx, args);
    },
  };
}
