// Where a fork starts: the upstream tipset at the fork epoch and what identifies the upstream
// (network name, genesis, chain id). Resolved once at start (or read from the cache when the
// upstream is down) and saved with the cache.
import { CID, decodeCbor } from '../../common/cbor.js';
import { DevnetError } from '../../common/errors.js';
import { CodeTable } from '../../fevm/code-table.js';
import type { VmCirculatingSupply } from '../../fevm/circulating-supply.js';
import { EC_FINALITY } from '../../mining/finality.js';
import { displayUrl, UpstreamAnswerError, type Upstream } from './upstream.js';

/** A tipset key as Lotus's JSON writes it: the blocks' CIDs. */
export type TipsetKeyJson = { '/': string }[];

/** Whether two tipset keys name the same blocks in the same order. */
export const sameTipsetKey = (a: TipsetKeyJson, b: TipsetKeyJson): boolean => a.length === b.length && a.every((cid, i) => cid['/'] === b[i]!['/']);

export interface ForkPoint {
  /** The upstream's epoch the fork starts from: its state after this tipset, and new tipsets from the next epoch. */
  epoch: number;
  /** The key of the upstream tipset at `epoch`. */
  tipsetKey: TipsetKeyJson;
  /**
   * The key to pass to Filecoin.State* methods to read the state after `epoch`. Lotus answers with a
   * tipset's parent state, so that is the next tipset's key; an fvm-devnet upstream executes a tipset
   * as it mines it (architecture.md, "Execution is immediate"), so there it is `tipsetKey` itself.
   */
  stateKey: TipsetKeyJson;
  /** The upstream tipset's timestamp (unix seconds) and the base fee its messages paid. */
  timestamp: number;
  baseFee: string;
  /** Its block headers as the upstream's Lotus JSON gives them: the fork's first tipset answers them. */
  headers: LotusBlock[];
  /** Its weight: the ParentWeight of the fork's next tipset (Lotus: the ParentWeight of the upstream's next one). */
  weight: string;
  networkName: string;
  /** The CID of the upstream's genesis block (what the cache is keyed by), and its timestamp. */
  genesis: string;
  genesisTimestamp: number;
  chainId: string;
  /**
   * What the upstream's VM gave actors at the fork point (Filecoin.StateVMCirculatingSupplyInternal of
   * `stateKey`): the fork's sectors get their daily fee from it (fevm/circulating-supply.ts
   * forkedVmCirculatingSupply). Absent from a Lotus gateway, which does not serve the method.
   */
  circulatingSupply?: Record<(typeof SUPPLY_FIELDS)[number], string>;
  /**
   * The upstream's network upgrades by name and height (StateGetNetworkParams' ForkUpgradeParams):
   * the history the fork carries on, which its StateGetNetworkParams answers. Absent when the upstream
   * serves no StateGetNetworkParams.
   */
  upgradeHeights?: Record<string, number>;
  /**
   * The upstream's actors manifest at the fork point (the one its system actor names): its CID and its
   * [name, code CID] entries, as strings. The fork's actors have these code CIDs (forkCodeTable).
   */
  manifest: { cid: string; entries: [string, string][] };
  /**
   * The root of the upstream's init actor's AddressMap HAMT at the fork point (its StateReadState's),
   * which the fork's t01 answers; absent where the upstream names none (an fvm-devnet builds none).
   */
  addressMap?: string;
}

/** api.CirculatingSupply's fields, as Lotus's JSON names them. */
const SUPPLY_FIELDS = ['FilVested', 'FilMined', 'FilBurnt', 'FilLocked', 'FilCirculating', 'FilReserveDisbursed'] as const;

/** A block header as Lotus's JSON gives it: the fields this module reads, and the others as they come. */
export interface LotusBlock {
  Timestamp: number;
  ParentBaseFee: string;
  ParentWeight: string;
  [field: string]: unknown;
}

export interface LotusTipset {
  Cids: TipsetKeyJson;
  Height: number;
  Blocks: LotusBlock[];
}

const isTipsetKey = (key: unknown): boolean => Array.isArray(key) && key.length > 0 && key.every((cid) => typeof (cid as { '/'?: unknown })?.['/'] === 'string');
const isDecimal = (value: unknown): boolean => typeof value === 'string' && /^\d+$/.test(value);
const isBlock = (block: unknown): boolean => {
  const { Timestamp, ParentBaseFee, ParentWeight } = (block ?? {}) as Record<keyof LotusBlock, unknown>;
  return typeof Timestamp === 'number' && typeof ParentBaseFee === 'string' && isDecimal(ParentWeight);
};

