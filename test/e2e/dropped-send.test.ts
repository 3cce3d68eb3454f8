// A send whose message the devnet cannot execute (its execution throws: a devnet bug, not a failed
// call), over loopback with ethers as a user sends: under instant mining the send answers JSON-RPC's
// internal error with the cause instead of a hash whose receipt never comes (R2's side note, session
// 37); under manual mining the message leaves the pool when a tipset drops it, as under instant.
// The bug is stood in by an EthAccount double whose InvokeContract throws, on a node in this process.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { JsonRpcProvider, Wallet } from 'ethers';
import { overrideBuiltinActor } from '../../src/fevm/actors/builtin.js';
import { METHOD_INVOKE_CONTRACT } from '../../src/fevm/message.js';
import { startDevnet, testConfig, type RunningDevnet } from '../../src/index.js';
import { DEV_ACCOUNTS } from '../helpers/devnet-process.js';

/** A transaction with calldata to another dev account: InvokeContract on its EthAccount, which throws below. */
const CALL_TO_EOA = { to: DEV_ACCOUNTS[1]!.address, data: '0x1234', gasLimit: 10_000_000 };
/** A plain transfer, which runs no method of the recipient. */
const TRANSFER = { to: DEV_ACCOUNTS[1]!.address, value: 1n, gasLimit: 10_000_000 };

describe('a send the devnet fails to execute', () => {
  let node: RunningDevnet;
  let provider: JsonRpcProvider;
  let restore: () => void;

  before(async () => {
    restore = overrideBuiltinActor('ethaccount', {
      // InvokeContract (FRC-42 of "InvokeEVM"), which every Ethereum transaction to an account calls: with
      // calldata it throws; a plain transfer (no params) is accepted as the real EthAccount accepts it.
      methods: new Map([
        [
          METHOD_INVOKE_CONTRACT,
          {
            name: 'InvokeEVM',
            params: 'raw',
            run: (_rt: unknown, params: unknown) => {
              if (params !== undefined) throw new TypeError('stand-in for a devnet bug');
            },
          },
        ],
      ]),
      acceptsExported: true,
    });
    node = await startDevnet(testConfig());
    provider = new JsonRpcProvider(node.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
  });
  after(async () => {
    provider?.destroy();
    await node?.close();
    restore?.();
  });

  const pendingNonce = () => provider.getTransactionCount(DEV_ACCOUNTS[0]!.address, 'pending');

  test('instant mining: the send answers -32603 with the cause, the message leaves the pool, and the nonce is free again', async () => {
    const wallet = new Wallet(DEV_ACCOUNTS[0]!.privateKey, provider);
    const raw = await wallet.signTransaction({ ...CALL_TO_EOA, nonce: await pendingNonce(), chainId: (await provider.getNetwork()).chainId, type: 2, maxFeePerGas: 10n ** 9n, maxPriorityFeePerGas: 200_000n });
    const answer = await (await fetch(node.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_sendRawTransaction', params: [raw] }) })).json();
    assert.equal(answer.result, undefined);
    assert.equal(answer.error.code, -32603);
    assert.match(answer.error.message, /^Internal error: message bafy2bza\w+ was dropped from the message pool, unmined: executing it failed inside the devnet: stand-in for a devnet bug$/);
    // ethers' own send fails with it too, rather than waiting for a receipt.
    await assert.rejects(wallet.sendTransaction(CALL_TO_EOA), (err: { error?: { code: number; message: string } }) => {
      assert.equal(err.error?.code, -32603);
      assert.match(err.error!.message, /stand-in for a devnet bug/);
      return true;
    });
    assert.deepEqual(await provider.send('txpool_content', []), { pending: {}, queued: {} });
    assert.equal(await pendingNonce(), 0);
    const receipt = await (await wallet.sendTransaction(TRANSFER)).wait();
    assert.equal(receipt?.status, 1);
    assert.equal(await pendingNonce(), 1);
  });

  test('manual mining: the send answers its hash; the tipset that drops the message takes it out of the pool', async () => {
    await provider.send('evm_setAutomine', [false]);
    try {
      const wallet = new Wallet(DEV_ACCOUNTS[0]!.privateKey, provider);
      const nonce = await pendingNonce();
      const sent = await wallet.sendTransaction({ ...CALL_TO_EOA, nonce });
      assert.equal(await pendingNonce(), nonce + 1);
      await provider.send('evm_mine', []);
      assert.equal(await provider.getTransaction(sent.hash), null);
      assert.deepEqual(await provider.send('txpool_content', []), { pending: {}, queued: {} });
      assert.equal(await pendingNonce(), nonce);
    } finally {
      await provider.send('evm_setAutomine', [true]);
    }
  });
});
