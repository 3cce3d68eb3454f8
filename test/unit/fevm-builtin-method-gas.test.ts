import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  ACCOUNT_INVOCATION,
  blockLoadGas,
  blockPutGas,
  builtinInvocationGas,
  ETHACCOUNT_INVOCATION,
  paramsReadGas,
  PLACEHOLDER_INVOCATION,
  stateLoadGas,
  stateWriteGas,
  wasmInvocationGas,
} from '../../src/fevm/builtin-method-gas.js';

// The minimum memory and table of each module in calibnet's v18 bundle (Lotus build/actors/v18.tar.zst,
// builtin-actors-calibrationnet.car), which ref-fvm's charge_for_init fills at 0.4 gas a byte, 8 bytes an element.
const fill = (pages: number, elements: number) => Math.ceil(0.4 * (pages * 65_536 + 8 * elements));

describe('builtin actors invoked', () => {
  test('each module as the v18 bundle declares it: the miner 18 pages and 478 elements, the market 17 and 392', () => {
    assert.equal(wasmInvocationGas('storageminer'), fill(18, 478));
    assert.equal(wasmInvocationGas('storagemarket'), fill(17, 392));
    assert.equal(wasmInvocationGas('storagepower'), fill(17, 396));
    assert.equal(wasmInvocationGas('datacap'), fill(17, 355));
    assert.equal(wasmInvocationGas('verifiedregistry'), fill(17, 325));
  });

  test('up to the dispatch: the module and the trampoline\'s two syscalls; a Placeholder runs 15 instructions and no trampoline', () => {
    assert.equal(builtinInvocationGas('storagemarket'), 446_900 + 28_000);
    assert.equal(builtinInvocationGas('account'), ACCOUNT_INVOCATION);
    assert.equal(builtinInvocationGas('ethaccount'), ETHACCOUNT_INVOCATION);
    assert.equal(builtinInvocationGas('placeholder'), PLACEHOLDER_INVOCATION);
    assert.equal(PLACEHOLDER_INVOCATION, 419_494);
  });

  test('params read with block_stat and block_read (0.4 gas a byte); none without params', () => {
    assert.equal(paramsReadGas(0), 0);
    assert.equal(paramsReadGas(100), 28_000 + 40);
  });
});

describe('state blocks', () => {
  test('a block opened: block_open 187 440, its links checked (300) and tracked (300 each), 10 gas a byte retained, read at 0.4 a byte, two syscalls', () => {
    assert.equal(blockLoadGas({ bytes: 400, links: 8 }), 28_000 + 300 + 187_440 + 4_000 + 160);
  });

  test('a block written: block_create and block_link (506 000 and ~3 352 a byte), two syscalls', () => {
    // 400 bytes: create 1 120 + retention up to 10 a byte (4 000), link 160 + 800 + 4 000 (blake2b) + 300 + 172 000 + 334 000 + 3 340 × 400.
    assert.equal(blockPutGas({ bytes: 400, links: 0 }), 28_000 + 4_000 + 160 + 800 + 4_000 + 300 + 172_000 + 334_000 + 3_340 * 400);
  });

  test("the market's state block (v18: 8 links, 13 fields) loads for ~0.23 M and writes for ~1.8 M; the EAM and an EthAccount have none", () => {
    const load = stateLoadGas('storagemarket');
    const write = stateWriteGas('storagemarket');
    assert.ok(load > 225_000 && load < 240_000, `${load}`);
    assert.ok(write > 1_750_000 && write < 1_900_000, `${write}`);
    assert.equal(stateLoadGas('eam'), 0);
    assert.equal(stateWriteGas('ethaccount'), 0);
  });
});
