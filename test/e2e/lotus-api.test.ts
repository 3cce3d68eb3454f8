// Filecoin tools against the devnet, unmodified: iso-filecoin's wallet signs messages from f1 (secp256k1)
// and f3 (BLS) accounts funded at genesis, its RPC client pushes them through Filecoin.MpoolPush and
// waits with Filecoin.StateWaitMsg, and reads ChainHead, StateGetActor and WalletBalance; a message
// replaced by fee is waited for (plain JSON-RPC POSTs) as its replacement, as Lotus answers.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { encode as encodeCbor } from '@ipld/dag-cbor';
import { Contract, ContractFactory, JsonRpcProvider, Wallet } from 'ethers';
import { Message } from 'iso-filecoin/message';
import { RPC } from 'iso-filecoin/rpc';
import { accountFromPrivateKey, signMessage } from 'iso-filecoin/wallet';
import { FilAddress } from '../../src/common/address.js';
import { CID } from '../../src/common/cbor.js';
import { compileFixtures } from '../helpers/solc.js';
import { DEV_ACCOUNTS, pollUntil } from '../helpers/devnet-process.js';
import { listeningRpc, tipsetListeners } from '../helpers/rpc-harness.js';
import { useDevnet } from '../helpers/use-devnet.js';

const secp = accountFromPrivateKey(new Uint8Array(32).fill(7), 'SECP256K1', 'testnet');
const bls = accountFromPrivateKey(new Uint8Array(32).fill(9), 'BLS', 'testnet');
const FIL = 10n ** 18n;
const INVOKE_EVM = 3844450837;

/** Signs, pushes and waits for a message the way a Lotus client does; returns the MsgLookup. */
async function sendAndWait(rpc: RPC, account: typeof secp, fields: { to: string; value?: string; method?: number; params?: string }) {
  const message = await new Message({ from: account.address.toString(), value: '0', ...fields }).prepare(rpc);
  const pushed = await rpc.pushMessage({ msg: message, signature: signMessage(account.privateKey, account.type, message) });
  assert.equal(pushed.error, undefined, `MpoolPush failed: ${pushed.error?.message}`);
  const waited = await rpc.waitMsg({ cid: pushed.result! });
  assert.equal(waited.error, undefined, `StateWaitMsg failed: ${waited.error?.message}`);
  return { cid: pushed.result!, lookup: waited.result as unknown as { Receipt: { ExitCode: number }; Height: number } };
}

