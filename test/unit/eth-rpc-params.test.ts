// Parameter parsers: JSON-RPC values in, bytes / bigints / block references out, and errors that
// name the parameter (-32602).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidParamsError } from '../../src/common/errors.js';
import { bytesToHex } from '../../src/common/hex.js';
import { callRequest, transactionToSign } from '../../src/eth-rpc/call-request.js';
import {
  address,
  amount,
  blockRef,
  bool,
  describeValue,
  hash,
  object,
  optional,
  parseAddress,
  parseBlockRef,
  parseData,
  parseFixedData,
  parseHash,
  parseObject,
  parseQuantity,
  parseSafeNumber,
  string,
} from '../../src/eth-rpc/params.js';

const ADDR = '0x52963ef50e27e06d72d59fcb4f3c2a687be3cfef';
const HASH = '0x' + 'ab'.repeat(32);

function invalidParam(fn: () => unknown, name: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof InvalidParamsError, `expected InvalidParamsError, got ${String(err)}`);
    assert.equal(err.code, -32602);
    assert.ok(err.message.startsWith(`invalid argument '${name}': `), err.message);
    return true;
  });
}

describe('quantities', () => {
  test('parseQuantity reads 0x hex into a bigint', () => {
    assert.equal(parseQuantity('q', '0x0'), 0n);
    assert.equal(parseQuantity('q', '0x1df5e76'), 31415926n);
    assert.equal(parseQuantity('q', '0xFF'), 255n);
    assert.equal(parseQuantity('q', '0x' + 'f'.repeat(64)), 2n ** 256n - 1n);
  });

  test('parseQuantity refuses empty, unprefixed, non-hex, too long and non-string values', () => {
    for (const bad of ['0x', '10', 'latest', '0xg1', '0x' + '1'.repeat(65), 16, null, undefined, {}]) invalidParam(() => parseQuantity('amount', bad), 'amount');
  });

  // A cheat code's amount as Anvil's U256 reads it (newuser3 U9): `cast rpc anvil_setBalance <a> 1000`.
  test('amount takes hex, a decimal string and an exact JSON number; a JSON number above 2^53 - 1 is refused with what to send', () => {
    const balance = amount('balance');
    assert.equal(balance.parse('0xde0b6b3a7640000'), 10n ** 18n);
    assert.equal(balance.parse('1234567890123456789'), 1234567890123456789n);
    assert.equal(balance.parse(1000), 1000n);
    assert.equal(balance.parse(0), 0n);
    assert.equal(balance.parse((2n ** 256n - 1n).toString()), 2n ** 256n - 1n);
    assert.throws(() => balance.parse(1e18), /'balance': got the JSON number 1000000000000000000, above 2\^53 - 1.*send the amount as a hex or decimal string/);
    for (const bad of [-1, 1.5, '0x', '-1', '1e18', 'lots', (2n ** 256n).toString(), null, {}]) invalidParam(() => balance.parse(bad), 'balance');
  });

  test('parseSafeNumber stops at Number.MAX_SAFE_INTEGER', () => {
    assert.equal(parseSafeNumber('n', '0x1fffffffffffff'), Number.MAX_SAFE_INTEGER);
    invalidParam(() => parseSafeNumber('n', '0x20000000000000'), 'n');
  });
});

describe('bad values in error messages', () => {
  const deep = (depth: number, wrap: (v: unknown) => unknown) => {
    let v: unknown = 1;
    for (let i = 0; i < depth; i++) v = wrap(v);
    return v;
  };

  test('describeValue prints short values as JSON and cuts long ones at 80 characters', () => {
    assert.equal(describeValue('0x12'), '"0x12"');
    assert.equal(describeValue({ a: [1, null, true] }), '{"a":[1,null,true]}');
    assert.equal(describeValue(undefined), 'undefined');
    const long = '0x' + 'ab'.repeat(50_000);
    assert.equal(describeValue(long), `${JSON.stringify(long).slice(0, 80)}…`);
    const wide = Array.from({ length: 100_000 }, () => 7);
    assert.equal(describeValue(wide), `${JSON.stringify(wide).slice(0, 80)}…`);
  });

  // Found by the hostile-input corpus: JSON.stringify of a value ~5000 deep overflowed the stack (-32603).
  test('describeValue prints a value nested 100 000 deep as its first 80 characters', () => {
    assert.equal(describeValue(deep(100_000, (v) => [v])), '['.repeat(80) + '…');
    assert.equal(describeValue(deep(100_000, (v) => ({ a: v }))), '{"a":'.repeat(16) + '…');
  });

  test('a parser refuses a deep or long value with a short -32602 error', () => {
    for (const bad of [deep(50_000, (v) => [v]), deep(50_000, (v) => ({ a: v })), '0x' + '1'.repeat(100_001)]) {
      for (const parse of [parseQuantity, parseData, parseBlockRef]) {
        invalidParam(() => parse('p', bad), 'p');
        assert.throws(() => parse('p', bad), (err: Error) => err.message.length < 200);
      }
    }
  });
});

