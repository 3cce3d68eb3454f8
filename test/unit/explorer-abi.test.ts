// The explorer's decoding of contract calls, returns, logs and reverts by its table of known ABIs
// (src/explorer/abi.ts), with the data encoded by ethers as a contract would produce it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AbiCoder, Interface, id, toBeHex, zeroPadValue } from 'ethers';
import { decodeCall, decodeLog, decodeReturn, decodeRevert, knownFunction, revertText } from '../../src/explorer/abi.js';

const ALICE = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const BOB = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';
const erc20 = new Interface(['function transfer(address to, uint256 value) returns (bool)', 'error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed)']);
const coder = AbiCoder.defaultAbiCoder();

describe('explorer ABI decoding', () => {
  test('a known call is named with its arguments; an unknown one shows its selector and words', () => {
    assert.deepEqual(decodeCall(erc20.encodeFunctionData('transfer', [BOB, 5n])), { signature: 'transfer(address,uint256)', args: [['to', BOB], ['value', '5']] });
    const unknown = '0x12345678' + coder.encode(['uint256', 'address'], [7n, ALICE]).slice(2);
    assert.deepEqual(decodeCall(unknown), { signature: '0x12345678', args: [['word 0', zeroPadValue(toBeHex(7), 32)], ['word 1', zeroPadValue(ALICE.toLowerCase(), 32)]] });
    assert.equal(decodeCall('0x'), undefined);
    assert.equal(knownFunction('0xa9059cbb'), 'transfer(address,uint256)');
    assert.equal(knownFunction('0x12345678'), undefined);
  });

  test("a known function's return is decoded by its outputs; an unknown function's is not", () => {
    const input = erc20.encodeFunctionData('transfer', [BOB, 5n]);
    assert.deepEqual(decodeReturn(input, coder.encode(['bool'], [true])), { signature: 'transfer(address,uint256) returns (bool)', args: [['#0', 'true']] });
    assert.equal(decodeReturn('0x12345678', coder.encode(['bool'], [true])), undefined);
  });

  test('revert data: Error(string), Panic(uint256) with its meaning, a known custom error, an unknown one', () => {
    const error = id('Error(string)').slice(0, 10) + coder.encode(['string'], ['nope']).slice(2);
    assert.equal(revertText(decodeRevert(error)!), 'nope');
    const panic = id('Panic(uint256)').slice(0, 10) + coder.encode(['uint256'], [0x11]).slice(2);
    assert.deepEqual(decodeRevert(panic), { signature: 'Panic(uint256)', args: [['code', '0x11 (arithmetic overflow or underflow)']] });
    const custom = erc20.encodeErrorResult('ERC20InsufficientBalance', [ALICE, 1n, 2n]);
    assert.equal(revertText(decodeRevert(custom)!), `ERC20InsufficientBalance(address,uint256,uint256) sender=${ALICE}, balance=1, needed=2`);
    const tooLarge = id('TooLarge(uint256,uint256)').slice(0, 10) + coder.encode(['uint256', 'uint256'], [5000n, 1000n]).slice(2);
    assert.equal(decodeRevert(tooLarge)!.signature, `custom error ${tooLarge.slice(0, 10)}`);
    assert.equal(decodeRevert(tooLarge)!.args.length, 2);
    assert.equal(decodeRevert('0x'), undefined);
  });

  test('ERC-20 and ERC-721 Transfer logs share a topic and are told apart by their indexed token id', () => {
    const topic = id('Transfer(address,address,uint256)');
    const pad = (address: string) => zeroPadValue(address, 32);
    assert.deepEqual(decodeLog([topic, pad(ALICE), pad(BOB)], coder.encode(['uint256'], [9n])), { signature: 'Transfer(address,address,uint256)', args: [['from', ALICE], ['to', BOB], ['value', '9']] });
    assert.deepEqual(decodeLog([topic, pad(ALICE), pad(BOB), zeroPadValue(toBeHex(3), 32)], '0x'), { signature: 'Transfer(address,address,uint256)', args: [['from', ALICE], ['to', BOB], ['tokenId', '3']] });
    assert.equal(decodeLog([id('Other()')], '0x'), undefined);
  });
});
