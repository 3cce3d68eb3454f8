// Where a fork's chain begins: the upstream's tipset at the fork epoch (so the first new tipset's
// parent hash is the upstream block's hash), and the state after it with the dev accounts and
// --fund accounts funded on top of what the upstream holds.
import { Protocol, type FilAddress } from '../../common/address.js';
import { CID } from '../../common/cbor.js';
import { InvalidAddressError } from '../../common/errors.js';
import { BURNT_FUNDS_ACTOR_ID, CRON_ACTOR_ID, DATACAP_ACTOR_ID, EAM_ACTOR_ID, INIT_ACTOR_ID, MARKET_ACTOR_ID, POWER_ACTOR_ID, REWARD_ACTOR_ID, SYSTEM_ACTOR_ID, VERIFREG_ACTOR_ID } from '../../fevm/actor.js';
import { createActor } from '../../fevm/actors/lifecycle.js';
import { StateTree, type StateOverlay } from '../../fevm/state-tree.js';
import { buildTipset, tipsetKeyCid, type Tipset } from '../../mining/tipset.js';
import type { DevAccount } from '../accounts.js';
import type { ForkPoint } from './fork-point.js';
import type { ForkSource } from './fork-source.js';

const SINGLETON_IDS = [SYSTEM_ACTOR_ID, INIT_ACTOR_ID, REWARD_ACTOR_ID, CRON_ACTOR_ID, POWER_ACTOR_ID, MARKET_ACTOR_ID, VERIFREG_ACTOR_ID, DATACAP_ACTOR_ID, EAM_ACTOR_ID, BURNT_FUNDS_ACTOR_ID];

/** The local stand-in for the upstream's tipset at the fork epoch, under the upstream's tipset key and hash. */
export function forkAnchor(point: ForkPoint): Tipset {
  const local = buildTipset({ epoch: point.epoch, timestamp: point.timestamp, baseFee: BigInt(point.baseFee), parent: undefined, messages: [] });
  const blockCids = point.tipsetKey.map((c) => CID.parse(c['/']));
  const key = tipsetKeyCid(blockCids);
  return { ...local, blockCid: blockCids[0], key, hash: key.multihash.digest };
}

/**
 * An account funded on the fork: a dev account (f410) or a --fund one (f1/f3). One the upstream
 * already has keeps its kind and nonce and gets the balance; a new one is created as at genesis.
 */
function fund(state: StateOverlay, address: FilAddress, balance: bigint): void {
  const id = state.lookupId(address);
  const existing = id === undefined ? undefined : state.getActor(id);
  if (existing) {
    state.putActor({ ...existing, balance });
    return;
  }
  if (address.protocol === Protocol.Delegated) createActor(state, 'ethaccount', { delegated: address, balance });
  else if (address.protocol === Protocol.Secp256k1 || address.protocol === Protocol.BLS) createActor(state, 'account', { robust: address, balance });
  else throw new InvalidAddressError(`only f1, f3 and f410 addresses can be funded, not ${address.toString()}`);
}

/** The state after the fork epoch: the upstream's under `source`, and the funded accounts written as that epoch. */
export async function createForkState(source: ForkSource, point: ForkPoint, accounts: DevAccount[], balance: bigint, funded: { address: FilAddress; balance: bigint }[]): Promise<StateTree> {
  const tree = new StateTree(source);
  const all = [...accounts.map((a) => ({ address: a.filAddress, balance })), ...funded];
  // The singletons are read by every tipset (block reward, cron) outside any retry, and the
  // accounts' IDs are fetched together rather than one retry at a time.
  await source.fetch([
    ...SINGLETON_IDS.map((id) => ({ kind: 'actor' as const, id })),
    ...all.map(({ address }) => ({ kind: 'address' as const, address })),
  ]);
  for (;;) {
    const overlay = tree.stage();
    try {
      for (const { address, balance: amount } of all) fund(overlay, address, amount);
    } catch (error) {
      if (await tree.fetchMissing(error)) continue;
      throw error;
    }
    tree.commit(overlay, point.epoch);
    return tree;
  }
}
