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
  SysErrFatal: 10,
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
  EvmReverted: 33,
  EvmInvalidInstruction: 34,
  EvmUndefinedInstruction: 35,
  EvmStackUnderflow: 36,
  EvmStackOverflow: 37,
  EvmIllegalMemoryAccess: 38,
  EvmBadJumpdest: 39,
  EvmSelfdestructFailed: 40,
} as const;

/** The first exit code that actors (not the system) may use. */
const FIRST_ACTOR_EXIT_CODE = 16;

/** As Lotus prints them: `Name(n)` for system codes, the bare number for actor codes. */
export function formatExitCode(code: number): string {
  if (code >= FIRST_ACTOR_EXIT_CODE) return String(code);
  const name = Object.entries(ExitCode).find(([, value]) => value === code)?.[0];
  return name ? `${name}(${code})` : String(code);
}
