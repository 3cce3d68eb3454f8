// FilForwarder at genesis (audit21 A3): what a wallet's "send to a Filecoin address" does from a 0x
// account, forward(bytes destination) with the FIL as value, credits an f1 that has no actor yet
// (creating it) and an existing ID address, and reverts, keeping the value, for an ID with no actor.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Interface } from 'ethers';
import { FilAddress, Protocol } from '../../src/common/address.js';
import { bytesToHex } from '../../src/common/hex.js';
import { setupRpc } from '../helpers/rpc-harness.js';

const FIL_FORWARDER = '0x2B3ef6906429b580b7b2080de5CA893BC282c225';
const forwarder = new Interface(['function forward(bytes destination) payable']);

test('forward(bytes) pays a new f1 and an ID address their value, and reverts for an ID with no actor', async (t) => {
  const { result, send } = await setupRpc(t);
  assert.equal((await result('eth_getCode', [FIL_FORWARDER, 'latest'])).length, 2 + 2 * 2347);
  const newF1 = FilAddress.fromPayload(Protocol.Secp256k1, new Uint8Array(20).fill(0x5a));
  const forward = async (nonce: number, to: FilAddress, value: bigint) => {
    const data = forwarder.encodeFunctionData('forward', [bytesToHex(to.bytes)]);
    const hash = await send({ nonce, to: FIL_FORWARDER, data, value, gasLimit: 100_000_000 });
    return (await result('eth_getTransactionReceipt', [hash])).status;
  };
  assert.equal(await result('Filecoin.WalletBalance', [newF1.toString()]), '0');
  assert.equal(await forward(0, newF1, 7n), '0x1');
  assert.equal(await result('Filecoin.WalletBalance', [newF1.toString()]), '7');
  assert.equal((await result('Filecoin.StateGetActor', [newF1.toString(), null])).Balance, '7');
  const before = BigInt(await result('Filecoin.WalletBalance', ['t0105']));
  assert.equal(await forward(1, FilAddress.fromId(105), 3n), '0x1');
  assert.equal(BigInt(await result('Filecoin.WalletBalance', ['t0105'])), before + 3n);
  assert.equal(await forward(2, FilAddress.fromId(999_999), 5n), '0x0');
  assert.equal(await result('Filecoin.WalletBalance', [FilAddress.fromId(999_999).toString()]), '0');
  assert.equal(await result('eth_getBalance', [FIL_FORWARDER, 'latest']), '0x0');
});
