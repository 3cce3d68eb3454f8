// End to end with cast subcommands past cast.test.ts's (offline signing, logs, what Lotus lacks), typed
// as a Foundry user types them with only --rpc-url changed, against the devnet CLI.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { before, describe, test } from 'node:test';
import { keccak256 } from 'ethers';
import { DEV_ACCOUNTS, DEVNET_CHAIN_ID, pollUntil } from '../helpers/devnet-process.js';
import { CAST_BIN, cast, castOk } from '../helpers/foundry.js';
import { LOG_EMITTER_INITCODE, LOG_EMITTER_RUNTIME, LOG_TOPIC, word } from '../helpers/log-emitter.js';
import { compileFixtures } from '../helpers/solc.js';
import { useDevnet } from '../helpers/use-devnet.js';

interface CastLog {
  address: string;
  topics: string[];
  blockNumber: string;
  transactionHash: string;
}

describe('cast subcommands against the devnet CLI', () => {
  const devnet = useDevnet();
  const sender = DEV_ACCOUNTS[2]!;
  let emitter: string;

  const rpc = (): string[] => ['--rpc-url', devnet.url];
  /** `cast send` of `word(n)` to the emitter (it logs LOG_TOPIC and the word); the mined receipt. */
  const emit = async (n: number): Promise<{ transactionHash: string; blockNumber: string }> =>
    JSON.parse(await castOk(['send', '--private-key', sender.privateKey, ...rpc(), '--json', emitter, word(n)]));
  const logs = async (args: string[]): Promise<CastLog[]> => JSON.parse(await castOk(['logs', ...rpc(), '--json', ...args])) as CastLog[];

  before(async () => {
    const receipt = JSON.parse(await castOk(['send', '--private-key', sender.privateKey, ...rpc(), '--json', '--create', LOG_EMITTER_INITCODE]));
    emitter = receipt.contractAddress as string;
  });

  test('cast mktx signs, cast publish sends the signed bytes; cast tx --raw gives those bytes back', async () => {
    const raw = await castOk(['mktx', '--private-key', sender.privateKey, ...rpc(), emitter, word(1)]);
    const receipt = JSON.parse(await castOk(['publish', raw, ...rpc()])) as { status: string; transactionHash: string };
    assert.equal(receipt.status, '0x1');
    assert.equal(await castOk(['keccak', raw]), receipt.transactionHash);
    assert.equal(await castOk(['tx', receipt.transactionHash, '--raw', ...rpc()]), raw);
    assert.equal(await castOk(['tx', receipt.transactionHash, 'from', ...rpc()]), sender.address);
  });

  test('cast logs --from-block/--to-block with a topic and an indexed argument', async () => {
    const first = await emit(2);
    const second = await emit(3);
    const range = ['--from-block', String(Number(first.blockNumber)), '--to-block', String(Number(second.blockNumber)), '--address', emitter];
    assert.deepEqual((await logs([...range, LOG_TOPIC])).map((l) => l.transactionHash), [first.transactionHash, second.transactionHash]);
    assert.deepEqual((await logs([...range, LOG_TOPIC, word(3)])).map((l) => l.transactionHash), [second.transactionHash]);
    const onlyFirst = ['--from-block', String(Number(first.blockNumber)), '--to-block', String(Number(first.blockNumber)), '--address', emitter];
    assert.deepEqual((await logs(onlyFirst)).map((l) => l.transactionHash), [first.transactionHash]);
  });

  // Without --json: cast 1.7.1's --subscribe prints nothing with it, against Anvil too.
  test('cast logs --subscribe over WebSocket prints a log as it is mined', async (t) => {
    const subscriber = spawn(CAST_BIN, ['logs', '--subscribe', '--rpc-url', devnet.wsUrl, '--address', emitter], { env: { ...process.env, NO_COLOR: '1' } });
    t.after(() => subscriber.kill());
    let printed = '';
    subscriber.stdout.setEncoding('utf8').on('data', (chunk: string) => (printed += chunk));
    const subscriptions = () => devnet.output().split('\n').filter((line) => line.trim() === 'eth_subscribe').length;
    const before = subscriptions();
    await pollUntil('cast to subscribe', async () => (subscriptions() > before ? true : undefined), { attempts: 400 });
    const mined = await emit(4);
    await pollUntil('the log on cast\'s output', async () => (printed.includes(mined.transactionHash) ? true : undefined), { attempts: 1_200 });
    assert.match(printed, new RegExp(`topics: \\[\\s+${LOG_TOPIC}\\s+${word(4)}\\s+\\]`));
  });

  // Both ask eth_getProof, which Lotus does not serve: calibnet refuses them the same way; README's
  // stand-in for codehash is `cast keccak $(cast code …)` (README, Foundry).
  test('cast codehash and cast storage-root are refused as calibnet refuses them: eth_getProof not found; cast keccak of cast code is the code hash', async () => {
    for (const sub of ['codehash', 'storage-root']) {
      const r = await cast([sub, emitter, ...rpc()]);
      assert.notEqual(r.code, 0, `cast ${sub} should fail; stdout: ${r.stdout}`);
      assert.match(r.stderr, /-32601: method 'eth_getProof' not found/);
    }
    const code = await castOk(['code', emitter, ...rpc()]);
    assert.equal(code, LOG_EMITTER_RUNTIME);
    assert.equal(await castOk(['keccak', code]), keccak256(LOG_EMITTER_RUNTIME));
  });

  // With instant mining the transaction is mined before eth_sendRawTransaction answers, and cast counts
  // confirmations only while it polls for the receipt: it does not wait for more tipsets (README, Foundry).
  test('cast send --confirmations 3 with instant mining answers with its receipt; no tipset is mined after it', async () => {
    const receipt = JSON.parse(await castOk(['send', '--private-key', sender.privateKey, ...rpc(), '--json', '--confirmations', '3', emitter, word(6)]));
    assert.equal(receipt.status, '0x1');
    assert.equal(await castOk(['block-number', ...rpc()]), String(Number(receipt.blockNumber)));
  });

  // cast takes a failed transaction's reason from an eth_call error saying `execution reverted: …`;
  // Lotus's says `message execution failed (exit=[33], revert reason=[Error(nope)], …)`, so no
  // revertReason line, as on calibnet (README, Foundry).
  test('a failed cast send and its cast receipt print status 0 (failed) without a revertReason line', async () => {
    const { Counter } = await compileFixtures();
    const deployed = JSON.parse(await castOk(['send', '--private-key', sender.privateKey, ...rpc(), '--json', '--create', Counter!.bytecode]));
    // fail() always reverts with Error("nope"); a fixed gas limit gets it mined rather than refused at estimation.
    const sent = await castOk(['send', '--private-key', sender.privateKey, ...rpc(), '--gas-limit', '50000000', deployed.contractAddress, 'fail()']);
    const hash = /^transactionHash\s+(0x[0-9a-f]{64})$/m.exec(sent)?.[1];
    assert.ok(hash, sent);
    for (const printed of [sent, await castOk(['receipt', hash, ...rpc()])]) {
      assert.match(printed, /^status\s+0 \(failed\)$/m);
      assert.doesNotMatch(printed, /revertReason/);
    }
  });

  // Lotus takes legacy (type 0, EIP-155) transactions since nv23. cast run replays the transactions
  // before the asked one in its tipset (`Executing previous transactions from the block`); --quick
  // skips them, so the second increment() of one tipset runs there on a count of 0 (a new slot).
  test('cast send --legacy is mined as type 0; cast run of the second send in a tipset replays the first, --quick does not', async (t) => {
    const { Counter } = await compileFixtures();
    const counter = JSON.parse(await castOk(['send', '--private-key', sender.privateKey, ...rpc(), '--json', '--create', Counter!.bytecode])).contractAddress as string;
    const increment = (key: string, flags: string[]): Promise<string> => castOk(['send', '--async', ...flags, '--private-key', key, ...rpc(), counter, 'increment()']);
    await castOk(['rpc', 'evm_setAutomine', 'false', ...rpc()]);
    t.after(() => castOk(['rpc', 'evm_setAutomine', 'true', ...rpc()]));
    const legacy = await increment(sender.privateKey, ['--legacy']);
    const eip1559 = await increment(DEV_ACCOUNTS[3]!.privateKey, []);
    await castOk(['rpc', 'evm_mine', ...rpc()]);
    await castOk(['rpc', 'evm_setAutomine', 'true', ...rpc()]);
    const receipts = await Promise.all([legacy, eip1559].map(async (hash) => JSON.parse(await castOk(['receipt', hash, '--json', ...rpc()]))));
    assert.deepEqual(receipts.map((r) => [r.type, r.status, r.blockNumber]), [['0x0', '0x1', receipts[0].blockNumber], ['0x2', '0x1', receipts[0].blockNumber]]);
    // The node's EIP-155 v, chainId × 2 + 35 or 36 (cast tx <hash> v prints 27 or 28 whatever the node says).
    const { v } = JSON.parse(await castOk(['tx', legacy, '--json', ...rpc()])) as { v: string };
    assert.ok([35n, 36n].includes(BigInt(v) - 2n * BigInt(DEVNET_CHAIN_ID)), `v ${v}`);
    const second = receipts.find((r) => Number(r.transactionIndex) === 1)!.transactionHash as string;
    const gasUsed = async (flags: string[]): Promise<number> => {
      const out = await castOk(['run', ...flags, second, ...rpc()]);
      assert.match(out, /Transaction successfully executed/);
      return Number(/^Gas used: (\d+)$/m.exec(out)?.[1]);
    };
    const replayed = await gasUsed([]);
    const alone = await gasUsed(['--quick']);
    // 0 → 1 stores a new slot (20 000 gas), 1 → 2 rewrites one (2 900).
    assert.equal(alone - replayed, 20_000 - 2_900, `cast run: ${replayed}, --quick: ${alone}`);
  });

  // Lotus's eth_getLogs limit (2 880 epochs, -32005): cast retries it (about 13 s) before it stops.
  test('cast logs --from-block 0 past 2 880 epochs is refused with Lotus\'s range limit; 2 880 epochs are read', async () => {
    await castOk(['rpc', 'anvil_mine', '0xb42', ...rpc()]);
    const late = await emit(5);
    const head = Number(await castOk(['block-number', ...rpc()]));
    const r = await cast(['logs', ...rpc(), '--from-block', '0', '--address', emitter]);
    assert.notEqual(r.code, 0, `cast logs should fail; stdout: ${r.stdout}`);
    assert.match(r.stderr, new RegExp(`-32005: block range exceeds maximum of 2880 \\(got ${head}\\)`));
    // Lotus counts a range as toBlock − fromBlock: the log mined after the 2 882 epochs is read, the earlier ones are out of range.
    assert.deepEqual((await logs(['--from-block', String(head - 2880), '--to-block', String(head), '--address', emitter])).map((l) => l.transactionHash), [late.transactionHash]);
  });
});
