// A payment channel with real clients against the devnet CLI, the way `lotus paych` drives one on
// calibnet: the payer, an f1 key only iso-filecoin holds, opens it with Init's Exec of the chain's
// paymentchannel code (pushed with MpoolPush, as PaychGet sends it), signs a voucher off-chain over
// its signing bytes; the payee, a key the node holds, redeems it (UpdateChannelState, MpoolPushMessage)
// and settles; epochs pass (anvil_mine); the payer collects: the payee gets what the voucher redeemed,
// the payer the rest, and the channel is gone. Its state is read with StateReadState and its lanes with
// ChainReadObj, as Lotus's paych manager reads them. Calls go through Glif's Lotus client.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { JsonRpcProvider } from 'ethers';
import { RPC } from 'iso-filecoin/rpc';
import { create, sign } from 'iso-filecoin/wallet';
import { FilAddress } from '../../src/common/address.js';
import { CID, decodeCbor, encodeBigInt, encodeCbor } from '../../src/common/cbor.js';
import { fundFromDefaultWallet, glifClient, pushSignedByIso, type LotusClient } from '../helpers/glif.js';
import { useDevnet } from '../helpers/use-devnet.js';

const FIL = 10n ** 18n;
const FUNDS = 10n * FIL;
const REDEEMED = 3n * FIL;
/** builtin-actors paych SETTLE_DELAY: 12 hours of 30-second epochs. */
const SETTLE_DELAY = 1440;
const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const returned = (receipt: { Return: string }) => Buffer.from(receipt.Return, 'base64');

