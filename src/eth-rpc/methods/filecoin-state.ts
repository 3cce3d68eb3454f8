// The Lotus state methods: Filecoin.StateGetActor, StateLookupID, StateAccountKey,
// StateLookupRobustAddress, StateNetworkVersion, StateNetworkName, StateCall, StateWaitMsg,
// StateSearchMsg, StateReadState, WalletBalance.
import { FilAddress, Protocol } from '../../common/address.js';
import { encodeBitfield } from '../../common/bitfield.js';
import { CID, cidOf, encodeBigInt, encodeCbor } from '../../common/cbor.js';
import { ActorNotFoundError, DevnetError } from '../../common/errors.js';
import type { Devnet } from '../../devnet/devnet.js';
import { DATACAP_ACTOR_ID, MARKET_ACTOR_ID, POWER_ACTOR_ID, VERIFREG_ACTOR_ID, type Actor } from '../../fevm/actor.js';
import { registryStateJson } from './filecoin-verifreg.js';
import { actorHead, bytecodeCid } from '../../fevm/actor-state.js';
import { actorNotFound, resolveAddress } from '../../fevm/actors/lifecycle.js';
import { EMPTY_MARKET_STATE } from '../../fevm/actors/market/state.js';
import { scheduledDealOps } from '../../fevm/actors/market/cron.js';
import { queuedCron } from '../../fevm/actors/cron.js';
import { qaPowerSmoothedOf, type PowerState } from '../../fevm/actors/power.js';
import { rewardKpiOf, type RewardState } from '../../fevm/actors/reward.js';
import type { StateReader } from '../../fevm/state-tree.js';
import type { OffChainPoint } from '../../devnet/replay.js';
import { loadMiner, vestingTable } from '../../fevm/actors/miner/state.js';
import { receiptReturn } from '../../fevm/executor.js';
import { messageCid } from '../../fevm/message.js';
import { NETWORK_VERSION } from '../../fevm/network-version.js';
import { EC_FINALITY } from '../../mining/finality.js';
import type { Tipset } from '../../mining/tipset.js';
import { decodeParams, returnSchema, returnUndeclared } from '../actor-params.js';
import { defineMethod, withWaits } from '../define-method.js';
import { marketStateJson } from './filecoin-market.js';
import { invocResultJson } from './filecoin-state-compute.js';
import { minerStateJson, vestingTailBlock } from './filecoin-miners.js';
import { deadlineBlocks } from '../../fevm/actors/miner/deadline-blocks.js';
import { buildStorageKamt } from '../../fevm/actors/evm/storage-kamt.js';
import { multisigStateJson } from './filecoin-msig-state.js';
import { paychStateJson } from '../paych-state-json.js';
import { actorJson, addressJson, cidJson, idJson, receiptJson, tipsetKeyJson } from '../lotus-json.js';
import { cid, filAddress, integer, message, tipsetKey } from '../lotus-params.js';
import { bool } from '../params.js';
import { serveBlock, serveBlocks } from '../served-blocks.js';
import { keptSearchMessage, keptStateOf, keptStatePoint, keptTipsetOf, loadedMessage, pointState } from '../dropped-tipsets.js';
import { keyAddressAt } from '../key-address.js';
import { forkedRootJson, forkedStateJson } from '../forked-state-json.js';
import { beyondLookback, NO_LIMIT } from '../message-lookback.js';
import { MessageReplacedError } from '../../devnet/message-search.js';
import type { MessageLocation } from '../../mining/chain-store.js';

export const NETWORK_NAME = 'fvm-devnet';

/** The network name the node answers: a fork's is its upstream's, whose state it holds. */
export const networkNameOf = (devnet: Devnet): string => devnet.fork?.point.networkName ?? NETWORK_NAME;

/** Lotus's words for an address without an actor, in StateReadState and StateLookupRobustAddress. */
const resolutionFailed = (address: FilAddress) => `resolution lookup failed (${address.toString()}): actor not found`;

/** The cron actor's table as genesis writes it (go-state-types cron BuiltInEntries): the power actor's OnEpochTickEnd, then the market's CronTick. */
const CRON_ENTRIES = [
  { Receiver: idJson(POWER_ACTOR_ID), MethodNum: 5 },
  { Receiver: idJson(MARKET_ACTOR_ID), MethodNum: 9 },
];

