// The contracts placed at genesis (Multicall3, the Safe singleton factory, FilForwarder) keep no
// storage, and their storage is priced as the empty KAMT it is: a transaction to one costs what the
// same transaction costs to a copy of its runtime placed with anvil_setCode (before, the genesis
// copy was priced as a fork's contract of unknown storage, ~2 000 gas an invocation more).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Interface } from 'ethers';
import { FilAddress } from '../../src/common/address.js';
import { bytesToHex } from '../../src/common/hex.js';
import { setupRpc } from '../helpers/rpc-harness.js';

const calls: [name: string, address: string, data: string, value: bigint][] = [
  ['Multicall3', '0xcA11bde05977b3631167028862bE2a173976CA11', new Interface(['function getBlockNumber()']).encodeFunctionData('getBlockNumber'), 0n],
  // A salt and a one-byte init code (STOP): the factory deploys an empty contract by CREATE2.
  ['the Safe singleton factory', '0x914d7Fec6aaC8cd542e72Bca78B30650d45643d7', '0x' + '00'.repeat(32) + '00', 0n],
  ['FilForwarder', '0x2B3ef6906429b580b7b2080de5CA893BC282c225', new Interface(['function forward(bytes)']).encodeFunctionData('forward', [bytesToHex(FilAddress.fromId(105).bytes)]), 1n],
];

test('a genesis contract costs what a copy of its runtime placed with anvil_setCode costs', async (t) => {
  const { result, send } = await setupRpc(t);
  let nonce = 0;
  const gasUsed = async (to: string, data: string, value: bigint) => {
    const hash = await send({ nonce: nonce++, to, data, value, gasLimit: 200_000_000 });
    const receipt = await result('eth_getTransactionReceipt', [hash]);
    assert.equal(receipt.status, '0x1', `${to}: status`);
    return BigInt(receipt.gasUsed);
  };
  for (const [i, [name, address, data, value]] of calls.entries()) {
    const copy = '0x' + (0xc0 + i).toString(16).repeat(20);
    await result('anvil_setCode', [copy, await result('eth_getCode', [address, 'latest'])]);
    assert.equal(await gasUsed(address, data, value), await gasUsed(copy, data, value), name);
  }
});
