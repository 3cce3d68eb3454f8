// EVM memory from outside, on the real node: a frame's memory is capped as calibnet's FVM caps a
// Wasm instance's (512 MiB, ref-fvm NetworkConfig max_inst_memory_bytes); growing past it ends the
// frame with SYS_ILLEGAL_INSTRUCTION (4), in calls and mined messages alike, and the node does not
// keep the memory (audit14 session 34, F-mem: a 6-byte eth_call took the node's RSS to 2.16 GB).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { DEV_ACCOUNTS } from '../helpers/devnet-process.js';
import { useDevnet } from '../helpers/use-devnet.js';

/** PUSH4 offset MLOAD, run as init code: memory grown to offset + 32 bytes. */
const mloadAt = (offset: number) => `0x63${offset.toString(16).padStart(8, '0')}51`;
const MiB = 2 ** 20;
const TRAPPED = /^message execution failed \(exit=\[SysErrIllegalInstruction\(4\)\]/;

describe('EVM memory limits', () => {
  const node = useDevnet();
  const rpc = async (method: string, params: unknown[]): Promise<any> => {
    const res = await fetch(node.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
    return res.json();
  };
  const rssMiB = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${node.pid}/status`, 'utf8'))![1]) / 1024;

  test('an eth_call growing memory to 1 GiB fails with exit 4 and leaves the node small', async () => {
    const answer = await rpc('eth_call', [{ data: mloadAt(0x4000_0000), gas: '0x2540be400' }, 'latest']);
    assert.equal(answer.error?.code, 3);
    assert.match(answer.error.message, TRAPPED);
    assert.equal(answer.error.data, '0x');
    assert.ok(rssMiB() < 512, `RSS ${rssMiB()} MiB`);
  });

  test('a frame may hold 512 MiB, not a word more', async () => {
    assert.equal((await rpc('eth_call', [{ data: mloadAt(512 * MiB - 32) }, 'latest'])).result, '0x');
    assert.match((await rpc('eth_call', [{ data: mloadAt(512 * MiB - 31) }, 'latest'])).error?.message, TRAPPED);
    assert.ok(rssMiB() < 512, `RSS ${rssMiB()} MiB`);
  });

  test('a mined transaction growing memory past the limit fails the same way (consensus behaviour)', async () => {
    const from = DEV_ACCOUNTS[0]!.address;
    const hash = (await rpc('eth_sendTransaction', [{ from, data: mloadAt(0x4000_0000), gas: '0x77359400' }])).result as string;
    const receipt = (await rpc('eth_getTransactionReceipt', [hash])).result;
    assert.equal(receipt.status, '0x0');
  });
});
