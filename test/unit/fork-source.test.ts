// The fork's state source and its disk cache, with a stand-in for the upstream's reads: a read of
// what was not fetched throws MissingStateError naming it; fetch brings it (once, even when asked
// for twice at the same time); "no such actor" is remembered as an answer; actors the fork creates
// are never asked for; the state tree runs work again after fetching; the cache gives back exactly
// what was fetched.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { EAM_NAMESPACE, FilAddress } from '../../src/common/address.js';
import { cidOf, type CID } from '../../src/common/cbor.js';
import type { Actor } from '../../src/fevm/actor.js';
import { MissingStateError, StateTree } from '../../src/fevm/state-tree.js';
import { ForkCache } from '../../src/devnet/fork/fork-cache.js';
import { emptyForkData, ForkSource, type ForkData } from '../../src/devnet/fork/fork-source.js';
import { ForkedActors } from '../../src/devnet/fork/forked-actors.js';
import { stageForkStart } from '../../src/devnet/fork/fork-genesis.js';
import type { UpstreamState } from '../../src/devnet/fork/upstream-state.js';
import { plainTables } from '../helpers/plain-tables.js';
import { REPO_ROOT } from '../helpers/solc.js';
import { testForkPoint } from '../helpers/fork-point.js';

const CONTRACT = FilAddress.fromDelegated(EAM_NAMESPACE, new Uint8Array(20).fill(0xaa));
const UNKNOWN = FilAddress.fromDelegated(EAM_NAMESPACE, new Uint8Array(20).fill(0xbb));
const contract: Actor = { id: 120, kind: 'evm', nonce: 0, balance: 5n, delegated: CONTRACT, evm: { bytecode: new Uint8Array([0x60, 0x00]), bytecodeHash: new Uint8Array(32), nonce: 1, storageGeneration: 0 } };

const point = testForkPoint(7);

/** The upstream's reads, answered from a fixed world, counting each call. */
function fakeUpstream({ whole = false } = {}) {
  const calls: string[] = [];
  let wholeStorage = whole;
  const upstream = {
    point,
    // By ID, or by address (the ID looked up with it).
    async actor(at: number | FilAddress, contractExpected?: boolean) {
      calls.push(`actor ${at.toString()}${contractExpected ? ' (with a contract\'s reads)' : ''}`);
      return (typeof at === 'number' ? at === contract.id : at.equals(CONTRACT)) ? contract : null;
    },
    async storage(actor: Actor, slot: bigint) {
      calls.push(`slot ${actor.id} ${slot}`);
      return slot * 10n;
    },
    async nextId() {
      calls.push('nextId');
      return 200;
    },
    // The contract's storage KAMT, read whole with it (slot 4 holds 44): once.
    takeWholeStorage(id: number) {
      const slots = id === contract.id && wholeStorage ? new Map([[4n, 44n]]) : undefined;
      wholeStorage = false;
      return slots;
    },
    async tipsetHash(epoch: number) {
      calls.push(`tipset ${epoch}`);
      return new Uint8Array(32).fill(epoch);
    },
  };
  return { upstream: upstream as unknown as UpstreamState, calls };
}


