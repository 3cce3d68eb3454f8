// Past actor versions kept as what changed from the version before (fevm/actor-change.ts, and the state
// tree's ActorHistory): each reads back as the version written, field for field in the same order,
// what it held by reference the very object, at every epoch, across reverts to any point, on kept
// branches, and exported as the versions written would be; versions a change cannot describe stay the objects written.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AppendedMap } from '../../src/common/appended-map.js';
import { FilAddress, Protocol } from '../../src/common/address.js';
import { decodeChange, encodeChange, refsStart } from '../../src/fevm/actor-change.js';
import type { Actor } from '../../src/fevm/actor.js';
import { StateTree, storableChange, type StateReader, type StateSnapshot } from '../../src/fevm/state-tree.js';
import type { StateBranch } from '../../src/fevm/state-branch.js';
import { LazyMap } from '../../src/fevm/lazy-map.js';
import { PackedActors } from '../../src/fevm/packed-actor.js';
import { localStateSource } from '../../src/fevm/state-tree.js';
import { bigintsFromStrings } from '../helpers/bigint-parses.js';

/** Asserts that `read` is `written`: equal, its records' fields in the same order, its objects held by reference the same ones. */
function assertSameVersion(read: Actor | undefined, written: Actor | undefined, what: string): void {
  assert.deepStrictEqual(read, written, what);
  if (!read || !written) return;
  const r = read as unknown as Record<string, unknown>;
  const w = written as unknown as Record<string, unknown>;
  assert.deepEqual(Object.keys(r), Object.keys(w), `${what}: fields`);
  for (const key of Object.keys(w)) {
    const field = w[key];
    if (typeof field !== 'object' || field === null) continue;
    if (Object.getPrototypeOf(field) === Object.prototype && !Object.isFrozen(field)) {
      assert.deepEqual(Object.keys(r[key] as object), Object.keys(field), `${what}: ${key}'s fields`);
      for (const [inner, value] of Object.entries(field)) if (typeof value === 'object' && value !== null) assert.equal((r[key] as Record<string, unknown>)[inner], value, `${what}: ${key}.${inner}`);
    } else assert.equal(r[key], field, `${what}: ${key}`);
  }
}

const robust = FilAddress.fromPayload(Protocol.Actor, new Uint8Array(20).fill(9));

/** A miner-like actor's first version: its state a record of numbers, bigints, flags, a string, a Map and an AppendedMap. */
const first = (id: number): Actor =>
  ({
    id,
    kind: 'storageminer',
    nonce: 0,
    balance: 10n ** 20n,
    robust,
    miner: { owner: 100, lockedFunds: 0n, feeDebt: 0n, ratio: 0.5, active: false, label: 'a', table: new Map([[1, 'x']]), grants: undefined, offset: 0 },
  }) as unknown as Actor;

/** The version after `previous` at step `n`: some fields changed as `pick` chooses, sometimes one it cannot be a change of. */
function next(previous: Actor, n: number, pick: (k: number) => number): Actor {
  const miner = { ...(previous as unknown as { miner: Record<string, unknown> }).miner };
  if (pick(2) === 0) miner.lockedFunds = BigInt(n) * 12345678901234567890n;
  if (pick(3) === 0) miner.feeDebt = -BigInt(n) * 3n;
  if (pick(4) === 0) miner.ratio = pick(2) ? n / 7 : -0;
  if (pick(4) === 0) miner.active = !miner.active;
  if (pick(5) === 0) miner.label = `label ${n}`;
  if (pick(5) === 0) miner.table = new Map([[n, 'y']]);
  if (pick(3) === 0) miner.grants = AppendedMap.with(miner.grants as AppendedMap<bigint> | undefined, n, BigInt(n));
  if (pick(6) === 0) miner.offset = pick(2) ? 2 ** 40 + n : -n;
  if (pick(8) === 0) miner.grants = undefined;
  const version = { ...previous, nonce: previous.nonce + pick(2), balance: previous.balance + BigInt(pick(3)), miner } as Record<string, unknown>;
  // Now and then a field more or fewer (a whole version), or a forked singleton's (kept whole).
  if (pick(25) === 0) version.extra = n;
  else if (pick(25) === 0) delete version.extra;
  if (pick(40) === 0) version.forkedFrom = { head: robust, stateJson: {}, handedOut: miner };
  else if (pick(10) === 0) delete version.forkedFrom;
  return version as unknown as Actor;
}