describe('Lotus API with iso-filecoin', () => {
  const node = useDevnet(['--fund', `${secp.address.toString()}=1000`, '--fund', `${bls.address.toString()}=1000`]);
  let rpc: RPC;
  let provider: JsonRpcProvider;

  before(() => {
    rpc = new RPC({ api: `${node.url}/rpc/v1`, network: 'testnet' });
    provider = node.provider;
  });

  test('ChainHead, StateGetActor and WalletBalance read the funded f1 account', async () => {
    const head = await rpc.chainHead();
    assert.equal(head.error, undefined);
    assert.equal(head.result!.Height, 0);
    assert.match(head.result!.Cids[0]['/'], /^bafy2bza/);
    const balance = await rpc.balance(secp.address.toString());
    assert.equal(balance.result, (1000n * FIL).toString());
    const actor = await rpc.call<{ Balance: string; Nonce: number; Code: { '/': string } }>({
      method: 'Filecoin.StateGetActor',
      params: [secp.address.toString(), null],
    });
    assert.equal(actor.error, undefined);
    assert.equal(actor.result!.Balance, (1000n * FIL).toString());
    assert.equal(actor.result!.Nonce, 0);
  });

  test('an f1 account sends FIL to an Ethereum account through MpoolPush and StateWaitMsg', async () => {
    const recipient = DEV_ACCOUNTS[3].address;
    const before = await provider.getBalance(recipient);
    const to = (await rpc.call<string>({ method: 'Filecoin.EthAddressToFilecoinAddress', params: [recipient] })).result!;
    const { lookup } = await sendAndWait(rpc, secp, { to, value: (2n * FIL).toString() });
    assert.equal(lookup.Receipt.ExitCode, 0);
    assert.equal(await provider.getBalance(recipient), before + 2n * FIL);
    const nonce = await rpc.nonce(secp.address.toString());
    assert.equal(nonce.result, 1);
  });

  test('an f3 (BLS) account sends FIL too', async () => {
    const to = secp.address.toString();
    const before = BigInt((await rpc.balance(to)).result!);
    const { lookup } = await sendAndWait(rpc, bls, { to, value: FIL.toString() });
    assert.equal(lookup.Receipt.ExitCode, 0);
    assert.equal(BigInt((await rpc.balance(to)).result!), before + FIL);
  });

  test('a contract called by an f1 account sees its masked ID as msg.sender', async () => {
    const { SenderRecorder } = await compileFixtures();
    const deployer = new Wallet(DEV_ACCOUNTS[0].privateKey, provider);
    const factory = new ContractFactory(SenderRecorder.abi, SenderRecorder.bytecode, deployer);
    const recorder = (await (await factory.deploy()).waitForDeployment()) as Contract;
    const contractTo = (await rpc.call<string>({ method: 'Filecoin.EthAddressToFilecoinAddress', params: [await recorder.getAddress()] })).result!;
    const calldata = recorder.interface.encodeFunctionData('record');
    const params = Buffer.from(encodeCbor(Buffer.from(calldata.slice(2), 'hex'))).toString('base64');
    const { lookup } = await sendAndWait(rpc, secp, { to: contractTo, value: '5', method: INVOKE_EVM, params });
    assert.equal(lookup.Receipt.ExitCode, 0);
    const id = (await rpc.stateLookupID({ address: secp.address.toString() })).result!;
    const masked = '0xff' + BigInt(id.slice(2)).toString(16).padStart(38, '0');
    assert.equal((await recorder.lastSender()).toLowerCase(), masked);
    assert.equal(await recorder.lastValue(), 5n);
  });

  // builtin-actors v18 actors/evm/src/lib.rs: the dispatcher checks the params (none 16, a DAG-CBOR-only
  // method given CBOR 16, the wrong type 21), then each method its caller (18); Lotus's eth_getStorageAt
  // is GetStorageAt sent from f00 (node/impl/eth/lookup.go). They answered 22 here before.
  test('EVM methods 1, 2, 5, 6 pushed by an f1 account answer as the actor does; GetStorageAt from t00 (StateCall) reads a slot', async () => {
    const { SenderRecorder } = await compileFixtures();
    const deployer = new Wallet(DEV_ACCOUNTS[0].privateKey, provider);
    const recorder = (await (await new ContractFactory(SenderRecorder.abi, SenderRecorder.bytecode, deployer).deploy()).waitForDeployment()) as Contract;
    await (await recorder.record({ value: 9 })).wait();
    const to = (await rpc.call<string>({ method: 'Filecoin.EthAddressToFilecoinAddress', params: [await recorder.getAddress()] })).result!;
    const push = async (method: number, params: Uint8Array | undefined) => {
      const fields = { to, from: secp.address.toString(), value: '0', method, gasLimit: 50_000_000, gasFeeCap: '1000000000', gasPremium: '200000' };
      const message = await new Message({ ...fields, params: params ? Buffer.from(params).toString('base64') : '' }).prepare(rpc);
      const pushed = await rpc.pushMessage({ msg: message, signature: signMessage(secp.privateKey, secp.type, message) });
      const waited = await rpc.waitMsg({ cid: pushed.result! });
      return (waited.result as unknown as { Receipt: { ExitCode: number; Return: string | null } }).Receipt;
    };
    const creator = new Uint8Array(20).fill(1);
    const answers = [
      [1, undefined, 16],
      [5, undefined, 16],
      [2, encodeCbor([7]), 21],
      [1, encodeCbor([creator, new Uint8Array()]), 18],
      [2, encodeCbor([creator, new Uint8Array()]), 18],
      [5, encodeCbor([new Uint8Array([1])]), 18],
      [6, encodeCbor([creator]), 16],
    ] as const;
    for (const [method, params, exitCode] of answers) {
      const { ExitCode, Return } = await push(method, params);
      assert.deepEqual({ ExitCode, Return }, { ExitCode: exitCode, Return: null }, `method ${method}`);
    }
    const slots = await Promise.all([0, 1].map((slot) => provider.getStorage(recorder, slot)));
    for (const [slot, expected] of slots.entries()) {
      const params = Buffer.from(encodeCbor([new Uint8Array([slot])])).toString('base64');
      const call = { From: 't00', To: to, Value: '0', Method: 5, Params: params, Nonce: 0, GasLimit: 0, GasFeeCap: '0', GasPremium: '0', Version: 0 };
      const answer = (await rpc.call<{ MsgRct: { ExitCode: number; Return: string } }>({ method: 'Filecoin.StateCall', params: [call, null] })).result!;
      assert.equal(answer.MsgRct.ExitCode, 0);
      // A CBOR byte string of the value's big-endian bytes without leading zeros, as Lotus reads it into 32.
      const value = Buffer.from(answer.MsgRct.Return, 'base64').subarray(1);
      assert.equal(BigInt(`0x${value.toString('hex') || '0'}`), BigInt(expected), `slot ${slot}`);
    }
  });

  test('a message replaced by fee is found and waited for as its replacement (P8: Lotus SearchForMessage with allowReplaced)', async () => {
    const post = async (method: string, params: unknown[], path = '/rpc/v1') => {
      const res = await fetch(`${node.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
      return (await res.json()) as { result?: any; error?: { code: number; message: string } };
    };
    const push = async (message: Message) => {
      const pushed = await rpc.pushMessage({ msg: message, signature: signMessage(secp.privateKey, secp.type, message) });
      assert.equal(pushed.error, undefined, `MpoolPush failed: ${pushed.error?.message}`);
      return pushed.result!;
    };
    assert.equal((await post('evm_setAutomine', [false], '/')).error, undefined);
    try {
      const first = await new Message({ from: secp.address.toString(), to: bls.address.toString(), value: '1' }).prepare(rpc);
      const firstCid = await push(first);
      // A wait begun while it is pending, as `lotus send` then `lotus state wait-msg` do.
      const waiting = post('Filecoin.StateWaitMsg', [firstCid, 0, -1, true]);
      // `lotus mpool replace`: the same call with a higher premium (and fee cap).
      const premium = BigInt(first.gasPremium) * 2n;
      const second = new Message({ ...first, gasPremium: premium.toString(), gasFeeCap: (BigInt(first.gasFeeCap) + premium).toString() });
      const secondCid = await push(second);
      assert.equal((await post('evm_mine', [], '/')).error, undefined);

      const waited = await waiting;
      assert.deepEqual([waited.result?.Message, waited.result?.Receipt.ExitCode], [secondCid, 0]);
      const searched = await post('Filecoin.StateSearchMsg', [null, firstCid, -1, true]);
      assert.deepEqual(searched.result.Message, secondCid);
      assert.deepEqual((await post('Filecoin.StateWaitMsg', [firstCid, 0], '/rpc/v0')).result.Message, secondCid);
      assert.equal((await post('Filecoin.StateSearchMsg', [null, firstCid, -1, false])).result, null);
      assert.match((await post('Filecoin.StateWaitMsg', [firstCid, 0, -1, false])).error!.message, /^message was replaced: found message with equal nonce/);
      assert.equal((await post('Filecoin.ChainGetMessage', [firstCid])).result.GasPremium, first.gasPremium);
      // Its hash still names it (P5f), as the hash of a pending message does.
      const firstHash = (await post('Filecoin.EthGetTransactionHashByCid', [firstCid])).result;
      assert.deepEqual((await post('Filecoin.EthGetMessageCidByTransactionHash', [firstHash])).result, firstCid);
      // An address with no actor is Lotus's ErrActorNotFound (P5e); an ID is answered as it is.
      const unknown = (await post('Filecoin.StateLookupID', [accountFromPrivateKey(new Uint8Array(32).fill(5), 'SECP256K1', 'testnet').address.toString(), null])).error;
      assert.deepEqual([unknown?.code, unknown?.message], [11, 'actor not found']);
      assert.equal((await post('Filecoin.StateLookupID', ['t099999', null])).result, 't099999');
    } finally {
      await post('evm_setAutomine', [true], '/');
    }
  });

  test('a bad signature is refused and changes nothing', async () => {
    const message = await new Message({ from: secp.address.toString(), to: bls.address.toString(), value: '1' }).prepare(rpc);
    const forged = signMessage(bls.privateKey, bls.type, message);
    const pushed = await rpc.pushMessage({ msg: message, signature: forged });
    assert.ok(pushed.error, 'a message signed by another key must be refused');
    assert.match(pushed.error!.message, /signature/);
    assert.equal((await rpc.nonce(secp.address.toString())).result, message.nonce);
  });
});

describe('StateWaitMsg by the unsigned CID iso-filecoin computes, over HTTP (Lotus WaitForMessage: searchwait.go)', () => {
  test('a mined secp message below the head: the wait goes on until the client times out, StateSearchMsg answers null meanwhile; then the node has let go of the wait and answers as before', async (t) => {
    // In-process, on a loopback port, so that the node's tipset listeners can be counted.
    const { devnet, url, result: call } = await listeningRpc(t, { fund: [{ address: FilAddress.parse(secp.address.toString()), balance: 1000n * FIL }] });
    const rpc = new RPC({ api: `${url}/rpc/v1`, network: 'testnet' });

    const message = await new Message({ from: secp.address.toString(), to: bls.address.toString(), value: '1' }).prepare(rpc);
    const pushed = await rpc.pushMessage({ msg: message, signature: signMessage(secp.privateKey, secp.type, message) });
    assert.equal(pushed.error, undefined);
    await call('evm_mine');
    const unsigned = { '/': CID.decode(message.cidBytes()).toString() };
    assert.notDeepEqual(unsigned, pushed.result);

    const before = tipsetListeners(devnet);
    const newListener = () => tipsetListeners(devnet).find((listener) => !before.includes(listener));
    // The wait travels on a connection of its own: the node has it once its listener is there.
    const waiting = rpc.waitMsg({ cid: unsigned }, { timeout: 3000 });
    const waiter = await pollUntil('the wait to listen for tipsets', async () => newListener(), { intervalMs: 10 });
    const listening = () => tipsetListeners(devnet).includes(waiter);
    assert.equal(await call('Filecoin.StateSearchMsg', [null, unsigned, -1, false]), null);
    await call('evm_mine');
    assert.ok(listening(), 'the wait goes on past a new tipset');
    const waited = await waiting;
    assert.equal(waited.error?.name, 'TimeoutError');
    // The client's timeout closed its connection; the server sees that close a moment later.
    await pollUntil('the wait to let go of its tipset listener', async () => (listening() ? undefined : true), { intervalMs: 10 });

    // The signed CID is found at once, and the node sends and waits as before.
    const found = (await rpc.waitMsg({ cid: pushed.result! })).result as unknown as { Message: unknown };
    assert.deepEqual(found.Message, pushed.result);
    const { lookup } = await sendAndWait(rpc, secp, { to: bls.address.toString(), value: '1' });
    assert.equal(lookup.Receipt.ExitCode, 0);
  });
});
