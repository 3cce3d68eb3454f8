// unlessUnknown: only an upstream's "I do not hold this" is taken for an unknown block or tipset;
// a rate limit or any other upstream error is the upstream's failure (issue 13: never mistake one
// for the other).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UpstreamAnswerError } from '../../src/devnet/fork/upstream.js';
import { unlessUnknown } from '../../src/eth-rpc/fork-lookups.js';

const refusal = (message: string) => Promise.reject(new UpstreamAnswerError('Filecoin.ChainGetTipSet', 1, message));

test('Lotus\'s and fvm-devnet\'s unknown-CID answers read as unknown', async () => {
  assert.equal(await unlessUnknown(refusal('loading tipset {bafy2bzace}: get block bafy2bzace: ipld: could not find bafy2bzace')), undefined);
  assert.equal(await unlessUnknown(refusal('loading tipset {bafy2bzace}: not found')), undefined);
  assert.deepEqual(await unlessUnknown(Promise.resolve({ Height: 3 })), { Height: 3 });
});

test('a gateway\'s rate limit or another upstream error is thrown, naming the upstream call', async () => {
  await assert.rejects(unlessUnknown(refusal('server busy. rate: Wait(n=3) would exceed context deadline')), /upstream Filecoin\.ChainGetTipSet: server busy/);
  await assert.rejects(unlessUnknown(Promise.reject(new Error('connect ECONNREFUSED'))), /ECONNREFUSED/);
});
