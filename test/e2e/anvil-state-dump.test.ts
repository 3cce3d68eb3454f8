// An Anvil state dump brought to the devnet (a fixture Anvil and Hardhat users keep for viem's
// loadState or `anvil --load-state`): refused by name, not as a damaged file (audit26 V7). The dump
// comes from the real Anvil (the devDependency), through viem's test client.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { createPublicClient, createTestClient, hexToBytes, http, InvalidParamsRpcError, parseEther, type Hex } from 'viem';
import { startDevnet } from '../helpers/devnet-process.js';
import { startAnvil } from '../helpers/foundry.js';

const FUNDED = '0x00000000000000000000000000000000000babe1';
const NAMED = /is an Anvil state dump \(JSON with `accounts`\), not an fvm-devnet one: .*anvil_setBalance, anvil_setNonce, anvil_setCode and anvil_setStorageAt/;

/** A state dump of a fresh Anvil with one account funded: the gzipped hex anvil_dumpState answers. */
async function anvilDump(): Promise<Hex> {
  const anvil = await startAnvil();
  try {
    const anvilClient = createTestClient({ mode: 'anvil', transport: http(anvil.url) });
    await anvilClient.setBalance({ address: FUNDED, value: parseEther('7') });
    return await anvilClient.dumpState();
  } finally {
    await anvil.stop();
  }
}

test('an Anvil state dump: anvil_loadState (viem loadState) and --load-state refuse it by name; the chain is untouched', async (t) => {
  const dump = await anvilDump();
  const node = await startDevnet();
  t.after(() => node.stop());
  const testClient = createTestClient({ mode: 'anvil', transport: http(node.url) });
  const publicClient = createPublicClient({ transport: http(node.url), cacheTime: 0 });
  await testClient.mine({ blocks: 2 });

  // viem's loadState sends the gzipped hex as Anvil answered it: -32602, as Anvil answers a dump it cannot decode.
  const error = await testClient.loadState({ state: dump }).then(
    () => assert.fail('the Anvil dump was loaded'),
    (err: unknown) => err,
  );
  assert.ok(error instanceof InvalidParamsRpcError, String(error));
  assert.equal(error.code, -32602);
  assert.match(error.details, NAMED);
  assert.match(error.details, /^the state is an Anvil state dump/);
  assert.equal(await publicClient.getBlockNumber(), 2n);
  assert.equal(await publicClient.getBalance({ address: FUNDED }), 0n);

  // The same JSON as `anvil --dump-state <file>` writes it (plain), given to --load-state: the node exits saying so.
  const dir = mkdtempSync(join(tmpdir(), 'anvil-dump-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'anvil-state.json');
  writeFileSync(file, gunzipSync(hexToBytes(dump)));
  await assert.rejects(startDevnet(['--load-state', file]), (err: Error) => {
    assert.match(err.message, /state file \S+\/anvil-state\.json is an Anvil state dump/);
    assert.match(err.message, NAMED);
    return true;
  });
});
