// The node's output: pino throughout; as short human lines by default (like Anvil's), as pino's
// JSON lines with --json, nothing with --silent.
import pino, { type Logger } from 'pino';
import { bytesToHex } from '../common/hex.js';
import type { Devnet } from '../devnet/devnet.js';
import type { DevnetEventSource } from '../devnet/events.js';
import { revertReason } from '../devnet/revert.js';
import { ActorError } from '../fevm/actors/runtime.js';
import { describeExitCode, ExitCode } from '../fevm/exit-code.js';
import { decodeBytesParams } from '../fevm/message.js';
import type { LoggingSwitch } from './define-method.js';
import type { CallObserver } from './dispatch.js';
import { createdEthAddress } from './logs.js';

export function createLogger({ silent, json }: { silent: boolean; json: boolean }): Logger {
  if (silent) return pino({ level: 'silent' });
  if (json) return pino();
  keepServingWithoutStdout();
  // Human lines: the message only, errors with their stack.
  return pino(
    { base: undefined, timestamp: false },
    {
      write(line: string) {
        if (stdoutGone) return;
        const entry = JSON.parse(line) as { msg?: string; err?: { stack?: string } };
        process.stdout.write(`${entry.msg ?? ''}${entry.err?.stack ? `\n${entry.err.stack}` : ''}\n`);
      },
    },
  );
}

/** Whether stdout failed (its reader went away): the human lines are dropped from then on. */
let stdoutGone = false;
let watchingStdout = false;

/**
 * A reader that closes stdout (`| grep -m1 "Listening on"` waiting for readiness, `| head`) makes
 * the next write fail with EPIPE, an 'error' event that would end the process: the node goes on
 * without its output instead, as Anvil does (pino's own destination, --json's, does the same).
 */
function keepServingWithoutStdout(): void {
  if (watchingStdout) return;
  watchingStdout = true;
  process.stdout.on('error', () => {
    stdoutGone = true;
  });
}

/** Whether the per-call and per-tipset lines print: switched on, and a logger that prints info lines (not --silent's). */
const printsLines = (log: Logger, logging: LoggingSwitch) => logging.enabled && log.isLevelEnabled('info');

/**
 * How much of an error message or a revert reason a log line shows: the client gets it whole, but
 * one reverting with megabytes of data would otherwise put as many on the terminal.
 */
const SHOWN_CHARS = 300;
const shown = (text: string): string => (text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS)}… (${text.length} characters)` : text);

/** One line per JSON-RPC call: its method, and the error it answered if any (its first line, cut at SHOWN_CHARS). */
export function requestLogger(log: Logger, logging: LoggingSwitch = { enabled: true }): CallObserver {
  return (method, ms, error) => {
    if (!printsLines(log, logging)) return;
    if (error) log.info({ method, ms, code: error.code }, `${method}  error ${error.code}: ${shown(firstLine(error.message))}`);
    else log.info({ method, ms }, method);
  };
}

/**
 * What the node does beside answering calls: messages dropped because executing them threw, cron
 * work that failed and tipsets interval mining could not mine (all with a stack trace, but an actor's
 * own abort in cron work: a warning), and what the storage providers' agents did.
 */
export function logNodeEvents({ events }: { events: DevnetEventSource }, log: Logger): void {
  events.on('messageError', (message, err) => {
    log.error({ err, cid: message.cid.toString() }, `dropped message ${message.cid.toString()}: its execution failed inside the devnet`);
  });
  events.on('storageProvider', (level, line) => {
    if (level === 'warn') log.warn(line);
    else log.info(line);
  });
  events.on('cronError', (epoch, actor, err) => {
    // An actor's own abort (builtin-actors' exit code and words, e.g. a refused pledge-total update)
    // is the chain's behaviour, not the node's fault: one warning line, no stack.
    if (err instanceof ActorError) {
      log.warn({ epoch, actor, exitCode: err.exitCode }, `cron work of actor t0${actor} failed at epoch ${epoch} (exit ${err.exitCode}: ${shown(err.message)}) and was undone`);
    } else log.error({ err, epoch, actor }, `cron work of actor t0${actor} failed at epoch ${epoch} and was undone`);
  });
  events.on('miningError', (err) => {
    log.error({ err }, 'interval mining failed to mine a tipset; it tries again at the next interval');
  });
  events.on('forkCacheError', (err) => log.warn(err.message));
  events.on('forkWarning', (line) => log.warn(line));
  events.on('forkProgress', ({ actors, addresses, slots, entries, hits }) => {
    log.info(
      { actors, addresses, slots, entries, hits },
      `Fork: fetched ${actors} actors, ${addresses} addresses, ${slots} storage slots, ${entries} builtin-actor entries from the upstream (${hits} reads from what was held)`,
    );
  });
}

/** ", reverted: Error(…)" for an EVM revert: the reason as Lotus words it (Error, Panic, or the raw data), cut at SHOWN_CHARS. */
function revertNote(exitCode: number, returnData: Uint8Array): string {
  if (exitCode !== ExitCode.EvmReverted) return '';
  return `, reverted: ${shown(revertReason(decodeBytesParams(returnData) ?? returnData))}`;
}

/** The text up to its first line break, found without splitting a long message into lines. */
function firstLine(text: string): string {
  const end = text.indexOf('\n');
  return end < 0 ? text : text.slice(0, end);
}

/** What contracts print with console.log, as Anvil prints it. */
export function logConsole(devnet: Devnet, log: Logger, logging: LoggingSwitch = { enabled: true }): void {
  devnet.events.on('consoleLog', (line) => {
    if (logging.enabled) log.info({ console: line }, `console.log: ${line}`);
  });
}

/**
 * A few lines per tipset that carries messages: each transaction's outcome, then the block. Not even
 * made when the logger prints nothing (--silent): every sequential transaction mines a tipset.
 */
export function logTipsets(devnet: Devnet, log: Logger, logging: LoggingSwitch = { enabled: true }): void {
  devnet.events.on('tipset', (tipset) => {
    if (tipset.messages.length === 0 || !printsLines(log, logging)) return;
    for (const { ethTx, cid, receipt } of tipset.messages) {
      const lines = [`    Transaction: ${ethTx ? bytesToHex(ethTx.hash) : cid.toString()}`];
      const created = ethTx && ethTx.to === null && receipt.exitCode === 0 ? createdEthAddress(receipt.returnData) : undefined;
      if (created) lines.push(`    Contract created: ${bytesToHex(created)}`);
      lines.push(`    Gas used: ${receipt.gasUsed}`);
      if (receipt.exitCode !== 0) lines.push(`    Failed: exit code ${describeExitCode(receipt.exitCode)}${revertNote(receipt.exitCode, receipt.returnData)}`);
      log.info({ tx: lines[0].trim(), exitCode: receipt.exitCode, gasUsed: receipt.gasUsed }, `\n${lines.join('\n')}`);
    }
    const time = new Date(tipset.timestamp * 1000).toUTCString();
    log.info({ epoch: tipset.epoch }, `\n    Block Number: ${tipset.epoch}\n    Block Hash: ${bytesToHex(tipset.hash)}\n    Block Time: "${time}"\n`);
  });
}
