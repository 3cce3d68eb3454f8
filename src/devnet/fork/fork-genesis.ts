// Where a fork's chain begins: the upstream's tipset at the fork epoch (so the first new tipset's
// parent hash is the upstream block's hash), and the state after it with the dev accounts and
// --fund accounts funded on top of what the upstream holds.
import { FilAddress, Protocol } from '../../common/address.js';
import { CID } from '../../common/cbor.js';
import { InvalidAddressError } from '../../common/errors.js';
import { BURNT_FUNDS_ACTOR_ID, CRON_ACTOR_ID, DATACAP_ACTOR_ID, EAM_ACTOR_ID, INIT_ACTOR_ID, MARKET_ACTOR_ID, POWER_ACTOR_ID, REWARD_ACTOR_ID, SYSTEM_ACTOR_ID, VERIFREG_ACTOR_ID } from '../../fevm/actor.js';
import { createActor } from '../../fevm/actors/lifecycle.js';
import { StateTree, type MissingState, type StateOverlay } from '../../fevm/state-tree.js';
import { buildTipset, type Tipset } from '../../mining/tipset.js';
import { ETH_NULL_ADDRESS } from '../genesis.js';
import type { ForkPoint } from './fork-point.js';
import type { ForkSource } from './fork-source.js';

const SINGLETON_IDS = [SYSTEM_ACTOR_ID, INIT_ACTOR_ID, REWARD_ACTOR_ID, CRON_ACTOR_ID, POWER_ACTOR_ID, MARKET_ACTOR_ID, VERIFREG_ACTOR_ID, DATACAP_ACTOR_ID, EAM_ACTOR_ID, BURNT_FUNDS_ACTOR_ID];

/** The sender of every call that names none (Lotus calls from the f410 of the null address). */
const CALL_SENDER = FilAddress.fromEthAddress(ETH_NULL_ADDRESS);

/** An account funded on the fork: a dev account (f410) or a --fund one (f1/f3), and its balance. */
export interface Funding {
  address: FilAddress;
  balance: bigint;
}

/**
 * The local stand-in for the upstream's tipset at the fork epoch, under the upstream's tipset key and
 * hash, answering the upstream's headers and weight, so that a walk by Parents goes on into the upstream.
 */
export function forkAnchor(point: ForkPoint): Tipset {
  const blocks = point.tipsetKey.map((c) => CID.parse(c['/']));
  const upstream = { blocks, headers: point.headers, parentWeight: BigInt(point.headers[0].ParentWeight), weight: BigInt(point.weight) };
  return buildTipset({ epoch: point.epoch, timestamp: point.timestamp, baseFee: BigInt(point.baseFee), parent: undefined, messages: [] }, upstream);
}

/**
 * One funded account: one the upstream does not have is created as at genesis; one it has keeps
 * its kind and nonce and gets the balance.
 */
function fund(state: StateOverlay, { address, balance }: Funding): void {
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

/**
 * What a fork's start reads, all at once (one batch): the init actor's next ID (every actor creation
 * reads it), the singletons (every tipset reads them, outside any retry), the funded accounts with
 * their actors and the sender of calls that name none (a first eth_call costs one round trip fewer).
 * Fork.open fetches them with the fork point's state.
 */
export function forkStartReads(funding: readonly Funding[]): MissingState[] {
  return [
    { kind: 'nextId' },
    ...SINGLETON_IDS.map((id) => ({ kind: 'actor' as const, id })),
    ...[...funding.map(({ address }) => address), CALL_SENDER].map((address) => ({ kind: 'address' as const, address })),
  ];
}

/**
 * The start of a fork: the funded accounts staged on top of the upstream's state, with what that
 * reads (forkStartReads) fetched first. Nothing changes until the caller commits the overlay as the
 * fork epoch, so a failed fetch leaves a node as it was (anvil_reset with forking).
 */
export async function stageForkStart(source: ForkSource, funding: readonly Funding[]): Promise<StateOverlay> {
  await source.fetch(forkStartReads(funding));
  const upstream = new StateTree(source);
  return upstream.untilFetched(() => {
    const overlay = upstream.stage();
    for (const account of funding) fund(overlay, account);
    return overlay;
  });
}
