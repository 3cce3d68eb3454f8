// --state and contracts' storage KAMT shapes (review Q2): from format 6 the file stores no contract's
// shape, which the load makes again from its slots, so a slot splitting an extension above a big
// subtree journals that slot, not the subtree again; a chain loaded has the shapes and the gas
// estimates of the node that saved it, and a file of format 5 (shapes stored) still loads.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AbiCoder, getCreateAddress, Interface, keccak256 } from 'ethers';
import { FilAddress } from '../../src/common/address.js';
import { decodeCbor } from '../../src/common/cbor.js';
import { hexToBytes } from '../../src/common/hex.js';
import { EMPTY_KAMT, withSlot, type KamtNode } from '../../src/fevm/actors/evm/kamt-shape.js';
import { journalPath, readStateFile, StateFile } from '../../src/devnet/state-file.js';
import { STATE_FORMAT } from '../../src/devnet/persistence.js';
import { createDevnet, testConfig, type Devnet } from '../../src/index.js';
import { CALL, devWallet, signTx } from '../helpers/dev-wallet.js';
import { compileSolidity, FIXTURE_CONTRACTS_DIR, REPO_ROOT, type CompiledContract } from '../helpers/solc.js';

const dir = mkdtempSync(join(tmpdir(), 'fvm-devnet-state-shapes-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let slotArray: CompiledContract;
before(async () => {
  ({ SlotArray: slotArray } = (await compileSolidity({ 'SlotArray.sol': readFileSync(join(FIXTURE_CONTRACTS_DIR, 'SlotArray.sol'), 'utf8') })) as { SlotArray: CompiledContract });
});
const iface = () => new Interface(slotArray.abi);

/** A devnet keeping `path` (no final save on dispose: as kill -9 leaves it). */
async function keptDevnet(path: string) {
  const loaded = readStateFile(path);
  const devnet = await createDevnet(testConfig(), loaded);
  const file = new StateFile(path, devnet, (err) => assert.fail(err), { loaded });
  return { devnet, file, [Symbol.dispose]: () => (file.close(), devnet.close()) };
}

/** Sends dev account 0's next transaction (`data` to `to`, a deployment when null), checks that it succeeded. */
async function send(devnet: Devnet, to: string | null, data: string, gasLimit = CALL.gasLimit): Promise<void> {
  const state = devnet.stateAt(devnet.head.epoch);
  const nonce = state.getActor(state.lookupId(FilAddress.fromDelegated(10, hexToBytes(devWallet.address)))!)!.nonce;
  await devnet.sendRawTransaction(hexToBytes(await signTx({ nonce, to, data, gasLimit }, { defaults: CALL })));
  assert.equal(devnet.head.messages.at(-1)?.receipt.exitCode, 0);
}

const CONTRACT = getCreateAddress({ from: devWallet.address, nonce: 0 });

/** The contract's actor at the head. */
function contract(devnet: Devnet) {
  const state = devnet.stateAt(devnet.head.epoch);
  return state.getActor(state.lookupId(FilAddress.fromDelegated(10, hexToBytes(CONTRACT)))!)!;
}

/** SlotArray's slots: the array's length (slot 0) and elements (from keccak(0)), the mapping's (keccak(key, 1)). */
const ELEMENTS = BigInt(keccak256(AbiCoder.defaultAbiCoder().encode(['uint256'], [0])));
const mappingSlot = (key: number) => BigInt(keccak256(AbiCoder.defaultAbiCoder().encode(['uint256', 'uint256'], [key, 1])));
/** The first mapping keys from `from` whose slots fall in root bucket `bucket` (the array's is 5). */
function keysInBucket(bucket: number, count: number, from = 0): number[] {
  const keys: number[] = [];
  for (let key = from; keys.length < count; key++) if (Number(mappingSlot(key) >> 251n) === bucket) keys.push(key);
  return keys;
}

/** What `push(count)` calls push: 1 to count each. */
const pushed = (...counts: number[]) => counts.flatMap((count) => Array.from({ length: count }, (_, i) => BigInt(i + 1)));

/** The shape SlotArray's storage has with these elements and mapping entries, built slot by slot. */
function expectedShape(list: bigint[], entries: [number, bigint][]): KamtNode {
  const slots: [bigint, bigint][] = [[0n, BigInt(list.length)], ...list.map((value, i): [bigint, bigint] => [ELEMENTS + BigInt(i), value])];
  for (const [key, value] of entries) if (value !== 0n) slots.push([mappingSlot(key), value]);
  return slots.reduce((shape, [slot, value]) => withSlot(shape, slot, 0n, value), EMPTY_KAMT);
}

const estimate = (devnet: Devnet, key: number) =>
  devnet.estimateGas({ from: hexToBytes(devWallet.address), to: hexToBytes(CONTRACT), input: hexToBytes(iface().encodeFunctionData('set', [key, 1])) });

const format = (path: string) => decodeCbor<{ format: number }>(readFileSync(path)).format;

describe('--state and storage KAMT shapes', () => {
  test('a new slot splitting the extension above a 2 000-slot array journals a few hundred bytes, not the subtree; loaded again, the shape and the gas estimates are the saving node\'s', async () => {
    const path = join(dir, 'array.state');
    const [[split, other], [next]] = [keysInBucket(5, 2), keysInBucket(9, 1)] as [[number, number], [number]];
    let shape: KamtNode;
    let estimates: number[];
    {
      using node = await keptDevnet(path);
      await send(node.devnet, null, slotArray.bytecode);
      for (let i = 0; i < 4; i++) await send(node.devnet, CONTRACT, iface().encodeFunctionData('push', [500]), 5_000_000_000);
      const journaled = statSync(journalPath(path)).size;
      await send(node.devnet, CONTRACT, iface().encodeFunctionData('set', [split, 7]));
      const record = statSync(journalPath(path)).size - journaled;
      // The tipset, the transaction, the sender's and the contract's records, the slot: 112 KB while the shape was stored.
      assert.ok(record < 1_500, `a journal record of ${record} bytes`);
      shape = contract(node.devnet).storageShape!;
      assert.deepEqual(shape, expectedShape(pushed(500, 500, 500, 500), [[split, 7n]]));
      estimates = await Promise.all([other, next].map((key) => estimate(node.devnet, key)));
      // No save: the load reads the file and the journal.
    }
    {
      using again = await keptDevnet(path);
      assert.deepEqual(contract(again.devnet).storageShape, shape);
      assert.deepEqual(await Promise.all([other, next].map((key) => estimate(again.devnet, key))), estimates);
      again.file.save();
    }
    assert.equal(format(path), STATE_FORMAT);
    assert.ok(!readFileSync(path).includes('storageShape'), 'no shape stored');
    const saved = readFileSync(path);
    using third = await keptDevnet(path);
    assert.deepEqual(contract(third.devnet).storageShape, shape);
    assert.deepEqual(await Promise.all([other, next].map((key) => estimate(third.devnet, key))), estimates);
    third.file.save();
    assert.deepEqual(readFileSync(path), saved, 'loaded and saved again: the same bytes');
  });

  test('a file and journal of format 5 (82b2992: shapes stored) load with their shapes, are written again in the current format without them, and load the same', async () => {
    const path = join(dir, 'format-5.state');
    copyFileSync(join(REPO_ROOT, 'test', 'fixtures', 'state-format-5', 'chain.state'), path);
    copyFileSync(join(REPO_ROOT, 'test', 'fixtures', 'state-format-5', 'chain.state.journal'), journalPath(path));
    // What test/fixtures/state-format-5/README.md says the chain did.
    const expected = expectedShape(pushed(40, 3), [[10, 0n], [8, 1n], [22, 0x1234n]]);
    const [fresh] = keysInBucket(5, 1, 23);
    let estimated: number;
    {
      using node = await keptDevnet(path);
      assert.equal(node.devnet.head.epoch, 7);
      assert.equal(node.devnet.head.blockCid.toString(), 'bafy2bzacecjyjftxrusjekxml6sokshw2tp2gyg6ioft6kd5v6s27hy6begf6');
      assert.deepEqual(contract(node.devnet).storageShape, expected);
      estimated = await estimate(node.devnet, fresh!);
      assert.equal(readFileSync(journalPath(path)).length, 0, 'written again whole');
    }
    assert.equal(format(path), STATE_FORMAT);
    assert.ok(!readFileSync(path).includes('storageShape'), 'no shape stored');
    using again = await keptDevnet(path);
    assert.equal(again.devnet.head.blockCid.toString(), 'bafy2bzacecjyjftxrusjekxml6sokshw2tp2gyg6ioft6kd5v6s27hy6begf6');
    assert.deepEqual(contract(again.devnet).storageShape, expected);
    assert.equal(await estimate(again.devnet, fresh!), estimated);
    // Every epoch's shape, not only the head's: epoch 3 had the split that epoch 5 undid.
    const at = (devnet: Devnet, epoch: number) => devnet.stateAt(epoch).getActor(contract(devnet).id)!.storageShape;
    assert.deepEqual(at(again.devnet, 3), expectedShape(pushed(40), [[10, 7n]]));
    assert.deepEqual(at(again.devnet, 6), expectedShape(pushed(40), [[8, 1n], [22, 0x1234n]]));
  });
});
