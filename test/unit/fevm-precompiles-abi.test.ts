// The Filecoin precompiles' input and output encodings against a fake runtime, case by case as
// builtin-actors tests them (actors/evm/tests/call.rs call_actor_*, precompile.rs): offsets
// anywhere, inputs read as if followed by zeros, integers narrower than a word, the output layout.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AbiCoder, getBytes, hexlify } from 'ethers';
import { EAM_NAMESPACE, FilAddress } from '../../src/common/address.js';
import { concatBytes } from '../../src/common/hex.js';
import { word } from '../../src/filecoin-precompiles/abi.js';
import { resolveAddress } from '../../src/filecoin-precompiles/fe00-01-resolve-address.js';
import { lookupDelegatedAddress } from '../../src/filecoin-precompiles/fe00-02-lookup-delegated-address.js';
import { callActor } from '../../src/filecoin-precompiles/fe00-03-call-actor.js';
import { callActorId } from '../../src/filecoin-precompiles/fe00-05-call-actor-id.js';
import { getRandomness } from '../../src/filecoin-precompiles/fe00-06-get-randomness.js';
import {
  FILECOIN_PRECOMPILES,
  isReservedPrecompileAddress,
  runFilecoinPrecompile,
  type ActorCall,
  type ActorCallResult,
  type CallKind,
  type FilecoinPrecompile,
  type PrecompileRuntime,
} from '../../src/filecoin-precompiles/index.js';

const abi = AbiCoder.defaultAbiCoder();
const words = (...ns: (bigint | number)[]) => concatBytes(...ns.map((n) => word(BigInt(n))));
const foobarboxy = FilAddress.fromDelegated(1234, new TextEncoder().encode('foobarboxy'));

class FakeRuntime implements PrecompileRuntime {
  calls: ActorCall[] = [];
  /** The syscalls made, by name. */
  syscalls: string[] = [];
  constructor(
    readonly callKind: CallKind = 'delegatecall',
    private readonly answer: ActorCallResult = { type: 'returned', exitCode: 0 },
  ) {}
  readonly epoch = 100;
  readonly gasAvailable = 5_000_000;
  resolveAddress(address: FilAddress | undefined): number | undefined {
    this.syscalls.push('resolve_address');
    return address?.equals(foobarboxy) ? 10111 : undefined;
  }
  lookupDelegatedAddress(id: bigint): FilAddress | undefined {
    this.syscalls.push('lookup_delegated_address');
    return id === 10111n ? foobarboxy : undefined;
  }
  async callActor(call: ActorCall): Promise<ActorCallResult> {
    this.syscalls.push('send');
    this.calls.push(call);
    return this.answer;
  }
  beaconRandomness(epoch: bigint): Uint8Array | undefined {
    this.syscalls.push('get_beacon_randomness');
    return epoch <= this.epoch && epoch >= 0 ? new Uint8Array(32).fill(Number(epoch)) : undefined;
  }
}

async function run(precompile: FilecoinPrecompile, input: Uint8Array | string, runtime = new FakeRuntime()) {
  const outcome = await runFilecoinPrecompile(precompile, typeof input === 'string' ? getBytes(input) : input, runtime);
  return outcome.ok ? hexlify(outcome.output) : `failed: ${outcome.error.kind}`;
}

/** The default call_actor input of builtin-actors' CallActorParams: everything 0, params at 0xc0, address at 0xe0. */
function callActorInput(fields: { method?: bigint; value?: bigint; flags?: bigint; codec?: bigint; params?: Uint8Array; address?: Uint8Array; paramsOffset?: number; addressOffset?: number }) {
  const params = fields.params ?? new Uint8Array();
  const address = fields.address ?? new Uint8Array();
  const paramsOffset = fields.paramsOffset ?? 6 * 32;
  const addressOffset = fields.addressOffset ?? paramsOffset + 32 + Math.ceil(params.length / 32) * 32;
  const out = new Uint8Array(Math.max(addressOffset + 32 + address.length, paramsOffset + 32 + params.length));
  out.set(words(fields.method ?? 0n, fields.value ?? 0n, fields.flags ?? 0n, fields.codec ?? 0n, paramsOffset, addressOffset));
  out.set(word(BigInt(params.length)), paramsOffset);
  out.set(params, paramsOffset + 32);
  out.set(word(BigInt(address.length)), addressOffset);
  out.set(address, addressOffset + 32);
  return out;
}

