// Gas accounting. Expected values are worked out by hand from Lotus chain/vm/burn.go
// (ComputeGasOutputs, ComputeGasOverestimationBurn), chain/store/basefee.go (ComputeNextBaseFeeFromPremiums, FIP-0115:
// calibnet's rule from nv28, UpgradeFireHorseHeight, and the 2k devnet's from genesis) and the FVM price list;
// the Lotus message pool's minimum (its OnChainMessage since nv18: 38863 + 475000 + (36 + size) × 1300, the FVM's inclusion). Go's big.Div is Euclidean (floors for a positive divisor).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BLOCK_GAS_LIMIT,
  BLOCK_GAS_TARGET,
  INITIAL_BASE_FEE,
  MINIMUM_BASE_FEE,
  computeGasOutputs,
  onChainMessageCharge,
  nextBaseFee,
} from '../../src/fevm/gas.js';
import { signatureVerificationGas } from '../../src/fevm/builtin-method-gas.js';

describe('constants', () => {
  test('Lotus build constants', () => {
    assert.equal(BLOCK_GAS_LIMIT, 10_000_000_000);
    assert.equal(BLOCK_GAS_TARGET, 5_000_000_000);
    assert.equal(INITIAL_BASE_FEE, 100_000_000n);
    assert.equal(MINIMUM_BASE_FEE, 100n);
  });
});

describe('onChainMessageCharge', () => {
  test('Lotus since nv18: compute 38863 + 475000 (the sender\'s update), storage (36 + size) × 1300', () => {
    const charge = (size: number) => ({ Name: 'OnChainMessage', Extra: null, ComputeGas: 513_863, StorageGas: (36 + size) * 1_300, VirtualCompute: 0, VirtualStorage: 0 });
    for (const size of [0, 1, 100, 250]) assert.deepEqual(onChainMessageCharge(size), charge(size));
  });
});

describe('signatureVerificationGas', () => {
  // ref-fvm price_list.rs (ef0a9937) L107-117 sig_cost, L688 on_verify_signature, L293 a syscall: the
  // verify_signature syscall (fvm_sdk's default verify-signature feature, which builtin-actors v18 and
  // Lotus's FVM keep).
  test('secp256k1: 1 637 292 and 10 a byte, ~1.65 M; BLS: 16 598 605 and 26 a byte, ~16.6 M; with the syscall', () => {
    assert.equal(signatureVerificationGas(false, 250), 14_000 + 1_637_292 + 10 * 250);
    assert.equal(signatureVerificationGas(true, 250), 14_000 + 16_598_605 + 26 * 250);
  });
});

