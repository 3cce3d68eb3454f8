// `npm run bench:call-instr`'s command line (bench/call-instr.ts): its options, their defaults for what
// is counted, and the combinations refused before the node starts (bench/README.md).
import { parseArgs } from 'node:util';

/** `--read logs`: the epochs each read asks for (the bench's timed range), the token transfers mined first (`--after-logs` too), and the warm-up reads. */
export const LOG_EPOCHS = 1000;
const LOG_TRANSFERS = 1000;
const LOGS_WARM = 1000;
/**
 * `--send pipelined`: the most transfers a run may send, warm-up and uncounted block included. The bench's
 * pipelined phase runs below the node's 2 048th message, where nothing goes cold yet (docs/performance.md,
 * txpath2); the deploys take a few more. The defaults (800 + 6 × 200) make exactly this.
 */
export const PIPELINED_TRANSFERS = 2000;

const SENDS = ['transfer', 'erc20', 'pipelined'] as const;
const READS = ['receipt', 'block-full', 'block-receipts', 'balance-old', 'logs'] as const;

export interface CallInstrOptions {
  k: number;
  rounds: number;
  warm: number;
  n: number;
  top: number;
  send: (typeof SENDS)[number] | undefined;
  read: (typeof READS)[number] | undefined;
  attribute: boolean;
  keep: boolean;
  bundle: string | undefined;
  nodeFlags: string[];
  afterLogs: boolean;
}

/** The options `args` give (process.argv after the script), defaults filled in; throws on a combination that cannot count. */
export function callInstrOptions(args: string[]): CallInstrOptions {
  const { values } = parseArgs({
    args,
    options: {
      k: { type: 'string' },
      rounds: { type: 'string', default: '5' },
      warm: { type: 'string' },
      n: { type: 'string' },
      attribute: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      bundle: { type: 'string' },
      top: { type: 'string', default: '30' },
      send: { type: 'string' },
      read: { type: 'string' },
      'node-flag': { type: 'string', multiple: true, default: [] },
      'after-logs': { type: 'boolean', default: false },
    },
  });
  if (values.send !== undefined && !(SENDS as readonly string[]).includes(values.send)) throw new Error('--send takes transfer, erc20 or pipelined');
  if (values.read !== undefined && !(READS as readonly string[]).includes(values.read)) throw new Error('--read takes receipt, block-full, block-receipts, balance-old or logs');
  const send = values.send as CallInstrOptions['send'];
  const read = values.read as CallInstrOptions['read'];
  const afterLogs = values['after-logs'];
  if (send && read) throw new Error('--send and --read measure one thing each: give one');
  if (afterLogs && read !== 'receipt' && read !== 'block-full' && read !== 'block-receipts') throw new Error('--after-logs counts reads of the mined transfers: give --read receipt, block-full or block-receipts');
  // Calls warm with 10000: 5000 left the call path still tiering up through the first rounds
  // (docs/performance.md, callcut). Sends with 2000: run natively, the tipset path's last function
  // (`grantsTable`) reached TurboFan near the 2300th send (performance.md, txseq); under valgrind the
  // compiling comes later, and rounds after 1500 spread 32–60 % where after 5000 they spread 1–5 %: A/B
  // with --warm 5000 (performance.md, "The runs of 4fa1199 and 1c30a5e").
  // Logs warm with 1000: each read runs the per-log code 1000 times. `--after-logs` mines 1000 transfers
  // too, so that its eth_getLogs is the same size as the bench's logs phase's (1000 logs, ~0.6 MB),
  // not the ~100 logs of the reads' default `--n`.
  const warm = Number(values.warm ?? (send === 'pipelined' ? 800 : send ? 2000 : read === 'logs' ? LOGS_WARM : 10000));
  const n = Number(values.n ?? (read === 'logs' || afterLogs ? LOG_TRANSFERS : 100));
  const k = Number(values.k ?? (send === 'pipelined' ? 200 : 300));
  const [rounds, top] = [values.rounds, values.top].map(Number) as [number, number];
  if (![k, rounds, n, top].every((v) => Number.isInteger(v) && v > 0) || !Number.isInteger(warm) || warm < 0) throw new Error('--k, --rounds, --n and --top take positive integers, --warm one of 0 or more');
  if (read === 'logs' && n < LOG_EPOCHS) throw new Error(`--read logs reads the ${LOG_EPOCHS} epochs ending at the last transfer, one a transfer: give --n ${LOG_EPOCHS} or more (the default is ${LOG_TRANSFERS})`);
  if (send === 'pipelined' && warm + (rounds + 1) * k > PIPELINED_TRANSFERS) {
    throw new Error(`--send pipelined counts below the node's 2 048th message, as the bench's pipelined phase runs: give --warm + (--rounds + 1) × --k ≤ ${PIPELINED_TRANSFERS} (${warm} + ${rounds + 1} × ${k} = ${warm + (rounds + 1) * k})`);
  }
  return { k, rounds, warm, n, top, send, read, attribute: values.attribute, keep: values.keep, bundle: values.bundle, nodeFlags: values['node-flag'], afterLogs };
}
