// What the fork reads from the upstream, pinned to the fork point: one function per kind of value
// the state source holds (an actor, an address's ID, an EVM storage slot, the init actor's next ID;
// the builtin actors' table entries in upstream-tables.ts), each with the Lotus methods a public
// gateway serves (api/api_gateway.go). Values come back in the devnet's own shapes
// (src/fevm/actor.ts); "no such actor" is an answer (null), not a failure.
import { FilAddress } from '../../common/address.js';
import { decodeBitfield } from '../../common/bitfield.js';
import { CID } from 'multiformats/cid';
import { decodeCbor } from '../../common/cbor.js';
import { DevnetError } from '../../common/errors.js';
import { bigintToBytes, bytesToHex, hexToBytes, padStart } from '../../common/hex.js';
import { keccak256 } from '../../common/hashes.js';
import { BURNT_FUNDS_ACTOR_ID, DATACAP_ACTOR_ID, MARKET_ACTOR_ID, POWER_ACTOR_ID, REWARD_ACTOR_ID, VERIFREG_ACTOR_ID, type Actor, type EvmState, type ForkedFrom } from '../../fevm/actor.js';
import type { CodeTable } from '../../fevm/code-table.js';
import { decodeKamtNode, kamtLinks, kamtPairs, shapeOfBlocks, type KamtBlockNode, type KamtNode } from '../../fevm/actors/evm/kamt-shape.js';
import { ethAddressOf } from '../../fevm/actors/lifecycle.js';
import type { MinerState } from '../../fevm/actors/miner/state.js';
import type { MultisigState } from '../../fevm/actors/multisig/state.js';
import type { PaychState } from '../../fevm/actors/paych/state.js';
import type { Claim as PowerClaim } from '../../fevm/actors/power.js';
import { tipsetKeyCid } from '../../mining/tipset.js';
import type { TipsetFees } from '../../mining/chain-store.js';
import { isTipset, type LocatedPoint, type LotusTipset, type TipsetKeyJson } from './fork-point.js';
import { minerStateFromLotus, vestingBlockOf, vestingFundsOf, type LotusMinerFunds, type LotusMinerInfo } from './upstream-miner.js';
import { multisigStateFromLotus, type LotusMsigTransaction, type LotusMultisigState } from './upstream-multisig.js';
import { paychStateFromLotus, type LotusPaychState } from './upstream-paych.js';
import { isBlockNotFound, UpstreamAnswerError, type Upstream } from './upstream.js';
import { UpstreamProving } from './upstream-proving.js';
import { UpstreamLists } from './upstream-lists.js';
import { UpstreamTables } from './upstream-tables.js';

/** How many KAMT nodes below a contract's storage root a fork reads with the contract, at most. */
const STORAGE_BLOCKS_READ = 256;

/**
 * The singletons whose State the fork reads with their actor (their scalars; the burnt funds
 * account's key): read in the same batch as the actor, by these IDs, which builtin-actors fixes.
 */
const SINGLETONS_READ_WITH_STATE: ReadonlySet<number> = new Set([REWARD_ACTOR_ID, POWER_ACTOR_ID, MARKET_ACTOR_ID, VERIFREG_ACTOR_ID, DATACAP_ACTOR_ID, BURNT_FUNDS_ACTOR_ID]);

/** Lotus answers an unknown address with api.ErrActorNotFound (code 11, "actor not found"); a devnet upstream with its text. */
export function isActorNotFound(error: unknown): boolean {
  return error instanceof UpstreamAnswerError && (error.rpcCode === 11 || /actor not found/.test(error.rpcMessage));
}

/** What StateReadState answers for an EVM actor: the fields evmState reads. */
interface EvmStateJson {
  State: { Nonce?: number; Tombstone?: unknown; ContractState?: { '/'?: unknown } };
}

/** A contract's code (hex) and its State, as evmState reads them. */
type ContractReads = [string, EvmStateJson];

