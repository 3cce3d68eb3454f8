// Pieces for verified deals and DataCap allocations. calibnet's builtin-actors bundle refuses an
// allocation or a client allowance under 1 MiB (runtime/src/runtime/policy.rs
// MINIMUM_VERIFIED_ALLOCATION_SIZE without the devnet bundles' small-deals feature), so a verified
// piece is at least 1 MiB padded: a payload of more than 127/128 of 512 KiB.
import { randomBytes } from 'node:crypto';
import { computePieceCid } from '../../src/devnet/storage-providers/piece-cid.js';
import { MINIMUM_VERIFIED_ALLOCATION_SIZE } from '../../src/fevm/actors/verifreg/policy.js';

/** The smallest payload whose piece is padded to the 1 MiB minimum (520 193 bytes). */
export const VERIFIED_PAYLOAD_BYTES = Number((MINIMUM_VERIFIED_ALLOCATION_SIZE / 256n) * 127n) + 1;

/** The smallest DataCap grant or allocation, as JSON-RPC takes it. */
export const MIN_DATACAP = MINIMUM_VERIFIED_ALLOCATION_SIZE.toString();

/** A 1 MiB piece of random bytes: the smallest a verified deal may have. */
export const randomVerifiedPiece = () => computePieceCid(randomBytes(VERIFIED_PAYLOAD_BYTES));