describe('the registry', () => {
  test('0xfe…01, 02, 03, 05, 06 (no 04: get_actor_type was never enabled)', () => {
    assert.deepEqual(
      FILECOIN_PRECOMPILES.map((p) => [hexlify(p.address), p.name]),
      [
        ['0xfe00000000000000000000000000000000000001', 'resolve_address'],
        ['0xfe00000000000000000000000000000000000002', 'lookup_delegated_address'],
        ['0xfe00000000000000000000000000000000000003', 'call_actor'],
        ['0xfe00000000000000000000000000000000000005', 'call_actor_id'],
        ['0xfe00000000000000000000000000000000000006', 'get_randomness'],
      ],
    );
  });

  test('reserved addresses: 0x00 or 0xfe, 18 zero bytes, a non-zero last byte; and P256VERIFY\'s 0x…0100 (nv28)', () => {
    const reserved = (hex: string) => isReservedPrecompileAddress(getBytes(hex));
    assert.equal(reserved('0xfe00000000000000000000000000000000000001'), true);
    assert.equal(reserved('0x0000000000000000000000000000000000000001'), true);
    assert.equal(reserved('0xfe000000000000000000000000000000000000ff'), true);
    assert.equal(reserved('0x0000000000000000000000000000000000000000'), false);
    assert.equal(reserved('0xfe00000000000000000000000000000000000000'), false);
    assert.equal(reserved('0xff00000000000000000000000000000000000001'), false);
    assert.equal(reserved('0x0000000000000000000000000000000000000100'), true);
    assert.equal(reserved('0xfe00000000000000000000000000000000000100'), false);
    assert.equal(reserved('0x0000000000000000000000000000000000000200'), false);
    assert.equal(reserved('0x0000000000000000000000000000000000000101'), false);
    assert.equal(reserved('0xa000000000000000000000000000000000000001'), false);
  });
});

describe('resolve_address', () => {
  test('raw address bytes in, one word out; unbound: empty; not an address: failure', async () => {
    assert.equal(await run(resolveAddress, FilAddress.fromId(1234).bytes), hexlify(word(1234n)));
    assert.equal(await run(resolveAddress, foobarboxy.bytes), hexlify(word(10111n)));
    assert.equal(await run(resolveAddress, FilAddress.fromDelegated(0xffff, new TextEncoder().encode('foobarboxybeef')).bytes), '0x');
    assert.equal(await run(resolveAddress, '0xff'), 'failed: InvalidInput');
    // builtin-actors: a length word then three bytes is not an address either.
    assert.equal(await run(resolveAddress, concatBytes(word(5n), new Uint8Array([0, 0, 0xff]))), 'failed: InvalidInput');
    assert.equal(await run(resolveAddress, new Uint8Array(32).fill(0xff)), 'failed: InvalidInput');
  });

  test('what the FVM parses but no devnet actor can have: an ID beyond 2^53 resolves to itself, an f410 of a masked ID to nothing', async () => {
    const bigId = (1n << 60n) + 1n;
    const leb = [];
    for (let n = bigId; ; n >>= 7n) {
      if (n < 0x80n) {
        leb.push(Number(n));
        break;
      }
      leb.push(Number(n & 0x7fn) | 0x80);
    }
    assert.equal(await run(resolveAddress, new Uint8Array([0, ...leb])), hexlify(word(bigId)));
    const maskedF410 = new Uint8Array([4, EAM_NAMESPACE, 0xff, ...new Array(11).fill(0), 0, 0, 0, 0, 0, 0, 0, 5]);
    assert.equal(await run(resolveAddress, maskedF410), '0x');
  });
});