/**
 * Where StateReadState reads an actor's state: after the chain's tipset at `epoch`, or after a
 * dropped tipset (its kept state, dropped-tipsets.ts).
 */
interface ReadPoint {
  epoch: number;
  state: StateReader;
  dropped?: OffChainPoint;
}

/** The state an actor's Head names, with the field names of its builtin-actors Go type. */
function stateJson(devnet: Devnet, actor: Actor, at: ReadPoint) {
  const { epoch } = at;
  // An account made at its ID address (t099, the burnt funds) names that address, as Lotus's genesis makes it.
  if (actor.kind === 'account') return { Address: addressJson(actor.robust ?? FilAddress.fromId(actor.id)) };
  // builtin-actors gives these no state: Lotus's StateReadState answers none (chain/vm/invoker.go DumpActorState).
  if (actor.kind === 'eam' || actor.kind === 'placeholder' || actor.kind === 'ethaccount') return null;
  if (actor.kind === 'cron') return { Entries: CRON_ENTRIES };
  // The system actor names the chain's actors manifest (a fork's: its upstream's).
  if (actor.kind === 'system') return { BuiltinActors: cidJson(devnet.codes.manifestCid) };
  if (actor.kind === 'init') {
    const { state } = at;
    const nextId = state.nextId();
    return { AddressMap: addressMapJson(devnet, state, nextId), NextID: nextId, NetworkName: networkNameOf(devnet) };
  }
  const registry = registryStateJson(actor, (blocks) => serveBlocks(devnet, blocks));
  if (registry) return registry;
  if (actor.evm) {
    return {
      Bytecode: cidJson(bytecodeCid(actor.evm.bytecode)),
      BytecodeHash: [...actor.evm.bytecodeHash],
      ...contractStateJson(devnet, actor, at),
      Nonce: actor.evm.nonce,
      Tombstone: null,
      TransientData: null,
    };
  }
  if (actor.miner) {
    serveBlock(devnet, encodeCbor(encodeBitfield(loadMiner(actor.miner).allocatedSectors)));
    const deadlines = deadlineBlocks(actor.miner, epoch);
    for (const bytes of deadlines.blocks.values()) serveBlock(devnet, bytes);
    const vesting = vestingTable(actor.miner);
    const vestingTail = vestingTailBlock(vesting);
    if (vestingTail) serveBlock(devnet, vestingTail);
    return minerStateJson(actor.miner, epoch, deadlines.root, vesting, vestingTail);
  }
  if (actor.power) return powerStateJson(actor.power, at.state, epoch, actor.forkedFrom?.stateJson as Record<string, unknown> | undefined);
  if (actor.kind === 'reward') return rewardStateJson(actor.reward, epoch);
  if (actor.kind === 'storagemarket') return marketStateJson(actor.market ?? EMPTY_MARKET_STATE, scheduledDealOps(at.state), (blocks) => serveBlocks(devnet, blocks));
  if (actor.multisig) return multisigStateJson(actor.multisig);
  if (actor.paych) return paychStateJson(actor.paych, (blocks) => serveBlocks(devnet, blocks));
  return {};
}

/**
 * The init actor's AddressMap. On the devnet's own chain null: it builds no address HAMT (its map is
 * not builtin-actors' either: a contract a CREATE made has no f2 address here, so a root would not be
 * Lotus's). On a fork of an upstream that names one (a Lotus node), that root while the fork has
 * given out no ID, then, as the market's tables read on a fork (forked-state-json.ts), the CID of that
 * root with the addresses the fork mapped: each new actor's robust and delegated address and its ID.
 */
function addressMapJson(devnet: Devnet, state: StateReader, nextId: number): { '/': string } | null {
  const root = devnet.fork?.point.addressMap;
  const first = devnet.fork?.source.data.nextId;
  if (!root || first === undefined) return null;
  const written: [Uint8Array, number][] = [];
  for (let id = first; id < nextId; id++) {
    const actor = state.getActor(id);
    for (const address of [actor?.robust, actor?.delegated]) if (address && address.id === undefined) written.push([address.bytes, id]);
  }
  return written.length === 0 ? { '/': root } : forkedRootJson(root, written);
}

