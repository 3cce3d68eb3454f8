// A miner's deadlines in builtin-actors' layout (deadline-blocks.ts): 48 Deadline blocks, each with
// its partitions AMT (bit width 3) of Partitions, live and faulty sectors as bitfields, power pairs,
// the partitions a PoSt proved, each Partition's expiration queue, and empty AMTs of builtin-actors'
// bit widths where the devnet keeps nothing.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readAmt } from '../../src/common/amt.js';
import { decodeBitfield } from '../../src/common/bitfield.js';
import { decodeBigInt, decodeCbor, type CID } from '../../src/common/cbor.js';
import { deadlineBlocks } from '../../src/fevm/actors/miner/deadline-blocks.js';
import { deadlineEndAtOrAfter, FAULT_MAX_AGE } from '../../src/fevm/actors/miner/policy.js';
import { sectorPower } from '../../src/fevm/actors/miner/state.js';
import { minerHarness } from '../helpers/miner-harness.js';

describe('a miner\'s deadline blocks', () => {
  test('Deadlines → Deadline → partitions AMT → Partition, as builtin-actors lays them out', async () => {
    const h = await minerHarness();
    const m = h.miner();
    // Sector 2 faulty, and deadline 2's partition 0 proven.
    const sectors = new Map(m.sectors);
    sectors.set(2, { ...sectors.get(2)!, faultEpoch: 5 });
    const { root, blocks } = deadlineBlocks({ ...m, sectors, postSubmissions: new Map([[2, [0]]]) }, h.epoch);
    const read = async (cid: CID) => blocks.get(cid.toString())!;
    const [due] = decodeCbor<[CID[]]>(await read(root));
    assert.equal(due.length, 48);
    const deadline = decodeCbor<unknown[]>(await read(due[2]));
    assert.equal(deadline.length, 13);
    const [partitionsRoot, expirations, posted, , live, total] = deadline as [CID, CID, Uint8Array, Uint8Array, number, number];
    assert.deepEqual(decodeBitfield(posted), [0]);
    assert.deepEqual([live, total], [1, 1]);
    assert.equal(decodeCbor<number[]>(await read(expirations))[0], 5);
    const partitions = await readAmt(partitionsRoot, read);
    assert.deepEqual([...partitions.keys()], [0]);
    const partition = partitions.get(0) as unknown[];
    assert.equal(partition.length, 11);
    const [all, , faults, , terminated, expirationQueue, , livePower, , faultyPower] = partition as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, CID, CID, Uint8Array[], Uint8Array[], Uint8Array[]];
    assert.deepEqual([decodeBitfield(all), decodeBitfield(faults), decodeBitfield(terminated)], [[2], [2], []]);
    const power = sectorPower(m.sectorSize, sectors.get(2)!);
    assert.deepEqual(livePower.map(decodeBigInt), [power.raw, power.qa]);
    assert.deepEqual(faultyPower.map(decodeBigInt), [power.raw, power.qa]);
    // The partition's expiration queue: the faulty sector leaves early, at the end of its deadline FAULT_MAX_AGE
    // after the one it became faulty in (its ExpirationSet's EarlySectors).
    const queue = await readAmt(expirationQueue, read);
    const dropped = deadlineEndAtOrAfter(5, m.provingPeriodOffset, 2) + FAULT_MAX_AGE;
    assert.deepEqual([...queue.keys()], [dropped]);
    const [onTime, early, pledge, activePower, queuedFaulty] = queue.get(dropped) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array[], Uint8Array[]];
    assert.deepEqual([decodeBitfield(onTime), decodeBitfield(early), decodeBigInt(pledge)], [[], [2], 0n]);
    assert.deepEqual([activePower.map(decodeBigInt), queuedFaulty.map(decodeBigInt)], [[0n, 0n], [power.raw, power.qa]]);
    // A healthy sector leaves on time, with its pledge, at the end of its deadline then (fidaudit6 D5).
    const healthy = [...m.sectors.values()].find((s) => s.faultEpoch === undefined && s.deadline === 3)!;
    const [deadline3Partitions] = decodeCbor<[CID]>(await read(due[3]));
    const healthyQueue = await readAmt(((await readAmt(deadline3Partitions, read)).get(healthy.partition) as CID[])[5], read);
    const [healthyOnTime, , healthyPledge] = healthyQueue.get(deadlineEndAtOrAfter(healthy.expiration, m.provingPeriodOffset, 3)) as [Uint8Array, Uint8Array, Uint8Array];
    assert.ok(decodeBitfield(healthyOnTime).includes(healthy.sectorNumber));
    assert.ok(decodeBigInt(healthyPledge) >= healthy.initialPledge);
    // A deadline without sectors has an empty partitions AMT.
    const [emptyPartitions] = decodeCbor<[CID]>(await read(due[20]));
    assert.equal((await readAmt(emptyPartitions, read)).size, 0);
  });
});
