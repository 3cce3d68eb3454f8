// The storage market's policy (builtin-actors actors/market/src/policy.rs and runtime policy.rs),
// with the values of builtin-actors' "testing" bundle where a network build changes them.
import { EPOCHS_IN_DAY } from '../miner/policy.js';

export const DEAL_MAX_LABEL_SIZE = 256;

/**
 * How often the market's cron looks at a deal (builtin-actors DEAL_UPDATES_INTERVAL, every network:
 * 30 days): a published deal's one check, where it times out if never activated, comes at the first
 * epoch at or after its start that falls on the deal's own offset in this interval.
 */
export const DEAL_UPDATES_INTERVAL = 30 * EPOCHS_IN_DAY;

/** The first epoch at or after `earliest` that is `dealId` modulo the update interval (builtin-actors next_update_epoch). */
export function nextUpdateEpoch(dealId: number, earliest: number): number {
  const offset = dealId % DEAL_UPDATES_INTERVAL;
  return earliest + ((((offset - earliest) % DEAL_UPDATES_INTERVAL) + DEAL_UPDATES_INTERVAL) % DEAL_UPDATES_INTERVAL);
}

/** Deal duration bounds, inclusive, for any piece size. */
export const DEAL_MIN_DURATION = 180 * EPOCHS_IN_DAY;
export const DEAL_MAX_DURATION = 1278 * EPOCHS_IN_DAY;

/** The total FIL the network assumes (2e9 FIL): the bound of prices and collaterals. */
export const TOTAL_FILECOIN = 2_000_000_000n * 10n ** 18n;

/**
 * The provider collateral bounds. Its minimum is a share of the circulating supply on mainnet; the
 * devnet follows builtin-actors' "testing" bundle (feature no-provider-deal-collateral), where it is 0,
 * so the market needs neither the circulating supply nor the reward and power actors' figures.
 */
export const PROVIDER_COLLATERAL_BOUNDS = { min: 0n, max: TOTAL_FILECOIN } as const;

/** The term buffer of the verified allocations the market requests (their limits: verifreg/policy.ts). */
export const MARKET_DEFAULT_ALLOCATION_TERM_BUFFER = 90 * EPOCHS_IN_DAY;

/** DataCap tokens per byte of verified data (FRC-46 whole tokens of 10^18 units). */
export const DATACAP_PER_BYTE = 10n ** 18n;

/** Why a padded piece size is invalid (fvm_shared PaddedPieceSize::validate), or undefined. */
export function pieceSizeError(size: number): string | undefined {
  if (size < 128) return 'minimum piece size is 128 bytes';
  if (!isPowerOfTwo(size)) return 'padded piece size must be a power of 2';
  return undefined;
}

function isPowerOfTwo(n: number): boolean {
  const b = BigInt(n);
  return b > 0n && (b & (b - 1n)) === 0n;
}