/**
 * A contract's ContractState: the root of its storage KAMT, built from its slots, with every block
 * kept for ChainReadObj (a fork of this node reads the root for its storage gas: upstream-state.ts).
 * For a forked contract whose storage the upstream holds, the upstream's root while the fork has
 * written none of it, else none (Devnet.contractStorage). The actor's
 * Head stands for the KAMT by its storage generation instead (actor-state.ts): building it there
 * would put this work on every state root.
 */
function contractStateJson(devnet: Devnet, actor: Actor, { epoch, state, dropped }: ReadPoint): { ContractState?: { '/': string } } {
  const storage = devnet.contractStorage(actor, epoch, state, dropped);
  if (!storage) return {};
  // A forked contract's untouched storage: the upstream's root, whose blocks ChainReadObj passes through.
  if ('upstreamRoot' in storage) return { ContractState: { '/': storage.upstreamRoot } };
  const kamt = buildStorageKamt(storage.slots);
  serveBlocks(devnet, kamt.blocks);
  return { ContractState: cidJson(kamt.root) };
}

/** The cron's next epoch after the state of `epoch`: builtin-actors' power cron and reward KPI update run at its end (the genesis state is before any). */
const afterCron = (epoch: number) => (epoch === 0 ? 0 : epoch + 1);

/**
 * The power actor's State (go-state-types builtin/v18/power State). Every sector is proven, so the
 * committed bytes equal power, and this epoch's figures the totals; the smoothed QA power is the one
 * CurrentTotalPower answers (power.ts qaPowerSmoothedOf); no pledge ramp (FIP-0081) is set. Its HAMTs
 * (the claims, the miners' cron events) as the CIDs of the devnet's values. On a fork (`upstream`: the
 * State the upstream answered), as the market's tables (forked-state-json.ts): each HAMT the CID of
 * the upstream's root with what the fork wrote to it, and the upstream's pledge ramp.
 */
function powerStateJson(power: PowerState, state: StateReader, epoch: number, upstream?: Record<string, unknown>) {
  const { totalRawBytePower: raw, totalQualityAdjPower: qa, totalPledgeCollateral: pledge = 0n } = power;
  const link = (field: string, own: unknown) => {
    const root = (upstream?.[field] as { '/'?: string } | undefined)?.['/'];
    return root ? forkedRootJson(root, own) : cidJson(cidOf(encodeCbor(own)));
  };
  // Its own claims only: on a fork, those of the upstream it merely read would change the root.
  const claims = power.claims.map(([id, c]) => [id, encodeBigInt(c.rawBytePower), encodeBigInt(c.qualityAdjPower)]);
  const cronEvents = power.claims.map(([id]) => [id, queuedCron(state, id).map(([at]) => at)]);
  const smoothed = qaPowerSmoothedOf(power);
  return {
    TotalRawBytePower: raw.toString(),
    TotalBytesCommitted: raw.toString(),
    TotalQualityAdjPower: qa.toString(),
    TotalQABytesCommitted: qa.toString(),
    TotalPledgeCollateral: pledge.toString(),
    ThisEpochRawBytePower: raw.toString(),
    ThisEpochQualityAdjPower: qa.toString(),
    ThisEpochPledgeCollateral: pledge.toString(),
    ThisEpochQAPowerSmoothed: { PositionEstimate: smoothed.position.toString(), VelocityEstimate: smoothed.velocity.toString() },
    MinerCount: power.minerCount,
    MinerAboveMinPowerCount: power.minerAboveMinPowerCount,
    RampStartEpoch: upstream?.RampStartEpoch ?? 0,
    RampDurationEpochs: upstream?.RampDurationEpochs ?? 0,
    CronEventQueue: link('CronEventQueue', cronEvents),
    FirstCronEpoch: afterCron(epoch),
    Claims: link('Claims', claims),
    ProofValidationBatch: null,
  };
}

/**
 * The reward actor's State (go-state-types builtin/v18/reward State): builtin-actors' figures
 * (reward.ts rewardKpiOf: on a fork the upstream's moved on, on the devnet's own chain its fixed
 * ones, at the epoch after the cron) and the block rewards paid.
 */
