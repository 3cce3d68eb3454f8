// The storage providers' agents: what Boost and Curio do for each simulated storage provider, driven
// by the chain. After each tipset:
// - deal proposals that client contracts announced (DealProposalCreate) are read back and published by
//   a provider whose ask accepts them, once their data is in the piece store (deal-data.ts: received
//   outside the agents' queue, so no download holds the rest);
// - published deals, and verified allocations made for a provider, are sealed once the seal delay has
//   passed: all that are ready are packed into sectors, pre-committed in one batch message, then
//   prove-committed in one, with the market (or the client contract) notified; a sector that fails
//   its proof does not take its batch-mates down (each is retried alone);
// - active deals are settled (SettleDealPayments) once a day of epochs and when they end;
// - a forked provider's Window PoSt (its sectors are not proven by simulation) is submitted once in
//   each deadline that holds its sectors.
// Direct proposals come in through proposeDeal. The agents run beside the miner in their own queue;
// a failure is logged and never stops mining. A provider's settings (its ask, a refusal of the next
// proposal) change as operations of the miner's queue, between tipsets.
import { FilAddress } from '../../common/address.js';
import { encodeCbor, type CID } from '../../common/cbor.js';
import { encodeBitfield } from '../../common/bitfield.js';
import { DevnetError } from '../../common/errors.js';
import { bytesToHex, equalBytes } from '../../common/hex.js';
import { blsWorkerSecret, deriveStorageProviderKeys } from './keys.js';
import { MARKET_ACTOR_ID, POWER_ACTOR_ID, VERIFREG_ACTOR_ID } from '../../fevm/actor.js';
import { proposalValue, type DealProposal } from '../../fevm/actors/market/deal-proposal.js';
import { beforeFaultCutoff, deadlineIsMutable, declarationsFor, nextDeadlineOccurrence } from '../../fevm/actors/miner/proving.js';
import { deadlineInfo, initialPledgeFor, MAX_PROVE_COMMIT_DURATION, MAX_SECTOR_EXPIRATION_EXTENSION, MIN_SECTOR_EXPIRATION, qaPowerForWeight, WPOST_PROVING_PERIOD } from '../../fevm/actors/miner/policy.js';
import { availableBalance, loadMiner, postSubmissionsAt, windowPoSt } from '../../fevm/actors/miner/state.js';
import { DEAL_MIN_DURATION } from '../../fevm/actors/market/policy.js';
import { CREATE_MINER_DEPOSIT } from '../../fevm/actors/power.js';
import { methodNumber } from '../../fevm/actors/runtime.js';
import { SigType } from '../../fevm/message.js';
import { BLOCK_GAS_LIMIT, DEFAULT_GAS_PREMIUM } from '../../fevm/gas.js';
import { MissingStateError, type StateReader } from '../../fevm/state-tree.js';
import { SerialQueue } from '../../mining/serial-queue.js';
import type { Tipset } from '../../mining/tipset.js';
import { deriveNodeKeys } from '../node-keys.js';
import type { NodeWallet } from '../wallet.js';
import { receiveDealData, type DealDataLocation } from './deal-data.js';
import type { PieceStore } from './piece-store.js';
import { checkRootCidLabel, contractDealRequests, readContractProposal, type ContractCaller, type ContractDealRequest } from './contract-deals.js';
import { minedResult, pushFromNodeKey, sendFromNodeKey, type MessageSender, type SentMessage } from './node-messages.js';
import { askRefusal, defaultAsk, type StorageAsk } from './storage-ask.js';
import { preCommitParams, proveCommitParams, type SectorPiece, type SectorPlan } from './sector-params.js';
import { claimableExpirations, packSectors, type PackableJob } from './sector-packing.js';

/** What a provider keeps available in its miner actor for deposits and pledges at least (a verified 32 GiB sector pledges 10 FIL). */
const MINER_WORKING_FUNDS = 20n * 10n ** 18n;
/** How often each provider settles its active deals, in epochs (a day). */
const SETTLE_INTERVAL = 2880;

// The methods the providers' workers call, by the numbers f1 messages use.
const MARKET = { addBalance: 2, publishStorageDeals: 4, settleDealPayments: methodNumber('SettleDealPayments') };
const MINER = { submitWindowedPoSt: 5, terminateSectors: 9, declareFaults: 10, declareFaultsRecovered: 11, preCommitSectorBatch2: 28, proveCommitSectors3: 34 };
const POWER = { createMiner: 2 };

/** Contract clients authenticate through AuthenticateMessage, so their signature is a placeholder (Boost sends this one). */
const CONTRACT_CLIENT_SIGNATURE = new Uint8Array([SigType.BLS, 0xde, 0xad]);

/** A deal or allocation on its way into a sector. */
interface SealJob {
  /** "deal <id>" or "allocation <id>", as in Provider.taken. */
  name: string;
  piece: SectorPiece;
  readyAt: number;
  /** A deal's start epoch: its sector must be proven by then, or the market refuses to activate it. */
  startEpoch?: number;
  /** A deal's end epoch: its sector must live until then. */
  endEpoch?: number;
  /** A verified piece's allocation term: its claim's lifetime, counted from the prove epoch, must be within it. */
  term?: { min: number; max: number };
  /** It shared a sector whose proof failed: it is retried in a sector of its own. */
  alone?: boolean;
}

/**
 * A job as packing sees it when its sector is pre-committed at `head`: its sector lives at most as
 * long as the miner allows (a pre-commit further out fails its whole batch), and a verified piece's
 * within its claim's term.
 */
function packable(job: SealJob, head: number): SealJob & PackableJob {
  const claim = job.term && claimableExpirations(job.term, head);
  const longest = head + MAX_SECTOR_EXPIRATION_EXTENSION;
  return { ...job, minExpiration: Math.max(job.endEpoch ?? 0, claim?.minExpiration ?? 0), maxExpiration: Math.min(claim?.maxExpiration ?? longest, longest) };
}

/** Sectors pre-committed in one message, waiting to be proven in one. */
interface PreCommittedBatch {
  epoch: number;
  sectors: { plan: SectorPlan; jobs: SealJob[] }[];
}

