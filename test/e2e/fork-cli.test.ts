// End to end, the fork's smaller promises, against one upstream fvm-devnet (calibnet's chain id, two
// dev accounts of 50 FIL, the first having sent a transaction, and an f3 account funded at genesis):
// -f and FVM_DEVNET_FORK_TOKEN (sent as a bearer token, never shown), the start's round trips, the deal
// schedule read from a send's first request, the fork epoch's block asked once, the warm-up's progress line,
// the upstream's chain id in the banner, --no-fork-cache writing nothing, an impersonated f3 account
// sending, and the dev accounts' funding (an upstream one keeps its nonce and kind, a new one is
// created).
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { JsonRpcProvider, Wallet } from 'ethers';
import { accountFromPrivateKey } from 'iso-filecoin/wallet';
import { DEV_ACCOUNT_BALANCE, DEV_ACCOUNTS, pollUntil, startDevnet, type DevnetProcess } from '../helpers/devnet-process.js';
import { hex, masked, rpc, sendFromDev } from '../helpers/fork-calls.js';
import { freshForkCache, stopForkSuite } from '../helpers/fork-suite.js';
import { upstreamProxy } from '../helpers/upstream-proxy.js';

const FIL = 10n ** 18n;
const CALIBNET_CHAIN_ID = 314159;
const TOKEN = 'fork-cli-secret-token';
const bls = accountFromPrivateKey(new Uint8Array(32).fill(11), 'BLS', 'testnet');
/** The upstream's dev account 0 sends this to SPENT_TO before the fork epoch. */
const SPENT_TO = '0x3333333333333333333333333333333333333333';

/** Starts a node with `env` added to this process's environment (startDevnet spawns with it). */
async function startWithEnv(args: string[], env: Record<string, string>): Promise<DevnetProcess> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return await startDevnet(args);
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** Every file under `dir`, recursively. */
const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name);

