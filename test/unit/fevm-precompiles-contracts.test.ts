// The Filecoin precompiles (0xfe00…01–06) called from Solidity on an in-process devnet, with the
// results builtin-actors' EVM tests expect (actors/evm/tests/precompile.rs, call.rs): resolve_address
// and lookup_delegated_address against real actors, call_actor only through DELEGATECALL, its codec
// and method rules, syscall errors as negative exit codes, call_actor_id running another contract,
// get_randomness from the devnet's beacon.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { blake2b } from '@noble/hashes/blake2.js';
import { AbiCoder, computeAddress, getBytes, hexlify, keccak256, SigningKey } from 'ethers';
import { EAM_NAMESPACE, FilAddress, Protocol } from '../../src/common/address.js';
import { decodeCbor, encodeCbor } from '../../src/common/cbor.js';
import { hexToBytes } from '../../src/common/hex.js';
import { methodNumber } from '../../src/fevm/actors/runtime.js';
import { ExitCode } from '../../src/fevm/exit-code.js';
import { ACCOUNT_INVOCATION, accountConstructorGas } from '../../src/fevm/builtin-method-gas.js';
import { onCreateActor, SEND_INVOKE_METHOD } from '../../src/fevm/price-list.js';
import { FIL, fevmSetup, filAddressHex } from '../helpers/fevm.js';

const abi = AbiCoder.defaultAbiCoder();
const word = (n: bigint | number) => abi.encode(['uint256'], [n]);
const INVOKE_CONTRACT = 3844450837n;
/** FRC-42 of "AuthenticateMessage" (builtin-actors Account, filecoin-solidity AccountTypes). */
const AUTHENTICATE_MESSAGE = 2643134072n;
const METHOD_SEND = 0n;
const CBOR_CODEC = 0x51n;
const blake256 = (data: Uint8Array) => blake2b(data, { dkLen: 32 });
const i64be = (n: number) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigInt64(0, BigInt(n));
  return b;
};
const f1 = (byte: number) => FilAddress.fromPayload(Protocol.Secp256k1, new Uint8Array(20).fill(byte));

describe('resolve_address (0xfe00…01)', () => {
  test('f0, f410 of a contract and of an EthAccount, f1: the actor ID as one word; unknown: empty; garbage: failure', async (t) => {
    const { deploy, call, wallet, send, devnet } = await fevmSetup(t);
    const probe = await deploy('FevmProbe');
    // An f1 account, created by sending it FIL through call_actor.
    const account = f1(0x11);
    const sent = await send(probe, 'callActor', [METHOD_SEND, FIL, 0, 0, '0x', filAddressHex(account)], FIL);
    assert.equal(sent.exitCode, 0);
    const accountId = devnet.stateAt(devnet.head.epoch).lookupId(account)!;
    assert.ok(accountId >= 100);

    const resolve = async (address: string) => {
      const [ok, output] = await call(probe, 'resolveAddress', [address]);
      return { ok, output: output as string };
    };
    assert.deepEqual(await resolve(filAddressHex(FilAddress.fromId(1234))), { ok: true, output: word(1234) });
    assert.deepEqual(await resolve(filAddressHex(FilAddress.fromEthAddress(getBytes(probe.address)))), { ok: true, output: word(probe.id) });
    assert.deepEqual(await resolve(filAddressHex(FilAddress.fromEthAddress(getBytes(wallet.address)))), { ok: true, output: word(100) });
    assert.deepEqual(await resolve(filAddressHex(account)), { ok: true, output: word(accountId) });
    // Well-formed but bound to nothing: success, empty.
    assert.deepEqual(await resolve(filAddressHex(f1(0x22))), { ok: true, output: '0x' });
    assert.deepEqual(await resolve(filAddressHex(FilAddress.fromDelegated(EAM_NAMESPACE, new Uint8Array(20).fill(0x5a)))), { ok: true, output: '0x' });
    assert.deepEqual(await resolve(filAddressHex(FilAddress.fromDelegated(1234, new TextEncoder().encode('foobarboxy')))), { ok: true, output: '0x' });
    // Not an address: the STATICCALL returns 0 with no data.
    assert.deepEqual(await resolve('0xff'), { ok: false, output: '0x' });
    assert.deepEqual(await resolve('0x'), { ok: false, output: '0x' });
    assert.deepEqual(await resolve('0x0101'), { ok: false, output: '0x' });
  });
});