interface Provider {
  minerId: number;
  worker: FilAddress;
  sectorSize: bigint;
  ask: StorageAsk;
  /** A reason to refuse the next proposal with (devnet_rejectNextProposal). */
  rejectNext?: string;
  /** Work taken on and not yet pre-committed. */
  jobs: SealJob[];
  preCommitted: PreCommittedBatch[];
  lastSettled: number;
  /** The deals ("deal <id>") and allocations ("allocation <id>") already taken on, sealed or given up. */
  taken: Set<string>;
  /** The challenge window (`${period start}/${deadline}`) of the last Window PoSt sent. */
  lastPoSt?: string;
}

/** A publication's claim on escrow: what its deal locks, and its PublishStorageDeals once pushed. */
interface Reservation {
  locks: { id: number | undefined; amount: bigint }[];
  cid?: CID;
  /** The provider's collateral addition it pushed, escrow to count until it is on chain (review R11). */
  incoming?: { cid: CID; id: number; amount: bigint };
}

/** What a deal locks of its client's escrow: its collateral and its whole price (builtin-actors ClientBalanceRequirement). */
const clientLock = (proposal: DealProposal): bigint => proposal.clientCollateral + proposal.storagePricePerEpoch * BigInt(proposal.endEpoch - proposal.startEpoch);

/** An error's message on one line (actor backtraces span several). */
const oneLine = (error: unknown): string => (error as Error).message.replace(/\s*\n\s*/g, ' ');

/** Where the agents report what they do: a line and whether it is news or a problem. */
type AgentLog = (level: 'info' | 'warn', line: string) => void;

export interface DirectDeal {
  pieceCid: CID;
  pieceSize: number;
  /** Absent: the node's own deal client (a funded f1 whose key it holds). */
  client?: FilAddress;
  /** The miner's actor ID; absent: the first provider whose ask accepts the deal. */
  provider?: number;
  label?: string;
  startEpoch?: number;
  endEpoch?: number;
  storagePricePerEpoch?: bigint;
  providerCollateral?: bigint;
  clientCollateral?: bigint;
  verifiedDeal?: boolean;
  /** The client's signature (type byte first) over the CBOR proposal; absent: the node signs with the client's key, if it holds it. */
  clientSignature?: Uint8Array;
}

interface PublishedDeal {
  dealId: number;
  provider: number;
  message: CID;
}

/**
 * What the agents need from the node, as a client would use it: the head and the state at a tipset,
 * the miners, calls, the keys the node holds, pushing from them and waiting for a message, funding a
 * new owner, the chain's tipsets and rewinds, and a change run between tipsets.
 */
export interface AgentNode extends MessageSender, ContractCaller {
  readonly head: Tipset;
  /** The chain as it is now: which tipset is at an epoch (a rewind replaces them). */
  readonly chain: MessageSender['chain'] & { atEpoch(epoch: number): Tipset | undefined };
  readonly wallet: Pick<NodeWallet, 'has' | 'import' | 'sign'>;
  readonly cheats: { fundNative(address: FilAddress, balance: bigint): Promise<void> };
  readonly events: {
    on(event: 'tipset', listener: (tipset: Tipset) => void): unknown;
    on(event: 'rewound', listener: () => void): unknown;
  };
  stateAt(epoch: number): StateReader;
  /** On a fork, fetches the upstream state a read missed (MissingStateError), so the work can run again; false for any other error. */
  fetchMissing(error: unknown): Promise<boolean>;
  /** Runs a read of the state until it has read nothing a fork has not fetched (Devnet.untilFetched). */
  untilFetched<T>(read: () => T): Promise<T>;
  /** The IDs of the miners with a power claim after `epoch` (Devnet.claimedMinerIdsAt). */
  claimedMinerIdsAt(epoch: number): number[];
  /** Whether the node can send from `address`: it holds the key, or the account is impersonated (a forked provider's worker). */
  canSendFrom(address: FilAddress): boolean;
  /** Runs a change as one operation of the miner's queue: between tipsets, in the order asked. */
  betweenTipsets<T>(change: () => T): Promise<T>;
  /** The fee cap the node fills in for a message it sends with this premium. */
  defaultFeeCap(gasPremium: bigint): bigint;
  /** The providers' pieces (/piece): a contract deal's data is received into it. */
  readonly pieces: PieceStore;
}

interface AgentOptions {
  /** Epochs between a deal's publication and its sector's pre-commit. */
  sealDelay: number;
  /** The node's mnemonic: new providers' keys and the default deal client derive from it. */
  mnemonic: string;
  /** What a new provider's owner is funded with. */
  ownerBalance: bigint;
  /** A new provider's sector size, unless devnet_addStorageProvider names one (--sector-size). */
  sectorSize: bigint;
  /** How long a contract deal's data may take to download, ms; 0: no limit (--request-timeout). */
  dataTimeoutMs: number;
  log: AgentLog;
}

/** What the node offers of the agents: direct deals, new providers, sector changes and settings, and waiting for them to be done. */
export type StorageProviderOperations = Omit<StorageProviderAgents, 'start'>;

export class StorageProviderAgents {
  private readonly queue = new SerialQueue();
  /**
   * Publications' escrow checks, one at a time: each reads the free escrow of its client and provider
   * less what publications under way will lock (`reservations`), reserves what its deal locks and adds
   * what it needs on top; it pushes its publication and waits for the chain out of the queue. Two
   * counting the same free escrow would both publish, and the second mined would fail (exit 16, its
   * deal over the balance): Boost's fund manager and Lotus's client reserve each deal's share likewise.
   */
  private readonly publishing = new SerialQueue();
  /**
   * What each publication under way will lock (by actor ID of the client and the provider), kept until
   * it is mined or fails; counted until its message is on chain, where the market's locked table holds
   * it from then on (review R6: counted twice, it was paid twice).
   */
  private readonly reservations = new Set<Reservation>();
  private readonly providers = new Map<number, Provider>();
  private roundRobin = 0;
  /** Tipsets queued and not yet handled. */
  private waiting = 0;
  /** Aborted when the node closes: ends the downloads of contract deals' data, and nothing is published after. */
  private readonly closing = new AbortController();

  constructor(
    private readonly node: AgentNode,
    private readonly options: AgentOptions,
  ) {}