const isSupply = (answer: unknown): boolean => SUPPLY_FIELDS.every((field) => isDecimal((answer as Record<string, unknown> | null)?.[field]));

/** The upstream's figure at the fork point in the devnet's terms, if it served one. */
export function forkPointSupply(point: ForkPoint): VmCirculatingSupply | undefined {
  const json = point.circulatingSupply;
  if (!json) return undefined;
  return {
    vested: BigInt(json.FilVested),
    mined: BigInt(json.FilMined),
    burnt: BigInt(json.FilBurnt),
    locked: BigInt(json.FilLocked),
    circulating: BigInt(json.FilCirculating),
    reserveDisbursed: BigInt(json.FilReserveDisbursed),
  };
}

/** Whether an answer has the fields of a tipset this module reads, as Lotus's JSON gives them. */
export function isTipset(answer: unknown): boolean {
  const { Cids, Height, Blocks } = (answer ?? {}) as Record<keyof LotusTipset, unknown>;
  return isTipsetKey(Cids) && Number.isSafeInteger(Height) && (Height as number) >= 0 && Array.isArray(Blocks) && Blocks.length > 0 && Blocks.every(isBlock);
}

const isString = (answer: unknown): boolean => typeof answer === 'string';
const isQuantity = (answer: unknown): boolean => typeof answer === 'string' && /^0x[0-9a-f]+$/i.test(answer);

/** The network name an fvm-devnet answers to Filecoin.StateNetworkName. */
const DEVNET_NETWORK_NAME = 'fvm-devnet';
/**
 * What an fvm-devnet adds to its Filecoin.Version (eth-rpc/methods/filecoin-chain.ts): a fork answers
 * its upstream's network name, so a fork of a fork is known by this.
 */
const DEVNET_VERSION_SUFFIX = '+fvm-devnet';

/** Whether an answer is StateGetNetworkParams' with ForkUpgradeParams of numbers (api.NetworkParams). */
const isNetworkParams = (answer: unknown): boolean => {
  const upgrades = (answer as { ForkUpgradeParams?: unknown } | null)?.ForkUpgradeParams;
  return upgrades !== null && typeof upgrades === 'object' && Object.values(upgrades).every((height) => Number.isSafeInteger(height));
};

/** An upstream's answer, or undefined where it refuses the method (a gateway or a provider's allow-list may). */
const unlessRefused = <T>(answer: Promise<T>): Promise<T | undefined> =>
  answer.catch((error: unknown) => {
    if (error instanceof UpstreamAnswerError) return undefined;
    throw error;
  });

const isVersion = (answer: unknown): boolean => typeof (answer as { Version?: unknown } | null)?.Version === 'string';

/**
 * The fork tipset when no epoch is given: the one F3 has finalized (ChainGetFinalizedTipSet's answer,
 * asked in the start's first batch: a tipset of the heaviest chain, as ChainGetTipSetByHeight at its
 * height would answer), or where F3 is not served the one at head − 900.
 */
async function defaultTipset(upstream: Upstream, finalizedTipset: Promise<LotusTipset | null>, head: LotusTipset): Promise<LotusTipset> {
  try {
    const finalized = await finalizedTipset;
    if (finalized) return finalized;
  } catch (error) {
    if (!(error instanceof UpstreamAnswerError)) throw error;
  }
  const epoch = Math.max(0, head.Height - EC_FINALITY);
  return withinLookbackCap(epoch, upstream.answerOf<LotusTipset>('Filecoin.ChainGetTipSetByHeight', [epoch, null], 'a tipset', isTipset));
}

/** A fork epoch older than the upstream gateway's lookback cap. */
export class LookbackCapError extends DevnetError {
  override name = 'LookbackCapError';
}

/**
 * A Lotus gateway refuses tipsets older than its lookback cap (24 hours by default, gateway/node.go
 * DefaultLookbackCap): at start, that is a fork epoch the upstream will never serve state of, said
 * plainly with what to do instead; any other error is passed on.
 */
async function withinLookbackCap<T>(epoch: number, call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    const cap = error instanceof UpstreamAnswerError && /lookbacks of more than (\S+) are disallowed/.exec(error.rpcMessage);
    if (!cap) throw error;
    throw new LookbackCapError(
      `the upstream is a Lotus gateway that serves no tipset older than ${cap[1]} (its lookback cap), and the fork epoch ${epoch} is older: ` +
        `fork at a later --fork-block-number (within the last ${cap[1]}), or fork a full node's URL (${error.message})`,
    );
  }
}

