// Which tipsets count as finalized and safe, as Lotus decides for the Ethereum tags and the v2 API's
// selectors (node/impl/eth/tipsetresolver.go, the v2 ChainGetTipSet): F3 certifies tipsets a few
// epochs behind the head; when its latest certificate is older than EC finality (900 epochs), EC
// finality counts instead. The devnet has no F3 instances: it simulates the latest certificate as
// the tipset `f3Lag` epochs behind the head.
import type { ChainStore } from './chain-store.js';
import type { Tipset } from './tipset.js';

/** Expected Consensus finality, in epochs (Lotus policy.ChainFinality). */
export const EC_FINALITY = 900;
/** How far behind the head `safe` may lag at most (Lotus buildconstants.SafeHeightDistance). */
export const SAFE_HEIGHT_DISTANCE = 200;
/** How far behind the latest tipset trace_filter's `safe` is, and a gateway's (Lotus ethtypes.SafeEpochDelay). */
export const SAFE_EPOCH_DELAY = 30;
/**
 * The default lag of simulated F3 finality behind the head: since nv27 F3 keeps within about 10
 * epochs of the head on mainnet, so code waiting for `finalized` waits about as many tipsets here.
 */
export const DEFAULT_F3_LAG = 10;

export interface Finality {
  /** The tipset the latest (simulated) F3 certificate finalizes. */
  f3: Tipset;
  /** That tipset while F3 counts, within EC finality of the head; null further back (behind null rounds). */
  f3Finalized: Tipset | null;
  /** `finalized`: the newer of the F3 tipset and EC finality (head − 900). */
  finalized: Tipset;
  /** `safe`: the newer of `finalized` and head − 200. */
  safe: Tipset;
}

/** The finalized and safe tipsets of `chain` with F3 lagging `f3Lag` epochs behind its head. */
export function finality(chain: ChainStore, f3Lag: number): Finality {
  const head = chain.head.epoch;
  // Heights below the first tipset (genesis, or a fork's start) take it; null rounds, the tipset before (Lotus's GetTipsetByHeight, prev).
  const at = (epoch: number): Tipset => chain.atOrBefore(Math.max(chain.first.epoch, epoch))!;
  const f3 = at(head - f3Lag);
  const ec = at(head - EC_FINALITY);
  // Lotus's `finalized` tag takes F3's tipset when it is newer than EC finality's (chain_v2.go
  // getLatestFinalizedTipset); ChainGetTipSetFinalityStatus only while it is within EC finality of the
  // head. A tipset newer than EC finality's is within it, so both name the same finalized tipset; only
  // the status's F3 field can be null, where F3's tipset is EC finality's own, behind null rounds.
  const f3Finalized = head - f3.epoch <= EC_FINALITY ? f3 : null;
  const finalized = f3.epoch >= ec.epoch ? f3 : ec;
  const safeHeight = at(head - SAFE_HEIGHT_DISTANCE);
  return { f3, f3Finalized, finalized, safe: finalized.epoch >= safeHeight.epoch ? finalized : safeHeight };
}