interface LotusActor {
  Code: { '/': string };
  Head: { '/': string };
  Nonce: number;
  Balance: string;
  DelegatedAddress?: string | null;
}

/** A message as ChainGetMessagesInTipset lists it (api.Message): the fields a premium estimate reads. */
interface LotusMessageFees {
  Message: { GasPremium: string; GasLimit: number };
}

const isMessageList = (answer: unknown): boolean =>
  Array.isArray(answer) &&
  answer.every((m: { Message?: { GasPremium?: unknown; GasLimit?: unknown } }) => typeof m?.Message?.GasPremium === 'string' && /^\d+$/.test(m.Message.GasPremium) && Number.isSafeInteger(m.Message.GasLimit));

const isCidLink = (link: unknown): boolean => typeof (link as { '/'?: unknown } | null)?.['/'] === 'string';

/** Whether an answer has the fields of an actor this module reads, as Lotus's JSON (chain/types Actor) gives them. */
function isLotusActor(answer: unknown): boolean {
  const { Code, Head, Nonce, Balance, DelegatedAddress } = (answer ?? {}) as Record<keyof LotusActor, unknown>;
  const delegated = DelegatedAddress === undefined || DelegatedAddress === null || typeof DelegatedAddress === 'string';
  return isCidLink(Code) && isCidLink(Head) && Number.isSafeInteger(Nonce) && (Nonce as number) >= 0 && typeof Balance === 'string' && /^\d+$/.test(Balance) && delegated;
}

/** Whether an answer is an ID address (f0… or t0…), as StateLookupID answers. */
const isIdAddress = (answer: unknown): boolean => typeof answer === 'string' && /^[ft]0\d+$/.test(answer) && Number.isSafeInteger(Number(answer.slice(2)));

export class UpstreamState {
  /** The upstream's code CIDs (its manifest at the fork point), once read: an actor's kind by its code. */
  private codeTable: CodeTable | undefined;
  /** The same, while being read: an actor read meanwhile (the start's, in the same batch) waits for it. */
  private readonly codesRead: Promise<CodeTable>;
  /**
   * The fork epoch's block for the eth_ reads (EIP-1898, Lotus's EthBlockNumberOrHash): by hash, as
   * the actors are read by tipset key, so that a reorg at or below the fork epoch cannot mix another
   * chain's slots and code with what was read before (by number it would read the new chain's).
   */
  private readonly block: { blockHash: string; requireCanonical: false };
  /** The singletons' scalars and table entries. */
  readonly tables: UpstreamTables;
  /** Miners' proving states (a full node's methods). */
  readonly proving: UpstreamProving;
  /** The singletons' whole tables, for the list methods. */
  readonly lists: UpstreamLists;
  /** Contracts' storage read whole with their shape (evmState), by ID, until the fork source takes it (takeWholeStorage). */
  private readonly wholeStorage = new Map<number, Map<bigint, bigint>>();

  constructor(
    private readonly upstream: Upstream,
    readonly point: LocatedPoint,
    codes: Promise<CodeTable>,
  ) {
    this.tables = new UpstreamTables(upstream, point);
    this.proving = new UpstreamProving(upstream, point);
    this.lists = new UpstreamLists(upstream, point, this.tables);
    this.codesRead = codes.then((table) => (this.codeTable = table));
    // A failure is the reads' that wait for it (and Fork.open's), not an unhandled rejection here.
    this.codesRead.catch(() => undefined);
    this.block = { blockHash: bytesToHex(tipsetKeyCid(point.tipsetKey.map((cid) => CID.parse(cid['/']))).multihash.digest), requireCanonical: false };
  }

  /** The upstream's code CIDs: read before the fork opens (Fork.open waits for them). */
  get codes(): CodeTable {
    if (!this.codeTable) throw new DevnetError("the upstream's code CIDs are read when the fork opens");
    return this.codeTable;
  }

