// Writes on a fork whose first steps read upstream state not fetched yet: each runs exactly once
// (the fetch-and-retry happens around the reads inside the node's operations, never around the RPC
// method), a contract's console.log lines print once for the run that counts, and a re-fork that
// fails half-way leaves the node exactly as it was; a saved chain is refused (anvil_loadState).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { ContractFactory, Interface, JsonRpcProvider, Wallet } from 'ethers';
import { FilAddress } from '../../src/common/address.js';
import { hexToBytes } from '../../src/common/hex.js';
import type { Message } from '../../src/fevm/message.js';
import { startDevnet, testConfig } from '../../src/index.js';
import { DEV_ACCOUNTS } from '../helpers/devnet-process.js';
import { signTx } from '../helpers/dev-wallet.js';
import { rpc } from '../helpers/fork-calls.js';
import { nativeKey } from '../helpers/hostile.js';
import { setupRpc } from '../helpers/rpc-harness.js';
import { compileFixtures } from '../helpers/solc.js';
import { upstreamProxy } from '../helpers/upstream-proxy.js';

const FIL = 10n ** 18n;
const WHALE = '0x1111111111111111111111111111111111111111';
const RECIPIENT = '0x2222222222222222222222222222222222222222';
const hex = (n: bigint | number) => `0x${n.toString(16)}`;

/** An upstream devnet with a funded f410 whale and two funded f1 accounts, and a fork of it (in-process) behind a proxy. */
async function forkedUpstream(t: TestContext) {
  const upstream = await startDevnet(testConfig());
  t.after(() => upstream.close());
  const natives = [nativeKey(21), nativeKey(22)];
  await upstream.devnet.cheats.setBalance(hexToBytes(WHALE), 50n * FIL);
  for (const { address } of natives) await upstream.devnet.cheats.fundNative(address, 1000n * FIL);
  const { url, mode } = await upstreamProxy(t, upstream.url);
  const fork = await setupRpc(t, { fork: { url, upstream: { retries: 1, backoffMs: 10 } } });
  return { upstream, natives, mode, ...fork };
}

/** A value transfer from an f1 account, as a wallet would sign it for MpoolPush. */
function transfer(from: FilAddress, nonce: number, to: string, value: bigint): Message {
  return { version: 0, to: FilAddress.parse(to), from, nonce, value, gasLimit: 10_000_000, gasFeeCap: 10n ** 10n, gasPremium: 10n ** 5n, method: 0, params: new Uint8Array() };
}

