// anvil_mine of a million epochs on a node with live storage deals (fvm-devnet only: it mines null
// rounds and runs only the cron work that falls due, where the EVM nodes mine a block per epoch).
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { computePieceCid } from '../src/devnet/storage-providers/piece-cid.js';
import type { RpcClient } from './rpc-client.js';

const ACTIVATION_TIMEOUT_MS = 120_000;

type MarketDeal = { State: { SectorStartEpoch: number } };

/** Proposes `count` deals to the node's storage providers and waits until every one is sealed and active. */
async function liveDeals(rpc: RpcClient, count: number): Promise<void> {
  const ids: number[] = [];
  // The providers seal the deals ready at once in batches (README, Storage deals); the start stays
  // 1 000 epochs ahead, as before batching, so that a heavily loaded machine cannot fail the phase.
  const startEpoch = Number(await rpc.call('eth_blockNumber')) + 1000;
  for (let i = 0; i < count; i++) {
    const piece = computePieceCid(randomBytes(256));
    const answer = await rpc.call<{ dealId: number }>('devnet_proposeDeal', [{ pieceCid: piece.cid.toString(), pieceSize: piece.size, startEpoch }]);
    ids.push(answer.dealId);
  }
  const deadline = performance.now() + ACTIVATION_TIMEOUT_MS;
  for (const id of ids) {
    while ((await rpc.call<MarketDeal>('Filecoin.StateMarketStorageDeal', [id, null])).State.SectorStartEpoch <= 0) {
      if (performance.now() > deadline) throw new Error(`deal ${id} not active after ${ACTIVATION_TIMEOUT_MS / 1000} s`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** On a fresh fvm-devnet (2 storage providers by default): ms for anvil_mine of `epochs` with `deals` live deals. */
export async function mineWithDeals(rpc: RpcClient, deals: number, epochs: number): Promise<number> {
  await liveDeals(rpc, deals);
  const before = Number(await rpc.call('eth_blockNumber'));
  const t0 = performance.now();
  await rpc.call('anvil_mine', [`0x${epochs.toString(16)}`]);
  const ms = performance.now() - t0;
  const after = Number(await rpc.call('eth_blockNumber'));
  // The providers' agents may mine a tipset or two of their own work right after.
  if (after < before + epochs) throw new Error(`after anvil_mine of ${epochs} from ${before} the head is ${after}`);
  return ms;
}
