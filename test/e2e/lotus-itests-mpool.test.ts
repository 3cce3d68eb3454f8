// Lotus's message pool, nonce and gas integration tests ported (at b835fab70):
// itests/lookup_robust_address_test.go, self_sent_txn_test.go, mpool_msg_uuid_test.go,
// dup_mpool_messages_test.go, gas_estimation_test.go, mempool_test.go and api_test.go's error types,
// driven over raw JSON-RPC as Lotus's kit drives a node (MpoolPushMessage from the default wallet,
// WalletSignMessage + MpoolPush, StateWaitMsg), so that the tests see Lotus's answers, error texts and
// exit codes. Each test names the itest it ports and asserts what Lotus asserts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FilAddress, Protocol } from '../../src/common/address.js';
import { encodeBigInt, encodeCbor } from '../../src/common/cbor.js';
import { lotusKitSuite, METHOD_INVOKE_CONTRACT } from '../helpers/lotus-contracts.js';

/** exitcode.SysErrInsufficientFunds, SysErrOutOfGas. */
const SYS_ERR_INSUFFICIENT_FUNDS = 6;
const SYS_ERR_OUT_OF_GAS = 7;
/** builtin.BurntFundsActorAddr. */
const BURNT_FUNDS = 't099';
/** config.DefaultDefaultMaxFee: 0.07 FIL. */
const DEFAULT_MAX_FEE = (7n * 10n ** 16n).toString();

interface LotusMessage {
  Version: number;
  To: string;
  From: string;
  Nonce: number;
  Value: string;
  GasLimit: number;
  GasFeeCap: string;
  GasPremium: string;
  Method: number;
  Params: string | null;
}
interface LotusSignedMessage {
  Message: LotusMessage;
  Signature: { Type: number; Data: string };
  CID: { '/': string };
}

/**
 * types.SignedMessage.ChainLength of a secp256k1-signed message without params: its CBOR, the message's
 * ten fields and the signature's type byte and data.
 */
function chainLength({ Message: m, Signature: sig }: LotusSignedMessage): number {
  const address = (a: string) => FilAddress.parse(a).bytes;
  const tokens = (s: string) => encodeBigInt(BigInt(s));
  const message = [m.Version, address(m.To), address(m.From), m.Nonce, tokens(m.Value), m.GasLimit, tokens(m.GasFeeCap), tokens(m.GasPremium), m.Method, new Uint8Array()];
  return encodeCbor([message, Uint8Array.from([sig.Type, ...Buffer.from(sig.Data, 'base64')])]).length;
}

/** vm.PricelistByEpoch(math.MaxInt).OnChainMessage(size).Total(): Hygge's 38 863 + 475 000 compute, 1 300 × (36 + size) storage. */
const onChainMessageGas = (size: number) => 38_863 + 475_000 + 1_300 * (36 + size);