/** A promise whose failure, if it fails, is awaited later or never: not an unhandled rejection meanwhile. */
const asked = <T>(answer: Promise<T>): Promise<T> => {
  answer.catch(() => undefined);
  return answer;
};

/**
 * Asks for the fork tipset now, so that it goes in the start's first batch (one round trip fewer):
 * the one at `requestedEpoch` (a null round's: the tipset before it), or the finalized one. The
 * function returned gives it once the upstream's head is known.
 */
function askForkTipset(upstream: Upstream, requestedEpoch: number | undefined): (head: LotusTipset) => Promise<LotusTipset> {
  if (requestedEpoch === undefined) {
    const finalized = asked(upstream.answerOf<LotusTipset | null>('Filecoin.ChainGetFinalizedTipSet', [], 'a tipset', isTipset, true));
    return (head) => defaultTipset(upstream, finalized, head);
  }
  const tipset = asked(upstream.answerOf<LotusTipset>('Filecoin.ChainGetTipSetByHeight', [requestedEpoch, null], 'a tipset', isTipset));
  return async (head) => {
    if (requestedEpoch > head.Height) throw new DevnetError(`--fork-block-number ${requestedEpoch} is beyond the upstream's head (${head.Height})`);
    return withinLookbackCap(requestedEpoch, tipset);
  };
}

/**
 * The tipset after the fork tipset, asked in the first batch (one round trip fewer) when the upstream
 * is known to read a tipset's state from the next one, as Lotus does: the known point (the disk
 * cache's for this URL and epoch) was read so (its state key is not its own tipset's), or, with none,
 * the cache noted that this URL served Lotus last time (`servedLotus`). Never otherwise: an
 * fvm-devnet forked at its head refuses the height after it, and logs the refusal on its console.
 */
function askNextTipset(upstream: Upstream, requestedEpoch: number | undefined, known: ForkPoint | undefined, servedLotus: boolean): { height: number; tipset: Promise<LotusTipset> } | undefined {
  const readsNext = known ? !sameTipsetKey(known.stateKey, known.tipsetKey) : servedLotus;
  if (requestedEpoch === undefined || !readsNext) return undefined;
  const height = (known?.epoch ?? requestedEpoch) + 1;
  return { height, tipset: asked(upstream.answerOf<LotusTipset>('Filecoin.ChainGetTipSetAfterHeight', [height, null], 'a tipset', isTipset)) };
}

/**
 * Where the fork starts on `upstream` at `requestedEpoch` (its finalized tipset when undefined), in two
 * steps: the point but for its state facts, as soon as its state's key is known, and the facts when
 * they come, so that what is read at that key (Fork.open: what every start reads) can go in the same
 * round trip as the facts. A `known` point (the disk cache's for this URL and epoch) whose tipset and
 * state keys are the ones found gives what is read from that state (the actors manifest, the init
 * actor's AddressMap root, the circulating supply): the keys name that state, so it is read again only
 * for another point. The manifest read is started from the head's state in the first batch
 * (askHeadManifest). `servedLotus`: the cache noted that this URL served Lotus last time (askNextTipset).
 */
