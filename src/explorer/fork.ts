// A forked chain (fvm-devnet --fork-url): where it was forked from, as anvil_nodeInfo's forkConfig
// says (the upstream's URL and the fork epoch). Tipsets at or before that epoch are the upstream's
// (the node passes them through); actors the fork started with came from the upstream.
import { h } from './dom.js';
import { call } from './rpc.js';

export interface ForkPoint {
  /** The upstream's host, which names the network well enough (api.calibration.node.glif.io). */
  upstream: string;
  epoch: number;
}

let point: Promise<ForkPoint | undefined> | undefined;

/** The fork point, or undefined on a chain of the node's own; asked once per page load. */
export function forkPoint(): Promise<ForkPoint | undefined> {
  point ??= call<{ forkConfig?: { forkUrl?: string; forkBlockNumber?: number } }>('anvil_nodeInfo').then(({ forkConfig }) => {
    if (!forkConfig?.forkUrl || forkConfig.forkBlockNumber === undefined) return undefined;
    let upstream = forkConfig.forkUrl;
    try {
      upstream = new URL(forkConfig.forkUrl).host;
    } catch {
      // Not a URL: shown as given.
    }
    return { upstream, epoch: forkConfig.forkBlockNumber };
  });
  return point;
}

export const forkBadge = (fork: ForkPoint) => h('span', { class: 'badge fork', title: `the chain up to epoch ${fork.epoch} is ${fork.upstream}'s` }, `forked from ${fork.upstream} at epoch ${fork.epoch}`);
export const upstreamBadge = (fork: ForkPoint) => h('span', { class: 'badge upstream', title: `mined by ${fork.upstream}, before the fork` }, 'upstream');

/**
 * Whether the fork started with this actor (0x form: its address or masked ID): some balance,
 * nonce or code at the fork epoch. The dev accounts the node funds on top at start count too.
 */
export async function startedWithFork(eth: string, fork: ForkPoint): Promise<boolean> {
  const at = '0x' + fork.epoch.toString(16);
  const [balance, nonce, code] = await Promise.all([call<string>('eth_getBalance', [eth, at]), call<string>('eth_getTransactionCount', [eth, at]), call<string>('eth_getCode', [eth, at])]);
  return BigInt(balance) > 0n || BigInt(nonce) > 0n || code !== '0x';
}
