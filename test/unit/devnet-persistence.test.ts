// Saving and loading a chain: everything an RPC client could ask about before is answered the same
// after, the chain goes on from there, and a damaged or newer file is refused with a reason.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Interface } from 'ethers';
import { AppendedMap } from '../../src/common/appended-map.js';
import { CID, cidOf, decodeCbor, encodeBigInt, encodeCbor } from '../../src/common/cbor.js';
import { blake2b256 } from '../../src/common/hashes.js';
import { decodeChain, StateFileError } from '../../src/devnet/persistence.js';
import { readStateFile, StateFile } from '../../src/devnet/state-file.js';
import { computePieceCid } from '../../src/devnet/storage-providers/piece-cid.js';
import { encodeSignedMessage } from '../../src/fevm/message.js';
import { compileFixtures } from '../helpers/solc.js';
import { CALL, devWallet, RECIPIENT } from '../helpers/dev-wallet.js';
import { installCronProbe, PROBE_ACCOUNT, scheduleProbe } from '../helpers/cron-probe.js';
import { setupRpc } from '../helpers/rpc-harness.js';
import { blockReward } from '../helpers/block-reward.js';
import { REPO_ROOT } from '../helpers/solc.js';
import { buildTipset } from '../../src/mining/tipset.js';
import { hexToBytes } from '../../src/common/hex.js';
import { createDevnet, testConfig } from '../../src/index.js';
import { signTx } from '../helpers/dev-wallet.js';

const FIL = 10n ** 18n;

/** A document changed by a test, encoded with its checksum made again (as a node would write it). */
function encodeChecked(doc: object): Uint8Array {
  const bytes = encodeCbor({ ...doc, fileChecksum: new Uint8Array(32) });
  bytes.set(blake2b256(bytes.subarray(0, -32)), bytes.length - 32);
  return bytes;
}

/** A chain with a deployment, an event, a transfer and a revert on it; returns what to compare. */
async function busyChain(t: Parameters<typeof setupRpc>[0]) {
  const rpc = await setupRpc(t, {}, { txDefaults: CALL });
  const { Counter } = await compileFixtures();
  const deployHash = await rpc.send({ nonce: 0, data: Counter.bytecode });
  const counter = (await rpc.result('eth_getTransactionReceipt', [deployHash])).contractAddress;
  const iface = new Interface(Counter.abi);
  const incrementHash = await rpc.send({ nonce: 1, to: counter, data: iface.encodeFunctionData('increment') });
  await rpc.send({ nonce: 2, to: RECIPIENT, value: FIL });
  await rpc.send({ nonce: 3, to: counter, data: iface.encodeFunctionData('set', [10_000]) });
  return { ...rpc, counter, deployHash, incrementHash, iface };
}

/** A file of test/fixtures/state-format-8. */
const format8 = (name: string) => readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'state-format-8', name));

type Rpc = Awaited<ReturnType<typeof setupRpc>>;
const blockAt = async (rpc: Rpc, height: number) => (await rpc.result('Filecoin.ChainGetTipSetByHeight', [height, null])).Blocks[0];
const parentStateRoot = async (rpc: Rpc, height: number): Promise<string> => (await blockAt(rpc, height)).ParentStateRoot['/'];

/** The state root of the tipset at `height` had it named no edit: its parent's root, its messages' and its receipts' (read from its child). */
async function editlessRoot(rpc: Rpc, height: number): Promise<string> {
  const [own, child] = [await blockAt(rpc, height), await blockAt(rpc, height + 1)];
  return cidOf(encodeCbor([own.ParentStateRoot, own.Messages, child.ParentMessageReceipts].map((c: { '/': string }) => CID.parse(c['/'])))).toString();
}

/**
 * The state root of the tipset at `height` as format 10 makes it: the ParentStateRoot its block names,
 * its messages' and receipts' roots (read from its child), its epoch, timestamp, miner and base fee.
 */
async function timedRoot(rpc: Rpc, height: number): Promise<string> {
  const [own, child] = [await blockAt(rpc, height), await blockAt(rpc, height + 1)];
  const cids = [own.ParentStateRoot, own.Messages, child.ParentMessageReceipts].map((c: { '/': string }) => CID.parse(c['/']));
  return cidOf(encodeCbor([...cids, own.Height, own.Timestamp, Number((own.Miner as string).slice(2)), encodeBigInt(BigInt(own.ParentBaseFee))])).toString();
}

/** A saved document's `roots` and `timed`: the epochs below which roots name no edit, and no time. */
const roots = (bytes: Uint8Array) => {
  const doc = decodeCbor<{ roots?: number; timed?: number }>(bytes);
  return [doc.roots, doc.timed];
};

/** A file of test/fixtures/state-format-9. */
const format9 = (name: string) => readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'state-format-9', name));

