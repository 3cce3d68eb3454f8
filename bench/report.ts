// The bench's table: one column per peer, fvm-devnet's figure divided by the best peer's, and the
// targets of issue 14 checked against the same run.
import type { PeerName } from './peers.js';
import { median } from './phases.js';

export interface Figures {
  spawnMs: number;
  idleRssMiB: number;
  /** The same node's RSS after it sat idle 10 s more. */
  idleLaterRssMiB: number;
  transfersSeqTps: number;
  transfersPipelinedTps: number;
  erc20SeqTps: number;
  callSeqPerSec: number;
  call32PerSec: number;
  chainIdSeqPerSec: number;
  chainId32PerSec: number;
  heavyTps: number;
  /** The first eth_getLogs over the 1000 epochs: one call, before the warm-up (shown, no target). */
  getLogs1000FirstMs: number;
  getLogs1000Ms: number;
  getLogs1000Count: number;
  getLogs2880Ms: number;
  getLogs2880Count: number;
  /** eth_getTransactionReceipt of each ERC-20 transfer, sequential. */
  receiptSeqPerSec: number;
  /** eth_getBlockByNumber(full) of each ERC-20 transfer's block, sequential. */
  blockFullSeqPerSec: number;
  msPerTxAt100: number;
  msPerTxAt10000: number;
  /** loadFixture-style cycles (evm_snapshot, 4 transactions, evm_revert) per second, on a fresh node. */
  fixtureCyclesPerSec: number;
  /** Median of one cycle's evm_snapshot plus its evm_revert, ms. */
  snapshotRevertMs: number;
  /** fvm-devnet only: anvil_mine of a million epochs with 2 storage providers and 100 live deals. */
  mine1MWithDealsMs?: number;
  peakRssMiB: number;
  /** --long only: RSS after 100 000 transactions. */
  rssAfter100kMiB?: number;
}

type Row = { key: keyof Figures; label: string; higherIsBetter: boolean; digits: number };

const ROWS: Row[] = [
  { key: 'spawnMs', label: 'spawn → first answer, ms', higherIsBetter: false, digits: 0 },
  { key: 'transfersSeqTps', label: 'ETH transfers, sequential, tx/s', higherIsBetter: true, digits: 0 },
  { key: 'transfersPipelinedTps', label: 'ETH transfers, pipelined, tx/s', higherIsBetter: true, digits: 0 },
  { key: 'erc20SeqTps', label: 'ERC-20 transfers, sequential, tx/s', higherIsBetter: true, digits: 0 },
  { key: 'callSeqPerSec', label: 'eth_call balanceOf, sequential, /s', higherIsBetter: true, digits: 0 },
  { key: 'call32PerSec', label: `eth_call balanceOf, ${32} clients, /s`, higherIsBetter: true, digits: 0 },
  { key: 'chainIdSeqPerSec', label: 'eth_chainId, sequential, /s', higherIsBetter: true, digits: 0 },
  { key: 'chainId32PerSec', label: 'eth_chainId, 32 clients, /s', higherIsBetter: true, digits: 0 },
  { key: 'heavyTps', label: 'heavy call (400 keccak + SSTORE), tx/s', higherIsBetter: true, digits: 0 },
  { key: 'getLogs1000FirstMs', label: 'eth_getLogs, 1000 epochs, first call, ms', higherIsBetter: false, digits: 1 },
  { key: 'getLogs1000Ms', label: 'eth_getLogs, 1000 epochs, ms', higherIsBetter: false, digits: 1 },
  { key: 'getLogs2880Ms', label: 'eth_getLogs, 2880 epochs, ms', higherIsBetter: false, digits: 1 },
  { key: 'receiptSeqPerSec', label: 'eth_getTransactionReceipt, seq., /s', higherIsBetter: true, digits: 0 },
  { key: 'blockFullSeqPerSec', label: 'eth_getBlockByNumber full, seq., /s', higherIsBetter: true, digits: 0 },
  { key: 'msPerTxAt100', label: 'ms per transfer at block 100', higherIsBetter: false, digits: 2 },
  { key: 'msPerTxAt10000', label: 'ms per transfer at block 10 000', higherIsBetter: false, digits: 2 },
  { key: 'fixtureCyclesPerSec', label: 'snapshot, 4 tx, revert: cycles/s', higherIsBetter: true, digits: 0 },
  { key: 'snapshotRevertMs', label: 'evm_snapshot + evm_revert, ms', higherIsBetter: false, digits: 2 },
  { key: 'mine1MWithDealsMs', label: 'anvil_mine 1M, 2 SPs, 100 deals, ms', higherIsBetter: false, digits: 0 },
  { key: 'idleRssMiB', label: 'idle RSS, MiB', higherIsBetter: false, digits: 0 },
  { key: 'idleLaterRssMiB', label: 'idle RSS 10 s later, MiB', higherIsBetter: false, digits: 0 },
  { key: 'peakRssMiB', label: 'peak RSS, MiB', higherIsBetter: false, digits: 0 },
  { key: 'rssAfter100kMiB', label: 'RSS after 100 000 tx, MiB', higherIsBetter: false, digits: 0 },
];

