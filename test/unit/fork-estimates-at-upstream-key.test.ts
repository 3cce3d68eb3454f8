// On a fork, the Filecoin gas estimates given an upstream tipset key before the fork epoch (eth-rpc/
// fork-tipsets.ts, filecoin-mpool.ts EstimateKey): the gas runs on the fork's head, and only what Lotus
// reads at the key is asked of the upstream (StateAccountKey of an ID sender, GasEstimateGasPremium,
// the tipset's ParentBaseFee), its refusals in Lotus's wrapping; never the upstream's own estimate or
// selection. MpoolSelect there is refused, saying why.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startDevnet, testConfig } from '../../src/index.js';
import { DEFAULT_MNEMONIC } from '../../src/config.js';
import { deriveNodeKeys } from '../../src/devnet/node-keys.js';
import { rpc } from '../helpers/fork-calls.js';
import { setupRpc } from '../helpers/rpc-harness.js';
import { upstreamProxy } from '../helpers/upstream-proxy.js';

const CLIENT = deriveNodeKeys(DEFAULT_MNEMONIC).dealClient.address.toString();

describe('fork: gas estimates and MpoolSelect at an upstream key before the fork epoch', () => {
  test('read at the key through the upstream, run on the fork; the upstream\'s refusals as Lotus wraps them; MpoolSelect refused with its reason', async (t) => {
    const upstream = await startDevnet(testConfig());
    t.after(() => upstream.close());
    await rpc(upstream.url, 'anvil_mine', ['0x3']);
    const { Cids: key, Height: height, Blocks } = await rpc(upstream.url, 'Filecoin.ChainGetTipSetByHeight', [1, null]);
    const forkEpoch = upstream.devnet.head.epoch;
    const proxy = await upstreamProxy(t, upstream.url);
    const { result, error } = await setupRpc(t, { fork: { url: proxy.url, blockNumber: forkEpoch } });
    const id = await result('Filecoin.StateLookupID', [CLIENT, null]);
    const transfer = { From: id, To: 't0100', Value: '1', Method: 0 };

    // At the head first: what the run reads of the upstream's state is fetched then.
    const onHead = await result('Filecoin.GasEstimateMessageGas', [transfer, null, null]);
    const asked = proxy.mode.received.length;
    const estimated = await result('Filecoin.GasEstimateMessageGas', [transfer, null, key]);
    // The reads at the key asked upstream (the tipset, the sender's key address, the premium; besides, at
    // most state the fork had not fetched yet); the gas is the fork's.
    const readsAtKey = (from: number) => proxy.mode.received.slice(from).filter((method) => !/ChainReadObj|StateGetActor|StateLookupID|StateReadState/.test(method));
    assert.deepEqual(readsAtKey(asked).sort(), ['Filecoin.ChainGetTipSet', 'Filecoin.GasEstimateGasPremium', 'Filecoin.StateAccountKey']);
    assert.equal(estimated.GasLimit, onHead.GasLimit);
    const premium = await rpc(upstream.url, 'Filecoin.GasEstimateGasPremium', [10, id, estimated.GasLimit, key]);
    assert.equal(estimated.GasPremium, premium);
    // The fee cap for 20 blocks over the key's ParentBaseFee: 1.125^20 in 256ths (2699, truncated), plus the premium.
    assert.equal(BigInt(estimated.GasFeeCap), (BigInt(Blocks[0].ParentBaseFee) * 2699n) / 256n + BigInt(premium));
    assert.equal(height, 1);

    // A message with all three set reads nothing at the key.
    const set = { ...transfer, GasLimit: 1_000_000, GasPremium: '100', GasFeeCap: '1000' };
    const before = proxy.mode.received.length;
    assert.equal((await result('Filecoin.GasEstimateMessageGas', [set, null, key])).GasFeeCap, '1000');
    assert.deepEqual(readsAtKey(before), ['Filecoin.ChainGetTipSet']);

    // The upstream's refusals, in Lotus's wrapping of the read that failed (code 1).
    proxy.mode.refused.set('Filecoin.StateAccountKey', { code: 1, message: 'failed to find actor: t0999' });
    for (const [method, params] of [
      ['Filecoin.GasEstimateGasLimit', [transfer, key]],
      ['Filecoin.GasEstimateMessageGas', [transfer, null, key]],
    ] as const) {
      assert.deepEqual(await error(method, [...params]), { code: 1, message: `gas estimation failed: resolving sender ${id} (failed to find actor: t0999): sender validation failed` });
    }
    proxy.mode.refused.clear();
    proxy.mode.refused.set('Filecoin.GasEstimateGasPremium', { code: 1, message: 'bad tipset height: lookbacks of more than 24h0m0s are disallowed' });
    assert.deepEqual(await error('Filecoin.GasEstimateMessageGas', [transfer, null, key]), { code: 1, message: 'estimating gas price: bad tipset height: lookbacks of more than 24h0m0s are disallowed' });
    proxy.mode.refused.clear();

    const refused = await error('Filecoin.MpoolSelect', [key, 0.9]);
    assert.equal(refused.code, 1);
    assert.match(refused.message, new RegExp(`^MpoolSelect at tipset ${key[0]['/']}, the upstream's at height 1, before the fork epoch ${forkEpoch}, is not answered: `));
    assert.ok(!proxy.mode.received.some((method) => /GasEstimateMessageGas|GasEstimateGasLimit|MpoolSelect/.test(method)), 'the upstream\'s own estimates and selection are never asked');
  });
});
