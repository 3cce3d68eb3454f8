// The state at epoch 0: the builtin singleton actors, the funded dev accounts and native addresses,
// the simulated storage providers (an owner account and a miner actor each, with power from pre-sealed
// sectors pledged as Lotus's genesis pledges them: genesis-sectors.ts), and the
// verified registry's roles: its root key (a multisig at t080 of one signer account) and a verifier;
// and Multicall3, the Safe singleton factory and FilForwarder at their canonical addresses, as
// calibnet and mainnet have them (multicall3.ts, safe-singleton-factory.ts, fil-forwarder.ts), and
// last an EthAccount at the null address 0x0, as Lotus's genesis and calibnet have one.
import {
  BURNT_FUNDS_ACTOR_ID,
  CRON_ACTOR_ID,
  DATACAP_ACTOR_ID,
  EAM_ACTOR_ID,
  FIRST_NON_SINGLETON_ID,
  INIT_ACTOR_ID,
  MARKET_ACTOR_ID,
  POWER_ACTOR_ID,
  REWARD_ACTOR_ID,
  SYSTEM_ACTOR_ID,
  VERIFREG_ACTOR_ID,
  type ActorKind,
} from '../fevm/actor.js';
import { EAM_NAMESPACE, FilAddress, Protocol } from '../common/address.js';
import { InvalidAddressError } from '../common/errors.js';
import { createActor, newActorAddress } from '../fevm/actors/lifecycle.js';
import { enrollCron } from '../fevm/actors/cron.js';
import { EMPTY_MARKET_STATE } from '../fevm/actors/market/state.js';
import { createMinerActor } from '../fevm/actors/miner/create.js';
import { firstVestDue } from '../fevm/actors/miner/access.js';
import { genesisSectors } from '../fevm/actors/miner/genesis-sectors.js';
import type { MinerCronEvent } from '../fevm/actors/miner/schedule.js';
import { loadMiner, SECTOR_SIZE_32GIB, sectorsPower, windowPoSt } from '../fevm/actors/miner/state.js';
import { addClaim, addPledgeTotal, CREATE_MINER_DEPOSIT, EMPTY_POWER_STATE } from '../fevm/actors/power.js';
import { StateTree } from '../fevm/state-tree.js';
import type { DevAccount } from './accounts.js';
import type { StorageProviderKey } from './storage-providers/keys.js';
import type { MultisigState } from '../fevm/actors/multisig/state.js';
import { EMPTY_VERIFREG_STATE } from '../fevm/actors/verifreg/state.js';
import { createFilForwarder } from './fil-forwarder.js';
import { createMulticall3 } from './multicall3.js';
import { createSafeSingletonFactory } from './safe-singleton-factory.js';

/**
 * An EthAccount at the Ethereum null address 0x0000…0000, as Lotus's genesis places one after the
 * miners (chain/gen/genesis/genesis_eth.go SetupEthNullAddresses) and calibnet and mainnet have one
 * (made by the nv18 migration). Lotus's genesis gives it nothing; calibnet's holds the FIL sent to it.
 * Lotus runs eth_call and eth_estimateGas without `from` from it (ethtypes EthCall.ToFilecoinMessage),
 * and an estimate's gas search must reserve its fee cap times its gas limit from it (as the FVM's
 * preflight takes them): so it holds FIL here too, or an estimate without `from` would fail here
 * where it works on calibnet.
 */
export const ETH_NULL_ADDRESS = new Uint8Array(20);
/** The null address's FIL at genesis (not calibnet's figure, which grows with what is sent there): 1 000 FIL. */
export const ETH_NULL_ADDRESS_BALANCE = 1_000n * 10n ** 18n;

/** The sectors each genesis storage provider has proven, which give it its power. */
export const GENESIS_SECTORS_PER_PROVIDER = 10;

/**
 * The ID of the verified registry's root key: a multisig, as Lotus's genesis makes it (its
 * RootVerifierAddress, chain/gen/genesis) and as calibnet has it, so that `lotus-shed verifreg
 * add-verifier` proposes AddVerifier through it.
 */
export const ROOT_KEY_MULTISIG_ID = 80;