describe('actor changes', () => {
  test('a change reads back as the version, from the one before, fields in order and references the same', () => {
    const before = first(100);
    const table = new Map([[2, 'z']]);
    const after = { ...before, nonce: 3, balance: 7n, miner: { ...(before.miner as object), lockedFunds: -(2n ** 300n), ratio: -0, active: true, label: 'b', table, offset: 2 ** 53 } } as unknown as Actor;
    const refs: unknown[] = ['earlier'];
    const change = encodeChange(after, before, refs)!;
    assert.equal(refsStart(change, 0), 1);
    assert.deepEqual(refs, ['earlier', 'b', table]);
    const read = decodeChange(Uint8Array.of(0xee, ...change), 1, before, refs);
    assertSameVersion(read, after, 'read');
    assert.ok(Object.is((read.miner as unknown as { ratio: number }).ratio, -0));
    assert.equal(read.robust, before.robust);
    // Unchanged, it is a copy of the one before.
    assertSameVersion(decodeChange(encodeChange(before, before, [])!, 0, before, []), before, 'unchanged');
  });

  test('bigints of every length read back, both signs, around each six-byte chunk; none parsed from a string', () => {
    const before = first(100);
    const values: bigint[] = [0n, 1n, 255n, 256n];
    for (let bits = 8n; bits <= 400n; bits += 8n) values.push(2n ** bits - 1n, 2n ** bits, 2n ** bits + 1n, (2n ** bits / 3n) * 2n + 12345n);
    const changes = values.flatMap((magnitude) =>
      (magnitude === 0n ? [0n] : [magnitude, -magnitude]).map((value) => {
        const after = { ...before, balance: value, miner: { ...(before.miner as object), lockedFunds: -value } } as unknown as Actor;
        const refs: unknown[] = [];
        return { value, bytes: Uint8Array.from(encodeChange(after, before, refs)!), refs };
      }),
    );
    const read: Actor[] = [];
    // txpath: a past version's amounts were read through a hex string and BigInt's parse of it; now
    // straight from the bytes (common/hex.ts bytesToBigint), by no string at all.
    const parsed = bigintsFromStrings(() => {
      for (const { bytes, refs } of changes) read.push(decodeChange(bytes, 0, before, refs));
    });
    changes.forEach(({ value }, i) => {
      assert.equal(read[i]!.balance, value, `balance ${value}`);
      assert.equal((read[i]!.miner as unknown as { lockedFunds: bigint }).lockedFunds, -value, `lockedFunds ${-value}`);
    });
    assert.equal(parsed, 0, 'bigints parsed from strings while reading');
  });

  test('no change between versions of other fields, of a forked singleton, of a tombstone or of an instance', () => {
    const before = first(100);
    assert.equal(encodeChange({ ...before, extra: 1 } as unknown as Actor, before, []), undefined);
    assert.equal(encodeChange({ id: 100, kind: 'storageminer', nonce: 0, balance: 0n, deleted: true }, before, []), undefined);
    const forked = { ...before, forkedFrom: { head: robust, stateJson: {} } } as unknown as Actor;
    assert.equal(encodeChange({ ...forked, balance: 1n }, forked, []), undefined);
    class Instance {
      constructor(readonly id: number) {}
    }
    assert.equal(encodeChange(new Instance(100) as unknown as Actor, before, []), undefined);
  });
});