describe('computeGasOutputs', () => {
  const sum = (o: ReturnType<typeof computeGasOutputs>) => o.baseFeeBurn + o.overEstimationBurn + o.minerTip + o.refund;

  test('gas used = limit: no over-estimation burn', () => {
    const o = computeGasOutputs(1000, 1000, 100n, 200n, 50n);
    assert.equal(o.baseFeeBurn, 100_000n);
    assert.equal(o.minerTip, 50_000n);
    assert.equal(o.overEstimationBurn, 0n);
    assert.equal(o.gasBurned, 0);
    assert.equal(o.gasRefund, 0);
    assert.equal(o.minerPenalty, 0n);
    assert.equal(o.refund, 50_000n);
    assert.equal(sum(o), 1000n * 200n);
  });

  test('within 10 % over: everything unused is refunded', () => {
    // over = 1100 - 11·1000/10 = 0 -> not negative, so gasToBurn = 100·0/1000 = 0.
    const o = computeGasOutputs(1000, 1100, 100n, 200n, 50n);
    assert.equal(o.gasBurned, 0);
    assert.equal(o.gasRefund, 100);
    assert.equal(o.refund, 1100n * 200n - 100_000n - 55_000n);
  });

  test('moderate over-estimation: part of the excess is burned', () => {
    // over = 1500 - 1100 = 400; gasBurned = (1500 - 1000)·400/1000 = 200; gasRefund = 300.
    const o = computeGasOutputs(1000, 1500, 100n, 200n, 50n);
    assert.equal(o.gasBurned, 200);
    assert.equal(o.gasRefund, 300);
    assert.equal(o.baseFeeBurn, 100_000n);
    assert.equal(o.overEstimationBurn, 20_000n);
    assert.equal(o.minerTip, 75_000n); // premium × gasLimit
    assert.equal(o.refund, 300_000n - 100_000n - 75_000n - 20_000n);
    assert.equal(sum(o), 1500n * 200n);
  });

  test('heavy over-estimation: over is capped at gasUsed, so all the excess burns', () => {
    // over = 3000 - 1100 = 1900 -> capped to 1000; gasBurned = 2000·1000/1000 = 2000.
    const o = computeGasOutputs(1000, 3000, 100n, 200n, 50n);
    assert.equal(o.gasBurned, 2000);
    assert.equal(o.gasRefund, 0);
    assert.equal(o.overEstimationBurn, 200_000n);
    assert.equal(o.refund, 600_000n - 100_000n - 150_000n - 200_000n);
  });

  test('integer division truncates the burned gas', () => {
    // over = 10 - 77/10 = 10 - 7 = 3; gasBurned = (10 - 7)·3/7 = 9/7 = 1; gasRefund = 2.
    const o = computeGasOutputs(7, 10, 1n, 1n, 0n);
    assert.equal(o.gasBurned, 1);
    assert.equal(o.gasRefund, 2);
    assert.equal(o.overEstimationBurn, 1n);
    assert.equal(o.refund, 2n);
  });

  test('no gas used: the whole limit is burned at the base fee', () => {
    const o = computeGasOutputs(0, 1000, 100n, 200n, 50n);
    assert.equal(o.gasBurned, 1000);
    assert.equal(o.gasRefund, 0);
    assert.equal(o.baseFeeBurn, 0n);
    assert.equal(o.overEstimationBurn, 100_000n);
    assert.equal(o.minerTip, 50_000n);
    assert.equal(o.refund, 50_000n);
  });

  test('the tip is capped at feeCap - baseFee', () => {
    const o = computeGasOutputs(1000, 1000, 100n, 120n, 50n);
    assert.equal(o.minerTip, 20_000n);
    assert.equal(o.refund, 0n);
  });

  test('base fee above the fee cap: the cap is burned, the rest is a miner penalty, no tip', () => {
    const o = computeGasOutputs(1000, 1000, 300n, 200n, 50n);
    assert.equal(o.baseFeeBurn, 200_000n);
    assert.equal(o.minerPenalty, 100_000n);
    assert.equal(o.minerTip, 0n);
    assert.equal(o.refund, 0n);
  });

  test('penalty also covers the over-estimation burn when the base fee exceeds the cap', () => {
    // gasBurned = 2000 (as above); penalty = (300-200)·1000 + (300-200)·2000.
    const o = computeGasOutputs(1000, 3000, 300n, 200n, 50n);
    assert.equal(o.minerPenalty, 300_000n);
    assert.equal(o.overEstimationBurn, 400_000n);
    assert.equal(sum(o), 3000n * 200n);
  });

  test('burn + tip + refund always add up to gasLimit × feeCap', () => {
    for (const [used, limit] of [[1, 1], [1, 1_000_000], [123_456, 200_000], [999_999, 1_000_000], [5, 7]]) {
      for (const [baseFee, feeCap, premium] of [[100n, 100n, 0n], [100n, 1_000n, 10n], [10n ** 8n, 2n * 10n ** 8n, 200_000n]]) {
        const o = computeGasOutputs(used, limit, baseFee, feeCap, premium);
        assert.equal(sum(o), BigInt(limit) * feeCap, `${used}/${limit} ${baseFee}/${feeCap}/${premium}`);
        assert.ok(o.refund >= 0n);
        assert.equal(o.gasRefund + o.gasBurned, limit - used);
      }
    }
  });
});