/** The verified registry's genesis roles: its root key's signer and one verifier, accounts of f1 keys. */
interface GenesisVerifiedRegistry {
  /** The root key multisig's only signer (threshold 1), as on a Lotus devnet. */
  rootKey: FilAddress;
  verifier: FilAddress;
  /** A funded native account for deals (not a registry role; created last so no other ID moves). */
  dealClient: FilAddress;
  /** The verifier's allowance, bytes of DataCap. */
  verifierAllowance: bigint;
  /** Balance of each of the three accounts, attoFIL (they pay for their messages). */
  balance: bigint;
}

interface GenesisStorageProviders {
  keys: StorageProviderKey[];
  sectorSize?: bigint;
  /** Balance of each provider's owner account, attoFIL. */
  ownerBalance?: bigint;
}

const SINGLETONS: [number, ActorKind][] = [
  [SYSTEM_ACTOR_ID, 'system'],
  [INIT_ACTOR_ID, 'init'],
  [REWARD_ACTOR_ID, 'reward'],
  [CRON_ACTOR_ID, 'cron'],
  [POWER_ACTOR_ID, 'storagepower'],
  [MARKET_ACTOR_ID, 'storagemarket'],
  [VERIFREG_ACTOR_ID, 'verifiedregistry'],
  [DATACAP_ACTOR_ID, 'datacap'],
  [EAM_ACTOR_ID, 'eam'],
  // Burnt funds is a plain account that nobody holds the key of.
  [BURNT_FUNDS_ACTOR_ID, 'account'],
];