describe('past actor versions in the state tree', () => {
  test('read at every epoch, on kept branches and after reverts, each is the version written; exported, as the versions written', () => {
    const IDS = [100, 101, 102];
    const tree = new StateTree();
    /** Each commit kept: its epoch and the versions it wrote. */
    const commits: { epoch: number; written: Map<number, Actor> }[] = [];
    const snapshots: { snapshot: StateSnapshot; kept: number }[] = [];
    /** Kept branches: what the tree held up to their base, the commits they dropped, and their epochs. */
    const branches: { branch: StateBranch; kept: typeof commits; dropped: typeof commits }[] = [];
    const newest = new Map<number, Actor>();
    let epoch = 0;
    let seed = 11;
    const pick = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const versionAt = (list: typeof commits, id: number, at: number) => list.filter((c) => c.epoch <= at && c.written.has(id)).at(-1)?.written.get(id);
    for (let step = 0; step < 600; step++) {
      if (pick(40) === 0 && snapshots.length) {
        const { snapshot, kept } = snapshots.splice(pick(snapshots.length))[0]!;
        branches.push({ branch: tree.branch(snapshot, epoch), kept: commits.slice(0, kept), dropped: commits.slice(kept) });
        tree.revert(snapshot);
        commits.length = kept;
        epoch = snapshot.epoch;
        newest.clear();
        for (const id of IDS) {
          const version = versionAt(commits, id, epoch);
          // Read right away: the version the revert made the newest again, before any write after it.
          assertSameVersion(tree.at(epoch).getActor(id), version, `actor ${id} right after a revert to ${epoch}`);
          if (version) newest.set(id, version);
        }
        continue;
      }
      if (pick(15) === 0) snapshots.push({ snapshot: tree.snapshot(), kept: commits.length });
      epoch += 1;
      const overlay = tree.stage();
      const written = new Map<number, Actor>();
      for (const id of IDS) {
        if (pick(3) === 0) continue;
        const previous = newest.get(id);
        const version = previous ? next(previous, step, pick) : first(id);
        overlay.putActor(version);
        written.set(id, version);
        newest.set(id, version);
      }
      tree.commit(overlay, epoch);
      commits.push({ epoch, written });
    }
    assert.ok(commits.length > 100, `${commits.length} commits kept`);
    const assertReads = (state: (at: number) => StateReader, list: typeof commits, epochs: number[], what: string) => {
      for (const at of epochs) for (const id of IDS) assertSameVersion(state(at).getActor(id), versionAt(list, id, at), `${what}: actor ${id} at ${at}`);
    };
    const epochs = Array.from({ length: epoch + 2 }, (_, i) => i);
    // Twice: the second time some come from the versions made last.
    assertReads((at) => tree.at(at), commits, epochs, 'tree');
    assertReads((at) => tree.at(at), commits, [...epochs].reverse(), 'tree, backwards');
    assert.ok(branches.length > 3, `${branches.length} branches`);
    for (const [i, { branch, kept, dropped }] of branches.entries()) {
      assertReads((at) => tree.branchAt(branch, at), [...kept, ...dropped], dropped.map((c) => c.epoch), `branch ${i}`);
    }
    // Exported (a --state file's commits), each version is stored as the change from the version before it that was written.
    const exported = commits.map(({ epoch: at, written }, i) => ({
      // A commit that wrote nothing exports as epoch 0 (StateTree.writtenBetween).
      epoch: written.size ? at : 0,
      changes: [...written].map(([id, version]) => storableChange([`a${id}`, version, commits.slice(0, i).filter((c) => c.written.has(id)).at(-1)?.written.get(id)])),
    }));
    assert.deepEqual(tree.exportCommitsSince(0), exported);
    const loaded = new StateTree();
    loaded.load(tree.exportCommitsSince(0));
    assert.deepEqual(loaded.exportCommitsSince(0), exported);
  });

  test('walked in order (a whole save, a kept branch), each past version is made from the one before: one change decoded a version', (t) => {
    const tree = new StateTree();
    const start = tree.snapshot();
    const VERSIONS = 100;
    let actor = first(100);
    for (let epoch = 1; epoch <= VERSIONS; epoch++) {
      actor = { ...actor, balance: actor.balance + 1n, nonce: epoch } as Actor;
      const overlay = tree.stage();
      overlay.putActor(actor);
      tree.commit(overlay, epoch);
    }
    // The version maker reads the packed bytes once for each change it decodes, and nothing else reads them here.
    const decodes = t.mock.getter(PackedActors.prototype, 'bytesUntilNextAppend');
    const exported = tree.exportCommitsSince(0);
    assert.equal(exported.length, VERSIONS);
    // About one change decoded a version: not ~16 (each rebuilt from its whole version), and not none (the walk read them).
    const inRange = (count: number) => count >= VERSIONS * 0.8 && count <= VERSIONS * 1.1;
    assert.ok(inRange(decodes.mock.callCount()), `exported: ${decodes.mock.callCount()} changes decoded for ${VERSIONS} versions`);
    decodes.mock.resetCalls();
    const branch = tree.branch(start, VERSIONS);
    assert.equal(tree.branchAt(branch, VERSIONS).getActor(100)?.nonce, VERSIONS);
    assert.ok(inRange(decodes.mock.callCount()), `branched: ${decodes.mock.callCount()} changes decoded for ${VERSIONS} versions`);
  });

  test("read in the election's three states each tipset (the base's parent, the power lookback and its parent), each past version is made from the one made for that state the tipset before: at most two changes decoded a tipset", (t) => {
    const tree = new StateTree();
    const LOOKBACK = 900;
    const TIPSETS = 1200;
    let actor = first(100);
    const write = (epoch: number) => {
      actor = { ...actor, balance: actor.balance + 1n, nonce: epoch } as Actor;
      const overlay = tree.stage();
      overlay.putActor(actor);
      tree.commit(overlay, epoch);
    };
    for (let epoch = 1; epoch <= LOOKBACK + 1; epoch++) write(epoch);
    // The version maker reads the packed bytes once for each change it decodes, and nothing else reads them here.
    const decodes = t.mock.getter(PackedActors.prototype, 'bytesUntilNextAppend');
    for (let epoch = LOOKBACK + 2; epoch <= TIPSETS; epoch++) {
      write(epoch);
      decodes.mock.resetCalls();
      // As electWinner reads them for each of two miners: the lookback's state, its parent's, the base's parent's.
      for (let miner = 0; miner < 2; miner++) {
        for (const at of [epoch - LOOKBACK, epoch - LOOKBACK - 1, epoch - 2]) assert.equal(tree.at(at).getActor(100)?.nonce, at);
      }
      // After the first tipsets each state's read goes on from the version made for it the tipset before (the
      // lookback's parent is last tipset's lookback): where one version was kept for the actor, each read made
      // its version from the last whole one (up to 31 changes).
      if (epoch > LOOKBACK + 3) assert.ok(decodes.mock.callCount() <= 2, `epoch ${epoch}: ${decodes.mock.callCount()} changes decoded for six reads`);
    }
  });

  test("on a fork: a miner read from the upstream keeps its lazily read table in every version; a forked singleton's versions are the objects written", () => {
    // The upstream's sectors, read when asked (a fork's LazyMap), and a power actor as a fork hands it out.
    const sectors = new LazyMap<number, string>({ get: (n) => (n < 10 ? `sector ${n}` : undefined), fetched: () => [] });
    const upstreamMiner = { ...first(1000), miner: { ...(first(1000).miner as object), sectors } } as unknown as Actor;
    const power = { pledge: 0n };
    const upstreamPower = { id: 4, kind: 'storagepower', nonce: 0, balance: 0n, power, forkedFrom: { head: robust, stateJson: {}, handedOut: power } } as unknown as Actor;
    const tree = new StateTree({ ...localStateSource, getActor: (id) => (id === 1000 ? upstreamMiner : id === 4 ? upstreamPower : undefined) });
    const minerVersions: Actor[] = [];
    const powerVersions: Actor[] = [];
    let miner = upstreamMiner;
    let singleton = upstreamPower;
    for (let epoch = 1; epoch <= 70; epoch++) {
      const overlay = tree.stage();
      const state = (miner as unknown as { miner: Record<string, unknown> }).miner;
      miner = { ...miner, balance: miner.balance + 1n, miner: { ...state, lockedFunds: BigInt(epoch) } } as unknown as Actor;
      const pledge = { pledge: BigInt(epoch) };
      singleton = { ...singleton, power: pledge, forkedFrom: { ...singleton.forkedFrom!, handedOut: epoch % 2 ? pledge : singleton.forkedFrom!.handedOut } } as unknown as Actor;
      overlay.putActor(miner);
      overlay.putActor(singleton);
      tree.commit(overlay, epoch);
      minerVersions.push(miner);
      powerVersions.push(singleton);
    }
    assert.equal(tree.at(0).getActor(1000), upstreamMiner);
    for (let epoch = 1; epoch <= 70; epoch++) {
      const read = tree.at(epoch).getActor(1000)!;
      assertSameVersion(read, minerVersions[epoch - 1], `miner at ${epoch}`);
      const table = (read as unknown as { miner: { sectors: LazyMap<number, string> } }).miner.sectors;
      assert.equal(table, sectors);
      assert.equal(table.get(3), 'sector 3');
      assert.equal(tree.at(epoch).getActor(4), powerVersions[epoch - 1], `power at ${epoch}`);
    }
  });
});
