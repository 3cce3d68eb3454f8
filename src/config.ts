// The node's configuration, its defaults, and the configuration tests use.
import type { FilAddress } from './common/address.js';
import type { ForkConfig } from './devnet/fork/fork.js';
import { SECTOR_SIZE_32GIB } from './fevm/actors/miner/state.js';
import { DEFAULT_BEACON_SEED } from './fevm/randomness.js';
import { DEFAULT_F3_LAG } from './mining/finality.js';

/** fvm-devnet's version, package.json's (the command's --version prints it, web3_clientVersion names it). */
export const VERSION = '0.1.0';

/** WebSocket liveness (src/eth-rpc/ws-liveness.ts): pings, and the most bytes a socket may hold unsent. */
export interface WsLiveness {
  /** Ping every this many ms; a socket silent for a whole interval after a ping is cut. 0: no pings. */
  pingIntervalMs: number;
  /** Most bytes a socket may hold unsent before it is closed. */
  maxBufferedBytes: number;
  /** Runs a socket's ping check every `intervalMs` and returns how to stop (default: a timer); tests pass their own to tick by hand. */
  repeat?: (check: () => void, intervalMs: number) => () => void;
}

export interface DevnetConfig {
  host: string;
  /** 0 picks a free port. */
  port: number;
  chainId: bigint;
  mnemonic: string;
  /** The BIP-32 path the dev accounts are children of (i at the end): m/44'/60'/0'/0, Anvil's and Hardhat's. */
  derivationPath: string;
  /** Dev accounts derived at `derivationPath`/i. */
  accounts: number;
  /** Balance of each dev account, attoFIL. */
  balance: bigint;
  /** Native (f1/f3) addresses funded at genesis, with their balances in attoFIL. */
  fund: { address: FilAddress; balance: bigint }[];
  /** Seconds between tipsets (interval mining), fractions too, as Anvil's --block-time; undefined mines instantly. */
  blockTime?: number;
  /** Mine only on request (evm_mine). */
  noMining: boolean;
  /** Genesis timestamp, unix seconds; undefined takes the time of start. */
  genesisTimestamp?: number;
  /** eth_sendTransaction sends for any sender without its key from the start (anvil_autoImpersonateAccount; Anvil's --auto-impersonate). */
  autoImpersonate?: boolean;
  silent: boolean;
  /** pino JSON logs instead of the human lines. */
  json: boolean;
  /** Load the chain from this file if it exists; save it there on exit and every few seconds. */
  statePath?: string;
  /**
   * Most bytes of piece payloads the storage providers keep in all (PUT /piece/<cid>); they are kept on
   * disk, in `<statePath>.pieces` with --state, else in a temporary directory removed at exit.
   */
  pieceStoreLimit: number;
  /**
   * Most bytes of one piece's payload (PUT /piece/<cid> answers 413 over it). At most what a sector
   * holds: 127/128 of `sectorSize`, the rest being fr32 padding.
   */
  maxPieceSize: number;
  /** Load the chain from this file at start (it must exist). */
  loadStatePath?: string;
  /** Save the chain to this file on exit. */
  dumpStatePath?: string;
  /**
   * Seed of the randomness beacon: beacon entry data for epoch e is blake2b-256(seed ‖ i64be(e)),
   * which get_randomness and PREVRANDAO derive from (src/fevm/randomness.ts). Default: the ASCII
   * bytes of "fvm-devnet".
   */
  seed: Uint8Array;
  /** Simulated storage providers created at genesis (an owner account and a miner actor each). */
  storageProviders: number;
  /** Sector size of the storage providers, in bytes. */
  sectorSize: bigint;
  /** Epochs a storage provider waits after publishing a deal before it seals it (0: at once). */
  sealDelay: number;
  /**
   * How many epochs simulated F3 finality lags behind the head, 0 to 900 (src/mining/finality.ts):
   * what the `finalized` and `safe` block tags name.
   */
  f3Lag: number;
  /** Origins whose pages may call the node from a browser (CORS); empty allows any, as Anvil does. */
  allowOrigins: string[];
  /** Serve the explorer page at GET / (in a browser). */
  explorer: boolean;
  /** Largest JSON-RPC request body (HTTP) or message (WebSocket) the node reads, in bytes. */
  maxBodyBytes: number;
  /** Most requests one JSON-RPC batch may hold. */
  maxBatch: number;
  /** Most bytes of answers one batch gets; the answers past them are -32003 errors (geth's BatchResponseMaxSize). */
  maxBatchResponseBytes: number;
  /** Most polling filters installed at once on the node (eth_newFilter and the like; Lotus's MaxFilters). */
  maxFilters: number;
  /** Most WebSocket subscriptions and channels open at once on the node, all connections together. */
  maxSubscriptions: number;
  /** HTTP: a request (headers and body) must arrive within this many ms; 0: no limit. */
  requestTimeoutMs: number;
  /** Most TCP connections (HTTP and WebSocket) open at once; more are dropped as they come. */
  maxConnections: number;
  /** WebSocket pings (a socket that misses one is cut) and the most unsent bytes a socket may hold. */
  wsLiveness: WsLiveness;
  /**
   * CPU-time budget, in ms, of each execution that does not change the chain (eth_call, each run of
   * a gas estimate, traced calls, StateCompute), as geth's RPC EVM timeout; 0: none. Mined messages
   * and replays of them are never cut. CPU time from a run's first check on, wall time before it
   * (fevm/run-budget.ts).
   */
  callTimeoutMs: number;
  /** Answer only the Filecoin.* methods a public Lotus gateway serves (--gateway-only). */
  gatewayOnly: boolean;
  /** Serve Lotus's payment channel manager (Filecoin.Paych*), as EnablePaymentChannelManager = true; --no-paych-manager: off, as Lotus's default. */
  paychManager: boolean;
  /** Fork an upstream Lotus node instead of starting from genesis (--fork-url). */
  fork?: ForkConfig;
  /**
   * How many of the chain's last messages stay decoded; the tipsets before them keep theirs encoded,
   * decoded when read (src/mining/chain-store.ts). No flag: tests set it low to read cold history.
   */
  hotMessages: number;
}

