// Hardhat's console.log from contracts: decoded and reported by the devnet (the call itself does
// nothing on FEVM), for transactions and calls alike.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AbiCoder, id } from 'ethers';
import { hexToBytes } from '../../src/common/hex.js';
import { decodeConsoleLog } from '../../src/fevm/actors/evm/console-log.js';
import { fevmSetup } from '../helpers/fevm.js';

const encode = (signature: string, types: string[], values: unknown[]) =>
  hexToBytes(id(signature).slice(0, 10) + AbiCoder.defaultAbiCoder().encode(types, values).slice(2));

describe('console.log', () => {
  test('decodes console.sol calls, with format strings, checksummed addresses and the legacy uint spelling', () => {
    assert.equal(decodeConsoleLog(encode('log(string,uint256)', ['string', 'uint256'], ['value is %s', 42n])), 'value is 42');
    assert.equal(decodeConsoleLog(encode('log(uint)', ['uint256'], [7n])), '7');
    assert.equal(
      decodeConsoleLog(encode('log(address,bool)', ['address', 'bool'], ['0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266', true])),
      '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 true',
    );
    assert.equal(decodeConsoleLog(encode('logBytes4(bytes4)', ['bytes4'], ['0x12345678'])), '0x12345678');
    assert.equal(decodeConsoleLog(encode('notALog(uint256)', ['uint256'], [1n])), undefined);
    assert.equal(decodeConsoleLog(new Uint8Array([1, 2])), undefined);
  });

  test('a transaction and an eth_call both report their lines; the call to the console address does nothing', async (t) => {
    const { devnet, deploy, send, call, wallet } = await fevmSetup(t);
    const lines: string[] = [];
    devnet.events.on('consoleLog', (line) => lines.push(line));
    const user = await deploy('ConsoleUser');
    assert.equal((await send(user, 'hello', [42])).exitCode, 0);
    assert.deepEqual(lines, ['value is 42', `${wallet.address} true`]);
    assert.equal((await call(user, 'calls'))[0], 1n);
    lines.length = 0;
    await devnet.call({ from: hexToBytes(wallet.address), to: hexToBytes(user.address), input: hexToBytes(user.iface.encodeFunctionData('hello', [7])) }, devnet.head.epoch);
    assert.deepEqual(lines, ['value is 7', `${wallet.address} true`]);
  });
});
