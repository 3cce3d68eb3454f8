// The wallet and pool methods the lotus CLI and wallets use, through the JSON-RPC server: WalletNew
// (secp256k1, bls, delegated), WalletExport/Import/Delete, WalletDefaultAddress/SetDefault, WalletSign
// and WalletVerify, WalletValidateAddress; MpoolPushMessage from a key held or an impersonated account; MpoolCheckMessages, MpoolCheckPendingMessages,
// MpoolCheckReplaceMessages, MpoolBatchPush, MpoolBatchPushMessage, MpoolGetConfig, MpoolSelect,
// MpoolSub; MarketAddBalance, MarketWithdraw, MarketGetReserved.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_MNEMONIC } from '../../src/config.js';
import { deriveNodeKeys } from '../../src/devnet/node-keys.js';
import { FilAddress, Protocol } from '../../src/common/address.js';
import { hexToBytes } from '../../src/common/hex.js';
import { METHOD_INVOKE_CONTRACT } from '../../src/fevm/message.js';
import { t410 } from '../helpers/f410.js';
import { setupRpc, setupWebSocketRpc } from '../helpers/rpc-harness.js';

const FIL = 10n ** 18n;
const CLIENT = deriveNodeKeys(DEFAULT_MNEMONIC).dealClient.address.toString();
const data = Buffer.from('fvm-devnet wallet test').toString('base64');
const transfer = (from: string, to: string, value: bigint, extra: Record<string, unknown> = {}) => ({ From: from, To: to, Value: value.toString(), Method: 0, ...extra });

