// An eth_call answers from the state after the newest tipset: a write mined just before it is seen,
// by the contract's storage and by the accounts it reads, whatever the EVM keeps from call to call.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { DEV_ACCOUNTS } from '../helpers/devnet-process.js';
import { useDevnet } from '../helpers/use-devnet.js';

/**
 * Runtime: with calldata, stores its first word in slot 0; without, returns slot 0 and the
 * caller's balance.
 */
const RUNTIME = '0x' + '3615600c57' + '600035600055' + '00' + '5b' + '600054600052' + '3331602052' + '60406000f3';
const LENGTH = ((RUNTIME.length - 2) / 2).toString(16).padStart(2, '0');
/** Initcode: copies the runtime (after its 12 bytes) to memory and returns it. */
const INITCODE = `0x60${LENGTH}600c60003960${LENGTH}6000f3${RUNTIME.slice(2)}`;

async function rpc(url: string, method: string, params: unknown[] = []): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const body = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

const word = (n: bigint) => n.toString(16).padStart(64, '0');

describe('eth_call after a write', () => {
  const node = useDevnet();
  let contract: string;
  const from = DEV_ACCOUNTS[0]!.address;

  before(async () => {
    const hash = await rpc(node.url, 'eth_sendTransaction', [{ from, data: INITCODE, gas: '0x5f5e100' }]);
    const receipt = await rpc(node.url, 'eth_getTransactionReceipt', [hash]);
    assert.equal(receipt?.status, '0x1', 'the contract deploys');
    contract = receipt.contractAddress;
  });

  test('each call sees the slot and the balance the transaction mined just before it left', async () => {
    for (let i = 1n; i <= 5n; i++) {
      await rpc(node.url, 'eth_sendTransaction', [{ from, to: contract, data: `0x${word(i * 1000n + 7n)}` }]);
      const balance = BigInt(await rpc(node.url, 'eth_getBalance', [from, 'latest']));
      const answer = await rpc(node.url, 'eth_call', [{ from, to: contract }, 'latest']);
      assert.equal(answer, `0x${word(i * 1000n + 7n)}${word(balance)}`, `call ${i} reads the new slot and the sender's balance after the fees`);
    }
  });
});