function rewardStateJson(reward: RewardState | undefined, epoch: number) {
  const kpi = rewardKpiOf(reward, afterCron(epoch));
  return {
    CumsumBaseline: kpi.cumsumBaseline.toString(),
    CumsumRealized: kpi.cumsumRealized.toString(),
    EffectiveNetworkTime: kpi.effectiveNetworkTime,
    EffectiveBaselinePower: kpi.effectiveBaselinePower.toString(),
    ThisEpochReward: kpi.thisEpochReward.toString(),
    ThisEpochRewardSmoothed: { PositionEstimate: kpi.thisEpochRewardSmoothed.position.toString(), VelocityEstimate: kpi.thisEpochRewardSmoothed.velocity.toString() },
    ThisEpochBaselinePower: kpi.thisEpochBaselinePower.toString(),
    Epoch: kpi.epoch,
    TotalStoragePowerReward: (reward?.totalStoragePowerReward ?? 0n).toString(),
    SimpleTotal: kpi.simpleTotal.toString(),
    BaselineTotal: kpi.baselineTotal.toString(),
  };
}

/** The head each node's tables were last laid out at (layOutHeadTables). */
const laidOut = new WeakMap<Devnet, Tipset>();

/**
 * Lays out the tables of the head's state for ChainReadObj, as StateReadState of the market, the
 * verified registry, the datacap token and each miner does, once per head: Lotus's blockstore holds
 * every block of its states, so a client may ask for one it learned elsewhere (from another node of
 * the same genesis: a fork whose upstream was swapped) before this node answered a StateReadState.
 */
export function layOutHeadTables(devnet: Devnet): void {
  const head = devnet.head;
  if (laidOut.get(devnet) === head) return;
  laidOut.set(devnet, head);
  const state = devnet.stateAt(head.epoch);
  for (const id of [MARKET_ACTOR_ID, VERIFREG_ACTOR_ID, DATACAP_ACTOR_ID, ...devnet.minerIdsIn(state)]) {
    const actor = state.getActor(id);
    if (actor) stateJson(devnet, actor, { epoch: head.epoch, state });
  }
}

/**
 * A successful message's return decoded as Lotus's ReturnDec is (its method's return type), for the
 * methods actor-params.ts has a return schema for; the bytes as they are for a method Lotus's registry
 * does not declare; null otherwise, and for a failure or no return.
 */
export function decodedReturn(devnet: Devnet, epoch: number, message: { to: FilAddress; method: number }, receipt: { exitCode: number; returnData: Uint8Array }): unknown {
  if (receipt.exitCode !== 0 || receipt.returnData.length === 0) return null;
  const kind = resolveAddress(devnet.stateAt(epoch), message.to)?.kind;
  if (kind && returnUndeclared(kind, message.method)) return Buffer.from(receipt.returnData).toString('base64');
  const schema = kind && returnSchema(kind, message.method);
  if (!schema) return null;
  try {
    return decodeParams(schema, receipt.returnData, 'return');
  } catch {
    return null;
  }
}

/**
 * Where a message landed, as Lotus's MsgLookup (the devnet executes a tipset as it mines it). Lotus
 * asks its chain index (which every node serving eth_* runs) before searching back from the tipset
 * `from`, so a message executed after `from` is found too; since v1.36 (chain/stmgr/searchwait.go)
 * not one executed more than `limit` epochs before `from`, unless the limit is -1. A replaced message
 * is found as its replacement when `allowReplaced` (Devnet.searchMessage); otherwise StateSearchMsg
 * answers null, as Lotus's does for ErrMessageReplaced (node/impl/full/state.go). From a tipset a
 * revert dropped, its own branch is searched too (keptSearchMessage).
 */
function searchMsg(devnet: Devnet, target: CID, from: Tipset = devnet.head, limit = NO_LIMIT, allowReplaced = true) {
  let found: MessageLocation | undefined;
  try {
    found = keptSearchMessage(devnet, target, allowReplaced, from);
  } catch (error) {
    if (!allowReplaced && error instanceof MessageReplacedError) return null;
    throw error;
  }
  if (!found || beyondLookback(found.tipset.epoch, limit, from.epoch)) return null;
  return msgLookup(devnet, found, false);
}

/**
 * A mined message's MsgLookup. `decode`: the return decoded in ReturnDec, which only StateWaitMsg
 * fills (Lotus's StateSearchMsg leaves it null, node/impl/full/state.go).
 */