describe('lookup_delegated_address (0xfe00…02)', () => {
  test('an EVM actor: 0x040a ‖ its address; a builtin actor, an f1 account or no actor: empty; an ID beyond u64: failure', async (t) => {
    const { deploy, call } = await fevmSetup(t);
    const probe = await deploy('FevmProbe');
    const lookup = async (id: bigint | number) => {
      const [ok, output] = await call(probe, 'lookupDelegatedAddress', [id]);
      return { ok, output: output as string };
    };
    assert.deepEqual(await lookup(probe.id), { ok: true, output: '0x040a' + probe.address.slice(2).toLowerCase() });
    assert.deepEqual(await lookup(100), { ok: true, output: '0x040a' + 'f39fd6e51aad88f6f4ce6ab8827279cfffb92266' });
    assert.deepEqual(await lookup(5), { ok: true, output: '0x' });
    assert.deepEqual(await lookup(99_999), { ok: true, output: '0x' });
    assert.deepEqual(await lookup(1n << 64n), { ok: false, output: '0x' });
  });
});

describe('call_actor (0xfe00…03)', () => {
  test('through DELEGATECALL: sends FIL from the contract to a new f1, which becomes an Account', async (t) => {
    const { deploy, send, call, devnet } = await fevmSetup(t);
    const probe = await deploy('FevmProbe');
    const target = f1(0x33);
    const receipt = await send(probe, 'callActor', [METHOD_SEND, 3n * FIL, 0, 0, '0x', filAddressHex(target)], 5n * FIL);
    assert.equal(receipt.exitCode, 0);
    const [result] = probe.iface.decodeFunctionResult('callActor', hexlify(receipt.returnData));
    assert.deepEqual([...result], [true, 0n, 0n, '0x']);

    const state = devnet.stateAt(devnet.head.epoch);
    const id = state.lookupId(target)!;
    const actor = state.getActor(id)!;
    assert.equal(actor.kind, 'account');
    assert.equal(actor.balance, 3n * FIL);
    assert.equal(state.getActor(probe.id)!.balance, 2n * FIL);
    const [, resolved] = await call(probe, 'resolveAddress', [filAddressHex(target)]);
    assert.equal(resolved, word(id));
  });

  // fidaudit5 G4: ref-fvm create_account_actor_from_send invokes the Account constructor, which
  // writes the account's State (builtin-actors v18 actors/account, Runtime::create).
  test('a send that creates an f1 or f3 account pays its creation and its constructor: params read, State put, root set', async (t) => {
    const { deploy, send } = await fevmSetup(t);
    const probe = await deploy('FevmProbe');
    const f3 = FilAddress.fromPayload(Protocol.BLS, new Uint8Array(48).fill(0x35));
    for (const target of [f1(0x34), f3]) {
      const pay = () => send(probe, 'callActor', [METHOD_SEND, 1n, 0, 0, '0x', filAddressHex(target)], 1n);
      const [creating, again] = [await pay(), await pay()];
      assert.deepEqual([creating.exitCode, again.exitCode], [0, 0]);
      assert.equal(BigInt(creating.gasUsed) - BigInt(again.gasUsed), BigInt(onCreateActor(true) + SEND_INVOKE_METHOD + ACCOUNT_INVOCATION + accountConstructorGas(target)), target.toString());
    }
    assert.equal(accountConstructorGas(f1(1)), 668_245);
    assert.equal(accountConstructorGas(f3), 765_766);
  });

  test('the raw output: exit, codec and offset 0x60 words, then the length and the data padded to a word', async (t) => {
    const { deploy, send } = await fevmSetup(t);
    const probe = await deploy('FevmProbe');
    const receiver = await deploy('FilecoinMethodReceiver');
    const input = abi.encode(
      ['uint64', 'uint256', 'uint64', 'uint64', 'bytes', 'uint64'],
      [AUTHENTICATE_MESSAGE, 0, 0, CBOR_CODEC, hexlify(encodeCbor([new Uint8Array([1]), new Uint8Array([2])])), receiver.id],
    );
    const receipt = await send(probe, 'callActorIdRaw', [input]);
    assert.equal(receipt.exitCode, 0);
    const [ok, output] = probe.iface.decodeFunctionResult('callActorIdRaw', hexlify(receipt.returnData));
    assert.equal(ok, true);
    // (0, 0x51, CBOR true): 4 words and one padded data word.
    assert.equal(output, word(0) + word(0x51).slice(2) + word(0x60).slice(2) + word(1).slice(2) + 'f5' + '00'.repeat(31));
  });

  test('through CALL or STATICCALL it fails (CallForbidden): the CALL returns 0, nothing moves', async (t) => {
    const { deploy, send, devnet } = await fevmSetup(t);
    const probe = await deploy('FevmProbe', [], FIL);
    const target = f1(0x44);
    const receipt = await send(probe, 'callActorByCall', [METHOD_SEND, FIL / 2n, 0, 0, '0x', filAddressHex(target)]);
    assert.equal(receipt.exitCode, 0);
    const [result] = probe.iface.decodeFunctionResult('callActorByCall', hexlify(receipt.returnData));
    assert.deepEqual([...result], [false, 0n, 0n, '0x']);
    assert.equal(devnet.stateAt(devnet.head.epoch).lookupId(target), undefined);
  });

  test('refused input: codec 0x71, method 5 (reserved), unknown flags, codec 0 with params, bad address bytes', async (t) => {
    const { deploy, call } = await fevmSetup(t);
    const probe = await deploy('FevmProbe');
    const target = filAddressHex(f1(0x55));
    const refused = [
      [METHOD_SEND, 0, 0, 0x71, encodeCbor(1), target],
      [5, 0, 0, 0, '0x', target],
      [1023, 0, 0, 0, '0x', target],
      [METHOD_SEND, 0, 2, 0, '0x', target],
      [METHOD_SEND, 0, 0, 0, '0x00', target],
      [METHOD_SEND, 0, 0, 0, '0x', '0x'],
      [METHOD_SEND, 0, 0, 0, '0x', '0x0901'],
    ];
    for (const args of refused) {
      const [result] = await call(probe, 'callActor', args);
      assert.deepEqual([...result], [false, 0n, 0n, '0x'], `should refuse ${JSON.stringify(args, (_k, v) => (v instanceof Uint8Array ? hexlify(v) : typeof v === 'bigint' ? String(v) : v))}`);
    }
    // Method 1024 is the first the precompile lets through; an f1 account refuses any below 2^24 to a
    // contract before it looks for it (restrict_internal_api: 18).
    const [accepted] = await call(probe, 'callActor', [1024, 0, 0, 0, '0x', target]);
    assert.deepEqual([...accepted], [true, BigInt(ExitCode.ErrForbidden), 0n, '0x']);
  });

  // review R5: a Placeholder has no dispatcher (builtin-actors v18.0.0 actors/placeholder/src/lib.rs:
  // `invoke` returns 0), so the 18 an account gives a contract for an internal-range method never comes.
  test('a Placeholder answers any method call_actor lets through with success and no return, and keeps the value (R5)', async (t) => {
    const { deploy, send, call, devnet } = await fevmSetup(t);
    const probe = await deploy('FevmProbe');
    const address = FilAddress.fromDelegated(EAM_NAMESPACE, new Uint8Array(20).fill(0x66));
    const target = filAddressHex(address);
    assert.equal((await send(probe, 'callActor', [METHOD_SEND, 1, 0, 0, '0x', target], 1n)).exitCode, 0);
    for (const args of [
      [1024, 0, 0, 0, '0x', target],
      [1024, 0, 0, CBOR_CODEC, encodeCbor(1), target],
      [2 ** 24, 0, 0, 0, '0x', target],
    ]) {
      const [result] = await call(probe, 'callActor', args);
      assert.deepEqual([...result], [true, 0n, 0n, '0x'], `method ${args[0]}`);
    }
    const receipt = await send(probe, 'callActor', [1024, 2, 0, 0, '0x', target], 2n);
    assert.equal(receipt.exitCode, 0);
    assert.deepEqual([...probe.iface.decodeFunctionResult('callActor', hexlify(receipt.returnData))[0]], [true, 0n, 0n, '0x']);
    const state = devnet.stateAt(devnet.head.epoch);
    const placeholder = state.getActor(state.lookupId(address)!)!;
    assert.deepEqual([placeholder.kind, placeholder.balance], ['placeholder', 3n]);
  });

  test('syscall errors are negative exit codes: NotFound (-6), InsufficientFunds (-5), ReadOnly (-13)', async (t) => {
    const { deploy, call } = await fevmSetup(t);
    const probe = await deploy('FevmProbe');
    const [notFound] = await call(probe, 'callActor', [METHOD_SEND, 0, 0, 0, '0x', filAddressHex(FilAddress.fromId(999_999))]);
    assert.deepEqual([...notFound], [true, -6n, 0n, '0x']);
    const [otherNamespace] = await call(probe, 'callActor', [METHOD_SEND, 0, 0, 0, '0x', filAddressHex(FilAddress.fromDelegated(1234, new TextEncoder().encode('foobarboxy')))]);
    assert.deepEqual([...otherNamespace], [true, -6n, 0n, '0x']);
    const [poor] = await call(probe, 'callActor', [METHOD_SEND, FIL, 0, 0, '0x', filAddressHex(f1(0x66))]);
    assert.deepEqual([...poor], [true, -5n, 0n, '0x']);
    // READ_ONLY: an Account cannot be auto-created.
    const [readOnly] = await call(probe, 'callActor', [METHOD_SEND, 0, 1, 0, '0x', filAddressHex(f1(0x67))]);
    assert.deepEqual([...readOnly], [true, -13n, 0n, '0x']);
  });

  test('a builtin actor: exit 22 (USR_UNHANDLED_MESSAGE) until issue 5 gives it methods; METHOD_SEND to it works', async (t) => {
    const { deploy, call } = await fevmSetup(t);
    const probe = await deploy('FevmProbe');
    const [market] = await call(probe, 'callActor', [AUTHENTICATE_MESSAGE, 0, 0, 0, '0x', filAddressHex(FilAddress.fromId(5))]);
    assert.deepEqual([...market], [true, 22n, 0n, '0x']);
    const [send] = await call(probe, 'callActor', [METHOD_SEND, 0, 0, 0, '0x', filAddressHex(FilAddress.fromId(5))]);
    assert.deepEqual([...send], [true, 0n, 0n, '0x']);
    // G6b: a u64 method past 2^53 is sent too: the market has none (22), an account's fallback takes it (0).
    const [huge] = await call(probe, 'callActor', [2n ** 60n, 0, 0, 0, '0x', filAddressHex(FilAddress.fromId(5))]);
    assert.deepEqual([...huge], [true, 22n, 0n, '0x']);
    const [account] = await call(probe, 'callActor', [2n ** 60n, 0, 0, 0, '0x', filAddressHex(f1(0x68))]);
    assert.deepEqual([...account], [true, 0n, 0n, '0x']);
  });
});