describe('wallet', () => {
  test('WalletNew makes secp256k1, BLS and delegated keys that sign what WalletVerify accepts', async (t) => {
    const { result, error } = await setupRpc(t);
    const prefixes = { secp256k1: /^t1/, bls: /^t3/, delegated: /^t410f/ };
    for (const [type, prefix] of Object.entries(prefixes)) {
      const address = await result('Filecoin.WalletNew', [type]);
      assert.match(address, prefix);
      assert.equal(await result('Filecoin.WalletHas', [address]), true);
      const signature = await result('Filecoin.WalletSign', [address, data]);
      assert.equal(signature.Type, { secp256k1: 1, bls: 2, delegated: 3 }[type]);
      assert.equal(await result('Filecoin.WalletVerify', [address, data, signature]), true);
      assert.equal(await result('Filecoin.WalletVerify', [address, Buffer.from('other').toString('base64'), signature]), false);
      assert.equal(await result('Filecoin.WalletVerify', [CLIENT, data, signature]), false);
      // Exported, deleted and imported again: the same address.
      const key = await result('Filecoin.WalletExport', [address]);
      assert.equal(key.Type, type);
      assert.equal(await result('Filecoin.WalletDelete', [address]), null);
      assert.equal(await result('Filecoin.WalletHas', [address]), false);
      assert.match((await error('Filecoin.WalletExport', [address])).message, /failed to find key to export: key not found for t/);
      assert.equal(await result('Filecoin.WalletImport', [key]), address);
    }
    const bad = await error('Filecoin.WalletNew', ['ed25519']);
    assert.equal(bad.code, -32602);
    assert.match(bad.message, /'keyType'/);
  });

  test('ID addresses (P4): WalletSign and WalletSignMessage sign with the key an ID names; MpoolPush refuses an ID sender', async (t) => {
    const { result, error } = await setupRpc(t);
    const id = await result('Filecoin.StateLookupID', [CLIENT, null]);
    const signature = await result('Filecoin.WalletSign', [id, data]);
    assert.equal(await result('Filecoin.WalletVerify', [CLIENT, data, signature]), true);
    // An Ethereum account's ID signs with its f410 key.
    const delegated = await result('Filecoin.WalletNew', ['delegated']);
    await result('Filecoin.MpoolPushMessage', [transfer(CLIENT, delegated, FIL), null]);
    const delegatedId = await result('Filecoin.StateLookupID', [delegated, null]);
    assert.equal((await result('Filecoin.WalletSign', [delegatedId, data])).Type, 3);

    const nonce = await result('Filecoin.MpoolGetNonce', [CLIENT]);
    const fields = { Version: 0, To: 't0100', Value: '1', Nonce: nonce, GasLimit: 5_000_000, GasFeeCap: '1000000000', GasPremium: '100000', Method: 0, Params: null };
    const fromId = await result('Filecoin.WalletSignMessage', [id, { ...fields, From: id }]);
    const refused = await error('Filecoin.MpoolPush', [fromId]);
    assert.equal(refused.code, 1);
    assert.equal(refused.message, `signature verification failed: failed to validate signature: invalid signature for message ${fromId.CID['/']} (type 1): must resolve ID addresses before using them to verify a signature`);
    // A delegated signature on a message From an ID: Lotus's AuthenticateMessage rebuilds the Ethereum
    // transaction (EthAddressFromFilecoinAddress takes an ID: its masked address), then lib/sigs Verify
    // refuses the ID signer (chain/consensus/signatures.go, lib/sigs/sigs.go, at b835fab70).
    const ethFields = { ...fields, To: 't0100', Nonce: 0, Method: METHOD_INVOKE_CONTRACT };
    const delegatedFromId = await result('Filecoin.WalletSignMessage', [delegatedId, { ...ethFields, From: delegatedId }]);
    assert.equal(delegatedFromId.Signature.Type, 3);
    assert.equal(
      (await error('Filecoin.MpoolPush', [delegatedFromId])).message,
      `signature verification failed: failed to validate signature: invalid signature for message ${delegatedFromId.CID['/']} (type 3): must resolve ID addresses before using them to verify a signature`,
    );
    // From another f410 than the key's: lib/sigs/delegated Verify names both.
    const other = t410('0x52963ef50e27e06d72d59fcb4f3c2a687be3cfef');
    const fromOther = await result('Filecoin.WalletSignMessage', [delegatedId, { ...ethFields, From: other }]);
    assert.equal(
      (await error('Filecoin.MpoolPush', [fromOther])).message,
      `signature verification failed: failed to validate signature: invalid signature for message ${fromOther.CID['/']} (type 3): signature did not match maybeaddr: ${delegated}, signer: ${other}`,
    );
    const fromKey = await result('Filecoin.WalletSignMessage', [id, { ...fields, From: CLIENT }]);
    assert.deepEqual(await result('Filecoin.MpoolPush', [fromKey]), fromKey.CID);

    // A key the wallet lacks is MultiWallet's "key not found"; an ID that names no account fails to resolve.
    const stranger = 't1ick6svk3i23qdgn74hz2yu4wsoryzuaw4h3jk4y';
    assert.equal((await error('Filecoin.WalletSign', [stranger, data])).message, `key not found for ${stranger}`);
    assert.equal((await error('Filecoin.WalletSignMessage', [stranger, { ...fields, From: stranger }])).message, `failed to sign message: key not found for ${stranger}`);
    assert.equal((await error('Filecoin.WalletSign', ['t099999', data])).message, 'failed to resolve ID address: %!w(address.Address=<empty>)');
  });

  test('the deal client is the default address until another is set; deleting the default leaves none', async (t) => {
    const { result, error } = await setupRpc(t);
    assert.equal(await result('Filecoin.WalletDefaultAddress'), CLIENT);
    const mine = await result('Filecoin.WalletNew', ['bls']);
    assert.equal(await result('Filecoin.WalletDefaultAddress'), CLIENT);
    assert.equal(await result('Filecoin.WalletSetDefault', [mine]), null);
    assert.equal(await result('Filecoin.WalletDefaultAddress'), mine);
    await result('Filecoin.WalletDelete', [mine]);
    assert.match((await error('Filecoin.WalletSetDefault', [mine])).message, /key info not found/);
    assert.match((await error('Filecoin.WalletDefaultAddress')).message, /failed to get default key: key info not found/);
  });

  test('WalletValidateAddress parses any network prefix; a bad one is -32602', async (t) => {
    const { result, error } = await setupRpc(t);
    assert.equal(await result('Filecoin.WalletValidateAddress', [CLIENT.replace(/^t/, 'f')]), CLIENT);
    const bad = await error('Filecoin.WalletValidateAddress', ['t1nope']);
    assert.equal(bad.code, -32602);
    assert.match(bad.message, /'address'/);
  });

  test('a delegated key funded from the deal client sends with MpoolPushMessage as an Ethereum transaction', async (t) => {
    const { result, error } = await setupRpc(t);
    const f410 = await result('Filecoin.WalletNew', ['delegated']);
    await result('Filecoin.MpoolPushMessage', [transfer(CLIENT, f410, 10n * FIL), null]);
    const sent = await result('Filecoin.MpoolPushMessage', [transfer(f410, 't0100', FIL, { Method: METHOD_INVOKE_CONTRACT }), null]);
    assert.equal(sent.Signature.Type, 3);
    const lookup = await result('Filecoin.StateSearchMsg', [null, sent.CID, -1, true]);
    assert.equal(lookup.Receipt.ExitCode, 0);
    const hash = await result('Filecoin.EthGetTransactionHashByCid', [sent.CID]);
    const tx = await result('eth_getTransactionByHash', [hash]);
    assert.equal(tx.to, '0xff00000000000000000000000000000000000064');
    assert.equal(BigInt(tx.value), FIL);
    // What a delegated key cannot sign as an Ethereum transaction, and a key the node lacks, in the words
    // of Lotus's messagesigner (SigningBytes, then WalletSign: chain/messagesigner/messagesigner.go) (W3).
    const f1 = await result('Filecoin.WalletNew', ['secp256k1']);
    const cannot = 'failed to reconstruct eth transaction: failed to get eth params and recipient: ';
    assert.deepEqual(await error('Filecoin.MpoolPushMessage', [transfer(f410, f1, FIL), null]), {
      code: 1,
      message: `${cannot}invalid methodnum 0: only allowed method is InvokeContract(${METHOD_INVOKE_CONTRACT}) or CreateExternal(4)`,
    });
    assert.deepEqual(await error('Filecoin.MpoolPushMessage', [transfer(f410, f1, FIL, { Method: METHOD_INVOKE_CONTRACT }), null]), { code: 1, message: `${cannot}invalid Filecoin Eth address` });
    // WalletSignMessage refuses them alike, as Lotus's wallet calls SigningBytes too (node/impl/full/wallet.go:56), and
    // a version other than 0 first (Eth1559TxArgsFromUnsignedFilecoinMessage); one it can sign, MpoolPush takes (reread-s54 A.4).
    const unsigned = { Version: 0, From: f410, To: 't0100', Value: '1', Nonce: 1, GasLimit: 5_000_000, GasFeeCap: '1000000000', GasPremium: '100000', Method: METHOD_INVOKE_CONTRACT, Params: null };
    const signMessage = async (fields: Record<string, unknown>) => (await error('Filecoin.WalletSignMessage', [f410, { ...unsigned, ...fields }])).message;
    assert.equal(await signMessage({ Method: 0 }), `${cannot}invalid methodnum 0: only allowed method is InvokeContract(${METHOD_INVOKE_CONTRACT}) or CreateExternal(4)`);
    assert.equal(await signMessage({ To: f1 }), `${cannot}invalid Filecoin Eth address`);
    // CBOR 1, not a byte string.
    assert.equal(await signMessage({ Params: 'AQ==' }), `${cannot}failed to read params byte array: expected cbor type 'byte string' in input`);
    assert.equal(await signMessage({ Version: 1 }), 'failed to reconstruct eth transaction: unsupported msg version: 1');
    const signed = await result('Filecoin.WalletSignMessage', [f410, unsigned]);
    assert.deepEqual(await result('Filecoin.MpoolPush', [signed]), signed.CID);
    await result('Filecoin.WalletDelete', [f410]);
    // Its key gone: the signing bytes are still refused first, then the key is missed (Lotus: SigningBytes by the address's protocol, then WalletSign; final-s54 D2).
    assert.equal(await signMessage({ Method: 0 }), `${cannot}invalid methodnum 0: only allowed method is InvokeContract(${METHOD_INVOKE_CONTRACT}) or CreateExternal(4)`);
    assert.equal(await signMessage({}), `failed to sign message: key not found for ${f410}`);
    assert.deepEqual(await error('Filecoin.MpoolPushMessage', [transfer(f410, 't0100', FIL, { Method: METHOD_INVOKE_CONTRACT }), null]), {
      code: 1,
      message: `failed to sign message: key not found for ${f410}, addr=${f410}`,
    });
  });

  test('an f1 account the node holds no key for sends with MpoolPushMessage while impersonated by its masked ID', async (t) => {
    const { result, error } = await setupRpc(t);
    const f1 = await result('Filecoin.WalletNew', ['secp256k1']);
    await result('Filecoin.MpoolPushMessage', [transfer(CLIENT, f1, 10n * FIL), null]);
    await result('Filecoin.WalletDelete', [f1]);
    assert.match((await error('Filecoin.MpoolPushMessage', [transfer(f1, 't0100', FIL), null])).message, /^failed to sign message: key not found for t1\w+, addr=t1\w+$/);
    const id = Number((await result('Filecoin.StateLookupID', [f1, null])).slice(2));
    const masked = `0xff${'0'.repeat(22)}${id.toString(16).padStart(16, '0')}`;
    await result('anvil_impersonateAccount', [masked]);
    const sent = await result('Filecoin.MpoolPushMessage', [transfer(f1, 't0100', FIL), null]);
    assert.equal(sent.Message.From, f1);
    assert.equal((await result('Filecoin.StateSearchMsg', [null, sent.CID, -1, true])).Receipt.ExitCode, 0);
    await result('anvil_stopImpersonatingAccount', [masked]);
    assert.match((await error('Filecoin.MpoolPushMessage', [transfer(f1, 't0100', FIL), null])).message, /^failed to sign message: key not found for t1\w+, addr=t1\w+$/);
  });
});