function msgLookup(devnet: Devnet, found: MessageLocation, decode: boolean) {
  return {
    Message: cidJson(found.message.cid),
    Receipt: receiptJson(found.message.receipt),
    ReturnDec: decode ? decodedReturn(devnet, found.tipset.epoch, found.message.signed.message, found.message.receipt) : null,
    TipSet: tipsetKeyJson(found.tipset),
    Height: found.tipset.epoch,
  };
}

export const filecoinState = [
  // A dropped tipset's key reads its kept state, as Lotus reads a reorged tipset's (dropped-tipsets.ts).
  defineMethod('Filecoin.StateGetActor', [filAddress('address'), tipsetKey('tipsetKey')], ({ devnet }, address, key) => {
    const actor = resolveAddress(keptStateOf(devnet, key), address);
    if (!actor) throw new DevnetError(actorNotFound(address));
    return actorJson(actor, actorHead(actor), devnet.codes);
  }),

  defineMethod('Filecoin.StateReadState', [filAddress('address'), tipsetKey('tipsetKey')], ({ devnet }, address, key) => {
    // A dropped tipset's key reads its kept state, as StateGetActor.
    const point = keptStatePoint(devnet, key);
    const state = pointState(devnet, point);
    const actor = resolveAddress(state, address);
    if (!actor) throw new DevnetError(resolutionFailed(address));
    return { Balance: actor.balance.toString(), Code: cidJson(devnet.codes.codeOf(actor.kind)), State: forkedStateJson(actor, () => stateJson(devnet, actor, { epoch: point.tipset.epoch, state, dropped: point.dropped })) };
  }),

  // Lotus (node/impl/full/state.go, chain/stmgr/stmgr.go LookupIDAddress): an ID address as it is,
  // without reading the state; another with no actor is api.ErrActorNotFound. These three read a
  // dropped tipset's kept state by its key, as StateGetActor.
  defineMethod('Filecoin.StateLookupID', [filAddress('address'), tipsetKey('tipsetKey')], ({ devnet }, address, key) => {
    const state = keptStateOf(devnet, key);
    if (address.protocol === Protocol.ID) return addressJson(address);
    const actor = resolveAddress(state, address);
    if (!actor) throw new ActorNotFoundError();
    return idJson(actor.id);
  }),

  // Lotus's ResolveToDeterministicAddress at the key's tipset (key-address.ts): its parent's state first, then its own.
  defineMethod('Filecoin.StateAccountKey', [filAddress('address'), tipsetKey('tipsetKey')], ({ devnet }, address, key) => addressJson(keyAddressAt(devnet, address, keptTipsetOf(devnet, key)))),

  defineMethod('Filecoin.StateLookupRobustAddress', [filAddress('address'), tipsetKey('tipsetKey')], ({ devnet }, address, key) => {
    const state = keptStateOf(devnet, key);
    // Lotus finds an ID's address in the init actor's map (chain/stmgr/stmgr.go LookupRobustAddress):
    // an ID with no actor and one with no address there are not found alike.
    const actor = resolveAddress(state, address);
    if (!actor && address.id === undefined) throw new DevnetError(resolutionFailed(address));
    const robust = actor?.robust ?? actor?.delegated;
    if (!robust) throw new DevnetError(`Address ${address.toString()} not found`);
    return addressJson(robust);
  }),

  defineMethod('Filecoin.StateNetworkVersion', [tipsetKey('tipsetKey')], () => NETWORK_VERSION),
  defineMethod('Filecoin.StateNetworkName', [], ({ devnet }) => networkNameOf(devnet)),

  defineMethod('Filecoin.WalletBalance', [filAddress('address')], ({ devnet }, address) =>
    (resolveAddress(devnet.stateAt(devnet.head.epoch), address)?.balance ?? 0n).toString(),
  ),

  defineMethod('Filecoin.StateCall', [message('message'), tipsetKey('tipsetKey')], async ({ devnet, batch }, msg, key) => {
    // A dropped tipset's key runs it on that tipset's kept state, as eth_call by its hash.
    const { tipset, dropped } = keptStatePoint(devnet, key);
    const { message: ran, result, root, durationNs } = await devnet.stateCall(msg, dropped ?? tipset.epoch, batch);
    // Its receipt returns what a mined one would (an EVM output as a CBOR byte string), with the
    // events of a call that succeeded. Lotus answers the message it ran, and no gas cost: it applies
    // it as an implicit message.
    const events = result.exitCode === 0 ? result.events : [];
    return invocResultJson(ran, messageCid(ran), { ...result, returnData: receiptReturn(result), events, root, durationNs }, devnet.codes);
  }),

  defineMethod(
    'Filecoin.StateSearchMsg',
    [tipsetKey('tipsetKey'), cid('messageCid'), integer('lookbackLimit'), bool('allowReplaced')],
    ({ devnet }, key, target, limit, allowReplaced) => searchMsg(devnet, target, keptTipsetOf(devnet, key), limit, allowReplaced),
  ),

  withWaits(
    defineMethod(
      'Filecoin.StateWaitMsg',
      [cid('messageCid'), integer('confidence'), integer('lookbackLimit'), bool('allowReplaced')],
      ({ devnet, signal }, target, confidence, limit, allowReplaced) => waitMsg(devnet, target, confidence, { limit, allowReplaced, signal }),
    ),
  ),
];

