// Starts the real CLI (`dist/fvm-devnet.js`, built by `npm run build`, which `npm test` runs first) as a child process on a free
// port, for the end-to-end tests. Shared constants of the dev chain live here too.
import { spawnReady } from './ready-process.js';
import { REPO_ROOT } from './solc.js';

/** Chain id of the devnet (the Lotus 2k devnet's). */
export const DEVNET_CHAIN_ID = 31415926;
/** Balance of each dev account at genesis: 10000 FIL in attoFIL. */
export const DEV_ACCOUNT_BALANCE = 10_000n * 10n ** 18n;
export const DEV_MNEMONIC = 'test test test test test test test test test test test junk';
/** The 10 dev accounts, m/44'/60'/0'/0/i of DEV_MNEMONIC (ethers.test.ts re-derives them). */
export const DEV_ACCOUNTS: readonly { address: `0x${string}`; privateKey: `0x${string}` }[] = [
  { address: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266', privateKey: '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80' },
  { address: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8', privateKey: '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d' },
  { address: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC', privateKey: '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a' },
  { address: '0x90F79bf6EB2c4f870365E785982E1f101E93b906', privateKey: '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6' },
  { address: '0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65', privateKey: '0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a' },
  { address: '0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc', privateKey: '0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba' },
  { address: '0x976EA74026E726554dB657fA54763abd0C3a0aa9', privateKey: '0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e' },
  { address: '0x14dC79964da2C08b23698B3D3cc7Ca32193d9955', privateKey: '0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356' },
  { address: '0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f', privateKey: '0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97' },
  { address: '0xa0Ee7A142d267C1f36714E4a8F75612F20a79720', privateKey: '0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6' },
];

export const CLI_PATH = 'dist/fvm-devnet.js';
// The CLI's ready line: the word Listening, then host:port (an http:// prefix is tolerated). The port
// must be followed by something (the newline), so a chunk cut inside the digits does not match.
const LISTENING_RE = /Listening on (?:https?:\/\/)?(\[[^\]\s]+\]|[^\s:/]+):(\d+)(?=\D)/;

export interface DevnetProcess {
  /** HTTP JSON-RPC endpoint. */
  url: string;
  /** WebSocket JSON-RPC endpoint (same port and path). */
  wsUrl: string;
  port: number;
  /** The node's process id (fault tests: the name of its save's temporary file). */
  pid: number;
  /** Kills the process (SIGTERM, then SIGKILL) and waits for it to exit. */
  stop(): Promise<void>;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Sends the process a signal (fault tests: SIGKILL) without waiting for it to exit. */
  kill(signal: NodeJS.Signals): void;
  /** The status it exited with; null while it runs or when a signal ended it. */
  exitCode(): number | null;
  /** The signal that ended it; null while it runs or when it exited. */
  signalCode(): NodeJS.Signals | null;
}

/** Spawns `node dist/fvm-devnet.js --port 0 ...extraArgs` (with `env` added to the environment) and resolves once it is listening. */
export async function startDevnet(extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<DevnetProcess> {
  const { child, ready, output, stop, failure } = await spawnReady(process.execPath, [CLI_PATH, '--port', '0', ...extraArgs], {
    name: 'devnet',
    cwd: REPO_ROOT,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...env },
    readyLine: LISTENING_RE,
    readyOn: 'stdout',
    keepOutputAfterReady: true,
  });
  const port = Number(ready[2]);
  if (!Number.isInteger(port) || port <= 0) {
    await stop();
    throw failure(`devnet reported an invalid port ${port}`);
  }
  // Wildcard binds are reachable on loopback.
  const host = ready[1] === '0.0.0.0' || ready[1] === '[::]' ? '127.0.0.1' : ready[1]!;
  return {
    url: `http://${host}:${port}`,
    wsUrl: `ws://${host}:${port}`,
    port,
    pid: child.pid!,
    stop,
    output,
    kill: (signal) => void child.kill(signal),
    exitCode: () => child.exitCode,
    signalCode: () => child.signalCode,
  };
}

/**
 * Calls `probe` until it returns something other than undefined, waiting `intervalMs` between
 * attempts, at most `attempts` times; then fails naming `what`. For state that a node may
 * publish asynchronously (filter buffers), never as a fixed sleep.
 */
export async function pollUntil<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  { attempts = 100, intervalMs = 50 }: { attempts?: number; intervalMs?: number } = {},
): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`gave up waiting for ${what} after ${attempts} attempts`);
}

/** Resolves with `promise`, or rejects naming `what` if it has not settled within `ms`. */
export async function within<T>(what: string, ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`gave up waiting for ${what} after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