describe('the syscalls each branch makes (builtin-actors precompiles/fvm.rs, fvm_sdk actor::resolve_address)', () => {
  const syscalls = async (precompile: FilecoinPrecompile, input: Uint8Array | string, callKind: CallKind = 'delegatecall') => {
    const runtime = new FakeRuntime(callKind);
    await run(precompile, input, runtime);
    return runtime.syscalls;
  };

  test('resolve_address: none for an ID address (known, missing or beyond 2^53) or bytes that are no address', async () => {
    assert.deepEqual(await syscalls(resolveAddress, FilAddress.fromId(1234).bytes), []);
    assert.deepEqual(await syscalls(resolveAddress, new Uint8Array([0, 0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10])), []);
    assert.deepEqual(await syscalls(resolveAddress, '0xff'), []);
    assert.deepEqual(await syscalls(resolveAddress, foobarboxy.bytes), ['resolve_address']);
    const maskedF410 = new Uint8Array([4, EAM_NAMESPACE, 0xff, ...new Array(11).fill(0), 0, 0, 0, 0, 0, 0, 0, 5]);
    assert.deepEqual(await syscalls(resolveAddress, maskedF410), ['resolve_address']);
  });

  test('lookup_delegated_address and get_randomness: one, unless the word is refused', async () => {
    assert.deepEqual(await syscalls(lookupDelegatedAddress, word(11111n)), ['lookup_delegated_address']);
    assert.deepEqual(await syscalls(lookupDelegatedAddress, word((1n << 64n) - 1n)), ['lookup_delegated_address']);
    assert.deepEqual(await syscalls(lookupDelegatedAddress, word(1n << 64n)), []);
    assert.deepEqual(await syscalls(getRandomness, word(7n)), ['get_beacon_randomness']);
    assert.deepEqual(await syscalls(getRandomness, word(1n << 64n)), []);
  });

  test('call_actor: the send, not when the call kind or the input is refused; call_actor_id sends to any u64', async () => {
    assert.deepEqual(await syscalls(callActor, callActorInput({ address: foobarboxy.bytes })), ['send']);
    assert.deepEqual(await syscalls(callActor, callActorInput({ address: foobarboxy.bytes }), 'call'), []);
    assert.deepEqual(await syscalls(callActor, callActorInput({ method: 1n, address: foobarboxy.bytes })), []);
    const idInput = callActorInput({});
    idInput.set(word((1n << 64n) - 1n), 5 * 32);
    assert.deepEqual(await syscalls(callActorId, idInput), ['send']);
  });
});

describe('lookup_delegated_address', () => {
  test('one word in; the raw f4 bytes out, or empty; missing bytes count as zeros; beyond u64: failure', async () => {
    assert.equal(await run(lookupDelegatedAddress, word(10111n)), hexlify(foobarboxy.bytes));
    assert.equal(await run(lookupDelegatedAddress, word(11111n)), '0x');
    assert.equal(await run(lookupDelegatedAddress, '0x'), '0x');
    assert.equal(await run(lookupDelegatedAddress, word(1n << 64n)), 'failed: InvalidInput');
  });
});

describe('get_randomness', () => {
  test('an i64 epoch word in, 32 bytes out; future, negative or wider than i64: failure', async () => {
    assert.equal(await run(getRandomness, word(100n)), hexlify(new Uint8Array(32).fill(100)));
    assert.equal(await run(getRandomness, word(7n)), hexlify(new Uint8Array(32).fill(7)));
    // Short input: zeros follow, so the epoch is 0.
    assert.equal(await run(getRandomness, '0x'), hexlify(new Uint8Array(32)));
    assert.equal(await run(getRandomness, word(101n)), 'failed: InvalidInput');
    assert.equal(await run(getRandomness, word((1n << 64n) - 1n)), 'failed: InvalidInput');
    assert.equal(await run(getRandomness, word(1n << 64n)), 'failed: InvalidInput');
  });
});