describe("Lotus's mpool, nonce and gas itests (lookup_robust_address, self_sent_txn, mpool_msg_uuid, dup_mpool_messages, gas_estimation, mempool, api; b835fab70)", () => {
  // TestEstimateInclusion's fee cap (10 000) is above the base fee's floor, where Lotus's chain is: an aged chain.
  const { kit } = lotusKitSuite();
  const { rpc } = kit;
  const balance = async (address: string) => BigInt(await rpc('Filecoin.WalletBalance', address));
  const waitMsg = (cid: unknown) => rpc('Filecoin.StateWaitMsg', cid, 3, -1, true);

  test('TestStateLookupRobustAddress: a genesis miner has the f2 address Init mapped it, which StateLookupID resolves back', async () => {
    const [miner] = await rpc('Filecoin.StateListMiners', null);
    const robust: string = await rpc('Filecoin.StateLookupRobustAddress', miner, null);
    assert.equal(FilAddress.parse(robust).protocol, Protocol.Actor);
    assert.equal(await rpc('Filecoin.StateLookupID', robust, null), miner);
  });

  test('TestSelfSentTxnV15 and TestMsgWithoutUuidWithMaxFee: a self-send of half the balance succeeds; one of twice the balance is pooled and fails with SysErrInsufficientFunds', async () => {
    const from = await kit.sender();
    const bal = await balance(from);
    const half = await rpc('Filecoin.MpoolPushMessage', { From: from, To: from, Value: (bal / 2n).toString() }, { MaxFee: DEFAULT_MAX_FEE });
    assert.equal((await waitMsg(half.CID)).Receipt.ExitCode, 0);
    const quarter = await rpc('Filecoin.MpoolPushMessage', { From: from, To: from, Value: (bal / 4n).toString() }, { MaxFee: DEFAULT_MAX_FEE });
    assert.equal(quarter.Message.Value, (bal / 4n).toString());
    assert.equal((await waitMsg(quarter.CID)).Receipt.ExitCode, 0);

    const nonce: number = await rpc('Filecoin.MpoolGetNonce', from);
    const over = { Version: 0, From: from, To: from, Nonce: nonce, Value: (2n * bal).toString(), GasLimit: 10_000_000_000, GasPremium: '10000000000', GasFeeCap: '100000000000', Method: 0, Params: null };
    const signed = await rpc('Filecoin.WalletSignMessage', from, over);
    const cid = await rpc('Filecoin.MpoolPush', signed);
    assert.deepEqual(cid, signed.CID);
    assert.equal((await waitMsg(cid)).Receipt.ExitCode, SYS_ERR_INSUFFICIENT_FUNDS);
  });

  test('TestDuplicateMpoolMessages: MpoolPushMessage with a MsgUuid pushed before answers that message again and sends nothing', async () => {
    const from = await kit.sender();
    const message = { From: from, To: BURNT_FUNDS, Value: '10000' };
    const spec = { MsgUuid: crypto.randomUUID() };
    const first = await rpc('Filecoin.MpoolPushMessage', message, spec);
    await waitMsg(first.CID);
    const remaining = await balance(from);
    const again = await rpc('Filecoin.MpoolPushMessage', message, spec);
    assert.deepEqual(again, first);
    await waitMsg(again.CID);
    assert.equal(await balance(from), remaining);
  });

  test('TestEstimateGasNoFunds: GasEstimateGasLimit from an account with no funds estimates', async () => {
    const from = await kit.sender();
    const empty: string = await rpc('Filecoin.WalletNew', 'bls');
    const created = await rpc('Filecoin.MpoolPushMessage', { From: from, To: empty, Value: '0' }, null);
    assert.equal((await waitMsg(created.CID)).Receipt.ExitCode, 0);
    // account.Methods.PubkeyAddress
    const limit: number = await rpc('Filecoin.GasEstimateGasLimit', { From: empty, To: from, Method: 2, Value: '0' }, null);
    assert.ok(limit > 0);
  });

  test('TestEstimateInclusion: a message with the inclusion cost as limit uses exactly it, an actor creation with it runs out of gas, the sender alone pays the burn, one gas less is refused', async () => {
    const from = await kit.sender();
    const burntBefore = await balance(BURNT_FUNDS);
    const balanceBefore = await balance(from);
    const nonce: number = await rpc('Filecoin.MpoolGetNonce', from);
    const message = { Version: 0, From: from, To: from, Nonce: nonce, Value: '0', GasLimit: 0, GasFeeCap: '10000', GasPremium: '0', Method: 0, Params: null };
    const sign = (): Promise<LotusSignedMessage> => rpc('Filecoin.WalletSignMessage', from, message);
    let signed = await sign();
    // The limit is part of the message whose length prices it: signed again until it is a fixed point.
    for (let i = 0; onChainMessageGas(chainLength(signed)) !== message.GasLimit; i++) {
      assert.ok(i < 10, 'unable to estimate gas');
      message.GasLimit = onChainMessageGas(chainLength(signed));
      signed = await sign();
    }
    let lookup = await waitMsg(await rpc('Filecoin.MpoolPush', signed));
    assert.equal(lookup.Receipt.ExitCode, 0);
    assert.equal(lookup.Receipt.GasUsed, message.GasLimit);

    // An address of the same length (the last byte changed) with no actor: creating it runs out of gas.
    const bytes = FilAddress.parse(from).bytes.slice();
    bytes[bytes.length - 1] = (bytes[bytes.length - 1]! + 1) % 256;
    message.Nonce = nonce + 1;
    message.To = FilAddress.fromBytes(bytes).toString();
    lookup = await waitMsg(await rpc('Filecoin.MpoolPush', await sign()));
    assert.equal(lookup.Receipt.ExitCode, SYS_ERR_OUT_OF_GAS);
    assert.equal(lookup.Receipt.GasUsed, message.GasLimit);

    // No miner was fined: what the sender spent is what was burnt.
    assert.equal((await balance(BURNT_FUNDS)) - burntBefore, balanceBefore - (await balance(from)));

    message.Nonce = nonce + 2;
    message.To = from;
    message.GasLimit -= 1;
    const { error } = await kit.raw('Filecoin.MpoolPush', [await sign()]);
    assert.match(error?.message ?? '', /will not be included in a block/);
    assert.match(error?.message ?? '', /cannot be less than the cost of storing a message/);
  });

  test("api_test.go testOutOfGasError: GasEstimateMessageGas of a message that runs out of gas at the block gas limit fails with api.ErrOutOfGas (code 2)", async () => {
    // Lotus lowers the block gas limit to 2 for a plain send; here a contract that loops forever
    // (JUMPDEST PUSH1 0 JUMP) runs out of the real one.
    const loop = await kit.deployCode('0x6004600c60003960046000f35b600056');
    assert.equal(loop.lookup.Receipt.ExitCode, 0);
    const message = { From: await kit.sender(), To: loop.id, Method: METHOD_INVOKE_CONTRACT, Params: 'QA==' /* no input: an empty CBOR byte string */, Value: '0' };
    const outOfGas = { code: 2, message: 'call ran out of gas' };
    assert.deepEqual((await kit.raw('Filecoin.GasEstimateMessageGas', [message, null, null])).error, outOfGas);
    assert.deepEqual((await kit.raw('Filecoin.GasEstimateGasLimit', [message, null])).error, outOfGas);
    // MpoolPushMessage wraps it (xerrors.Errorf("GasEstimateMessageGas error: %w")), so go-jsonrpc answers code 1.
    assert.deepEqual((await kit.raw('Filecoin.MpoolPushMessage', [message, null])).error, { code: 1, message: 'GasEstimateMessageGas error: call ran out of gas' });
  });

  test('api_test.go testLookupNotFoundError: StateLookupID of a new key fails with api.ErrActorNotFound (code 11)', async () => {
    const fresh: string = await rpc('Filecoin.WalletNew', 'secp256k1');
    assert.deepEqual((await kit.raw('Filecoin.StateLookupID', [fresh, null])).error, { code: 11, message: 'actor not found' });
  });

  test('TestMemPoolPushOutgoingInvalidDelegated: an f4 recipient that is not an Ethereum address is refused', async () => {
    const from = await kit.sender();
    const { error } = await kit.raw('Filecoin.MpoolPushMessage', [{ From: from, To: 'f410f74aaaaaaaaaaaaaaaaaaaaaaaaac5sh2bf3lgta', Value: ((await balance(from)) / 10n).toString() }, null]);
    assert.match(error?.message ?? '', /is a delegated address but not a valid Eth Address/);
  });
});