export type Results = Partial<Record<PeerName, Figures>>;

/** The better of the other peers' figures for a row, if any was measured. */
function bestPeer(row: Row, results: Results): number | undefined {
  const values = (['anvil', 'hardhat'] as const).map((p) => results[p]?.[row.key]).filter((v): v is number => v !== undefined);
  if (!values.length) return undefined;
  return row.higherIsBetter ? Math.max(...values) : Math.min(...values);
}

/** Medians, figure by figure, of several rounds of one peer (or of the fork part's runs); a figure no round has stays undefined. */
export function medianFigures<F extends object>(rounds: F[]): F {
  const out: Partial<Record<keyof F, number>> = {};
  for (const key of Object.keys(rounds[0]!) as (keyof F)[]) {
    const values = rounds.map((r) => r[key] as number | undefined).filter((v): v is number => v !== undefined);
    if (values.length) out[key] = median(values);
  }
  return out as F;
}

export function printTable(results: Results, note: string): void {
  const peers = (['fvm-devnet', 'anvil', 'hardhat'] as const).filter((p) => results[p]);
  const fvm = results['fvm-devnet'];
  const header = `${'figure'.padEnd(40)}${peers.map((p) => p.padStart(12)).join('')}${fvm ? 'fvm ÷ best'.padStart(12) : ''}`;
  console.log(`\n${header}\n${'-'.repeat(header.length)}`);
  for (const row of ROWS) {
    const cells = peers.map((p) => (results[p]![row.key]?.toFixed(row.digits) ?? '-').padStart(12)).join('');
    if (cells.trim().replace(/[-\s]/g, '') === '') continue;
    const best = bestPeer(row, results);
    const mine = fvm?.[row.key];
    const ratio = best !== undefined && mine !== undefined ? `${(mine / best).toFixed(2)}×` : '';
    console.log(`${row.label.padEnd(40)}${cells}${ratio.padStart(12)}`);
  }
  if (fvm) {
    console.log(`\neth_call ÷ fvm-devnet's own eth_chainId: sequential ${(fvm.callSeqPerSec / fvm.chainIdSeqPerSec).toFixed(2)}, ${32} clients ${(fvm.call32PerSec / fvm.chainId32PerSec).toFixed(2)}`);
    console.log(`receipts, full blocks ÷ fvm-devnet's own eth_chainId (sequential): ${(fvm.receiptSeqPerSec / fvm.chainIdSeqPerSec).toFixed(2)}, ${(fvm.blockFullSeqPerSec / fvm.chainIdSeqPerSec).toFixed(2)}`);
    console.log(`per-transfer cost at block 10 000 ÷ at block 100: ${(fvm.msPerTxAt10000 / fvm.msPerTxAt100).toFixed(2)}`);
    console.log(`eth_getLogs returned ${fvm.getLogs1000Count} logs over 1000 epochs, ${fvm.getLogs2880Count} over 2880`);
    const bestCycles = bestPeer(ROWS.find((row) => row.key === 'fixtureCyclesPerSec')!, results);
    if (bestCycles !== undefined) console.log(`loadFixture cycles ÷ best peer: ${(fvm.fixtureCyclesPerSec / bestCycles).toFixed(2)} (fresh node, warm-up included, as a user's suite on a fresh node pays it; informational: issue 14 names no target)`);
  }
  console.log(`(${note}; "fvm ÷ best": fvm-devnet's figure over the better of Anvil's and Hardhat's, >1 is more)`);
  if (fvm) printTargets(fvm, results);
}

