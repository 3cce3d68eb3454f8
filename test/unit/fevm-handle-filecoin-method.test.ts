// handle_filecoin_method: a native Filecoin message with an exported method (not InvokeContract) to
// an EVM actor runs the contract with calldata 0x868e10c4 ‖ abi.encode(method, codec, params) and
// reads its answer as abi.encode(uint32 exit, uint64 codec, bytes) (builtin-actors
// actors/evm/src/lib.rs, tests/contracts/FilecoinFallback.sol). Messages are applied by the executor
// directly, as a Filecoin node would apply a signed native message.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { blake2b } from '@noble/hashes/blake2.js';
import { Interface, Wallet, getBytes, getCreateAddress, hexlify, type InterfaceAbi } from 'ethers';
import { FilAddress, Protocol } from '../../src/common/address.js';
import { decodeCbor, encodeCbor } from '../../src/common/cbor.js';
import { deriveAccounts, type DevAccount } from '../../src/devnet/accounts.js';
import { createGenesisState } from '../../src/devnet/genesis.js';
import { decodeEthTransaction, toFilecoinMessage } from '../../src/fevm/eth-tx.js';
import { Executor } from '../../src/fevm/executor.js';
import { ExitCode } from '../../src/fevm/exit-code.js';
import { chainSize, METHOD_INVOKE_CONTRACT, METHOD_SEND, type Message } from '../../src/fevm/message.js';
import type { StateOverlay } from '../../src/fevm/state-tree.js';
import type { ExecutionContext } from '../../src/fevm/types.js';
import { CHAIN_ID, DEV_KEY, FIL, fevmContracts, maskedId } from '../helpers/fevm.js';

const ctx: ExecutionContext = { epoch: 1, timestamp: 1_700_000_000, chainId: CHAIN_ID, baseFee: 100_000_000n };

/** FRC-42: the first 4-byte big-endian chunk ≥ 2^24 of blake2b-512("1|" + name). */
function frc42(name: string): number {
  const digest = blake2b(new TextEncoder().encode(`1|${name}`), { dkLen: 64 });
  for (let i = 0; i + 4 <= digest.length; i += 4) {
    const n = new DataView(digest.buffer, digest.byteOffset + i, 4).getUint32(0);
    if (n >= 1 << 24) return n;
  }
  throw new Error('no method number');
}

let executor: Executor;
let accounts: DevAccount[];
let receiverIface: Interface;
let receiverBytecode: string;
const wallet = new Wallet(DEV_KEY);

before(async () => {
  executor = await Executor.create(CHAIN_ID);
  accounts = deriveAccounts('test test test test test test test test test test test junk', 1);
  const artifact = (await fevmContracts()).FilecoinMethodReceiver;
  receiverIface = new Interface(artifact.abi as InterfaceAbi);
  receiverBytecode = artifact.bytecode;
});

interface World {
  state: StateOverlay;
  receiver: FilAddress;
  nonce: number;
}

async function world(): Promise<World> {
  const state = createGenesisState(accounts, 10_000n * FIL).stage();
  const raw = await wallet.signTransaction({ type: 2, chainId: CHAIN_ID, nonce: 0, data: receiverBytecode, gasLimit: 2_000_000_000, maxFeePerGas: 10n ** 9n, maxPriorityFeePerGas: 100n });
  const signed = toFilecoinMessage(decodeEthTransaction(getBytes(raw), CHAIN_ID));
  const receipt = await executor.applyMessage(state, signed.message, chainSize(signed), ctx);
  assert.equal(receipt.exitCode, 0);
  const receiver = FilAddress.fromEthAddress(getBytes(getCreateAddress({ from: wallet.address, nonce: 0 })));
  return { state, receiver, nonce: 1 };
}

/** A native message from `from` (signature checks are the pool's, not the executor's). */
function message(w: World, fields: Partial<Message> & { method: number }, from = accounts[0].filAddress, nonce?: number): Message {
  return {
    version: 0,
    to: w.receiver,
    from,
    nonce: nonce ?? w.nonce++,
    value: 0n,
    gasLimit: 2_000_000_000,
    gasFeeCap: 10n ** 9n,
    gasPremium: 100n,
    params: new Uint8Array(),
    ...fields,
  };
}

const apply = (w: World, msg: Message) => executor.applyMessage(w.state, msg, 200, ctx);

async function read(w: World, fn: string): Promise<any> {
  const input = getBytes(receiverIface.encodeFunctionData(fn));
  const result = await executor.call(w.state, message(w, { method: METHOD_INVOKE_CONTRACT, params: encodeCbor(input) }, accounts[0].filAddress, 0), ctx);
  assert.equal(result.exitCode, 0);
  return receiverIface.decodeFunctionResult(fn, hexlify(result.returnData))[0];
}

async function configure(w: World, mode: number, exitCode = 0): Promise<void> {
  const input = getBytes(receiverIface.encodeFunctionData('configure', [mode, exitCode]));
  const receipt = await apply(w, message(w, { method: METHOD_INVOKE_CONTRACT, params: encodeCbor(input) }));
  assert.equal(receipt.exitCode, 0);
}

