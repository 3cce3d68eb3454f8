// A storage provider's ask: which proposals it refuses, and why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FilAddress } from '../../src/common/address.js';
import { cidOf } from '../../src/common/cbor.js';
import type { DealProposal } from '../../src/fevm/actors/market/deal-proposal.js';
import { askRefusal, defaultAsk } from '../../src/devnet/storage-providers/storage-ask.js';

const GIB = 1 << 30;
const proposal = (fields: Partial<DealProposal>): DealProposal => ({
  pieceCid: cidOf(new Uint8Array([1])),
  pieceSize: 2 * GIB,
  verifiedDeal: false,
  client: FilAddress.fromId(100),
  provider: FilAddress.fromId(111),
  label: '',
  startEpoch: 100,
  endEpoch: 518_500,
  storagePricePerEpoch: 0n,
  providerCollateral: 0n,
  clientCollateral: 0n,
  ...fields,
});

test('the default ask takes any price and any piece that fits a sector', () => {
  const ask = defaultAsk(32n << 30n);
  assert.equal(askRefusal(ask, proposal({})), undefined);
  assert.equal(askRefusal(ask, proposal({ pieceSize: 64 * GIB })), `piece size ${64 * GIB} is above the maximum ${32 * GIB}`);
  assert.equal(askRefusal(ask, proposal({ pieceSize: 64 })), 'piece size 64 is below the minimum 128');
});

test('prices are per GiB, rounded up, with their own verified price', () => {
  const ask = { ...defaultAsk(32n << 30n), pricePerGiBEpoch: 10n, verifiedPricePerGiBEpoch: 1n };
  assert.equal(askRefusal(ask, proposal({ storagePricePerEpoch: 19n })), 'price 19 per epoch is below the ask (20)');
  assert.equal(askRefusal(ask, proposal({ storagePricePerEpoch: 20n })), undefined);
  assert.equal(askRefusal(ask, proposal({ pieceSize: 1024, storagePricePerEpoch: 9n })), 'price 9 per epoch is below the ask (10)');
  assert.equal(askRefusal(ask, proposal({ verifiedDeal: true, storagePricePerEpoch: 2n })), undefined);
});

test('collateral above the provider’s maximum is refused', () => {
  const ask = { ...defaultAsk(32n << 30n), maxProviderCollateral: 5n };
  assert.equal(askRefusal(ask, proposal({ providerCollateral: 6n })), 'provider collateral 6 is above 5');
});
