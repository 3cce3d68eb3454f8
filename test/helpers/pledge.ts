// A storage provider's pledge as the tests expect it, shared by unit and e2e tests without the miner harness.

/** The devnet's pledge a byte of QA power: builtin-actors' cap, 1 FIL / 32 GiB floored (monies.rs INITIAL_PLEDGE_MAX_PER_BYTE). */
export const PLEDGE_PER_BYTE = 29_103_830n;
/** A CC 32 GiB sector's pledge and pre-commit deposit at that rate: 1 FIL less 15 693 250 560 attoFIL. */
export const PLEDGE_32GIB = (32n << 30n) * PLEDGE_PER_BYTE;
