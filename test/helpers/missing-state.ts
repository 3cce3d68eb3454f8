// What a fork's read throws before the state it needs is fetched, for the unit tests of fork state.
import assert from 'node:assert/strict';
import { MissingStateError, type MissingState } from '../../src/fevm/state-tree.js';

/** The values `fn` names as missing (it must throw MissingStateError). */
export function missingOf(fn: () => unknown): MissingState[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof MissingStateError) return error.missing;
    throw error;
  }
  assert.fail('expected a MissingStateError');
}