  /** Starts following the chain. */
  start(): void {
    // Work taken on from a chain that was rewound may be gone or different: read it again from the state.
    this.node.events.on('rewound', () => {
      for (const provider of this.providers.values()) {
        provider.jobs = [];
        provider.preCommitted = [];
        provider.taken.clear();
        provider.lastSettled = this.node.head.epoch;
        provider.lastPoSt = undefined;
      }
    });
    this.node.events.on('tipset', (tipset) => {
      this.waiting++;
      void this.queue
        .run(() => this.onTipset(tipset))
        .catch((error) => this.options.log('warn', `storage provider agent: ${oneLine(error)}`))
        .finally(() => this.waiting--);
    });
  }

  /** Stops the agents' work that outlives a tipset: a contract deal's download ends now and its deal is not published (Devnet.close). */
  close(): void {
    this.closing.abort(new DevnetError('the node closed'));
  }

  /** Resolves once the agents have nothing left to do: every tipset handled, including those their own messages made. */
  async settled(): Promise<void> {
    while (this.waiting > 0) await this.queue.run(async () => undefined);
  }

  /** A provider's ask (devnet_getStorageAsk). */
  ask(minerId: number): StorageAsk {
    return this.provider(minerId).ask;
  }

  /** Changes a provider's ask (devnet_setStorageAsk); resolves with the new one. */
  setAsk(minerId: number, change: (current: StorageAsk) => StorageAsk): Promise<StorageAsk> {
    return this.node.betweenTipsets(() => {
      const provider = this.provider(minerId);
      provider.ask = change(provider.ask);
      return provider.ask;
    });
  }

  /** Has a provider refuse the next proposal it gets, with `reason` (devnet_rejectNextProposal). */
  rejectNextProposal(minerId: number, reason: string): Promise<void> {
    return this.node.betweenTipsets(() => {
      this.provider(minerId).rejectNext = reason;
    });
  }

  private provider(minerId: number): Provider {
    const known = this.providers.get(minerId);
    if (known) return known;
    const state = this.node.stateAt(this.node.head.epoch);
    const miner = state.getActor(minerId)?.miner;
    const worker = miner && state.getActor(miner.worker)?.robust;
    if (!miner || !worker || !this.node.canSendFrom(worker)) {
      throw new DevnetError(`t0${minerId} is not a storage provider the devnet runs (the node holds no key of its worker, nor impersonates it)`);
    }
    const provider: Provider = {
      minerId,
      worker,
      sectorSize: miner.sectorSize,
      ask: defaultAsk(miner.sectorSize),
      jobs: [],
      preCommitted: [],
      lastSettled: this.node.head.epoch,
      taken: new Set(),
    };
    this.providers.set(minerId, provider);
    return provider;
  }

  /**
   * The storage providers the devnet runs: miners whose worker key it holds, and those it has taken
   * on (a forked provider whose worker is impersonated) for as long as it can still send for them.
   */
  private async all(): Promise<Provider[]> {
    // IDs, not the miner actors: reading a field of actors of many V8 shapes made this function, run
    // at every tipset, deoptimize and be compiled again (the provider reads each miner's actor below).
    const ids = new Set([...this.node.claimedMinerIdsAt(this.node.head.epoch), ...this.providers.keys()]);
    const providers: Provider[] = [];
    for (const id of ids) {
      let provider: Provider | undefined;
      try {
        // Read directly (this runs at every tipset): only state a fork has not fetched needs untilFetched.
        provider = this.runnable(id);
      } catch (error) {
        // On a fork, a forked miner's worker is fetched first (its key address tells whether it is impersonated).
        provider = error instanceof MissingStateError ? await this.node.untilFetched(() => this.runnable(id)).catch(() => undefined) : undefined;
      }
      if (provider) providers.push(provider);
    }
    return providers;
  }

  /**
   * The provider's worker as the miner has it now, read before each message: a worker change lands by
   * the miner's cron (fidaudit6 D2) or ConfirmChangeWorkerAddress, after which the old worker may no
   * longer act. A new worker the node cannot send from ends the agent's work for it (runnable).
   */
  private worker(provider: Provider): FilAddress {
    const state = this.node.stateAt(this.node.head.epoch);
    const id = state.getActor(provider.minerId)?.miner?.worker;
    const robust = id === undefined ? undefined : state.getActor(id)?.robust;
    if (robust && !robust.equals(provider.worker)) provider.worker = robust;
    return provider.worker;
  }

  /** The provider of miner `id` if the node can send for it (throws if it is not a provider the devnet runs). */
  private runnable(id: number): Provider | undefined {
    const known = this.provider(id);
    return this.node.canSendFrom(known.worker) ? known : undefined;
  }

  /**
   * Adds a storage provider (devnet_addStorageProvider): the next owner/worker key of the provider
   * derivation path, funded like a dev account, creates its miner through the power actor's
   * CreateMiner, sent with the creation deposit. The new miner has no sectors (hence no power) until it seals deals. The owner also
   * gets what CreateMiner's gas can cost at most at the fee cap the node fills in, so that no base fee
   * (anvil_setNextBlockBaseFeePerGas) or minimum fee cap (anvil_setMinGasPrice) leaves it funded but refused.
   */
  async addProvider(sectorSize = this.options.sectorSize): Promise<{ minerId: number; owner: FilAddress }> {
    // The first key of the path no actor has (on a fork, the upstream's actors count).
    const key = await this.node.untilFetched(() => {
      const state = this.node.stateAt(this.node.head.epoch);
      let keys = deriveStorageProviderKeys(this.options.mnemonic, 1);
      while (state.lookupId(keys[keys.length - 1]!.address) !== undefined) keys = deriveStorageProviderKeys(this.options.mnemonic, keys.length + 1);
      return keys[keys.length - 1]!;
    });
    await this.node.wallet.import('secp256k1', key.privateKey);
    // The worker a BLS account (builtin-actors resolve_worker_address), funded as the owner: it pays the provider's messages.
    const worker = await this.node.wallet.import('bls', blsWorkerSecret(key));
    const maxGasFee = BigInt(BLOCK_GAS_LIMIT) * this.node.defaultFeeCap(DEFAULT_GAS_PREMIUM);
    await this.node.cheats.fundNative(key.address, this.options.ownerBalance + maxGasFee + CREATE_MINER_DEPOSIT);
    await this.node.cheats.fundNative(worker, this.options.ownerBalance);
    const params = [key.address.bytes, worker.bytes, windowPoSt(sectorSize).proofType, key.peerId, []];
    // With the creation deposit the new miner locks (FIP-0077), as lotus-shed miner create sends StateMinerCreationDeposit's figure.
    const create = { from: key.address, to: POWER_ACTOR_ID, method: POWER.createMiner, params, value: CREATE_MINER_DEPOSIT, mine: true };
    const { returnValue } = await sendFromNodeKey(this.node, create);
    const [idAddress] = returnValue as [Uint8Array];
    const minerId = FilAddress.fromBytes(idAddress).id!;
    this.options.log('info', `storage provider t0${minerId} added (owner ${key.address.toString('t')})`);
    return { minerId, owner: key.address };
  }