describe('bytes', () => {
  test('parseData reads even-length hex, 0x being empty', () => {
    assert.deepEqual(parseData('d', '0x'), new Uint8Array());
    assert.deepEqual(parseData('d', '0x00ff'), new Uint8Array([0, 255]));
    assert.deepEqual(parseData('d', '0xABcd'), new Uint8Array([0xab, 0xcd]));
  });

  test('parseData refuses unprefixed and non-hex strings and non-strings', () => {
    // '\u0130\u0131': characters whose low bytes are hex digits, which Node's hex decoder would take (as 0x01).
    for (const bad of ['00ff', '0xzz', '0x\u0130\u0131', '0x00ff\u0130\u0131', 12, null]) invalidParam(() => parseData('input', bad), 'input');
  });

  test('parseData says which is wrong: not hex at all before an odd count of digits', () => {
    const message = (value: unknown) => {
      try {
        parseData('input', value);
      } catch (err) {
        return (err as Error).message;
      }
      assert.fail(`${String(value)} was taken`);
    };
    assert.equal(message('0x123'), "invalid argument 'input': hex data must have an even number of digits");
    for (const bad of ['0x12z', '0x12zz', '123', '0x' + '00'.repeat(70) + 'zz', 7]) assert.match(message(bad)!, /^invalid argument 'input': expected a 0x-prefixed hex string, got /);
  });

  test('fixed-length data: addresses are 20 bytes, hashes 32', () => {
    assert.equal(bytesToHex(parseAddress('a', ADDR)), ADDR);
    assert.equal(bytesToHex(parseAddress('a', ADDR.toUpperCase().replace('0X', '0x'))), ADDR);
    assert.equal(bytesToHex(parseHash('h', HASH)), HASH);
    invalidParam(() => parseAddress('from', ADDR + '00'), 'from');
    invalidParam(() => parseAddress('from', '0x1234'), 'from');
    invalidParam(() => parseHash('blockHash', ADDR), 'blockHash');
    invalidParam(() => parseFixedData('x', '0x0102', 3), 'x');
  });
});

describe('block references', () => {
  test('tags', () => {
    for (const tag of ['latest', 'earliest', 'pending', 'safe', 'finalized']) assert.deepEqual(parseBlockRef('b', tag), { tag });
  });

  test('hex numbers and 66-character hashes', () => {
    assert.deepEqual(parseBlockRef('b', '0x0'), { number: 0 });
    assert.deepEqual(parseBlockRef('b', '0x2a'), { number: 42 });
    const ref = parseBlockRef('b', HASH);
    assert.ok('hash' in ref);
    assert.equal(bytesToHex(ref.hash), HASH);
  });

  test('EIP-1898 objects: blockHash or blockNumber', () => {
    const byHash = parseBlockRef('b', { blockHash: HASH, requireCanonical: true });
    assert.ok('hash' in byHash);
    assert.equal(bytesToHex(byHash.hash), HASH);
    assert.equal(byHash.requireCanonical, true);
    const anyBlock = parseBlockRef('b', { blockHash: HASH });
    assert.ok('hash' in anyBlock && anyBlock.requireCanonical === false);
    assert.deepEqual(parseBlockRef('b', { blockNumber: '0x5' }), { number: 5 });
    assert.deepEqual(parseBlockRef('b', { blockNumber: 'latest' }), { tag: 'latest' });
    invalidParam(() => parseBlockRef('b', { blockHash: '0x12' }), 'b.blockHash');
  });

  test("EIP-1898 blockNumber is Lotus's EthUint64: a JSON number too; blockHash and blockNumber together are refused", () => {
    assert.deepEqual(parseBlockRef('b', { blockNumber: 12 }), { number: 12 });
    assert.deepEqual(parseBlockRef('b', { blockNumber: '12' }), { number: 12 });
    invalidParam(() => parseBlockRef('b', { blockNumber: -1 }), 'b.blockNumber');
    invalidParam(() => parseBlockRef('b', { blockNumber: 1.5 }), 'b.blockNumber');
    invalidParam(() => parseBlockRef('b', { blockHash: HASH, blockNumber: '0x1' }), 'b');
    invalidParam(() => parseBlockRef('block', { blockNumber: 12 }, { allowHash: false }), 'block');
  });

  test('a bare JSON number is refused, as Lotus refuses it, with the strings to send instead', () => {
    assert.throws(() => parseBlockRef('block', 12), (err: Error) => err.message.includes('"0xc" or "12"'));
  });

  test('without allowHash, hashes and objects are refused', () => {
    invalidParam(() => parseBlockRef('block', HASH, { allowHash: false }), 'block');
    invalidParam(() => parseBlockRef('block', { blockNumber: '0x1' }, { allowHash: false }), 'block');
  });

  test('garbage is refused naming the parameter', () => {
    for (const bad of ['newest', '0xzz', 5, null, [], true]) invalidParam(() => parseBlockRef('block', bad), 'block');
  });

  test('decimal strings are block numbers, as Lotus accepts them (lotus-eth-rpc.md §2.1, EthUint64)', () => {
    assert.deepEqual(parseBlockRef('block', '12'), { number: 12 });
  });
});