describe('fork state source', () => {
  test('reads throw MissingStateError until fetched; fetched values, absences included, are answered', async () => {
    const { upstream, calls } = fakeUpstream();
    const source = new ForkSource(upstream);
    assert.throws(() => source.getActor(contract.id), (e: unknown) => e instanceof MissingStateError && e.missing[0].kind === 'actor');
    await source.fetch([{ kind: 'nextId' }, { kind: 'actor', id: contract.id }, { kind: 'actor', id: 150 }, { kind: 'address', address: UNKNOWN }]);
    assert.equal(source.getActor(contract.id), contract);
    assert.equal(source.getActor(150), undefined);
    assert.equal(source.lookupId(UNKNOWN), undefined);
    // From the upstream's NextID on, actors are the fork's own: nothing to ask.
    assert.equal(source.getActor(250), undefined);
    assert.throws(() => source.getStorage(contract.id, 0, 3n), MissingStateError);
    await source.fetch([{ kind: 'storage', id: contract.id, slot: 3n }]);
    assert.equal(source.getStorage(contract.id, 0, 3n), 30n);
    // A later generation (self-destructed on the fork) holds nothing of the upstream's.
    assert.equal(source.getStorage(contract.id, 1, 3n), undefined);
    assert.deepEqual(calls, ['nextId', 'actor 120', 'actor 150', `actor ${UNKNOWN.toString()}`, 'slot 120 3']);
    assert.deepEqual({ ...source.progress, hits: source.progress.hits > 0 }, { actors: 2, addresses: 1, slots: 1, entries: 0, hits: true });
  });

  test("a contract read with its whole storage answers its slots without asking: the KAMT's values, zero for any other", async () => {
    for (const by of ['id', 'address'] as const) {
      const { upstream, calls } = fakeUpstream({ whole: true });
      const source = new ForkSource(upstream);
      await source.fetch([by === 'id' ? { kind: 'actor', id: contract.id } : { kind: 'address', address: CONTRACT }]);
      assert.equal(source.getStorage(contract.id, 0, 4n), 44n);
      assert.equal(source.getStorage(contract.id, 0, 5n), 0n);
      assert.deepEqual(calls.filter((c) => c.startsWith('slot')), []);
    }
  });

  test('a contract held whole is whole again from the cache', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fork-cache-whole-'));
    try {
      const data = emptyForkData();
      data.actors.set(contract.id, contract);
      data.slots.holdWhole(contract.id, new Map([[4n, 44n]]));
      const cache = new ForkCache(dir);
      cache.save('http://up/rpc/v1', 7, point, data);
      const source = new ForkSource(fakeUpstream().upstream, cache.load(point));
      assert.deepEqual([source.getStorage(contract.id, 0, 4n), source.getStorage(contract.id, 0, 5n)], [44n, 0n]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the deal schedule read ahead, once: its epochs, then the first epoch's deals, the values cron reads; a failure leaves them to cron", async () => {
    const [first, later] = ['a', 'b'].map((s) => cidOf(new TextEncoder().encode(s)));
    for (const [epochs, asked] of [
      [[[point.epoch + 1, first!], [point.epoch + 9, later!]], ['epochs', `deals ${first}`, 'deal 7']],
      [[[point.epoch + 9, later!]], ['epochs']],
      [undefined, ['epochs']],
    ] as const) {
      const calls: string[] = [];
      const tables = {
        async dealOpEpochs() {
          calls.push('epochs');
          if (!epochs) throw new Error('upstream down');
          return epochs;
        },
        async dealOps(set: CID) {
          calls.push(`deals ${set}`);
          return [7];
        },
        async deal(id: number) {
          calls.push(`deal ${id}`);
          return null;
        },
      };
      const source = new ForkSource({ point, tables } as unknown as UpstreamState);
      await source.readDealScheduleAhead();
      assert.deepEqual(calls, asked);
      assert.deepEqual(source.data.tables.dealOpEpochs, epochs);
      await source.readDealScheduleAhead();
      assert.equal(calls.length, asked.length, 'read ahead once per fork');
      if (!epochs) {
        // Cron's own read tries again.
        await assert.rejects(source.fetch([{ kind: 'dealOpEpochs' }]), /upstream down/);
        assert.equal(calls.length, asked.length + 1);
      }
    }
  });

  test('the upstream\'s tipset hashes before the fork epoch are fetched a run at a time, from the run\'s first epoch up to the fork epoch', async () => {
    const { upstream, calls } = fakeUpstream();
    const source = new ForkSource(upstream);
    assert.throws(() => source.tipsetHash(5), (e: unknown) => e instanceof MissingStateError && JSON.stringify(e.missing) === '[{"kind":"tipsetHashes","from":0}]');
    await source.fetch([{ kind: 'tipsetHashes', from: 0 }]);
    assert.deepEqual(calls, ['tipset 0', 'tipset 1', 'tipset 2', 'tipset 3', 'tipset 4', 'tipset 5', 'tipset 6']);
    assert.deepEqual(source.tipsetHash(5), new Uint8Array(32).fill(5));
    assert.deepEqual(source.tipsetHash(0), new Uint8Array(32).fill(0));
    await source.fetch([{ kind: 'tipsetHashes', from: 0 }]);
    assert.equal(calls.length, 7, 'held hashes are not fetched again');
  });

  test('a fork\'s start fetches, in the one fetch with the funded accounts, the sender of calls that name none (the zero address\'s f410)', async () => {
    const { upstream, calls } = fakeUpstream();
    const source = new ForkSource(upstream);
    const funded = FilAddress.fromEthAddress(new Uint8Array(20).fill(0x11));
    const sender = FilAddress.fromEthAddress(new Uint8Array(20));
    await stageForkStart(source, [{ address: funded, balance: 10n }]);
    assert.ok(calls.includes(`actor ${funded.toString()}`) && calls.includes(`actor ${sender.toString()}`));
    const fetched = calls.length;
    assert.equal(source.lookupId(sender), undefined);
    assert.equal(calls.length, fetched);
  });

  test('an address a reader expects a contract at (expectContract) is fetched with a contract\'s reads, once; others, and one already held, without', async () => {
    const { upstream, calls } = fakeUpstream();
    const source = new ForkSource(upstream);
    source.expectContract(CONTRACT);
    await source.fetch([{ kind: 'address', address: CONTRACT }, { kind: 'address', address: UNKNOWN }]);
    source.expectContract(CONTRACT);
    source.expectContract(UNKNOWN);
    await source.fetch([{ kind: 'address', address: CONTRACT }, { kind: 'address', address: UNKNOWN }]);
    assert.deepEqual(calls, [`actor ${CONTRACT.toString()} (with a contract's reads)`, `actor ${UNKNOWN.toString()}`]);
  });

  test("a contract fetched by address is held for its code once its code is read; every other read of it waits for its storage's shape, read once", async () => {
    const calls: string[] = [];
    const shaped: Actor = { ...contract, storageShape: { size: 9, children: [] } as unknown as Actor['storageShape'] };
    let storageRead!: (outcome: 'read' | 'failed') => void;
    const upstream = {
      point,
      // The contract's code and State, then its storage KAMT, held until the test lets it through.
      async actor(at: number | FilAddress, _contract?: boolean, codeRead?: (contract: Actor) => void) {
        calls.push(`actor ${at.toString()}`);
        if (typeof at !== 'number') codeRead?.({ ...contract });
        const outcome = await new Promise<'read' | 'failed'>((resolve) => (storageRead = resolve));
        if (outcome === 'failed') throw new Error('upstream Filecoin.ChainReadObj failed');
        return shaped;
      },
      takeWholeStorage: () => undefined,
    } as unknown as UpstreamState;
    const source = new ForkSource(upstream);
    source.expectContract(CONTRACT);
    // The address's fetch is done at the code: its ID is held, and its code reads inside readCode only.
    await source.fetch([{ kind: 'address', address: CONTRACT }]);
    assert.equal(source.lookupId(CONTRACT), contract.id);
    assert.deepEqual(source.readCode(() => source.getActor(contract.id))?.evm?.bytecode, contract.evm!.bytecode);
    assert.equal(source.readCode(() => source.getActor(contract.id))?.storageShape, undefined);
    assert.throws(() => source.getActor(contract.id), (e: unknown) => e instanceof MissingStateError && e.missing[0].kind === 'actor');
    // A read of the actor waits for the read under way, with no second one.
    let whole = false;
    const actorRead = source.fetch([{ kind: 'actor', id: contract.id }]).then(() => (whole = true));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(whole, false);
    storageRead('read');
    await actorRead;
    assert.equal(source.getActor(contract.id), shaped);
    assert.equal(source.readCode(() => source.getActor(contract.id)), shaped);
    assert.deepEqual(calls, [`actor ${CONTRACT.toString()}`]);

    // A storage read that fails after the code: the reads waiting for the actor get the failure; the next one asks again, by ID.
    const again = new ForkSource(upstream);
    await again.fetch([{ kind: 'address', address: CONTRACT }]);
    const waiting = again.fetch([{ kind: 'actor', id: contract.id }]);
    storageRead('failed');
    await assert.rejects(waiting, /ChainReadObj failed/);
    assert.throws(() => again.readCode(() => again.getActor(contract.id)), MissingStateError);
    const byId = again.fetch([{ kind: 'actor', id: contract.id }]);
    await new Promise((resolve) => setImmediate(resolve));
    storageRead('read');
    await byId;
    assert.equal(again.getActor(contract.id), shaped);
    assert.deepEqual(calls, [`actor ${CONTRACT.toString()}`, `actor ${CONTRACT.toString()}`, `actor ${contract.id}`]);
  });

  test('two fetches of the same value at once make one upstream read', async () => {
    const { upstream, calls } = fakeUpstream();
    const source = new ForkSource(upstream);
    await Promise.all([source.fetch([{ kind: 'actor', id: contract.id }]), source.fetch([{ kind: 'actor', id: contract.id }])]);
    assert.deepEqual(calls, ['actor 120']);
  });

  test('the state tree fetches what a read missed, and the work runs again to an answer (untilFetched)', async () => {
    const { upstream } = fakeUpstream();
    const source = new ForkSource(upstream);
    const tree = new StateTree(source);
    let runs = 0;
    const read = () => {
      runs++;
      const state = tree.at(0);
      const id = state.lookupId(CONTRACT)!;
      return state.getStorage(id, state.getActor(id)!.evm!.storageGeneration, 2n);
    };
    const value = await tree.untilFetched(read);
    assert.equal(value, 20n);
    assert.equal(runs, 3); // missing the address (its actor fetched with it), then the slot; then the answer
    assert.equal(await tree.fetchMissing(new Error('other')), false);
  });

  test('runOnce, fetched and redone (untilFetched), redoes a run that missed an actor, and finds every cold slot a run reads in one run', async () => {
    const { upstream, calls } = fakeUpstream();
    const source = new ForkSource(upstream);
    const tree = new StateTree(source);
    let runs = 0;
    const sum = await tree.untilFetched(() => tree.runOnce(0, async (overlay) => {
      runs++;
      let total = 0n;
      for (let slot = 0n; slot < 50n; slot++) total += overlay.getStorage(contract.id, 0, slot);
      return total;
    }));
    assert.equal(sum, 10n * ((49n * 50n) / 2n));
    assert.equal(runs, 3); // missing the contract's actor; then its 50 slots together; then the answer
    assert.equal(calls.filter((c) => c.startsWith('slot')).length, 50);
  });

  test('the cache gives back what was fetched, at the same point only; a damaged file is refetched', async () => {
    // Its actors as reads see them (a loaded one is decoded when read), its slots as the file stores them.
    // Its tables as plain Maps (a loaded one decodes an entry when read: StoredEntries).
    const readable = (data: ForkData) => ({
      ...data,
      actors: [...data.actors.stored()].map(([id]) => [id, data.actors.get(id)]),
      slots: [...data.slots.stored()],
      tables: plainTables(data.tables),
    });
    const dir = mkdtempSync(join(tmpdir(), 'fork-cache-'));
    try {
      const { upstream } = fakeUpstream();
      const source = new ForkSource(upstream);
      await source.fetch([{ kind: 'nextId' }, { kind: 'actor', id: contract.id }, { kind: 'actor', id: 150 }, { kind: 'address', address: CONTRACT }, { kind: 'address', address: UNKNOWN }]);
      await source.fetch([{ kind: 'storage', id: contract.id, slot: 2n ** 255n }, { kind: 'tipsetHashes', from: 0 }]);
      assert.equal(source.data.tipsetHashes.size, 7);
      const cache = new ForkCache(dir);
      cache.save('http://up/rpc/v1', 7, point, source.data);
      assert.deepEqual(cache.pointFor('http://up/rpc/v1', 7), point);
      assert.equal(cache.pointFor('http://up/rpc/v1', 8), undefined);
      // The URL's kind is noted for a start at another epoch: a point whose state is its own tipset's is no Lotus's,
      // one whose state is another tipset's (the next one) is.
      assert.equal(cache.servedLotus('http://up/rpc/v1'), false);
      cache.save('http://lotus/rpc/v1', 70, { ...point, epoch: 70, stateKey: [{ '/': 'bafynext' }] }, source.data);
      assert.deepEqual([cache.servedLotus('http://lotus/rpc/v1'), cache.servedLotus('http://other/rpc/v1')], [true, false]);
      const loaded = cache.load(point);
      assert.deepEqual(readable(loaded), readable(source.data));
      assert.equal([...cache.load({ ...point, epoch: 8 }).actors.stored()].length, 0);
      // Another chain of the same genesis (two devnets started in the same second) at that epoch: not this file's.
      assert.equal([...cache.load({ ...point, tipsetKey: [{ '/': 'bafyother' }], stateKey: [{ '/': 'bafyother' }] }).actors.stored()].length, 0);
      assert.equal([...cache.load({ ...point, stateKey: [{ '/': 'bafyother' }] }).actors.stored()].length, 0);
      assert.deepEqual(readable(cache.load({ ...point })), readable(source.data));
      // The file pointFor reads is decoded once for the start's load that follows, and handed out once.
      assert.deepEqual(cache.pointFor('http://up/rpc/v1', 7), point);
      writeFileSync(join(dir, `${point.genesis}-${point.epoch}.cbor`), 'garbage');
      assert.deepEqual(readable(cache.load(point)), readable(source.data));
      assert.equal([...cache.load(point).actors.stored()].length, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("an actor the cache stored as bytes that do not decode is fetched again, as a damaged file's are", async () => {
    const { upstream, calls } = fakeUpstream();
    const source = new ForkSource(upstream, { ...emptyForkData(), actors: new ForkedActors([[contract.id, new Uint8Array([0xa1, 0x63])]]) });
    assert.throws(() => source.getActor(contract.id), (e: unknown) => e instanceof MissingStateError && e.missing[0].kind === 'actor');
    await source.fetch([{ kind: 'actor', id: contract.id }]);
    assert.deepEqual(source.getActor(contract.id), contract);
    assert.deepEqual(calls, [`actor ${contract.id}`]);
  });

  // review R5 (on e9ff604 V18): a failed read of the upstream's fee tipsets is said once, and read again after a minute.
  test('the premium history: a failed read leaves it unread with its error, taken once; a minute later it is read again', async (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
    let failing = true;
    let reads = 0;
    const fees = [{ blocks: 1, fees: [{ premium: 200_000n, gasLimit: 1 }] }];
    const upstream = {
      point,
      async tipsetFees(below: number) {
        assert.equal(below, 20);
        reads++;
        if (failing) throw new Error('upstream down');
        return fees;
      },
    } as unknown as UpstreamState;
    const source = new ForkSource(upstream);
    await source.fetchTipsetFees();
    assert.equal(source.data.tipsetFees, undefined);
    assert.equal(source.takeTipsetFeesError()?.message, 'upstream down');
    assert.equal(source.takeTipsetFeesError(), undefined, 'said once');
    // Within the minute: no read, nothing to wait for.
    assert.equal(source.fetchTipsetFees(), undefined);
    t.mock.timers.tick(59_000);
    assert.equal(source.fetchTipsetFees(), undefined);
    assert.equal(reads, 1);
    failing = false;
    t.mock.timers.tick(1_000);
    await source.fetchTipsetFees();
    assert.deepEqual([reads, source.data.tipsetFees], [2, fees]);
    assert.equal(source.fetchTipsetFees(), undefined, 'held: never read again');
  });

  // audit16 A11: Node 20's recursive mkdirSync never returns for /proc/<name> (mkdir says ENOENT under a
  // parent that exists), which hung the node at its first cache save, deaf to SIGTERM.
  test('a cache directory that cannot be made fails its save, rather than hanging it', { skip: process.platform !== 'linux' }, () => {
    const code = `const { ForkCache } = await import('./src/devnet/fork/fork-cache.ts');
      const { emptyForkData } = await import('./src/devnet/fork/fork-source.ts');
      try { new ForkCache('/proc/fvm-devnet-fork-cache/sub').save('http://up', 7, ${JSON.stringify(point)}, emptyForkData()); }
      catch (err) { console.log(err.code); }`;
    // In a process of its own (the sources through tsx, as npm test compiles no module alone), so that a hang is a timeout here.
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 20_000 });
    assert.equal(child.signal, null, 'the save hung');
    assert.equal(child.stdout.trim(), 'ENOENT', child.stderr);
  });
});
