// @ethereumjs/evm's runInterpreter ends every frame by merging the interpreter's run state, the
// frame's result and its environment into one object of ~40 properties (`execResult.runState`, by
// object spreads, which V8 copies property by property): ~10–30 µs a frame, as much as a small
// call's own instructions. Nothing on the devnet's path reads that object but a failed frame's
// exit code (evm-actor.ts exitCodeOf), so here it is merged when first read. Every other step is
// @ethereumjs's runInterpreter (10.1), in its order; EVMs without a block set (the devnet always
// sets one) run @ethereumjs's own.
import { EVMError, type EVM, type ExecResult } from '@ethereumjs/evm';
import { Account, createZeroAddress } from '@ethereumjs/util';

type RunState = NonNullable<ExecResult['runState']>;
type Interpreter = RunState['interpreter'];
type Frame = Parameters<EVM['runInterpreter']>[0];
type FrameOptions = NonNullable<Parameters<EVM['runInterpreter']>[1]>;

/** What runInterpreter uses of the EVM and the interpreter, some of it protected there. */
interface FrameEvm {
  _block?: unknown;
  _tx?: { gasPrice: bigint; origin: unknown };
  _optsCached: { profiler?: unknown };
  performanceLogger: unknown;
  stateManager: EVM['stateManager'];
  blockchain: EVM['blockchain'];
  journal: EVM['journal'];
}
interface FrameInterpreter {
  _env: object;
  _result: { logs: unknown[]; returnValue?: Uint8Array; selfdestruct: Map<unknown, unknown>; createdAddresses?: Set<string> };
  run(code: Frame['code'], opts: FrameOptions): Promise<{ runState: RunState; exceptionError?: EVMError }>;
}
type InterpreterClass = new (...args: unknown[]) => FrameInterpreter;

/** @ethereumjs's Interpreter (not exported): the class of the first frame's interpreter. */
let interpreterClass: InterpreterClass | undefined;

/** Learns the Interpreter class from a frame @ethereumjs ran. */
export function learnInterpreter(interpreter: Interpreter): void {
  interpreterClass ??= (interpreter as object).constructor as InterpreterClass;
}

/** Whether `runFrame` can run `evm`'s next frame (else @ethereumjs's runInterpreter must). */
export function canRunFrame(evm: EVM): boolean {
  return interpreterClass !== undefined && (evm as unknown as FrameEvm)._block !== undefined;
}

/** @ethereumjs's runInterpreter, with `execResult.runState` merged on first read. */
export async function runFrame(evm: EVM, message: Frame, opts: FrameOptions = {}): Promise<ExecResult> {
  const self = evm as unknown as FrameEvm;
  const contract = (await self.stateManager.getAccount(message.to ?? createZeroAddress())) ?? new Account();
  const env = {
    address: message.to ?? createZeroAddress(),
    caller: message.caller ?? createZeroAddress(),
    callData: message.data ?? Uint8Array.from([0]),
    callValue: message.value ?? 0n,
    code: message.code,
    isStatic: message.isStatic ?? false,
    isCreate: message.isCreate ?? false,
    depth: message.depth ?? 0,
    gasPrice: self._tx!.gasPrice,
    origin: self._tx!.origin ?? message.caller ?? createZeroAddress(),
    block: self._block,
    contract,
    codeAddress: message.codeAddress,
    gasRefund: message.gasRefund,
    chargeCodeAccesses: message.chargeCodeAccesses,
    blobVersionedHashes: message.blobVersionedHashes ?? [],
    accessWitness: message.accessWitness,
    createdAddresses: message.createdAddresses,
    initialLogs: opts.initialLogs,
  };
  const interpreter = new interpreterClass!(evm, self.stateManager, self.blockchain, env, message.gasLimit, self.journal, self.performanceLogger, self._optsCached.profiler);
  if (message.selfdestruct) interpreter._result.selfdestruct = message.selfdestruct;
  if (message.createdAddresses) interpreter._result.createdAddresses = message.createdAddresses;
  const ran = await interpreter.run(message.code, opts);
  let result = interpreter._result;
  let gasUsed = message.gasLimit - ran.runState.gasLeft;
  const error = ran.exceptionError;
  if (error) {
    if (error.error !== EVMError.errorMessages.REVERT && error.error !== EVMError.errorMessages.INVALID_EOF_FORMAT) gasUsed = message.gasLimit;
    result = { ...result, logs: [], selfdestruct: new Map(), createdAddresses: new Set() };
  }
  message.accessWitness?.commit();
  const frameResult = result;
  let merged: RunState | undefined;
  return {
    ...result,
    get runState(): RunState {
      return (merged ??= { ...ran.runState, ...frameResult, ...interpreter._env } as RunState);
    },
    exceptionError: error,
    gas: ran.runState?.gasLeft,
    executionGasUsed: gasUsed,
    gasRefund: ran.runState.gasRefund,
    stateGasSpilled: ran.runState.stateGasSpilled,
    returnValue: result.returnValue ?? new Uint8Array(0),
  } as ExecResult;
}
