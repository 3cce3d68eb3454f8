// Traces end to end with Foundry's cast against the devnet CLI: the node's debug_traceTransaction
// and trace_transaction through `cast rpc`, and `cast run` / `cast call --trace`. The latter two
// do not ask the node for traces: they re-execute the transaction in Foundry's own EVM (revm)
// against the node's state (eth_getCode, eth_getStorageAt, …), so they work for plain EVM code
// but know nothing of the FEVM (its precompiles, FVM gas).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { Interface, getCreateAddress } from 'ethers';
import { DEV_ACCOUNTS } from '../helpers/devnet-process.js';
import { castOk } from '../helpers/foundry.js';
import { compileFixtures, type CompiledContract } from '../helpers/solc.js';
import { useDevnet } from '../helpers/use-devnet.js';

describe('traces with Foundry cast against the devnet CLI', () => {
  const devnet = useDevnet();
  let artifacts: Record<string, CompiledContract>;
  let caller: string;
  let callee: string;
  let storeHash: string;
  const sender = DEV_ACCOUNTS[0]!;
  const rpc = (): string[] => ['--rpc-url', devnet.url];

  before(async () => {
    artifacts = await compileFixtures();
    const send = async (args: string[]) => JSON.parse(await castOk(['send', '--private-key', sender.privateKey, ...rpc(), '--json', ...args])) as { status: string; transactionHash: string };
    callee = getCreateAddress({ from: sender.address, nonce: 0 });
    assert.equal((await send(['--create', artifacts.TraceCallee!.bytecode])).status, '0x1');
    caller = getCreateAddress({ from: sender.address, nonce: 1 });
    const deployCaller = artifacts.TraceCaller!.bytecode + new Interface(artifacts.TraceCaller!.abi).encodeDeploy([callee]).slice(2);
    assert.equal((await send(['--create', deployCaller])).status, '0x1');
    const stored = await send([caller, 'callStore(uint256)', '42']);
    assert.equal(stored.status, '0x1');
    storeHash = stored.transactionHash;
  });

  test('cast rpc debug_traceTransaction with callTracer, and trace_transaction', async () => {
    const frame = JSON.parse(await castOk(['rpc', 'debug_traceTransaction', storeHash, '{"tracer":"callTracer"}', ...rpc()]));
    assert.equal(frame.type, 'CALL');
    assert.equal(frame.to, caller.toLowerCase());
    assert.equal(frame.calls[0].to, callee.toLowerCase());
    assert.equal(BigInt(frame.output), 84n);
    const traces = JSON.parse(await castOk(['rpc', 'trace_transaction', storeHash, ...rpc()]));
    assert.deepEqual(
      traces.map((t: any) => [t.action.from, t.action.to, t.traceAddress]),
      [
        [sender.address.toLowerCase(), caller.toLowerCase(), []],
        [caller.toLowerCase(), callee.toLowerCase(), [0]],
      ],
    );
    // Lotus's gasUsed is each send's own: the callee made no sends, so its gas is the callTracer's;
    // the caller's is the receipt's less the callee's.
    const receipt = JSON.parse(await castOk(['rpc', 'eth_getTransactionReceipt', storeHash, ...rpc()]));
    assert.equal(traces[1].result.gasUsed, frame.calls[0].gasUsed);
    assert.equal(BigInt(traces[0].result.gasUsed), BigInt(receipt.gasUsed) - BigInt(frame.calls[0].gasUsed));
  });

  test('cast run replays a mined transaction in its own EVM from the node state', async () => {
    // A home of its own: cast run names an event from ~/.foundry/cache/signatures, which any earlier forge or
    // cast run on this machine may have filled with Stored(uint256); with none it shows the raw topic.
    const home = mkdtempSync(join(tmpdir(), 'cast-run-home-'));
    const out = await castOk(['run', storeHash, ...rpc()], { env: { HOME: home } }).finally(() => rmSync(home, { recursive: true, force: true }));
    assert.match(out, /Transaction successfully executed/);
    // The callee's store(42) inside the caller's callStore(42), with its event.
    assert.match(out, /6057361d\(000000000000000000000000000000000000000000000000000000000000002a\)/);
    assert.match(out, /emit topic 0: 0xc6d8c0af6d21f291e7c359603aa97e0ed500f04db6e983b9fce75a91c6b8da6b/);
  });

  test('cast call --trace', async () => {
    const out = await castOk(['call', '--trace', caller, 'read()(uint256)', ...rpc()]);
    assert.match(out, /\[staticcall\]/);
    assert.match(out, /0x000000000000000000000000000000000000000000000000000000000000002a/);
  });
});