describe('call_actor_id (0xfe00…05)', () => {
  test('InvokeContract on another contract: its return as CBOR bytes (codec 0x51), its state change and event kept', async (t) => {
    const { deploy, send, call } = await fevmSetup(t);
    const probe = await deploy('FevmProbe');
    const receiver = await deploy('FilecoinMethodReceiver');
    const calldata = getBytes(receiver.iface.encodeFunctionData('double', [21]));
    const receipt = await send(probe, 'callActorId', [INVOKE_CONTRACT, 0, 0, CBOR_CODEC, encodeCbor(calldata), receiver.id]);
    assert.equal(receipt.exitCode, 0);
    const [result] = probe.iface.decodeFunctionResult('callActorId', hexlify(receipt.returnData));
    assert.equal(result.success, true);
    assert.equal(result.exitCode, 0n);
    assert.equal(result.codec, 0x51n);
    assert.equal(hexlify(decodeCbor<Uint8Array>(getBytes(result.data))), word(42));
    assert.equal((await call(receiver, 'doubled'))[0], 42n);
    // The callee's log is in the transaction's events, from the callee.
    assert.equal(receipt.events.length, 1);
    assert.equal(receipt.events[0].emitter, receiver.id);
    assert.equal(hexlify(receipt.events[0].entries[0].value), receiver.iface.getEvent('Doubled')!.topicHash);
  });

  test('a callee that reverts: exit 33 with its revert data as CBOR bytes; the DELEGATECALL still succeeds; nothing kept', async (t) => {
    const { deploy, send } = await fevmSetup(t);
    const probe = await deploy('FevmProbe');
    const receiver = await deploy('FilecoinMethodReceiver');
    const calldata = getBytes(receiver.iface.encodeFunctionData('fail'));
    const receipt = await send(probe, 'callActorId', [INVOKE_CONTRACT, 0, 0, CBOR_CODEC, encodeCbor(calldata), receiver.id]);
    assert.equal(receipt.exitCode, 0);
    const [result] = probe.iface.decodeFunctionResult('callActorId', hexlify(receipt.returnData));
    assert.deepEqual([result.success, result.exitCode, result.codec], [true, 33n, 0x51n]);
    const revertData = decodeCbor<Uint8Array>(getBytes(result.data));
    assert.equal(receiver.iface.parseError(hexlify(revertData))?.args[0], 'failed on purpose');
    assert.equal(receipt.events.length, 0);
  });

  test('an exported method other than InvokeContract reaches handle_filecoin_method, as the contract itself', async (t) => {
    const { deploy, send, call } = await fevmSetup(t);
    const probe = await deploy('FevmProbe', [], FIL);
    const receiver = await deploy('FilecoinMethodReceiver');
    const params = encodeCbor([new Uint8Array([0xaa]), new Uint8Array([0xbb])]);
    const receipt = await send(probe, 'callActorId', [AUTHENTICATE_MESSAGE, 1000n, 0, CBOR_CODEC, params, receiver.id]);
    assert.equal(receipt.exitCode, 0);
    const [result] = probe.iface.decodeFunctionResult('callActorId', hexlify(receipt.returnData));
    assert.deepEqual([...result], [true, 0n, 0x51n, '0xf5']);
    assert.equal((await call(receiver, 'lastMethod'))[0], AUTHENTICATE_MESSAGE);
    assert.equal((await call(receiver, 'lastCodec'))[0], 0x51n);
    assert.equal((await call(receiver, 'lastParams'))[0], hexlify(params));
    assert.equal((await call(receiver, 'lastSender'))[0], probe.address);
    assert.equal((await call(receiver, 'lastValue'))[0], 1000n);
  });

  // builtin-actors dispatch.rs: None for a method with a params argument, or Some for one without, is
  // 16 before the method runs; call_actor's codec 0 sends None, codec CBOR a block even when empty
  // (actors/evm/src/interpreter/precompiles/fvm.rs), which decodes as nothing: 21.
  test('a builtin method: params missing (codec 0) or given to one that takes none (codec CBOR, even empty): 16', async (t) => {
    const { deploy, call } = await fevmSetup(t);
    const probe = await deploy('FevmProbe');
    const datacap = (method: string, codec: bigint, params: Uint8Array | string) => call(probe, 'callActorId', [methodNumber(method), 0, 0, codec, params, 7]);
    assert.deepEqual([...(await datacap('Name', 0n, '0x'))[0]], [true, 0n, 0x51n, hexlify(encodeCbor('DataCap'))]);
    assert.deepEqual([...(await datacap('Name', CBOR_CODEC, encodeCbor(null)))[0]], [true, 16n, 0n, '0x']);
    assert.deepEqual([...(await datacap('Name', CBOR_CODEC, '0x'))[0]], [true, 16n, 0n, '0x']);
    assert.deepEqual([...(await datacap('Balance', 0n, '0x'))[0]], [true, 16n, 0n, '0x']);
    assert.deepEqual([...(await datacap('Balance', CBOR_CODEC, '0x'))[0]], [true, 21n, 0n, '0x']);
    assert.deepEqual([...(await datacap('Balance', CBOR_CODEC, encodeCbor(FilAddress.fromId(100).bytes)))[0]], [true, 0n, 0x51n, hexlify(encodeCbor(new Uint8Array()))]);
    // The verified registry's Receive checks its caller (DataCap) in the method: without params, the dispatcher's 16 comes first.
    const [hook] = await call(probe, 'callActorId', [methodNumber('Receive'), 0, 0, 0, '0x', 6]);
    assert.deepEqual([...hook], [true, 16n, 0n, '0x']);
  });

  test('an unknown ID: NotFound (-6)', async (t) => {
    const { deploy, call } = await fevmSetup(t);
    const probe = await deploy('FevmProbe');
    const [result] = await call(probe, 'callActorId', [METHOD_SEND, 0, 0, 0, '0x', 424_242]);
    assert.deepEqual([...result], [true, -6n, 0n, '0x']);
  });
});