describe('writes on a fork run once', () => {
  test('an impersonated upstream sender\'s first transaction, and a batch of MpoolPush from unfetched f1 accounts, each run once', async (t) => {
    const { natives, result, devnet } = await forkedUpstream(t);
    const start = devnet.head.epoch;

    // The whale's actor is not fetched: its first send reads it in estimation, nonce and pool checks.
    await result('anvil_impersonateAccount', [WHALE]);
    const hash = await result('eth_sendTransaction', [{ from: WHALE, to: RECIPIENT, value: hex(FIL) }]);
    assert.equal((await result('eth_getTransactionReceipt', [hash])).status, '0x1');
    assert.equal(await result('eth_getTransactionCount', [WHALE, 'latest']), '0x1');
    assert.equal(BigInt(await result('eth_getBalance', [RECIPIENT, 'latest'])), FIL);

    // Two messages in one batch, each from an f1 account the fork has not read: the first must not be
    // pushed again when the second's sender is fetched.
    const batch = natives.map(({ address, sign }) => sign(transfer(address, 0, 't01000', 2n)));
    const cids = await result('Filecoin.MpoolBatchPush', [batch]);
    assert.equal(cids.length, 2);
    for (const { address } of natives) assert.equal(await result('Filecoin.MpoolGetNonce', [address.toString()]), 1);
    // Three tipsets, one message each: nothing sent twice, no nonce skipped.
    const counts = [];
    for (let epoch = start + 1; epoch <= devnet.head.epoch; epoch++) counts.push(devnet.chain.atEpoch(epoch)?.messages.length ?? 0);
    assert.deepEqual(counts, [1, 1, 1]);
  });

  test('MpoolPushMessage and MarketAddBalance from the ID address of an upstream f1 account the fork has not read, impersonated by its masked ID or its key imported, are sent (fidaudit4 V12)', async (t) => {
    const { upstream, natives, result } = await forkedUpstream(t);
    const ids = natives.map(({ address }) => `t0${upstream.devnet.stateAt(upstream.devnet.head.epoch).lookupId(address)}`);
    // The first account impersonated by its masked ID: its message goes into the pool unsigned.
    await result('anvil_impersonateAccount', [`0xff${'0'.repeat(22)}${Number(ids[0].slice(2)).toString(16).padStart(16, '0')}`]);
    const pushed = await result('Filecoin.MpoolPushMessage', [{ From: ids[0], To: natives[1].address.toString(), Value: '3', Method: 0, Params: null }, null]);
    assert.equal(pushed.Message.From, natives[0].address.toString('t'));
    assert.equal((await result('Filecoin.StateWaitMsg', [pushed.CID, 1, -1, true])).Receipt.ExitCode, 0);
    // The second's key imported: signed with it, as Lotus signs a push from an ID address.
    await result('Filecoin.WalletImport', [{ Type: 'secp256k1', PrivateKey: Buffer.from(new Uint8Array(32).fill(22)).toString('base64') }]);
    const added = await result('Filecoin.MarketAddBalance', [ids[1], ids[1], '1']);
    assert.equal((await result('Filecoin.StateWaitMsg', [added, 1, -1, true])).Receipt.ExitCode, 0);
    assert.equal((await result('Filecoin.StateMarketBalance', [ids[1], null])).Escrow, '1');
  });

  test('a contract\'s console.log lines print once, for the run that counts, in an eth_call and in a tipset', async (t) => {
    const upstream = await startDevnet(testConfig());
    t.after(() => upstream.close());
    const { ConsoleUser } = await compileFixtures();
    const provider = new JsonRpcProvider(upstream.url, undefined, { staticNetwork: true });
    t.after(() => provider.destroy());
    const deployed = await new ContractFactory(ConsoleUser.abi, ConsoleUser.bytecode, new Wallet(DEV_ACCOUNTS[0].privateKey, provider)).deploy();
    await deployed.waitForDeployment();
    const address = await deployed.getAddress();
    const { result, devnet } = await setupRpc(t, { fork: { url: upstream.url, blockNumber: upstream.devnet.head.epoch } });
    const lines: string[] = [];
    devnet.events.on('consoleLog', (line) => lines.push(line));
    const iface = new Interface(ConsoleUser.abi);

    // Cold: the contract's address, its actor, then its storage (read as zero in a run that is redone).
    await result('eth_call', [{ from: DEV_ACCOUNTS[1].address, to: address, data: iface.encodeFunctionData('hello', [7]) }, 'latest']);
    assert.deepEqual(lines, ['value is 7', `${DEV_ACCOUNTS[1].address} true`]);

    // A transaction with its gas given (no estimate): it prints, then reads the whale, whom the fork has not read.
    lines.length = 0;
    const nonce = Number(await result('eth_getTransactionCount', [DEV_ACCOUNTS[0].address, 'latest']));
    const raw = await signTx({ nonce, to: address, gasLimit: 50_000_000, value: 0n, data: iface.encodeFunctionData('helloThenBalance', [WHALE]) });
    const hash = await result('eth_sendRawTransaction', [raw]);
    assert.equal((await result('eth_getTransactionReceipt', [hash])).status, '0x1');
    assert.deepEqual(lines, ['checking 1']);
  });
});

