// FIL <-> attoFIL. Expected strings follow Lotus's types.FIL formatting: the exact decimal value,
// trailing zeros trimmed, a minus sign in front of negative amounts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ATTO_PER_FIL, attoToFil, filToAtto } from '../../src/common/units.js';

describe('filToAtto', () => {
  test('whole amounts and fractions', () => {
    assert.equal(ATTO_PER_FIL, 1_000_000_000_000_000_000n);
    assert.equal(filToAtto('0'), 0n);
    assert.equal(filToAtto('1'), 10n ** 18n);
    assert.equal(filToAtto('10000'), 10_000n * 10n ** 18n);
    assert.equal(filToAtto('1.5'), 1_500_000_000_000_000_000n);
    assert.equal(filToAtto('0.000000000000000001'), 1n);
    assert.equal(filToAtto('123.456789012345678901'), 123_456_789_012_345_678_901n);
    assert.equal(filToAtto('0.1'), 100_000_000_000_000_000n);
  });

  test('numbers and surrounding spaces', () => {
    assert.equal(filToAtto(2), 2n * 10n ** 18n);
    assert.equal(filToAtto(0.25), 250_000_000_000_000_000n);
    assert.equal(filToAtto(' 2 '), 2n * 10n ** 18n);
  });

  test('rejects more than 18 decimals, signs, exponents and junk', () => {
    for (const bad of ['1.0000000000000000001', '-1', '+1', '1e18', '.5', '5.', '', 'abc', '1,5', '0x10', '1 000']) {
      assert.throws(() => filToAtto(bad), /invalid FIL amount/, bad);
    }
  });
});

describe('attoToFil', () => {
  test('formats exact decimals without trailing zeros', () => {
    assert.equal(attoToFil(0n), '0');
    assert.equal(attoToFil(1n), '0.000000000000000001');
    assert.equal(attoToFil(10n ** 18n), '1');
    assert.equal(attoToFil(1_500_000_000_000_000_000n), '1.5');
    assert.equal(attoToFil(10_000n * 10n ** 18n), '10000');
    assert.equal(attoToFil(123_000_000_000_000_000_001n), '123.000000000000000001');
  });

  test('round trip with filToAtto', () => {
    for (const atto of [0n, 1n, 999n, 10n ** 18n, 12_345_678_901_234_567_890n, 10n ** 30n + 7n]) {
      assert.equal(filToAtto(attoToFil(atto)), atto);
    }
  });

  test('negative amounts get one leading minus sign', () => {
    assert.equal(attoToFil(-(10n ** 18n)), '-1');
    assert.equal(attoToFil(-1n), '-0.000000000000000001');
    assert.equal(attoToFil(-1_500_000_000_000_000_000n), '-1.5');
  });
});
