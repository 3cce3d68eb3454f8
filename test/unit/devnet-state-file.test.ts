// --state's file and journal (src/devnet/state-file.ts): what a node killed at any moment leaves
// is the chain with every mined tipset, a record cut short is ignored, a revert is journaled, the
// whole file is written again only when the journal has grown to its share of it (in steps, while
// tipsets go on being journaled), and a save that cannot be written leaves the last good file and
// the node running.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, mock, test } from 'node:test';
import { keccak256, Wallet } from 'ethers';
import { decodeCbor, encodeCbor, type CID } from '../../src/common/cbor.js';
import { bytesToHex, hexToBytes } from '../../src/common/hex.js';
import { decodeChain, STATE_FORMAT, StateFileError, temporaryPath } from '../../src/devnet/persistence.js';
import { MARKET_ACTOR_ID } from '../../src/fevm/actor.js';
import { queuedCron } from '../../src/fevm/actors/cron.js';
import { isCold } from '../../src/mining/tipset.js';
import { storedProposalCid } from '../../src/fevm/actors/market/deal-proposal.js';
import { journalPath, readStateFile, StateFile, type CompactionRule } from '../../src/devnet/state-file.js';
import { createDevnet, startDevnet, testConfig, type Devnet } from '../../src/index.js';
import { signTx } from '../helpers/dev-wallet.js';
import { DEV_ACCOUNTS } from '../helpers/devnet-process.js';
import { REPO_ROOT } from '../helpers/solc.js';