describe('message pool checks', () => {
  test('MpoolCheckMessages answers Lotus\'s checks in order; nonce, funds, fee and syntax problems are named', async (t) => {
    const { result } = await setupRpc(t);
    const nonce = await result('Filecoin.MpoolGetNonce', [CLIENT]);
    const good = { Version: 0, From: CLIENT, To: 't0100', Nonce: nonce, Value: '1', GasLimit: 10_000_000, GasFeeCap: '1000000000', GasPremium: '100000', Method: 0, Params: null };
    const [checks] = await result('Filecoin.MpoolCheckMessages', [[{ Message: good, ValidNonce: true }]]);
    assert.deepEqual(checks.map((c: { Code: number }) => c.Code), [9, 11, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12]);
    assert.ok(checks.every((c: { OK: boolean }) => c.OK));
    assert.deepEqual(checks[0].Hint, { nonce });
    assert.equal(checks[9].Err, '');
    // Under ten times the base fee is a warning only: OK with an Err.
    const [warned] = await result('Filecoin.MpoolCheckMessages', [[{ Message: { ...good, GasFeeCap: '200000000' }, ValidNonce: true }]]);
    assert.deepEqual(warned[9], { Cid: warned[0].Cid, Code: 8, OK: true, Err: 'GasFeeCap less than base fee upper bound for inclusion in next 20 epochs', Hint: { baseFeeUpperBound: '1000000000', baseFee: '100000000' } });

    const failures = async (message: object, validNonce = true) => {
      const [list] = await result('Filecoin.MpoolCheckMessages', [[{ Message: message, ValidNonce: validNonce }]]);
      return list.filter((c: { OK: boolean }) => !c.OK).map((c: { Code: number; Err: string }) => [c.Code, c.Err]);
    };
    assert.deepEqual(await failures({ ...good, Nonce: nonce + 3 }), [[10, `message nonce doesn't match next nonce (${nonce})`]]);
    assert.deepEqual(await failures({ ...good, Nonce: nonce + 3 }, false), []);
    assert.deepEqual(await failures({ ...good, Value: (1_000_000n * FIL).toString() }), [[12, 'insufficient balance']]);
    // A sender with no actor fails getStateNonce's lookup with the state tree's words (P1).
    const stranger = 't1ick6svk3i23qdgn74hz2yu4wsoryzuaw4h3jk4y';
    assert.deepEqual(await failures({ ...good, From: stranger }), [[9, `error retrieving state nonce: resolution lookup failed (${stranger}): resolve address ${stranger}: actor not found`]]);
    // Lotus's minimum includes the sender's update (nv18): 500 000 is below it; its hint is a GasCharge.
    assert.deepEqual(await failures({ ...good, GasLimit: 500_000 }), [[4, 'GasLimit less than epoch minimum gas']]);
    const { minGas } = checks.find((c: { Code: number }) => c.Code === 4).Hint;
    assert.deepEqual({ ...minGas, StorageGas: 0 }, { Name: 'OnChainMessage', Extra: null, ComputeGas: 513_863, StorageGas: 0, VirtualCompute: 0, VirtualStorage: 0 });
    assert.equal(minGas.StorageGas % 1_300, 0);
    assert.deepEqual(await failures({ ...good, GasLimit: minGas.ComputeGas + minGas.StorageGas }), []);
    assert.deepEqual(await failures({ ...good, GasFeeCap: '50', GasPremium: '10' }), [
      [5, 'GasFeeCap less than minimum base fee'],
    ]);
    assert.deepEqual(await failures({ ...good, GasFeeCap: '1000', GasPremium: '10' }), [
      [6, 'GasFeeCap less than current base fee'],
      [7, 'GasFeeCap less than base fee lower bound for inclusion in next 20 epochs'],
    ]);
    // A syntactically invalid message stops after the validity check.
    const [invalid] = await result('Filecoin.MpoolCheckMessages', [[{ Message: { ...good, GasPremium: '2000000000' }, ValidNonce: true }]]);
    assert.deepEqual(invalid.at(-1), { Cid: invalid[0].Cid, Code: 3, OK: false, Err: "syntactically invalid message: 'GasFeeCap' less than 'GasPremium'", Hint: null });
  });

  test('pending and replacement checks count the sender\'s pending messages; MpoolSelect shows what the miner takes', async (t) => {
    const { result, error } = await setupRpc(t, { noMining: true });
    assert.equal(await result('Filecoin.MpoolCheckPendingMessages', [CLIENT]), null);
    assert.equal(await result('Filecoin.MpoolSelect', [null, 0.9]), null);
    const [first, second] = await result('Filecoin.MpoolBatchPushMessage', [[transfer(CLIENT, 't0100', FIL), transfer(CLIENT, 't0101', FIL)], null]);
    assert.deepEqual([first.Message.Nonce, second.Message.Nonce], [0, 1]);
    const pending = await result('Filecoin.MpoolCheckPendingMessages', [CLIENT]);
    assert.equal(pending.length, 2);
    assert.ok(pending.flat().every((c: { OK: boolean }) => c.OK));
    assert.deepEqual(pending[1].find((c: { Code: number }) => c.Code === 10).Hint, { nextNonce: 1 });
    const selected = await result('Filecoin.MpoolSelect', [null, 0.9]);
    assert.deepEqual(selected.map((m: { CID: unknown }) => m.CID), [first.CID, second.CID]);
    // A replacement of the second with a higher premium: both are checked, in nonce order.
    const replacement = { ...second.Message, GasPremium: (BigInt(second.Message.GasPremium) * 2n).toString() };
    const replaced = await result('Filecoin.MpoolCheckReplaceMessages', [[replacement]]);
    assert.equal(replaced.length, 2);
    assert.deepEqual(replaced[1][0].Cid, { '/': (await result('Filecoin.WalletSignMessage', [CLIENT, replacement])).Message.CID['/'] });
    await result('evm_mine');
    assert.equal(await result('Filecoin.MpoolCheckPendingMessages', [CLIENT]), null);
    assert.equal((await error('Filecoin.MpoolCheckMessages', [[{ Message: { ...first.Message, To: 'nope' } }]])).code, -32602);
    // A message past a nonce gap is pending but cannot run: none selected, [] (Lotus answers null only for an empty pool).
    assert.equal(await result('Filecoin.MpoolSelect', [null, 0.9]), null);
    const gap = { ...first.Message, Nonce: second.Message.Nonce + 2 };
    await result('Filecoin.MpoolPush', [await result('Filecoin.WalletSignMessage', [CLIENT, gap])]);
    assert.deepEqual(await result('Filecoin.MpoolSelect', [null, 0.9]), []);
  });

  test('MpoolPush and MpoolBatchPush refuse a send to an f4 address that is no Ethereum address (P5: Lotus sanityCheckOutgoingMessage)', async (t) => {
    const { result, error } = await setupRpc(t);
    const nonce = await result('Filecoin.MpoolGetNonce', [CLIENT]);
    for (const to of [t410(new Uint8Array(21).fill(7)), t410('0xff00000000000000000000000000000000000064')]) {
      const signed = await result('Filecoin.WalletSignMessage', [CLIENT, { Version: 0, To: to, From: CLIENT, Value: '1', Nonce: nonce, GasLimit: 5_000_000, GasFeeCap: '1000000000', GasPremium: '100000', Method: 0, Params: null }]);
      const expected = `message ${signed.CID['/']} from ${CLIENT} with nonce ${nonce} failed sanity check: message recipient ${to} is a delegated address but not a valid Eth Address`;
      assert.equal((await error('Filecoin.MpoolPush', [signed])).message, expected);
      assert.equal((await error('Filecoin.MpoolBatchPush', [[signed]])).message, expected);
    }
    assert.equal(await result('Filecoin.MpoolGetNonce', [CLIENT]), nonce);
    // A batch is checked whole first: a good message before a bad one is not pushed either (Lotus MpoolBatchPush).
    const good = await result('Filecoin.WalletSignMessage', [CLIENT, { Version: 0, To: 't0100', From: CLIENT, Value: '1', Nonce: nonce, GasLimit: 5_000_000, GasFeeCap: '1000000000', GasPremium: '100000', Method: 0, Params: null }]);
    const bad = await result('Filecoin.WalletSignMessage', [CLIENT, { ...good.Message, Nonce: nonce + 1, To: t410(new Uint8Array(21).fill(7)) }]);
    assert.match((await error('Filecoin.MpoolBatchPush', [[good, bad]])).message, /failed sanity check/);
    assert.match((await error('Filecoin.MpoolBatchPushUntrusted', [[good, bad]])).message, /failed sanity check/);
    // MpoolBatchPushMessage too, with its own text (review2 Q2).
    const blackHole = t410(new Uint8Array(21).fill(7));
    assert.equal(
      (await error('Filecoin.MpoolBatchPushMessage', [[transfer(CLIENT, 't0100', 1n), transfer(CLIENT, blackHole, 1n)], null])).message,
      `message #1 from ${CLIENT} with failed sanity check: message recipient ${blackHole} is a delegated address but not a valid Eth Address`,
    );
    assert.equal(await result('Filecoin.MpoolGetNonce', [CLIENT]), nonce);
  });

  test('MpoolPushUntrusted and MpoolBatchPushUntrusted push as MpoolPush does, with the untrusted cap of 100 pending messages a sender', async (t) => {
    const { result, error } = await setupRpc(t, { noMining: true });
    const nonce = await result('Filecoin.MpoolGetNonce', [CLIENT]);
    const sign = (n: number) => result('Filecoin.WalletSignMessage', [CLIENT, { Version: 0, To: 't0100', From: CLIENT, Value: '1', Nonce: n, GasLimit: 1_000_000, GasFeeCap: '1000000000', GasPremium: '100000', Method: 0, Params: null }]);
    const first = await sign(nonce);
    assert.deepEqual(await result('Filecoin.MpoolPushUntrusted', [first]), first.CID);
    const batch = await Promise.all(Array.from({ length: 99 }, (_, i) => sign(nonce + 1 + i)));
    assert.deepEqual(await result('Filecoin.MpoolBatchPushUntrusted', [batch]), batch.map((m) => m.CID));
    const over = await sign(nonce + 100);
    assert.equal((await error('Filecoin.MpoolPushUntrusted', [over])).message, 'failed to add locked: too many pending messages for actor');
    // The trusted push takes it (1 000 a sender).
    assert.deepEqual(await result('Filecoin.MpoolPush', [over]), over.CID);
  });

  test('MpoolBatchPush pushes signed messages in order; MpoolGetConfig shows Lotus\'s defaults', async (t) => {
    const { result } = await setupRpc(t);
    const nonce = await result('Filecoin.MpoolGetNonce', [CLIENT]);
    const base = { Version: 0, From: CLIENT, Value: '1', GasLimit: 10_000_000, GasFeeCap: '1000000000', GasPremium: '100000', Method: 0, Params: null };
    const signed = [
      await result('Filecoin.WalletSignMessage', [CLIENT, { ...base, To: 't0100', Nonce: nonce }]),
      await result('Filecoin.WalletSignMessage', [CLIENT, { ...base, To: 't0101', Nonce: nonce + 1 }]),
    ];
    const cids = await result('Filecoin.MpoolBatchPush', [signed]);
    assert.deepEqual(cids, signed.map((s) => s.CID));
    for (const cid of cids) assert.equal((await result('Filecoin.StateSearchMsg', [null, cid, -1, true])).Receipt.ExitCode, 0);
    assert.deepEqual(await result('Filecoin.MpoolGetConfig'), {
      PriorityAddrs: null,
      SizeLimitHigh: 30000,
      SizeLimitLow: 20000,
      ReplaceByFeeRatio: 1.25,
      PruneCooldown: 60000000000,
      GasLimitOverestimation: 1.25,
    });
  });

  test('MpoolSub sends an update when a message joins the pool and when a tipset takes it', async (t) => {
    const { devnet, call, waitFor, channelValues } = await setupWebSocketRpc(t, { noMining: true });
    const channel = await call('Filecoin.MpoolSub');
    await call('Filecoin.MpoolPushMessage', [transfer(CLIENT, 't0100', FIL), null]);
    await waitFor(() => channelValues(channel).length === 1);
    const [added] = channelValues(channel);
    assert.equal(added.Type, 0);
    assert.equal(added.Message.Message.From, CLIENT);
    await devnet.mine();
    await waitFor(() => channelValues(channel).length === 2);
    assert.deepEqual(channelValues(channel)[1], { Type: 1, Message: added.Message });
  });
});

