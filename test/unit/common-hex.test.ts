// Hex and byte helpers.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { REPO_ROOT } from '../helpers/solc.js';
import { bigintsFromStrings } from '../helpers/bigint-parses.js';
import {
  bigintToBytes,
  bytesToBigint,
  bytesToHex,
  concatBytes,
  equalBytes,
  evenHexToBytes,
  hexToBytes,
  padStart,
  quantity,
} from '../../src/common/hex.js';

describe('hexToBytes / bytesToHex', () => {
  test('decodes 0x-prefixed hex of either case', () => {
    assert.deepEqual(hexToBytes('0x'), new Uint8Array());
    assert.deepEqual(hexToBytes('0x00ff10'), new Uint8Array([0, 255, 16]));
    assert.deepEqual(hexToBytes('0xABcd'), new Uint8Array([0xab, 0xcd]));
  });

  test('every hex digit of either case, in short values and long ones (decoded two ways) alike', () => {
    const digits = '0123456789abcdefABCDEF';
    for (const length of [1, 11, 63, 64, 65, 100]) {
      const hex = Array.from({ length: 2 * length }, (_, i) => digits[(i * 7) % digits.length]).join('');
      assert.deepEqual(hexToBytes(`0x${hex}`), Uint8Array.from(Buffer.from(hex, 'hex')), `${length} bytes`);
    }
  });

  test('rejects odd length, a missing prefix and non-hex characters', () => {
    for (const bad of ['0x0', '0x123', 'abcd', '0xzz', '0x 1', '', '0X12']) {
      assert.throws(() => hexToBytes(bad), /invalid hex string/, bad);
    }
  });

  test('decodes tens of megabytes (a chain given to anvil_loadState)', () => {
    const bytes = Uint8Array.from({ length: 24 << 20 }, (_, i) => (i * 31) & 0xff);
    assert.deepEqual(hexToBytes('0x' + Buffer.from(bytes).toString('hex')), bytes);
  });

  test('encodes lowercase with a 0x prefix', () => {
    assert.equal(bytesToHex(new Uint8Array()), '0x');
    assert.equal(bytesToHex(new Uint8Array([0, 0xab, 0xff])), '0x00abff');
  });

  test('round trip', () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    assert.deepEqual(hexToBytes(bytesToHex(bytes)), bytes);
  });

  test('small and large arrays, and views into a larger buffer, alike (plain Uint8Arrays of their own)', () => {
    const whole = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff);
    for (const length of [1, 20, 32, 64, 65, 117, 200]) {
      const view = whole.subarray(3, 3 + length);
      const hex = '0x' + Buffer.from(view).toString('hex');
      assert.equal(bytesToHex(view), hex);
      assert.equal(bytesToHex(Uint8Array.from(view)), hex);
      const decoded = hexToBytes(hex);
      assert.equal(Object.getPrototypeOf(decoded), Uint8Array.prototype);
      assert.deepEqual(decoded, Uint8Array.from(view));
      assert.equal(decoded.byteOffset, 0);
      assert.equal(decoded.buffer.byteLength, length, 'not a view of a shared pool');
    }
  });
});

describe('bytesToHex of short arrays', () => {
  test('encodes every length 0-65 of every byte value, as Node\'s Buffer does, views of a larger array too', () => {
    for (let length = 0; length <= 65; length++) {
      for (let pattern = 0; pattern < 256; pattern += 17) {
        const bytes = Uint8Array.from({ length }, (_, i) => (pattern + i * 101) & 0xff);
        const expected = '0x' + Buffer.from(bytes).toString('hex');
        assert.equal(bytesToHex(bytes), expected);
        const padded = new Uint8Array(length + 7);
        padded.set(bytes, 5);
        assert.equal(bytesToHex(padded.subarray(5, 5 + length)), expected);
      }
    }
  });

  test('neither copies an array into a Buffer nor gives it memory of its own (V8 keeps up to 64 bytes inside the object)', () => {
    const arrays = Array.from({ length: 20_000 }, (_, i) => Uint8Array.from({ length: 32 }, (_, j) => (i + j) & 0xff));
    const before = process.memoryUsage().arrayBuffers;
    const hexes = arrays.map(bytesToHex);
    // A copy into a Buffer of Node's pool takes a new 8 KiB pool every 256 hashes; asking for `.buffer` 32 bytes each.
    assert.equal(process.memoryUsage().arrayBuffers - before, 0);
    hexes.forEach((hex, i) => assert.equal(hex, '0x' + Buffer.from(arrays[i]!).toString('hex')));
  });
});