const dir = mkdtempSync(join(tmpdir(), 'fvm-devnet-state-file-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A devnet keeping `path`, with the errors its state file reported; `rule` changes StateFile's. */
async function keptDevnet(path: string, rule: Partial<CompactionRule> = {}) {
  const loaded = readStateFile(path);
  const devnet = await createDevnet(testConfig(), loaded);
  const errors: StateFileError[] = [];
  const file = new StateFile(path, devnet, (err) => errors.push(err), { loaded, rule });
  return { devnet, file, errors, [Symbol.dispose]: () => (file.close(), devnet.close()) };
}

/** Sends a transfer from the dev wallet and returns its hash once mined. */
async function send(devnet: Devnet, nonce: number, value = 1n): Promise<string> {
  return bytesToHex(await devnet.sendRawTransaction(hexToBytes(await signTx({ nonce, value }))));
}

/** Makes every whole save of `path` find a full disk: its temporary path is /dev/full (a failed save removes it, so call again before each). */
function diskFull(path: string): void {
  if (!existsSync(temporaryPath(path))) symlinkSync('/dev/full', temporaryPath(path));
}

/** The blocks and the number of state commits of a chain. */
const shape = (tipsets: readonly { blockCid: { toString(): string } }[], commits: number) => ({ blocks: tipsets.map((t) => t.blockCid.toString()), commits });
const liveShape = (devnet: Devnet) => shape(devnet.chain.all(), devnet.stateVersion);
const savedShape = (path: string) => {
  const saved = readStateFile(path)!;
  return shape(saved.chain.all(), saved.size.commits);
};

/**
 * Lets the event loop turn until `done()` (a compaction's steps run on later turns, and its last waits
 * for the disk's flush off the event loop: by the clock, so a slow disk is waited for).
 */
async function turnsUntil(what: string, done: () => boolean): Promise<void> {
  for (let turn = 0; !done(); turn++) {
    if (turn === 10_000) assert.fail(`${what} did not happen`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** Rewrites the file at `path` and its journal as format 2 wrote them: no checksums (nor roots' epochs: its chain must have format 8's roots). */
function asFormat2(path: string): void {
  const { fileChecksum: _, roots: _roots, timed: _timed, ...doc } = decodeCbor<Record<string, unknown>>(readFileSync(path));
  writeFileSync(path, encodeCbor({ ...doc, format: 2 }));
  const journal = readFileSync(journalPath(path));
  const records: Buffer[] = [];
  for (let at = 0; at < journal.length; at += 8 + journal.readUInt32BE(at) + 32) records.push(journal.subarray(at, at + 4), journal.subarray(at + 8, at + 8 + journal.readUInt32BE(at)));
  writeFileSync(journalPath(path), Buffer.concat(records));
}

const keccak = (bytes: Uint8Array) => hexToBytes(keccak256(bytes));

const minedHashes = (devnet: Devnet): string[] => devnet.chain.all().flatMap((t) => t.messages.map((m) => bytesToHex(m.ethTx!.hash)));

describe('StateFile', () => {
  test('every mined tipset is in the file or its journal at once: a restart without a final save has them all, and goes on with both', async () => {
    const path = join(dir, 'killed.state');
    const hashes: string[] = [];
    let file: Buffer;
    let journal: Buffer;
    {
      using node = await keptDevnet(path);
      for (let nonce = 0; nonce < 5; nonce++) hashes.push(bytesToHex(await node.devnet.sendRawTransaction(hexToBytes(await signTx({ nonce })))));
      file = readFileSync(path);
      journal = readFileSync(journalPath(path));
      assert.ok(journal.length > 0);
      // No save(): the process "dies" here.
    }
    {
      using again = await keptDevnet(path);
      assert.equal(again.devnet.head.epoch, 5);
      assert.deepEqual(minedHashes(again.devnet), hashes);
      // Starting from the file and its journal wrote neither again; the next tipset goes on after them.
      assert.deepEqual(readFileSync(path), file);
      assert.deepEqual(readFileSync(journalPath(path)), journal);
      hashes.push(await send(again.devnet, 5));
    }
    using third = await keptDevnet(path);
    assert.deepEqual(minedHashes(third.devnet), hashes);
  });

  test('a record cut short by a crash is ignored; the ones before it count', async () => {
    const path = join(dir, 'cut.state');
    {
      using node = await keptDevnet(path);
      for (let nonce = 0; nonce < 3; nonce++) await node.devnet.sendRawTransaction(hexToBytes(await signTx({ nonce })));
    }
    const journal = readFileSync(journalPath(path));
    appendFileSync(journalPath(path), journal.subarray(0, journal.length / 3 + 7));
    {
      using again = await keptDevnet(path);
      assert.equal(again.devnet.head.epoch, 3);
      // The record cut short is cut off the journal, so that the next one can be read after the others.
      assert.deepEqual(readFileSync(journalPath(path)), journal);
      await send(again.devnet, 3);
    }
    using third = await keptDevnet(path);
    assert.equal(third.devnet.head.epoch, 4);
  });

  test('records the file already holds (a crash between the save and emptying the journal) are skipped', async () => {
    const path = join(dir, 'both.state');
    let journal: Buffer;
    {
      using node = await keptDevnet(path);
      for (let nonce = 0; nonce < 2; nonce++) await node.devnet.sendRawTransaction(hexToBytes(await signTx({ nonce })));
      journal = readFileSync(journalPath(path));
      node.file.save();
    }
    writeFileSync(journalPath(path), journal);
    using again = await keptDevnet(path);
    assert.equal(again.devnet.head.epoch, 2);
  });

  test('the whole file is written again only once the journal has grown to its size; then the file alone holds the chain', async () => {
    const path = join(dir, 'compacted.state');
    using node = await keptDevnet(path);
    const first = readFileSync(path);
    let nonce = 0;
    while (statSync(journalPath(path)).size < first.length) {
      assert.deepEqual(readFileSync(path), first);
      await send(node.devnet, nonce++);
    }
    assert.ok(nonce > 1);
    // The last append made it due: it is written on later turns of the event loop, then the journal is emptied.
    await turnsUntil('the compaction', () => statSync(journalPath(path)).size === 0);
    assert.equal(decodeChain(readFileSync(path), 'the file').chain.all().length, nonce + 1);
    assert.deepEqual(savedShape(path), liveShape(node.devnet));
    assert.deepEqual(node.errors, []);
  });

  test('tipsets mined while a compaction is written stay in the journal: after every tipset, file and journal hold the chain', async () => {
    const path = join(dir, 'busy.state');
    // A compaction after every append, one piece per turn of the event loop: each spans many tipsets.
    using node = await keptDevnet(path, { journalShare: 0, stepMs: 0 });
    let duringCompaction = 0;
    await Promise.all(
      [0, 1, 2].map(async (sender) => {
        const signer = new Wallet(DEV_ACCOUNTS[sender]!.privateKey);
        for (let nonce = 0; nonce < 15; nonce++) {
          await node.devnet.sendRawTransaction(hexToBytes(await signTx({ nonce }, { signer })));
          if (existsSync(temporaryPath(path))) duringCompaction++;
          assert.deepEqual(savedShape(path), liveShape(node.devnet));
        }
      }),
    );
    assert.ok(duringCompaction > 0);
    await turnsUntil('the last compaction', () => !existsSync(temporaryPath(path)));
    assert.deepEqual(savedShape(path), liveShape(node.devnet));
    assert.deepEqual(node.errors, []);
  });

  test('under turns far longer than a step (a queue never idle: back-to-back anvil_mine), a step takes its share of the time since the last, so the compaction keeps pace and the journal stays within twice the file', async (t) => {
    const path = join(dir, 'never-idle.state');
    // A clock that moves PIECE_MS at each reading (a step reads it once a piece) and 40 ms a turn, whatever
    // the machine's load: steps of 1 ms (20 pieces), turns of 40 ms. One step a turn at stepMs alone writes
    // far less than a turn mines (turnShare 0 fails here: 1 compaction; so does a piece of 0.2 ms).
    const PIECE_MS = 0.05;
    let clock = 0;
    t.mock.method(performance, 'now', () => (clock += PIECE_MS));
    using node = await keptDevnet(path, { stepMs: 1 });
    const sizes = () => ({ file: statSync(path).size, journal: statSync(journalPath(path)).size });
    let compacted = 0;
    let last = statSync(path).size;
    for (let turn = 0; turn < 30; turn++) {
      await node.devnet.cheats.mine(40);
      clock += 40;
      await new Promise((resolve) => setImmediate(resolve));
      const file = statSync(path).size;
      if (file !== last) (compacted++, (last = file));
    }
    const { file, journal } = sizes();
    assert.ok(compacted >= 2, `${compacted} compactions finished`);
    assert.ok(journal <= 2 * file, `the journal has ${journal} bytes, the file ${file}`);
    await turnsUntil('the last compaction', () => !existsSync(temporaryPath(path)));
    assert.deepEqual(savedShape(path), liveShape(node.devnet));
    assert.deepEqual(node.errors, []);
  });

  test('a step after one long turn takes its share of that turn only up to maxStepMs', async (t) => {
    const path = join(dir, 'capped-step.state');
    {
      // A chain whose whole save is many pieces (one a tipset with messages): saved whole on close.
      using node = await keptDevnet(path);
      for (let nonce = 0; nonce < 200; nonce++) await send(node.devnet, nonce);
    }
    // A clock that moves 1 ms at each reading: a step's length is the pieces it encoded, whatever the machine's load.
    let clock = 0;
    t.mock.method(performance, 'now', () => ++clock);
    using node = await keptDevnet(path, { journalShare: 0, stepMs: 1, maxStepMs: 20 });
    // Due after this tipset's append: the compaction's first step runs on a later turn.
    await node.devnet.cheats.mine(1);
    assert.ok(existsSync(temporaryPath(path)), 'the compaction is under way');
    // This turn goes on for 400 ms: a quarter of it is 100 ms, five times the cap.
    clock += 400;
    const before = clock;
    // Queued after the compaction's next step, so it runs once that step is done.
    await new Promise((resolve) => setImmediate(resolve));
    const step = clock - before;
    assert.ok(step <= 30, `the step after a 400 ms turn held the event loop ${step} ms`);
    await turnsUntil('the compaction', () => !existsSync(temporaryPath(path)));
    assert.deepEqual(savedShape(path), liveShape(node.devnet));
    assert.deepEqual(node.errors, []);
  });

  test('a revert, then a node killed after a whole save but before its journal was replaced: the load skips what the file holds', async () => {
    const path = join(dir, 'revert-then-save.state');
    let before: ReturnType<typeof liveShape>;
    {
      using node = await keptDevnet(path);
      for (let nonce = 0; nonce < 3; nonce++) await send(node.devnet, nonce);
      const snapshot = await node.devnet.cheats.snapshot();
      for (let nonce = 3; nonce < 6; nonce++) await send(node.devnet, nonce);
      await node.devnet.cheats.revert(snapshot);
      for (let nonce = 3; nonce < 5; nonce++) await send(node.devnet, nonce, 5n);
      const journal = readFileSync(journalPath(path));
      node.file.save();
      writeFileSync(journalPath(path), journal);
      before = liveShape(node.devnet);
    }
    using again = await keptDevnet(path);
    assert.deepEqual(liveShape(again.devnet), before);
    assert.equal(again.devnet.head.messages[0]!.ethTx!.value, 5n);
  });

  test('a snapshot revert is journaled: a restart has the branch taken, not the one left', async () => {
    const path = join(dir, 'revert.state');
    {
      using node = await keptDevnet(path);
      await node.devnet.sendRawTransaction(hexToBytes(await signTx({ nonce: 0 })));
      const snapshot = await node.devnet.cheats.snapshot();
      await node.devnet.sendRawTransaction(hexToBytes(await signTx({ nonce: 1 })));
      await node.devnet.cheats.revert(snapshot);
      await node.devnet.sendRawTransaction(hexToBytes(await signTx({ nonce: 1, value: 2n })));
    }
    using again = await keptDevnet(path);
    assert.equal(again.devnet.head.epoch, 2);
    assert.equal(again.devnet.head.messages[0]!.ethTx!.value, 2n);
  });

  test('a journal record that does not match its checksum is refused, naming the file, which is left as it was', async () => {
    const path = join(dir, 'flipped-record.state');
    {
      using node = await keptDevnet(path);
      for (let nonce = 0; nonce < 3; nonce++) await send(node.devnet, nonce);
    }
    const [file, journal] = [readFileSync(path), readFileSync(journalPath(path))];
    const second = 8 + journal.readUInt32BE(0) + 32;
    // A bit of the second record's length, of its length's checksum, of its body, of its checksum.
    for (const at of [second + 3, second + 5, second + 8 + 50, second + 8 + journal.readUInt32BE(second) + 1]) {
      const flipped = Buffer.from(journal);
      flipped[at]! ^= 0x10;
      writeFileSync(journalPath(path), flipped);
      assert.throws(
        () => readStateFile(path),
        (err: Error) => err instanceof StateFileError && new RegExp(`^state file ${path} is damaged: its journal's record at byte ${second} (has a damaged length|does not match its checksum)$`).test(err.message),
        `byte ${at}`,
      );
      assert.deepEqual(readFileSync(path), file);
      assert.deepEqual(readFileSync(journalPath(path)), flipped);
    }
  });

  test('a message replaced by fee is found as its replacement after a restart, from the journal (killed) and from the whole file, a revert keeping it; anvil_reset forgets it', async () => {
    const path = join(dir, 'replaced.state');
    const fee = (premium: bigint) => ({ maxPriorityFeePerGas: premium, maxFeePerGas: 10n ** 10n });
    const low = hexToBytes(await signTx({ nonce: 0, value: 5n, ...fee(100_000n) }));
    const high = hexToBytes(await signTx({ nonce: 0, value: 5n, ...fee(300_000n) }));
    let replacedCid: CID;
    /** What the node answers for the replaced transaction: its replacement's hash, and the replaced one by its hash. */
    const lookup = (devnet: Devnet) => {
      const found = devnet.searchMessage(replacedCid, true);
      return { replacement: found && bytesToHex(found.message.ethTx!.hash), replaced: devnet.replacedTransaction(keccak(low))?.cid.toString() };
    };
    {
      using node = await keptDevnet(path);
      await node.devnet.cheats.setAutomine(false);
      await node.devnet.sendRawTransaction(low);
      await node.devnet.sendRawTransaction(high);
      replacedCid = node.devnet.replacedTransaction(keccak(low))!.cid;
      await node.devnet.mine();
      // A snapshot reverted after the replacement was mined: the replaced message stays (Anvil keeps its pool, Lotus its blockstore).
      const snapshot = await node.devnet.cheats.snapshot();
      await node.devnet.mine();
      await node.devnet.cheats.revert(snapshot);
      assert.deepEqual(lookup(node.devnet), { replacement: bytesToHex(keccak(high)), replaced: replacedCid.toString() });
    }
    const expected = { replacement: bytesToHex(keccak(high)), replaced: replacedCid!.toString() };
    {
      using node = await keptDevnet(path);
      assert.ok(readFileSync(journalPath(path)).length > 0, 'read from the journal');
      assert.deepEqual(lookup(node.devnet), expected);
      node.file.save();
    }
    {
      using node = await keptDevnet(path);
      assert.equal(readFileSync(journalPath(path)).length, 0, 'read from the file');
      assert.deepEqual(lookup(node.devnet), expected);
      // The dump holds it too.
      using other = await keptDevnet(join(dir, 'replaced-other.state'));
      await other.devnet.load(decodeChain(node.devnet.save(), 'the dump'));
      assert.deepEqual(lookup(other.devnet), expected);
      await node.devnet.cheats.reset();
      assert.deepEqual(lookup(node.devnet), { replacement: undefined, replaced: undefined });
    }
    using again = await keptDevnet(path);
    assert.deepEqual(lookup(again.devnet), { replacement: undefined, replaced: undefined });
  });

  test('a state file that cannot be read (a directory) is a StateFileError naming it', () => {
    const path = join(dir, 'a-directory.state');
    mkdirSync(path);
    assert.throws(() => readStateFile(path), (err: Error) => err instanceof StateFileError && err.message.startsWith(`cannot read state file ${path}: EISDIR`));
  });

  test('a file and journal of format 2 (79adac7, no checksums) load, and are written again with checksums', async () => {
    const path = join(dir, 'format-2.state');
    for (const name of ['chain.state', 'chain.state.journal']) writeFileSync(join(dir, name.replace('chain', 'format-2')), readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'state-format-2', name)));
    // Written by 79adac7's node: 3 transfers (1, 2, 3 attoFIL), one (9) reverted, one of 4, a setBalance; then killed (-9).
    const expected = { epoch: 4, nonce: 4, recipient: 10_000n * 10n ** 18n + 10n, edited: 0x1234n };
    const actor = (devnet: Devnet, i: number) => devnet.actorAt(hexToBytes(DEV_ACCOUNTS[i]!.address), devnet.head.epoch)!;
    const answers = (devnet: Devnet) => ({ epoch: devnet.head.epoch, nonce: actor(devnet, 0).nonce, recipient: actor(devnet, 1).balance, edited: actor(devnet, 2).balance });
    {
      using node = await keptDevnet(path);
      assert.deepEqual(answers(node.devnet), expected);
      assert.equal(readFileSync(journalPath(path)).length, 0, 'written again whole');
    }
    assert.equal(decodeCbor<{ format: number }>(readFileSync(path)).format, STATE_FORMAT);
    using again = await keptDevnet(path);
    assert.deepEqual(answers(again.devnet), expected);
    await send(again.devnet, 4);
  });

  test('a file and journal of format 2 loaded with every tipset cold (their messages kept encoded): the same transactions and receipts as hot, and the same chain saved', async () => {
    const load = async (hotMessages: number | undefined) => {
      const path = join(dir, `format-2-hot-${hotMessages ?? 'default'}.state`);
      const fixture = (name: string) => readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'state-format-2', name));
      writeFileSync(path, fixture('chain.state'));
      writeFileSync(journalPath(path), fixture('chain.state.journal'));
      return createDevnet(testConfig({ hotMessages }), readStateFile(path, hotMessages));
    };
    const hot = await load(undefined);
    const cold = await load(1);
    // Their values, read through the getters of a mined one's classes.
    const messages = (devnet: Devnet) =>
      devnet.chain.all().flatMap((tipset) =>
        tipset.messages.map(({ ethTx, receipt: { exitCode, returnData, gasUsed, events } }) => {
          const { type, hash, chainId, nonce, from, to, value, input, gasLimit, maxFeePerGas, maxPriorityFeePerGas, v, r, s } = ethTx!;
          return { ethTx: { type, hash, chainId, nonce, from, to, value, input, gasLimit, maxFeePerGas, maxPriorityFeePerGas, v, r, s }, receipt: { exitCode, returnData, gasUsed, events } };
        }),
      );
    assert.ok(cold.chain.all().some(isCold) && !hot.chain.all().some(isCold));
    assert.equal(messages(cold).length, 4);
    assert.deepEqual(messages(cold), messages(hot));
    assert.deepEqual(cold.save(), hot.save());
    hot.close();
    cold.close();
  });

  test('a file and journal of format 3 (86a402e: each actor saved whole) load, every actor at every epoch as saved, and are written again in the current format, which loads the same and goes on', async () => {
    const path = join(dir, 'format-3.state');
    const fixture = (name: string) => readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'state-format-3', name));
    writeFileSync(path, fixture('chain.state'));
    writeFileSync(journalPath(path), fixture('chain.state.journal'));
    // Written by 86a402e's node: 3 transfers (1, 2, 3 attoFIL), 2 tipsets mined, a whole save; a
    // transfer (9) reverted, one of 4, a setBalance, 2 tipsets mined; then killed (no final save).
    const expected = { epoch: 8, nonce: 4, recipient: 10_000n * 10n ** 18n + 10n, edited: 0x1234n, head: 'bafy2bzacebglufywtbisdwtdgrp47fas4arhvitf4ezcegze6kqh23xtryn4e' };
    const actor = (devnet: Devnet, i: number) => devnet.actorAt(hexToBytes(DEV_ACCOUNTS[i]!.address), devnet.head.epoch)!;
    const answers = (devnet: Devnet) => ({ epoch: devnet.head.epoch, nonce: actor(devnet, 0).nonce, recipient: actor(devnet, 1).balance, edited: actor(devnet, 2).balance, head: devnet.head.blockCid.toString() });
    const old = readStateFile(path)!;
    /** The reward actor and the two storage providers' miners at every epoch. */
    const history = (state: { at(epoch: number): { getActor(id: number): unknown } }) => [0, 1, 2, 3, 4, 5, 6, 7, 8].map((epoch) => [2, 111, 113].map((id) => state.at(epoch).getActor(id)));
    const saved = history(old.state);
    {
      using node = await keptDevnet(path);
      assert.deepEqual(answers(node.devnet), expected);
      assert.equal(readFileSync(journalPath(path)).length, 0, 'written again whole');
    }
    assert.equal(decodeCbor<{ format: number }>(readFileSync(path)).format, STATE_FORMAT);
    assert.ok(readFileSync(path).length < fixture('chain.state').length + fixture('chain.state.journal').length / 2, 'smaller than the format 3 file and journal');
    assert.deepEqual(history(readStateFile(path)!.state), saved);
    using again = await keptDevnet(path);
    assert.deepEqual(answers(again.devnet), expected);
    await send(again.devnet, 4);
    assert.equal(again.devnet.head.epoch, 9);
  });

  // review R4 (on 746f48c): format 5 writes cron's queue again as the epochs it changed; a format 4 file still loads.
  test('a file and journal of format 4 (7bad9c1: cron\'s queue a list, the market\'s tables plain Maps) load, a deal\'s cron check runs at its epoch, and are written again in the current format', async () => {
    const path = join(dir, 'format-4.state');
    const fixture = (name: string) => readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'state-format-4', name));
    writeFileSync(path, fixture('chain.state'));
    writeFileSync(journalPath(path), fixture('chain.state.journal'));
    const [deal, check, head] = [20, 86_420, 'bafy2bzaceb7o5ovyj7g2gvk2yolnlzmkim3r32em3sjsyr5k52cvuzlfa5izc'];
    const market = (devnet: Devnet) => devnet.stateAt(devnet.head.epoch).getActor(MARKET_ACTOR_ID)!.market!;
    const checkQueued = (devnet: Devnet) => queuedCron(devnet.stateAt(devnet.head.epoch), MARKET_ACTOR_ID).some(([epoch, events]) => epoch === check && events.includes(deal));
    {
      using node = await keptDevnet(path);
      assert.equal(node.devnet.head.epoch, 12);
      assert.equal(node.devnet.head.blockCid.toString(), head);
      assert.equal(market(node.devnet).states.get(deal)!.sectorStartEpoch, 9);
      assert.ok(checkQueued(node.devnet), 'the deal\'s check, from the list the file held');
      assert.equal(readFileSync(journalPath(path)).length, 0, 'written again whole');
    }
    assert.equal(decodeCbor<{ format: number }>(readFileSync(path)).format, STATE_FORMAT);
    using again = await keptDevnet(path);
    assert.equal(again.devnet.head.blockCid.toString(), head);
    const pending = storedProposalCid(market(again.devnet).proposals.get(deal)!).toString();
    assert.ok(market(again.devnet).pendingProposals.has(pending));
    await again.devnet.cheats.mine(check);
    assert.ok(!checkQueued(again.devnet), 'taken and run');
    assert.ok(market(again.devnet).proposals.has(deal), 'active, not timed out');
    assert.ok(!market(again.devnet).pendingProposals.has(pending), 'activated, it left the pending set');
  });

  test('a file of format 5, whose tipsets all named t01000 as their miner, loads with those headers; tipsets mined after it name their winner, and both are kept through a save in the current format and its journal', async () => {
    const path = join(dir, 'format-5-miners.state');
    const fixture = (name: string) => readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'state-format-5', name));
    writeFileSync(path, fixture('chain.state'));
    writeFileSync(journalPath(path), fixture('chain.state.journal'));
    const miners = (devnet: Devnet) => devnet.chain.all().map((t) => t.header.miner.toString('t'));
    const blocks = (devnet: Devnet) => devnet.chain.all().map((t) => t.blockCid.toString());
    let expected: { miners: string[]; blocks: string[] };
    {
      using node = await keptDevnet(path);
      // As the fixture's README gives its head.
      assert.equal(node.devnet.head.blockCid.toString(), 'bafy2bzacecjyjftxrusjekxml6sokshw2tp2gyg6ioft6kd5v6s27hy6begf6');
      assert.deepEqual(miners(node.devnet), Array(8).fill('t01000'));
      await send(node.devnet, 7);
      await node.devnet.cheats.mine(2);
      // testConfig's two storage providers (t0111, t0113) win round-robin by epoch.
      assert.deepEqual(miners(node.devnet).slice(8), ['t0111', 't0113', 't0111']);
      expected = { miners: miners(node.devnet), blocks: blocks(node.devnet) };
    }
    assert.equal(decodeCbor<{ format: number }>(readFileSync(path)).format, STATE_FORMAT);
    {
      // The tipsets mined after the load come from the journal.
      using again = await keptDevnet(path);
      assert.deepEqual({ miners: miners(again.devnet), blocks: blocks(again.devnet) }, expected);
      again.file.save();
    }
    using whole = await keptDevnet(path);
    assert.deepEqual({ miners: miners(whole.devnet), blocks: blocks(whole.devnet) }, expected);
  });

  test('a node killed between writing a format 2 file again and emptying its journal (review R9): the old journal beside the new file is read as the leftover it is, nothing lost, and emptied', async () => {
    const path = join(dir, 'upgrade-killed.state');
    const fixture = (name: string) => readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'state-format-2', name));
    writeFileSync(path, fixture('chain.state'));
    writeFileSync(journalPath(path), fixture('chain.state.journal'));
    const expected = { epoch: 4, nonce: 4, recipient: 10_000n * 10n ** 18n + 10n, edited: 0x1234n };
    const actor = (devnet: Devnet, i: number) => devnet.actorAt(hexToBytes(DEV_ACCOUNTS[i]!.address), devnet.head.epoch)!;
    const answers = (devnet: Devnet) => ({ epoch: devnet.head.epoch, nonce: actor(devnet, 0).nonce, recipient: actor(devnet, 1).balance, edited: actor(devnet, 2).balance });
    {
      using node = await keptDevnet(path);
      assert.deepEqual(answers(node.devnet), expected);
    }
    // What the kill leaves: the file in the current format, the format 2 journal not yet emptied.
    assert.equal(decodeCbor<{ format: number }>(readFileSync(path)).format, STATE_FORMAT);
    writeFileSync(journalPath(path), fixture('chain.state.journal'));
    const file = readFileSync(path);
    assert.equal(readStateFile(path)!.journalBytes, 0, 'none of the journal read');
    {
      using node = await keptDevnet(path);
      assert.deepEqual(answers(node.devnet), expected);
      // Gone on with as they are: the file not written again, the journal emptied.
      assert.deepEqual(readFileSync(path), file);
      assert.equal(readFileSync(journalPath(path)).length, 0);
      await send(node.devnet, 4);
    }
    using again = await keptDevnet(path);
    assert.deepEqual(answers(again.devnet), { ...expected, epoch: 5, nonce: 5 });
  });

  test("a format 2 journal beside a format 3 file that does not hold its records, or a format 3 journal with a damaged first length, is refused as damaged", async () => {
    const path = join(dir, 'not-leftover.state');
    {
      using node = await keptDevnet(path);
      for (let nonce = 0; nonce < 2; nonce++) await send(node.devnet, nonce);
    }
    const [file, journal] = [readFileSync(path), readFileSync(journalPath(path))];
    const refused = (what: string) =>
      assert.throws(() => readStateFile(path), (err: Error) => err instanceof StateFileError && err.message === `state file ${path} is damaged: its journal's record at byte 0 has a damaged length`, what);
    // A bit of the first record's length, or of its length's checksum.
    for (const at of [0, 2, 3, 4, 7]) {
      const flipped = Buffer.from(journal);
      flipped[at]! ^= 0x10;
      writeFileSync(journalPath(path), flipped);
      refused(`byte ${at}`);
      assert.deepEqual(readFileSync(journalPath(path)), flipped);
    }
    // Another chain's format 2 journal: its records are not this file's.
    writeFileSync(journalPath(path), readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'state-format-2', 'chain.state.journal')));
    refused('a format 2 journal the file does not hold');
    assert.deepEqual(readFileSync(path), file);
  });

  test('in a journal of format 2, a record that does not decode ends the journal: a rewind after it, or in it, does not count, so the tipsets it would drop are there', async () => {
    // The records: tipsets 1, 2, 3, the rewind to 1, tipset 2 again. Made garbage (0xff: a CBOR break):
    // tipset 3's body, or the rewind's last byte (its first key and value still read).
    for (const [damaged, head] of [['tipset 3', 2], ['the rewind', 3]] as const) {
      const path = join(dir, `undecodable-${head}.state`);
      {
        using node = await keptDevnet(path);
        // Mined with roots as format 8 and older made them (tipset.ts RootFormat), as a format 2 node's.
        node.devnet.chain.editlessRootsBefore = node.devnet.chain.untimedRootsBefore = Infinity;
        await send(node.devnet, 0);
        const snapshot = await node.devnet.cheats.snapshot();
        await send(node.devnet, 1);
        await send(node.devnet, 2);
        await node.devnet.cheats.revert(snapshot);
        await send(node.devnet, 1, 2n);
      }
      asFormat2(path);
      const journal = readFileSync(journalPath(path));
      let at = 0;
      for (let record = 0; record < head; record++) at += 4 + journal.readUInt32BE(at);
      const end = at + 4 + journal.readUInt32BE(at);
      journal.fill(0xff, damaged === 'tipset 3' ? at + 4 : end - 1, end);
      writeFileSync(journalPath(path), journal);
      using again = await keptDevnet(path);
      assert.equal(again.devnet.head.epoch, head, damaged);
      assert.equal(again.devnet.head.messages[0]!.ethTx!.value, 1n, damaged);
      // Read up to the record that does not decode, then written again whole in this format.
      assert.equal(readFileSync(journalPath(path)).length, 0, damaged);
      await send(again.devnet, head);
      assert.equal(again.devnet.head.epoch, head + 1, damaged);
    }
  });

  test('a save that cannot be written is reported, leaves the last good file, and the node goes on', async () => {
    const path = join(dir, 'blocked.state');
    // Every append makes the journal due for a compaction.
    using node = await keptDevnet(path, { journalShare: 0 });
    await node.devnet.sendRawTransaction(hexToBytes(await signTx({ nonce: 0 })));
    node.file.save();
    const good = readFileSync(path);
    // The temporary file a save writes first cannot be created (a directory stands in its way), as in a read-only directory.
    mkdirSync(`${path}.${process.pid}.tmp`);
    assert.throws(() => node.file.save(), (err: Error) => err instanceof StateFileError && /cannot save the chain to .*blocked\.state: EISDIR/.test(err.message));
    assert.deepEqual(readFileSync(path), good);
    // The compaction the next tipset makes due cannot be written either: it is reported, and mining goes on.
    await send(node.devnet, 1);
    assert.match(node.errors[0]?.message ?? '', /cannot save the chain to .*blocked\.state: EISDIR/);
    await send(node.devnet, 2);
    assert.deepEqual(readFileSync(path), good);
    rmSync(temporaryPath(path), { recursive: true });
    node.file.close();
    using again = await keptDevnet(path);
    assert.equal(again.devnet.head.epoch, 3);
  });

  test('with --silent (no log), a failed save still says so on stderr', async (t) => {
    const path = join(dir, 'silent.state');
    const running = await startDevnet(testConfig({ statePath: path, silent: true }));
    t.after(() => running.close());
    const stderr = mock.method(process.stderr, 'write', () => true);
    t.after(() => stderr.mock.restore());
    // The journal grows to the file's size: the compaction that is then due finds the disk full.
    const reported = () => stderr.mock.calls.some((call) => /cannot save the chain/.test(String(call.arguments[0])));
    for (let nonce = 0; nonce < 200 && !reported(); nonce++) {
      diskFull(path);
      await send(running.devnet, nonce);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const lines = stderr.mock.calls.map((call) => String(call.arguments[0]));
    assert.ok(lines.some((line) => new RegExp(`^fvm-devnet: cannot save the chain to ${path}: ENOSPC.*the file is left as it was\\n$`).test(line)), lines.join(''));
  });

  test('a save on a full disk (ENOSPC) keeps the file and the journal: a restart has every tipset', async () => {
    const path = join(dir, 'full.state');
    {
      using node = await keptDevnet(path);
      await node.devnet.sendRawTransaction(hexToBytes(await signTx({ nonce: 0 })));
      node.file.save();
      const good = readFileSync(path);
      for (let nonce = 1; nonce < 4; nonce++) await node.devnet.sendRawTransaction(hexToBytes(await signTx({ nonce })));
      const journal = readFileSync(journalPath(path));
      // The save's temporary file is /dev/full, whose writes fail with ENOSPC.
      symlinkSync('/dev/full', temporaryPath(path));
      assert.throws(() => node.file.save(), (err: Error) => err instanceof StateFileError && /cannot save the chain to .*full\.state: ENOSPC.*; the file is left as it was/.test(err.message));
      assert.deepEqual(readFileSync(path), good);
      assert.deepEqual(readFileSync(journalPath(path)), journal);
      assert.equal(existsSync(temporaryPath(path)), false);
    }
    using again = await keptDevnet(path);
    assert.equal(again.devnet.head.epoch, 4);
  });

  test('a revert is journaled without a whole save (which a full disk would fail): a restart has every tipset after it and none of the branch left', async () => {
    const path = join(dir, 'revert-full.state');
    const hashes: string[] = [];
    {
      using node = await keptDevnet(path);
      for (let nonce = 0; nonce < 2; nonce++) hashes.push(await send(node.devnet, nonce));
      const snapshot = await node.devnet.cheats.snapshot();
      for (let nonce = 2; nonce < 6; nonce++) await send(node.devnet, nonce);
      diskFull(path);
      await node.devnet.cheats.revert(snapshot);
      assert.deepEqual(node.errors.map((e) => e.message), []);
      for (let nonce = 2; nonce < 12; nonce++) {
        diskFull(path);
        hashes.push(await send(node.devnet, nonce, 7n));
      }
      // Only whole saves failed (compactions): every append went through.
      assert.deepEqual(node.errors.map((e) => e.message).filter((m) => !/cannot save the chain/.test(m)), []);
      rmSync(temporaryPath(path), { force: true });
    }
    using again = await keptDevnet(path);
    assert.equal(again.devnet.head.epoch, 12);
    assert.deepEqual(minedHashes(again.devnet), hashes);
  });

  test('a revert to before the last whole save, while saves fail, cuts the tipsets the file holds past it', async () => {
    const path = join(dir, 'revert-saved.state');
    const hashes: string[] = [];
    {
      using node = await keptDevnet(path);
      hashes.push(await send(node.devnet, 0));
      const snapshot = await node.devnet.cheats.snapshot();
      for (let nonce = 1; nonce < 3; nonce++) await send(node.devnet, nonce);
      node.file.save();
      await send(node.devnet, 3);
      diskFull(path);
      await node.devnet.cheats.revert(snapshot);
      for (let nonce = 1; nonce < 4; nonce++) {
        diskFull(path);
        hashes.push(await send(node.devnet, nonce, 9n));
      }
      rmSync(temporaryPath(path), { force: true });
    }
    // The file alone holds epochs 0 to 2 of the branch left behind; the journal cuts them and goes on.
    using again = await keptDevnet(path);
    assert.equal(again.devnet.head.epoch, 4);
    assert.deepEqual(minedHashes(again.devnet), hashes);
  });

  test('a chain replaced (anvil_loadState) while saves fail stops the journal, says so, and the next whole save has the new chain', async () => {
    const path = join(dir, 'load-full.state');
    const other = await createDevnet(testConfig());
    for (let nonce = 0; nonce < 3; nonce++) await send(other, nonce, 3n);
    const replacement = decodeChain(other.save(), 'the dump');
    other.close();
    using node = await keptDevnet(path);
    const before = await send(node.devnet, 0);
    diskFull(path);
    await node.devnet.load(replacement);
    assert.match(node.errors.at(-1)?.message ?? '', /the chain was replaced and cannot be saved: nothing more is journaled until a whole save succeeds/);
    diskFull(path);
    // Refused while the chain cannot be saved (a restart would lose it).
    await assert.rejects(send(node.devnet, 3, 3n), (err: Error) => err instanceof StateFileError && /: ENOSPC.*; sends and cheat codes that change the chain are refused until it can be written$/.test(err.message));
    // What a restart reads now: the chain as it was before the load, whole.
    assert.deepEqual(readStateFile(path)!.chain.all().flatMap((t) => t.messages.map((m) => bytesToHex(m.ethTx!.hash))), [before]);
    rmSync(temporaryPath(path), { force: true });
    // The next send writes the whole file first.
    await send(node.devnet, 3, 3n);
    assert.equal(readStateFile(path)!.chain.all().length, 5);
  });

  test("starting removes the temporary file of a save killed mid-write, the chain's file is read as it was", async () => {
    const path = join(dir, 'killed-save.state');
    {
      using node = await keptDevnet(path);
      await node.devnet.sendRawTransaction(hexToBytes(await signTx({ nonce: 0 })));
    }
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    writeFileSync(temporaryPath(path, dead), readFileSync(path).subarray(0, 100));
    using again = await keptDevnet(path);
    assert.equal(again.devnet.head.epoch, 1);
    assert.equal(existsSync(temporaryPath(path, dead)), false);
  });

  test('a node started from its file and journal, where the file cannot be written again, refuses to start with a StateFileError naming it', async () => {
    const path = join(dir, 'resume-blocked.state');
    {
      using node = await keptDevnet(path);
      await send(node.devnet, 0);
    }
    // The temporary file a save writes first cannot be created (a directory stands in its way), as in a read-only directory.
    mkdirSync(temporaryPath(path));
    const loaded = readStateFile(path)!;
    assert.ok(loaded.journalBytes! > 0);
    const devnet = await createDevnet(testConfig(), loaded);
    try {
      assert.throws(() => new StateFile(path, devnet, () => undefined, { loaded }), (err: Error) => err instanceof StateFileError && /cannot save the chain to .*resume-blocked\.state: EISDIR/.test(err.message));
    } finally {
      devnet.close();
    }
    rmSync(temporaryPath(path), { recursive: true });
    using again = await keptDevnet(path);
    assert.equal(again.devnet.head.epoch, 1);
    assert.equal(existsSync(temporaryPath(path)), false);
  });

  test('after a failed append (ENOSPC), the send whose tipset it was and later sends and cheat codes that change the chain are refused, naming the journal, until it can be written: then the journal heals and a restart has every transaction', async () => {
    const path = join(dir, 'append-enospc.state');
    const hashes: string[] = [];
    // While broken, each write first tries to heal: a journal shorter than it was (/dev/full here) needs a whole save, which the full disk fails.
    const refused = (err: unknown) =>
      err instanceof StateFileError &&
      err.message ===
        `cannot save the chain to ${path}: ENOSPC: no space left on device, write; the file is left as it was; the tipsets from epoch 2 on are mined but not saved (a restart would lose them); sends and cheat codes that change the chain are refused until it can be written`;
    {
      using node = await keptDevnet(path, { retryMs: 3_600_000 });
      hashes.push(await send(node.devnet, 0));
      // A full disk: appends to the journal and whole saves fail with ENOSPC.
      const journal = readFileSync(journalPath(path));
      rmSync(journalPath(path));
      symlinkSync('/dev/full', journalPath(path));
      diskFull(path);
      // Mined, then its append fails: the failure is reported, and the send is answered with it, not
      // with its hash, as a restart now would lose it (audit15 C8).
      await assert.rejects(send(node.devnet, 1), refused);
      assert.equal(node.devnet.head.epoch, 2);
      hashes.push(minedHashes(node.devnet)[1]!);
      assert.deepEqual(node.errors.map((e) => e.message), [`cannot append tipset 2 to ${journalPath(path)}: ENOSPC: no space left on device, write`]);
      diskFull(path);
      await assert.rejects(send(node.devnet, 2), refused);
      // (A failed save removes its temporary file: the disk is made full again before each.)
      diskFull(path);
      await assert.rejects(node.devnet.cheats.setBalance(hexToBytes(DEV_ACCOUNTS[1]!.address), 5n), refused);
      diskFull(path);
      await assert.rejects(node.devnet.cheats.mine(1), refused);
      assert.equal(node.devnet.head.epoch, 2);
      // Space again, the journal as it was: the next send appends tipset 2's record, then its own tipset's.
      rmSync(journalPath(path));
      writeFileSync(journalPath(path), journal);
      rmSync(temporaryPath(path), { force: true });
      hashes.push(await send(node.devnet, 2));
      assert.equal(node.devnet.head.epoch, 3);
      assert.deepEqual(savedShape(path), liveShape(node.devnet));
      assert.equal(node.errors.length, 1);
    }
    using again = await keptDevnet(path);
    assert.deepEqual(minedHashes(again.devnet), hashes);
  });

  test('a journal that cannot be written (a directory in its place) refuses writes; once it is gone, the next send writes the whole file, and a restart has every tipset', async () => {
    const path = join(dir, 'broken-recovers.state');
    const hashes: string[] = [];
    {
      using node = await keptDevnet(path, { retryMs: 3_600_000 });
      hashes.push(await send(node.devnet, 0));
      rmSync(journalPath(path));
      mkdirSync(journalPath(path));
      const refused = (err: Error) =>
        err instanceof StateFileError && err.message.includes(`${journalPath(path)}: EISDIR`) && /; the tipsets from epoch 2 on are mined but not saved \(a restart would lose them\); sends and cheat codes that change the chain are refused until it can be written$/.test(err.message);
      // The send whose tipset's append failed is answered with the failure, as the sends after it.
      await assert.rejects(send(node.devnet, 1), refused);
      hashes.push(minedHashes(node.devnet)[1]!);
      await assert.rejects(send(node.devnet, 2), refused);
      // So is a mine: anvil_mine stops at its first tipset that cannot be saved.
      rmSync(journalPath(path), { recursive: true });
      await node.devnet.cheats.mine(1);
      rmSync(journalPath(path));
      mkdirSync(journalPath(path));
      await assert.rejects(node.devnet.cheats.mine(3), (err: Error) => err instanceof StateFileError && /EISDIR.*; the tipsets from epoch 4 on are mined but not saved/.test(err.message));
      assert.equal(node.devnet.head.epoch, 4);
      rmSync(journalPath(path), { recursive: true });
      hashes.push(await send(node.devnet, 2));
      assert.deepEqual(savedShape(path), liveShape(node.devnet));
    }
    using again = await keptDevnet(path);
    assert.equal(again.devnet.head.epoch, 5);
    assert.deepEqual(minedHashes(again.devnet), hashes);
  });

  test('a path that cannot be written refuses to start with a StateFileError naming it', async () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'x');
    const devnet = await createDevnet(testConfig());
    try {
      assert.throws(() => new StateFile(join(blocker, 'chain.state'), devnet, () => undefined), (err: Error) => err instanceof StateFileError && /cannot save the chain to .*a-file\/chain\.state: ENOTDIR/.test(err.message));
    } finally {
      devnet.close();
    }
  });
});
