// The Lotus (Filecoin.*) methods through the HTTP layer: chain objects with their CIDs, state reads,
// the message pool with a native f1 sender, the Filecoin.Eth* aliases, and ChainNotify over WebSocket.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decode as decodeCbor, encode as encodeCbor } from '@ipld/dag-cbor';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { blake2b } from '@noble/hashes/blake2.js';
import { getCreateAddress, keccak256 } from 'ethers';
import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';
import { FilAddress, Protocol } from '../../src/common/address.js';
import { bigintToBytes, hexToBytes } from '../../src/common/hex.js';
import { signedMessageJson } from '../../src/eth-rpc/lotus-json.js';
import { signedMessage } from '../../src/eth-rpc/lotus-params.js';
import { codeCid } from '../../src/fevm/actor.js';
import { decodeEthTransaction, toFilecoinMessage } from '../../src/fevm/eth-tx.js';
import { methodNumber } from '../../src/fevm/actors/runtime.js';
import { messageCid, METHOD_INVOKE_CONTRACT, signedMessageCid, SigType, type Message } from '../../src/fevm/message.js';
import { secp256k1Address } from '../../src/fevm/signature.js';
import { Mempool } from '../../src/mining/mempool.js';
import { CHAIN_ID, devWallet, RECIPIENT, signTx } from '../helpers/dev-wallet.js';
import { digestOf, setupRpc, setupWebSocketRpc } from '../helpers/rpc-harness.js';

const FIL = 10n ** 18n;
const key = new Uint8Array(32).fill(7);
const f1 = secp256k1Address(secp256k1.getPublicKey(key, false));
const fund = [{ address: f1, balance: 1000n * FIL }];

/** A CIDv1 dag-cbor blake2b-256 of `bytes`, computed here rather than by the devnet. */
const cidOfBytes = (bytes: Uint8Array) => CID.createV1(0x71, Digest.create(0xb220, blake2b(bytes, { dkLen: 32 })));

/** The message in Lotus JSON, signed by the f1 key as Lotus wallets sign (blake2b-256 of the CID bytes). */
function signedJson(message: Message) {
  const digest = blake2b(messageCid(message).bytes, { dkLen: 32 });
  const recovered = secp256k1.sign(digest, key, { prehash: false, format: 'recovered' });
  const signature = new Uint8Array([...recovered.subarray(1), recovered[0]]);
  return {
    Message: {
      Version: 0,
      To: message.to.toString(),
      From: message.from.toString(),
      Nonce: message.nonce,
      Value: message.value.toString(),
      GasLimit: message.gasLimit,
      GasFeeCap: message.gasFeeCap.toString(),
      GasPremium: message.gasPremium.toString(),
      Method: message.method,
      Params: null,
    },
    Signature: { Type: 1, Data: Buffer.from(signature).toString('base64') },
  };
}

/** Pushes `message` signed (its params as given) and answers StateWaitMsg's lookup of it. */
async function pushAndWait(result: (method: string, params: unknown[]) => Promise<any>, message: Message) {
  const json = signedJson(message);
  json.Message.Params = Buffer.from(message.params).toString('base64') as never;
  return await result('Filecoin.StateWaitMsg', [await result('Filecoin.MpoolPush', [json]), 0, -1, true]);
}

/** The EAM's CreateExternal params deploying `runtime` (hex, under 256 bytes). */
function createExternalParams(runtime: string): Uint8Array {
  const length = (runtime.length / 2).toString(16).padStart(2, '0');
  return encodeCbor(hexToBytes(`0x60${length}600c60003960${length}6000f3${runtime}`));
}

const transfer = (nonce: number, value = FIL): Message => ({
  version: 0,
  to: FilAddress.fromEthAddress(Buffer.from(RECIPIENT.slice(2), 'hex')),
  from: f1,
  nonce,
  value,
  gasLimit: 10_000_000,
  gasFeeCap: 10n ** 9n,
  gasPremium: 200_000n,
  method: 0,
  params: new Uint8Array(),
});

describe('Filecoin.* chain methods', () => {
  test('Version, ChainHead and the head block with a CID that hashes its encoding', async (t) => {
    const { result } = await setupRpc(t);
    const version = await result('Filecoin.Version');
    assert.equal(version.APIVersion, 0x020300);
    assert.match(version.Version, /^1\.36\.2/);
    assert.equal(version.Agent, 'lotus');
    const head = await result('Filecoin.ChainHead');
    assert.equal(head.Height, 0);
    assert.equal(head.Blocks.length, 1);
    // Lotus's genesis block names the system actor (chain/gen/genesis/genesis.go MakeGenesisBlock).
    assert.equal(head.Blocks[0].Miner, 't00');
    const blockCid = head.Cids[0]['/'];
    const bytes = Buffer.from(await result('Filecoin.ChainReadObj', [{ '/': blockCid }]), 'base64');
    assert.equal(cidOfBytes(bytes).toString(), blockCid);
    const decoded = decodeCbor<unknown[]>(bytes);
    assert.equal(decoded.length, 16);
    assert.deepEqual(await result('Filecoin.ChainGetBlock', [{ '/': blockCid }]), head.Blocks[0]);
  });

  test('tipsets by height, parents and receipts after a native transfer', async (t) => {
    const { result, error } = await setupRpc(t, { fund });
    const cid = await result('Filecoin.MpoolPush', [signedJson(transfer(0))]);
    assert.match(cid['/'], /^bafy2bza/);
    const one = await result('Filecoin.ChainGetTipSetByHeight', [1, null]);
    const zero = await result('Filecoin.ChainGetTipSetByHeight', [0, null]);
    assert.deepEqual(one.Blocks[0].Parents, zero.Cids);
    const messages = await result('Filecoin.ChainGetBlockMessages', [one.Cids[0]]);
    assert.deepEqual(messages.Cids, [cid]);
    assert.equal(messages.SecpkMessages[0].Signature.Type, 1);
    assert.equal(messages.SecpkMessages[0].Message.From, f1.toString());
    // Receipts of a tipset's messages hang off the next tipset's blocks, as in Lotus.
    assert.deepEqual(await result('Filecoin.ChainGetParentReceipts', [one.Cids[0]]), []);
    await result('evm_mine');
    const two = await result('Filecoin.ChainGetTipSetByHeight', [2, null]);
    const receipts = await result('Filecoin.ChainGetParentReceipts', [two.Cids[0]]);
    assert.equal(receipts.length, 1);
    assert.equal(receipts[0].ExitCode, 0);
    assert.ok(receipts[0].GasUsed > 0);
    const message = await result('Filecoin.ChainGetMessage', [cid]);
    assert.equal(message.Value, FIL.toString());
    // A tipset's weight is the ParentWeight of the tipset mined on it (Lotus's ChainTipSetWeight).
    assert.equal(await result('Filecoin.ChainTipSetWeight', [zero.Cids]), one.Blocks[0].ParentWeight);
    assert.equal(await result('Filecoin.ChainTipSetWeight', [one.Cids]), two.Blocks[0].ParentWeight);
    assert.ok(BigInt(two.Blocks[0].ParentWeight) > BigInt(one.Blocks[0].ParentWeight));
    // Lotus's words for a height above the start tipset or below 0 (chain/store/store.go GetTipsetByHeight), code 1.
    assert.deepEqual(await error('Filecoin.ChainGetTipSetByHeight', [9, null]), { code: 1, message: 'looking for tipset with height greater than start point, req: 9, head: 2' });
    assert.deepEqual(await error('Filecoin.ChainGetTipSetAfterHeight', [-883, one.Cids]), { code: 1, message: 'height -883 is negative' });
    assert.equal((await error('Filecoin.ChainGetBlock', [{ '/': 'not-a-cid' }])).code, -32602);
  });
});