/**
 * Lotus's v0 message lookups (api/v0api/v1_wrapper.go), served at /rpc/v0: no tipset key or lookback
 * limit, a replacement always allowed; StateSearchMsgLimited and StateWaitMsgLimited take the limit.
 * StateGetReceipt, v0's only, is the receipt of the lookup searched from a tipset, or null for a
 * message not on chain (v1_wrapper.go:51).
 */
export const filecoinStateV0 = [
  defineMethod('Filecoin.StateSearchMsg', [cid('messageCid')], ({ devnet }, target) => searchMsg(devnet, target)),
  defineMethod('Filecoin.StateSearchMsgLimited', [cid('messageCid'), integer('limit')], ({ devnet }, target, limit) => searchMsg(devnet, target, devnet.head, limit)),
  withWaits(defineMethod('Filecoin.StateWaitMsg', [cid('messageCid'), integer('confidence')], ({ devnet, signal }, target, confidence) => waitMsg(devnet, target, confidence, { signal }))),
  withWaits(
    defineMethod('Filecoin.StateWaitMsgLimited', [cid('messageCid'), integer('confidence'), integer('limit')], ({ devnet, signal }, target, confidence, limit) =>
      waitMsg(devnet, target, confidence, { limit, signal }),
    ),
  ),
  defineMethod('Filecoin.StateGetReceipt', [cid('messageCid'), tipsetKey('tipsetKey')], ({ devnet }, target, key) => searchMsg(devnet, target, keptTipsetOf(devnet, key))?.Receipt ?? null),
];

/**
 * StateWaitMsg's confidence, checked before anything else as Lotus does (chain/stmgr/searchwait.go
 * MaxMessageConfidence, since v1.36.2): at most one chain finality.
 */
export function checkConfidence(confidence: number): void {
  if (confidence > EC_FINALITY) throw new DevnetError(`message confidence exceeds maximum: ${confidence} > ${EC_FINALITY}`);
}

/**
 * The lookup once the message (or, if `allowReplaced`, its replacement) is `confidence` epochs deep
 * (instant mining: once it is mined; Devnet.waitForConfidence). A message at its nonce that the search
 * back from the head finds beyond `limit`, or may not take for it, leaves the wait watching new tipsets,
 * as Lotus's does, until its client goes (`signal`).
 */
async function waitMsg(devnet: Devnet, target: CID, confidence: number, { limit = NO_LIMIT, allowReplaced = true, signal }: { limit?: number; allowReplaced?: boolean; signal?: AbortSignal }) {
  checkConfidence(confidence);
  // Lotus loads the message first: one it has never seen is an error, not an endless wait.
  const onChain = devnet.chain.messageByCid(target);
  const loaded = onChain ? undefined : loadedMessage(devnet, target);
  if (!onChain && !devnet.pendingMessage(target) && !loaded) {
    throw new DevnetError(`failed to load message: ipld: could not find ${target.toString()}`);
  }
  const reached = (epoch: number, head: number) => !beyondLookback(epoch, limit, head);
  return msgLookup(devnet, await devnet.waitForConfidence(target, confidence, allowReplaced, { loaded, reached, signal }), true);
}
