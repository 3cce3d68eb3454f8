// What the storage providers' agents put on chain to seal a sector, and how they find contract deal
// proposals in a tipset.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ZeroComm } from '@web3-storage/data-segment';
import { FilAddress } from '../../src/common/address.js';
import { encodeCbor } from '../../src/common/cbor.js';
import { bytesToHex, hexToBytes } from '../../src/common/hex.js';
import { keccak256 } from '../../src/common/hashes.js';
import { createGenesisState } from '../../src/devnet/genesis.js';
import { createActor } from '../../src/fevm/actors/lifecycle.js';
import { buildTipset, type IncludedMessage } from '../../src/mining/tipset.js';
import { contractDealRequests } from '../../src/devnet/storage-providers/contract-deals.js';
import { pieceCidFromRoot } from '../../src/devnet/storage-providers/piece-cid.js';
import { preCommitParams, proveCommitParams, sealedCid, sealProofType, unsealedCidOfPieces } from '../../src/devnet/storage-providers/sector-params.js';
import { fakeIncluded } from '../helpers/fake-messages.js';

const KIB2 = 2048n;

describe('sector params', () => {
  test('CommD of a sector is its single piece folded up with zero subtrees', () => {
    // A zero piece of 128 bytes in a 2 KiB sector: the sector is all zeros, whose CommD is the zero commitment of its level.
    const zeroPiece = pieceCidFromRoot(ZeroComm.fromLevel(2));
    assert.deepEqual(unsealedCidOfPieces([{ cid: zeroPiece, size: 128 }], KIB2).multihash.digest, ZeroComm.fromLevel(6));
    // A piece as large as the sector is its own CommD.
    const full = pieceCidFromRoot(new Uint8Array(32).fill(7));
    assert.equal(unsealedCidOfPieces([{ cid: full, size: 2048 }], KIB2).toString(), full.toString());
  });

  test('sealed CIDs are fil-commitment-sealed / poseidon, distinct per miner and sector', () => {
    const a = sealedCid(111, 1);
    assert.equal(a.code, 0xf102);
    assert.equal(a.multihash.code, 0xb401);
    assert.notEqual(a.toString(), sealedCid(111, 2).toString());
    assert.notEqual(a.toString(), sealedCid(113, 1).toString());
    assert.ok(a.multihash.digest[31]! <= 0x3f, 'a field element');
  });

  test('seal proofs by sector size (StackedDrg…V1_1)', () => {
    assert.equal(sealProofType(KIB2), 5);
    assert.equal(sealProofType(32n << 30n), 8);
    assert.throws(() => sealProofType(1000n), /no seal proof/);
  });

  test('PreCommitSectorBatch2 and ProveCommitSectors3 params in builtin-actors’ layouts, one entry and one proof per sector', () => {
    const piece = pieceCidFromRoot(new Uint8Array(32).fill(1));
    const small = pieceCidFromRoot(new Uint8Array(32).fill(2));
    const verified = { cid: piece, size: 1024, allocation: [120, 3] as [number, number], notify: [{ address: FilAddress.fromId(5), payload: encodeCbor(9) }] };
    const deal = { cid: small, size: 512, notify: [] };
    const plans = [
      { sectorNumber: 12, sectorSize: KIB2, expiration: 700_000, pieces: [verified, deal] },
      { sectorNumber: 13, sectorSize: KIB2, expiration: 800_000, pieces: [deal] },
    ];
    const [infos] = preCommitParams(111, plans, 50) as unknown[][][];
    assert.deepEqual(infos, [
      [5, 12, sealedCid(111, 12), 49, [], 700_000, unsealedCidOfPieces([verified, deal], KIB2)],
      [5, 13, sealedCid(111, 13), 49, [], 800_000, unsealedCidOfPieces([deal], KIB2)],
    ]);
    const [activations, proofs, aggregate, aggregateType, requireActivation, requireNotification] = proveCommitParams(plans) as unknown[];
    assert.deepEqual(activations, [
      [12, [[piece, 1024, [120, 3], [[FilAddress.fromId(5).bytes, encodeCbor(9)]]], [small, 512, null, []]]],
      [13, [[small, 512, null, []]]],
    ]);
    assert.equal((proofs as Uint8Array[]).length, 2);
    assert.deepEqual([aggregate, aggregateType, requireActivation, requireNotification], [new Uint8Array(), null, true, false]);
  });
});

describe('contract deal requests', () => {
  const topic = keccak256(new TextEncoder().encode('DealProposalCreate(bytes32,uint64,bool,uint256)'));
  const entry = (key: string, value: Uint8Array) => ({ flags: 3, key, codec: 0x55, value });

  test('are the DealProposalCreate logs of successful messages, with the emitting contract', () => {
    const state = createGenesisState([], 0n).stage();
    const contract = createActor(state, 'evm', { delegated: FilAddress.fromEthAddress(hexToBytes('0x' + '11'.repeat(20))) });
    const id = new Uint8Array(32).fill(9);
    const log = { emitter: contract.id, entries: [entry('t1', topic), entry('t2', id), entry('t3', new Uint8Array(32)), entry('d', new Uint8Array(64))] };
    const other = { emitter: contract.id, entries: [entry('t1', new Uint8Array(32)), entry('t2', id), entry('d', new Uint8Array())] };
    const included = (exitCode: number, events: (typeof log)[], index: number): IncludedMessage => {
      const message = fakeIncluded({ nonce: index, index });
      return { ...message, receipt: { ...message.receipt, exitCode, events } };
    };
    const tipset = buildTipset({ epoch: 1, timestamp: 1, baseFee: 100n, parent: undefined, messages: [included(0, [other, log], 0), included(33, [log], 1)] });
    const requests = contractDealRequests(tipset, state);
    assert.equal(requests.length, 1);
    assert.equal(bytesToHex(requests[0]!.contract), '0x' + '11'.repeat(20));
    assert.deepEqual(requests[0]!.id, id);
  });
});
