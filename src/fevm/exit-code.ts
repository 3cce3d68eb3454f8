// Exit codes of messages and actor calls (go-state-types exitcode, builtin-actors EVM).

export const ExitCode = {
  Ok: 0,
  SysErrSenderInvalid: 1,
  SysErrSenderStateInvalid: 2,
  SysErrIllegalInstruction: 4,
  SysErrInvalidReceiver: 5,
  SysErrInsufficientFunds: 6,
  SysErrOutOfGas: 7,
  SysErrIllegalExitCode: 9,
  SysFatal: 10,
  SysErrMissingReturn: 11,
  ErrIllegalArgument: 16,
  ErrNotFound: 17,
  ErrForbidden: 18,
  ErrInsufficientFunds: 19,
  ErrIllegalState: 20,
  ErrSerialization: 21,
  ErrUnhandledMessage: 22,
  ErrUnspecified: 23,
  ErrAssertionFailed: 24,
  ErrReadOnly: 25,
  ErrNotPayable: 26,
  EvmReverted: 33,
  EvmInvalidInstruction: 34,
  EvmUndefinedInstruction: 35,
  EvmStackUnderflow: 36,
  EvmStackOverflow: 37,
  EvmIllegalMemoryAccess: 38,
  EvmBadJumpdest: 39,
  EvmSelfdestructFailed: 40,
} as const;

/** The codes go-state-types names (exitcode/names.go), reserved ones included. */
const NAMES: Record<number, string> = {
  ...Object.fromEntries(Object.entries(ExitCode).filter(([, code]) => code <= ExitCode.ErrNotPayable).map(([name, code]) => [code, name])),
  3: 'SysErrReserved1',
  8: 'SysErrReserved2',
  12: 'SysErrReserved3',
  13: 'SysErrReserved4',
  14: 'SysErrReserved5',
  15: 'SysErrReserved6',
};

/** The EVM actor's codes, which go-state-types leaves unnamed, by builtin-actors' EVM names. */
const EVM_NAMES: Record<number, string> = Object.fromEntries(Object.entries(ExitCode).filter(([name]) => name.startsWith('Evm')).map(([name, code]) => [code, name]));

/** As Lotus prints them: `Name(n)` for the codes go-state-types names, the bare number otherwise. */
export function formatExitCode(code: number): string {
  const name = NAMES[code];
  return name ? `${name}(${code})` : String(code);
}

/**
 * An exit code for people to read (the node's log, the explorer): as formatExitCode, and the EVM
 * actor's codes, which go-state-types leaves unnamed, named after builtin-actors' EVM (`EvmReverted(33)`).
 */
export function describeExitCode(code: number): string {
  const evm = EVM_NAMES[code];
  return evm ? `${evm}(${code})` : formatExitCode(code);
}