describe('gas estimates and the fees MpoolPushMessage fills (Lotus node/impl/gasutils, CapGasFee)', () => {
  const idleFeeCap = (baseFee: bigint, premium: bigint) => (baseFee * 2699n) / 256n + premium; // floor(1.125^20 × 256) = 2699

  test('GasEstimateGasPremium reads the premiums the chain paid; GasEstimateFeeCap takes 1.125^n in 256ths', async (t) => {
    const { result, error } = await setupRpc(t, { noMining: true });
    // An idle chain: MinGasPremium's floors for one, two and more blocks.
    const premium = (blocks: number) => result('Filecoin.GasEstimateGasPremium', [blocks, CLIENT, 0, null]);
    assert.deepEqual([await premium(0), await premium(1), await premium(2), await premium(10)], ['200000', '200000', '150000', '100000']);
    await result('Filecoin.MpoolPushMessage', [transfer(CLIENT, 't0100', 1n, { GasLimit: 10_000_000, GasFeeCap: '1000000000', GasPremium: '500000000' }), null]);
    await result('evm_mine');
    // Lotus's walk starts at the parent of the tipset asked for: the head's own message counts from the next tipset on.
    assert.deepEqual([await premium(1), await premium(10)], ['200000', '100000']);
    const holding = (await result('Filecoin.ChainHead')).Cids;
    await result('evm_mine');
    assert.deepEqual([await premium(1), await premium(10)], ['500000000', '500000000']);
    // By key: the tipset holding the message does not count it, its child does.
    assert.equal(await result('Filecoin.GasEstimateGasPremium', [1, CLIENT, 0, holding]), '200000');
    // The head's base fee times floor(1.125^n × 256) / 256, plus the message's premium.
    const feeCap = (premium: string, blocks: number, key: unknown = null) => result('Filecoin.GasEstimateFeeCap', [{ ...transfer(CLIENT, 't0100', 1n), GasPremium: premium }, blocks, key]);
    assert.equal(await feeCap('0', 20, holding), '922509765');
    assert.equal(await feeCap('100', 20, holding), '922509865');
    assert.equal(await feeCap('0', 0, holding), '87500000');
    assert.equal(await feeCap('0', 1, holding), '98437500');
    // Past a uint64 factor Lotus's answer depends on the machine: refused, naming the parameter.
    assert.match((await error('Filecoin.GasEstimateFeeCap', [transfer(CLIENT, 't0100', 1n), 400, null])).message, /maxQueueBlocks 400/);
  });

  // Lotus's MpoolPushMessage pushes in its message signer's callback, which wraps what the pool refuses
  // (lotus b835fab70 node/impl/full/mpool.go, chain/messagesigner/messagesigner.go SignMessage) (X18).
  test('MpoolPushMessage: what the pool refuses is "mpool push: failed to push message: …"; nothing is sent', async (t) => {
    const { result, error } = await setupRpc(t);
    const nonce = await result('Filecoin.MpoolGetNonce', [CLIENT]);
    assert.deepEqual(await error('Filecoin.MpoolPushMessage', [transfer(CLIENT, 't0100', 1n, { GasFeeCap: '50', GasPremium: '10' }), null]), {
      code: 1,
      message: 'mpool push: failed to push message: gas fee cap too low',
    });
    assert.equal(await result('Filecoin.MpoolGetNonce', [CLIENT]), nonce);
  });

  test('GasEstimateMessageGas and MpoolPushMessage fill the premium for 10 blocks, the fee cap for 20, and cap the fee at 0.07 FIL or the MaxFee asked', async (t) => {
    const { result } = await setupRpc(t, { noMining: true });
    const estimate = (gasLimit: number, spec: unknown) => result('Filecoin.GasEstimateMessageGas', [transfer(CLIENT, 't0100', 1n, { GasLimit: gasLimit }), spec, null]);
    // 1e8 of gas at the uncapped fee cap would reserve 0.105 FIL: capped to 0.07 FIL / 1e8.
    const capped = await estimate(100_000_000, null);
    assert.deepEqual([capped.GasPremium, capped.GasFeeCap], ['100000', '700000000']);
    const allowed = await estimate(100_000_000, { MaxFee: (FIL / 2n).toString(), MsgUuid: '00000000-0000-0000-0000-000000000000', MaximizeFeeCap: false });
    assert.equal(allowed.GasFeeCap, idleFeeCap(100_000_000n, 100_000n).toString());
    // Under the cap, the fee cap stands, unless MaximizeFeeCap asks for all of MaxFee.
    assert.equal((await estimate(10_000_000, null)).GasFeeCap, idleFeeCap(100_000_000n, 100_000n).toString());
    assert.equal((await estimate(10_000_000, { MaxFee: '0', MaximizeFeeCap: true })).GasFeeCap, '7000000000');
    // A premium above the capped fee cap is lowered to it.
    const lowered = await result('Filecoin.GasEstimateMessageGas', [transfer(CLIENT, 't0100', 1n, { GasLimit: 100_000_000, GasPremium: '900000000' }), null, null]);
    assert.deepEqual([lowered.GasPremium, lowered.GasFeeCap], ['700000000', '700000000']);
    const pushed = await result('Filecoin.MpoolPushMessage', [transfer(CLIENT, 't0100', 1n, { GasLimit: 100_000_000 }), null]);
    assert.deepEqual([pushed.Message.GasPremium, pushed.Message.GasFeeCap], ['100000', '700000000']);
    const [batched] = await result('Filecoin.MpoolBatchPushMessage', [[transfer(CLIENT, 't0100', 1n, { GasLimit: 100_000_000 })], { MaxFee: FIL.toString() }]);
    assert.equal(batched.Message.GasFeeCap, idleFeeCap(100_000_000n, 100_000n).toString());
  });
});

