// Payment channel steps the paych tests share: a voucher signed with the node's WalletSign (what a
// payer's node makes), and a channel opened by a plain Init Exec, which the node's payment channel
// manager never sees (what a payee's node learns from a voucher). Both over a JSON-RPC `ok` call.
import { FilAddress } from '../../src/common/address.js';
import { CID, decodeCbor, encodeBigInt, encodeCbor } from '../../src/common/cbor.js';

/** A JSON-RPC call answering its result (raw-rpc.ts's `ok`). */
export type OkCall = <T = any>(method: string, ...params: unknown[]) => Promise<T>;

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/**
 * A voucher for `amount` on `channel` (lane 0 and nonce 1 unless given), signed by `signer` with
 * WalletSign over its SigningBytes (its CBOR with a null signature), in Lotus's JSON.
 */
export async function signedVoucherJson(ok: OkCall, signer: string, channel: string, { amount, lane = 0, nonce = 1, timeLockMin = 0 }: { amount: bigint; lane?: number; nonce?: number; timeLockMin?: number }) {
  const fields = [FilAddress.parse(channel).bytes, timeLockMin, 0, new Uint8Array(), null, lane, nonce, encodeBigInt(amount), 0, []];
  const signature = await ok('Filecoin.WalletSign', signer, base64(encodeCbor([...fields, null])));
  return { ChannelAddr: channel, TimeLockMin: timeLockMin, TimeLockMax: 0, SecretHash: null, Extra: null, Lane: lane, Nonce: nonce, Amount: amount.toString(), MinSettleHeight: 0, Merges: null, Signature: signature };
}

/** A channel from `from` (a key the node holds) to `to` holding `amount`, opened by Init Exec with MpoolPushMessage: its robust address. */
export async function openChannelByExec(ok: OkCall, from: string, to: string, amount: bigint): Promise<string> {
  const code = (await ok('Filecoin.StateActorCodeCIDs', await ok('Filecoin.StateNetworkVersion', null))).paymentchannel;
  const params = encodeCbor([CID.parse(code['/']), encodeCbor([FilAddress.parse(from).bytes, FilAddress.parse(to).bytes])]);
  const signed = await ok('Filecoin.MpoolPushMessage', { From: from, To: 't01', Value: amount.toString(), Method: 2, Params: base64(params) }, null);
  const { Receipt } = await ok('Filecoin.StateWaitMsg', signed.CID, 0, -1, true);
  if (Receipt.ExitCode !== 0) throw new Error(`Init Exec of a channel failed with exit code ${Receipt.ExitCode}`);
  const [, robust] = decodeCbor<[Uint8Array, Uint8Array]>(Buffer.from(Receipt.Return, 'base64'));
  return FilAddress.fromBytes(robust).toString();
}
