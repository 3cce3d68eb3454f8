// The small methods users hit on day one: eth_getBlockReceipts, eth_protocolVersion, eth_baseFee,
// Lotus's /rpc/v0 path, and Anvil's and Hardhat's aliases (anvil_addBalance, evm_setAccountNonce,
// hardhat_dumpState/loadState, hardhat_dropAllTransactions, hardhat_autoImpersonateAccount) and
// refusals (anvil_setBlockGasLimit, anvil_setCoinbase).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CID, decodeCbor } from '../../src/common/cbor.js';
import { devWallet, RECIPIENT } from '../helpers/dev-wallet.js';
import { setupRpc } from '../helpers/rpc-harness.js';

const OTHER = '0x' + '42'.repeat(20);

describe('day-one methods', () => {
  test('eth_getBlockReceipts: every receipt of the block, by number, tag or hash', async (t) => {
    const { result, error, send } = await setupRpc(t, { noMining: true });
    const first = await send({ nonce: 0 });
    const second = await send({ nonce: 1 });
    await result('evm_mine');
    const receipts = await result('eth_getBlockReceipts', ['0x1']);
    assert.deepEqual(receipts.map((r: { transactionHash: string }) => r.transactionHash), [first, second]);
    assert.deepEqual(receipts[1], await result('eth_getTransactionReceipt', [second]));
    const block = await result('eth_getBlockByNumber', ['latest', false]);
    assert.deepEqual(await result('eth_getBlockReceipts', [block.hash]), receipts);
    assert.deepEqual(await result('eth_getBlockReceipts', ['latest']), receipts);
    assert.deepEqual(await result('eth_getBlockReceipts', ['0x0']), []);
    assert.equal((await error('eth_getBlockReceipts', ['0x99'])).code, 1);
    const bad = await error('eth_getBlockReceipts', ['soon']);
    assert.equal(bad.code, -32602);
    assert.match(bad.message, /'block'/);
  });

  test('eth_protocolVersion is the network version, eth_baseFee the next tipset\'s base fee', async (t) => {
    const { result } = await setupRpc(t);
    assert.equal(await result('eth_protocolVersion'), '0x1c');
    assert.equal(await result('Filecoin.EthProtocolVersion'), '0x1c');
    await result('anvil_setNextBlockBaseFeePerGas', ['0x3e8']);
    assert.equal(await result('eth_baseFee'), '0x3e8');
    await result('evm_mine');
    assert.equal((await result('eth_getBlockByNumber', ['latest', false])).baseFeePerGas, '0x3e8');
    // 1000 less an eighth for an empty tipset.
    assert.equal(await result('eth_baseFee'), '0x36b');
  });

  test('/rpc/v0 answers as /rpc/v1', async (t) => {
    const { app } = await setupRpc(t);
    const res = await app.inject({ method: 'POST', url: '/rpc/v0', payload: { jsonrpc: '2.0', id: 1, method: 'Filecoin.ChainHead', params: [] } });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().result.Height, 0);
  });

  test("/rpc/v0's StateGetReceipt: the receipt StateSearchMsg finds, null for a message not on chain", async (t) => {
    const { app, result, send } = await setupRpc(t);
    const v0 = async (method: string, params: unknown[]) => (await app.inject({ method: 'POST', url: '/rpc/v0', payload: { jsonrpc: '2.0', id: 1, method, params } })).json();
    const cid = await result('Filecoin.EthGetMessageCidByTransactionHash', [await send({ nonce: 0 })]);
    const lookup = await result('Filecoin.StateSearchMsg', [null, cid, -1, true]);
    assert.deepEqual(await v0('Filecoin.StateGetReceipt', [cid, null]), { jsonrpc: '2.0', id: 1, result: lookup.Receipt });
    assert.deepEqual(await v0('Filecoin.StateGetReceipt', [cid, lookup.TipSet]), { jsonrpc: '2.0', id: 1, result: lookup.Receipt });
    const unknown = { '/': 'bafy2bzaceaxm23epjsmh75yvzcecsrbavlmkcxnva66bkdebdcnyw3bjrc74u' };
    assert.deepEqual(await v0('Filecoin.StateGetReceipt', [unknown, null]), { jsonrpc: '2.0', id: 1, result: null });
    // v1 has no StateGetReceipt, as Lotus's.
    assert.equal((await app.inject({ method: 'POST', url: '/rpc/v1', payload: { jsonrpc: '2.0', id: 1, method: 'Filecoin.StateGetReceipt', params: [cid, null] } })).json().error.code, -32601);
  });

  // hardhat_addBalance: Anvil's alias (readme2 N1, session 40: README's "(and `hardhat_*`)").
  test('anvil_addBalance (and hardhat_addBalance) adds; evm_setAccountNonce sets the nonce', async (t) => {
    const { result, error } = await setupRpc(t);
    await result('anvil_addBalance', [OTHER, '0x64']);
    await result('hardhat_addBalance', [OTHER, '0x1']);
    assert.equal(await result('eth_getBalance', [OTHER, 'latest']), '0x65');
    await result('evm_setAccountNonce', [devWallet.address, '0x7']);
    assert.equal(await result('eth_getTransactionCount', [devWallet.address, 'latest']), '0x7');
    const bad = await error('anvil_addBalance', [OTHER, 'lots']);
    assert.equal(bad.code, -32602);
    assert.match(bad.message, /'amount'/);
  });

  test('hardhat_dumpState / hardhat_loadState, hardhat_dropAllTransactions, hardhat_autoImpersonateAccount', async (t) => {
    const { result, send } = await setupRpc(t);
    const dump = await result('hardhat_dumpState');
    await send({ nonce: 0 });
    assert.equal(await result('hardhat_loadState', [dump]), true);
    assert.equal(await result('eth_blockNumber'), '0x0');
    await result('evm_setAutomine', [false]);
    await send({ nonce: 0 });
    assert.equal((await result('txpool_status')).pending, '0x1');
    assert.equal(await result('hardhat_dropAllTransactions'), null);
    assert.equal((await result('txpool_status')).pending, '0x0');
    await result('evm_setAutomine', [true]);
    await result('anvil_setBalance', [OTHER, '0x' + (10n ** 18n).toString(16)]);
    await result('hardhat_autoImpersonateAccount', [true]);
    const hash = await result('eth_sendTransaction', [{ from: OTHER, to: RECIPIENT, value: '0x1' }]);
    assert.equal((await result('eth_getTransactionReceipt', [hash])).status, '0x1');
  });

  test('anvil_setBlockGasLimit and anvil_setCoinbase are refused: Filecoin fixes both', async (t) => {
    const { error } = await setupRpc(t);
    assert.match((await error('anvil_setBlockGasLimit', ['0x1000'])).message, /block gas limit is fixed on Filecoin \(10000000000\)/);
    const coinbase = await error('anvil_setCoinbase', [OTHER]);
    assert.equal(coinbase.code, 1);
    assert.match(coinbase.message, /COINBASE is the zero address/);
    const bad = await error('anvil_setCoinbase', ['0x12']);
    assert.equal(bad.code, -32602);
    assert.match(bad.message, /'address'/);
    // audit16 L2: hardhat-network-helpers' setPrevRandao got -32601, which does not say why.
    const randao = await error('hardhat_setPrevRandao', ['0x' + '11'.repeat(32)]);
    assert.equal(randao.code, 1);
    assert.match(randao.message, /PREVRANDAO comes from the randomness beacon on Filecoin, which fvm-devnet draws from --seed/);
  });

  test('StateGetNetworkParams, StateActorCodeCIDs and StateActorManifestCID describe the devnet (nv28) and the versions it passed', async (t) => {
    const { result, error } = await setupRpc(t);
    const params = await result('Filecoin.StateGetNetworkParams');
    assert.equal(params.NetworkName, 'fvm-devnet');
    assert.equal(params.BlockDelaySecs, 4);
    assert.equal(params.ConsensusMinerMinPower, '2048');
    assert.equal(params.PreCommitChallengeDelay, 0);
    assert.equal(params.Eip155ChainID, 31415926);
    assert.equal(params.GenesisTimestamp, 1_700_000_000);
    assert.equal(params.ForkUpgradeParams.UpgradeGoldenWeekHeight, -1);
    assert.equal(params.ForkUpgradeParams.UpgradeFireHorseHeight, -1);
    assert.equal(params.ForkUpgradeParams.UpgradeXxHeight, 9_999_999_999);
    assert.equal(await result('Filecoin.StateNetworkVersion', [null]), 28);
    /** The text an identity code CID names (fil/<actors version>/<kind>). */
    const named = (code: { '/': string }) => new TextDecoder().decode(CID.parse(code['/']).multihash.digest);
    const codes = await result('Filecoin.StateActorCodeCIDs', [28]);
    // The same code CIDs StateGetActor shows.
    const evm = await result('Filecoin.StateGetActor', ['t010', null]);
    assert.deepEqual(codes.eam, evm.Code);
    assert.equal(named(codes.storageminer), 'fil/18/storageminer');
    assert.ok(codes.evm && codes.ethaccount);
    // Earlier versions, as Lotus answers them for a network that passed them: their actors version's kinds.
    const v17 = await result('Filecoin.StateActorCodeCIDs', [27]);
    assert.deepEqual(Object.keys(v17), Object.keys(codes));
    assert.equal(named(v17.evm), 'fil/17/evm');
    assert.equal(named((await result('Filecoin.StateActorCodeCIDs', [21])).evm), 'fil/12/evm');
    const v9 = await result('Filecoin.StateActorCodeCIDs', [17]);
    assert.equal(named(v9.datacap), 'fil/9/datacap');
    assert.equal(v9.evm, undefined);
    const v7 = await result('Filecoin.StateActorCodeCIDs', [15]);
    assert.equal(named(v7.multisig), 'fil/7/multisig');
    assert.equal(v7.datacap, undefined);
    // Actors v0 (nv0–3) named its code fil/1/<kind> (specs-actors v0 builtin/codes.go), as Lotus answers.
    assert.equal(named((await result('Filecoin.StateActorCodeCIDs', [0])).account), 'fil/1/account');
    assert.equal(named((await result('Filecoin.StateActorCodeCIDs', [4])).account), 'fil/2/account');
    const manifest = await result('Filecoin.StateActorManifestCID', [28]);
    assert.match(manifest['/'], /^bafy/);
    assert.deepEqual(await result('Filecoin.StateActorManifestCID', [28]), manifest);
    const manifest17 = await result('Filecoin.StateActorManifestCID', [27]);
    assert.notDeepEqual(manifest17, manifest);
    // An earlier manifest is readable too, and lists that version's code CIDs.
    const [, data] = decodeCbor(Buffer.from(await result('Filecoin.ChainReadObj', [manifest17]), 'base64')) as [number, CID];
    const entries = decodeCbor(Buffer.from(await result('Filecoin.ChainReadObj', [{ '/': data.toString() }]), 'base64')) as [string, CID][];
    assert.deepEqual(Object.fromEntries(entries.map(([kind, code]) => [kind, { '/': code.toString() }])), v17);
    // No bundle before actors v8; no version after the devnet's.
    assert.match((await error('Filecoin.StateActorManifestCID', [15])).message, /could not find manifest cid for network version 15, actors version 7/);
    assert.match((await error('Filecoin.StateActorCodeCIDs', [29])).message, /invalid network version 29/);
    assert.match((await error('Filecoin.StateActorManifestCID', [29])).message, /invalid network version 29/);
    const bad = await error('Filecoin.StateActorManifestCID', ['28']);
    assert.equal(bad.code, -32602);
    assert.match(bad.message, /'networkVersion'/);
  });
});