describe('Filecoin.* state and pool methods', () => {
  test('actors, IDs, robust and key addresses', async (t) => {
    const { result, error } = await setupRpc(t, { fund });
    const account = await result('Filecoin.StateGetActor', [f1.toString(), null]);
    assert.equal(account.Balance, (1000n * FIL).toString());
    assert.equal(account.DelegatedAddress, null);
    const id = await result('Filecoin.StateLookupID', [f1.toString(), null]);
    assert.match(id, /^t0\d+$/);
    assert.equal(await result('Filecoin.StateAccountKey', [id, null]), f1.toString());
    assert.equal(await result('Filecoin.StateLookupRobustAddress', [id, null]), f1.toString());
    // fidaudit F8d: Lotus walks the init actor's map for the ID (lotus b835fab70 chain/stmgr/stmgr.go
    // LookupRobustAddress): a builtin singleton (no address there) and an ID with no actor alike.
    for (const missing of ['t04', 't099999']) {
      assert.deepEqual(await error('Filecoin.StateLookupRobustAddress', [missing, null]), { code: 1, message: `Address ${missing} not found` });
    }
    const state = await result('Filecoin.StateReadState', [id, null]);
    assert.deepEqual(state.State, { Address: f1.toString() });
    const eth = await result('Filecoin.EthAddressToFilecoinAddress', [RECIPIENT]);
    // fidaudit F8c: Lotus's StateTree.GetActor (lotus b835fab70 chain/state/statetree.go) resolves a
    // robust address through the init actor first, and looks an ID address up as it is.
    assert.equal((await error('Filecoin.StateGetActor', [eth, null])).message, `resolution lookup failed (${eth}): resolve address ${eth}: actor not found`);
    assert.deepEqual(await error('Filecoin.StateGetActor', ['t099999', null]), { code: 1, message: 'actor not found' });
    assert.equal(await result('Filecoin.StateNetworkVersion', [null]), 28);
    assert.equal(await result('Filecoin.WalletBalance', [eth]), '0');
    assert.equal((await error('Filecoin.WalletBalance', ['t1bad'])).code, -32602);
  });

  test('StateReadState of the state-less and fixed singletons as Lotus answers them: cron\'s genesis entries, the burnt funds\' ID address, no State for the EAM, EthAccounts and placeholders', async (t) => {
    const { result } = await setupRpc(t, { fund });
    const state = async (address: string) => (await result('Filecoin.StateReadState', [address, null])).State;
    // go-state-types cron BuiltInEntries: power's OnEpochTickEnd (5), then the market's CronTick (9).
    assert.deepEqual(await state('t03'), { Entries: [{ Receiver: 't04', MethodNum: 5 }, { Receiver: 't05', MethodNum: 9 }] });
    // Lotus's genesis makes f099 an account at its own ID address.
    assert.deepEqual(await state('t099'), { Address: 't099' });
    // Lotus's DumpActorState answers nil for the actors builtin-actors gives no state.
    assert.equal(await state('t010'), null);
    const devAccount = await result('Filecoin.EthAddressToFilecoinAddress', [devWallet.address]);
    assert.equal(await state(devAccount), null);
  });

  test('StateLookupID: an ID address as it is, an address with no actor Lotus\'s ErrActorNotFound, code 11 (P5e)', async (t) => {
    const { result, error } = await setupRpc(t, { fund });
    assert.equal(await result('Filecoin.StateLookupID', ['t099999', null]), 't099999');
    assert.equal(await result('Filecoin.StateLookupID', ['f0100', null]), 't0100');
    const unknown = await error('Filecoin.StateLookupID', [FilAddress.fromPayload(Protocol.Secp256k1, new Uint8Array(20).fill(9)).toString(), null]);
    assert.deepEqual([unknown.code, unknown.message], [11, 'actor not found']);
    assert.match(await result('Filecoin.StateLookupID', [f1.toString(), null]), /^t0\d+$/);
  });

  test('StateAccountKey answers as Lotus\'s ResolveToDeterministicAddress (fidaudit F19)', async (t) => {
    const { result, error } = await setupRpc(t, { fund });
    const accountKey = (address: string) => result('Filecoin.StateAccountKey', [address, null]);
    const keyError = async (address: string) => (await error('Filecoin.StateAccountKey', [address, null])).message;
    // f1/f3/f4 are answered as they are, with or without an actor.
    const f410 = await result('Filecoin.EthAddressToFilecoinAddress', [devWallet.address]);
    assert.equal(await accountKey(f410), f410);
    const unused = secp256k1Address(secp256k1.getPublicKey(new Uint8Array(32).fill(9), false)).toString();
    assert.equal(await accountKey(unused), unused);
    // An ID: the actor's delegated address if it has one, else its account's key.
    assert.equal(await accountKey(await result('Filecoin.StateLookupID', [f410, null])), f410);
    assert.equal(await accountKey(await result('Filecoin.StateLookupID', [f1.toString(), null])), f1.toString());
    assert.equal(await keyError(FilAddress.fromPayload(Protocol.Actor, new Uint8Array(20).fill(3)).toString()), 'cannot resolve actor address to key address');
    assert.equal(await keyError('t099999'), 'failed to find actor: t099999');
    assert.equal(await keyError('t02'), 'failed to get account actor state for t02: actor code is not account: reward');
  });

  test('MpoolGetNonce, StateSearchMsg, StateWaitMsg and a gas estimate for an f1 sender', async (t) => {
    const { result, error } = await setupRpc(t, { fund, noMining: true });
    const unpriced = signedJson({ ...transfer(0), gasLimit: 0 }).Message;
    const estimate = await result('Filecoin.GasEstimateMessageGas', [unpriced, null, null]);
    assert.ok(estimate.GasLimit > 0 && estimate.GasLimit < 10_000_000);
    // GasEstimateGasLimit is the gas used; GasEstimateMessageGas's limit that times 1.25 (node/impl/full/gas.go).
    const used = await result('Filecoin.GasEstimateGasLimit', [unpriced, null]);
    assert.equal(estimate.GasLimit, Math.floor(used * 1.25));
    assert.equal(estimate.GasPremium, '200000');
    const cid = await result('Filecoin.MpoolPush', [signedJson(transfer(0))]);
    assert.equal(await result('Filecoin.MpoolGetNonce', [f1.toString()]), 1);
    assert.equal((await result('Filecoin.MpoolPending', [null])).length, 1);
    // Pending, a native message has no transaction form: Lotus says so (node/impl/eth/transaction.go).
    const txHash = await result('Filecoin.EthGetTransactionHashByCid', [cid]);
    assert.deepEqual(await error('eth_getTransactionByHash', [txHash]), { code: 1, message: 'could not convert Filecoin message into tx: signature is not delegated type, is type: 1' });
    assert.equal(await result('eth_getTransactionByHash', ['0x' + '11'.repeat(32)]), null);
    assert.equal(await result('Filecoin.StateSearchMsg', [null, cid, -1, true]), null);
    const waiting = result('Filecoin.StateWaitMsg', [cid, 0, -1, true]);
    await result('evm_mine');
    const lookup = await waiting;
    assert.deepEqual(lookup.Message, cid);
    assert.equal(lookup.Height, 1);
    assert.equal(lookup.Receipt.ExitCode, 0);
    assert.equal((await result('eth_getTransactionByHash', [txHash])).hash, txHash);
    // The estimate sizes the message without fees, as Lotus does: the fee fields' bytes under.
    const feeBytes = Math.abs(lookup.Receipt.GasUsed - used) / 1300;
    assert.ok(used <= lookup.Receipt.GasUsed && Number.isInteger(feeBytes) && feeBytes < 20, `${used} for ${lookup.Receipt.GasUsed}`);
    assert.deepEqual(await result('Filecoin.StateSearchMsg', [null, cid, -1, true]), lookup);
    // Searched from a tipset before the one that executed it, with no lookback: found all the same,
    // as Lotus's chain index finds it whatever tipset the search starts from.
    const genesis = (await result('Filecoin.ChainGetGenesis')).Cids;
    assert.deepEqual(await result('Filecoin.StateSearchMsg', [genesis, cid, 0, false]), lookup);
    // Since Lotus v1.36 a limit hides a message executed more than that many epochs before the tipset searched from.
    await result('anvil_mine', ['0x3']);
    const later = (await result('Filecoin.ChainHead')).Cids;
    assert.equal(await result('Filecoin.StateSearchMsg', [later, cid, 2, false]), null);
    assert.deepEqual(await result('Filecoin.StateSearchMsg', [later, cid, 3, false]), lookup);
    assert.deepEqual(await result('Filecoin.StateSearchMsg', [later, cid, -1, false]), lookup);
    assert.deepEqual(await result('Filecoin.StateSearchMsg', [lookup.TipSet, cid, -1, true]), lookup);
    const unknown = { '/': 'bafy2bzaceaxm23epjsmh75yvzcecsrbavlmkcxnva66bkdebdcnyw3bjrc74u' };
    assert.match((await error('Filecoin.StateWaitMsg', [unknown, 1, -1, true])).message, /could not find/);
  });

  test('StateWaitMsg refuses a confidence above 900, waits for that many tipsets on top under manual mining and answers a mined message at once under instant mining (F24)', async (t) => {
    const { result, error } = await setupRpc(t, { fund, noMining: true });
    const cid = await result('Filecoin.MpoolPush', [signedJson(transfer(0))]);
    // Checked before the message is looked for, as Lotus does (chain/stmgr/searchwait.go).
    const tooHigh = { code: 1, message: 'message confidence exceeds maximum: 901 > 900' };
    assert.deepEqual(await error('Filecoin.StateWaitMsg', [cid, 901, -1, true]), tooHigh);
    const unknown = { '/': 'bafy2bzaceaxm23epjsmh75yvzcecsrbavlmkcxnva66bkdebdcnyw3bjrc74u' };
    assert.deepEqual(await error('Filecoin.StateWaitMsg', [unknown, 901, -1, true]), tooHigh);
    let answered = false;
    const waiting = result('Filecoin.StateWaitMsg', [cid, 2, -1, true]).then((lookup) => {
      answered = true;
      return lookup;
    });
    await result('evm_mine');
    await result('evm_mine');
    // One tipset on top: a wait for 1 answers; the wait for 2, asked earlier, has not.
    const lookup = await result('Filecoin.StateWaitMsg', [cid, 1, -1, true]);
    assert.equal(lookup.Height, 1);
    assert.equal(answered, false, 'answered with one tipset on top of the message, not two');
    await result('evm_mine');
    assert.deepEqual(await waiting, lookup);
    // Instant mining makes no tipset without a transaction: a mined message has its confidence at once.
    await result('evm_setAutomine', [true]);
    const instant = await result('Filecoin.MpoolPush', [signedJson(transfer(1))]);
    assert.equal((await result('Filecoin.StateWaitMsg', [instant, 900, -1, true])).Height, 4);
  });

  test('a stale nonce and a forged signature are refused with nothing changed', async (t) => {
    const { result, error } = await setupRpc(t, { fund });
    await result('Filecoin.MpoolPush', [signedJson(transfer(0))]);
    assert.match((await error('Filecoin.MpoolPush', [signedJson(transfer(0, 2n))])).message, /nonce too low/);
    const forged = signedJson(transfer(1));
    forged.Message.Value = '999';
    // Lotus's words (chain/messagepool/messagepool.go VerifyMsgSig, chain/consensus/signatures.go, lib/sigs).
    assert.match((await error('Filecoin.MpoolPush', [forged])).message, /^signature verification failed: failed to validate signature: invalid signature for message bafy2bza\w+ \(type 1\): signature did not match$/);
    const signed = signedJson(transfer(1));
    const blsSized = { ...signed, Signature: { Type: 2, Data: signed.Signature.Data } };
    assert.equal((await error('Filecoin.MpoolPush', [blsSized])).message, 'signature verification failed: bls signature incorrectly sized');
    const delegated = { ...signed, Signature: { Type: 3, Data: signed.Signature.Data } };
    assert.equal((await error('Filecoin.MpoolPush', [delegated])).message, 'signature verification failed: failed to validate signature: failed to reconstruct Ethereum transaction: sender was not an eth account');
    assert.equal(await result('Filecoin.MpoolGetNonce', [f1.toString()]), 1);
    assert.equal(await result('eth_blockNumber'), '0x1');
  });

  // lotus b835fab70 chain/messagepool/messagepool.go checkMessage: size, ValidForBlockInclusion, value,
  // the fee cap minimum, then VerifyMsgSig (X14); AuthenticateMessage's words for a delegated
  // signature on a message that is no Ethereum transaction (chain/consensus/signatures.go, X17).
  test("MpoolPush: a message that breaks a pool rule and has a bad signature gets the rule's error; the signature's after", async (t) => {
    const { result, error } = await setupRpc(t, { fund });
    const cheap = { ...transfer(0), gasFeeCap: 99n, gasPremium: 1n };
    const forged = signedJson(cheap);
    forged.Message.Value = '999';
    assert.deepEqual(await error('Filecoin.MpoolPush', [forged]), { code: 1, message: 'gas fee cap too low' });
    const badPremium = signedJson({ ...transfer(0), gasPremium: 2n * 10n ** 9n });
    assert.deepEqual(await error('Filecoin.MpoolPush', [{ ...badPremium, Signature: { Type: 2, Data: badPremium.Signature.Data } }]), {
      code: 1,
      message: "message not valid for block inclusion: 'GasFeeCap' less than 'GasPremium'",
    });
    const fromId = { ...signedJson(cheap), Message: { ...signedJson(cheap).Message, From: 't0100' } };
    assert.deepEqual(await error('Filecoin.MpoolPush', [fromId]), { code: 1, message: 'gas fee cap too low' });
    // A delegated signature on a message no Ethereum transaction makes (a method 0 send).
    const ethFrom = FilAddress.fromEthAddress(hexToBytes(devWallet.address)).toString();
    const notEth = signedJson(transfer(0));
    const delegated = { ...notEth, Message: { ...notEth.Message, From: ethFrom }, Signature: { Type: 3, Data: notEth.Signature.Data } };
    assert.deepEqual(await error('Filecoin.MpoolPush', [{ ...delegated, Message: { ...delegated.Message, GasFeeCap: '99', GasPremium: '1' } }]), { code: 1, message: 'gas fee cap too low' });
    const reconstruct = 'signature verification failed: failed to validate signature: failed to reconstruct Ethereum transaction: ';
    assert.deepEqual(await error('Filecoin.MpoolPush', [delegated]), {
      code: 1,
      message: `${reconstruct}failed to parse input params and recipient: invalid methodnum 0: only allowed method is InvokeContract(${METHOD_INVOKE_CONTRACT}) or CreateExternal(4)`,
    });
    const invoke = { ...delegated, Message: { ...delegated.Message, Method: METHOD_INVOKE_CONTRACT } };
    assert.deepEqual(await error('Filecoin.MpoolPush', [{ ...invoke, Signature: { Type: 3, Data: Buffer.alloc(64).toString('base64') } }]), { code: 1, message: `${reconstruct}unsupported signature length` });
    assert.deepEqual(await error('Filecoin.MpoolPush', [{ ...invoke, Signature: { Type: 3, Data: Buffer.alloc(66, 3).toString('base64') } }]), {
      code: 1,
      message: `${reconstruct}unsupported legacy transaction; first byte of signature is 3`,
    });
    // The transaction a signature rebuilds, refused as Lotus refuses it (A.2): an EIP-155 v of another
    // chain (10000000: v = 20000035, as many bytes as this chain's) by InitialiseSignature, a Homestead v
    // other than 27 or 28 likewise, an EIP-1559 v of 27 once the signature is verified (our words after
    // AuthenticateMessage's "invalid signature for message <cid> (type 3): ", D1).
    const rs = Buffer.alloc(64, 7);
    const signedAs = (data: Buffer) => ({ ...invoke, Signature: { Type: 3, Data: data.toString('base64') } });
    assert.deepEqual(await error('Filecoin.MpoolPush', [signedAs(Buffer.concat([Buffer.of(0x02), rs, Buffer.of(0x01, 0x31, 0x2d, 0x23)]))]), {
      code: 1,
      message: `${reconstruct}failed to initialise signature: failed to validate EIP155 chain id: invalid chain id, expected ${CHAIN_ID}, got 10000000`,
    });
    // A Homestead transaction the dev wallet signed, its v (27) given as EIP-155's in this chain's length
    // (leading zeros): Lotus derives chain 0 from it and refuses the push (D2), where decoding the
    // rebuilt transaction would take it as Homestead and admit it.
    const homestead = toFilecoinMessage(
      decodeEthTransaction(hexToBytes(await devWallet.signTransaction({ type: 0, chainId: 0n, nonce: 0, gasPrice: 10n ** 9n, gasLimit: 10_000_000, to: RECIPIENT, value: 1n })), CHAIN_ID),
    );
    const homesteadSig = homestead.signature.data;
    const vLength = bigintToBytes(CHAIN_ID * 2n + 35n).length;
    const zeroPadded27 = Buffer.concat([Buffer.of(0x02), homesteadSig.subarray(1, 65), Buffer.alloc(vLength - 1), Buffer.of(homesteadSig[65]!)]);
    assert.deepEqual(await error('Filecoin.MpoolPush', [{ ...signedMessageJson(homestead, signedMessageCid(homestead)), Signature: { Type: 3, Data: zeroPadded27.toString('base64') } }]), {
      code: 1,
      message: `${reconstruct}failed to initialise signature: failed to validate EIP155 chain id: invalid chain id, expected ${CHAIN_ID}, got 0`,
    });
    // A v under 35 (all zeros): Lotus's v - 35 wraps as a uint64, (2^64 - 35) / 2.
    assert.deepEqual(await error('Filecoin.MpoolPush', [signedAs(Buffer.concat([Buffer.of(0x02), rs, Buffer.alloc(vLength)]))]), {
      code: 1,
      message: `${reconstruct}failed to initialise signature: failed to validate EIP155 chain id: invalid chain id, expected ${CHAIN_ID}, got 9223372036854775790`,
    });
    assert.deepEqual(await error('Filecoin.MpoolPush', [signedAs(Buffer.concat([Buffer.of(0x01), rs, Buffer.of(37)]))]), {
      code: 1,
      message: `${reconstruct}failed to initialise signature: legacy homestead transactions only support 27 or 28 for v`,
    });
    const v27 = signedAs(Buffer.concat([rs, Buffer.of(27)]));
    const v27Cid = signedMessageCid(signedMessage('v27').parse(v27)).toString();
    assert.deepEqual(await error('Filecoin.MpoolPush', [v27]), {
      code: 1,
      message: `signature verification failed: failed to validate signature: invalid signature for message ${v27Cid} (type 3): EIP-1559 transactions only support 0 or 1 for v`,
    });
    // AuthenticateMessage checks the round trip before the signature (signatures.go:33-40): a legacy
    // signature's message takes its fee cap as the premium too, so one with a premium of its own is a
    // mismatch, whatever its r (0 here, which the signature check refuses when the round trip holds).
    const zeroR = Buffer.concat([Buffer.of(0x01), Buffer.alloc(32), Buffer.alloc(32, 7), Buffer.of(27)]);
    assert.notEqual(invoke.Message.GasPremium, invoke.Message.GasFeeCap);
    assert.deepEqual(await error('Filecoin.MpoolPush', [signedAs(zeroR)]), {
      code: 1,
      message: 'signature verification failed: failed to validate signature: Ethereum transaction roundtrip mismatch',
    });
    const onePrice = { ...invoke, Message: { ...invoke.Message, GasPremium: invoke.Message.GasFeeCap }, Signature: { Type: 3, Data: zeroR.toString('base64') } };
    const onePriceCid = signedMessageCid(signedMessage('onePrice').parse(onePrice)).toString();
    assert.deepEqual(await error('Filecoin.MpoolPush', [onePrice]), {
      code: 1,
      message: `signature verification failed: failed to validate signature: invalid signature for message ${onePriceCid} (type 3): failed to calculate sender: invalid signature values`,
    });
    assert.equal(await result('Filecoin.MpoolGetNonce', [f1.toString()]), 0);
  });

  test("the pool's checkMessage rules run once a push: MpoolPush's (native or delegated) before the signature, eth_sendRawTransaction's in the pool", async (t) => {
    const { result } = await setupRpc(t, { fund });
    const check = Mempool.prototype.checkMessage;
    let checks = 0;
    Mempool.prototype.checkMessage = function (this: Mempool, ...args: Parameters<Mempool['checkMessage']>) {
      checks++;
      return check.apply(this, args);
    };
    t.after(() => {
      Mempool.prototype.checkMessage = check;
    });
    await result('Filecoin.MpoolPush', [signedJson(transfer(0))]);
    assert.equal(checks, 1);
    // The message the dev wallet's signed transaction stands for, pushed with its delegated signature.
    const delegated = toFilecoinMessage(decodeEthTransaction(hexToBytes(await signTx({ nonce: 0 })), CHAIN_ID));
    await result('Filecoin.MpoolPush', [signedMessageJson(delegated, signedMessageCid(delegated))]);
    assert.equal(checks, 2);
    await result('eth_sendRawTransaction', [await signTx({ nonce: 1 })]);
    assert.equal(checks, 3);
  });

  test('a native message shows in Ethereum blocks and receipts as Lotus shows it', async (t) => {
    const { result } = await setupRpc(t, { fund });
    const cid = await result('Filecoin.MpoolPush', [signedJson(transfer(0))]);
    const block = await result('eth_getBlockByNumber', ['0x1', true]);
    const tx = block.transactions[0];
    const digest = digestOf(cid);
    assert.equal(tx.hash, digest);
    assert.equal(tx.to, RECIPIENT);
    assert.match(tx.from, /^0xff0{22}[0-9a-f]{16}$/);
    // A METHOD_SEND shows as handle_filecoin_method(0, 0, "").
    assert.ok(tx.input.startsWith('0x868e10c4'));
    // Lotus leaves a native message's signature values unset: EthBigInt zero prints 0x0 (F15).
    assert.deepEqual([tx.v, tx.r, tx.s], ['0x0', '0x0', '0x0']);
    const receipt = await result('eth_getTransactionReceipt', [digest]);
    assert.equal(receipt.status, '0x1');
    assert.equal(await result('Filecoin.EthGetTransactionHashByCid', [cid]), digest);
  });

  test('G6e: a recipient with no actor after the message: an ID is its masked ID, a key address the sentinel', async (t) => {
    const { result } = await setupRpc(t, { fund });
    const noActor = secp256k1Address(secp256k1.getPublicKey(new Uint8Array(32).fill(8), false));
    // 999999 names no actor (exit 5); the f1's new account has no method 5 (22), which undoes its creation.
    const cases: [FilAddress, number, string][] = [
      [FilAddress.fromId(999_999), 0, '0xff000000000000000000000000000000000f423f'],
      [noActor, 5, '0xff0000000000000000000000ffffffffffffffff'],
    ];
    for (const [i, [to, method, shown]] of cases.entries()) {
      const cid = await result('Filecoin.MpoolPush', [signedJson({ ...transfer(i, 5n), to, method })]);
      const lookup = await result('Filecoin.StateSearchMsg', [null, cid, -1, true]);
      assert.notEqual(lookup.Receipt.ExitCode, 0, `${to} fails`);
      const hash = await result('Filecoin.EthGetTransactionHashByCid', [cid]);
      assert.equal((await result('eth_getTransactionByHash', [hash])).to, shown, `${to}`);
      assert.equal((await result('eth_getTransactionReceipt', [hash])).to, shown, `${to}`);
    }
  });

  test('an f1 account deploys a contract through the EAM at the address FEVM gives it', async (t) => {
    const { result } = await setupRpc(t, { fund });
    // Initcode returning the one-byte runtime 0x00.
    const initcode = hexToBytes('0x6001600c60003960016000f300');
    const create: Message = { ...transfer(0, 0n), to: FilAddress.fromId(10), method: 4, params: encodeCbor(initcode), gasLimit: 200_000_000 };
    const json = signedJson(create);
    json.Message.Params = Buffer.from(create.params).toString('base64') as never;
    const cid = await result('Filecoin.MpoolPush', [json]);
    const lookup = await result('Filecoin.StateSearchMsg', [null, cid, -1, true]);
    assert.equal(lookup.Receipt.ExitCode, 0);
    const [, , eth] = decodeCbor<[number, Uint8Array, Uint8Array]>(Buffer.from(lookup.Receipt.Return, 'base64'));
    // CREATE's rule over keccak(f1 address bytes)[12:] and the message nonce (builtin-actors EAM).
    const stable = keccak256(f1.bytes).slice(0, 2) + keccak256(f1.bytes).slice(26);
    assert.equal('0x' + Buffer.from(eth).toString('hex'), getCreateAddress({ from: stable, nonce: 0 }).toLowerCase());
    assert.equal(await result('eth_getCode', ['0x' + Buffer.from(eth).toString('hex'), 'latest']), '0x00');
    // G6d: the EAM first asks the account for its key address, read-only, then sends Init's Exec4.
    const trace = (await result('Filecoin.StateReplay', [null, cid])).ExecutionTrace;
    const senderId = Number((await result('Filecoin.StateLookupID', [f1.toString(), null])).slice(2));
    const [pubkey, exec4] = trace.Subcalls;
    assert.deepEqual([pubkey.Msg.From, pubkey.Msg.To, pubkey.Msg.Method, pubkey.Msg.ReadOnly, pubkey.InvokedActor.Id], ['t010', `t0${senderId}`, 2, true, senderId]);
    assert.deepEqual(pubkey.MsgRct, { ExitCode: 0, Return: Buffer.from(encodeCbor(f1.bytes)).toString('base64'), ReturnCodec: 0x51 });
    assert.deepEqual([exec4.Msg.To, exec4.Msg.Method, trace.Subcalls.length], ['t01', 3, 2]);
  });

  test('StateReplay of a CreateExternal whose params are not an initcode: the EAM refused it, and the trace shows no creation', async (t) => {
    const { result } = await setupRpc(t, { fund });
    // 0x80 0x00: an empty CBOR array, then a stray byte (found by the hostile-input suite, seed 142026).
    const create: Message = { ...transfer(0, 0n), to: FilAddress.fromId(10), method: 4, params: new Uint8Array([0x80, 0x00]), gasLimit: 200_000_000 };
    const json = signedJson(create);
    json.Message.Params = Buffer.from(create.params).toString('base64') as never;
    const cid = await result('Filecoin.MpoolPush', [json]);
    const lookup = await result('Filecoin.StateSearchMsg', [null, cid, -1, true]);
    assert.notEqual(lookup.Receipt.ExitCode, 0);
    const trace = (await result('Filecoin.StateReplay', [null, cid])).ExecutionTrace;
    assert.deepEqual([trace.Msg.To, trace.Msg.Method, trace.MsgRct.ExitCode, trace.Subcalls ?? []], ['t010', 4, lookup.Receipt.ExitCode, []]);
    // Params that are no byte string (unlike the next test's byte string with more bytes after it): as an Ethereum
    // transaction it is no deployment: Lotus's ethTxFromNativeMessage (node/impl/eth/utils.go, b835fab70) sets
    // To = nil only when the params decode as a byte string; here `to` stays the EAM's masked ID.
    const hash = await result('Filecoin.EthGetTransactionHashByCid', [cid]);
    const tx = await result('eth_getTransactionByHash', [hash]);
    assert.equal(tx.to, '0xff0000000000000000000000000000000000000a');
    assert.ok(tx.input.startsWith('0x868e10c4'), tx.input);
  });

  // Params that are a byte string followed by more bytes: Lotus's lenient decodePayload reads the params' first
  // CBOR item only (cbor-gen ReadByteArray, node/impl/eth/utils.go b835fab70), so a byte string with a byte
  // after it shows as its bytes, a
  // CreateExternal as a deployment, and its traces alike; the EAM decodes strictly and refuses the params
  // (an EOA, taking any exported method, reads none).
  test('a native message whose byte-string params have a byte after them shows the string, in its trace too, as Lotus reads it', async (t) => {
    const { result } = await setupRpc(t, { fund });
    const initcode = hexToBytes('0x6001600c60003960016000f300');
    const calldata = hexToBytes('0xd09de08a');
    const trailing = (bytes: Uint8Array) => new Uint8Array([...encodeCbor(bytes), 0x00]);
    const cases: [Message, string | null, Uint8Array, string][] = [
      [{ ...transfer(0, 0n), to: FilAddress.fromId(10), method: 4, params: trailing(initcode), gasLimit: 200_000_000 }, null, initcode, '0x0'],
      [{ ...transfer(1, 0n), method: METHOD_INVOKE_CONTRACT, params: trailing(calldata), gasLimit: 200_000_000 }, RECIPIENT.toLowerCase(), calldata, '0x1'],
    ];
    for (const [message, to, input, status] of cases) {
      const json = signedJson(message);
      json.Message.Params = Buffer.from(message.params).toString('base64') as never;
      const cid = await result('Filecoin.MpoolPush', [json]);
      await result('Filecoin.StateSearchMsg', [null, cid, -1, true]);
      const hash = await result('Filecoin.EthGetTransactionHashByCid', [cid]);
      const tx = await result('eth_getTransactionByHash', [hash]);
      assert.deepEqual([tx.to, tx.input], [to, '0x' + Buffer.from(input).toString('hex')], `method ${message.method}`);
      const receipt = await result('eth_getTransactionReceipt', [hash]);
      assert.deepEqual([receipt.status, receipt.to, receipt.contractAddress], [status, to, null], `method ${message.method}`);
      // Lotus's traces read the params alike (traceEVMCall); a creation that reached no constructor is not traced (traceEthCreate).
      const traces: { action: { input: string } }[] = await result('trace_transaction', [hash]);
      assert.deepEqual(traces.map((trace) => trace.action.input), to === null ? [] : [tx.input], `method ${message.method}`);
    }
  });

  // fidaudit F3: the EVM actor's InvokeContract returns its output as a CBOR byte string
  // (builtin-actors v18 actors/evm/src/types.rs InvokeContractReturn, lib.rs), and Lotus's StateCall
  // answers the receipt as the FVM made it (chain/stmgr/call.go), as a mined one.
  test('StateCall of a contract answers its output as the mined receipt does: a CBOR byte string, an empty revert too', async (t) => {
    const { result } = await setupRpc(t, { fund });
    const INVOKE_CONTRACT = 3844450837;
    const push = async (message: Message) => {
      const json = signedJson(message);
      json.Message.Params = Buffer.from(message.params).toString('base64') as never;
      return (await result('Filecoin.StateSearchMsg', [null, await result('Filecoin.MpoolPush', [json]), -1, true])).Receipt;
    };
    /** Deploys `runtime` through the EAM; its ID address. */
    const deploy = async (nonce: number, runtime: string) => {
      const length = (runtime.length / 2).toString(16).padStart(2, '0');
      const initcode = hexToBytes(`0x60${length}600c60003960${length}6000f3${runtime}`);
      const receipt = await push({ ...transfer(nonce, 0n), to: FilAddress.fromId(10), method: 4, params: encodeCbor(initcode), gasLimit: 200_000_000 });
      return FilAddress.fromId(decodeCbor<[number]>(Buffer.from(receipt.Return, 'base64'))[0]);
    };
    const returns42 = await deploy(0, '602a60005260206000f3');
    const reverts = await deploy(1, '60006000fd');
    const invoke = (to: FilAddress, nonce: number): Message => ({ ...transfer(nonce, 0n), to, method: INVOKE_CONTRACT, params: encodeCbor(new Uint8Array()), gasLimit: 200_000_000 });
    const invocation = async (message: Message) =>
      await result('Filecoin.StateCall', [{ ...signedJson(message).Message, Params: Buffer.from(message.params).toString('base64') }, null]);
    const call = async (message: Message) => (await invocation(message)).MsgRct;
    const called = await call(invoke(returns42, 2));
    assert.equal(called.ExitCode, 0);
    assert.deepEqual(decodeCbor(Buffer.from(called.Return, 'base64')), hexToBytes(`0x${'00'.repeat(31)}2a`));
    assert.equal(called.Return, (await push(invoke(returns42, 2))).Return);
    const reverted = await call(invoke(reverts, 3));
    assert.deepEqual([reverted.ExitCode, reverted.Return], [33, 'QA==']);
    // fidaudit F4: its Error is Lotus's ActorErr text: ref-fvm's backtrace (the ID address with
    // mainnet's f, builtin-actors' "contract reverted at <pc of the REVERT>"), then " (RetCode=33)".
    const backtrace = `message failed with backtrace:\n00: f0${reverts.id} (method ${INVOKE_CONTRACT}) -- contract reverted at 4 (33)\n (RetCode=33)`;
    assert.equal((await invocation(invoke(reverts, 3))).Error, backtrace);
  });

  // fidaudit F17: Lotus's StateCall (chain/stmgr/call.go CallOnState, callInternal) runs the message
  // with the block gas limit for a zero one and the sender's nonce, answers that message and its CID,
  // and an empty GasCost (it applies the message as an implicit one); a sender with no actor is refused.
  test('StateCall answers the message as it ran and an empty GasCost; a sender with no actor is refused', async (t) => {
    const { result, error } = await setupRpc(t, { fund });
    await result('Filecoin.StateSearchMsg', [null, await result('Filecoin.MpoolPush', [signedJson(transfer(0))]), -1, true]);
    const asked = { ...signedJson(transfer(0)).Message, GasLimit: 0, GasFeeCap: '0', GasPremium: '0' };
    const answer = await result('Filecoin.StateCall', [asked, null]);
    assert.equal(answer.MsgRct.ExitCode, 0);
    const ran = messageCid({ ...transfer(1), gasLimit: 10_000_000_000, gasFeeCap: 0n, gasPremium: 0n }).toString();
    assert.deepEqual([answer.Msg.Nonce, answer.Msg.GasLimit, answer.Msg.CID['/'], answer.MsgCid['/']], [1, 10_000_000_000, ran, ran]);
    const zero = { Message: null, GasUsed: '0', BaseFeeBurn: '0', OverEstimationBurn: '0', MinerPenalty: '0', MinerTip: '0', Refund: '0', TotalCost: '0' };
    assert.deepEqual(answer.GasCost, zero);
    // G6c: the message's keys in any case, as Go's encoding/json reads types.Message.
    const lowerCase = Object.fromEntries(Object.entries(asked).map(([k, v]) => [k.toLowerCase(), v]));
    // Each run has its own Duration (ns, as Lotus times the VM's apply).
    assert.ok(Number.isSafeInteger(answer.Duration) && answer.Duration > 0);
    assert.deepEqual({ ...(await result('Filecoin.StateCall', [lowerCase, null])), Duration: 0 }, { ...answer, Duration: 0 });
    const stranger = secp256k1Address(secp256k1.getPublicKey(new Uint8Array(32).fill(9), false)).toString();
    const refused = await error('Filecoin.StateCall', [{ ...asked, From: stranger }, null]);
    assert.deepEqual([refused.code, refused.message], [1, `sender ${stranger} not found on chain: sender validation failed`]);
  });

  test("StateWaitMsg decodes a builtin method's return into ReturnDec as Lotus does (null where the devnet has no return schema); StateSearchMsg leaves it null, as Lotus's", async (t) => {
    const { result } = await setupRpc(t, { fund });
    // The market's GetBalance for the sender, who has nothing in escrow: MarketBalance {Balance, Locked}.
    const getBalance: Message = { ...transfer(0, 0n), to: FilAddress.fromId(5), method: methodNumber('GetBalance'), params: encodeCbor(f1.bytes), gasLimit: 200_000_000 };
    const json = signedJson(getBalance);
    json.Message.Params = Buffer.from(getBalance.params).toString('base64') as never;
    const cid = await result('Filecoin.MpoolPush', [json]);
    const lookup = await result('Filecoin.StateWaitMsg', [cid, 0, -1, true]);
    assert.equal(lookup.Receipt.ExitCode, 0);
    assert.deepEqual(lookup.ReturnDec, { Balance: '0', Locked: '0' });
    // Lotus's StateSearchMsg builds its MsgLookup without ReturnDec (node/impl/full/state.go) (F16).
    assert.deepEqual(await result('Filecoin.StateSearchMsg', [null, cid, -1, true]), { ...lookup, ReturnDec: null });
    // A plain transfer returns nothing.
    const sent = await result('Filecoin.StateWaitMsg', [await result('Filecoin.MpoolPush', [signedJson(transfer(1))]), 0, -1, true]);
    assert.equal(sent.ReturnDec, null);
  });

  // fidaudit F7: Lotus's StateWaitMsg decodes a return with its method's type from the actor registry
  // (go-state-types builtin/v18: EAM Return, EVM InvokeContract's abi.CborBytes) and answers the raw
  // bytes for a method the registry lacks (node/impl/full/state.go, stmgr.ErrMetadataNotFound).
  test("StateWaitMsg's ReturnDec: an EAM deployment's addresses, a contract's output, a Filecoin method's raw return", async (t) => {
    const { result } = await setupRpc(t, { fund });
    const wait = (message: Message) => pushAndWait(result, message);
    const deploy = (nonce: number, runtime: string) =>
      wait({ ...transfer(nonce, 0n), to: FilAddress.fromId(10), method: 4, params: createExternalParams(runtime), gasLimit: 200_000_000 });
    const deployed = await deploy(0, '602a60005260206000f3');
    const [id, robust, eth] = decodeCbor<[number, Uint8Array, Uint8Array]>(Buffer.from(deployed.Receipt.Return, 'base64'));
    assert.deepEqual(deployed.ReturnDec, { ActorID: id, RobustAddress: FilAddress.fromBytes(robust).toString(), EthAddress: [...eth] });
    const invoked = await wait({ ...transfer(1, 0n), to: FilAddress.fromId(id), method: 3844450837, params: encodeCbor(new Uint8Array()), gasLimit: 200_000_000 });
    assert.equal(invoked.ReturnDec, Buffer.from(hexToBytes(`0x${'00'.repeat(31)}2a`)).toString('base64'));
    // A contract answering every Filecoin method (handle_filecoin_method) with exit 0, codec 0x51, data 0x010203.
    const answer = ['00', '51', '60', '03'].map((word) => word.padStart(64, '0')).join('') + '010203'.padEnd(64, '0');
    const handler = await deploy(2, `60a0600c60003960a06000f3${answer}`);
    const frc42 = await wait({ ...transfer(3, 0n), to: FilAddress.fromId(handler.ReturnDec.ActorID), method: methodNumber('Anything'), params: new Uint8Array(), gasLimit: 200_000_000 });
    assert.deepEqual([frc42.Receipt.Return, frc42.ReturnDec], ['AQID', 'AQID']);
  });

  // F7's rest: builtin-actors v18 actors/evm/src/lib.rs exports GetBytecode (3) and GetBytecodeHash (4)
  // to any caller; go-state-types builtin/v18/evm methods.go declares their returns (GetBytecodeReturn,
  // abi.CborBytes), which Lotus's StateWaitMsg decodes into ReturnDec.
  test('GetBytecode (3) and GetBytecodeHash (4) sent to a contract answer its code\'s CID and hash (null and the empty hash once it self-destructed), decoded in ReturnDec; params are refused (16)', async (t) => {
    const { result } = await setupRpc(t, { fund });
    let nonce = 0;
    const send = (to: number, method: number, params: Uint8Array = new Uint8Array()) =>
      pushAndWait(result, { ...transfer(nonce++, 0n), to: FilAddress.fromId(to), method, params, gasLimit: 200_000_000 });
    const deploy = async (runtime: string) => (await send(10, 4, createExternalParams(runtime))).ReturnDec.ActorID as number;
    const runtime = '602a60005260206000f3';
    const live = await deploy(runtime);
    // The code is a raw block under a blake2b-256 CID, as the EVM actor stores it.
    const codeCidOf = CID.createV1(0x55, Digest.create(0xb220, blake2b(hexToBytes(`0x${runtime}`), { dkLen: 32 })));
    const code = await send(live, 3);
    assert.deepEqual([code.Receipt.ExitCode, code.ReturnDec], [0, { Cid: { '/': codeCidOf.toString() } }]);
    assert.deepEqual(decodeCbor(Buffer.from(code.Receipt.Return, 'base64')), codeCidOf);
    const hash = await send(live, 4);
    assert.deepEqual([hash.Receipt.ExitCode, hash.ReturnDec], [0, Buffer.from(hexToBytes(keccak256(`0x${runtime}`))).toString('base64')]);
    assert.equal((await send(live, 3, encodeCbor(null))).Receipt.ExitCode, 16);
    assert.equal((await send(live, 4, encodeCbor(null))).Receipt.ExitCode, 16);
    // SELFDESTRUCT to the caller, run by a message: the next ones see a dead contract.
    const dead = await deploy('33ff');
    assert.equal((await send(dead, 3844450837, encodeCbor(new Uint8Array()))).Receipt.ExitCode, 0);
    const gone = await send(dead, 3);
    assert.deepEqual([gone.Receipt.ExitCode, gone.Receipt.Return, gone.ReturnDec], [0, '9g==', { Cid: null }]);
    assert.equal((await send(dead, 4)).ReturnDec, Buffer.from(hexToBytes(keccak256('0x'))).toString('base64'));
  });

  // Last session's item: builtin-actors v18 actors/evm/src/lib.rs dispatches Constructor (1), Resurrect
  // (2), GetStorageAt (5) and InvokeContractDelegate (6) (actor_dispatch_unrestricted): the params first
  // (runtime/src/dispatch.rs: none 16, WithCodec<_, DAG_CBOR> given another codec 16, a type mismatch
  // USR_SERIALIZATION 21), then each method's validate_immediate_caller_is (18): Init, the EAM, f00, the
  // contract itself. Lotus's eth_getStorageAt sends GetStorageAt from f00 (node/impl/eth/lookup.go).
  test('Constructor, Resurrect, GetStorageAt and InvokeContractDelegate sent to a contract: 16 without params, 21 for params of another type, 18 from an account; GetStorageAt from f00 answers the slot', async (t) => {
    const { result } = await setupRpc(t, { fund });
    let nonce = 0;
    const send = async (to: number, method: number, params: Uint8Array = new Uint8Array()) =>
      (await pushAndWait(result, { ...transfer(nonce++, 0n), to: FilAddress.fromId(to), method, params, gasLimit: 200_000_000 })).Receipt;
    // Init code storing 42 at slot 0 and 0xbeef at slot 2^256 - 1, leaving no code.
    const initcode = `602a60005561beef7f${'ff'.repeat(32)}5500`;
    const contract = (await pushAndWait(result, { ...transfer(nonce++, 0n), to: FilAddress.fromId(10), method: 4, params: encodeCbor(hexToBytes(`0x${initcode}`)), gasLimit: 200_000_000 })).ReturnDec.ActorID as number;
    const creator = hexToBytes(`0x${'11'.repeat(20)}`);
    const wellFormed: Record<number, Uint8Array> = {
      1: encodeCbor([creator, new Uint8Array([0])]),
      2: encodeCbor([creator, new Uint8Array()]),
      5: encodeCbor([new Uint8Array([1])]),
    };
    const unhandled = await send(contract, 7);
    assert.equal(unhandled.ExitCode, 22);
    for (const method of [1, 2, 5, 6]) {
      const none = await send(contract, method);
      assert.equal(none.ExitCode, 16, `method ${method} without params`);
      // Refused by the dispatcher before the method runs: the invocation's gas, as an unhandled method's.
      assert.equal(none.GasUsed, unhandled.GasUsed, `method ${method}`);
      assert.equal((await send(contract, method, encodeCbor([7]))).ExitCode, method === 6 ? 16 : 21, `method ${method} with [7]`);
    }
    for (const method of [1, 2, 5]) {
      const refused = await send(contract, method, wellFormed[method]);
      assert.deepEqual([refused.ExitCode, refused.Return], [18, null], `method ${method} from an account`);
    }
    // A creator of 19 bytes, a key of 33: not the params' types.
    assert.equal((await send(contract, 1, encodeCbor([creator.subarray(1), new Uint8Array()]))).ExitCode, 21);
    assert.equal((await send(contract, 5, encodeCbor([new Uint8Array(33)]))).ExitCode, 21);
    // A top-level message's params are a CBOR block (0x51): InvokeContractDelegate wants DAG-CBOR.
    const delegate = encodeCbor([cidOfBytes(new Uint8Array([0])), new Uint8Array(), creator, new Uint8Array()]);
    assert.equal((await send(contract, 6, delegate)).ExitCode, 16);

    const storageAt = async (key: Uint8Array) => {
      const call = { ...signedJson({ ...transfer(0, 0n), from: FilAddress.fromId(0), to: FilAddress.fromId(contract), method: 5, params: encodeCbor([key]) }).Message, GasLimit: 0, GasFeeCap: '0', GasPremium: '0' };
      call.Params = Buffer.from(encodeCbor([key])).toString('base64') as never;
      return (await result('Filecoin.StateCall', [call, null])).MsgRct;
    };
    const eth = await result('eth_getStorageAt', [`0xff${'00'.repeat(11)}${contract.toString(16).padStart(16, '0')}`, '0x0', 'latest']);
    assert.equal(BigInt(eth), 42n);
    const slots: [Uint8Array, string][] = [
      [new Uint8Array(), '2a'],
      [new Uint8Array(32), '2a'],
      [new Uint8Array(32).fill(0xff), 'beef'],
      [new Uint8Array([1]), ''],
    ];
    for (const [key, value] of slots) {
      const answer = await storageAt(key);
      assert.equal(answer.ExitCode, 0);
      // GetStorageAtReturn: the U256 as a byte string, big-endian without leading zeros.
      assert.deepEqual(decodeCbor(Buffer.from(answer.Return, 'base64')), hexToBytes(`0x${value}`));
    }
  });

  // fidaudit F8h: an f410 that embeds a masked ID is a well-formed address (go-address); the FVM makes
  // a placeholder of a send to any f410 (ref-fvm fvm@v4.8.2 call_manager/default.rs
  // call_actor_unchecked), and Lotus shows that actor to Ethereum by its masked ID (node/impl/eth/utils.go
  // lookupEthAddress), not as actor 100.
  test('a transfer to an f410 of a masked ID makes a placeholder, shown to Ethereum by its own masked ID; MpoolPush refuses to send it', async (t) => {
    const { result, error, devnet } = await setupRpc(t, { fund });
    const masked = FilAddress.fromDelegated(10, hexToBytes('0xff00000000000000000000000000000000000064'));
    const message = { ...transfer(0), to: masked };
    const json = signedJson(message);
    // Lotus's API refuses it (sanityCheckOutgoingMessage); consensus does not: past the API, it is mined.
    assert.match((await error('Filecoin.MpoolPush', [json])).message, /failed sanity check: message recipient t410f74\w+ is a delegated address but not a valid Eth Address$/);
    const cid = { '/': (await devnet.pushMessage({ message, signature: { type: SigType.Secp256k1, data: Buffer.from(json.Signature.Data, 'base64') } })).toString() };
    const lookup = await result('Filecoin.StateWaitMsg', [cid, 0, -1, true]);
    assert.equal(lookup.Receipt.ExitCode, 0);
    const id = FilAddress.parse(await result('Filecoin.StateLookupID', [masked.toString(), null])).id!;
    assert.notEqual(id, 100);
    assert.equal(await result('Filecoin.WalletBalance', [masked.toString()]), FIL.toString());
    const tx = await result('eth_getTransactionByHash', [await result('Filecoin.EthGetTransactionHashByCid', [cid])]);
    assert.equal(tx.to, `0xff${'00'.repeat(11)}${id.toString(16).padStart(16, '0')}`);
  });

  // review R5: a Placeholder's code is `invoke → 0` (builtin-actors v18.0.0 actors/placeholder/src/lib.rs)
  // and ref-fvm runs it for any method but METHOD_SEND (fvm@v4.8.2 call_manager/default.rs): no method
  // is unknown to it, internal-range ones included.
  test('a Placeholder answers every method with success and no return, and keeps the value sent with it (R5)', async (t) => {
    const { result } = await setupRpc(t, { fund });
    const placeholder = transfer(0).to.toString();
    await result('Filecoin.StateWaitMsg', [await result('Filecoin.MpoolPush', [signedJson(transfer(0))]), 0, -1, true]);
    assert.equal((await result('Filecoin.StateGetActor', [placeholder, null])).Code['/'], codeCid('placeholder').toString());
    for (const method of [5, 1024, 2 ** 24]) {
      const asked = { ...signedJson({ ...transfer(1, 0n), method }).Message, GasLimit: 0, GasFeeCap: '0', GasPremium: '0' };
      const answer = await result('Filecoin.StateCall', [asked, null]);
      assert.deepEqual([answer.MsgRct.ExitCode, answer.MsgRct.Return, answer.Error], [0, null, ''], `method ${method}`);
    }
    const sent = await result('Filecoin.StateWaitMsg', [await result('Filecoin.MpoolPush', [signedJson({ ...transfer(1), method: 5 })]), 0, -1, true]);
    assert.deepEqual([sent.Receipt.ExitCode, sent.Receipt.Return], [0, null]);
    assert.equal(await result('Filecoin.WalletBalance', [placeholder]), (2n * FIL).toString());
  });

  // fidaudit2 G9: a send's limit binds the builtin method too (ref-fvm fvm@v4.8.2
  // call_manager/default.rs call_actor: OutOfGas is exit 7, with_transaction drops its changes).
  test('a builtin method that runs past its gas limit runs out of gas (exit 7, the limit used) and changes nothing', async (t) => {
    const { result } = await setupRpc(t, { fund });
    const addBalance = (nonce: number, gasLimit: number): Message => ({ ...transfer(nonce, 5n), to: FilAddress.fromId(5), method: 2, params: encodeCbor(f1.bytes), gasLimit });
    const push = async (message: Message) => {
      const json = signedJson(message);
      json.Message.Params = Buffer.from(message.params).toString('base64') as never;
      return (await result('Filecoin.StateWaitMsg', [await result('Filecoin.MpoolPush', [json]), 0, -1, true])).Receipt;
    };
    const enough = await push(addBalance(0, 10_000_000));
    assert.equal(enough.ExitCode, 0);
    const short = await push(addBalance(1, enough.GasUsed - 1));
    assert.deepEqual([short.ExitCode, short.GasUsed], [7, enough.GasUsed - 1]);
    assert.equal((await result('Filecoin.StateMarketBalance', [f1.toString(), null])).Escrow, '5');
  });

  test('MpoolPush takes an Ethereum-signed message as Lotus does, and refuses a tampered one', async (t) => {
    const { result, error } = await setupRpc(t);
    const raw = await signTx({ nonce: 0, value: 7n });
    const signed = toFilecoinMessage(decodeEthTransaction(hexToBytes(raw), CHAIN_ID));
    const json = signedMessageJson(signed, signedMessageCid(signed));
    const tampered = { ...json, Message: { ...json.Message, Value: '8' } };
    assert.match((await error('Filecoin.MpoolPush', [tampered])).message, /signature/);
    const cid = await result('Filecoin.MpoolPush', [json]);
    assert.equal(cid['/'], signedMessageCid(signed).toString());
    const receipt = await result('eth_getTransactionReceipt', [keccak256(raw)]);
    assert.equal(receipt.status, '0x1');
    assert.equal(await result('eth_getBalance', [RECIPIENT, 'latest']), '0x7');
  });

  test('the Filecoin.Eth* aliases answer as their eth_* names', async (t) => {
    const { result } = await setupRpc(t);
    assert.equal(await result('Filecoin.EthChainId'), await result('eth_chainId'));
    assert.equal(await result('Filecoin.EthGetBalance', [RECIPIENT, 'latest']), '0x0');
    assert.equal(await result('Filecoin.NetVersion'), '31415926');
    assert.equal(await result('Filecoin.Web3ClientVersion'), await result('web3_clientVersion'));
  });
});

