// A fork point for unit tests that need one without an upstream to locate it: epoch `epoch` of an
// upstream named 'test' on calibnet's actors bundle, with no blocks, no manifest entries and no
// state key (the units give their upstream's reads and code CIDs themselves).
import type { ForkPoint } from '../../src/devnet/fork/fork-point.js';
import { CALIBNET_MANIFEST_CID } from './calibnet-codes.js';

export const testForkPoint = (epoch: number): ForkPoint => ({
  epoch,
  tipsetKey: [],
  stateKey: [],
  timestamp: 1,
  baseFee: '100',
  networkName: 'test',
  genesis: 'bafygenesis',
  genesisTimestamp: 0,
  chainId: '314159',
  headers: [],
  weight: '0',
  manifest: { cid: CALIBNET_MANIFEST_CID.toString(), entries: [] },
});