describe('MpoolPushMessage\'s own checks (Lotus node/impl/full/mpool.go)', () => {
  test('a nonce other than 0 is refused; a MsgUuid pushed before answers the message pushed then', async (t) => {
    const { result, error } = await setupRpc(t, { noMining: true });
    assert.deepEqual(await error('Filecoin.MpoolPushMessage', [transfer(CLIENT, 't0100', 1n, { Nonce: 5 }), null]), { code: 1, message: 'MpoolPushMessage expects message nonce to be 0, was 5' });
    const spec = { MaxFee: '0', MsgUuid: '5F1F6A56-4D7C-4B8E-9C55-3A3C1F1D2E11', MaximizeFeeCap: false };
    const first = await result('Filecoin.MpoolPushMessage', [transfer(CLIENT, 't0100', 1n), spec]);
    const again = await result('Filecoin.MpoolPushMessage', [transfer(CLIENT, 't0101', 2n), { ...spec, MsgUuid: spec.MsgUuid.toLowerCase() }]);
    assert.deepEqual(again, first);
    // The zero UUID names no push: each is its own.
    const none = { ...spec, MsgUuid: '00000000-0000-0000-0000-000000000000' };
    const [a, b] = [await result('Filecoin.MpoolPushMessage', [transfer(CLIENT, 't0100', 1n), none]), await result('Filecoin.MpoolPushMessage', [transfer(CLIENT, 't0100', 1n), none])];
    assert.notDeepEqual(a.CID, b.CID);
    assert.equal((await result('Filecoin.MpoolPending', [null])).length, 3);
    assert.equal((await error('Filecoin.MpoolPushMessage', [transfer(CLIENT, 't0100', 1n), { MsgUuid: 'nope' }])).code, -32602);
    // An f4 address outside the EAM's namespace is no Ethereum address: refused before anything else.
    assert.deepEqual(await error('Filecoin.MpoolPushMessage', [transfer(CLIENT, 't432f77777777x32lpna', 1n, { Nonce: 5 }), null]), {
      code: 1,
      message: `message from ${CLIENT} failed sanity check: message recipient t432f77777777x32lpna is a delegated address but not a valid Eth Address`,
    });
    // fidaudit F8h: an f410 of a masked ID parses (go-address takes it) and is refused here, as not an Ethereum address.
    const masked = t410(hexToBytes('0xff00000000000000000000000000000000000064'));
    assert.deepEqual(await error('Filecoin.MpoolPushMessage', [transfer(CLIENT, masked, 1n), null]), {
      code: 1,
      message: `message from ${CLIENT} failed sanity check: message recipient ${masked} is a delegated address but not a valid Eth Address`,
    });
  });

  test('R87: a sender with no key address at the head is refused first, "getting key address: …", before the nonce check and the estimate', async (t) => {
    const { result, error } = await setupRpc(t, { noMining: true });
    const actor = FilAddress.fromPayload(Protocol.Actor, new Uint8Array(20).fill(3)).toString();
    const refusals = {
      [actor]: 'cannot resolve actor address to key address',
      t09999: 'failed to find actor: t09999',
      t0111: 'failed to get account actor state for t0111: actor code is not account: storageminer',
    };
    for (const [from, why] of Object.entries(refusals)) {
      for (const extra of [{}, { Nonce: 5 }]) {
        assert.deepEqual(await error('Filecoin.MpoolPushMessage', [transfer(from, 't0100', 1n, extra), null]), { code: 1, message: `getting key address: ${why}` }, `${from} ${JSON.stringify(extra)}`);
      }
    }
    assert.deepEqual(await result('Filecoin.MpoolPending', [null]), []);
  });

  test('the value and the most the gas can cost must fit the balance before anything is signed; a sender with no actor fails the estimate, code 1', async (t) => {
    const { result, error } = await setupRpc(t);
    const f1 = await result('Filecoin.WalletNew', ['secp256k1']);
    const estimated = await error('Filecoin.GasEstimateMessageGas', [transfer(f1, 't0100', 1n), null, null]);
    assert.deepEqual(estimated, { code: 1, message: `gas estimation failed: CallWithGas failed: sender ${f1} not found on chain: sender validation failed` });
    assert.deepEqual(await error('Filecoin.MpoolPushMessage', [transfer(f1, 't0100', 1n), null]), { code: 1, message: `GasEstimateMessageGas error: ${estimated.message}` });
    await result('Filecoin.MpoolPushMessage', [transfer(CLIENT, f1, FIL), null]);
    const nonce = await result('Filecoin.MpoolGetNonce', [f1]);
    const refused = await error('Filecoin.MpoolPushMessage', [transfer(f1, 't0100', FIL - 1000n, { GasLimit: 1_000_000 }), null]);
    const feeCap = BigInt((await result('Filecoin.GasEstimateMessageGas', [transfer(f1, 't0100', 1n, { GasLimit: 1_000_000 }), null, null])).GasFeeCap);
    assert.deepEqual(refused, { code: 1, message: `mpool push: not enough funds: ${FIL} < ${FIL - 1000n + feeCap * 1_000_000n}` });
    assert.equal(await result('Filecoin.MpoolGetNonce', [f1]), nonce);
    assert.equal(await result('Filecoin.WalletBalance', [f1]), FIL.toString());
  });
});