describe('saving and loading a chain', () => {
  test('a loaded chain answers every earlier query as before and goes on', async (t) => {
    const a = await busyChain(t);
    const bytes = a.devnet.save();
    const b = await setupRpc(t, {}, { txDefaults: CALL });
    await b.devnet.load(decodeChain(bytes, 'test'));
    for (const [method, params] of [
      ['eth_blockNumber', []],
      ['eth_getBlockByNumber', ['latest', true]],
      ['eth_getBlockByNumber', ['0x1', false]],
      ['eth_getTransactionReceipt', [a.deployHash]],
      ['eth_getTransactionByHash', [a.incrementHash]],
      ['eth_getLogs', [{ fromBlock: '0x0', toBlock: 'latest' }]],
      ['eth_getBalance', [RECIPIENT, 'latest']],
      ['eth_getBalance', [devWallet.address, '0x1']],
      ['eth_getCode', [a.counter, 'latest']],
      ['eth_getStorageAt', [a.counter, '0x0', 'latest']],
      ['eth_getTransactionCount', [devWallet.address, 'latest']],
      ['Filecoin.ChainHead', []],
    ] as const) {
      assert.deepEqual(await b.result(method, [...params]), await a.result(method, [...params]), method);
    }
    // The loaded chain goes on: the next nonce is 4 and a new tipset follows the old head.
    await b.send({ nonce: 4, to: a.counter, data: a.iface.encodeFunctionData('increment') });
    assert.equal(await b.result('eth_blockNumber'), '0x5');
  });

  test("an empty tipset adds hundreds of bytes, not a storage provider's miner (format 4); with a deal sealed, a chain saved, loaded and saved again is the same bytes, and its miners share what did not change", async (t) => {
    const a = await setupRpc(t);
    const piece = computePieceCid(new Uint8Array(3000).map((_, i) => (i * 7) % 251));
    const { dealId, provider } = await a.result('devnet_proposeDeal', [{ pieceCid: piece.cid.toString(), pieceSize: piece.size, storagePricePerEpoch: '1000' }]);
    let sector: number | undefined;
    for (let tries = 0; sector === undefined; tries++) {
      assert.ok(tries < 50, 'the deal was sealed');
      await a.result('anvil_mine', ['0x1']);
      const deal = await a.result('Filecoin.StateMarketStorageDeal', [dealId, null]);
      if (deal.State.SectorStartEpoch > 0) sector = deal.State.SectorNumber;
    }
    const before = a.devnet.save().length;
    await a.result('anvil_mine', ['0x64']);
    const bytes = a.devnet.save();
    const perTipset = (bytes.length - before) / 100;
    // Was 3.1 kB (the reward actor and a miner whole, every sector record); now the reward actor's
    // new total, the miner's new balance, locked funds and the reward's entry among those waiting to be
    // merged into its vesting table (not the table's 180 changed funds), the power actor's pledge
    // total, and the tipset's epoch, timestamp, base fee and block check.
    assert.ok(perTipset < 300, `${perTipset} bytes per empty tipset`);
    const loaded = decodeChain(bytes, 'test');
    const b = await setupRpc(t, {}, { saved: loaded });
    assert.deepEqual(b.devnet.save(), bytes);
    for (const [method, params] of [
      ['Filecoin.StateMinerSectors', [provider, null, null]],
      ['Filecoin.StateMarketStorageDeal', [dealId, null]],
      ['Filecoin.StateReadState', [provider, null]],
      ['Filecoin.StateSectorGetInfo', [provider, sector, null]],
    ] as const) {
      assert.deepEqual(await b.result(method, [...params]), await a.result(method, [...params]), method);
    }
    const minerId = Number(provider.slice(2));
    const head = b.devnet.head.epoch;
    const minerAt = (epoch: number) => b.devnet.stateAt(epoch).getActor(minerId)!;
    assert.notEqual(minerAt(head - 1).balance, minerAt(head - 3).balance, 'paid the block reward in between');
    assert.equal(minerAt(head - 1).miner!.sectors, minerAt(head - 3).miner!.sectors, 'one Map of sectors for both');
  });

  test("a loaded miner's pending rewards are an AppendedMap, each version sharing the one before's, as on the node that saved them", async (t) => {
    const a = await setupRpc(t);
    await a.result('anvil_mine', ['0x8']);
    const b = await setupRpc(t, {}, { saved: decodeChain(a.devnet.save(), 'test') });
    const [miner] = (await b.result('Filecoin.StateListMiners', [null])) as string[];
    const grantsAt = (epoch: number) => b.devnet.stateAt(epoch).getActor(Number(miner!.slice(2)))!.miner!.vestingGrants;
    const head = b.devnet.head.epoch;
    // The miner wins every other tipset: one reward between these two versions.
    const [before, after] = [grantsAt(head - 3), grantsAt(head - 1)];
    assert.ok(before instanceof AppendedMap && after instanceof AppendedMap, 'AppendedMaps');
    assert.equal(after.appendedSince(before)?.length, 1, 'the later version adds one entry to the earlier one');
  });

  test('a chain encoded in steps is the dag-cbor of the whole document, as the chain was when the steps began', async (t) => {
    const a = await busyChain(t);
    const steps = a.devnet.saveInSteps();
    const before = a.devnet.save();
    await a.send({ nonce: 4, to: RECIPIENT, value: FIL });
    const pieces: Uint8Array[] = [];
    for (const piece of steps) if (piece) pieces.push(piece);
    assert.ok(pieces.length > 10);
    assert.deepEqual(new Uint8Array(Buffer.concat(pieces)), before);
    // Encoding the decoded document again in one call gives the same bytes: nothing of dag-cbor's canonical form is lost.
    assert.deepEqual(encodeCbor(decodeCbor(before)), before);
    assert.equal(decodeChain(before, 'the steps').chain.all().length, Number(await a.result('eth_blockNumber')));
  });

  test('a tipset of many messages and a commit of many changes are encoded in pieces of a few of them, the bytes the same', async () => {
    // hotMessages 1: the large tipset is cold (its messages decoded from the chain's buffer) by the save.
    for (const hotMessages of [Infinity, 1]) {
      const devnet = await createDevnet(testConfig({ noMining: true, hotMessages }));
      try {
        // 300 transfers to new addresses in one tipset: its commit writes each new actor and address.
        for (let nonce = 0; nonce < 300; nonce++) {
          await devnet.sendRawTransaction(hexToBytes(await signTx({ nonce, to: `0x${(0x100000 + nonce).toString(16).padStart(40, '0')}` })));
        }
        await devnet.mine();
        await devnet.sendRawTransaction(hexToBytes(await signTx({ nonce: 300 })));
        await devnet.mine();
        const large = devnet.chain.all()[1]!;
        assert.equal(large.messages.length, 300);
        const pieces: Uint8Array[] = [];
        for (const piece of devnet.saveInSteps()) if (piece) pieces.push(piece);
        const bytes = new Uint8Array(Buffer.concat(pieces));
        // The whole document encoded in one call gives the same bytes.
        const document = decodeCbor<{ state: [number, unknown[]][]; tipsets: [number, number, Uint8Array, Uint8Array, unknown[]][] }>(bytes);
        assert.deepEqual(encodeCbor(document), bytes);
        assert.equal(document.tipsets[1]![4].length, 300);
        assert.ok(document.state.some(([, changes]) => changes.length > 300));
        // No piece holds the large tipset's messages, nor its commit's changes, whole.
        const commit = document.state.reduce((a, b) => (b[1].length > a[1].length ? b : a));
        for (const whole of [encodeCbor(document.tipsets[1]![4]), encodeCbor(commit[1])]) {
          assert.ok(!pieces.some((piece) => Buffer.from(piece).includes(Buffer.from(whole))));
        }
        assert.equal(decodeChain(bytes, 'the pieces').chain.all()[1]!.blockCid.toString(), large.blockCid.toString());
      } finally {
        devnet.close();
      }
    }
  });

  test('a chain with cheat edits between its tipsets loads with the same block hashes (their headers name the edits, X1)', async (t) => {
    const a = await setupRpc(t);
    await a.result('anvil_setBalance', ['0x' + '55'.repeat(20), '0x1111']);
    await a.result('evm_mine');
    await a.result('evm_mine');
    await a.result('anvil_setNonce', ['0x' + '55'.repeat(20), '0x2']);
    await a.result('evm_mine');
    const b = await setupRpc(t);
    assert.equal(await b.result('anvil_loadState', [await a.result('anvil_dumpState')]), true);
    for (const n of ['0x1', '0x2', '0x3']) assert.deepEqual(await b.result('eth_getBlockByNumber', [n, false]), await a.result('eth_getBlockByNumber', [n, false]), n);
  });

  test('anvil_dumpState and anvil_loadState move a chain between nodes', async (t) => {
    const a = await busyChain(t);
    const dump = await a.result('anvil_dumpState');
    assert.match(dump, /^0x[0-9a-f]+$/);
    const b = await setupRpc(t);
    assert.equal(await b.result('anvil_loadState', [dump]), true);
    assert.deepEqual(await b.result('eth_getBlockByNumber', ['latest', false]), await a.result('eth_getBlockByNumber', ['latest', false]));
    // Reset now goes back to the loaded chain, not to b's old genesis.
    await b.result('evm_mine');
    await b.result('anvil_reset');
    assert.equal(await b.result('eth_blockNumber'), await a.result('eth_blockNumber'));
  });

  test("anvil_dumpState is gzipped, as Anvil's; anvil_loadState takes it and a plain one (dumps before), and refuses a broken or oversized gzip (H4)", async (t) => {
    const a = await busyChain(t);
    const dump = await a.result('anvil_dumpState');
    const plain = gunzipSync(hexToBytes(dump));
    assert.equal(decodeChain(plain, 'the dump').chainId > 0n, true);
    const b = await setupRpc(t);
    const head = await a.result('eth_getBlockByNumber', ['latest', false]);
    assert.equal(await b.result('anvil_loadState', ['0x' + Buffer.from(plain).toString('hex')]), true);
    assert.deepEqual(await b.result('eth_getBlockByNumber', ['latest', false]), head);
    assert.match((await b.error('anvil_loadState', [dump.slice(0, 200)])).message, /the state is not a gzipped dump of at most 67108864 bytes \(unexpected end of file\)/);
    const bomb = '0x' + gzipSync(new Uint8Array(65 << 20)).toString('hex');
    assert.match((await b.error('anvil_loadState', [bomb])).message, /not a gzipped dump of at most 67108864 bytes \(Cannot create a Buffer larger than/);
    assert.deepEqual(await b.result('eth_getBlockByNumber', ['latest', false]), head, 'unchanged');
  });

  test('a chain with null rounds and cron work inside them reloads, its CIDs checked, and goes on', async (t) => {
    const a = await setupRpc(t);
    installCronProbe(t);
    await scheduleProbe(a.devnet, [[400_000, { tag: 'a' }]]);
    await a.send({ nonce: 0, to: RECIPIENT, value: FIL });
    await a.result('anvil_mine', ['0xf4240']);
    await a.send({ nonce: 1, to: RECIPIENT, value: FIL });
    const bytes = a.devnet.save();
    const saved = decodeChain(bytes, 'test');
    assert.deepEqual(
      saved.chain.all().map((tipset) => tipset.epoch),
      [0, 1, 1_000_001, 1_000_002],
    );
    const b = await setupRpc(t);
    await b.devnet.load(saved);
    for (const [method, params] of [
      ['eth_blockNumber', []],
      ['eth_getBlockByNumber', ['latest', false]],
      ['eth_getBlockByNumber', ['0xf4241', true]],
      ['eth_getBalance', [RECIPIENT, '0x7a120']],
      ['Filecoin.ChainGetTipSetByHeight', [500_000, null]],
      ['Filecoin.ChainGetTipSetAfterHeight', [500_000, null]],
    ] as const) {
      assert.deepEqual(await b.result(method, [...params]), await a.result(method, [...params]), method);
    }
    assert.deepEqual(await b.error('eth_getBlockByNumber', ['0x7a120', false]), await a.error('eth_getBlockByNumber', ['0x7a120', false]));
    // The cron work done in the gap is in the loaded state's history at its epoch.
    const balance = (epoch: number) => b.devnet.stateAt(epoch).getActor(PROBE_ACCOUNT)!.balance;
    assert.equal(balance(400_000), balance(399_999) + 1n);
    // A tipset saved twice does not follow itself.
    const doc = decodeCbor<{ tipsets: unknown[] }>(bytes);
    doc.tipsets.splice(2, 0, doc.tipsets[1]);
    assert.throws(() => decodeChain(encodeChecked(doc), 'f'), /tipset 1 does not follow 1/);
    await b.send({ nonce: 2, to: RECIPIENT, value: FIL });
    assert.equal(await b.result('eth_blockNumber'), '0xf4243');
  });

  test('an Ethereum transaction is saved without its Filecoin message; a file that has both still loads', async (t) => {
    const a = await busyChain(t);
    const bytes = a.devnet.save();
    type Doc = { tipsets: [...unknown[], { signed?: Uint8Array; ethTx: unknown }[]][] };
    const doc = decodeCbor<Doc>(bytes);
    const messagesOf = (tipset: Doc['tipsets'][number]) => tipset[4] as { signed?: Uint8Array; ethTx: unknown }[];
    const messages = doc.tipsets.flatMap(messagesOf);
    assert.equal(messages.length, 4);
    assert.ok(messages.every((m) => m.ethTx !== null && !('signed' in m)));
    // As files were written before: every message's signed message beside its transaction.
    const saved = decodeChain(bytes, 'test');
    doc.tipsets.forEach((tipset, i) => messagesOf(tipset).forEach((m, j) => (m.signed = encodeSignedMessage(saved.chain.all()[i].messages[j].signed))));
    const older = encodeChecked(doc);
    assert.ok(older.length > bytes.length + 4 * 100);
    const b = await setupRpc(t, {}, { txDefaults: CALL });
    await b.devnet.load(decodeChain(older, 'older'));
    assert.deepEqual(await b.result('eth_getBlockByNumber', ['latest', true]), await a.result('eth_getBlockByNumber', ['latest', true]));
    assert.deepEqual(await b.result('eth_getTransactionReceipt', [a.deployHash]), await a.result('eth_getTransactionReceipt', [a.deployHash]));
    // A message with neither is refused.
    delete messagesOf(doc.tipsets[1])[0].signed;
    messagesOf(doc.tipsets[1])[0].ethTx = null;
    assert.throws(() => decodeChain(encodeChecked(doc), 'f'), /a message of tipset 1 has neither/);
  });

  test("a chain with a cheat-code edit is saved in format 10, with the edit's id (state key 'e', which the next tipset's ticket names); the format is checked before the state, so a reader of an older format refuses it as newer, not as damaged", async (t) => {
    const rpc = await setupRpc(t);
    await rpc.result('anvil_setBalance', [RECIPIENT, '0x1111']);
    await rpc.result('evm_mine');
    const doc = decodeCbor<{ format: number; state: [number, [string, unknown][]][] }>(rpc.devnet.save());
    assert.equal(doc.format, 10);
    assert.ok(!('roots' in doc) && !('timed' in doc), 'a chain of this version has its roots in all its tipsets');
    assert.ok(doc.state.some(([, changes]) => changes.some(([key]) => key === 'e')), 'the edit id is saved');
    // As a reader of 7 saw a file of 8: a state key it does not know ('e' to it, 'x' to this one) in a
    // format after its own: refused as newer, where the same key in its own format is damage.
    const unknownKey = { ...doc, state: doc.state.map(([epoch, changes]) => [epoch, changes.map(([key, value]) => [key === 'e' ? 'x' : key, value])]) };
    assert.throws(() => decodeChain(encodeChecked(unknownKey), 'f'), /is damaged/);
    assert.throws(() => decodeChain(encodeChecked({ ...unknownKey, format: doc.format + 1 }), 'f'), /written by a newer fvm-devnet \(format 11;/);
  });

  test('a chain of format 8 (roots naming no edit) loads with the block CIDs it was saved with; tipsets mined on it after an edit name it in their roots, and a format 10 save keeps both', async (t) => {
    const a = await setupRpc(t, {}, { saved: decodeChain(format8('chain.state'), 'chain.state') });
    const cids = async (rpc: typeof a) => Promise.all([1, 2, 3, 4, 5, 6].map(async (h) => (await rpc.result('Filecoin.ChainGetTipSetByHeight', [h, null])).Cids[0]['/']));
    // As test/fixtures/state-format-8/README.md gives them.
    const saved = ['bafy2bzacebmqmkzpts7v4yfdd42cnwaeasyjgpyxcwuwt7f7ddd5fv5xvvqve', 'bafy2bzaced65pjungsd335sme64byjoowxj6kjyqfeheevusvrig77wpzsktq', 'bafy2bzacea7dmnz3isausv4dvbgrhutkrk6dfpsv4klowwapwhbgqbz44cmei'];
    await a.result('evm_mine');
    await a.result('anvil_setBalance', [RECIPIENT, '0x3333']);
    await a.result('anvil_mine', ['0x2']);
    const before = await cids(a);
    assert.deepEqual(before.slice(0, 3), saved);
    // Height 3, saved in format 8 after an edit, names none; height 4, mined on the loaded chain, has this version's root, and so does 5, mined after an edit it names.
    assert.equal(await parentStateRoot(a, 4), await editlessRoot(a, 3));
    assert.notEqual(await parentStateRoot(a, 5), await timedRoot(a, 4));
    assert.equal(await parentStateRoot(a, 6), await timedRoot(a, 5));
    const doc = decodeCbor<{ format: number; roots: number; timed: number }>(a.devnet.save());
    assert.deepEqual([doc.format, doc.roots, doc.timed], [10, 4, 4]);
    const b = await setupRpc(t, {}, { saved: decodeChain(a.devnet.save(), 'chain.state') });
    assert.deepEqual(await cids(b), before);
  });

  test('a chain of format 8 with its journal (a node of format 8 killed: tipsets mined after edits, one of them dropped by a revert) loads with the block CIDs it mined; a format 10 save keeps roots naming no edit up to its head (B5)', async (t) => {
    const saved = decodeChain(format8('chain.state'), 'chain.state', { journal: format8('chain.state.journal') });
    // As test/fixtures/state-format-8/README.md gives them: heights 4 and 5, then 6 and 7 mined after the revert.
    const journaled = [
      'bafy2bzacecjaxd2weyogye6bgbd5fzwhw4ujkndsqq5njsjguh4h4l5awbacy',
      'bafy2bzacedq2xjk6qhqz2odqd76a6jtygcnaet5pew6chabn5ixpb7eyeczw6',
      'bafy2bzacebtvq5nk7he35474sghycjwcybgbfni3u2zbvakmttbv4vz6as4xm',
      'bafy2bzacebce6a3ra5ob6lbsqhvxbahitd4oxcrffbwmhrk47ar2ykpfphsj4',
    ];
    assert.deepEqual(saved.chain.all().slice(4).map((tipset) => tipset.blockCid.toString()), journaled);
    const a = await setupRpc(t, {}, { saved });
    // Height 6, mined after an edit made after the revert, names none, as format 8 mined it.
    assert.equal(await parentStateRoot(a, 7), await editlessRoot(a, 6));
    const doc = decodeCbor<{ format: number; roots: number; timed: number }>(a.devnet.save());
    assert.deepEqual([doc.format, doc.roots, doc.timed], [10, 8, 8]);
    // Mined on after an edit, the next tipset names it.
    await a.result('anvil_setBalance', [RECIPIENT, '0x7777']);
    await a.result('anvil_mine', ['0x2']);
    assert.notEqual(await parentStateRoot(a, 9), await editlessRoot(a, 8));
  });

  test('a chain of format 9 (roots naming no time, ParentStateRoots no edit) loads with the block CIDs it was saved with, its journal too; tipsets mined on it have roots naming their epoch, timestamp, miner and base fee, and a format 10 save keeps both (X7)', async (t) => {
    // As test/fixtures/state-format-9/README.md gives them: heights 1 to 3 in the file, 4 to 7 in the journal (6 mined again after a revert).
    const saved = [
      'bafy2bzacecvk45xoyzbnrygrbieb6lu6pyxl2f33ox2mcd6tbqrwsfcvwmtgi',
      'bafy2bzacedjfvp2m73ichypcf7k66ww6wu56pziscza6vrdo5tmwnwv5h4fly',
      'bafy2bzacebwuje56hxfxz3uwzvq3r7euc4x6sjkewmd7kuvfopruaddnyuzry',
    ];
    const journaled = [
      'bafy2bzacedr4fixqolsapvqsyylmwoxuxjfhqnctanwgxr5ypp5bgubabgpaa',
      'bafy2bzacecitdtyhpkhtsv3ifset4dydekbobzmhtehvs5grhsutjzh75q3zi',
      'bafy2bzacebkr6qqfllu5j4tz7nfwpqisbnlrektqgfb7c5dk522j4iz4bxnvc',
      'bafy2bzacebazcdol5cm4khk6l27aukt7lp4pchtv7sqattpzxoqeki5x5bqh4',
    ];
    const blocks = (chain: { all(): readonly { blockCid: CID }[] }) => chain.all().slice(1).map((tipset) => tipset.blockCid.toString());
    assert.deepEqual(blocks(decodeChain(format9('chain.state'), 'chain.state').chain), saved);
    const a = await setupRpc(t, {}, { saved: decodeChain(format9('chain.state'), 'chain.state', { journal: format9('chain.state.journal') }) });
    assert.deepEqual(blocks(a.devnet.chain), [...saved, ...journaled]);
    // Height 7, as format 9 made it, names no time: height 8's ParentStateRoot is not its timed root.
    await a.result('anvil_setBalance', [RECIPIENT, '0x7777']);
    await a.result('anvil_mine', ['0x3']);
    assert.notEqual(await parentStateRoot(a, 8), await timedRoot(a, 7));
    // Height 8, mined after an edit, names it in its ParentStateRoot: as format 10 makes it, the CID of
    // [height 7's root, the edit's id]. Height 7 was mined after no edit (test/fixtures/state-format-9/README.md),
    // so its root is the editless one. The edit is the chain's sixth (the fixture made five, one of them
    // dropped by the revert but never handed out again), and the block's ticket names it.
    const edit = 6;
    assert.equal(Buffer.from((await blockAt(a, 8)).Ticket.VRFProof, 'base64').toString('hex'), Buffer.from(blake2b256(encodeCbor(['ticket', 8, edit]))).toString('hex'));
    assert.equal(await parentStateRoot(a, 8), cidOf(encodeCbor([CID.parse(await editlessRoot(a, 7)), edit])).toString());
    // Heights 8 and 9 name their time.
    assert.equal(await parentStateRoot(a, 9), await timedRoot(a, 8));
    assert.equal(await parentStateRoot(a, 10), await timedRoot(a, 9));
    assert.deepEqual(roots(a.devnet.save()), [undefined, 8]);
    const b = await setupRpc(t, {}, { saved: decodeChain(a.devnet.save(), 'chain.state') });
    assert.deepEqual(blocks(b.devnet.chain), blocks(a.devnet.chain));
  });

  test('a chain of format 8 cut below its loaded head (anvil_rollback) names the edits in the roots of the tipsets mined there again, and its file and journal rebuild them (A3)', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'fvm-devnet-format-8-'));
    const path = join(dir, 'chain.state');
    writeFileSync(path, format8('chain.state'));
    const loaded = readStateFile(path)!;
    const a = await setupRpc(t, {}, { saved: loaded });
    const file = new StateFile(path, a.devnet, (err) => assert.fail(err), { loaded });
    // The file closed (its save timer stopped) before its directory goes: after hooks run in order.
    t.after(() => {
      file.close();
      rmSync(dir, { recursive: true, force: true });
    });
    // Written again in format 10: the roots below the loaded head + 1 name no edit.
    assert.deepEqual(roots(readFileSync(path)), [4, 4]);
    await a.result('anvil_rollback', ['0x2']);
    await a.result('anvil_setBalance', [RECIPIENT, '0x4444']);
    await a.result('anvil_mine', ['0x2']);
    // Height 2, mined again after an edit, names it: a branch mined there after other edits has another root (X5).
    assert.notEqual(await parentStateRoot(a, 3), await editlessRoot(a, 2));
    assert.deepEqual(roots(a.devnet.save()), [2, 2]);
    // The journal's rewind cuts the loaded chain as the rollback did: the same blocks.
    const blocks = (tipsets: readonly { blockCid: CID }[]) => tipsets.map((tipset) => tipset.blockCid.toString());
    assert.deepEqual(blocks(readStateFile(path)!.chain.all()), blocks(a.devnet.chain.all()));
  });

  test("a chain whose clock anvil_rollback set back to an older tipset's time, behind the wall clock's, saves a negative clock offset, and loads (X9)", async (t) => {
    const a = await setupRpc(t);
    await a.result('anvil_mine', ['0x3']);
    // Loaded, its clock runs at the wall clock's time, years after testConfig's genesis time.
    const b = await setupRpc(t, {}, { saved: decodeChain(a.devnet.save(), 'test') });
    await b.result('anvil_rollback', ['0x1']);
    const saved = decodeChain(b.devnet.save(), 'test');
    assert.ok(saved.clockOffset < 0, `clock offset ${saved.clockOffset}`);
    const c = await setupRpc(t, {}, { saved });
    assert.deepEqual(await c.result('eth_getBlockByNumber', ['latest', false]), await b.result('eth_getBlockByNumber', ['latest', false]));
  });

  test('a damaged, foreign or newer file is refused and the running chain is untouched', async (t) => {
    const a = await busyChain(t);
    const bytes = a.devnet.save();
    const head = await a.result('eth_blockNumber');
    assert.throws(() => decodeChain(bytes.subarray(0, bytes.length - 10), 'f'), StateFileError);
    assert.throws(() => decodeChain(new TextEncoder().encode('{"not": "cbor"}'), 'f'), /not a state file|not an fvm-devnet/);
    assert.throws(() => decodeChain(encodeCbor({ magic: 'fvm-devnet state', format: 99 }), 'f'), /newer fvm-devnet \(format 99/);
    // One flipped byte inside a saved receipt no longer hashes to the saved block CID.
    const flipped = bytes.slice();
    const receiptAt = Buffer.from(flipped).indexOf(Buffer.from('receipt'));
    assert.ok(receiptAt > 0, 'the saved chain has receipts');
    flipped[receiptAt + 40] ^= 0xff;
    assert.throws(() => decodeChain(flipped, 'f'), StateFileError);
    const error = await a.error('anvil_loadState', ['0x00112233']);
    assert.match(error.message, /not a state file/);
    assert.equal(await a.result('eth_blockNumber'), head);
    const other = await setupRpc(t, { chainId: 314159n });
    assert.match((await other.error('anvil_loadState', ['0x' + Buffer.from(bytes).toString('hex')])).message, /chain id 31415926, not 314159/);
  });

  test('a crafted file (its checksum made again) holding values no node holds is refused, naming them, and the running chain is untouched', async (t) => {
    const a = await busyChain(t);
    const bytes = a.devnet.save();
    type Doc = { state: [number, [string, unknown][]][]; clockOffset: number };
    const changes = (doc: Doc) => doc.state.flatMap(([, written]) => written);
    /** The fields of the dev account's last saved actor (nonce 4): what changed since its write before. */
    const devAccount = (doc: Doc) => changes(doc).map(([, value]) => (value as { $set?: Record<string, unknown> }).$set).find((set) => set?.nonce === 4)!;
    const crafted: [string, (doc: Doc) => void, RegExp][] = [
      ['nonce -1', (doc) => (devAccount(doc).nonce = -1), /: its actor 100 has nonce -1$/],
      ['nonce 2^53 + 2', (doc) => (devAccount(doc).nonce = 2 ** 53 + 2), /has nonce 9007199254740994$/],
      ['nonce 2^63 (a CBOR bigint)', (doc) => (devAccount(doc).nonce = 2n ** 63n), /has nonce 9223372036854775808$/],
      ['negative balance', (doc) => (devAccount(doc).balance = { $big: new Uint8Array([1, 5]) }), /has balance -5$/],
      ['unknown kind', (doc) => (devAccount(doc).kind = 'constructor'), /has kind constructor$/],
      ['id not its key', (doc) => (devAccount(doc).id = 7), /has id 7$/],
      ['an actor key that is no ID', (doc) => doc.state[0]![1].push(['a__proto__', devAccount(doc)]), /its state has a key "a__proto__" that no node writes$/],
      ['a key of no kind', (doc) => doc.state[0]![1].push(['__proto__', { polluted: 1 }]), /its state has a key "__proto__" that no node writes$/],
      ['next ID a string', (doc) => doc.state[0]![1].push(['n', 'x']), /its next actor ID is x, not an actor ID$/],
      ['storage word past 256 bits', (doc) => changes(doc).find(([key]) => key.startsWith('s'))!.splice(1, 1, new Uint8Array(34).fill(0xff, 1)), /holds \d{80,}, not a 256-bit word$/],
      ['no state', (doc) => (doc.state = []), /its genesis state has no init actor$/],
      ['clock offset 1e300', (doc) => (doc.clockOffset = 1e300), /its clock offset 1e\+300 s is not from -8640000000000 to 8640000000000$/],
      ['clock offset -2^53', (doc) => (doc.clockOffset = -(2 ** 53)), /its clock offset -9007199254740992 s is not/],
    ];
    for (const [name, craft, reason] of crafted) {
      const doc = decodeCbor<Doc>(bytes);
      craft(doc);
      assert.throws(() => decodeChain(encodeChecked(doc), 'f'), (err: Error) => err instanceof StateFileError && /^f is damaged: /.test(err.message) && reason.test(err.message), name);
    }
    // The document as saved, encoded again, loads: the checks refuse only what no node writes.
    assert.equal(decodeChain(encodeChecked(decodeCbor<Doc>(bytes)), 'f').size.tipsets, 5);
    // Through anvil_loadState: refused, and the chain goes on as it was.
    const doc = decodeCbor<Doc>(bytes);
    devAccount(doc).nonce = -1;
    assert.match((await a.error('anvil_loadState', ['0x' + Buffer.from(encodeChecked(doc)).toString('hex')])).message, /: its actor 100 has nonce -1$/);
    assert.equal(await a.result('eth_getTransactionCount', [devWallet.address, 'latest']), '0x4');
    await a.send({ nonce: 4, to: RECIPIENT, value: 1n });
    assert.equal(await a.result('eth_getTransactionCount', [devWallet.address, 'latest']), '0x5');
  });

  test('any one bit flipped anywhere in a saved chain (the state commits too) is refused, naming the file', async (t) => {
    const a = await busyChain(t);
    const bytes = a.devnet.save();
    // One bit of every fifth byte, the bit turning with the offset (the block CIDs alone cover only the tipsets).
    for (let at = 0; at < bytes.length; at += 5) {
      const flipped = bytes.slice();
      flipped[at] ^= 1 << at % 8;
      assert.throws(() => decodeChain(flipped, 'chain.state'), (err: Error) => err instanceof StateFileError && /^chain\.state (is damaged|is not)/.test(err.message), `bit ${at % 8} of byte ${at}`);
    }
    // The audit's edit: the dev account's nonce key renamed, the document otherwise whole (a lost nonce
    // would let a mined nonce be mined again), and its balance changed.
    type Doc = { state: [number, [string, { $set?: Record<string, unknown> }][]][] };
    const doc = decodeCbor<Doc>(bytes);
    // Saved as what changed since its write before (format 4).
    const account = doc.state.flatMap(([, changes]) => changes).find(([, value]) => value.$set?.nonce === 4)![1].$set!;
    account.noncf = account.nonce;
    delete account.nonce;
    assert.throws(() => decodeChain(encodeCbor(doc), 'chain.state'), /: chain\.state is damaged: its bytes do not match the checksum it ends with$/);
    // A document without its checksum is only read as format 2 (written before checksums).
    const { fileChecksum: _, ...unchecked } = decodeCbor<Record<string, unknown>>(bytes);
    assert.throws(() => decodeChain(encodeCbor(unchecked), 'chain.state'), /: chain\.state is damaged: it does not end with its checksum$/);
  });
});

