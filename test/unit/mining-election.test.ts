// The election of a tipset's winner (src/mining/election.ts) against the states Lotus's reads (lotus
// b835fab70 chain/stmgr/actors.go:306-484 MinerGetBaseInfo, minerHasMinPower, MinerEligibleToMine;
// chain/stmgr/utils.go:165-205 GetLookbackTipSetForRound): a chain of empty tipsets over a genesis state
// with two storage providers, whose claims and miner states the tests change at chosen epochs.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deriveAccounts } from '../../src/devnet/accounts.js';
import { createGenesisState } from '../../src/devnet/genesis.js';
import { deriveStorageProviderKeys } from '../../src/devnet/storage-providers/keys.js';
import { POWER_ACTOR_ID } from '../../src/fevm/actor.js';
import type { Claim } from '../../src/fevm/actors/power.js';
import { INITIAL_BASE_FEE } from '../../src/fevm/gas.js';
import type { StateTree } from '../../src/fevm/state-tree.js';
import { ChainStore } from '../../src/mining/chain-store.js';
import { electWinner } from '../../src/mining/election.js';
import { buildTipset } from '../../src/mining/tipset.js';

const MNEMONIC = 'test test test test test test test test test test test junk';
const FIL = 10n ** 18n;

/** Genesis with two providers; `at(epoch, change)` mines an empty tipset at `epoch` whose state is changed by `change`. */
function chainWithTwoMiners() {
  const state: StateTree = createGenesisState(deriveAccounts(MNEMONIC, 2), 1_000n * FIL, [], { keys: deriveStorageProviderKeys(MNEMONIC, 2), ownerBalance: 1_000n * FIL });
  const chain = new ChainStore();
  chain.append(buildTipset({ epoch: 0, timestamp: 1_000, baseFee: INITIAL_BASE_FEE, parent: undefined, messages: [] }));
  const claims = state.at(0).getActor(POWER_ACTOR_ID)!.power!.claims;
  const [a, b] = claims.map(([id]) => id);
  const at = (epoch: number, change: (edit: Edit) => void = () => undefined) => {
    const overlay = state.stage();
    change({
      claim(id: number, claim: Claim) {
        const power = overlay.getActor(POWER_ACTOR_ID)!;
        overlay.putActor({ ...power, power: { ...power.power!, claims: power.power!.claims.map(([m, c]) => [m, m === id ? claim : c] as const) } });
      },
      miner(id: number, fields: object) {
        const actor = overlay.getActor(id)!;
        overlay.putActor({ ...actor, miner: { ...actor.miner!, ...fields } });
      },
    });
    state.commit(overlay, epoch);
    chain.append(buildTipset({ epoch, timestamp: 1_000 + epoch * 30, baseFee: INITIAL_BASE_FEE, parent: chain.head, messages: [] }));
  };
  /** The winner of the tipset at `round` on the head. */
  const winner = (round = chain.head.epoch + 1) => electWinner(chain, state, chain.head, round);
  /** The winner, and the epochs of the states whose power actor the election read, one entry a read. */
  const powerReads = (round = chain.head.epoch + 1) => {
    const epochs: number[] = [];
    const counting = {
      at(epoch: number) {
        // A new reader each call (state.at), so only this election sees its counting getActor.
        const reader = state.at(epoch);
        const read = reader.getActor.bind(reader);
        reader.getActor = (id) => (id === POWER_ACTOR_ID && epochs.push(epoch), read(id));
        return reader;
      },
    };
    return { winner: electWinner(chain, counting, chain.head, round), epochs };
  };
  const noPower: Claim = { rawBytePower: 0n, qualityAdjPower: 0n };
  return { a, b, at, winner, powerReads, noPower, genesisClaim: claims[0][1] };
}

interface Edit {
  claim(id: number, claim: Claim): void;
  miner(id: number, fields: object): void;
}