describe("bytesToHex on a Node whose Buffer.prototype.hexSlice is not this one's (undocumented, probed at load)", () => {
  // Buffer#toString('hex') itself calls the method on the Buffer, so a Node without it, or with other
  // arguments, is a Node whose Buffer encodes through something else: the probe covers those too.
  const nodes = {
    'checks its receiver': `const own = Buffer.prototype.hexSlice;
      Buffer.prototype.hexSlice = function (start, end) {
        if (!Buffer.isBuffer(this)) throw new TypeError('argument must be a buffer');
        return own.call(this, start, end);
      };`,
    'answers a plain array otherwise': `const own = Buffer.prototype.hexSlice;
      Buffer.prototype.hexSlice = function (start, end) { return Buffer.isBuffer(this) ? own.call(this, start, end) : ''; };`,
  };
  // One child for both (each tsx start costs seconds of CPU): each patch in turn, the original put back
  // between, and hex.ts imported afresh under it (another query string is another module, whose
  // load-time probe runs again), its answers taken while the patch is in place. The child fails if an
  // import gave a module already loaded (a loader keying modules by path alone): the later patch's
  // answers would then come from a probe run under the earlier one.
  let answers: Record<string, unknown> | undefined;
  const answersOf = () => {
    if (answers) return answers;
    const program = `const original = Buffer.prototype.hexSlice;
      const answers = {};
      const modules = new Set();
      ${Object.entries(nodes)
        .map(([name, patch], i) => `{
        ${patch}
        const hex = await import('./src/common/hex.ts?node${i}');
        modules.add(hex);
        answers[${JSON.stringify(name)}] = [hex.bytesToHex(Uint8Array.of(0xab, 0x01)), hex.bytesToHex(new Uint8Array(100).fill(0xcd)), Buffer.from([7, 8]).toString('hex')];
        Buffer.prototype.hexSlice = original;
      }`)
        .join('\n')}
      if (modules.size !== ${Object.keys(nodes).length}) throw new Error('hex.ts was not imported afresh for each patch');
      console.log(JSON.stringify(answers));`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    return (answers = JSON.parse(run.stdout) as Record<string, unknown>);
  };
  for (const name of Object.keys(nodes)) {
    test(`encodes through a Buffer where it ${name}`, () => {
      assert.deepEqual(answersOf()[name], ['0xab01', `0x${'cd'.repeat(100)}`, '0708']);
    });
  }
});

describe('evenHexToBytes', () => {
  // Lengths around IN_OBJECT_BYTES (64), where it turns from its own loop to Node's decoder.
  const LENGTHS = [0, 1, 20, 36, 63, 64, 65, 100];
  const bytesOf = (length: number) => Uint8Array.from({ length }, (_, i) => (i * 37 + 11) & 0xff);

  test('decodes every digit of either case, as Buffer.from does', () => {
    for (const length of LENGTHS) {
      const bytes = bytesOf(length);
      const lower = Buffer.from(bytes).toString('hex');
      for (const digits of [lower, lower.toUpperCase()]) assert.deepEqual(evenHexToBytes(`0x${digits}`), bytes, `${length} bytes, ${digits.slice(0, 8)}…`);
    }
    const all = '0123456789abcdefABCDEF';
    for (const high of all) for (const low of all) assert.deepEqual(evenHexToBytes(`0x${high}${low}`), new Uint8Array(Buffer.from(high + low, 'hex')));
  });

  test('answers undefined for an odd count of digits, no 0x, or a character that is not a hex digit anywhere', () => {
    for (const hex of ['', '0', '0x0', '0x123', '00ff', 'x0ff', '0X00', '1x00']) assert.equal(evenHexToBytes(hex), undefined, hex);
    // Neighbours of the digits' ranges, and characters whose low byte is a digit (Node's decoder would take '\u0130' as 0x30).
    const bad = ['/', ':', '@', 'G', '`', 'g', ' ', '\u0130', '\u0161', '\uff10'];
    for (const length of [1, 20, 64, 65, 100]) {
      const digits = Buffer.from(bytesOf(length)).toString('hex');
      for (const char of bad) {
        for (const at of [0, 1, digits.length - 1]) {
          const hex = `0x${digits.slice(0, at)}${char}${digits.slice(at + 1)}`;
          assert.equal(evenHexToBytes(hex), undefined, `${length} bytes, ${JSON.stringify(char)} at ${at}`);
        }
      }
    }
  });
});