// Lotus's ApplyBlocks pays each block's own miner (chain/consensus/compute_state.go: AwardBlockRewardParams{Miner: b.Miner});
// StateCompute and StateReplay run it again, never electing (review R52).
describe("the block reward a replay of a saved chain shows", () => {
  /** The miner the header at `height` names and the one StateCompute's AwardBlockReward pays. */
  const rewarded = async (rpc: Awaited<ReturnType<typeof setupRpc>>, height: number) => {
    const { header, awarded } = await blockReward(rpc.result, height);
    return { header, paid: awarded };
  };

  test("a tipset pays the miner its header names, even one today's election would not pick (a chain an earlier build saved)", async (t) => {
    const a = await setupRpc(t);
    await a.result('anvil_mine', ['0x3']);
    const saved = decodeChain(a.devnet.save(), 'test');
    // The head as a build electing otherwise saved it: the same tipset, its header naming the other genesis miner.
    const head = saved.chain.head;
    const other = head.header.miner.id === 111 ? 113 : 111;
    saved.chain.truncate(head.epoch - 1);
    saved.chain.append(buildTipset({ epoch: head.epoch, timestamp: head.timestamp, baseFee: head.baseFee, parent: saved.chain.head, messages: head.messages, miner: other }));
    const b = await setupRpc(t, {}, { saved });
    assert.deepEqual(await rewarded(b, head.epoch), { header: `t0${other}`, paid: `t0${other}` });
  });

  test('a chain saved before format 7 (every header t01000) has its winners elected again: round-robin over the genesis miners', async (t) => {
    const fixture = (name: string) => readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'state-format-5', name));
    const saved = decodeChain(fixture('chain.state'), 'chain.state', { journal: fixture('chain.state.journal') });
    const rpc = await setupRpc(t, {}, { saved });
    for (let height = 1; height <= 7; height++) assert.deepEqual(await rewarded(rpc, height), { header: 't01000', paid: height % 2 === 0 ? 't0111' : 't0113' }, `height ${height}`);
  });
});
