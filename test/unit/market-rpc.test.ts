// The Lotus market methods: StateMarketStorageDeal, StateMarketDeals, StateMarketBalance,
// StateMarketParticipants, StateDealProviderCollateralBounds and StateReadState of f05, in Lotus's
// JSON shapes, over a market state written into the devnet's head.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FilAddress } from '../../src/common/address.js';
import type { Devnet } from '../../src/devnet/devnet.js';
import { MARKET_ACTOR_ID } from '../../src/fevm/actor.js';
import { EMPTY_MARKET_STATE, type MarketState } from '../../src/fevm/actors/market/state.js';
import { FIL, pieceCid } from '../helpers/market-harness.js';
import { setupRpc } from '../helpers/rpc-harness.js';

const CLIENT = 100;
const PROVIDER = 111;

const deal = (label: string | Uint8Array) => ({
  pieceCid: pieceCid(),
  pieceSize: 2048,
  verifiedDeal: false,
  client: CLIENT,
  provider: PROVIDER,
  label,
  startEpoch: 500,
  endEpoch: 518_900,
  storagePricePerEpoch: 1000n,
  providerCollateral: FIL,
  clientCollateral: 2n * FIL,
});

const MARKET: MarketState = {
  ...EMPTY_MARKET_STATE,
  proposals: new Map([[0, deal('bafy-root')], [1, deal(new Uint8Array([1, 2]))]]),
  states: new Map([[0, { sectorNumber: 4, sectorStartEpoch: 20, lastUpdatedEpoch: -1, slashEpoch: -1 }]]),
  escrow: new Map([[CLIENT, 50n * FIL], [PROVIDER, 5n * FIL]]),
  locked: new Map([[CLIENT, 3n * FIL]]),
  nextId: 2,
  totalClientLockedCollateral: 4n * FIL,
};

function putMarket(devnet: Devnet, market: MarketState): Promise<void> {
  return devnet.cheats.editState((state) => state.putActor({ ...state.getActor(MARKET_ACTOR_ID)!, market }));
}

const proposalJson = (label: string) => ({
  PieceCID: { '/': pieceCid().toString() },
  PieceSize: 2048,
  VerifiedDeal: false,
  Client: 't0100',
  Provider: 't0111',
  Label: label,
  StartEpoch: 500,
  EndEpoch: 518_900,
  StoragePricePerEpoch: '1000',
  ProviderCollateral: FIL.toString(),
  ClientCollateral: (2n * FIL).toString(),
});

describe('Filecoin.StateMarket*', () => {
  test('StateMarketStorageDeal and StateMarketDeals show proposals and states; a deal not activated has Lotus’s empty state', async (t) => {
    const { devnet, result, error } = await setupRpc(t);
    await putMarket(devnet, MARKET);
    assert.deepEqual(await result('Filecoin.StateMarketStorageDeal', [0, null]), {
      Proposal: proposalJson('bafy-root'),
      State: { SectorNumber: 4, SectorStartEpoch: 20, LastUpdatedEpoch: -1, SlashEpoch: -1 },
    });
    const deals = await result('Filecoin.StateMarketDeals', [null]);
    assert.deepEqual(Object.keys(deals), ['0', '1']);
    assert.deepEqual(deals['1'], { Proposal: proposalJson(''), State: { SectorNumber: 0, SectorStartEpoch: -1, LastUpdatedEpoch: -1, SlashEpoch: -1 } });
    const missing = await error('Filecoin.StateMarketStorageDeal', [7, null]);
    assert.match(missing!.message, /deal 7 not found - deal may not have completed sealing before deal proposal start epoch, or deal may have been slashed/);
  });

  test('StateMarketBalance and StateMarketParticipants show escrow and locked amounts', async (t) => {
    const { devnet, result } = await setupRpc(t);
    await putMarket(devnet, MARKET);
    assert.deepEqual(await result('Filecoin.StateMarketBalance', ['t0100', null]), { Escrow: (50n * FIL).toString(), Locked: (3n * FIL).toString() });
    assert.deepEqual(await result('Filecoin.StateMarketBalance', ['t0101', null]), { Escrow: '0', Locked: '0' });
    assert.deepEqual(await result('Filecoin.StateMarketParticipants', [null]), {
      t0100: { Escrow: (50n * FIL).toString(), Locked: (3n * FIL).toString() },
      t0111: { Escrow: (5n * FIL).toString(), Locked: '0' },
    });
  });

  test('a market with no deals answers empty, at the genesis tipset too', async (t) => {
    const { result } = await setupRpc(t);
    const head = await result('Filecoin.ChainHead');
    assert.deepEqual(await result('Filecoin.StateMarketDeals', [head.Cids]), {});
    assert.deepEqual(await result('Filecoin.StateMarketParticipants', [null]), {});
  });

  test('StateDealProviderCollateralBounds: no minimum on the devnet, 2e9 FIL at most', async (t) => {
    const { result } = await setupRpc(t);
    assert.deepEqual(await result('Filecoin.StateDealProviderCollateralBounds', [2048, false, null]), {
      Min: '0',
      Max: (2_000_000_000n * FIL).toString(),
    });
  });

  test('StateReadState of f05 shows the market State fields', async (t) => {
    const { devnet, result } = await setupRpc(t);
    await putMarket(devnet, MARKET);
    const { State } = await result('Filecoin.StateReadState', [FilAddress.fromId(MARKET_ACTOR_ID).toString('t'), null]);
    assert.deepEqual(Object.keys(State), [
      'Proposals', 'States', 'PendingProposals', 'EscrowTable', 'LockedTable', 'NextID', 'DealOpsByEpoch', 'LastCron',
      'TotalClientLockedCollateral', 'TotalProviderLockedCollateral', 'TotalClientStorageFee', 'PendingDealAllocationIds', 'ProviderSectors',
    ]);
    assert.equal(State.NextID, 2);
    assert.equal(State.TotalClientLockedCollateral, (4n * FIL).toString());
    assert.ok(State.Proposals['/'].startsWith('bafy'));
  });
});
