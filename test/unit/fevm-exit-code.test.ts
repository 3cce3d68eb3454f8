// Exit codes as Lotus prints them: go-state-types exitcode.ExitCode.String() is `Name(n)` for the codes in
// its `names` table (exitcode/names.go: Ok, the system codes incl. SysErrReserved1-6 and `SysFatal` for 10,
// and the common actor codes 16-26), and the bare number for everything else (e.g. the EVM's 33).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ExitCode, formatExitCode } from '../../src/fevm/exit-code.js';

describe('ExitCode values', () => {
  test('match go-state-types and builtin-actors', () => {
    assert.equal(ExitCode.Ok, 0);
    assert.equal(ExitCode.SysErrSenderInvalid, 1);
    assert.equal(ExitCode.SysErrSenderStateInvalid, 2);
    assert.equal(ExitCode.SysErrInvalidReceiver, 5);
    assert.equal(ExitCode.SysErrInsufficientFunds, 6);
    assert.equal(ExitCode.SysErrOutOfGas, 7);
    assert.equal(ExitCode.ErrIllegalArgument, 16);
    assert.equal(ExitCode.ErrForbidden, 18);
    assert.equal(ExitCode.ErrUnhandledMessage, 22);
    assert.equal(ExitCode.ErrReadOnly, 25);
    assert.equal(ExitCode.EvmReverted, 33);
    assert.equal(ExitCode.EvmSelfdestructFailed, 40);
  });
});

describe('formatExitCode', () => {
  test('system codes with names', () => {
    assert.equal(formatExitCode(0), 'Ok(0)');
    assert.equal(formatExitCode(1), 'SysErrSenderInvalid(1)');
    assert.equal(formatExitCode(2), 'SysErrSenderStateInvalid(2)');
    assert.equal(formatExitCode(5), 'SysErrInvalidReceiver(5)');
    assert.equal(formatExitCode(6), 'SysErrInsufficientFunds(6)');
    assert.equal(formatExitCode(7), 'SysErrOutOfGas(7)');
    assert.equal(formatExitCode(11), 'SysErrMissingReturn(11)');
  });

  test('codes with no name are bare numbers', () => {
    assert.equal(formatExitCode(33), '33');
    assert.equal(formatExitCode(39), '39');
    assert.equal(formatExitCode(1000), '1000');
  });

  test('SysErrFatal prints as SysFatal', () => {
    assert.equal(formatExitCode(10), 'SysFatal(10)');
  });

  test('reserved system codes have names', () => {
    assert.equal(formatExitCode(3), 'SysErrReserved1(3)');
    assert.equal(formatExitCode(8), 'SysErrReserved2(8)');
    assert.equal(formatExitCode(15), 'SysErrReserved6(15)');
  });

  test('the common actor codes have names', () => {
    assert.equal(formatExitCode(16), 'ErrIllegalArgument(16)');
    assert.equal(formatExitCode(18), 'ErrForbidden(18)');
    assert.equal(formatExitCode(22), 'ErrUnhandledMessage(22)');
    assert.equal(formatExitCode(25), 'ErrReadOnly(25)');
    assert.equal(formatExitCode(26), 'ErrNotPayable(26)');
  });
});