describe('Filecoin.ChainNotify', () => {
  test('sends the current head, then each applied tipset, on its channel', async (t) => {
    const { devnet, call, waitFor, channelValues } = await setupWebSocketRpc(t);
    const channel = await call('Filecoin.ChainNotify');
    assert.equal(typeof channel, 'number');
    await waitFor(() => channelValues(channel).length === 1);
    const [current] = channelValues(channel)[0];
    assert.equal(current.Type, 'current');
    assert.equal(current.Val.Height, 0);
    await devnet.mine();
    await waitFor(() => channelValues(channel).length === 2);
    const [applied] = channelValues(channel)[1];
    assert.equal(applied.Type, 'apply');
    assert.equal(applied.Val.Height, 1);
  });

  // go-jsonrpc's client cancels a channel's request once its caller's context ends; Lotus's handler then
  // closes the channel and the server sends xrpc.ch.close with its number (websocket.go cancelCtx,
  // handleOutChans), answering nothing for the cancel.
  test("go-jsonrpc's xrpc.cancel naming the ChainNotify request closes its channel (xrpc.ch.close), sends it nothing more and frees its place under --max-subscriptions", async (t) => {
    const { devnet, socket, received, call, waitFor, channelValues } = await setupWebSocketRpc(t, { maxSubscriptions: 1 });
    socket.send(JSON.stringify({ jsonrpc: '2.0', id: 'notify', method: 'Filecoin.ChainNotify', params: [] }));
    const channel = (await waitFor((m) => m.id === 'notify')).result;
    assert.equal(typeof channel, 'number');
    await waitFor(() => channelValues(channel).length === 1);
    socket.send(JSON.stringify({ jsonrpc: '2.0', method: 'xrpc.cancel', params: ['notify'] }));
    // The socket's messages are handled in order: the close is sent before this answer.
    await call('eth_chainId');
    assert.deepEqual(received.filter((m) => m.method === 'xrpc.ch.close').map((m) => m.params), [[channel]]);
    await devnet.mine();
    // Its place is free: the cap of 1 admits another channel.
    assert.equal(typeof (await call('Filecoin.MpoolSub')), 'number');
    assert.equal(channelValues(channel).length, 1);
    assert.equal(received.filter((m) => m.id === 'notify').length, 1);
  });

  // audit16 A5: a reorg's dropped tipsets reach ChainNotify as `revert` head changes, newest first, in
  // one message (lotus chain/store/store.go: reverts, then applies).
  test('after evm_revert, the dropped tipsets as revert changes in one message', async (t) => {
    const { devnet, call, waitFor, channelValues } = await setupWebSocketRpc(t);
    const channel = await call('Filecoin.ChainNotify');
    const snapshot = await call('evm_snapshot');
    await devnet.mine();
    await devnet.mine();
    await waitFor(() => channelValues(channel).length === 3);
    const hashes = [1, 2].map((epoch) => channelValues(channel)[epoch][0].Val.Cids);
    // The changes are sent before evm_revert's answer.
    assert.equal(await call('evm_revert', [snapshot]), true);
    assert.equal(channelValues(channel).length, 4);
    const reverted = channelValues(channel)[3];
    assert.deepEqual(reverted.map((change: any) => [change.Type, change.Val.Height, change.Val.Cids]), [
      ['revert', 2, hashes[1]],
      ['revert', 1, hashes[0]],
    ]);
  });
});