export async function locateForkPoint(upstream: Upstream, requestedEpoch: number | undefined, known?: ForkPoint, servedLotus = false): Promise<{ located: LocatedPoint; facts: Promise<StateFacts> }> {
  const forkTipset = askForkTipset(upstream, requestedEpoch);
  const nextTipset = askNextTipset(upstream, requestedEpoch, known, servedLotus);
  // Not asked with a known point at the requested epoch, whose facts serve but after a reorg; without
  // an epoch, a live chain's finalized tipset has moved on since the known point (every 30 s).
  const headManifest = known && requestedEpoch !== undefined ? undefined : askHeadManifest(upstream);
  const [networkName, genesis, chainId, head, version, networkParams] = await Promise.all([
    upstream.answerOf<string>('Filecoin.StateNetworkName', [], 'a network name', isString),
    upstream.answerOf<LotusTipset>('Filecoin.ChainGetGenesis', [], 'a tipset', isTipset),
    upstream.answerOf<string>('eth_chainId', [], 'a hex chain id', isQuantity),
    upstream.answerOf<LotusTipset>('Filecoin.ChainHead', [], 'a tipset', isTipset),
    // Only to recognise a fork of an fvm-devnet: an endpoint that refuses it (a provider's allow-list) is no fvm-devnet.
    unlessRefused(upstream.answerOf<{ Version: string }>('Filecoin.Version', [], 'a version', isVersion)),
    unlessRefused(upstream.answerOf<{ ForkUpgradeParams: Record<string, number> }>('Filecoin.StateGetNetworkParams', [], 'network parameters', isNetworkParams)),
  ]);
  const executesAsItMines = networkName === DEVNET_NETWORK_NAME || version?.Version.endsWith(DEVNET_VERSION_SUFFIX) === true;
  const tipset = await forkTipset(head);
  // The head's manifest read meanwhile, unless the known point's facts will do.
  if (!(known && sameTipsetKey(known.tipsetKey, tipset.Cids))) void headManifest?.read();
  let stateKey = tipset.Cids;
  // An fvm-devnet's weight is its parent's plus one (mining/tipset.ts); Lotus's is the next tipset's ParentWeight.
  let weight = (BigInt(tipset.Blocks[0].ParentWeight) + 1n).toString();
  if (!executesAsItMines) {
    if (tipset.Height >= head.Height) throw new DevnetError(`the fork epoch must be below the upstream's head (${head.Height}): Lotus reads a tipset's state from the next one`);
    const asking = (nextTipset?.height === tipset.Height + 1 && nextTipset.tipset) || upstream.answerOf<LotusTipset>('Filecoin.ChainGetTipSetAfterHeight', [tipset.Height + 1, null], 'a tipset', isTipset);
    const next = await withinLookbackCap(requestedEpoch ?? tipset.Height, asking);
    stateKey = next.Cids;
    weight = next.Blocks[0].ParentWeight;
  }
  const sameState = known && known.genesis === genesis.Cids[0]['/'] && sameTipsetKey(known.tipsetKey, tipset.Cids) && sameTipsetKey(known.stateKey, stateKey);
  const facts = sameState ? Promise.resolve(stateFactsOf(known)) : asked(readStateFacts(upstream, stateKey, headManifest));
  const located: LocatedPoint = {
    ...(networkParams ? { upgradeHeights: networkParams.ForkUpgradeParams } : {}),
    epoch: tipset.Height,
    tipsetKey: tipset.Cids,
    stateKey,
    timestamp: tipset.Blocks[0].Timestamp,
    baseFee: tipset.Blocks[0].ParentBaseFee,
    headers: tipset.Blocks,
    weight,
    networkName,
    genesis: genesis.Cids[0]['/'],
    genesisTimestamp: genesis.Blocks[0].Timestamp,
    chainId: BigInt(chainId).toString(),
  };
  return { located, facts };
}

/** What a fork point reads from the upstream's state at it (its stateKey). */
export type StateFacts = Pick<ForkPoint, 'manifest' | 'addressMap' | 'circulatingSupply'>;

/** A fork point but for its state facts: where it is, and the key its state is read at. */
export type LocatedPoint = Omit<ForkPoint, keyof StateFacts>;

/** A point's state facts, left out where absent: the cache stores the point as DAG-CBOR, which has no undefined. */
const stateFactsOf = ({ manifest, addressMap, circulatingSupply }: StateFacts): StateFacts => ({
  manifest,
  ...(addressMap ? { addressMap } : {}),
  ...(circulatingSupply ? { circulatingSupply } : {}),
});

/** The actors manifest, the init actor's AddressMap root and the circulating supply of the upstream's state at `stateKey`. */
async function readStateFacts(upstream: Upstream, stateKey: TipsetKeyJson, headManifest?: HeadManifest): Promise<StateFacts> {
  const [circulatingSupply, manifestCid, init] = await Promise.all([
    // A gateway does not serve it (-32601), nor may a provider's allow-list: then the fork's sectors get no daily fee.
    unlessRefused(upstream.answerOf<ForkPoint['circulatingSupply']>('Filecoin.StateVMCirculatingSupplyInternal', [stateKey], 'a circulating supply', isSupply)),
    manifestLink(upstream, stateKey),
    upstream.answerOf<{ State: { AddressMap: { '/': string } | null } }>('Filecoin.StateReadState', ['f01', stateKey], "the init actor's state", isInitState),
  ]);
  const manifest = await manifestNamed(upstream, manifestCid, headManifest);
  return stateFactsOf({ manifest, addressMap: init.State.AddressMap?.['/'], circulatingSupply });
}