describe('quantity', () => {
  test('minimal hex with no leading zeros', () => {
    assert.equal(quantity(0), '0x0');
    assert.equal(quantity(0n), '0x0');
    assert.equal(quantity(1), '0x1');
    assert.equal(quantity(255n), '0xff');
    assert.equal(quantity(256), '0x100');
    assert.equal(quantity(31415926n), '0x1df5e76');
    assert.equal(quantity(2n ** 256n - 1n), '0x' + 'f'.repeat(64));
  });
});

describe('bigintToBytes / bytesToBigint', () => {
  test('minimal big-endian', () => {
    assert.deepEqual(bigintToBytes(0n), new Uint8Array());
    assert.deepEqual(bigintToBytes(1n), new Uint8Array([1]));
    assert.deepEqual(bigintToBytes(255n), new Uint8Array([255]));
    assert.deepEqual(bigintToBytes(256n), new Uint8Array([1, 0]));
    assert.deepEqual(bigintToBytes(0x123456n), new Uint8Array([0x12, 0x34, 0x56]));
  });

  test('room for the caller before the bytes: zero bytes first, on both paths', () => {
    assert.deepEqual(bigintToBytes(0n, 1), new Uint8Array([0]));
    assert.deepEqual(bigintToBytes(0x0102n, 1), new Uint8Array([0, 1, 2]));
    assert.deepEqual(bigintToBytes(2n ** 48n, 2), new Uint8Array([0, 0, 1, 0, 0, 0, 0, 0, 0]));
    assert.deepEqual(bigintToBytes(2n ** 256n - 1n, 1), new Uint8Array([0, ...new Uint8Array(32).fill(0xff)]));
  });

  test('leading zero bytes do not change the value', () => {
    assert.equal(bytesToBigint(new Uint8Array()), 0n);
    assert.equal(bytesToBigint(new Uint8Array([0, 0, 1])), 1n);
    assert.equal(bytesToBigint(new Uint8Array([1, 0])), 256n);
  });

  test('round trip', () => {
    for (const n of [0n, 1n, 127n, 128n, 2n ** 64n, 2n ** 256n - 1n]) assert.equal(bytesToBigint(bigintToBytes(n)), n);
  });

  test('the same bytes on both sides of the small-number path (6 bytes)', () => {
    const viaHex = (n: bigint) => Buffer.from(n.toString(16).padStart(n.toString(16).length + (n.toString(16).length % 2), '0'), 'hex');
    for (const n of [2n ** 47n, 2n ** 48n - 1n, 2n ** 48n, 2n ** 48n + 1n, 2n ** 53n + 1n, 0xfedcba987654n, 0x1_0000_0000n]) {
      assert.deepEqual(bigintToBytes(n), new Uint8Array(viaHex(n)), `${n}`);
      assert.equal(bytesToBigint(viaHex(n)), n, `${n}`);
      assert.equal(bytesToBigint(new Uint8Array([0, 0, ...viaHex(n)])), n, `${n} with leading zeros`);
    }
    assert.equal(bytesToBigint(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff])), 2n ** 48n - 1n);
  });

  test('every length to 416 bits, whole or a range of a larger array, as BigInt of its hex; no string parsed', () => {
    // Per length: all ones, a one then zeros, a pattern, and leading zeros before a pattern.
    const cases: { bytes: Uint8Array; expected: bigint }[] = [];
    for (let length = 0; length <= 52; length++) {
      const pattern = Uint8Array.from({ length }, (_, i) => (i * 73 + length * 29 + 1) & 0xff);
      const zerosFirst = Uint8Array.from(pattern, (byte, i) => (i < length / 2 ? 0 : byte));
      for (const bytes of [new Uint8Array(length).fill(0xff), Uint8Array.from({ length }, (_, i) => (i === 0 ? 1 : 0)), pattern, zerosFirst]) {
        cases.push({ bytes, expected: BigInt('0x0' + Buffer.from(bytes).toString('hex')) });
      }
    }
    const whole: bigint[] = [];
    const ranges: bigint[] = [];
    const parsed = bigintsFromStrings(() => {
      for (const { bytes } of cases) {
        whole.push(bytesToBigint(bytes));
        // The same bytes between others, read by their bounds.
        const around = new Uint8Array(bytes.length + 10).fill(0xab);
        around.set(bytes, 3);
        ranges.push(bytesToBigint(around, 3, 3 + bytes.length));
      }
    });
    cases.forEach(({ bytes, expected }, i) => {
      assert.equal(whole[i], expected, `${bytes.length} bytes ${Buffer.from(bytes).toString('hex')}`);
      assert.equal(ranges[i], expected, `${bytes.length} bytes ${Buffer.from(bytes).toString('hex')} as a range`);
    });
    assert.equal(parsed, 0, 'bigints parsed from strings');
  });

  // R104: a 32-byte word is read 64 bits at a time from its array's buffer, at the view's own offset.
  test("a 32-byte word of a view into a larger buffer (a Buffer of Node's pool, subarrays at odd offsets) reads its own bytes", () => {
    const word = Uint8Array.from({ length: 32 }, (_, i) => 0xff - i * 5);
    const expected = BigInt('0x' + Buffer.from(word).toString('hex'));
    const pooled = Buffer.from(word);
    assert.equal(bytesToBigint(pooled), expected);
    const around = new Uint8Array(45).fill(0xab);
    around.set(word, 7);
    assert.equal(bytesToBigint(around.subarray(7, 39)), expected);
    assert.equal(bytesToBigint(around.subarray(2), 5, 37), expected);
    assert.equal(bytesToBigint(new Uint8Array(32)), 0n);
    assert.equal(bytesToBigint(new Uint8Array(32).fill(0xff)), 2n ** 256n - 1n);
  });

  // G2: a word's range past its array's end (or before its start) is refused, as other lengths' are,
  // not read from the bytes next to it in the buffer.
  test('a 32-byte range running past the array throws, as a 31-byte one does, though the buffer holds bytes there', () => {
    const buffer = new Uint8Array(64).fill(0x11);
    const short = buffer.subarray(8, 28);
    assert.throws(() => bytesToBigint(short, 0, 31), RangeError);
    assert.throws(() => bytesToBigint(short, 0, 32), RangeError);
    assert.throws(() => bytesToBigint(buffer.subarray(8, 40), -1, 31), RangeError);
  });
});

describe('padStart / concatBytes / equalBytes', () => {
  test('padStart left-pads and leaves longer input alone', () => {
    assert.deepEqual(padStart(new Uint8Array([1, 2]), 4), new Uint8Array([0, 0, 1, 2]));
    assert.deepEqual(padStart(new Uint8Array([1, 2, 3]), 2), new Uint8Array([1, 2, 3]));
    assert.deepEqual(padStart(new Uint8Array(), 32), new Uint8Array(32));
  });

  test('concatBytes', () => {
    assert.deepEqual(concatBytes(), new Uint8Array());
    assert.deepEqual(concatBytes(new Uint8Array([1]), new Uint8Array(), new Uint8Array([2, 3])), new Uint8Array([1, 2, 3]));
  });

  test('equalBytes', () => {
    assert.equal(equalBytes(new Uint8Array([1, 2]), new Uint8Array([1, 2])), true);
    assert.equal(equalBytes(new Uint8Array([1, 2]), new Uint8Array([1, 3])), false);
    assert.equal(equalBytes(new Uint8Array([1, 2]), new Uint8Array([1, 2, 0])), false);
    assert.equal(equalBytes(new Uint8Array(), new Uint8Array()), true);
  });
});
