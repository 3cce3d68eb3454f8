// The verified registry's calls to the datacap token (f07), in whole bytes of DataCap: the token
// counts 10^18 units per byte. A failed call aborts with the token's exit code, as
// builtin-actors' extract_send_result does, under the registry's context.
import { FilAddress } from '../../../common/address.js';
import { decodeBigInt, encodeBigInt } from '../../../common/cbor.js';
import { DATACAP_ACTOR_ID } from '../../actor.js';
import { TOKEN_PRECISION } from '../datacap/frc46.js';
import { methodNumber, type ActorRuntime, type SendOptions } from '../runtime.js';
import { sendResult } from '../shared.js';

const DATACAP = FilAddress.fromId(DATACAP_ACTOR_ID);

export const datacapToTokens = (bytes: bigint): bigint => bytes * TOKEN_PRECISION;
export const tokensToDatacap = (tokens: bigint): bigint => tokens / TOKEN_PRECISION;

async function call(rt: ActorRuntime, method: string, params: unknown, context: string, options?: SendOptions): Promise<unknown> {
  return sendResult(await rt.send(DATACAP, methodNumber(method), params, options), context);
}

/** A holder's balance, in bytes. */
export async function datacapBalance(rt: ActorRuntime, owner: FilAddress): Promise<bigint> {
  const tokens = await call(rt, 'Balance', owner.bytes, `failed to query datacap balance of ${owner.toString('f')}`, { readOnly: true });
  return tokensToDatacap(tokens instanceof Uint8Array ? decodeBigInt(tokens) : 0n);
}

/** Mints to a client, letting `operators` spend all of it. */
export async function mintDatacap(rt: ActorRuntime, to: FilAddress, bytes: bigint, operators: FilAddress[], context: string): Promise<void> {
  await call(rt, 'Mint', [to.bytes, encodeBigInt(datacapToTokens(bytes)), operators.map((o) => o.bytes)], `${context}: failed to send mint to datacap`);
}

/** Burns tokens the registry holds (for claimed allocations and claim extensions). */
export async function burnDatacap(rt: ActorRuntime, bytes: bigint): Promise<void> {
  if (bytes === 0n) return;
  await call(rt, 'Burn', [encodeBigInt(datacapToTokens(bytes))], 'failed to send burn to datacap');
}

/** Transfers tokens the registry holds back to a client. */
export async function transferDatacap(rt: ActorRuntime, to: number, bytes: bigint, context: string): Promise<void> {
  await call(rt, 'Transfer', [FilAddress.fromId(to).bytes, encodeBigInt(datacapToTokens(bytes)), new Uint8Array()], `${context}: failed to send transfer to datacap`);
}

/** Destroys a client's tokens (the registry is the token's governor). */
export async function destroyDatacap(rt: ActorRuntime, owner: FilAddress, bytes: bigint, context: string): Promise<void> {
  if (bytes === 0n) return;
  await call(rt, 'Destroy', [owner.bytes, encodeBigInt(datacapToTokens(bytes))], `${context}: failed to send destroy to datacap`);
}