  /**
   * Publishes a deal proposed directly (devnet_proposeDeal); sealing follows on later tipsets. Like
   * the other cheat-code actions, it does not wait behind the agents' work (only behind the pushes of
   * other publications), and mines its own messages when mining is not instant.
   */
  async proposeDeal(deal: DirectDeal): Promise<PublishedDeal> {
    const head = this.node.head.epoch;
    // On a fork, a forked provider's miner and worker are fetched first.
    const named = deal.provider;
    const provider = named !== undefined ? await this.node.untilFetched(() => this.provider(named)) : undefined;
    const startEpoch = deal.startEpoch ?? head + Math.max(100, this.options.sealDelay + 20);
    const proposal: DealProposal = {
      pieceCid: deal.pieceCid,
      pieceSize: deal.pieceSize,
      verifiedDeal: deal.verifiedDeal ?? false,
      client: deal.client ?? deriveNodeKeys(this.options.mnemonic).dealClient.address,
      provider: FilAddress.fromId(provider?.minerId ?? 0),
      label: deal.label ?? deal.pieceCid.toString(),
      startEpoch,
      endEpoch: deal.endEpoch ?? startEpoch + DEAL_MIN_DURATION,
      storagePricePerEpoch: deal.storagePricePerEpoch ?? 0n,
      providerCollateral: deal.providerCollateral ?? 0n,
      clientCollateral: deal.clientCollateral ?? 0n,
    };
    const chosen = provider ?? (await this.pick(proposal));
    if (!chosen) {
      // Each provider's reason: a verified piece (1 MiB at least) cannot fit 2 KiB sectors, for one.
      const reasons = (await this.all()).map((p) => `t0${p.minerId}: ${askRefusal(p.ask, proposal)}`);
      throw new DevnetError(`no storage provider accepts this deal (see devnet_setStorageAsk): ${reasons.join('; ') || 'there is none'}`);
    }
    const refusal = this.refusal(chosen, proposal);
    if (refusal) throw new DevnetError(`t0${chosen.minerId} refused the deal: ${refusal}`);
    const withProvider = { ...proposal, provider: FilAddress.fromId(chosen.minerId) };
    const { clientSignature } = deal;
    return this.publish(chosen, withProvider, async () => clientSignature ?? (await this.clientSignature(withProvider)), { mine: true });
  }

  /**
   * Has a provider declare sectors faulty, recovered, or terminated (their deals are slashed), as its
   * worker would: when builtin-actors accepts it, past the deadlines' fault cut-off or while they are
   * being proven (Lotus's window PoSt scheduler and terminate batcher wait too), the node mines empty
   * tipsets until it does (at most 130 epochs); resolves with the message's CID once it is mined.
   */
  async changeSectors(minerId: number, change: 'fault' | 'recover' | 'terminate', sectors: readonly number[]): Promise<CID> {
    // On a fork, the miner's sectors and proving state (their deadlines and partitions) are fetched first.
    const { provider, params, acceptedFrom } = await this.node.untilFetched(() => {
      const miner = loadMiner(this.node.stateAt(this.node.head.epoch).getActor(minerId)!.miner!);
      const missing = sectors.filter((n) => !miner.sectors.has(n));
      if (missing.length) throw new DevnetError(`t0${minerId} has no sector ${missing.join(', ')}`);
      const deadlines = [...new Set(sectors.map((n) => miner.sectors.get(n)!.deadline))];
      const acceptedFrom = firstAcceptedEpoch(miner.provingPeriodOffset, deadlines, change, this.node.head.epoch + 1);
      if (acceptedFrom === undefined) {
        throw new DevnetError(`the sectors' deadlines ${deadlines.join(', ')} are never all open to ${change === 'terminate' ? 'termination' : 'declarations'} at once (builtin-actors refuses the current and next deadline's): change them in separate calls`);
      }
      return { provider: this.provider(minerId), params: declarationsFor(miner, sectors), acceptedFrom };
    });
    while (this.node.head.epoch + 1 < acceptedFrom) await this.node.mine();
    const method = { fault: MINER.declareFaults, recover: MINER.declareFaultsRecovered, terminate: MINER.terminateSectors }[change];
    const { cid } = await sendFromNodeKey(this.node, { from: this.worker(provider), to: minerId, method, params, mine: true });
    return cid;
  }

  private async onTipset(tipset: Tipset): Promise<void> {
    const state = this.node.stateAt(tipset.epoch);
    for (const request of contractDealRequests(tipset, state)) {
      try {
        const { proposal, locationRef, carSize } = await readContractProposal(this.node, request, tipset.epoch);
        checkRootCidLabel(proposal.label);
        const provider = await this.pick(proposal);
        if (!provider) {
          this.options.log('warn', `no storage provider accepts the deal proposed by 0x${Buffer.from(request.contract).toString('hex')}`);
          continue;
        }
        const refusal = this.refusal(provider, proposal);
        if (refusal) {
          this.options.log('warn', `storage provider t0${provider.minerId} refused a contract deal: ${refusal}`);
          continue;
        }
        this.receiveThenPublish(provider, tipset, request, { ...proposal, provider: FilAddress.fromId(provider.minerId) }, { locationRef, carSize });
      } catch (error) {
        this.options.log('warn', `the deal proposal ${bytesToHex(request.id)} of contract ${bytesToHex(request.contract)} failed: ${oneLine(error)}`);
      }
    }
    for (const provider of await this.all()) {
      await this.step(provider, 'taking work', async () => this.takeWork(provider));
      // Most tipsets find a provider with nothing to seal or prove.
      if (provider.jobs.length > 0 || provider.preCommitted.length > 0) await this.step(provider, 'sealing', () => this.seal(provider));
      await this.step(provider, 'settlement', () => this.settle(provider));
      await this.step(provider, 'Window PoSt', () => this.proveDeadline(provider));
    }
  }

