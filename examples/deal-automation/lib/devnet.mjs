// The few things every fvm-devnet example needs, on ethers 6 and the `solc` npm package: compile the
// contracts in ./contracts (offline, cached in ./build), connect to the node, deploy, send, wait for
// the storage providers, and read Filecoin state through the node's JSON-RPC. The same file sits in
// every example folder, so each folder can be copied on its own.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ContractFactory, HDNodeWallet, JsonRpcProvider, Wallet } from 'ethers';

const EXAMPLE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Where the node listens: `npx fvm-devnet` answers here; FVM_DEVNET_URL points elsewhere (calibnet too). */
export const DEVNET_URL = process.env.FVM_DEVNET_URL ?? 'http://127.0.0.1:8545';
/** The dev accounts' mnemonic (`npx fvm-devnet` prints it; Anvil's and Hardhat's). */
const DEV_MNEMONIC = 'test test test test test test test test test test test junk';

/** Compiles every contracts/*.sol with solc-js (cancun, optimizer on); returns {abi, bytecode} by contract name. */
export function compile() {
  const dir = join(EXAMPLE_DIR, 'contracts');
  const sources = Object.fromEntries(
    readdirSync(dir).filter((f) => f.endsWith('.sol')).sort().map((f) => [f, { content: readFileSync(join(dir, f), 'utf8') }]),
  );
  const input = JSON.stringify({
    language: 'Solidity',
    sources,
    settings: {
      evmVersion: 'cancun', // the FEVM (nv28) runs every instruction up to Osaka's CLZ but the blob ones; cancun as the other examples
      optimizer: { enabled: true, runs: 200 },
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
    },
  });
  const require = createRequire(import.meta.url);
  // Keyed by the package's version, so that a cached build does not load the compiler at all.
  const version = require('solc/package.json').version;
  const cache = join(EXAMPLE_DIR, 'build', `${createHash('sha256').update(version).update(input).digest('hex').slice(0, 16)}.json`);
  let output;
  try {
    output = JSON.parse(readFileSync(cache, 'utf8'));
  } catch {
    output = JSON.parse(require('solc').compile(input));
    const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
    if (errors.length) throw new Error(`solc:\n${errors.map((e) => e.formattedMessage).join('\n')}`);
    mkdirSync(dirname(cache), { recursive: true });
    writeFileSync(cache, JSON.stringify(output));
  }
  return Object.fromEntries(
    Object.values(output.contracts).flatMap((byName) => Object.entries(byName).map(([name, c]) => [name, { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` }])),
  );
}

/**
 * A connection to the node: an ethers provider, signers, and `rpc` for any other method. The
 * signers are dev accounts 0, 1, … unless PRIVATE_KEY names the first one (on calibnet, say).
 */
export function connect(url = DEVNET_URL) {
  // cacheTimeout -1: ethers otherwise answers a repeated request from a 250 ms cache.
  const provider = new JsonRpcProvider(url, undefined, { cacheTimeout: -1 });
  const signer = (i) => {
    if (i === 0 && process.env.PRIVATE_KEY) return new Wallet(process.env.PRIVATE_KEY, provider);
    return HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`).connect(provider);
  };
  const rpc = (method, params = []) => provider.send(method, params);
  return { provider, signer, rpc, close: () => provider.destroy() };
}

/** Deploys `name` from the compiled contracts; gas comes from eth_estimateGas, as on calibnet. */
export async function deploy(signer, contracts, name, args = [], overrides = {}) {
  const { abi, bytecode } = contracts[name];
  const contract = await new ContractFactory(abi, bytecode, signer).deploy(...args, overrides);
  await contract.waitForDeployment();
  return contract;
}

/** Sends a contract transaction and waits for its receipt; throws if it failed. */
export async function send(txPromise) {
  const receipt = await (await txPromise).wait();
  if (receipt.status !== 1) throw new Error(`transaction ${receipt.hash} failed`);
  return receipt;
}

/**
 * Calls `probe` until it returns something other than undefined (the storage providers work in
 * the background, a few milliseconds after the tipset that asked them); then fails naming `what`.
 */
export async function until(what, probe, { timeoutMs = 10_000, intervalMs = 20 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** The actor ID behind an address (`0x…`, `t0…`, `t1…`, `t410…`), e.g. 1001 for t01001. */
export async function actorId(rpc, address) {
  const filecoin = address.startsWith('0x') ? await rpc('Filecoin.EthAddressToFilecoinAddress', [address]) : address;
  const id = await rpc('Filecoin.StateLookupID', [filecoin, null]);
  return Number(id.slice(2));
}

/** A market deal as Lotus shows it, or undefined once the market no longer has it (expired, slashed). */
export async function marketDeal(rpc, dealId) {
  try {
    return await rpc('Filecoin.StateMarketStorageDeal', [Number(dealId), null]);
  } catch {
    return undefined;
  }
}