describe('get_randomness (0xfe00…06)', () => {
  test('past and current epochs: blake2b-256(blake2b-256(seed ‖ i64be(epoch))); a negative epoch: the genesis entry; a bad word: failure', async (t) => {
    const seed = new TextEncoder().encode('some other seed');
    const { deploy, call, devnet } = await fevmSetup(t, { seed });
    const probe = await deploy('FevmProbe');
    // eth_call runs on top of the head, at the next epoch.
    const current = devnet.head.epoch + 1;
    const expected = (epoch: number) => hexlify(blake256(blake256(new Uint8Array([...seed, ...i64be(epoch)]))));
    for (const epoch of [0, 1, current]) {
      const [ok, output] = await call(probe, 'getRandomness', [epoch]);
      assert.deepEqual([ok, output], [true, expected(epoch)], `epoch ${epoch}`);
    }
    // -1 as an i64 in the low 8 bytes: Lotus draws the genesis tipset's entry (chain/rand getBeaconEntryV2).
    assert.deepEqual([...(await call(probe, 'getRandomness', [(1n << 64n) - 1n]))], [true, expected(0)]);
    // i64's minimum: its lookback overflows i64, refused before any charge (ref-fvm get_randomness_from_beacon).
    assert.deepEqual([...(await call(probe, 'getRandomness', [1n << 63n]))], [false, '0x']);
    // Bytes above the i64 must be zero.
    assert.deepEqual([...(await call(probe, 'getRandomness', [1n << 64n]))], [false, '0x']);
  });

  test('a future epoch runs the caller out of gas: ref-fvm charges its negative lookback as a saturated u64', async (t) => {
    const { deploy, send, devnet, wallet } = await fevmSetup(t);
    const probe = await deploy('FevmProbe');
    const run = (epoch: number) => {
      const input = hexToBytes(probe.iface.encodeFunctionData('getRandomness', [epoch]));
      return devnet.call({ from: hexToBytes(wallet.address), to: hexToBytes(probe.address), input }, devnet.head.epoch);
    };
    // eth_call runs at the epoch after the head.
    assert.equal((await run(devnet.head.epoch + 1)).exitCode, ExitCode.Ok);
    await assert.rejects(run(devnet.head.epoch + 2), /SysErrOutOfGas\(7\)/);
    const receipt = await send(probe, 'getRandomness', [devnet.head.epoch + 2]);
    assert.equal(receipt.exitCode, ExitCode.SysErrOutOfGas);
  });

  test('a negative epoch costs its lookback from the current epoch', async (t) => {
    const { deploy, devnet } = await fevmSetup(t);
    const probe = await deploy('FevmProbe');
    const gasFor = async (epoch: bigint) => {
      const input = hexToBytes(probe.iface.encodeFunctionData('getRandomness', [BigInt.asUintN(64, epoch)]));
      return (await devnet.call({ to: hexToBytes(probe.address), input }, devnet.head.epoch)).gasUsed;
    };
    assert.equal((await gasFor(-5n)) - (await gasFor(0n)), 75 * 5);
  });

  test('drawing for an older epoch costs 75 gas more per epoch back (ref-fvm on_get_randomness: lookback_cost)', async (t) => {
    const { deploy, devnet } = await fevmSetup(t);
    const probe = await deploy('FevmProbe');
    for (let i = 0; i < 10; i++) await devnet.mine();
    const current = devnet.head.epoch + 1;
    const gasFor = async (epoch: number) => {
      const input = hexToBytes(probe.iface.encodeFunctionData('getRandomness', [epoch]));
      return (await devnet.call({ to: hexToBytes(probe.address), input }, devnet.head.epoch)).gasUsed;
    };
    assert.ok(current > 10);
    assert.equal((await gasFor(0)) - (await gasFor(current)), 75 * current);
    assert.equal((await gasFor(current - 3)) - (await gasFor(current)), 75 * 3);
  });

  test('the default seed is the ASCII bytes of "fvm-devnet"', async (t) => {
    const { deploy, call } = await fevmSetup(t);
    const probe = await deploy('FevmProbe');
    const seed = new TextEncoder().encode('fvm-devnet');
    const [, output] = await call(probe, 'getRandomness', [1]);
    assert.equal(output, hexlify(blake256(blake256(new Uint8Array([...seed, ...i64be(1)])))));
  });
});