describe("the ID sender of a gas estimate (X8: Lotus gasutils.go resolves it to its key address first, stmgr.go ResolveToDeterministicAddress)", () => {
  test('an ID with no actor, or of an actor neither an account nor with an f4 address, is refused as a failed resolution; an account\'s ID is resolved and estimates as the same send, cheaper only by its shorter address', async (t) => {
    const { result, error } = await setupRpc(t);
    const id = await result('Filecoin.StateLookupID', [CLIENT, null]);
    // The same send: only its shorter sender address makes it cheaper, by Lotus's 1 300 storage gas a byte.
    const shorter = FilAddress.parse(CLIENT).bytes.length - FilAddress.parse(id).bytes.length;
    const byKey = await result('Filecoin.GasEstimateGasLimit', [transfer(CLIENT, 't0100', 1n), null]);
    assert.equal(await result('Filecoin.GasEstimateGasLimit', [transfer(id, 't0100', 1n), null]), byKey - shorter * 1300);
    const unknown = 't09999';
    assert.deepEqual(await error('Filecoin.GasEstimateGasLimit', [transfer(unknown, 't0100', 1n), null]), {
      code: 1,
      message: `gas estimation failed: resolving sender ${unknown} (failed to find actor: ${unknown}): sender validation failed`,
    });
    assert.deepEqual(await error('Filecoin.GasEstimateMessageGas', [transfer('t0111', 't0100', 1n), null, null]), {
      code: 1,
      message: 'gas estimation failed: resolving sender t0111 (failed to get account actor state for t0111: actor code is not account: storageminer): sender validation failed',
    });
    // An actor (f2) address never resolves to a key address, before any state is read (X10: stmgr.go, case address.Actor).
    const f2 = 't24vg6ut43yw2h2jqydgbg2xq7x6f4kub3bg6as6i';
    for (const [method, params] of [
      ['Filecoin.GasEstimateGasLimit', [transfer(f2, 't0100', 1n), null]],
      ['Filecoin.GasEstimateMessageGas', [transfer(f2, 't0100', 1n), null, null]],
    ] as const) {
      assert.deepEqual(await error(method, [...params]), { code: 1, message: `gas estimation failed: resolving sender ${f2} (cannot resolve actor address to key address): sender validation failed` });
    }
  });

  test("is tried in the state of its key's parent first, then in the key's own (final-s51 D4: stmgr.go ResolveToDeterministicAddress): an account the tipset's own state lacks still resolves", async (t) => {
    const { devnet, result, error } = await setupRpc(t);
    const f1 = await result('Filecoin.WalletNew', ['secp256k1']);
    await result('Filecoin.MpoolPushMessage', [{ From: CLIENT, To: f1, Value: FIL.toString(), Method: 0 }, null]);
    await result('evm_mine');
    const id = await result('Filecoin.StateLookupID', [f1, null]);
    // No actor deletes an account: the head's own state is edited to stand for a tipset whose messages deleted it.
    await devnet.cheats.editState((state) => state.deleteActor(FilAddress.parse(id).id!));
    const { Cids: key } = await result('Filecoin.ChainHead');
    await assert.rejects(result('Filecoin.StateGetActor', [id, null]), /actor not found/);
    // Its parent's state resolves the ID (StateAccountKey is the same resolution); then, as Lotus, the call on the head finds no sender.
    assert.equal(await result('Filecoin.StateAccountKey', [id, key]), f1);
    const transfer = { From: id, To: 't0100', Value: '1', Method: 0 };
    assert.equal((await error('Filecoin.GasEstimateGasLimit', [transfer, key])).message, `gas estimation failed: CallWithGas failed: sender ${id} not found on chain: sender validation failed`);
  });

  test("at a dropped tipset, is tried in the state its block ran on, not the chain's at its parent's epoch now, where an edit made after the revert took the ID (A2.2: Lotus reads ts.ParentState())", async (t) => {
    const { result } = await setupRpc(t);
    const snapshot = await result('evm_snapshot');
    const f1 = await result('Filecoin.WalletNew', ['secp256k1']);
    const { CID: cid } = await result('Filecoin.MpoolPushMessage', [{ From: CLIENT, To: f1, Value: FIL.toString(), Method: 0 }, null]);
    // The tipset whose messages made f1's actor.
    const { TipSet: key } = await result('Filecoin.StateWaitMsg', [cid, 0, -1, false]);
    const id = await result('Filecoin.StateLookupID', [f1, key]);
    await result('evm_revert', [snapshot]);
    // After the revert, a new Ethereum address's placeholder takes the same ID in the chain's state at the dropped tipset's parent epoch.
    const other = '0x52963ef50e27e06d72d59fcb4f3c2a687be3cfef';
    await result('anvil_setBalance', [other, '0x1']);
    assert.equal(await result('Filecoin.StateLookupID', [t410(other), null]), id);
    // The dropped tipset's parent state has no such ID (its own messages made it): its own state answers f1.
    assert.equal(await result('Filecoin.StateAccountKey', [id, key]), f1);
  });
});