describe('call_actor and call_actor_id', () => {
  test('only through DELEGATECALL', async () => {
    const input = callActorInput({ address: foobarboxy.bytes });
    assert.equal(await run(callActor, input, new FakeRuntime('call')), 'failed: CallForbidden');
    assert.equal(await run(callActor, input, new FakeRuntime('staticcall')), 'failed: CallForbidden');
    assert.equal(await run(callActorId, input, new FakeRuntime('call')), 'failed: CallForbidden');
  });

  test('the send it makes: method, value, flags, params block, address, all the gas it has', async () => {
    const runtime = new FakeRuntime();
    const params = new Uint8Array([0x82, 0x01, 0x02]);
    const input = abi.encode(['uint64', 'uint256', 'uint64', 'uint64', 'bytes', 'bytes'], [4186741094n, 10n ** 18n, 1n, 0x51n, params, foobarboxy.bytes]);
    assert.equal(await run(callActor, input, runtime), hexlify(words(0, 0, 0x60, 0)));
    assert.equal(runtime.calls.length, 1);
    const [call] = runtime.calls;
    assert.equal(call.method, 4186741094);
    assert.equal(call.value, 10n ** 18n);
    assert.equal(call.flags, 1n);
    assert.deepEqual(call.params, { codec: 0x51, data: params });
    assert.ok(call.to!.equals(foobarboxy));
    assert.equal(call.gasLimit, 5_000_000);
  });

  test('offsets anywhere (params at 200, address at 300), overlapping, and call_actor_id ignoring address bytes', async () => {
    const weird = new FakeRuntime();
    assert.equal(await run(callActor, callActorInput({ address: foobarboxy.bytes, paramsOffset: 200, addressOffset: 300 }), weird), hexlify(words(0, 0, 0x60, 0)));
    assert.equal(weird.calls[0].params, undefined);
    assert.ok(weird.calls[0].to!.equals(foobarboxy));

    // The same bytes serve as the params and the address.
    const overlapping = new FakeRuntime();
    const input = callActorInput({ codec: 0x51n, params: foobarboxy.bytes });
    input.set(word(6n * 32n), 5 * 32);
    assert.equal(await run(callActor, input, overlapping), hexlify(words(0, 0, 0x60, 0)));
    assert.deepEqual(overlapping.calls[0].params, { codec: 0x51, data: foobarboxy.bytes });
    assert.ok(overlapping.calls[0].to!.equals(foobarboxy));

    const byId = new FakeRuntime();
    const idInput = callActorInput({ address: foobarboxy.bytes });
    idInput.set(word(1234n), 5 * 32);
    assert.equal(await run(callActorId, idInput, byId), hexlify(words(0, 0, 0x60, 0)));
    assert.ok(byId.calls[0].to!.equals(FilAddress.fromId(1234)));
  });

  test('refusals: no address, codec 0xff…, codec 0 with params, method 1..1023, flags beyond READ_ONLY, u64 overflow', async () => {
    const fails = async (input: Uint8Array) => assert.equal(await run(callActor, input), 'failed: InvalidInput');
    await fails(callActorInput({}));
    await fails(callActorInput({ codec: 0xffn << 248n, address: foobarboxy.bytes }));
    await fails(callActorInput({ codec: 0x71n, address: foobarboxy.bytes }));
    await fails(callActorInput({ params: new Uint8Array(32).fill(0xff), address: foobarboxy.bytes }));
    await fails(callActorInput({ params: new Uint8Array([0]), address: foobarboxy.bytes }));
    await fails(callActorInput({ method: 1n, address: foobarboxy.bytes }));
    await fails(callActorInput({ method: 1023n, address: foobarboxy.bytes }));
    await fails(callActorInput({ method: 1n << 64n, address: foobarboxy.bytes }));
    await fails(callActorInput({ flags: 2n, address: foobarboxy.bytes }));
    // A params offset beyond u32.
    await fails(concatBytes(words(0, 0, 0, 0, 1n << 32n, 6 * 32), word(BigInt(foobarboxy.bytes.length)), foobarboxy.bytes));
    // A params length far beyond the input.
    const huge = callActorInput({ address: foobarboxy.bytes });
    huge.set(word(0xffffffffn), 6 * 32);
    await fails(huge);
    assert.equal(await run(callActor, callActorInput({ method: 1024n, address: foobarboxy.bytes })), hexlify(words(0, 0, 0x60, 0)));
  });

  test('the output: exit code as int256 (negative for syscall errors), codec, 0x60, length, data padded to a word', async () => {
    const data = new Uint8Array(33).fill(0xab);
    const returned = new FakeRuntime('delegatecall', { type: 'returned', exitCode: 33, returnBlock: { codec: 0x51, data } });
    const out = await run(callActor, callActorInput({ address: foobarboxy.bytes }), returned);
    assert.equal(out, hexlify(concatBytes(words(33, 0x51, 0x60, 33), data, new Uint8Array(31))));
    assert.deepEqual(abi.decode(['int256', 'uint64', 'bytes'], out).toArray(), [33n, 0x51n, hexlify(data)]);

    const notFound = new FakeRuntime('delegatecall', { type: 'syscall-error', errno: 6 });
    const errorOut = await run(callActor, callActorInput({ address: foobarboxy.bytes }), notFound);
    assert.equal(errorOut, hexlify(concatBytes(new Uint8Array(32).fill(0xff).map((b, i) => (i === 31 ? 0xfa : b)), words(0, 0x60, 0))));
    assert.equal(abi.decode(['int256', 'uint64', 'bytes'], errorOut)[0], -6n);
  });
});