describe('setCode on a forked contract', () => {
  // newuser3 U8 on a fork: the contract's slots are the upstream's, read when code comes back.
  test('empty code makes a forked contract an account that sends; code set again reads the upstream\'s slot', async (t) => {
    const upstream = await startDevnet(testConfig());
    t.after(() => upstream.close());
    // Returns its slot 0 (PUSH1 0 SLOAD PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN), which holds 42.
    const reader = `0x${'46'.repeat(20)}`;
    const code = '0x60005460005260206000f3';
    await rpc(upstream.url, 'anvil_setCode', [reader, code]);
    await rpc(upstream.url, 'anvil_setStorageAt', [reader, '0x0', `0x${'2a'.padStart(64, '0')}`]);
    await rpc(upstream.url, 'anvil_setBalance', [reader, hex(FIL)]);
    const { result } = await setupRpc(t, { fork: { url: upstream.url } });
    await result('anvil_setCode', [reader, '0x']);
    assert.equal(await result('eth_getCode', [reader, 'latest']), '0x');
    assert.equal(await result('eth_getTransactionCount', [reader, 'latest']), '0x1');
    await result('anvil_impersonateAccount', [reader]);
    const hash = await result('eth_sendTransaction', [{ from: reader, to: RECIPIENT, value: '0x1' }]);
    assert.equal((await result('eth_getTransactionReceipt', [hash])).status, '0x1');
    await result('anvil_setCode', [reader, code]);
    assert.equal(await result('eth_call', [{ to: reader }, 'latest']), `0x${'2a'.padStart(64, '0')}`);
    assert.equal(await result('eth_getTransactionCount', [reader, 'latest']), '0x2');
  });
});

describe('a re-fork that fails', () => {
  test('leaves state, chain, head and pool exactly as they were; then a re-fork succeeds', async (t) => {
    const { mode, result, error, devnet, upstream } = await forkedUpstream(t);
    await result('evm_setAutomine', [false]);
    await result('anvil_setBalance', [RECIPIENT, hex(3n * FIL)]);
    const pending = await result('eth_sendRawTransaction', [await signTx({ nonce: 0, to: RECIPIENT, value: 5n, gasLimit: 10_000_000 })]);
    await result('evm_mine', []);
    const second = await result('eth_sendRawTransaction', [await signTx({ nonce: 1, to: RECIPIENT, value: 7n, gasLimit: 10_000_000 })]);
    const before = {
      head: await result('eth_getBlockByNumber', ['latest', false]),
      balance: await result('eth_getBalance', [RECIPIENT, 'latest']),
      pool: await result('txpool_status', []),
      fork: (await result('anvil_nodeInfo', [])).forkConfig,
      version: devnet.stateVersion,
    };
    assert.equal(before.pool.pending, '0x1');

    // The upstream answers where the fork starts, then fails every state read the new fork makes.
    await upstream.devnet.mine();
    mode.failing = new Set(['Filecoin.StateGetActor', 'Filecoin.StateLookupID']);
    const failed = await error('anvil_reset', [{ forking: { blockNumber: devnet.head.epoch } }]);
    assert.match(failed.message, /^upstream Filecoin\.State\w+ failed after 2 attempts: HTTP 500/);
    assert.deepEqual(
      {
        head: await result('eth_getBlockByNumber', ['latest', false]),
        balance: await result('eth_getBalance', [RECIPIENT, 'latest']),
        pool: await result('txpool_status', []),
        fork: (await result('anvil_nodeInfo', [])).forkConfig,
        version: devnet.stateVersion,
      },
      before,
    );
    // The node goes on: the pending transaction is mined on top of the same head.
    await result('evm_mine', []);
    assert.equal((await result('eth_getTransactionReceipt', [second])).status, '0x1');
    assert.equal((await result('eth_getTransactionReceipt', [pending])).status, '0x1');
    assert.equal(BigInt(await result('eth_getBalance', [RECIPIENT, 'latest'])), 3n * FIL + 12n);

    mode.failing.clear();
    const epoch = Number(await result('eth_blockNumber', []));
    const upstreamHead = upstream.devnet.head.epoch;
    await result('anvil_reset', [{ forking: { blockNumber: upstreamHead } }]);
    assert.notEqual(epoch, upstreamHead);
    assert.equal(Number(await result('eth_blockNumber', [])), upstreamHead);
    assert.equal(await result('eth_getBalance', [RECIPIENT, 'latest']), '0x0');
  });
});