export function createGenesisState(
  accounts: DevAccount[],
  balance: bigint,
  fund: { address: FilAddress; balance: bigint }[] = [],
  providers: GenesisStorageProviders = { keys: [] },
  verifiedRegistry?: GenesisVerifiedRegistry,
): StateTree {
  const tree = new StateTree();
  const state = tree.stage();
  for (const [id, kind] of SINGLETONS) {
    state.putActor({ id, kind, nonce: 0, balance: 0n, ...(id === POWER_ACTOR_ID ? { power: EMPTY_POWER_STATE } : {}) });
  }
  // IDs below FIRST_NON_SINGLETON_ID are reserved; new actors start there.
  while (state.nextId() < FIRST_NON_SINGLETON_ID) state.allocateId();
  // Dev accounts are EthAccounts from the start (Lotus would show a Placeholder until the first send).
  for (const account of accounts) createActor(state, 'ethaccount', { delegated: account.filAddress, balance });
  for (const { address, balance: funds } of fund) {
    if (address.protocol !== Protocol.Secp256k1 && address.protocol !== Protocol.BLS) {
      throw new InvalidAddressError(`only f1 and f3 addresses can be funded at genesis, not ${address.toString()}`);
    }
    const existing = state.lookupId(address);
    if (existing !== undefined) throw new InvalidAddressError(`${address.toString()} is funded twice`);
    createActor(state, 'account', { robust: address, balance: funds });
  }
  // Storage providers come last, so that they move no other actor's ID.
  const sectorSize = providers.sectorSize ?? SECTOR_SIZE_32GIB;
  for (const key of providers.keys) {
    if (state.lookupId(key.address) !== undefined) throw new InvalidAddressError(`${key.address.toString()} is already an actor at genesis`);
    const owner = createActor(state, 'account', { robust: key.address, balance: providers.ownerBalance ?? 0n });
    // Lotus's genesis creates each miner with the power actor's CreateMiner from its owner
    // (chain/gen/genesis/miners.go), so Init maps it an f2 address, as every calibnet miner has.
    const robust = newActorAddress(state, owner.id);
    // Lotus's genesis sends CreateMiner its creation deposit (CalculateMinerCreationDepositForGenesis,
    // chain/gen/genesis/util.go), which the miner's constructor locks to vest from epoch 0: both figures
    // are the FIP-0077 pledge of a tenth of the consensus minimum, capped as every pledge is (its
    // estimate at genesis's initial reward and power filters is above the cap), as the devnet charges
    // a CreateMiner at any epoch.
    const created = createMinerActor(state, { owner: owner.id, worker: owner.id, windowPoStProofType: windowPoSt(sectorSize).proofType, peerId: key.peerId, epoch: 0, robust, deposit: CREATE_MINER_DEPOSIT });
    // The provider's power comes from committed, deal-less sectors it holds from genesis, pledged as
    // Lotus's genesis pledges them. Their funds and the deposit come on top of the owner's balance, as
    // Lotus's genesis template funds the owner that pays them, so that the owner keeps a dev account's balance.
    const { miner, pledge, expiration } = genesisSectors({ ...created, balance: created.balance + CREATE_MINER_DEPOSIT }, GENESIS_SECTORS_PER_PROVIDER);
    state.putActor(miner);
    enrollCron(state, expiration.epoch, { actor: miner.id, event: expiration.event });
    // The sectors' pre-commits started the deadline cron: it first unlocks the vesting deposit where any starting cron does.
    enrollCron(state, firstVestDue(loadMiner(miner.miner!), 0)!, { actor: miner.id, event: { type: 'vest' } satisfies MinerCronEvent });
    const { raw, qa } = sectorsPower(sectorSize, miner.miner.sectors!.values());
    const power = state.getActor(POWER_ACTOR_ID)!;
    const claimed = addClaim(power.power!, miner.id, { rawBytePower: raw, qualityAdjPower: qa });
    state.putActor({ ...power, power: addPledgeTotal(claimed, pledge) });
  }
  // A Lotus localnet's genesis publishes one deal per pre-sealed sector (lotus-seed pre-seal's
  // createDeals, chain/gen/genesis/miners.go), so its first user deal is not deal 0, nor on calibnet;
  // contracts take 0 for "no deal" (fevm-hardhat-kit's DealClient). The devnet's genesis sectors are
  // committed capacity: the market's IDs start past as many deals, which read as expired (32).
  if (providers.keys.length > 0) {
    const market = state.getActor(MARKET_ACTOR_ID)!;
    state.putActor({ ...market, market: { ...EMPTY_MARKET_STATE, nextId: providers.keys.length * GENESIS_SECTORS_PER_PROVIDER } });
  }
  // The registry's accounts come after the providers, so that they move no other actor's ID.
  if (verifiedRegistry) {
    const { rootKey, verifier, dealClient, verifierAllowance, balance: funds } = verifiedRegistry;
    for (const key of [rootKey, verifier, dealClient]) {
      if (state.lookupId(key) !== undefined) throw new InvalidAddressError(`${key.toString()} is already an actor at genesis`);
    }
    const signer = createActor(state, 'account', { robust: rootKey, balance: funds });
    // Lotus gives the root key multisig no balance and no robust address.
    state.putActor({ id: ROOT_KEY_MULTISIG_ID, kind: 'multisig', nonce: 0, balance: 0n, multisig: singleSigner(signer.id) });
    const verifierActor = createActor(state, 'account', { robust: verifier, balance: funds });
    const verifreg = state.getActor(VERIFREG_ACTOR_ID)!;
    state.putActor({ ...verifreg, verifreg: { ...EMPTY_VERIFREG_STATE, rootKey: ROOT_KEY_MULTISIG_ID, verifiers: new Map([[verifierActor.id, verifierAllowance]]) } });
    createActor(state, 'account', { robust: dealClient, balance: funds });
  }
  // Last, so that they move no other genesis actor's ID.
  createMulticall3(state);
  createSafeSingletonFactory(state);
  createFilForwarder(state);
  createActor(state, 'ethaccount', { delegated: FilAddress.fromDelegated(EAM_NAMESPACE, ETH_NULL_ADDRESS), balance: ETH_NULL_ADDRESS_BALANCE });
  tree.commit(state, 0);
  return tree;
}

/** A multisig of one signer that needs one approval, with nothing vesting. */
const singleSigner = (signer: number): MultisigState => ({
  signers: [signer],
  numApprovalsThreshold: 1,
  nextTxId: 0,
  initialBalance: 0n,
  startEpoch: 0,
  unlockDuration: 0,
  pendingTxs: new Map(),
});