  /**
   * The actor with this ID, or at this address, at the fork point; null if the upstream has none.
   * By address, its ID is looked up at the same time: a lookup is nearly always followed by a read
   * of the actor, and together they take one round trip, not two. So do a contract's code and State
   * by an Ethereum address when the reader expects a `contract` there (dropped if it is none).
   * `codeRead`, if given, is handed a contract as soon as its code and State are read, without its
   * storage's shape (evmState), while the rest of its read goes on.
   */
  async actor(at: number | FilAddress, contract = false, codeRead?: (contract: Actor) => void): Promise<Actor | null> {
    const address = typeof at === 'number' ? `f0${at}` : at.toString();
    const early = typeof at === 'number' || !contract ? undefined : this.contractReads(at);
    // A failed read here is read again where its State is used (stateJson keeps no failure).
    if (typeof at === 'number' && SINGLETONS_READ_WITH_STATE.has(at)) this.tables.stateJson(at).catch(() => undefined);
    const [id, found, codes] = await Promise.all([typeof at === 'number' ? at : this.lookupId(at), this.lotusActor(address), this.codesRead]);
    if (!found || id === null) return null;
    const name = codes.nameOf(found.Code['/']);
    if (!name) throw new DevnetError(`upstream actor ${address} has code ${found.Code['/']}, which is not in the upstream's manifest`);
    const kind = codes.kindOf(found.Code['/']);
    if (!kind) throw new DevnetError(`upstream actor ${address} is a ${name} actor, which the fork does not model (see README "Fork")`);
    const actor: Actor = {
      id,
      kind,
      nonce: found.Nonce,
      balance: BigInt(found.Balance),
      ...(found.DelegatedAddress ? { delegated: FilAddress.parse(found.DelegatedAddress) } : {}),
    };
    if (kind === 'account') {
      const robust = await this.accountKey(typeof at === 'number' && SINGLETONS_READ_WITH_STATE.has(at) ? at : address);
      return robust ? { ...actor, robust } : actor;
    }
    if (kind === 'evm') return { ...actor, ...(await this.evmState(actor, await early, codeRead)) };
    if (kind === 'storageminer') return { ...actor, miner: await this.minerState(address) };
    if (kind === 'multisig') return { ...actor, multisig: await this.multisigState(address) };
    if (kind === 'paymentchannel') return { ...actor, paych: await this.paychState(address) };
    if (kind === 'storagemarket') return { ...actor, market: await this.tables.marketState(id), forkedFrom: await this.forkedFrom(id, found) };
    if (kind === 'verifiedregistry') return { ...actor, verifreg: await this.tables.verifregState(id), forkedFrom: await this.forkedFrom(id, found) };
    if (kind === 'datacap') return { ...actor, datacap: await this.tables.datacapState(id), forkedFrom: await this.forkedFrom(id, found) };
    if (kind === 'storagepower') return { ...actor, power: await this.tables.powerState(id), forkedFrom: await this.forkedFrom(id, found) };
    if (kind === 'reward') return { ...actor, reward: await this.tables.rewardState(id), forkedFrom: await this.forkedFrom(id, found) };
    return actor;
  }

  /** A singleton's Head and State as the upstream answered them (the State is read with its scalars, once). */
  private async forkedFrom(id: number, found: LotusActor): Promise<ForkedFrom> {
    return { head: CID.parse(found.Head['/']), stateJson: await this.tables.stateJson(id) };
  }

  /**
   * A miner's power claim; null for an actor that is not a miner. Lotus answers zero power for any
   * address without a claim, so the actor's kind, read in the same batch, tells "no claim" apart.
   */
  async powerClaim(id: number): Promise<PowerClaim | null> {
    const [found, claim, codes] = await Promise.all([this.lotusActor(`f0${id}`), this.tables.powerClaim(id), this.codesRead]);
    return found && codes.kindOf(found.Code['/']) === 'storageminer' ? claim : null;
  }