/** Issue 14's targets, each met or missed in this run. */
function printTargets(fvm: Figures, results: Results): void {
  const { anvil, hardhat } = results;
  const fastestPeer = (key: keyof Figures) => Math.max(...[anvil, hardhat].map((p) => p?.[key] ?? 0));
  const checks: [string, number | undefined, (v: number) => boolean, string][] = [
    ['eth_call sequential ÷ Anvil', anvil && fvm.callSeqPerSec / anvil.callSeqPerSec, (v) => v >= 1, '≥ 1.0'],
    ['eth_call sequential ÷ own eth_chainId', fvm.callSeqPerSec / fvm.chainIdSeqPerSec, (v) => v >= 0.7, '≥ 0.70'],
    ['eth_call 32 clients ÷ Anvil', anvil && fvm.call32PerSec / anvil.call32PerSec, (v) => v >= 0.5, '≥ 0.5'],
    ['eth_call 32 clients ÷ own eth_chainId', fvm.call32PerSec / fvm.chainId32PerSec, (v) => v >= 0.5, '≥ 0.50'],
    ['spawn ÷ Anvil', anvil && fvm.spawnMs / anvil.spawnMs, (v) => v <= 1.5, '≤ 1.5'],
    ['ETH transfers sequential ÷ fastest peer', (anvil || hardhat) && fvm.transfersSeqTps / fastestPeer('transfersSeqTps'), (v) => v >= 1.2, '≥ 1.2'],
    ['ETH transfers pipelined ÷ fastest peer', (anvil || hardhat) && fvm.transfersPipelinedTps / fastestPeer('transfersPipelinedTps'), (v) => v >= 1.2, '≥ 1.2'],
    ['ERC-20 transfers ÷ fastest peer', (anvil || hardhat) && fvm.erc20SeqTps / fastestPeer('erc20SeqTps'), (v) => v >= 1.2, '≥ 1.2'],
    ['heavy call ÷ Hardhat', hardhat && fvm.heavyTps / hardhat.heavyTps, (v) => v >= 1, '≥ 1.0'],
    ['eth_getLogs 1000 epochs ÷ Anvil', anvil && fvm.getLogs1000Ms / anvil.getLogs1000Ms, (v) => v <= 1, '≤ 1.0'],
    ['eth_getLogs 2880 epochs ÷ Anvil', anvil && fvm.getLogs2880Ms / anvil.getLogs2880Ms, (v) => v <= 1, '≤ 1.0'],
    ['per-tx cost, block 10 000 ÷ block 100', fvm.msPerTxAt10000 / fvm.msPerTxAt100, (v) => v <= 1.2, '≤ 1.2'],
    ['anvil_mine 1M with deals, s', fvm.mine1MWithDealsMs && fvm.mine1MWithDealsMs / 1000, (v) => v < 5, '< 5'],
    ['peak RSS, MiB', fvm.peakRssMiB, (v) => v <= 160, '≤ 160'],
    ['idle RSS, MiB', fvm.idleRssMiB, (v) => v <= 110, '≤ 110'],
    ['idle RSS 10 s later, MiB', fvm.idleLaterRssMiB, (v) => v <= 110, '≤ 110'],
    ['RSS after 100 000 tx, MiB', fvm.rssAfter100kMiB, (v) => v < 1024, '< 1024'],
  ];
  console.log('\ntargets (issue 14):');
  for (const [what, value, met, target] of checks) {
    if (value === undefined || !Number.isFinite(value)) continue;
    console.log(`  ${met(value) ? 'met   ' : 'MISSED'} ${what.padEnd(42)} ${value.toFixed(2).padStart(8)}  (target ${target})`);
  }
}