describe('Param helpers', () => {
  test('each parses and names its parameter', () => {
    assert.equal(bytesToHex(address('who').parse(ADDR)), ADDR);
    invalidParam(() => address('who').parse('0x12'), 'who');
    assert.equal(bytesToHex(hash('h').parse(HASH)), HASH);
    assert.deepEqual(blockRef('blk').parse('latest'), { tag: 'latest' });
    assert.equal(bool('full').parse(true), true);
    invalidParam(() => bool('full').parse('true'), 'full');
    assert.equal(string('id').parse('x'), 'x');
    invalidParam(() => string('id').parse(1), 'id');
    assert.deepEqual(object('filter').parse({ a: 1 }), { a: 1 });
    for (const bad of [null, [], 'x']) invalidParam(() => parseObject('filter', bad), 'filter');
  });

  test('optional marks a parameter optional without changing its parser', () => {
    const param = optional(address('from'));
    assert.equal(param.optional, true);
    assert.equal(param.name, 'from');
    assert.equal(bytesToHex(param.parse(ADDR)!), ADDR);
    assert.equal(address('from').optional, undefined);
  });
});

describe('callRequest and transactionToSign (eth_call, eth_estimateGas, eth_sendTransaction)', () => {
  test('reads every field; absent and null fields stay undefined; to absent is a deployment (null)', () => {
    const parsed = callRequest('transaction').parse({
      from: ADDR,
      to: null,
      gas: '0x5208',
      value: '0x10',
      data: '0x1234',
      nonce: '0x3',
      maxFeePerGas: '0x100',
      maxPriorityFeePerGas: '0x10',
    });
    assert.equal(bytesToHex(parsed.from!), ADDR);
    assert.equal(parsed.to, null);
    assert.equal(parsed.gas, 21000);
    assert.equal(parsed.value, 16n);
    assert.equal(bytesToHex(parsed.input!), '0x1234');
    assert.equal(parsed.nonce, 3);
    assert.equal(parsed.maxFeePerGas, 256n);
    assert.equal(parsed.maxPriorityFeePerGas, 16n);
    const empty = callRequest('tx').parse({});
    assert.deepEqual(
      { ...empty },
      { from: undefined, to: null, gas: undefined, value: undefined, input: undefined, nonce: undefined, maxFeePerGas: undefined, maxPriorityFeePerGas: undefined },
    );
  });

  test('input wins over data (Lotus EthCall)', () => {
    assert.equal(bytesToHex(callRequest('tx').parse({ input: '0xaa', data: '0xbb' }).input!), '0xaa');
    assert.equal(bytesToHex(callRequest('tx').parse({ data: '0xbb' }).input!), '0xbb');
  });

  test('gasPrice stands in for both fee fields when they are absent', () => {
    const legacy = callRequest('tx').parse({ gasPrice: '0x64' });
    assert.equal(legacy.maxFeePerGas, 100n);
    assert.equal(legacy.maxPriorityFeePerGas, 100n);
    const mixed = callRequest('tx').parse({ gasPrice: '0x64', maxFeePerGas: '0x200' });
    assert.equal(mixed.maxFeePerGas, 512n);
    assert.equal(mixed.maxPriorityFeePerGas, 100n);
  });

  test('errors name the field', () => {
    invalidParam(() => callRequest('transaction').parse({ to: '0x1234' }), 'transaction.to');
    invalidParam(() => callRequest('transaction').parse({ value: 'ten' }), 'transaction.value');
    invalidParam(() => callRequest('transaction').parse('not an object'), 'transaction');
    invalidParam(() => callRequest('transaction').parse([ADDR]), 'transaction');
    const toSign = transactionToSign('transaction');
    invalidParam(() => toSign.parse({ to: ADDR }), 'transaction.from');
    invalidParam(() => toSign.parse({ from: ADDR, type: 'two' }), 'transaction.type');
  });
});