/** Bodies above this are refused (a 24 KiB contract's deployment is ~50 KiB of hex). */
export const DEFAULT_MAX_BODY_BYTES = 16 << 20;
/** geth's BatchResponseMaxSize (node/defaults.go): 25 MB of answers. */
export const DEFAULT_MAX_BATCH_RESPONSE_BYTES = 25_000_000;
/** Lotus's MaxFilters (node/config: Events.MaxFilters). */
export const DEFAULT_MAX_FILTERS = 100;
/** Ten connections' worth of the per-connection cap (100, Lotus's gateway limit). */
export const DEFAULT_MAX_SUBSCRIPTIONS = 1000;
/** geth's HTTP ReadTimeout (rpc/http.go DefaultHTTPTimeouts): a request must be read within 30 s. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** Far above what tools open (a few sockets each), well below the descriptors Node gives a process. */
export const DEFAULT_MAX_CONNECTIONS = 1000;
/** Room for dozens of pieces of the largest size uploads take (64 MiB), small beside a disk. */
export const DEFAULT_PIECE_STORE_LIMIT = 4 * 2 ** 30;
/** Largest payload of one piece by default: 64 MiB (a padded piece of 128 MiB), well within a 32 GiB sector. */
export const DEFAULT_MAX_PIECE_SIZE = 64 * 2 ** 20;
/** Lotus's cap on a batch (go-jsonrpc has none; a bound keeps one request from monopolising the node). */
export const DEFAULT_MAX_BATCH = 1000;
/**
 * A ping every 30 s, as browsers and ws answer on their own; 64 MiB unsent is far more than any
 * answer or burst of notifications a reading client leaves behind.
 */
export const DEFAULT_WS_LIVENESS: WsLiveness = { pingIntervalMs: 30_000, maxBufferedBytes: 64 << 20 };

/** geth's default RPC EVM timeout (~2 000 000 000 gas of a tight loop here): a 10 000 000 000-gas loop takes ~24 s of CPU here, ~1 s on calibnet's FVM. */
const DEFAULT_CALL_TIMEOUT_MS = 5000;

/** What tests and dApps read right after sending stays decoded: 2048 transfers are ~1 MB of heap more than cold. */
export const DEFAULT_HOT_MESSAGES = 2048;

/** Lotus's local (2k) devnet chain id. */
const DEFAULT_CHAIN_ID = 31415926n;
export const DEFAULT_MNEMONIC = 'test test test test test test test test test test test junk';
/** Where Anvil, Hardhat and MetaMask derive accounts: m/44'/60'/0'/0/i. */
export const DERIVATION_PATH = "m/44'/60'/0'/0";

export function defaultConfig(): DevnetConfig {
  return {
    host: '127.0.0.1',
    port: 8545,
    chainId: DEFAULT_CHAIN_ID,
    mnemonic: DEFAULT_MNEMONIC,
    derivationPath: DERIVATION_PATH,
    accounts: 10,
    balance: 10_000n * 10n ** 18n,
    fund: [],
    noMining: false,
    silent: false,
    json: false,
    seed: DEFAULT_BEACON_SEED,
    storageProviders: 2,
    sectorSize: SECTOR_SIZE_32GIB,
    sealDelay: 0,
    f3Lag: DEFAULT_F3_LAG,
    allowOrigins: [],
    explorer: true,
    maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
    pieceStoreLimit: DEFAULT_PIECE_STORE_LIMIT,
    maxPieceSize: DEFAULT_MAX_PIECE_SIZE,
    maxBatch: DEFAULT_MAX_BATCH,
    maxBatchResponseBytes: DEFAULT_MAX_BATCH_RESPONSE_BYTES,
    maxFilters: DEFAULT_MAX_FILTERS,
    maxSubscriptions: DEFAULT_MAX_SUBSCRIPTIONS,
    requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS,
    maxConnections: DEFAULT_MAX_CONNECTIONS,
    wsLiveness: DEFAULT_WS_LIVENESS,
    callTimeoutMs: DEFAULT_CALL_TIMEOUT_MS,
    gatewayOnly: false,
    paychManager: true,
    hotMessages: DEFAULT_HOT_MESSAGES,
  };
}

/** For tests: a free port, no output, a fixed genesis time. */
export function testConfig(overrides: Partial<DevnetConfig> = {}): DevnetConfig {
  return { ...defaultConfig(), port: 0, silent: true, genesisTimestamp: 1_700_000_000, ...overrides };
}