describe('the winner of a tipset (Lotus MinerGetBaseInfo / MinerEligibleToMine)', () => {
  test('round-robin by round over the eligible miners, in the power table\'s order', () => {
    const { a, b, winner } = chainWithTwoMiners();
    assert.deepEqual([1, 2, 3, 4].map((round) => winner(round)), [b, a, b, a]);
  });

  test("a miner's power lost in a tipset still elects it on that tipset's child: the base's parent state counts (LoadActor reads ParentState(baseTs)), not the state the tipset's messages leave", () => {
    const { a, b, at, winner, noPower } = chainWithTwoMiners();
    at(1, (edit) => edit.claim(a, noPower));
    // Round 2 on base 1: base 1 was mined on genesis's state, where a has power.
    assert.equal(winner(2), a);
    at(2);
    // Round 3 on base 2, mined on the state after 1: no claim there.
    for (const round of [3, 4]) assert.equal(winner(round), b, `round ${round}`);
  });

  // fidaudit6 D7: a block reward never pays a miner in fee debt or in a consensus fault.
  test('fee debt, or a consensus fault active at the base\'s height, on the base\'s parent state keeps a miner out', () => {
    const { a, b, at, winner } = chainWithTwoMiners();
    at(1, (edit) => edit.miner(a, { feeDebt: 2n * FIL }));
    at(2, (edit) => edit.miner(a, { feeDebt: 0n, consensusFaultElapsed: 4 }));
    // Round 4 on base 2: its parent state (after 1) has the debt.
    assert.equal(winner(4), b);
    at(3);
    // Round 4 on base 3: no debt on the state after 2, but a fault until 4 and a base at 3.
    assert.equal(winner(4), b);
    at(4);
    assert.equal(winner(6), b, 'base 4 is not past the fault (ConsensusFaultElapsed 4)');
    at(5);
    assert.equal(winner(6), a);
  });

  test('the power table is the lookback\'s: the state after the last tipset at or before round - 900 (ChainFinality), whose own parent state must meet the consensus minimum', () => {
    const { a, b, at, winner, noPower, genesisClaim } = chainWithTwoMiners();
    at(1);
    at(5, (edit) => edit.claim(a, noPower));
    at(10, (edit) => edit.claim(a, genesisClaim));
    at(20);
    // Power back at 10, and on the base's parent (10) at round 906: the lookback of round 906 (6) is tipset 5, with none.
    assert.equal(winner(906), b);
    assert.equal(winner(908), b);
    // Round 910: lookback tipset 10 has it again, but it was mined on tipset 5's state (minerHasMinPower reads its ParentState).
    assert.equal(winner(910), b);
    // Round 920: lookback tipset 20, mined on 10's state.
    assert.equal(winner(920), a);
    // Up to round 905 the lookback is tipset 1 or 0: a has power there (and on base 20's parent state).
    assert.equal(winner(904), a);
  });

  test('more null rounds than the lookback: the base\'s own state is the power table (Lotus refuses such a round past genesis; the devnet mines on)', () => {
    const { a, b, at, winner, noPower } = chainWithTwoMiners();
    at(1);
    at(2, (edit) => edit.claim(b, noPower));
    at(3);
    // Round 2000 on base 3: lookback height 1100 is past the base, so base 3's state (b without power) is the table.
    assert.equal(winner(2000), a);
    assert.equal(winner(2001), a);
  });

  // txpath: a past state's power actor is looked up among its versions; with two candidates the checks
  // read it seven times (the candidates' list, then three states a candidate), where three reads answer.
  test('each state\'s power table is read once an election, whatever the number of candidates, with the same winners', () => {
    const { a, b, at, winner, powerReads } = chainWithTwoMiners();
    for (let epoch = 1; epoch <= 12; epoch++) at(epoch);
    // Round 920 on base 12: lookback tipset 12 (the base), mined on 11's state; the base's parent state is 11's.
    for (const round of [13, 14, 920, 921]) {
      const { winner: elected, epochs } = powerReads(round);
      assert.equal(elected, winner(round), `round ${round}`);
      assert.equal(elected, round % 2 === 0 ? a : b, `round ${round}`);
      assert.deepEqual(epochs.sort((x, y) => x - y), round < 900 ? [0, 0, 11] : [11, 11, 12], `round ${round}: the lookback's parent, the lookback, the base's parent`);
    }
  });

  test('no miner with power, no winner', () => {
    const { a, b, at, winner, noPower } = chainWithTwoMiners();
    at(1, (edit) => {
      edit.claim(a, noPower);
      edit.claim(b, noPower);
    });
    at(2);
    assert.equal(winner(2000), undefined);
  });
});
