// The verified registry's actor events (FIP-0083, builtin-actors actors/verifreg/src/emit.rs):
// verifier-balance, allocation, allocation-removed, claim, claim-updated, claim-removed.
import { encodeBigInt } from '../../../common/cbor.js';
import type { ActorRuntime, BuiltinEventField } from '../runtime.js';
import type { Allocation, Claim } from './state.js';

export function emitVerifierBalance(rt: ActorRuntime, verifier: number, balance: bigint, client?: number): void {
  const fields: BuiltinEventField[] = [
    { key: 'verifier', value: verifier, indexed: true },
    { key: 'balance', value: encodeBigInt(balance) },
  ];
  if (client !== undefined) fields.push({ key: 'client', value: client, indexed: true });
  rt.emit('verifier-balance', fields);
}

const common = (id: number, record: Allocation | Claim): BuiltinEventField[] => [
  { key: 'id', value: id, indexed: true },
  { key: 'client', value: record.client, indexed: true },
  { key: 'provider', value: record.provider, indexed: true },
  { key: 'piece-cid', value: record.data, indexed: true },
  { key: 'piece-size', value: record.size },
  { key: 'term-min', value: record.termMin },
  { key: 'term-max', value: record.termMax },
];

export function emitAllocation(rt: ActorRuntime, type: 'allocation' | 'allocation-removed', id: number, allocation: Allocation): void {
  rt.emit(type, [...common(id, allocation), { key: 'expiration', value: allocation.expiration }]);
}

export function emitClaim(rt: ActorRuntime, type: 'claim' | 'claim-updated' | 'claim-removed', id: number, claim: Claim): void {
  rt.emit(type, [...common(id, claim), { key: 'term-start', value: claim.termStart }, { key: 'sector', value: claim.sector, indexed: true }]);
}
