// Simulated F3 through the JSON-RPC server: certificates, progress, manifest and power table in Lotus's shapes,
// ChainGetFinalizedTipSet and the `finalized` block tag agreeing, with the node's F3 lag.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cidOf, encodeCbor } from '../../src/common/cbor.js';
import { cidJson } from '../../src/eth-rpc/lotus-json.js';
import { setupRpc } from '../helpers/rpc-harness.js';

describe('simulated F3', () => {
  test('the latest certificate finalizes the tipset `f3Lag` behind the head, as the finalized tag and ChainGetFinalizedTipSet do', async (t) => {
    const { result, error } = await setupRpc(t, { f3Lag: 3 });
    assert.equal(await result('Filecoin.F3IsRunning'), true);
    assert.equal((await result('Filecoin.F3GetLatestCertificate')).GPBFTInstance, 0);
    await result('anvil_mine', ['0xa']);
    const cert = await result('Filecoin.F3GetLatestCertificate');
    assert.equal(cert.GPBFTInstance, 7);
    const finalized = await result('Filecoin.ChainGetFinalizedTipSet');
    assert.equal(finalized.Height, 7);
    assert.deepEqual(cert.ECChain.at(-1).Key, finalized.Cids);
    assert.deepEqual(cert.ECChain.map((ts: { Epoch: number }) => ts.Epoch), [6, 7]);
    assert.equal((await result('eth_getBlockByNumber', ['finalized', false])).number, '0x7');
    assert.deepEqual(Object.keys(cert), ['GPBFTInstance', 'ECChain', 'SupplementalData', 'Signers', 'Signature', 'PowerTableDelta']);
    assert.deepEqual(await result('Filecoin.F3GetCertificate', [7]), cert);
    assert.equal((await result('Filecoin.F3GetCertificate', [2])).ECChain.at(-1).Epoch, 2);
    assert.match((await error('Filecoin.F3GetCertificate', [8])).message, /certificate not found/);
    assert.equal((await error('Filecoin.F3GetCertificate', [-1])).code, -32602);

    const progress = await result('Filecoin.F3GetProgress');
    assert.equal(progress.ID, 8);
    assert.deepEqual(progress.Input.map((ts: { Epoch: number }) => ts.Epoch), [7, 8, 9, 10]);
    const manifest = await result('Filecoin.F3GetManifest');
    assert.equal(manifest.NetworkName, 'fvm-devnet');
    assert.equal(manifest.EC.Finality, 900);
    assert.equal(manifest.EC.HeadLookback, 3);

    // The committee of any instance up to the one under way (8): the one participant, whose table's
    // CID every certificate and the manifest name; beyond it, go-f3's certstore error.
    const table = [{ ID: 1000, Power: '1', PubKey: Buffer.alloc(48).toString('base64') }];
    for (const n of [0, 7, 8]) assert.deepEqual(await result('Filecoin.F3GetPowerTableByInstance', [n]), table);
    assert.deepEqual(cidJson(cidOf(encodeCbor(table.map((e) => [e.ID, e.Power, Buffer.from(e.PubKey, 'base64')])))), manifest.InitialPowerTable);
    assert.deepEqual(cert.SupplementalData.PowerTable, manifest.InitialPowerTable);
    assert.deepEqual(await error('Filecoin.F3GetPowerTableByInstance', [9]), { code: 1, message: 'cannot return future power table for instance 9 > 8' });
  });
});