describe('a payment channel from an iso-filecoin f1 key to a node key: open, voucher, settle, collect', () => {
  const node = useDevnet();
  let lotus: LotusClient;
  let iso: RPC;
  let provider: JsonRpcProvider;

  before(() => {
    lotus = glifClient(node.url);
    iso = new RPC({ api: `${node.url}/rpc/v1`, network: 'testnet' });
    provider = node.provider;
  });

  test('balances move as on calibnet and the channel is deleted', async () => {
    const payer = create('SECP256K1', 'testnet');
    const from = payer.address.toString();
    const to = await lotus.request('WalletNew', 'secp256k1');
    await fundFromDefaultWallet(lotus, [from, to], 100n * FIL);
    /** A message from the payer: iso-filecoin fills nonce and gas, signs, and the node takes it with MpoolPush. */
    const pushFromPayer = async (lotusMessage: Record<string, unknown>): Promise<{ Message: unknown; Receipt: { ExitCode: number; Return: string } }> =>
      pushSignedByIso(lotus, iso, payer, { Version: 0, From: from, Nonce: 0, GasLimit: 0, GasFeeCap: '0', GasPremium: '0', Value: '0', ...lotusMessage });
    const pushFromPayee = async (method: number, params?: Uint8Array) => {
      const signed = await lotus.request('MpoolPushMessage', { From: to, To: channel, Value: '0', Method: method, Params: params ? base64(params) : null }, null);
      return (await lotus.request('StateWaitMsg', signed.CID, 1, -1, true)).Receipt;
    };

    // Open: Init Exec (f01 method 2) of the chain's paymentchannel code with [from, to], funded.
    const code = (await lotus.request('StateActorCodeCIDs', 28)).paymentchannel;
    const execParams = encodeCbor([CID.parse(code['/']), encodeCbor([FilAddress.parse(from).bytes, FilAddress.parse(to).bytes])]);
    const opened = await pushFromPayer({ To: 't01', Method: 2, Value: FUNDS.toString(), Params: base64(execParams) });
    assert.equal(opened.Receipt.ExitCode, 0);
    const [idBytes, robustBytes] = decodeCbor<[Uint8Array, Uint8Array]>(returned(opened.Receipt));
    const channel = FilAddress.fromBytes(robustBytes).toString();
    assert.equal(await lotus.request('StateLookupID', channel, null), FilAddress.fromBytes(idBytes).toString());
    const [fromId, toId] = await Promise.all([from, to].map((address) => lotus.request('StateLookupID', address, null)));
    const actor = await lotus.request('StateGetActor', channel, null);
    assert.deepEqual([actor.Code, actor.Balance], [code, FUNDS.toString()]);
    const opening = (await lotus.request('StateReadState', channel, null)).State;
    assert.deepEqual({ ...opening, LaneStates: undefined }, { From: fromId, To: toId, ToSend: '0', SettlingAt: 0, MinSettleHeight: 0, LaneStates: undefined });

    // A voucher for 3 FIL on lane 0, signed by the payer over the voucher with a null signature (SigningBytes).
    const fields = [FilAddress.parse(channel).bytes, 0, 0, new Uint8Array(), null, 0, 1, encodeBigInt(REDEEMED), 0, []];
    const signature = sign(payer.privateKey, payer.type, encodeCbor([...fields, null]));
    const voucher = [...fields, new Uint8Array([1, ...signature.data])];
    const updateParams = encodeCbor([voucher, new Uint8Array()]);
    // Lotus's JSON of those params (go-state-types paych.UpdateChannelStateParams).
    const decoded = await lotus.request('StateDecodeParams', channel, 2, base64(updateParams), null);
    assert.deepEqual([decoded.Sv.ChannelAddr, decoded.Sv.Lane, decoded.Sv.Nonce, decoded.Sv.Amount, decoded.Sv.Signature.Type], [channel, 0, 1, REDEEMED.toString(), 1]);
    const redeemed = await pushFromPayee(2, updateParams);
    assert.equal(redeemed.ExitCode, 0);
    const afterVoucher = (await lotus.request('StateReadState', channel, null)).State;
    assert.equal(afterVoucher.ToSend, REDEEMED.toString());
    // Its lanes, as Lotus's paych manager reads them: the LaneStates AMT's root block holds lane 0.
    const root = decodeCbor<[number, number, number, [Uint8Array, unknown[], unknown[]]]>(Buffer.from(await lotus.request('ChainReadObj', afterVoucher.LaneStates), 'base64'));
    assert.deepEqual(root, [3, 0, 1, [new Uint8Array([1]), [], [[encodeBigInt(REDEEMED), 1]]]]);

    // The payee settles; after SETTLE_DELAY epochs (a cheat code) the payer collects.
    assert.equal((await pushFromPayee(3)).ExitCode, 0);
    const settlingAt: number = (await lotus.request('StateReadState', channel, null)).State.SettlingAt;
    const settledAt = (await lotus.request('ChainHead')).Height;
    assert.ok(settlingAt >= settledAt + SETTLE_DELAY - 1 && settlingAt <= settledAt + SETTLE_DELAY, `${settlingAt} at ${settledAt}`);
    // Collecting before then: the node refuses the push (its gas estimate fails, as Lotus's does).
    await assert.rejects(pushFromPayer({ To: channel, Method: 4 }), /payment channel not settling or settled \(18\)/);
    await provider.send('anvil_mine', [`0x${(settlingAt - (await lotus.request('ChainHead')).Height).toString(16)}`]);
    const [payerBefore, payeeBefore] = await Promise.all([from, to].map(async (address) => BigInt(await lotus.request('WalletBalance', address))));
    const collected = await pushFromPayer({ To: channel, Method: 4 });
    assert.equal(collected.Receipt.ExitCode, 0);
    const cost = BigInt((await lotus.request('StateReplay', null, collected.Message)).GasCost.TotalCost);
    assert.equal(BigInt(await lotus.request('WalletBalance', to)), payeeBefore + REDEEMED);
    assert.equal(BigInt(await lotus.request('WalletBalance', from)), payerBefore + FUNDS - REDEEMED - cost);
    await assert.rejects(lotus.request('StateGetActor', channel, null), /actor not found/);
  });
});