describe('a saved chain on a fork', () => {
  test('anvil_loadState is refused on a fork, as --load-state is at start-up; the node is unchanged', async (t) => {
    const { result, error, devnet, upstream } = await forkedUpstream(t);
    const dump = `0x${Buffer.from(upstream.devnet.save()).toString('hex')}`;
    const before = { head: await result('eth_getBlockByNumber', ['latest', false]), whale: await result('eth_getBalance', [WHALE, 'latest']), version: devnet.stateVersion };
    const refused = await error('anvil_loadState', [dump]);
    assert.match(refused.message, /a saved chain cannot be loaded into a fork/);
    // The same JSON-RPC error as any state file a node refuses (here: another chain id's).
    const otherChain = await (await setupRpc(t, { chainId: 1n })).error('anvil_loadState', [dump]);
    assert.match(otherChain.message, /chain id/);
    assert.equal(refused.code, otherChain.code);
    assert.deepEqual({ head: await result('eth_getBlockByNumber', ['latest', false]), whale: await result('eth_getBalance', [WHALE, 'latest']), version: devnet.stateVersion }, before);
    assert.equal(BigInt(before.whale), 50n * FIL);
  });

  // review R51: forked, a --state node could no longer save its chain, and its journal then refused every write.
  test('anvil_reset with forking is refused on a node started with --state, which goes on as it was', async (t) => {
    const upstream = await startDevnet(testConfig());
    t.after(() => upstream.close());
    const dir = mkdtempSync(join(tmpdir(), 'fvm-devnet-refork-'));
    const node = await startDevnet(testConfig({ statePath: join(dir, 'chain.state') }));
    t.after(async () => {
      await node.close();
      rmSync(dir, { recursive: true, force: true });
    });
    await rpc(node.url, 'eth_sendRawTransaction', [await signTx({ nonce: 0, to: RECIPIENT, value: FIL })]);
    await assert.rejects(
      rpc(node.url, 'anvil_reset', [{ forking: { jsonRpcUrl: upstream.url } }]),
      /anvil_reset: anvil_reset with forking is refused on a node started with --state or --dump-state/,
    );
    assert.equal(node.devnet.fork, undefined);
    assert.equal(await rpc(node.url, 'eth_getBalance', [RECIPIENT, 'latest']), hex(FIL));
    await rpc(node.url, 'eth_sendRawTransaction', [await signTx({ nonce: 1, to: RECIPIENT, value: FIL })]);
    assert.equal(await rpc(node.url, 'eth_getBalance', [RECIPIENT, 'latest']), hex(2n * FIL));
  });

  test('anvil_dumpState (hardhat_dumpState) is refused on a fork, as --dump-state is at start-up, not answered with a dump no node loads (fidaudit4 V19)', async (t) => {
    const { result, error, send, upstream } = await forkedUpstream(t);
    await send({ nonce: 0, to: RECIPIENT, value: FIL });
    const refused = await error('anvil_dumpState', []);
    assert.equal(refused.message, 'a forked chain cannot be saved (anvil_dumpState on a forked node): it holds only what the fork wrote, not what it read');
    assert.deepEqual(await error('hardhat_dumpState', []), refused);
    // The same JSON-RPC error as a fork's refusal of anvil_loadState.
    assert.equal(refused.code, (await error('anvil_loadState', [`0x${Buffer.from(upstream.devnet.save()).toString('hex')}`])).code);
    await send({ nonce: 1, to: RECIPIENT, value: FIL });
    assert.equal(BigInt(await result('eth_getBalance', [RECIPIENT, 'latest'])), 2n * FIL);
  });
});
