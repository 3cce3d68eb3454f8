// What the node tells its listeners (the RPC layer's filters, subscriptions and logs, the
// storage-provider agents): tipsets, pending messages, failures it survived, rewinds.
import type { EventEmitter } from 'node:events';
import type { StateBranch } from '../fevm/state-branch.js';
import type { PendingMessage } from '../mining/mempool.js';
import type { Tipset } from '../mining/tipset.js';
import type { ForkProgress } from './fork/fork-source.js';

export interface DevnetEvents {
  tipset: [Tipset];
  pending: [PendingMessage];
  /** A message dropped because executing it threw: a devnet bug, reported rather than mined. */
  messageError: [PendingMessage, unknown];
  /** Scheduled work of a builtin actor (deal payments, proving) that failed at an epoch; undone, mining goes on. */
  cronError: [epoch: number, actor: number, unknown];
  /** Interval mining failed to mine a tipset (a devnet bug); the next interval tries again. */
  miningError: [unknown];
  /**
   * The chain was put back to an earlier point of its own history (`revert`: evm_revert, anvil_reset) or
   * replaced by another (`replace`: anvil_loadState, anvil_reset with forking): what followed is gone.
   */
  rewound: [kind: RewindKind];
  /**
   * Tipsets a revert (evm_revert, anvil_rollback, anvil_reorg, anvil_reset) is about to drop, newest
   * first: still on the chain, with their state, while the listeners run (filters and subscriptions
   * report a revert's logs as removed; a reset starts the chain over, which no one follows as a reorg).
   * `keepState` keeps their state up to an epoch, to be read once they are dropped.
   */
  reverting: [tipsets: readonly Tipset[], kind: RevertKind, keepState: KeepDroppedState];
  /**
   * anvil_reorg has mined the new chain's tipsets (each announced as `tipset`) on the tipsets its
   * `reverting` dropped: the end of what Lotus announces as one head change (ChainNotify's reverts and applies).
   */
  reorged: [];
  /** What the storage-provider agents did (a deal published, a sector sealed) or why they could not. */
  storageProvider: [level: 'info' | 'warn', line: string];
  /** A line a contract printed with console.log (in a transaction, a call or an estimate). */
  consoleLog: [string];
  /** A fork's warm-up is taking a while: what it has fetched from the upstream so far. */
  forkProgress: [ForkProgress];
  /** The fork's disk cache could not be written: said once, the fork goes on without it. */
  forkCacheError: [Error];
  /** A read from the upstream that a feature falls back without failed (said once a failure). */
  forkWarning: [string];
}

/**
 * Keeps the state of the tipsets a revert drops, at epochs up to `until`, as a branch of the state
 * tree (state-branch.ts) that the caller releases.
 */
export type KeepDroppedState = (until: number) => StateBranch;

export type RewindKind = 'revert' | 'replace';

/**
 * Why tipsets are dropped: an evm_revert to a snapshot (or anvil_rollback), anvil_reorg (new tipsets
 * follow, then `reorged`), or anvil_reset back to genesis.
 */
export type RevertKind = 'revert' | 'reorg' | 'reset';

export type DevnetEventEmitter = EventEmitter<DevnetEvents>;

/** The events as their listeners see them: they can listen, not emit. */
export type DevnetEventSource = Pick<DevnetEventEmitter, 'on' | 'once' | 'off' | 'prependListener' | 'listenerCount'>;