  /**
   * Publishes a contract's deal once its data is there (deal-data.ts: fetched from location_ref, or
   * uploaded), as Boost does. The data is received outside the agents' queue, as Boost transfers each
   * deal in a goroutine of its own (storagemarket/provider_loop.go startDealThread): sealing, proving,
   * other proposals and anvil_mine (which waits for the agents) do not wait for a download
   * (review2 Q5). The publication then runs in the queue, counted by settled(). The node's close
   * ends the download and publishes nothing; a proposal whose tipset left the chain meanwhile
   * (evm_revert, anvil_reset, anvil_loadState) is dropped: it is no longer a proposal the chain
   * holds. That is the devnet's rule (a snapshot undoes what followed it): Boost does not look again,
   * its publication's simulation fails unless the contract still vouches for it (audit18 K4, review R2).
   */
  private receiveThenPublish(provider: Provider, proposedIn: Tipset, request: ContractDealRequest, proposal: DealProposal, location: DealDataLocation): void {
    const sp = `storage provider t0${provider.minerId}`;
    const name = `the deal proposal ${bytesToHex(request.id)} of contract ${bytesToHex(request.contract)}`;
    const closing = this.closing.signal;
    void receiveDealData(this.node.pieces, proposal, location, this.options.dataTimeoutMs, closing)
      .then(async (missing) => {
        this.waiting++;
        try {
          await this.queue.run(async () => {
            if (closing.aborted) return;
            const now = this.node.chain.atEpoch(proposedIn.epoch);
            if (!now || !equalBytes(now.hash, proposedIn.hash)) {
              return this.options.log('warn', `${sp} dropped ${name}: the tipset that proposed it (epoch ${proposedIn.epoch}) left the chain while its data was received`);
            }
            if (missing) return this.options.log('warn', `${sp} refused ${name}: ${missing}`);
            await this.publish(provider, proposal, async () => CONTRACT_CLIENT_SIGNATURE);
          });
        } finally {
          this.waiting--;
        }
      })
      // A download the node's close cut short is no failure to report.
      .catch((error) => {
        if (!closing.aborted) this.options.log('warn', `${name} failed: ${oneLine(error)}`);
      });
  }

  /**
   * Runs one part of a provider's work; a failure is logged and the rest goes on. On a fork, upstream
   * state the work read before fetching it is fetched and the work runs again (each part reads
   * before it sends).
   */
  private async step(provider: Provider, what: string, work: () => Promise<void>): Promise<void> {
    for (;;) {
      try {
        await work();
      } catch (error) {
        if (await this.node.fetchMissing(error)) continue;
        this.options.log('warn', `storage provider t0${provider.minerId} ${what} failed: ${oneLine(error)}`);
      }
      return;
    }
  }

  /** The next provider, round robin, whose ask accepts the proposal. */
  private async pick(proposal: DealProposal): Promise<Provider | undefined> {
    const providers = await this.all();
    for (let i = 0; i < providers.length; i++) {
      const provider = providers[(this.roundRobin + i) % providers.length];
      if (!askRefusal(provider.ask, proposal)) {
        this.roundRobin = (this.roundRobin + i + 1) % providers.length;
        return provider;
      }
    }
    return undefined;
  }

  /** Why the provider refuses this proposal, if it does; a pending devnet_rejectNextProposal is used up here. */
  private refusal(provider: Provider, proposal: DealProposal): string | undefined {
    if (provider.rejectNext !== undefined) {
      const reason = provider.rejectNext;
      provider.rejectNext = undefined;
      return reason;
    }
    return askRefusal(provider.ask, proposal);
  }

  /** The node's signature of the proposal with the client's key (type byte first). */
  private async clientSignature(proposal: DealProposal): Promise<Uint8Array> {
    if (proposal.client.ethAddress) return CONTRACT_CLIENT_SIGNATURE;
    if (!this.node.wallet.has(proposal.client)) {
      throw new DevnetError(`the node holds no key for ${proposal.client.toString()}: import it (Filecoin.WalletImport) or pass clientSignature`);
    }
    const signature = this.node.wallet.sign(proposal.client, encodeCbor(proposalValue(proposal, proposal.client, proposal.provider)));
    await this.topUpClientEscrow(proposal);
    return Uint8Array.from([signature.type, ...signature.data]);
  }

  /**
   * A client whose key the node holds gets the escrow its deal locks, as `lotus client deal` reserves
   * it; the addition is mined before the publication is pushed (another sender's, which its estimate
   * would not see pending), by the cheat code itself.
   */
  private async topUpClientEscrow(proposal: DealProposal): Promise<void> {
    const shortfall = clientLock(proposal) - (await this.unreservedEscrow(proposal.client));
    if (shortfall > 0n) await sendFromNodeKey(this.node, { from: proposal.client, to: MARKET_ACTOR_ID, method: MARKET.addBalance, params: proposal.client.bytes, value: shortfall, mine: true });
  }