describe('FRC-42 numbers used here', () => {
  test('AuthenticateMessage 2643134072, MarketNotifyDeal 4186741094, InvokeEVM 3844450837', () => {
    assert.equal(frc42('AuthenticateMessage'), 2643134072);
    assert.equal(frc42('MarketNotifyDeal'), 4186741094);
    assert.equal(frc42('InvokeEVM'), METHOD_INVOKE_CONTRACT);
  });
});

describe('handle_filecoin_method', () => {
  test('the selector is that of handle_filecoin_method(uint64,uint64,bytes)', () => {
    assert.equal(receiverIface.getFunction('handle_filecoin_method')!.selector, '0x868e10c4');
  });

  test('AuthenticateMessage from an EthAccount: the contract sees method, codec 0x51, params; its CBOR true is the return', async () => {
    const w = await world();
    const params = encodeCbor([new Uint8Array([1, 2, 3]), new Uint8Array([4, 5])]);
    const receipt = await apply(w, message(w, { method: 2643134072, params }));
    assert.equal(receipt.exitCode, ExitCode.Ok);
    assert.equal(hexlify(receipt.returnData), '0xf5');
    assert.equal(decodeCbor(receipt.returnData), true);
    assert.equal(await read(w, 'lastMethod'), 2643134072n);
    assert.equal(await read(w, 'lastCodec'), 0x51n);
    assert.equal(await read(w, 'lastParams'), hexlify(params));
    assert.equal(await read(w, 'lastSender'), wallet.address);
  });

  test('no params: codec 0; the value goes to the contract (msg.value); an f1 sender is seen by its masked ID', async () => {
    const w = await world();
    // Fund a native f1 account, then send from it.
    const f1 = FilAddress.fromPayload(Protocol.Secp256k1, new Uint8Array(20).fill(0x42));
    assert.equal((await apply(w, message(w, { to: f1, method: METHOD_SEND, value: 10n * FIL }))).exitCode, 0);
    const f1Id = w.state.lookupId(f1)!;
    const receiverId = w.state.lookupId(w.receiver)!;
    const before = w.state.getActor(receiverId)!.balance;
    const receipt = await apply(w, message(w, { method: 4186741094, value: 777n }, f1, 0));
    assert.equal(receipt.exitCode, ExitCode.Ok);
    assert.equal(await read(w, 'lastMethod'), 4186741094n);
    assert.equal(await read(w, 'lastCodec'), 0n);
    assert.equal(await read(w, 'lastParams'), '0x');
    assert.equal(await read(w, 'lastValue'), 777n);
    assert.equal((await read(w, 'lastSender')).toLowerCase(), maskedId(f1Id));
    assert.equal(w.state.getActor(receiverId)!.balance, before + 777n);
  });

  test('an empty answer: success with no return', async () => {
    const w = await world();
    await configure(w, 1);
    const receipt = await apply(w, message(w, { method: 2643134072 }));
    assert.equal(receipt.exitCode, ExitCode.Ok);
    assert.equal(receipt.returnData.length, 0);
  });

  test('a non-zero exit code fails the message with it, and undoes the contract\'s changes', async () => {
    const w = await world();
    await configure(w, 2, 42);
    const receipt = await apply(w, message(w, { method: 2643134072, value: 5n }));
    assert.equal(receipt.exitCode, 42);
    assert.equal(await read(w, 'lastMethod'), 0n);
    assert.equal(await read(w, 'lastValue'), 0n);
  });

  test('a system exit code (below 16) becomes SysErrIllegalExitCode (9)', async () => {
    const w = await world();
    await configure(w, 2, 5);
    assert.equal((await apply(w, message(w, { method: 2643134072 }))).exitCode, ExitCode.SysErrIllegalExitCode);
  });

  test('a revert is exit 33; codec 0x71 or codec 0 with data is USR_SERIALIZATION (21)', async () => {
    const w = await world();
    await configure(w, 3);
    assert.equal((await apply(w, message(w, { method: 2643134072 }))).exitCode, ExitCode.EvmReverted);
    await configure(w, 4);
    assert.equal((await apply(w, message(w, { method: 2643134072 }))).exitCode, ExitCode.ErrSerialization);
    await configure(w, 5);
    assert.equal((await apply(w, message(w, { method: 2643134072 }))).exitCode, ExitCode.ErrSerialization);
  });

  test('the EVM actor\'s reserved methods 7..1023 are unhandled (22); METHOD_SEND runs no code', async () => {
    const w = await world();
    assert.equal((await apply(w, message(w, { method: 1000 }))).exitCode, ExitCode.ErrUnhandledMessage);
    assert.equal((await apply(w, message(w, { method: 1023 }))).exitCode, ExitCode.ErrUnhandledMessage);
    const receipt = await apply(w, message(w, { method: METHOD_SEND, value: 9n }));
    assert.equal(receipt.exitCode, ExitCode.Ok);
    assert.equal(await read(w, 'lastValue'), 0n);
    assert.equal(w.state.getActor(w.state.lookupId(w.receiver)!)!.balance, 9n);
  });
});
