// The one place where errors become JSON-RPC error objects.
import type { Logger } from 'pino';
import { DevnetError, ExecutionRevertedError, NullRoundError } from '../common/errors.js';
import { bytesToHex } from '../common/hex.js';
import { UpstreamAnswerError } from '../devnet/fork/upstream.js';

export interface JsonRpcError {
  code: number;
  message: string;
  data?: unknown;
}

export function toJsonRpcError(err: unknown, log: Logger): JsonRpcError {
  if (err instanceof ExecutionRevertedError) {
    return { code: err.code, message: err.message, data: bytesToHex(err.revertData) };
  }
  if (err instanceof NullRoundError) return { code: err.code, message: err.message, data: err.epoch };
  // A fork's upstream answered this error (a revert before the fork epoch): its data goes on with it.
  if (err instanceof UpstreamAnswerError && err.rpcData !== undefined) return { code: err.code, message: err.message, data: err.rpcData };
  if (err instanceof DevnetError) return { code: err.code, message: err.message };
  log.error({ err }, 'internal error');
  return { code: -32603, message: `Internal error: ${(err as Error)?.message ?? String(err)}` };
}