describe('reserved addresses without a precompile', () => {
  test('0xfe…04, 0xfe…07, 0x…0a (no KZG on FEVM) and 0x…12: success with empty output, no actor created', async (t) => {
    const { deploy, send, devnet } = await fevmSetup(t);
    const probe = await deploy('FevmProbe');
    for (const address of ['0xfe00000000000000000000000000000000000004', '0xfe00000000000000000000000000000000000007', '0x000000000000000000000000000000000000000a', '0x0000000000000000000000000000000000000012']) {
      const receipt = await send(probe, 'callTo', [address, 0, '0x' + '11'.repeat(200)]);
      assert.equal(receipt.exitCode, 0);
      const [ok, output] = probe.iface.decodeFunctionResult('callTo', hexlify(receipt.returnData));
      assert.deepEqual([ok, output], [true, '0x'], address);
      assert.equal(devnet.stateAt(devnet.head.epoch).lookupId(FilAddress.fromEthAddress(hexToBytes(address))), undefined);
    }
  });

  test('the Ethereum precompiles stay: sha256 (0x02), identity (0x04), and BLS12-381 G1ADD (0x0b, nv27)', async (t) => {
    const { deploy, call } = await fevmSetup(t);
    const probe = await deploy('FevmProbe');
    const [, sha] = await call(probe, 'staticCallTo', ['0x0000000000000000000000000000000000000002', '0x616263']);
    assert.equal(sha, '0xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const [, identity] = await call(probe, 'staticCallTo', ['0x0000000000000000000000000000000000000004', '0x0102']);
    assert.equal(identity, '0x0102');
    // The point at infinity plus itself.
    const [ok, sum] = await call(probe, 'staticCallTo', ['0x000000000000000000000000000000000000000b', '0x' + '00'.repeat(256)]);
    assert.deepEqual([ok, sum], [true, '0x' + '00'.repeat(128)]);
  });

  test('ecrecover (0x01): a high s recovers as a low one; v not 27/28, r or s 0 or ≥ n: success with no output', async (t) => {
    // builtin-actors precompiles/evm.rs:39-45 and 63-71; the FVM's recovery (libsecp256k1's
    // parse_standard) refuses r, s ≥ n but not a high s.
    const { deploy, call } = await fevmSetup(t);
    const probe = await deploy('FevmProbe');
    const key = new SigningKey('0x' + '11'.repeat(32));
    const hash = keccak256('0x1234');
    const { r, s, v } = key.sign(hash);
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const word = (x: bigint | string) => BigInt(x).toString(16).padStart(64, '0');
    const input = (vv: bigint | number, rr: bigint | string, ss: bigint | string) => '0x' + hash.slice(2) + word(BigInt(vv)) + word(rr) + word(ss);
    const signer = '0x' + computeAddress(key.publicKey).slice(2).toLowerCase().padStart(64, '0');
    const cases: [string, string, string][] = [
      ['low s', input(v, r, s), signer],
      ['high s, other v', input(55 - v, r, n - BigInt(s)), signer],
      ['v 0', input(v - 27, r, s), '0x'],
      ['v 29', input(29, r, s), '0x'],
      ['v 27 + 256', input(v + 256, r, s), '0x'],
      ['r 0', input(v, 0n, s), '0x'],
      ['s 0', input(v, r, 0n), '0x'],
      ['r n', input(v, n, s), '0x'],
      ['s n', input(v, r, n), '0x'],
    ];
    for (const [name, data, expected] of cases) {
      assert.deepEqual([...(await call(probe, 'staticCallTo', ['0x0000000000000000000000000000000000000001', data]))], [true, expected], name);
    }
  });

  test('value sent with a CALL to a precompile goes to its f410 (a Placeholder), after the precompile succeeds', async (t) => {
    const { deploy, send, devnet } = await fevmSetup(t);
    const probe = await deploy('FevmProbe', [], FIL);
    const address = '0xfe00000000000000000000000000000000000001';
    const receipt = await send(probe, 'callTo', [address, 5n, filAddressHex(FilAddress.fromId(1))]);
    assert.equal(receipt.exitCode, 0);
    const state = devnet.stateAt(devnet.head.epoch);
    const placeholder = state.getActor(state.lookupId(FilAddress.fromEthAddress(hexToBytes(address)))!)!;
    assert.equal(placeholder.kind, 'placeholder');
    assert.equal(placeholder.balance, 5n);
  });
});