  /** The actor as Lotus answers it, or null if the upstream has none. */
  private lotusActor(address: string): Promise<LotusActor | null> {
    return this.upstream.answerOf<LotusActor | null>('Filecoin.StateGetActor', [address, this.point.stateKey], 'an actor', isLotusActor, true).catch((error: unknown) => {
      if (isActorNotFound(error)) return null;
      throw error;
    });
  }

  /** The ID an address resolves to at the fork point, or null if no actor has it. */
  private async lookupId(address: FilAddress): Promise<number | null> {
    let id: string;
    try {
      id = await this.upstream.answerOf<string>('Filecoin.StateLookupID', [address.toString(), this.point.stateKey], 'an ID address', isIdAddress);
    } catch (error) {
      if (isActorNotFound(error)) return null;
      throw error;
    }
    return FilAddress.parse(id).id!;
  }

  /** An EVM actor's storage slot at the fork point (eth_getStorageAt at the fork block). */
  async storage(actor: Actor, slot: bigint): Promise<bigint> {
    const word = await this.upstream.call<string>('eth_getStorageAt', [bytesToHex(ethAddressOf(actor)), bytesToHex(padStart(bigintToBytes(slot), 32)), this.block]);
    return BigInt(word === '0x' ? 0 : word);
  }

  /**
   * The hash of the upstream's tipset at `epoch`, below the fork epoch, or for a null round of the one
   * before it: what Lotus's extern gives BLOCKHASH (chain/vm/fvm.go TipsetCid, through
   * stmgr.TipSetGetterForTipset: GetTipsetByHeight with prev = true), as ChainGetTipSetByHeight
   * answers from the fork's tipset (a gateway serves it).
   */
  async tipsetHash(epoch: number): Promise<Uint8Array> {
    const { Cids } = await this.upstream.answerOf<LotusTipset>('Filecoin.ChainGetTipSetByHeight', [epoch, this.point.tipsetKey], 'a tipset', isTipset);
    return tipsetKeyCid(Cids.map((cid) => CID.parse(cid['/']))).multihash.digest;
  }

  /**
   * The upstream's fork-epoch tipset and up to `below` tipsets before it (the ones a walk by Parents
   * meets, genesis the last), newest first, as premium estimates read them: each one's block count
   * and its messages' premiums and gas limits (ChainGetMessagesInTipset: each message once, as Lotus's
   * MessagesForTipset). Found by height from the fork's tipset (ChainGetTipSetByHeight: a null round
   * answers the tipset before it), one batch for the tipsets and one for their messages.
   */
  async tipsetFees(below: number): Promise<TipsetFees[]> {
    const keys: TipsetKeyJson[] = [this.point.tipsetKey];
    let lowest = this.point.epoch;
    for (let height = lowest - 1; keys.length <= below && height >= 0; ) {
      const heights = Array.from({ length: Math.min(below + 1 - keys.length, height + 1) }, (_, i) => height - i);
      const found = await Promise.all(heights.map((h) => this.upstream.answerOf<LotusTipset>('Filecoin.ChainGetTipSetByHeight', [h, this.point.tipsetKey], 'a tipset', isTipset)));
      for (const tipset of found) {
        if (tipset.Height >= lowest) continue;
        lowest = tipset.Height;
        keys.push(tipset.Cids);
      }
      height = heights.at(-1)! - 1;
    }
    const messages = await Promise.all(keys.map((key) => this.upstream.answerOf<LotusMessageFees[] | null>('Filecoin.ChainGetMessagesInTipset', [key], "a tipset's messages", isMessageList, true)));
    return keys.map((key, i) => ({ blocks: key.length, fees: (messages[i] ?? []).map(({ Message }) => ({ premium: BigInt(Message.GasPremium), gasLimit: Message.GasLimit })) }));
  }

  /** The ID the upstream's init actor gives its next new actor. */
  async nextId(): Promise<number> {
    const { State } = await this.upstream.call<{ State: { NextID?: number } }>('Filecoin.StateReadState', ['f01', this.point.stateKey]);
    if (typeof State?.NextID !== 'number') throw new DevnetError('upstream Filecoin.StateReadState of f01 has no NextID');
    return State.NextID;
  }

