// The verified registry's policy (builtin-actors runtime/src/runtime/policy.rs), as calibnet's and
// mainnet's bundles build it: 1 MiB minimum allocation (256 bytes only with the "small-deals" feature of
// the devnet/testing bundles, which calibnet does not have).
import { EPOCHS_IN_DAY } from '../miner/policy.js';

/** 365.25 days of 30-second epochs (31556925 s / 30). */
const EPOCHS_IN_YEAR = 1051897;

/** The smallest allocation, verifier allowance or client allowance, in bytes of DataCap. */
export const MINIMUM_VERIFIED_ALLOCATION_SIZE = 1n << 20n;
export const MINIMUM_VERIFIED_ALLOCATION_TERM = 180 * EPOCHS_IN_DAY;
export const MAXIMUM_VERIFIED_ALLOCATION_TERM = 5 * EPOCHS_IN_YEAR;
/** How long an allocation may wait to be claimed. */
export const MAXIMUM_VERIFIED_ALLOCATION_EXPIRATION = 60 * EPOCHS_IN_DAY;