/** Whether an answer is the init actor's state with an AddressMap link, or null (an fvm-devnet's). */
const isInitState = (answer: unknown): boolean => {
  const map = (answer as { State?: { AddressMap?: { '/'?: unknown } | null } } | null)?.State?.AddressMap;
  return map === null || typeof map?.['/'] === 'string';
};

const isManifestLink = (answer: unknown): boolean => typeof (answer as { State?: { BuiltinActors?: { '/'?: unknown } } } | null)?.State?.BuiltinActors?.['/'] === 'string';

/** The CID of the actors manifest the system actor's state names (BuiltinActors) at `stateKey` (empty: the upstream's head). */
async function manifestLink(upstream: Upstream, stateKey: TipsetKeyJson): Promise<string> {
  const { State } = await upstream.answerOf<{ State: { BuiltinActors: { '/': string } } }>('Filecoin.StateReadState', ['f00', stateKey], "the system actor's state", isManifestLink);
  return State.BuiltinActors['/'];
}

/**
 * The upstream's actors manifest `cid`, as a gateway lets one read it: ChainReadObj returns its blocks:
 * [version, data CID], and data = [[name, code CID], …] (go-state-types manifest.Manifest, ManifestData).
 */
async function readManifest(upstream: Upstream, cid: string): Promise<ForkPoint['manifest']> {
  const [, data] = decodeCbor<[number, CID]>(await upstream.readObj(CID.parse(cid), 'the actors manifest'));
  const entries = decodeCbor<[string, CID][]>(await upstream.readObj(data, "the actors manifest's data"));
  return { cid, entries: entries.map(([name, code]) => [name, code.toString()]) };
}

/** The manifest the upstream's head state names: its CID, and the manifest read by it (started by the first call, then shared). */
interface HeadManifest {
  cid: Promise<string>;
  read(): Promise<ForkPoint['manifest']>;
}

/**
 * Asks in the start's first batch which manifest the upstream's head state names. The fork point's
 * state names the same one unless a network upgrade lies between them, so its blocks, read as soon as
 * the fork tipset is known, come in while the fork point's state is read (after it, they are two more
 * round trips). A failure here only means the manifest is read the usual way (manifestNamed).
 */
function askHeadManifest(upstream: Upstream): HeadManifest {
  const cid = asked(manifestLink(upstream, []));
  let reading: Promise<ForkPoint['manifest']> | undefined;
  return { cid, read: () => (reading ??= asked(cid.then((named) => readManifest(upstream, named)))) };
}

/** The manifest `cid`: the one read from the head's state when it is the same, else read now. */
async function manifestNamed(upstream: Upstream, cid: string, head: HeadManifest | undefined): Promise<ForkPoint['manifest']> {
  const headCid = await head?.cid.catch(() => undefined);
  if (headCid !== cid) return readManifest(upstream, cid);
  return head!.read().catch(() => readManifest(upstream, cid));
}

/** The fork's actor code CIDs: the upstream's manifest at the fork point. */
export const forkCodeTable = ({ manifest }: Pick<ForkPoint, 'manifest'>): CodeTable => new CodeTable(CID.parse(manifest.cid), manifest.entries.map(([name, code]) => [name, CID.parse(code)]));

/**
 * Refuses `upstream` as the fork's upstream unless it is the same chain (its genesis) and serves
 * the tipset whose state the fork reads: a node of another chain, or one that no longer holds the
 * fork point (a gateway past its lookback cap, a pruned node), would answer other state or none.
 */
export async function checkServesForkPoint(upstream: Upstream, point: ForkPoint): Promise<void> {
  const shown = displayUrl(upstream.endpoint);
  const [genesis, tipset] = await Promise.allSettled([
    upstream.answerOf<LotusTipset>('Filecoin.ChainGetGenesis', [], 'a tipset', isTipset),
    upstream.answerOf<LotusTipset>('Filecoin.ChainGetTipSet', [point.stateKey], 'a tipset', isTipset),
  ]);
  if (genesis.status === 'rejected') throw genesis.reason;
  const theirs = genesis.value.Cids[0]['/'];
  if (theirs !== point.genesis) throw new DevnetError(`${shown} is another chain: its genesis is ${theirs}, the fork's ${point.genesis}`);
  if (tipset.status === 'rejected') {
    if (!(tipset.reason instanceof UpstreamAnswerError)) throw tipset.reason;
    throw new DevnetError(`${shown} does not serve the tipset the fork reads its state from (epoch ${point.epoch}): ${tipset.reason.rpcMessage}`);
  }
}
