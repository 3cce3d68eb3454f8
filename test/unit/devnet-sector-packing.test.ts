// How the storage providers' agents fill sectors: largest pieces first while they fit, with one
// expiration every piece's term allows, at most sector_deals_max pieces a sector and
// MAX_SECTORS_PER_BATCH sectors a batch.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { claimableExpirations, MAX_SECTORS_PER_BATCH, packSectors, PROVE_MARGIN, sectorDealsMax } from '../../src/devnet/storage-providers/sector-packing.js';

const KIB2 = 2048n;
const job = (name: string, size: number, minExpiration = 0, maxExpiration?: number) => ({ name, piece: { size }, minExpiration, maxExpiration });
const names = (sectors: { jobs: { name: string }[] }[]) => sectors.map((s) => s.jobs.map((j) => j.name));

describe('sector packing', () => {
  test('pieces share a sector while they fit, largest first so that each is aligned to its size', () => {
    const jobs = [job('a', 256), job('b', 1024), job('c', 512), job('d', 1024), job('e', 256)];
    const { sectors, unsealable } = packSectors(jobs, KIB2, 1000);
    assert.deepEqual(names(sectors), [['b', 'd'], ['c', 'a', 'e']]);
    assert.deepEqual(unsealable, []);
  });

  test('a sector lives until its longest piece needs it, and never past an allocation’s maximum term', () => {
    const jobs = [job('deal', 512, 5000), job('short allocation', 512, 1100, 1500), job('allocation', 512, 1200, 6000)];
    const { sectors } = packSectors(jobs, KIB2, 1000);
    assert.deepEqual(names(sectors), [['deal', 'allocation'], ['short allocation']]);
    assert.deepEqual(sectors.map((s) => s.expiration), [5000, 1100]);
  });

  test('a sector’s expiration is at least the earliest the miner accepts', () => {
    const { sectors } = packSectors([job('a', 512, 10)], KIB2, 1000);
    assert.equal(sectors[0]!.expiration, 1000);
  });

  test('pieces no sector can hold are set apart with the reason', () => {
    const { sectors, unsealable } = packSectors([job('big', 4096), job('ends too soon', 512, 0, 900), job('ok', 512)], KIB2, 1000);
    assert.deepEqual(names(sectors), [['ok']]);
    assert.deepEqual(
      unsealable.map((u) => [u.job.name, u.reason]),
      [
        ['big', 'its piece of 4096 bytes is larger than a sector (2048)'],
        ['ends too soon', 'its sector would have to live until 1000 and expire by 900'],
      ],
    );
  });

  test('at most sector_deals_max pieces a sector (256 for a 32 GiB one, one per 128 MiB above)', () => {
    assert.equal(sectorDealsMax(32n << 30n), 256);
    assert.equal(sectorDealsMax(64n << 30n), 512);
    const many = Array.from({ length: 300 }, (_, i) => job(`p${i}`, 128));
    const { sectors } = packSectors(many, 32n << 30n, 1000);
    assert.deepEqual(sectors.map((s) => s.jobs.length), [256, 44]);
  });

  test('a batch holds at most MAX_SECTORS_PER_BATCH sectors: the rest waits for the next', () => {
    const full = Array.from({ length: MAX_SECTORS_PER_BATCH + 3 }, (_, i) => job(`s${i}`, 2048));
    const { sectors, unsealable } = packSectors(full, KIB2, 1000);
    assert.equal(sectors.length, 256);
    assert.deepEqual(unsealable, []);
    const packed = new Set(sectors.flatMap((s) => s.jobs.map((j) => j.name)));
    assert.deepEqual(full.filter((j) => !packed.has(j.name)).map((j) => j.name), ['s256', 's257', 's258']);
  });

  test('a job marked alone (its shared sector failed) gets a sector to itself', () => {
    const jobs = [job('a', 256), { ...job('retried', 256), alone: true }, job('b', 256)];
    assert.deepEqual(names(packSectors(jobs, KIB2, 1000).sectors), [['a', 'b'], ['retried']]);
  });

  test('a verified piece’s sector lives within its allocation’s term counted from any prove epoch up to PROVE_MARGIN after the pre-commit', () => {
    const term = { min: 518_400, max: 777_600 };
    const head = 5000;
    const { minExpiration, maxExpiration } = claimableExpirations(term, head);
    // The registry's check: term.min <= expiration - prove epoch <= term.max.
    for (const prove of [head + 1, head + 2, head + PROVE_MARGIN]) {
      for (const expiration of [minExpiration, maxExpiration]) {
        const lifetime = expiration - prove;
        assert.ok(lifetime >= term.min && lifetime <= term.max, `expiration ${expiration} proven at ${prove}`);
      }
    }
    // A term narrower than the margin: the sector lives to its end, and the proof has what the term leaves.
    assert.deepEqual(claimableExpirations({ min: 100, max: 150 }, head), { minExpiration: head + 150, maxExpiration: head + 150 });
  });
});