describe('a message replaced by fee (P8: Lotus chain/stmgr/searchwait.go SearchForMessage, tipsetExecutedMessage)', () => {
  /** A send from the node's default key, signed with the wallet and pushed as `lotus mpool replace` does. */
  async function pushSigned(result: (method: string, params?: unknown[]) => Promise<any>, fields: Record<string, unknown>): Promise<{ '/': string }> {
    const signed = await result('Filecoin.WalletSignMessage', [CLIENT, { Version: 0, To: 't0100', From: CLIENT, Value: '1', GasLimit: 5_000_000, GasFeeCap: '1000000000', Method: 0, Params: null, ...fields }]);
    return result('Filecoin.MpoolPush', [signed]);
  }

  test('its replacement answers for it with allowReplaced (v0 always); without, search is null and wait an error; ChainGetMessage reads it', async (t) => {
    const { app, result, error } = await setupRpc(t, { noMining: true });
    const v0 = async (method: string, params: unknown[]) => (await app.inject({ method: 'POST', url: '/rpc/v0', payload: { jsonrpc: '2.0', id: 1, method, params } })).json();
    const nonce = await result('Filecoin.MpoolGetNonce', [CLIENT]);
    const first = await pushSigned(result, { Nonce: nonce, GasPremium: '100000' });
    const waiting = result('Filecoin.StateWaitMsg', [first, 0, -1, true]);
    const waitingV0 = v0('Filecoin.StateWaitMsg', [first, 0]);
    const second = await pushSigned(result, { Nonce: nonce, GasPremium: '200000' });
    assert.equal(await result('Filecoin.StateSearchMsg', [null, first, -1, true]), null);
    const before = await result('Filecoin.ChainHead');
    await result('evm_mine');

    const lookup = await result('Filecoin.StateSearchMsg', [null, first, -1, true]);
    assert.deepEqual(lookup.Message, second);
    assert.equal(lookup.Receipt.ExitCode, 0);
    assert.deepEqual(lookup, await result('Filecoin.StateSearchMsg', [null, second, -1, true]));
    assert.deepEqual((await waiting).Message, second);
    assert.deepEqual((await waitingV0).result.Message, second);
    assert.deepEqual((await v0('Filecoin.StateSearchMsg', [first])).result.Message, second);
    // Searched back from a tipset before the replacement was mined: not there.
    assert.equal(await result('Filecoin.StateSearchMsg', [before.Cids, first, -1, true]), null);

    assert.equal(await result('Filecoin.StateSearchMsg', [null, first, -1, false]), null);
    const replaced = await error('Filecoin.StateWaitMsg', [first, 0, -1, false]);
    assert.equal(replaced.code, 1);
    assert.equal(replaced.message, `message was replaced: found message with equal nonce as the one we are looking for (F:${first['/']} n ${nonce}, TS: ${second['/']} n${nonce})`);
    // The unsigned message (its CID is the unsigned one's, as Lotus's ChainGetMessage answers).
    const read = await result('Filecoin.ChainGetMessage', [first]);
    assert.deepEqual([read.GasPremium, read.Nonce], ['100000', nonce]);
  });

  test('the hashes of a pending native message and of replaced messages map to their CIDs and back (P5f: Lotus EthGetMessageCidByTransactionHash)', async (t) => {
    const { result, send } = await setupRpc(t, { noMining: true });
    const nonce = await result('Filecoin.MpoolGetNonce', [CLIENT]);
    const first = await pushSigned(result, { Nonce: nonce, GasPremium: '100000' });
    const firstHash = await result('Filecoin.EthGetTransactionHashByCid', [first]);
    assert.deepEqual(await result('Filecoin.EthGetMessageCidByTransactionHash', [firstHash]), first);
    await pushSigned(result, { Nonce: nonce, GasPremium: '200000' });
    assert.deepEqual(await result('Filecoin.EthGetMessageCidByTransactionHash', [firstHash]), first);
    assert.equal(await result('Filecoin.EthGetTransactionHashByCid', [first]), firstHash);
    // An Ethereum transaction replaced by fee: its hash still names its message.
    const low = await send({ nonce: 0, maxPriorityFeePerGas: 100_000n, maxFeePerGas: 10n ** 10n });
    const lowCid = await result('Filecoin.EthGetMessageCidByTransactionHash', [low]);
    assert.ok(lowCid);
    await send({ nonce: 0, maxPriorityFeePerGas: 300_000n, maxFeePerGas: 10n ** 10n });
    assert.deepEqual(await result('Filecoin.EthGetMessageCidByTransactionHash', [low]), lowCid);
    assert.equal(await result('Filecoin.EthGetTransactionHashByCid', [lowCid]), low);
  });

  test('a different call at its nonce is not a valid replacement: an error with allowReplaced, null without', async (t) => {
    const { result, error } = await setupRpc(t, { noMining: true });
    const nonce = await result('Filecoin.MpoolGetNonce', [CLIENT]);
    const first = await pushSigned(result, { Nonce: nonce, GasPremium: '100000' });
    const other = await pushSigned(result, { Nonce: nonce, GasPremium: '200000', Value: '2' });
    await result('evm_mine');
    const notValid = `message was replaced: found message with equal nonce as the one we are looking for that is NOT a valid replacement message (F:${first['/']} n ${nonce}, TS: ${other['/']} n${nonce})`;
    assert.equal((await error('Filecoin.StateSearchMsg', [null, first, -1, true])).message, notValid);
    assert.equal((await error('Filecoin.StateWaitMsg', [first, 0, -1, true])).message, notValid);
    assert.equal(await result('Filecoin.StateSearchMsg', [null, first, -1, false]), null);
    // One tipset later Lotus finds it searching back, and says so (review R1b).
    await result('evm_mine');
    assert.equal((await error('Filecoin.StateSearchMsg', [null, first, -1, true])).message, `checking for message execution during lookback: ${notValid}`);
  });

  test('StateReplay of a replaced message replays its replacement; of a pending one "didn\'t find msg" (review R1a: Lotus StateReplay searches as StateSearchMsg)', async (t) => {
    const { result, error } = await setupRpc(t, { noMining: true });
    const nonce = await result('Filecoin.MpoolGetNonce', [CLIENT]);
    const first = await pushSigned(result, { Nonce: nonce, GasPremium: '100000' });
    assert.equal((await error('Filecoin.StateReplay', [null, first])).message, `didn't find msg ${first['/']}`);
    const second = await pushSigned(result, { Nonce: nonce, GasPremium: '200000' });
    await result('evm_mine');
    const replayed = await result('Filecoin.StateReplay', [null, first]);
    assert.deepEqual([replayed.MsgCid, replayed.MsgRct.ExitCode], [second, 0]);
  });
});