  /**
   * An account's key address (f1/f3), from its state (read with the actor for a singleton's ID);
   * none for an account without one (f099, burnt funds, names itself by ID).
   */
  private async accountKey(at: string | number): Promise<FilAddress | undefined> {
    const state = typeof at === 'number' ? this.tables.stateJson(at) : this.upstream.call<{ State: unknown }>('Filecoin.StateReadState', [at, this.point.stateKey]).then(({ State }) => State);
    const { Address } = ((await state) ?? {}) as { Address?: string };
    const key = Address ? FilAddress.parse(Address) : undefined;
    return key?.id === undefined ? key : undefined;
  }

  /**
   * A contract's bytecode (eth_getCode), its own nonce for CREATE addresses (the EVM actor's
   * State.Nonce) and the shape of its storage KAMT, which its storage gas depends on
   * (kamt-shape.ts): the blocks from the root ContractState names down (ChainReadObj), read with the
   * contract; read whole, they hold its slots too (takeWholeStorage). An upstream whose State names no root (an fvm-devnet before it did, or its fork's own
   * forked contracts) leaves the shape unknown. `codeRead` is handed the contract before its storage
   * is read: its code is all that eth_getCode answers.
   */
  private async evmState(actor: Actor, early?: ContractReads, codeRead?: (contract: Actor) => void): Promise<Pick<Actor, 'evm' | 'storageShape'>> {
    const [code, read] = early ?? (await this.contractReadsAt(ethAddressOf(actor), `f0${actor.id}`));
    const bytecode = hexToBytes(code);
    const evm: EvmState = {
      bytecode,
      bytecodeHash: keccak256(bytecode),
      nonce: read.State?.Nonce ?? 1,
      storageGeneration: 0,
      ...(read.State?.Tombstone ? { dead: true } : {}),
    };
    codeRead?.({ ...actor, evm });
    const root = read.State?.ContractState?.['/'];
    const rootBlock = typeof root === 'string' ? await this.storageRoot(CID.parse(root)) : undefined;
    const kamt = rootBlock && (await this.storageKamt(rootBlock));
    if (kamt?.slots) this.wholeStorage.set(actor.id, kamt.slots);
    const storageShape = kamt?.shape;
    return {
      evm: rootBlock && typeof root === 'string' ? { ...evm, upstreamStorageRoot: root } : evm,
      ...(storageShape ? { storageShape } : {}),
    };
  }

  /**
   * The nonzero slots of contract `id` at the fork point, when its read (actor) brought its storage
   * KAMT whole; handed out once, for the fork source to hold: undefined after, or when not read whole.
   */
  takeWholeStorage(id: number): Map<bigint, bigint> | undefined {
    const slots = this.wholeStorage.get(id);
    this.wholeStorage.delete(id);
    return slots;
  }

  /** A contract's code (eth_getCode) and State (StateReadState), read together. */
  private contractReadsAt(ethAddress: Uint8Array, address: string): Promise<ContractReads> {
    return Promise.all([
      this.upstream.call<string>('eth_getCode', [bytesToHex(ethAddress), this.block]),
      this.upstream.call<EvmStateJson>('Filecoin.StateReadState', [address, this.point.stateKey]),
    ]);
  }

  /**
   * The reads of evmState for an Ethereum address (f410), made before its actor is known to be a
   * contract; undefined if they fail (an account's or a placeholder's State, no actor at all), when
   * evmState of a contract reads them again.
   */
  private contractReads(address: FilAddress): Promise<ContractReads | undefined> | undefined {
    const eth = address.ethAddress;
    return eth && this.contractReadsAt(eth, address.toString()).catch(() => undefined);
  }