describe('nextBaseFee (FIP-0115, from nv28)', () => {
  /** A message with gas limit `gasLimit` paying `gasPremium` under a fee cap with room for it. */
  const paying = (gasLimit: number, gasPremium: bigint, gasFeeCap = 10n ** 18n) => ({ gasLimit, gasFeeCap, gasPremium });

  test('an empty tipset lowers the fee by ceil(baseFee / 8)', () => {
    assert.equal(nextBaseFee(100_000_000n, []), 87_500_000n);
    assert.equal(nextBaseFee(800n, []), 700n);
    // -1001 / 8 = -125.125 -> -126.
    assert.equal(nextBaseFee(1001n, []), 875n);
    // Three empty tipsets from the initial fee: 1e8 -> 87_500_000 -> 76_562_500 -> 66_992_187.
    let fee = INITIAL_BASE_FEE;
    for (let i = 0; i < 3; i++) fee = nextBaseFee(fee, []);
    assert.equal(fee, 66_992_187n);
  });

  test('the fee never goes below 100 attoFIL', () => {
    assert.equal(nextBaseFee(100n, []), 100n);
    assert.equal(nextBaseFee(110n, []), 100n);
    assert.equal(nextBaseFee(1n, []), 100n);
  });

  test('gas limits past the old 5e9 target no longer raise it: a tipset up to 80 % full lowers it as an empty one does', () => {
    // The fidelity audit's case (F1): one message of 6e9 at 87 500 000 (the utilization rule gave 89 687 500).
    assert.equal(nextBaseFee(87_500_000n, [paying(6_000_000_000, 10n ** 12n)]), 76_562_500n);
    // Gas positions 0 … 8e9-2: the target index, 8e9-1, lies past them.
    assert.equal(nextBaseFee(100_000_000n, [paying(7_999_999_999, 10n ** 12n)]), 87_500_000n);
  });

  test('past 80 %, the premium P at that mark moves it by P - ceil(baseFee / 8), at most ceil(baseFee / 8) up', () => {
    // 8e9: the target index is the message's last position; its premium is far above baseFee / 4.
    assert.equal(nextBaseFee(100_000_000n, [paying(8_000_000_000, 10n ** 12n)]), 112_500_000n);
    assert.equal(nextBaseFee(100_000_000n, [paying(9_000_000_000, 25_000_000n)]), 112_500_000n);
    assert.equal(nextBaseFee(100_000_000n, [paying(9_000_000_000, 20_000_000n)]), 107_500_000n);
    // P = baseFee / 8 leaves it unchanged; below that it falls.
    assert.equal(nextBaseFee(100_000_000n, [paying(9_000_000_000, 12_500_000n)]), 100_000_000n);
    assert.equal(nextBaseFee(100_000_000n, [paying(9_000_000_000, 10_000_000n)]), 97_500_000n);
  });

  test('the premium is read at the mark counted from the highest premium down, weighted by gas limit', () => {
    // Highest first: 5e9 at 1e9, then 4e9 at 15e6: position 8e9-1 lies in the second.
    const messages = [paying(4_000_000_000, 15_000_000n), paying(5_000_000_000, 1_000_000_000n)];
    assert.equal(nextBaseFee(100_000_000n, messages), 100_000_000n + (15_000_000n - 12_500_000n));
    // The high payer takes 8e9 itself: its premium counts.
    assert.equal(nextBaseFee(100_000_000n, [paying(1_000_000_000, 1n), paying(8_000_000_000, 1_000_000_000n)]), 112_500_000n);
  });

  test('a premium counts only as far as the fee cap leaves room above the base fee', () => {
    // Fee cap 110e6 at base fee 100e6: 10e6 of the 1e9 premium reaches the miner.
    assert.equal(nextBaseFee(100_000_000n, [paying(9_000_000_000, 1_000_000_000n, 110_000_000n)]), 97_500_000n);
    // A fee cap under the base fee pays nothing.
    assert.equal(nextBaseFee(100_000_000n, [paying(9_000_000_000, 1_000_000_000n, 90_000_000n)]), 87_500_000n);
  });
});
