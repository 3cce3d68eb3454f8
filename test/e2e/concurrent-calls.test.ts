// Concurrent eth_calls over HTTP: the miner's queue runs the calls that clients send together back to
// back and answers them together (SerialQueue.read). Each client still gets its own call's answer,
// a reverting call its own error with its revert data, and transactions mined meanwhile go on.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { DEV_ACCOUNTS } from '../helpers/devnet-process.js';
import { useDevnet } from '../helpers/use-devnet.js';

const CLIENTS = 32;
/** Runtime: reverts with the calldata when it starts with 0xff, else returns it. */
const RUNTIME = '0x' + '3660006000376000' + '5160f81c60ff14' + '601657' + '366000f3' + '5b' + '366000fd';
/** Initcode: copies the runtime (after its 12 bytes) to memory and returns it. */
const INITCODE = `0x60${((RUNTIME.length - 2) / 2).toString(16).padStart(2, '0')}600c60003960${((RUNTIME.length - 2) / 2).toString(16).padStart(2, '0')}6000f3${RUNTIME.slice(2)}`;

async function rpc(url: string, method: string, params: unknown[] = []): Promise<{ result?: any; error?: { code: number; message: string; data?: string } }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  return (await res.json()) as { result?: any; error?: { code: number; message: string; data?: string } };
}

describe('concurrent eth_calls', () => {
  const node = useDevnet();
  let contract: string;

  before(async () => {
    const from = DEV_ACCOUNTS[0]!.address;
    const hash = (await rpc(node.url, 'eth_sendTransaction', [{ from, data: INITCODE, gas: '0x5f5e100' }])).result as string;
    const receipt = (await rpc(node.url, 'eth_getTransactionReceipt', [hash])).result;
    assert.equal(receipt?.status, '0x1', 'the echo contract deploys');
    contract = receipt.contractAddress;
  });

  test(`${CLIENTS} clients' calls, some reverting, each answered with its own result while transfers are mined`, async () => {
    const from = DEV_ACCOUNTS[1]!.address;
    const transfers = Array.from({ length: 4 }, () => rpc(node.url, 'eth_sendTransaction', [{ from, to: DEV_ACCOUNTS[2]!.address, value: '0x1' }]));
    const calls = Array.from({ length: CLIENTS * 4 }, async (_, i) => {
      const data = `0x${(i % 5 === 0 ? 'ff' : '01') + i.toString(16).padStart(62, '0')}`;
      const answer = await rpc(node.url, 'eth_call', [{ to: contract, data }, 'latest']);
      if (i % 5 === 0) {
        assert.equal(answer.error?.code, 3, `call ${i} reverts with code 3`);
        assert.equal(answer.error?.data, data, `call ${i}'s revert data is its own`);
      } else {
        assert.equal(answer.result, data, `call ${i} gets its own answer`);
      }
    });
    await Promise.all(calls);
    for (const t of await Promise.all(transfers)) assert.match(t.result, /^0x[0-9a-f]{64}$/);
  });
});
