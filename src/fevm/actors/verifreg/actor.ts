// The verified registry actor (f06, builtin-actors actors/verifreg): verifiers and their
// allowances, datacap granted to clients, allocations paid for with datacap and the claims
// providers make of them. Methods with a pre-FRC-42 number answer to both (f1 messages use the old one).
import { methodTable, type BuiltinActor } from '../runtime.js';
import { claimAllocations, removeExpiredAllocations, universalReceiverHook } from './allocations.js';
import { extendClaimTerms, getClaims, removeExpiredClaims } from './claims.js';
import { addVerifiedClient, addVerifier, removeVerifiedClientDataCap, removeVerifier } from './verifiers.js';

export const verifregActor: BuiltinActor = {
  methods: methodTable({
    AddVerifier: { legacy: 2, internalOnly: true, run: addVerifier },
    RemoveVerifier: { legacy: 3, internalOnly: true, run: removeVerifier },
    AddVerifiedClient: { legacy: 4, run: addVerifiedClient },
    RemoveVerifiedClientDataCap: { legacy: 7, internalOnly: true, run: removeVerifiedClientDataCap },
    RemoveExpiredAllocations: { legacy: 8, run: removeExpiredAllocations },
    ClaimAllocations: { legacy: 9, internalOnly: true, run: claimAllocations },
    GetClaims: { legacy: 10, run: getClaims },
    ExtendClaimTerms: { legacy: 11, run: extendClaimTerms },
    RemoveExpiredClaims: { legacy: 12, run: removeExpiredClaims },
    // FRC-42 "Receive": datacap's FRC-46 receiver hook.
    Receive: { run: universalReceiverHook },
  }),
};

/** The method numbers other actors and the devnet send (builtin-actors verifreg Method). */
export const VerifregMethod = {
  AddVerifier: 2,
  RemoveVerifier: 3,
  AddVerifiedClient: 4,
  RemoveVerifiedClientDataCap: 7,
  RemoveExpiredAllocations: 8,
  ClaimAllocations: 9,
  GetClaims: 10,
  ExtendClaimTerms: 11,
  RemoveExpiredClaims: 12,
} as const;
