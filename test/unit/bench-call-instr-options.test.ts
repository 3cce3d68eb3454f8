// bench/call-instr-options.ts: bench:call-instr's defaults for what it counts, and the runs it refuses
// before the node starts (a run that could not count what it says it counts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PIPELINED_TRANSFERS, callInstrOptions } from '../../bench/call-instr-options.js';

describe('callInstrOptions', () => {
  test('--send pipelined: the defaults send exactly the transfers allowed, below the node\'s 2 048th message', () => {
    const { warm, k, rounds } = callInstrOptions(['--send', 'pipelined']);
    assert.deepEqual({ warm, k, rounds }, { warm: 800, k: 200, rounds: 5 });
    assert.equal(warm + (rounds + 1) * k, PIPELINED_TRANSFERS);
    const fewer = callInstrOptions(['--send', 'pipelined', '--rounds', '9', '--k', '100']);
    assert.equal(fewer.warm + (fewer.rounds + 1) * fewer.k, 1800);
  });

  test('--send pipelined refuses more transfers than that, by any of --rounds, --k and --warm, saying the sum', () => {
    for (const [args, sum] of [
      [['--rounds', '7'], '800 + 8 × 200 = 2400'],
      [['--k', '300'], '800 + 6 × 300 = 2600'],
      [['--warm', '1000'], '1000 + 6 × 200 = 2200'],
    ] as const) {
      assert.throws(
        () => callInstrOptions(['--send', 'pipelined', ...args]),
        (e: Error) => e.message.includes("counts below the node's 2 048th message") && e.message.includes(`≤ 2000 (${sum})`),
        args.join(' '),
      );
    }
  });

  test('the other sends keep their defaults and no such limit', () => {
    const { warm, k } = callInstrOptions(['--send', 'transfer', '--rounds', '7']);
    assert.deepEqual({ warm, k }, { warm: 2000, k: 300 });
  });

  test("--after-logs mines 1000 transfers, so that its eth_getLogs is as large as the bench's logs phase's", () => {
    assert.equal(callInstrOptions(['--read', 'receipt', '--after-logs']).n, 1000);
    assert.equal(callInstrOptions(['--read', 'block-receipts', '--after-logs']).n, 1000);
    assert.equal(callInstrOptions(['--read', 'receipt', '--after-logs', '--n', '300']).n, 300);
    assert.equal(callInstrOptions(['--read', 'receipt']).n, 100);
    const logs = callInstrOptions(['--read', 'logs']);
    assert.deepEqual({ n: logs.n, warm: logs.warm }, { n: 1000, warm: 1000 });
  });

  test('the refusals that were there before stay', () => {
    assert.throws(() => callInstrOptions(['--read', 'logs', '--n', '100']), /give --n 1000 or more/);
    assert.throws(() => callInstrOptions(['--send', 'transfer', '--read', 'receipt']), /measure one thing each/);
    assert.throws(() => callInstrOptions(['--after-logs']), /give --read receipt, block-full or block-receipts/);
    assert.throws(() => callInstrOptions(['--send', 'nope']), /--send takes transfer, erc20 or pipelined/);
    assert.throws(() => callInstrOptions(['--k', '0']), /positive integers/);
  });
});
