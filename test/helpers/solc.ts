// Compiles Solidity for the end-to-end tests with solc-js (the `solc` npm package), offline.
// solc-js takes seconds to load, so results are cached on disk, keyed by the sha256 of the compiler
// version and the standard-JSON input; solc is only imported on a cache miss. Test files run two at a
// time and often need the same contracts: on a miss one process compiles (it holds a lock file) and
// the others wait for its entry.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface CompiledContract {
  abi: any[];
  bytecode: `0x${string}`;
  deployedBytecode: `0x${string}`;
}

/** The folder with package.json above `dir`: two up from test/helpers, three from the chunk in .test-build/test/chunks it is bundled into. */
function repoRoot(dir: string): string {
  while (!existsSync(join(dir, 'package.json'))) {
    if (dirname(dir) === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = dirname(dir);
  }
  return dir;
}

export const REPO_ROOT = repoRoot(dirname(fileURLToPath(import.meta.url)));
export const FIXTURE_CONTRACTS_DIR = join(REPO_ROOT, 'test', 'fixtures', 'contracts');
const EXAMPLE_CONTRACTS_DIR = join(REPO_ROOT, 'examples', 'hardhat', 'contracts');
const CACHE_DIR = join(REPO_ROOT, 'node_modules', '.cache', 'fvm-devnet-solc');

const require = createRequire(import.meta.url);

interface SolcError {
  severity: 'error' | 'warning' | 'info';
  formattedMessage?: string;
  message: string;
}

interface SolcOutput {
  errors?: SolcError[];
  contracts?: Record<
    string,
    Record<string, { abi: any[]; evm: { bytecode: { object: string }; deployedBytecode: { object: string } } }>
  >;
}

function solcVersion(): string {
  const pkg = JSON.parse(readFileSync(require.resolve('solc/package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

function standardJsonInput(sources: Record<string, string>): string {
  const sortedNames = Object.keys(sources).sort();
  return JSON.stringify({
    language: 'Solidity',
    sources: Object.fromEntries(sortedNames.map((name) => [name, { content: sources[name] }])),
    settings: {
      evmVersion: 'cancun',
      optimizer: { enabled: true, runs: 200 },
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
    },
  });
}

const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));
const packageVersion = (name: string) => (JSON.parse(readFileSync(join(packageDir(name), 'package.json'), 'utf8')) as { version: string }).version;

/** Reads an import from node_modules (`@scope/pkg/path.sol`), only from `packages`, the ones the cache key names. */
function packageImporter(packages: readonly string[]) {
  return (path: string): { contents: string } | { error: string } => {
    const pkg = packages.find((name) => path.startsWith(`${name}/`));
    if (!pkg) return { error: `${path} is in none of the packages the compile was given (${packages.join(', ')})` };
    try {
      return { contents: readFileSync(join(packageDir(pkg), path.slice(pkg.length + 1)), 'utf8') };
    } catch (error) {
      return { error: String(error) };
    }
  };
}

async function runSolc(input: string, packages: readonly string[]): Promise<SolcOutput> {
  const solc = (await import('solc')).default as { compile(input: string, callbacks?: { import: ReturnType<typeof packageImporter> }): string };
  return JSON.parse(solc.compile(input, { import: packageImporter(packages) })) as SolcOutput;
}

function extract(output: SolcOutput): Record<string, CompiledContract> {
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) {
    throw new Error(`solc failed:\n${errors.map((e) => e.formattedMessage ?? e.message).join('\n')}`);
  }
  const result: Record<string, CompiledContract> = {};
  for (const [file, contracts] of Object.entries(output.contracts ?? {})) {
    for (const [name, c] of Object.entries(contracts)) {
      if (name in result) throw new Error(`contract name ${name} is defined twice (again in ${file})`);
      result[name] = {
        abi: c.abi,
        bytecode: `0x${c.evm.bytecode.object}`,
        deployedBytecode: `0x${c.evm.deployedBytecode.object}`,
      };
    }
  }
  return result;
}

/**
 * Compiles `sources` (file name → Solidity source; imports resolve between these names, and into
 * node_modules for the npm `packages` named, e.g. `filecoin-solidity-api/contracts/…`, as
 * Hardhat resolves them) with evmVersion cancun and the optimizer on. Returns every contract by
 * name. Throws with the compiler's messages when there is any error. The cache key holds the
 * packages' versions, so an upgrade recompiles.
 */
export async function compileSolidity(sources: Record<string, string>, packages: readonly string[] = []): Promise<Record<string, CompiledContract>> {
  const input = standardJsonInput(sources);
  const hash = createHash('sha256').update(`solc ${solcVersion()}\n`);
  for (const name of packages) hash.update(`${name}@${packageVersion(name)}\n`);
  const key = hash.update(input).digest('hex');
  return extract(await compileOnce(join(CACHE_DIR, `${key}.json`), input, packages));
}

/** A lock older than this is left from a killed process (a compile takes seconds). */
const STALE_LOCK_MS = 120_000;

/** The cached output at `cacheFile`, else compiled here or by another test process, whichever takes the lock. */
async function compileOnce(cacheFile: string, input: string, packages: readonly string[]): Promise<SolcOutput> {
  const lock = `${cacheFile}.lock`;
  mkdirSync(CACHE_DIR, { recursive: true });
  for (;;) {
    try {
      return JSON.parse(readFileSync(cacheFile, 'utf8')) as SolcOutput;
    } catch {
      // Not cached yet.
    }
    const fd = tryOpenNew(lock);
    if (fd !== undefined) {
      try {
        writeSync(fd, String(process.pid));
        closeSync(fd);
        const output = await runSolc(input, packages);
        // Errors are not cached, so a fixed source is recompiled (and a waiter compiles for itself);
        // write-then-rename keeps other processes from reading a half-written entry.
        if (!(output.errors ?? []).some((e) => e.severity === 'error')) {
          const tmp = `${cacheFile}.${process.pid}.${Date.now()}.tmp`;
          writeFileSync(tmp, JSON.stringify(output));
          renameSync(tmp, cacheFile);
        }
        return output;
      } finally {
        rmSync(lock, { force: true });
      }
    }
    if (lockIsStale(lock)) rmSync(lock, { force: true });
    else await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function tryOpenNew(path: string): number | undefined {
  try {
    return openSync(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw error;
  }
}

/** The lock's process is gone (killed mid-compile), or the lock is too old to be a live compile's. */
function lockIsStale(lock: string): boolean {
  let pid: number;
  let mtimeMs: number;
  try {
    pid = Number(readFileSync(lock, 'utf8'));
    mtimeMs = statSync(lock).mtimeMs;
  } catch {
    return false; // Gone already: the next round reads the entry or takes the lock.
  }
  if (Date.now() - mtimeMs > STALE_LOCK_MS) return true;
  // An empty pid is a lock just created, its pid not yet written.
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Compiles every `test/fixtures/contracts/*.sol` together with the Hardhat example's contracts
 * (`examples/hardhat/contracts`: the deal client the storage tests drive is the one users copy).
 */
export async function compileFixtures(): Promise<Record<string, CompiledContract>> {
  const sources: Record<string, string> = {};
  for (const dir of [FIXTURE_CONTRACTS_DIR, EXAMPLE_CONTRACTS_DIR]) {
    for (const name of readdirSync(dir).filter((f) => f.endsWith('.sol')).sort()) sources[name] = readFileSync(join(dir, name), 'utf8');
  }
  return compileSolidity(sources);
}