  /**
   * Publishes a deal: in the publishing queue, the client's signature (`sign`, which may top up its
   * escrow), what the deal locks reserved, and the provider's collateral pushed if its escrow falls
   * short; then that addition mined first (the publication's estimate would not count a pending
   * message of its sender's first nonce: Lotus's priorMsgs stop at the message's own nonce, 0 before
   * it is filled in), PublishStorageDeals pushed and mined: out of the queue for a contract's deal,
   * which waits for whoever mines; in it with `mine` (a cheat code's), which mines its own messages.
   */
  private async publish(provider: Provider, proposal: DealProposal, sign: () => Promise<Uint8Array>, options: { mine?: boolean } = {}): Promise<PublishedDeal> {
    const providerAddress = FilAddress.fromId(provider.minerId);
    const reservation: Reservation = { locks: [] };
    try {
      let sent: SentMessage | undefined;
      const publishing = async (signature: Uint8Array, worker: FilAddress, topUp: CID | undefined) => {
        if (topUp) await minedResult(this.node, topUp, options.mine);
        const params = [[[proposalValue(proposal, proposal.client, proposal.provider), signature]]];
        reservation.cid = await pushFromNodeKey(this.node, { from: worker, to: MARKET_ACTOR_ID, method: MARKET.publishStorageDeals, params });
        return minedResult(this.node, reservation.cid, options.mine);
      };
      const turn = await this.publishing.run(async () => {
        const signature = await sign();
        const worker = this.worker(provider);
        const collateralShortfall = proposal.providerCollateral - (await this.unreservedEscrow(providerAddress));
        reservation.locks = await this.node.untilFetched(() => [
          { id: this.escrowId(proposal.client), amount: clientLock(proposal) },
          { id: provider.minerId, amount: proposal.providerCollateral },
        ]);
        this.reservations.add(reservation);
        const topUp = collateralShortfall > 0n ? await pushFromNodeKey(this.node, { from: worker, to: MARKET_ACTOR_ID, method: MARKET.addBalance, params: providerAddress.bytes, value: collateralShortfall }) : undefined;
        if (topUp) reservation.incoming = { cid: topUp, id: provider.minerId, amount: collateralShortfall };
        // A cheat code mines its messages, so it publishes in its turn: the next proposal's estimate then
        // sees this one on chain, and a client's own escrow that pays for one refuses the other with the
        // market's reason rather than a failed message.
        if (options.mine) sent = await publishing(signature, worker, topUp);
        return { signature, worker, topUp };
      });
      sent ??= await publishing(turn.signature, turn.worker, turn.topUp);
      const [ids] = sent.returnValue as [number[]];
      const dealId = ids[0];
      this.options.log('info', `storage provider t0${provider.minerId} published deal ${dealId} (${proposal.pieceCid.toString()})`);
      return { dealId, provider: provider.minerId, message: sent.cid };
    } finally {
      this.reservations.delete(reservation);
    }
  }

  /** An address's free escrow in the market at the head, plus additions pushed and not yet mined, less what publications under way will lock. */
  private unreservedEscrow(address: FilAddress): Promise<bigint> {
    return this.node.untilFetched(() => {
      const id = this.escrowId(address);
      if (id === undefined) return 0n;
      let reserved = 0n;
      for (const { cid, locks, incoming } of this.reservations) {
        if (incoming?.id === id && !this.node.chain.messageByCid(incoming.cid)) reserved -= incoming.amount;
        if (cid && this.node.chain.messageByCid(cid)) continue;
        for (const lock of locks) if (lock.id === id) reserved += lock.amount;
      }
      return this.freeEscrow(id) - reserved;
    });
  }

  /**
   * New work from the chain: this provider's published deals not yet in a sector, and verified
   * allocations made for it directly (direct data onboarding). Reading it from the state, not from
   * what the agent did, keeps the agent right across restarts, snapshots and reverts.
   */
  private takeWork(provider: Provider): void {
    const head = this.node.head.epoch;
    const state = this.node.stateAt(head);
    const market = state.getActor(MARKET_ACTOR_ID)?.market;
    const verifreg = state.getActor(VERIFREG_ACTOR_ID)?.verifreg;
    const readyAt = head + this.options.sealDelay;
    for (const [dealId, deal] of market?.proposals ?? []) {
      if (deal.provider !== provider.minerId || market!.states.has(dealId) || provider.taken.has(`deal ${dealId}`)) continue;
      provider.taken.add(`deal ${dealId}`);
      if (deal.startEpoch <= head) {
        // Published and never sealed in time (the chain outran the agent, or the deal came from a fork's upstream): said once.
        this.options.log('warn', `storage provider t0${provider.minerId} cannot seal deal ${dealId}: its start epoch ${deal.startEpoch} has passed (head ${head}); the market will time it out`);
        continue;
      }
      const allocationId = market!.pendingDealAllocationIds.get(dealId);
      if (allocationId) provider.taken.add(`allocation ${allocationId}`);
      // A verified deal's allocation bounds its sector's life as a direct allocation's does (the market asks for its term plus a buffer).
      const pending = allocationId ? verifreg?.allocations.get(deal.client)?.get(allocationId) : undefined;
      const notify = [{ address: FilAddress.fromId(MARKET_ACTOR_ID), payload: encodeCbor(dealId) }];
      const allocation: [number, number] | undefined = allocationId ? [deal.client, allocationId] : undefined;
      const piece = { cid: deal.pieceCid, size: deal.pieceSize, allocation, notify };
      const term = pending && { min: pending.termMin, max: pending.termMax };
      // A sector pre-committed before end − term max would outlive the claim's term: a verified deal starting far ahead waits until then.
      const sealFrom = term ? Math.max(readyAt, deal.endEpoch - term.max) : readyAt;
      provider.jobs.push({ name: `deal ${dealId}`, piece, readyAt: sealFrom, startEpoch: deal.startEpoch, endEpoch: deal.endEpoch, term });
    }
    for (const [client, allocations] of verifreg?.allocations ?? []) {
      for (const [id, allocation] of allocations) {
        if (allocation.provider !== provider.minerId || provider.taken.has(`allocation ${id}`)) continue;
        // A client contract hears that its data is in a sector (FIP-0109); an account would ignore it.
        const notify = state.getActor(client)?.kind === 'evm' ? [{ address: FilAddress.fromId(client), payload: new Uint8Array() }] : [];
        provider.taken.add(`allocation ${id}`);
        const piece = { cid: allocation.data, size: allocation.size, allocation: [client, id] as [number, number], notify };
        provider.jobs.push({ name: `allocation ${id}`, piece, term: { min: allocation.termMin, max: allocation.termMax }, readyAt });
      }
    }
  }

