// Lotus serves each eth_, net_, web3_ and trace_ method under a Filecoin.* name too (its
// api/eth_aliases.go): eth_getBalance is Filecoin.EthGetBalance, trace_block Filecoin.EthTraceBlock.

/** The Filecoin.* prefix of each namespace; trace_ methods are Lotus's EthTrace*. */
const PREFIXES: Record<string, string> = { eth: 'Eth', net: 'Net', web3: 'Web3', trace: 'EthTrace' };

/** The Lotus alias of an eth_/net_/web3_/trace_ method's name. */
export function lotusAlias(name: string): string {
  const [namespace, method] = name.split('_');
  return `Filecoin.${PREFIXES[namespace]}${method[0].toUpperCase()}${method.slice(1)}`;
}

/**
 * The eth_ or trace_ name a Filecoin.Eth* alias stands for (Filecoin.EthGetLogs: eth_getLogs,
 * Filecoin.EthTraceBlock: trace_block), or `name` itself.
 */
export function ethereumName(name: string): string {
  const alias = /^Filecoin\.Eth(Trace)?([A-Z])(.*)$/.exec(name);
  if (!alias) return name;
  const [, trace, first, rest] = alias;
  return `${trace ? 'trace' : 'eth'}_${first.toLowerCase()}${rest}`;
}