  /**
   * The shape of a contract's storage KAMT from its root block: the nodes below it read a level at
   * a time (one batch each) while the level's blocks keep the total within STORAGE_BLOCKS_READ; the
   * nodes of a level past that stay opaque (priced at a modelled size: kamt-shape.ts). When every
   * node was read, also the slots the KAMT holds (its pairs; any other slot is zero): the values
   * eth_getStorageAt answers at the fork block, so the contract's first call asks for none.
   */
  private async storageKamt(rootBlock: Uint8Array): Promise<{ shape: KamtNode; slots?: Map<bigint, bigint> }> {
    // Each block decoded once; a node's links are the very CIDs its parent's pointers hold.
    const nodes = new Map<CID, KamtBlockNode>();
    const root = decodeKamtNode(rootBlock);
    let level = kamtLinks(root);
    while (level.length > 0 && nodes.size + level.length <= STORAGE_BLOCKS_READ) {
      const read = (await Promise.all(level.map((cid) => this.upstream.readObj(cid, "a node of a contract's storage")))).map(decodeKamtNode);
      level.forEach((cid, i) => nodes.set(cid, read[i]!));
      level = read.flatMap(kamtLinks);
    }
    const shape = shapeOfBlocks(root, (cid) => nodes.get(cid));
    return level.length > 0 ? { shape } : { shape, slots: new Map([root, ...nodes.values()].flatMap(kamtPairs)) };
  }

  /**
   * A contract's storage root block, or undefined when the upstream does not hold it (an fvm-devnet
   * serves a root it built for a StateReadState of its own until it restarts; a fork of a fork reads
   * its upstream's upstream's through the middle one): the shape is then unknown, not a failure.
   */
  private async storageRoot(cid: CID): Promise<Uint8Array | undefined> {
    try {
      return await this.upstream.readObj(cid, "a contract's storage root");
    } catch (error) {
      if (isBlockNotFound(error)) return undefined;
      throw error;
    }
  }

  /**
   * A miner's info, funds and the sector numbers it has used (its AllocatedSectors bitfield, a block
   * of the state: ChainReadObj); its sectors are read one by one (upstream-tables.ts).
   */
  private async minerState(address: string): Promise<MinerState> {
    const [info, read] = await Promise.all([
      this.upstream.call<LotusMinerInfo>('Filecoin.StateMinerInfo', [address, this.point.stateKey]),
      this.upstream.call<{ State: LotusMinerFunds & { AllocatedSectors: { '/': string } } }>('Filecoin.StateReadState', [address, this.point.stateKey]),
    ]);
    const vesting = vestingBlockOf(read.State);
    // One batch: the two blocks the State names.
    const [allocated, vestingBlock] = await Promise.all([
      this.upstream.readObj(CID.parse(read.State.AllocatedSectors['/']), "a miner's AllocatedSectors"),
      vesting === undefined ? undefined : this.upstream.readObj(CID.parse(vesting), "a miner's VestingFunds"),
    ]);
    const vestingFunds = vestingFundsOf(read.State, vestingBlock && decodeCbor(vestingBlock));
    return minerStateFromLotus(info, read.State, decodeBitfield(decodeCbor<Uint8Array>(allocated)), this.point.epoch, vestingFunds);
  }

  /** A multisig's state and its pending transactions (upstream-multisig.ts). */
  private async multisigState(address: string): Promise<MultisigState> {
    const [read, pending] = await Promise.all([
      this.upstream.call<{ State: LotusMultisigState }>('Filecoin.StateReadState', [address, this.point.stateKey]),
      this.upstream.call<LotusMsigTransaction[] | null>('Filecoin.MsigGetPending', [address, this.point.stateKey]),
    ]);
    return multisigStateFromLotus(read.State, pending ?? []);
  }

  /** A payment channel's state and its lanes (upstream-paych.ts). */
  private async paychState(address: string): Promise<PaychState> {
    const read = await this.upstream.call<{ State: LotusPaychState }>('Filecoin.StateReadState', [address, this.point.stateKey]);
    return paychStateFromLotus(read.State, CID.parse(read.State.LaneStates['/']), (cid) => this.upstream.readObj(cid, "a payment channel's LaneStates"));
  }
}