  /**
   * Pre-commits, in one batch, the jobs that are ready, and prove-commits, one message per batch,
   * the sectors whose pre-commit is on chain (on an instant chain, the batch just sent). Work whose
   * pre-commit fails is given up (and logged), not retried at every tipset; a failed proof is retried
   * sector by sector, then piece by piece (see prove).
   */
  private async seal(provider: Provider): Promise<void> {
    // Pieces put back from a sector that failed its proof are sealed again at once, each alone (so this ends).
    do await this.preCommitReady(provider);
    while (await this.proveCommitted(provider));
  }

  private async preCommitReady(provider: Provider): Promise<void> {
    const head = this.node.head.epoch;
    // Funding, the pre-commit and its proof each take an epoch of an instant chain: a deal starting before then cannot be activated.
    const late = provider.jobs.filter((job) => job.readyAt <= head && job.startEpoch !== undefined && job.startEpoch < head + 3);
    for (const job of late) this.giveUp(provider, job, `its start epoch ${job.startEpoch} comes before its sector can be proven (head ${head})`);
    const ready = provider.jobs.filter((job) => job.readyAt <= head).map((job) => packable(job, head));
    if (ready.length === 0) return;
    // The miner checks the lifetime from the latest activation a pre-commit allows; a day of margin on top.
    const { sectors, unsealable } = packSectors(ready, provider.sectorSize, head + MAX_PROVE_COMMIT_DURATION + MIN_SECTOR_EXPIRATION + 2880);
    for (const { job, reason } of unsealable) this.giveUp(provider, job, reason);
    if (sectors.length === 0) return;
    const numbers = this.nextSectorNumbers(provider, sectors.length);
    const batch = sectors.map(({ jobs, expiration }, i) => ({ plan: { sectorNumber: numbers[i]!, sectorSize: provider.sectorSize, expiration, pieces: jobs.map((j) => j.piece) }, jobs }));
    // Jobs not packed (beyond the batch's sectors) stay for the next batch.
    const sent = sectors.flatMap((s) => s.jobs);
    const names = new Set(sent.map((job) => job.name));
    provider.jobs = provider.jobs.filter((job) => !names.has(job.name));
    try {
      await this.fundMiner(provider, batch.map((s) => s.plan));
      const params = preCommitParams(provider.minerId, batch.map((s) => s.plan), head + 1);
      const { epoch } = await sendFromNodeKey(this.node, { from: this.worker(provider), to: provider.minerId, method: MINER.preCommitSectorBatch2, params });
      provider.preCommitted.push({ epoch, sectors: batch });
    } catch (error) {
      // State a fork had not fetched yet is no reason to give up: the jobs run again once it is.
      if (error instanceof MissingStateError) {
        provider.jobs.push(...sent);
        throw error;
      }
      this.cannotSeal(provider, sent, `pre-committing sectors ${numbers.join(', ')} failed: ${oneLine(error)}`);
    }
  }

  /** Proves the batches whose pre-commit is on chain; true if pieces of a failed sector were put back to be sealed again. */
  private async proveCommitted(provider: Provider): Promise<boolean> {
    // The proof may land from the epoch after the pre-commit on (the devnet's challenge delay is 0).
    const epoch = this.node.head.epoch + 1;
    let putBack = false;
    for (const batch of provider.preCommitted.filter((b) => b.epoch < epoch)) {
      provider.preCommitted.splice(provider.preCommitted.indexOf(batch), 1);
      // A sector holding a deal whose start has passed meanwhile (a chain not mined instantly) would fail the whole message: it is left unproven.
      const late = batch.sectors.filter((s) => s.jobs.some((job) => job.startEpoch !== undefined && job.startEpoch < epoch));
      for (const s of late) this.cannotSeal(provider, s.jobs, `a deal of sector ${s.plan.sectorNumber} started before the sector could be proven`);
      const sectors = batch.sectors.filter((s) => !late.includes(s));
      if (sectors.length > 0 && (await this.prove(provider, { ...batch, sectors }))) putBack = true;
    }
    return putBack;
  }

  /**
   * Proves a batch's sectors in one message. One sector that cannot be proven fails the whole
   * message: as a provider does then, the agent proves each sector alone; the pieces of a sector that
   * fails alone are put back to be sealed again, each in a new sector of its own (the failed sector's
   * pre-commit is left to expire), and a piece that fails alone is given up. True if pieces were put back.
   */
  private async prove(provider: Provider, batch: PreCommittedBatch): Promise<boolean> {
    const sp = `storage provider t0${provider.minerId}`;
    let putBack = false;
    const pending = [batch];
    for (let next = pending.shift(); next; next = pending.shift()) {
      const numbers = next.sectors.map((s) => s.plan.sectorNumber).join(', ');
      try {
        await sendFromNodeKey(this.node, { from: this.worker(provider), to: provider.minerId, method: MINER.proveCommitSectors3, params: proveCommitParams(next.sectors.map((s) => s.plan)) });
      } catch (error) {
        // State a fork had not fetched yet is no reason to give up: the proofs run again once it is.
        if (error instanceof MissingStateError) {
          provider.preCommitted.push(next, ...pending);
          throw error;
        }
        const [only] = next.sectors;
        if (next.sectors.length > 1) {
          this.options.log('warn', `${sp} could not prove sectors ${numbers} in one message (${oneLine(error)}): proving each alone`);
          pending.unshift(...next.sectors.map((sector) => ({ ...next!, sectors: [sector] })));
        } else if (only!.jobs.length > 1) {
          this.options.log('warn', `${sp} could not prove sector ${numbers} (${oneLine(error)}): sealing ${only!.jobs.map((j) => j.name).join(', ')} again, each in a sector of its own`);
          provider.jobs.push(...only!.jobs.map((job) => ({ ...job, readyAt: this.node.head.epoch, alone: true })));
          putBack = true;
        } else {
          this.cannotSeal(provider, only!.jobs, `sector ${numbers} could not be proven: ${oneLine(error)}`);
        }
        continue;
      }
      for (const { plan, jobs } of next.sectors) this.options.log('info', `${sp} sealed sector ${plan.sectorNumber} (${jobs.map((j) => j.name).join(', ')})`);
    }
    return putBack;
  }

  /** Says once, in one line, that the provider cannot seal these jobs and why. */
  private cannotSeal(provider: Provider, jobs: readonly SealJob[], reason: string): void {
    this.options.log('warn', `storage provider t0${provider.minerId} cannot seal ${jobs.map((j) => j.name).join(', ')}: ${reason}`);
  }

