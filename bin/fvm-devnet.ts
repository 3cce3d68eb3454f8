// The fvm-devnet command: flags -> DevnetConfig -> a running node, and the start-up banner; its
// subcommands (`piece`, `deal`) and the other nodes' flags (other-nodes-flags.ts) are in their own files.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { FilAddress } from '../src/common/address.js';
import { bytesToHex, hexToBytes } from '../src/common/hex.js';
import { attoToFil, filToAtto } from '../src/common/units.js';
import { DEFAULT_MNEMONIC, defaultConfig, VERSION, type DevnetConfig } from '../src/config.js';
import { exposureWarning } from '../src/eth-rpc/exposure.js';
import { parseOrigin } from '../src/eth-rpc/cors.js';
import { SP_DERIVATION_PATH } from '../src/devnet/storage-providers/keys.js';
import { sectorPayloadCapacity } from '../src/devnet/storage-providers/piece-cid.js';
import { piecesDirOf } from '../src/devnet/storage-providers/piece-store.js';
import { EC_FINALITY } from '../src/mining/finality.js';
import { LAST_TIMESTAMP } from '../src/mining/clock.js';
import { defaultForkCacheDir } from '../src/devnet/fork/fork-cache.js';
import { derivationSteps } from '../src/devnet/hd-keys.js';
import { startDevnet, type RunningDevnet } from '../src/index.js';
import { dealCommand } from './deal-command.js';
import { addOtherNodesFlags, otherNodesFlagRefusal } from './other-nodes-flags.js';
import { pieceCommand } from './piece-command.js';
import { capYoungGeneration } from './young-generation.js';

function integer(min: number, max: number) {
  return (value: string): number => {
    // Number('') and Number(' ') are 0: an unset variable (`--port $PORT`) must not read as 0.
    const n = value.trim() === '' ? NaN : Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    return n;
  };
}

/** Anvil's --block-time: seconds above 0, fractions too (its duration_from_secs_f64: `0.5`). */
function positiveSeconds(value: string): number {
  const n = value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected seconds above 0, fractions too (0.5)');
  return n;
}

/** A text that must not be empty: an unset variable (`--state "$FILE"`) must not read as no option, nor --host as every address. */
function nonEmpty(what: string) {
  return (value: string): string => {
    if (value.trim() === '') throw new InvalidArgumentError(`expected ${what}`);
    return value;
  };
}

/** Anvil's --derivation-path, `m/44'/60'/0'/0/` (the account's index follows): the parent path, without the slash. */
function derivationPath(value: string): string {
  const path = value.trim().replace(/\/$/, '');
  try {
    derivationSteps(path);
  } catch {
    // Its own words: on the command line the path is written as Anvil's, with the slash.
    throw new InvalidArgumentError("expected a BIP-32 path such as m/44'/60'/0'/0/ (each step below 2^31, ' for hardened)");
  }
  return path;
}

/** An option taking an integer from `min` to `max`: parsed so, and its help says so. */
function integerOption(flags: string, description: string, min: number, max: number): Option {
  return new Option(flags, `${description} (${min} to ${max})`).argParser(integer(min, max));
}

/** `t1…=1000`: a native address and the FIL it starts with. */
function parseFunding(text: string): { address: FilAddress; balance: bigint } {
  const [address, amount] = text.split('=');
  if (!address || amount === undefined) throw new Error(`--fund takes address=FIL, got ${text}`);
  try {
    return { address: FilAddress.parse(address), balance: filToAtto(amount) };
  } catch (err) {
    throw new Error(`--fund ${text}: ${(err as Error).message}`);
  }
}