describe('fork command line and funding', () => {
  let upstream: DevnetProcess;
  let cacheDir: string;
  let forkEpoch: number;
  const forkArgs = (url: string) => ['--fork-block-number', String(forkEpoch), '--storage-providers', '0', '--fork-url', url];

  before(async () => {
    cacheDir = freshForkCache('fvm-fork-cli-');
    upstream = await startDevnet(['--chain-id', String(CALIBNET_CHAIN_ID), '--accounts', '2', '--balance', '50', '--fund', `${bls.address.toString()}=1000`]);
    const provider = new JsonRpcProvider(upstream.url, undefined, { cacheTimeout: -1, staticNetwork: true });
    await (await new Wallet(DEV_ACCOUNTS[0].privateKey, provider).sendTransaction({ to: SPENT_TO, value: FIL })).wait();
    provider.destroy();
    forkEpoch = Number(await rpc(upstream.url, 'eth_blockNumber'));
  });

  after(() => stopForkSuite([upstream], cacheDir));

  test('-f forks like --fork-url; FVM_DEVNET_FORK_TOKEN reaches the upstream as a bearer token and is never shown', async (t) => {
    const proxy = await upstreamProxy(t, upstream.url);
    const args = forkArgs(proxy.url);
    args.splice(args.indexOf('--fork-url'), 1, '-f');
    const fork = await startWithEnv(args, { FVM_DEVNET_FORK_TOKEN: TOKEN });
    try {
      assert.match(fork.output(), new RegExp(`Fork: +${proxy.url}/rpc/v1 \\(fvm-devnet\\) at epoch ${forkEpoch}\\b`));
      // A read the fork has not cached yet goes to the upstream with the token.
      const before = proxy.mode.authorizations.length;
      assert.equal(await rpc(fork.url, 'eth_getBalance', [SPENT_TO, 'latest']), hex(Number(FIL)));
      assert.ok(proxy.mode.authorizations.length > before);
      assert.deepEqual(new Set(proxy.mode.authorizations), new Set([`Bearer ${TOKEN}`]));
      const info = await rpc(fork.url, 'anvil_nodeInfo');
      assert.deepEqual(info.forkConfig, { forkUrl: `${proxy.url}/rpc/v1`, forkBlockNumber: forkEpoch });
      assert.ok(!JSON.stringify(info).includes(TOKEN));
      assert.ok(!fork.output().includes(TOKEN));
    } finally {
      await fork.stop();
    }
  });

  test("a start asks the upstream in 3 round trips: the fork point with the head's manifest; its state with the manifest's block and the start's reads; the manifest's data", async (t) => {
    const proxy = await upstreamProxy(t, upstream.url);
    // Without the cache, which holds this tipset's reads from the tests before.
    const fork = await startDevnet([...forkArgs(proxy.url), '--no-fork-cache']);
    try {
      const [first, state, data] = proxy.mode.requests;
      assert.ok(first!.includes('Filecoin.ChainGetTipSetByHeight') && first!.includes('Filecoin.StateReadState'), JSON.stringify(first));
      // The singletons' actors and the funded accounts' lookups go with the fork point's state.
      for (const method of ['Filecoin.StateVMCirculatingSupplyInternal', 'Filecoin.ChainReadObj', 'Filecoin.StateGetActor', 'Filecoin.StateLookupID']) assert.ok(state!.includes(method), `${method} in ${JSON.stringify(state)}`);
      assert.deepEqual(data, ['Filecoin.ChainReadObj']);
      // Nothing else but the premium history, read in the background (ForkSource.fetchTipsetFees).
      const rest = new Set(proxy.mode.requests.slice(3).flat());
      for (const method of ['Filecoin.ChainGetTipSetByHeight', 'Filecoin.ChainGetMessagesInTipset']) rest.delete(method);
      assert.deepEqual([...rest], []);
    } finally {
      await fork.stop();
    }
  });

  test("the market's deal schedule is read from the first nonce or estimate a send asks for: that send's tipset asks the upstream for none of it", async (t) => {
    const proxy = await upstreamProxy(t, upstream.url);
    const fork = await startDevnet([...forkArgs(proxy.url), '--no-fork-cache']);
    try {
      const readObj = () => proxy.mode.received.filter((method) => method === 'Filecoin.ChainReadObj').length;
      const [sender] = DEV_ACCOUNTS;
      // A call reads none of it.
      await rpc(fork.url, 'eth_call', [{ to: sender.address, data: '0x' }, 'latest']);
      const afterStart = readObj();
      assert.equal(proxy.mode.requests.slice(3).flat().filter((method) => method === 'Filecoin.ChainReadObj').length, 0);
      // The nonce a tool asks for before a send starts it (the upstream has no deal work: its HAMT's root).
      await rpc(fork.url, 'eth_getTransactionCount', [sender.address, 'pending']);
      await pollUntil('the deal schedule read ahead', async () => (readObj() > afterStart ? true : undefined));
      const asked = proxy.mode.received.length;
      await sendFromDev(fork.url, { to: DEV_ACCOUNTS[1].address, value: 1n });
      assert.deepEqual(proxy.mode.received.slice(asked).filter((method) => method === 'Filecoin.ChainReadObj'), []);
    } finally {
      await fork.stop();
    }
  });

  test("the upstream's block at the fork epoch, which `latest` names until the fork mines, is asked once per form", async (t) => {
    const proxy = await upstreamProxy(t, upstream.url);
    const fork = await startDevnet(forkArgs(proxy.url));
    try {
      const asked = () => proxy.mode.received.filter((method) => method === 'eth_getBlockByNumber').length;
      const hashes = await rpc(upstream.url, 'eth_getBlockByNumber', [hex(forkEpoch), false]);
      const full = await rpc(upstream.url, 'eth_getBlockByNumber', [hex(forkEpoch), true]);
      for (const tag of ['latest', 'finalized', hex(forkEpoch), 'latest']) assert.deepEqual(await rpc(fork.url, 'eth_getBlockByNumber', [tag, false]), hashes);
      assert.equal(asked(), 1);
      assert.deepEqual(await rpc(fork.url, 'eth_getBlockByNumber', ['latest', true]), full);
      assert.deepEqual(await rpc(fork.url, 'eth_getBlockByNumber', ['latest', true]), full);
      assert.equal(asked(), 2);
      // Once the fork has mined, `latest` is its own block.
      await rpc(fork.url, 'evm_mine');
      assert.equal((await rpc(fork.url, 'eth_getBlockByNumber', ['latest', false])).number, hex(forkEpoch + 1));
      assert.equal(asked(), 2);
    } finally {
      await fork.stop();
    }
  });

  test('a warm-up slowed by the upstream prints a progress line: what was fetched and what was held', async (t) => {
    const proxy = await upstreamProxy(t, upstream.url);
    const fork = await startDevnet(forkArgs(proxy.url));
    try {
      // Each upstream answer now takes 300 ms: six unknown addresses read one after another take seconds.
      proxy.mode.delayMs = 300;
      for (let i = 1; i <= 6; i++) assert.equal(await rpc(fork.url, 'eth_getBalance', [`0x${i.toString(16).padStart(40, '5')}`, 'latest']), '0x0');
      // Lines come as the warm-up goes on; the last one counts the addresses fetched by then.
      const progress = /Fork: fetched (\d+) actors, (\d+) addresses, (\d+) storage slots, (\d+) builtin-actor entries from the upstream \((\d+) reads from what was held\)/g;
      await pollUntil('a progress line counting 3 addresses or more', async () => {
        const line = [...fork.output().matchAll(progress)].at(-1);
        return line && Number(line[2]) >= 3 ? line : undefined;
      });
    } finally {
      await fork.stop();
    }
  });

  test("the banner shows the upstream's chain id, which eth_chainId answers", async () => {
    const fork = await startDevnet(forkArgs(upstream.url));
    try {
      assert.equal(await rpc(upstream.url, 'eth_chainId'), hex(CALIBNET_CHAIN_ID));
      assert.match(fork.output(), new RegExp(`Chain ID: +${CALIBNET_CHAIN_ID}\\n`));
      assert.equal(await rpc(fork.url, 'eth_chainId'), hex(CALIBNET_CHAIN_ID));
    } finally {
      await fork.stop();
    }
  });

  // Anvil's form, `--fork-url http://localhost:8545@1400000`: the URL without it reaches the upstream.
  test("--fork-url <url>@<epoch> forks at that epoch, as Anvil's; --fork-block-number given too wins; Anvil's --rpc-url is --fork-url; Lotus's API info multiaddr is read as the URL", async () => {
    for (const [args, epoch] of [[['--fork-url', `${upstream.url}@${forkEpoch - 1}`], forkEpoch - 1], [['--rpc-url', `${upstream.url}@${forkEpoch - 1}`, '--fork-block-number', String(forkEpoch)], forkEpoch], [['--fork-url', `/ip4/127.0.0.1/tcp/${upstream.port}/http`, '--fork-block-number', String(forkEpoch - 1)], forkEpoch - 1]] as const) {
      const fork = await startDevnet(['--storage-providers', '0', ...args]);
      try {
        assert.match(fork.output(), new RegExp(`Fork: +${upstream.url}/rpc/v1 \\(\\S+\\) at epoch ${epoch}\\n`));
        assert.equal(await rpc(fork.url, 'eth_blockNumber'), hex(epoch));
      } finally {
        await fork.stop();
      }
    }
  });

  test('--no-fork-cache writes nothing to the cache directory; without it the same run writes there', async () => {
    for (const noCache of [true, false]) {
      const dir = freshForkCache('fvm-fork-cli-nocache-');
      try {
        const fork = await startDevnet([...forkArgs(upstream.url), ...(noCache ? ['--no-fork-cache'] : [])]);
        try {
          assert.equal(await rpc(fork.url, 'eth_getBalance', [SPENT_TO, 'latest']), hex(Number(FIL)));
          assert.equal(await rpc(fork.url, 'eth_getTransactionCount', [DEV_ACCOUNTS[0].address, 'latest']), '0x1');
          await rpc(fork.url, 'Filecoin.StateGetActor', [bls.address.toString(), null]);
        } finally {
          await fork.stop();
        }
        const files = filesUnder(dir);
        if (noCache) assert.deepEqual(files, []);
        else assert.notDeepEqual(files, []);
      } finally {
        await stopForkSuite([], dir);
        process.env.FVM_DEVNET_CACHE_DIR = cacheDir;
      }
    }
  });

  test('an f3 (BLS) account of the upstream, impersonated by its masked ID address, sends on the fork', async () => {
    const fork = await startDevnet(forkArgs(upstream.url));
    try {
      const id = await rpc(fork.url, 'Filecoin.StateLookupID', [bls.address.toString(), null]);
      assert.equal(id, await rpc(upstream.url, 'Filecoin.StateLookupID', [bls.address.toString(), null]));
      const sender = masked(id);
      const recipient = '0x4444444444444444444444444444444444444444';
      assert.equal(BigInt(await rpc(fork.url, 'eth_getBalance', [sender, 'latest'])), 1000n * FIL);
      await rpc(fork.url, 'anvil_impersonateAccount', [sender]);
      const hash = await rpc(fork.url, 'eth_sendTransaction', [{ from: sender, to: recipient, value: hex(Number(2n * FIL)) }]);
      assert.equal((await rpc(fork.url, 'eth_getTransactionReceipt', [hash])).status, '0x1');
      assert.equal(BigInt(await rpc(fork.url, 'eth_getBalance', [recipient, 'latest'])), 2n * FIL);
      // The sender paid the value and a fee; its nonce moved on.
      const actor = await rpc(fork.url, 'Filecoin.StateGetActor', [bls.address.toString(), null]);
      assert.ok(BigInt(actor.Balance) < 998n * FIL && BigInt(actor.Balance) > 997n * FIL, actor.Balance);
      assert.equal(actor.Nonce, 1);
      // The upstream did not see it.
      assert.equal((await rpc(upstream.url, 'Filecoin.StateGetActor', [bls.address.toString(), null])).Balance, (1000n * FIL).toString());
      assert.equal(await rpc(upstream.url, 'eth_getBalance', [recipient, 'latest']), '0x0');
    } finally {
      await fork.stop();
    }
  });

  test('a dev account the upstream has keeps its nonce and kind and gets the dev balance; one it lacks is created', async () => {
    const fork = await startDevnet(forkArgs(upstream.url));
    try {
      const actorOf = async (url: string, i: number, at: unknown = null) =>
        rpc(url, 'Filecoin.StateGetActor', [await rpc(url, 'Filecoin.EthAddressToFilecoinAddress', [DEV_ACCOUNTS[i]!.address]), at]);
      const forkKey = (await rpc(upstream.url, 'Filecoin.ChainGetTipSetByHeight', [forkEpoch, null])).Cids;
      const theirs = await actorOf(upstream.url, 0, forkKey);
      assert.equal(theirs.Nonce, 1);
      assert.ok(BigInt(theirs.Balance) < 49n * FIL);
      const mine = await actorOf(fork.url, 0);
      assert.deepEqual(mine.Code, theirs.Code);
      assert.equal(mine.Nonce, 1);
      assert.equal(BigInt(mine.Balance), DEV_ACCOUNT_BALANCE);
      assert.equal(await rpc(fork.url, 'eth_getTransactionCount', [DEV_ACCOUNTS[0].address, 'latest']), '0x1');

      // Dev account 5 is not on the upstream (it has two); the fork creates it, of the same kind, with the dev balance.
      await assert.rejects(actorOf(upstream.url, 5), /actor not found/);
      const created = await actorOf(fork.url, 5);
      assert.deepEqual(created.Code, theirs.Code);
      assert.equal(created.Nonce, 0);
      assert.equal(BigInt(created.Balance), DEV_ACCOUNT_BALANCE);
      // Both send on the fork, with their keys, at the nonce the fork gave them.
      const provider = new JsonRpcProvider(fork.url, undefined, { cacheTimeout: -1, staticNetwork: true });
      for (const i of [0, 5]) {
        const receipt = await (await new Wallet(DEV_ACCOUNTS[i]!.privateKey, provider).sendTransaction({ to: SPENT_TO, value: FIL })).wait();
        assert.equal(receipt!.status, 1);
      }
      provider.destroy();
      assert.equal(await rpc(fork.url, 'eth_getTransactionCount', [DEV_ACCOUNTS[0].address, 'latest']), '0x2');
      assert.equal(await rpc(fork.url, 'eth_getTransactionCount', [DEV_ACCOUNTS[5].address, 'latest']), '0x1');
    } finally {
      await fork.stop();
    }
  });

  test("a contract's first eth_getCode answers once its code is read, not after its storage's KAMT: with every block read failing, the code; the call after reads the storage", async (t) => {
    // Init code: slot 0 := 42, then the runtime code, which returns slot 0.
    const runtime = '60005460005260206000f3';
    const { hash } = await sendFromDev(upstream.url, { data: `0x602a600055600b8060106000396000f3${runtime}` });
    const { contractAddress } = await rpc(upstream.url, 'eth_getTransactionReceipt', [hash]);
    const head = Number(await rpc(upstream.url, 'eth_blockNumber'));
    const proxy = await upstreamProxy(t, upstream.url);
    const fork = await startDevnet(['--fork-block-number', String(head), '--storage-providers', '0', '--fork-url', proxy.url, '--no-fork-cache']);
    try {
      // The storage KAMT is read a block at a time (ChainReadObj); each now fails (HTTP 500, retried for seconds).
      const from = proxy.mode.received.length;
      proxy.mode.failing.add('Filecoin.ChainReadObj');
      assert.equal(await rpc(fork.url, 'eth_getCode', [contractAddress, 'latest']), `0x${runtime}`);
      // The KAMT's read was started behind the answer, and refused (the proxy answers 500 to each ChainReadObj it received from here).
      await pollUntil('the storage KAMT read refused', async () => (proxy.mode.received.slice(from).includes('Filecoin.ChainReadObj') ? true : undefined));
      proxy.mode.failing.clear();
      // The call waits for the storage's read, retried once the blocks are served again.
      assert.equal(BigInt(await rpc(fork.url, 'eth_call', [{ to: contractAddress, data: '0x' }, 'latest'])), 42n);
    } finally {
      await fork.stop();
    }
  });
});
