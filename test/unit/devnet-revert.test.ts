// Failed calls worded as Lotus words them (api/api_errors.go, ethtypes.ParseEthRevert; lotus-eth-rpc.md §7).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AbiCoder } from 'ethers';
import { ExecutionRevertedError } from '../../src/common/errors.js';
import { bytesToHex, hexToBytes } from '../../src/common/hex.js';
import { FilAddress } from '../../src/common/address.js';
import { executionFailed, revertReason } from '../../src/devnet/revert.js';

const abi = AbiCoder.defaultAbiCoder();
const errorString = (msg: string) => hexToBytes('0x08c379a0' + abi.encode(['string'], [msg]).slice(2));
const contract = FilAddress.parse('t410fkkld55ioe7qg24wvt7fu6pbknb56ht7pt4zamxa');
const panic = (code: bigint) => hexToBytes('0x4e487b71' + abi.encode(['uint256'], [code]).slice(2));

describe('revertReason', () => {
  test('empty revert data is "none"', () => {
    assert.equal(revertReason(new Uint8Array()), 'none');
  });

  test('Error(string) is Error(<message>)', () => {
    assert.equal(revertReason(errorString('nope')), 'Error(nope)');
    assert.equal(revertReason(errorString('')), 'Error()');
  });

  test('Panic(uint256) codes get their names', () => {
    const names: [bigint, string][] = [
      [0x01n, 'Assert()'],
      [0x11n, 'ArithmeticOverflow()'],
      [0x12n, 'DivideByZero()'],
      [0x21n, 'InvalidEnumVariant()'],
      [0x22n, 'InvalidStorageArray()'],
      [0x31n, 'PopEmptyArray()'],
      [0x32n, 'ArrayIndexOutOfBounds()'],
      [0x41n, 'OutOfMemory()'],
      [0x51n, 'CalledUninitializedFunction()'],
    ];
    for (const [code, name] of names) assert.equal(revertReason(panic(code)), name);
    assert.equal(revertReason(panic(0x99n)), 'Panic(0x99)');
  });

  test('anything else (a custom error, a truncated Error) is the raw hex', () => {
    const custom = hexToBytes('0xdeadbeef' + '00'.repeat(31) + '05');
    assert.equal(revertReason(custom), bytesToHex(custom));
    const truncated = hexToBytes('0x08c379a0' + '00'.repeat(10));
    assert.equal(revertReason(truncated), bytesToHex(truncated));
  });
});

describe('executionFailed', () => {
  // fidaudit F4: Lotus's vm error is ref-fvm's backtrace (fvm@v4.8.2 executor/mod.rs ApplyFailure,
  // call_manager/backtrace.rs Frame: the ID address with mainnet's f, the abort message and code, a
  // newline) then aerrors' " (RetCode=N)"; the EVM actor's revert message is builtin-actors v18's.
  test('an EVM revert: code 3, exit as a bare number, the reason, the backtrace frame as the FVM prints it, and the revert bytes as data', () => {
    const data = errorString('nope');
    const failed = { exitCode: 33, returnData: data, gasUsed: 1, events: [], error: 'contract reverted at 1234', failedActor: 1002 };
    const err = executionFailed(failed, contract, 3844450837);
    assert.ok(err instanceof ExecutionRevertedError);
    assert.equal(err.code, 3);
    assert.equal(
      err.message,
      'message execution failed (exit=[33], revert reason=[Error(nope)], vm error=[message failed with backtrace:\n' +
        '00: f01002 (method 3844450837) -- contract reverted at 1234 (33)\n (RetCode=33)])',
    );
    assert.deepEqual(err.revertData, data);
    // The itest regex Lotus uses for this case.
    assert.match(err.message, /message execution failed [\s\S]+\[Error\(nope\)\]/);
  });

  test('an empty EVM revert has reason none and empty data', () => {
    const err = executionFailed({ exitCode: 33, returnData: new Uint8Array(), gasUsed: 1, events: [] }, contract, 3844450837);
    assert.match(err.message, /^message execution failed \(exit=\[33\], revert reason=\[none\], vm error=\[/);
    assert.deepEqual(err.revertData, new Uint8Array());
  });

  test('a system failure prints Name(n), has no revert reason part and empty data', () => {
    const err = executionFailed({ exitCode: 6, returnData: new Uint8Array([1, 2]), gasUsed: 1, events: [], failedActor: 1000 }, FilAddress.fromId(1000), 0);
    assert.equal(
      err.message,
      'message execution failed (exit=[SysErrInsufficientFunds(6)], vm error=[message failed with backtrace:\n00: f01000 (method 0) -- exit SysErrInsufficientFunds(6)\n (RetCode=6)])',
    );
    assert.deepEqual(err.revertData, new Uint8Array());
  });
});