describe('market funds', () => {
  test('MarketAddBalance and MarketWithdraw move escrow from and to the wallet; nothing is reserved', async (t) => {
    const { result, error } = await setupRpc(t);
    const added = await result('Filecoin.MarketAddBalance', [CLIENT, CLIENT, (2n * FIL).toString()]);
    assert.equal((await result('Filecoin.StateSearchMsg', [null, added, -1, true])).Receipt.ExitCode, 0);
    assert.equal((await result('Filecoin.StateMarketBalance', [CLIENT, null])).Escrow, (2n * FIL).toString());
    const withdrawn = await result('Filecoin.MarketWithdraw', [CLIENT, CLIENT, FIL.toString()]);
    assert.equal((await result('Filecoin.StateSearchMsg', [null, withdrawn, -1, true])).Receipt.ExitCode, 0);
    assert.equal((await result('Filecoin.StateMarketBalance', [CLIENT, null])).Escrow, FIL.toString());
    assert.match((await error('Filecoin.MarketWithdraw', [CLIENT, CLIENT, (5n * FIL).toString()])).message, /insufficient funds for withdrawal of 5 FIL: net available \(1 FIL\)/);
    assert.equal(await result('Filecoin.MarketGetReserved', [CLIENT]), '0');
    assert.equal((await error('Filecoin.MarketAddBalance', [CLIENT, CLIENT, '-1'])).code, -32602);
  });
});