/** --allow-origin, once per origin: each value joins the list. */
function collectOrigin(value: string, previous: string[]): string[] {
  try {
    return [...previous, parseOrigin(value)];
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

const BYTE_UNITS: Record<string, number> = { '': 1, B: 1, KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30, TiB: 2 ** 40 };

/** A size in bytes, or with a binary unit: 4GiB, 512MiB. */
function byteSize(min: number) {
  return (value: string): number => {
    const match = /^(\d+(?:\.\d+)?)\s*([KMGT]iB|B)?$/.exec(value.trim());
    const bytes = match ? Math.floor(Number(match[1]) * BYTE_UNITS[match[2] ?? '']!) : NaN;
    if (!Number.isSafeInteger(bytes) || bytes < min) throw new InvalidArgumentError(`expected a size of at least ${min} bytes, in bytes or with a unit (KiB, MiB, GiB, TiB), e.g. 4GiB`);
    return bytes;
  };
}

/** A size as people write it: 4 GiB, 300 MiB, 1000 B. */
function byteSizeText(bytes: number): string {
  const [unit, size] = Object.entries(BYTE_UNITS).reverse().find(([, size]) => bytes >= size && bytes % size === 0) ?? ['B', 1];
  return `${bytes / size} ${unit || 'B'}`;
}

/** The sector sizes Filecoin proofs support, as the flag names them. */
const SECTOR_SIZES: Record<string, bigint> = { '2KiB': 2n << 10n, '8MiB': 8n << 20n, '512MiB': 512n << 20n, '32GiB': 32n << 30n, '64GiB': 64n << 30n };

/** A sector size as people write it: 32 GiB, 2 KiB. */
function sectorSizeText(bytes: bigint): string {
  const [name] = Object.entries(SECTOR_SIZES).find(([, size]) => size === bytes) ?? [`${bytes} B`];
  return name.replace(/(\d)([KMG]iB)$/, '$1 $2');
}

/** A fork's upstream, and the epoch its URL ends with. */
interface ForkUrl {
  url: string;
  epoch?: number;
  /** Given as Lotus's API info with its token, which belongs in $FVM_DEVNET_FORK_TOKEN (refused in nodeConfig, without echoing it). */
  withToken?: boolean;
}

/** Lotus's API info (`lotus auth api-info`, $FULLNODE_API_INFO): [<token>:]/ip4/<host>/tcp/<port>/http. */
const LOTUS_API_INFO = /^(?:([^/]+):)?\/(?:ip4|ip6|dns4|dns6|dns)\/([^/]+)\/tcp\/(\d+)(?:\/(https?|wss?))?\/?$/;

/**
 * --fork-url's value: a URL, or Lotus's API info (its multiaddr read as the URL). Anvil's
 * `<url>@<block>` names the epoch (`https://…/rpc/v1@3000000`; --fork-block-number, if given too,
 * wins as in Anvil); an `@` of the URL's own (`user:password@host`) is left in it. Anvil's `@latest`
 * (its head) is refused: a fork starts at the upstream's finalized tipset unless given an epoch.
 */
function forkUrl(text: string): ForkUrl {
  nonEmpty('a URL')(text);
  const info = LOTUS_API_INFO.exec(text);
  if (info) {
    const [, token, host, port, protocol] = info;
    const scheme = protocol === 'https' || protocol === 'wss' ? 'https' : 'http';
    return { url: `${scheme}://${host!.includes(':') ? `[${host}]` : host}:${port}`, withToken: token !== undefined };
  }
  const at = text.lastIndexOf('@');
  const suffix = text.slice(at + 1);
  if (at < 0 || /[:./]/.test(suffix) || !URL.canParse(text.slice(0, at))) return { url: text };
  if (suffix === 'latest') throw new InvalidArgumentError("a fork starts at the upstream's finalized tipset unless given an epoch: leave @latest out, or end the URL with @<epoch>");
  const epoch = /^\d+$/.test(suffix) ? Number(suffix) : NaN;
  if (!Number.isSafeInteger(epoch)) throw new InvalidArgumentError(`expected <url>@<epoch>, an epoch from 0 to ${Number.MAX_SAFE_INTEGER} after the @`);
  return { url: text.slice(0, at), epoch };
}

/**
 * A directory given for a state file means the file chain.state in it, as Anvil takes one for
 * `<dir>/state.json` (its --state and --dump-state write there): not the JSON Anvil writes, so not its name.
 */
function stateFileIn(path: string | undefined): string | undefined {
  return path !== undefined && statSync(path, { throwIfNoEntry: false })?.isDirectory() ? join(path, 'chain.state') : path;
}

/** The command line: with no subcommand, `run` starts the node with the flags' config. */
function buildProgram(run: (config: DevnetConfig) => Promise<void>): Command {
  const defaults = defaultConfig();
  const program: Command = new Command('fvm-devnet')
    .description('A local Filecoin EVM (FEVM) devnet: instant tipsets, Ethereum JSON-RPC, Lotus semantics.')
    .version(VERSION)
    .addOption(integerOption('-p, --port <number>', 'port to listen on (0 picks a free one)', 0, 65535).default(defaults.port))
    .addOption(new Option('--host <address>', 'address to listen on').default(defaults.host).argParser(nonEmpty('an address, such as 127.0.0.1 or 0.0.0.0')))
    .addOption(integerOption('-a, --accounts <number>', 'number of dev accounts', 1, 1000).default(defaults.accounts))
    .addOption(new Option('-m, --mnemonic <words>', 'BIP-39 mnemonic the dev accounts are derived from').default(defaults.mnemonic, '"test test … junk"'))
    .addOption(new Option('--derivation-path <path>', "the dev accounts' BIP-32 path, each account's index after it").default(defaults.derivationPath, `${defaults.derivationPath}/`).argParser(derivationPath))
    .addOption(integerOption('--storage-providers <number>', 'simulated storage providers (miner actors with power) at genesis', 0, 100).default(defaults.storageProviders))
    .addOption(new Option('--sector-size <size>', "the storage providers' sector size").choices(Object.keys(SECTOR_SIZES)).default('32GiB'))
    .addOption(integerOption('--seal-delay <epochs>', 'epochs a storage provider waits after publishing a deal before sealing it', 0, 1_000_000).default(defaults.sealDelay))
    .addOption(new Option('--balance <FIL>', 'balance of each dev account, in FIL').default(attoToFil(defaults.balance)))
    .addOption(new Option('--fund <address=FIL...>', 'fund native f1/f3 addresses at genesis, e.g. --fund t1…=1000').default([]))
    .addOption(integerOption('--chain-id <number>', 'EIP-155 chain id', 1, Number.MAX_SAFE_INTEGER).default(Number(defaults.chainId), "31415926, Lotus's local devnet"))
    .addOption(new Option('--seed <text|0xhex>', 'seed of the randomness beacon (PREVRANDAO, get_randomness)').default('fvm-devnet'))
    .addOption(integerOption('--f3-lag <epochs>', "epochs F3 finality lags behind the head: the 'finalized' and 'safe' tags", 0, EC_FINALITY).default(defaults.f3Lag))
    .addOption(integerOption('--timestamp <seconds>', "a new chain's genesis time, in Unix seconds (default: the start); chain time goes on from it", 0, LAST_TIMESTAMP - 1))
    .addOption(new Option('--auto-impersonate', 'send eth_sendTransaction for any sender, without its key (anvil_autoImpersonateAccount)'))
    .addOption(new Option('-b, --block-time <seconds>', 'mine a tipset every N seconds instead of instantly (above 0; 0.5 too)').argParser(positiveSeconds))
    .addOption(new Option('--no-mining', 'mine only on request (evm_mine)').conflicts('blockTime'))
    .addOption(new Option('--state <file>', 'load the chain from <file> if it exists; save it there on exit and while running').argParser(nonEmpty('a file')))
    .addOption(new Option('--piece-store-limit <size>', "most bytes of piece data the storage providers keep (PUT /piece/<cid>); kept in <file>.pieces/ with --state").default(defaults.pieceStoreLimit, '4GiB').argParser(byteSize(0)))
    .addOption(new Option('--max-piece-size <size>', "largest payload of one piece (PUT /piece/<cid> answers 413 over it); at most what one sector holds, 127/128 of --sector-size (31.75 GiB of a 32 GiB sector) (default: 64MiB, or a whole sector if smaller)").argParser(byteSize(127)))
    .addOption(new Option('--load-state <file>', 'load the chain from <file> at start').argParser(nonEmpty('a file')))
    .addOption(new Option('--dump-state <file>', 'save the chain to <file> on exit').argParser(nonEmpty('a file')))
    .addOption(new Option('--allow-origin <origin>', 'let browser pages from <origin> call the node (repeatable)').argParser(collectOrigin).default([], 'any origin'))
    .addOption(integerOption('--max-body-size <bytes>', 'largest JSON-RPC request body or WebSocket message', 1024, 1 << 30).default(defaults.maxBodyBytes, '16 MiB'))
    .addOption(integerOption('--max-batch <number>', 'most requests in one JSON-RPC batch', 1, 100_000).default(defaults.maxBatch))
    .addOption(integerOption('--max-batch-bytes <bytes>', "most bytes of answers to one batch; the answers past them are -32003 errors (geth's)", 1024, 1 << 28).default(defaults.maxBatchResponseBytes, '25 MB'))
    .addOption(integerOption('--max-filters <number>', 'most polling filters (eth_newFilter…) installed at once', 1, 100_000).default(defaults.maxFilters))
    .addOption(integerOption('--max-subscriptions <count>', 'most WebSocket subscriptions open at once, all connections together', 1, 1_000_000).default(defaults.maxSubscriptions))
    .addOption(integerOption('--request-timeout <ms>', 'cut an HTTP request whose headers and body have not arrived within this time (0: never)', 0, 3_600_000).default(defaults.requestTimeoutMs))
    .addOption(integerOption('--max-connections <number>', 'most TCP connections (HTTP and WebSocket) open at once', 1, 1_000_000).default(defaults.maxConnections))
    .addOption(integerOption('--ws-ping-interval <ms>', 'ping WebSocket clients this often; one that misses a ping is cut (0: never)', 0, 3_600_000).default(defaults.wsLiveness.pingIntervalMs))
    .addOption(integerOption('--ws-max-buffered <bytes>', 'close a WebSocket with more unsent data than this (code 1008)', 1024, 1 << 30).default(defaults.wsLiveness.maxBufferedBytes, '64 MiB'))
    .addOption(integerOption('--call-timeout <ms>', 'stop an eth_call, gas estimate run or traced call after this much CPU time (0: never)', 0, 3_600_000).default(defaults.callTimeoutMs))
    .addOption(new Option('-f, --fork-url <url>', 'fork a Lotus node at an epoch (with or without /rpc/v1; token in $FVM_DEVNET_FORK_TOKEN)').argParser(forkUrl))
    .addOption(integerOption('--fork-block-number <epoch>', "the upstream epoch to fork at (default: its finalized tipset)", 0, Number.MAX_SAFE_INTEGER))
    .addOption(new Option('--no-fork-cache', "do not keep what the fork fetched on disk (default: $FVM_DEVNET_CACHE_DIR, else $XDG_CACHE_HOME/fvm-devnet/fork, else ~/.cache/fvm-devnet/fork)"))
    .addOption(new Option('--gateway-only', "answer only the Filecoin.* methods a public Lotus gateway serves (api/api_gateway.go)"))
    .addOption(new Option('--no-paych-manager', "payment channel manager off, as Lotus's default (EnablePaymentChannelManager=false): Filecoin.Paych* answer 'payment channels disabled'"))
    .addOption(new Option('--no-explorer', 'do not serve the explorer page at http://<host>:<port>/'))
    .addOption(new Option('--silent', 'print nothing (failed saves still go to stderr)'))
    .addOption(new Option('--json', 'log pino JSON lines instead of human-readable lines'))
    .showHelpAfterError('(fvm-devnet --help lists the options)')
    // `fvm-devnet help [command]` as `fvm-devnet --help`; other words are refused in nodeConfig, naming the commands.
    .helpCommand(true)
    .allowExcessArguments()
    .action(() => run(nodeConfig(program, defaults)));
  addOtherNodesFlags(program);
  program.addCommand(pieceCommand(`http://127.0.0.1:${defaults.port}`));
  program.addCommand(dealCommand(`http://127.0.0.1:${defaults.port}`));
  // The command (launch.ts) holds the young generation at its first size for the node's start-up only.
  program.hook('preSubcommand', () => capYoungGeneration());
  return program;
}

/** The node's config from the root command's flags (after parsing). */
function nodeConfig(program: Command, defaults: DevnetConfig): DevnetConfig {
  const opts = program.opts<{ gatewayOnly?: boolean; paychManager: boolean; timestamp?: number; autoImpersonate?: boolean; forkUrl?: ForkUrl; forkBlockNumber?: number; forkCache: boolean; port: number; host: string; accounts: number; storageProviders: number; sectorSize: string; sealDelay: number; f3Lag: number; mnemonic: string; derivationPath: string; balance: string; fund: string[]; seed: string; chainId: number; blockTime?: number; mining: boolean; allowOrigin: string[]; explorer: boolean; maxBodySize: number; maxBatch: number; maxBatchBytes: number; maxFilters: number; maxSubscriptions: number; requestTimeout: number; maxConnections: number; wsPingInterval: number; wsMaxBuffered: number; callTimeout: number; pieceStoreLimit: number; maxPieceSize?: number; state?: string; loadState?: string; dumpState?: string; silent?: boolean; json?: boolean }>();
  // `hardhat node`'s habit (`fvm-devnet node`: the node is the command itself), a mnemonic left
  // unquoted, or prool's `--auto-impersonate false`.
  const [word] = program.args;
  if (word !== undefined) {
    const hint = word === 'true' || word === 'false' ? 'a flag such as --auto-impersonate takes no value: give it or leave it out' : 'quote a value with spaces (--mnemonic "test test … junk")';
    program.error(`error: unexpected argument '${word}': \`fvm-devnet [options]\` starts the node, its commands are ${program.commands.map((c) => c.name()).join(' and ')}; ${hint}`);
  }
  const otherNodes = otherNodesFlagRefusal(program);
  if (otherNodes) program.error(otherNodes);
  if (opts.forkUrl?.withToken) program.error(`error: option '-f, --fork-url <url>' is Lotus's API info with its token: give ${opts.forkUrl.url} and the token in $FVM_DEVNET_FORK_TOKEN (a command line is visible to the machine's other users)`);
  // As Anvil refuses it: without an upstream the epoch would be silently ignored.
  if (opts.forkBlockNumber !== undefined && !opts.forkUrl) program.error("error: option '--fork-block-number <epoch>' is the epoch of a fork: give --fork-url <url> too");
  let balance: bigint;
  let fund: DevnetConfig['fund'];
  const sectorSize = SECTOR_SIZES[opts.sectorSize]!;
  // A deal's piece must fit in one sector (padded), so no upload may be larger than a sector's payload.
  const sectorHolds = sectorPayloadCapacity(sectorSize);
  if (opts.maxPieceSize !== undefined && opts.maxPieceSize > sectorHolds) {
    program.error(`error: option '--max-piece-size <size>' argument '${byteSizeText(opts.maxPieceSize)}' is larger than a ${sectorSizeText(sectorSize)} sector holds (${sectorHolds} bytes of payload); raise --sector-size or lower --max-piece-size`);
  }
  // A fork starts at the upstream's tipset, with its time.
  if (opts.timestamp !== undefined && opts.forkUrl) program.error("error: option '--timestamp <seconds>' sets a new chain's genesis time: a fork (--fork-url) starts at the upstream's tipset");
  try {
    balance = filToAtto(opts.balance);
    fund = opts.fund.map(parseFunding);
  } catch (err) {
    program.error(`error: ${(err as Error).message}`);
  }
  return {
    ...defaults,
    port: opts.port,
    host: opts.host,
    accounts: opts.accounts,
    storageProviders: opts.storageProviders,
    sectorSize,
    sealDelay: opts.sealDelay,
    f3Lag: opts.f3Lag,
    mnemonic: opts.mnemonic,
    derivationPath: opts.derivationPath,
    balance: balance!,
    fund: fund!,
    // A 0x-prefixed seed is bytes; anything else, its UTF-8 text.
    seed: /^0x([0-9a-fA-F]{2})+$/.test(opts.seed) ? hexToBytes(opts.seed) : new TextEncoder().encode(opts.seed),
    chainId: BigInt(opts.chainId),
    blockTime: opts.blockTime,
    noMining: !opts.mining,
    genesisTimestamp: opts.timestamp,
    autoImpersonate: Boolean(opts.autoImpersonate),
    allowOrigins: opts.allowOrigin,
    explorer: opts.explorer,
    maxBodyBytes: opts.maxBodySize,
    maxBatch: opts.maxBatch,
    maxBatchResponseBytes: opts.maxBatchBytes,
    maxFilters: opts.maxFilters,
    maxSubscriptions: opts.maxSubscriptions,
    requestTimeoutMs: opts.requestTimeout,
    maxConnections: opts.maxConnections,
    wsLiveness: { pingIntervalMs: opts.wsPingInterval, maxBufferedBytes: opts.wsMaxBuffered },
    callTimeoutMs: opts.callTimeout,
    statePath: stateFileIn(opts.state),
    pieceStoreLimit: opts.pieceStoreLimit,
    maxPieceSize: opts.maxPieceSize ?? Math.min(defaults.maxPieceSize, sectorHolds),
    loadStatePath: stateFileIn(opts.loadState),
    dumpStatePath: stateFileIn(opts.dumpState),
    fork: opts.forkUrl
      ? {
          url: opts.forkUrl.url,
          blockNumber: opts.forkBlockNumber ?? opts.forkUrl.epoch,
          token: process.env.FVM_DEVNET_FORK_TOKEN || undefined,
          // A fork keeps the upstream's chain id unless --chain-id is given.
          chainId: program.getOptionValueSource('chainId') === 'cli' ? BigInt(opts.chainId) : undefined,
          cacheDir: opts.forkCache ? defaultForkCacheDir() : undefined,
        }
      : undefined,
    gatewayOnly: Boolean(opts.gatewayOnly),
    paychManager: opts.paychManager,
    silent: Boolean(opts.silent),
    json: Boolean(opts.json),
  };
}

/** The storage providers: miner ID, owner/worker key (the node holds it) and power. A fork has none of its own. */
function storageProviderLines(node: RunningDevnet): string[] {
  if (node.devnet.fork) return [];
  const head = node.devnet.head.epoch;
  const ids = node.devnet.claimedMinerIdsAt(head);
  if (ids.length === 0) return [];
  const state = node.devnet.stateAt(head);
  return [
    `Storage providers (owner keys at ${SP_DERIVATION_PATH}/i)`,
    '==================',
    ...ids.map((id) => {
      const miner = state.getActor(id)!.miner!;
      const owner = state.getActor(miner.owner)?.robust?.toString() ?? `t0${miner.owner}`;
      return `t0${id}  owner/worker ${owner}  (${sectorSizeText(miner.sectorSize)} sectors)`;
    }),
    '',
  ];
}

/** The upstream a fork started from: where, which network, at which epoch. */
function forkLines(node: RunningDevnet): string[] {
  const { fork } = node.devnet;
  if (!fork) return [];
  return [`Fork:         ${fork.url} (${fork.point.networkName}) at epoch ${fork.point.epoch}`];
}

/**
 * The FIL `address` holds at the head. A new chain (or fork) funded the dev and --fund accounts with
 * the flags' amounts; a loaded one has what its own history left them, whatever the flags say now.
 */
function balanceOf(node: RunningDevnet, address: FilAddress, funded: bigint): bigint {
  if (node.devnet.fresh) return funded;
  const state = node.devnet.stateAt(node.devnet.head.epoch);
  const id = state.lookupId(address);
  return (id === undefined ? undefined : state.getActor(id)?.balance) ?? 0n;
}

/**
 * A loaded chain keeps the genesis it was made with, as a Lotus node keeps its repository's
 * (node/modules/genesis.go SetGenesis: a genesis already set is left as it is).
 */
function loadedChainLines(node: RunningDevnet, config: DevnetConfig): string[] {
  return [
    `Chain loaded at height ${node.devnet.head.epoch} (from ${config.loadStatePath ?? config.statePath}): wallets keep their nonces.`,
    "Its genesis stays: --balance, --fund, --storage-providers and --sector-size make a new chain's only.",
  ];
}

/** On a loaded chain, the dev accounts it never funded (another --mnemonic, a larger --accounts): their sends would fail. */
function unfundedAccountsLine(node: RunningDevnet, config: DevnetConfig): string | undefined {
  if (node.devnet.fresh) return undefined;
  const unfunded = node.devnet.accounts.flatMap((a, i) => (balanceOf(node, a.filAddress, config.balance) === 0n ? [`(${i})`] : []));
  if (unfunded.length === 0) return undefined;
  const [accounts, hold, them] = unfunded.length > 1 ? ['Accounts', 'hold', 'them'] : ['Account', 'holds', 'it'];
  return `${accounts} ${unfunded.join(', ')} ${hold} no FIL on this chain, whose genesis funded its first run's accounts: fund ${them} with anvil_setBalance or a send, or start a new chain.`;
}

function banner(node: RunningDevnet, config: DevnetConfig): string {
  const { accounts } = node.devnet;
  const exposed = exposureWarning(config.host, config.mnemonic === DEFAULT_MNEMONIC);
  const unfunded = unfundedAccountsLine(node, config);
  const lines = [
    '',
    '  fvm-devnet: a local Filecoin EVM chain',
    '',
    `Chain ID:     ${node.devnet.chainId}`,
    ...forkLines(node),
    `Mining:       ${config.noMining ? 'on request (evm_mine)' : config.blockTime ? `every ${config.blockTime} s` : 'instant'}`,
    `Mnemonic:     ${config.mnemonic}`,
    `Derivation:   ${config.derivationPath}/i`,
    `Beacon seed:  ${bytesToHex(config.seed)}`,
    `Pieces:       ${config.statePath ? `${piecesDirOf(config.statePath)}/` : 'a temporary directory, removed at exit'} (at most ${byteSizeText(config.pieceStoreLimit)}, ${byteSizeText(config.maxPieceSize)} a piece)`,
    '',
    'Available accounts',
    '==================',
    ...accounts.map((a, i) => `(${i}) ${bytesToHex(a.address)}  ${a.filAddress.toString()}  (${attoToFil(balanceOf(node, a.filAddress, config.balance))} FIL)`),
    '',
    'Private keys',
    '==================',
    ...accounts.map((a, i) => `(${i}) ${a.privateKey}`),
    '',
    ...(config.fund.length
      ? ['Funded native accounts', '==================', ...config.fund.map((f) => `${f.address.toString()}  (${attoToFil(balanceOf(node, f.address, f.balance))} FIL)`), '']
      : []),
    ...storageProviderLines(node),
    ...(node.devnet.fork
      ? []
      : node.devnet.fresh
      ? ['A new chain: wallets that used an earlier one with this chain id (MetaMask) must reset their account nonce.', '']
      : [...loadedChainLines(node, config), ...(unfunded ? [unfunded] : []), '']),
    ...(config.gatewayOnly ? ["Gateway only: Filecoin.* methods outside a Lotus gateway's set are refused", ''] : []),
    ...(config.explorer ? [`Explorer:     ${node.url}/`] : []),
    // Where Filecoin tools (the lotus CLI, filecoin-rpc clients, starter kits' localnet) connect.
    `Lotus API:    ${node.url}/rpc/v1`,
    ...(exposed ? ['!'.repeat(72), exposed, '!'.repeat(72)] : []),
    `Listening on ${node.listenAddress}`,
    '',
  ];
  return lines.join('\n');
}

/**
 * Ends the process once the node has stopped on `signal`. After SIGHUP it ends by that signal, its
 * default now that the node has saved: Node 20's exit restores the terminal's settings and aborts
 * when the terminal is gone (nodejs/node#51519; the check was dropped by #58200, after Node 20.20).
 */
function exitOn(signal: NodeJS.Signals, code: number): void {
  if (signal !== 'SIGHUP') process.exit(code);
  process.removeAllListeners('SIGHUP');
  process.kill(process.pid, 'SIGHUP');
}

async function runNode(config: DevnetConfig): Promise<void> {
  const node = await startDevnet(config);
  // The command (launch.ts) held the young generation at its first size until the node listened.
  capYoungGeneration();
  const talks = !config.silent && !config.json;
  const saved = [config.statePath, config.dumpStatePath].filter((path) => path !== undefined);
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    // After SIGHUP the terminal may be gone: nothing is written to it.
    const speaks = talks && signal !== 'SIGHUP';
    // A second Ctrl-C, pressed because the first seemed to do nothing while the chain was written, must
    // not end the node before its save (audit16 A8): the listeners stay, and later signals are ignored.
    if (stopping) {
      if (speaks) process.stderr.write(`fvm-devnet: already stopping${saved.length ? ` (saving the chain to ${saved.join(' and ')})` : ''}; kill -9 ends it at once\n`);
      return;
    }
    stopping = true;
    if (speaks && saved.length) process.stdout.write(`Saving the chain to ${saved.join(' and ')}…\n`);
    node.close().then(
      () => exitOn(signal, 0),
      (err: Error) => {
        // The final save failed (full disk, read-only directory): say so; the file keeps its last good chain.
        process.stderr.write(`fvm-devnet: ${err.message}\n`);
        exitOn(signal, 1);
      },
    );
  };
  // Before the banner: a signal sent as soon as "Listening on" is read still stops the node with its save.
  // SIGHUP too (the terminal it runs in closed, an ssh session dropped), whose default would end the
  // node without its exit (no --dump-state file, --state's lock left), as it ends Anvil (audit16 L1).
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('SIGHUP', stop);
  if (!config.silent && !config.json) process.stdout.write(banner(node, config) + '\n');
  // The warning is in the banner; with --json it is logged, and printing nothing (--silent) does not
  // extend to hiding that the dev keys are open to the network.
  const exposed = exposureWarning(config.host, config.mnemonic === DEFAULT_MNEMONIC);
  if (exposed && config.json) node.log.warn({ host: config.host }, exposed);
  if (exposed && config.silent) process.stderr.write(exposed + '\n');
  const unfunded = unfundedAccountsLine(node, config);
  if (unfunded && config.json) node.log.warn(unfunded);
  if (config.json) node.log.info({ host: node.host, port: node.port, chainId: config.chainId.toString() }, `Listening on ${node.listenAddress}`);
}

/** What to do when the port is taken: a node left running (`npx fvm-devnet &`, README), a second one, Anvil or Hardhat. */
function portHint(err: NodeJS.ErrnoException): string {
  return err.code === 'EADDRINUSE' ? ': a node (or another program) already listens there; stop it, or give another --port (0 picks a free one)' : '';
}

buildProgram(runNode).parseAsync(process.argv).catch((err: NodeJS.ErrnoException) => {
  process.stderr.write(`fvm-devnet: ${err.message}${portHint(err)}\n`);
  process.exit(1);
});