  /** Drops a job the provider cannot seal, saying why once. */
  private giveUp(provider: Provider, job: SealJob, reason: string): void {
    provider.jobs = provider.jobs.filter((j) => j.name !== job.name);
    this.cannotSeal(provider, [job], reason);
  }

  /**
   * Sends the miner actor, from its worker as an operator would, what a batch of sectors will lock:
   * each sector's pledge (at least its pre-commit deposit), by the share of it verified pieces fill
   * (they live as long as the sector, so that share is the sector's verified weight).
   */
  private async fundMiner(provider: Provider, plans: readonly SectorPlan[]): Promise<void> {
    const actor = this.node.stateAt(this.node.head.epoch).getActor(provider.minerId)!;
    const pledge = (plan: SectorPlan) => {
      const verified = plan.pieces.reduce((sum, piece) => (piece.allocation ? sum + BigInt(piece.size) : sum), 0n);
      return initialPledgeFor(qaPowerForWeight(plan.sectorSize, 1, 0n, verified));
    };
    const needed = plans.reduce((sum, plan) => sum + pledge(plan), 0n);
    const shortfall = (needed > MINER_WORKING_FUNDS ? needed : MINER_WORKING_FUNDS) - availableBalance(actor.miner!, actor.balance);
    if (shortfall > 0n) await sendFromNodeKey(this.node, { from: this.worker(provider), to: provider.minerId, method: 0, value: shortfall });
  }

  /** The `count` lowest sector numbers neither the miner nor a batch on its way has allocated. */
  private nextSectorNumbers(provider: Provider, count: number): number[] {
    const miner = loadMiner(this.node.stateAt(this.node.head.epoch).getActor(provider.minerId)!.miner!);
    const taken = new Set([...miner.allocatedSectors, ...provider.preCommitted.flatMap((b) => b.sectors.map((s) => s.plan.sectorNumber))]);
    const numbers: number[] = [];
    for (let n = 0; numbers.length < count; n++) if (!taken.has(n)) numbers.push(n);
    return numbers;
  }

  /** Settles the provider's active deals once a day of epochs, and any deal that has ended. */
  private async settle(provider: Provider): Promise<void> {
    const head = this.node.head.epoch;
    const market = this.node.stateAt(head).getActor(MARKET_ACTOR_ID)?.market;
    if (!market) return;
    const active = [...market.states.keys()].filter((id) => market.proposals.get(id)?.provider === provider.minerId);
    const ended = active.some((id) => market.proposals.get(id)!.endEpoch <= head);
    if (active.length === 0 || (!ended && head - provider.lastSettled < SETTLE_INTERVAL)) return;
    provider.lastSettled = head;
    await sendFromNodeKey(this.node, { from: this.worker(provider), to: MARKET_ACTOR_ID, method: MARKET.settleDealPayments, params: encodeBitfield(active) });
  }

  /**
   * A provider whose PoSts are required (a forked one) proves the partitions of the deadline the next
   * tipset is in that hold healthy or recovering sectors, once per challenge window (which recovers the
   * recovering ones; other faulty sectors stay faulty: the agent declares no recovery); the chain commit is the deadline's
   * challenge epoch. The proof's bytes are a placeholder: the devnet seals no data.
   */
  private async proveDeadline(provider: Provider): Promise<void> {
    const miner = this.node.stateAt(this.node.head.epoch).getActor(provider.minerId)!.miner!;
    // Checked before loadMiner's copy: only a forked miner's PoSts are required.
    if (!miner.postsRequired) return;
    const epoch = this.node.head.epoch + 1;
    const m = loadMiner(miner);
    const d = deadlineInfo(epoch, m.provingPeriodOffset);
    const window = `${d.periodStart}/${d.index}`;
    const proven = new Set(postSubmissionsAt(m, epoch)?.get(d.index) ?? []);
    // A partition whose sectors are all faulty and none recovering has nothing to prove (SubmitWindowedPoSt refuses it): its faults stay.
    const provable = [...m.sectors.values()].filter((s) => s.deadline === d.index && (s.faultEpoch === undefined || s.recovering) && !proven.has(s.partition));
    const partitions = [...new Set(provable.map((s) => s.partition))].sort((a, b) => a - b);
    if (provider.lastPoSt === window || partitions.length === 0) return;
    provider.lastPoSt = window;
    const params = [d.index, partitions.map((p) => [p, encodeBitfield([])]), [[m.windowPoStProofType, new Uint8Array(192)]], d.challenge, new Uint8Array(32)];
    await sendFromNodeKey(this.node, { from: this.worker(provider), to: provider.minerId, method: MINER.submitWindowedPoSt, params });
  }

  /** Escrow not locked by deals. */
  /** The actor ID the market keeps an address's escrow under, if it has one. */
  private escrowId(address: FilAddress): number | undefined {
    return this.node.stateAt(this.node.head.epoch).lookupId(address);
  }

  private freeEscrow(id: number): bigint {
    const market = this.node.stateAt(this.node.head.epoch).getActor(MARKET_ACTOR_ID)?.market;
    if (!market) return 0n;
    return (market.escrow.get(id) ?? 0n) - (market.locked.get(id) ?? 0n);
  }
}

/**
 * The first epoch from `epoch` at which builtin-actors accepts a declaration of `change` for sectors
 * of `deadlines`: before each one's fault cut-off (faults, recoveries), or while none is the current
 * or next deadline (terminations); undefined if no epoch of the next proving period has all of them.
 */
function firstAcceptedEpoch(offset: number, deadlines: readonly number[], change: 'fault' | 'recover' | 'terminate', epoch: number): number | undefined {
  const accepted = change === 'terminate' ? deadlineIsMutable : beforeFaultCutoff;
  for (let e = epoch; e < epoch + WPOST_PROVING_PERIOD; ) {
    const refused = deadlines.filter((d) => !accepted(offset, d, e));
    if (refused.length === 0) return e;
    e = Math.max(...refused.map((d) => nextDeadlineOccurrence(offset, d, e).last + 1));
  }
  return undefined;
}
