// The node's output: one log entry per JSON-RPC call, a few per tipset with messages, and dropped
// messages with their error.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, test, type TestContext } from 'node:test';
import { getCreateAddress } from 'ethers';
import pino from 'pino';
import { bytesToHex } from '../../src/common/hex.js';
import { createLogger, logNodeEvents, logTipsets, requestLogger } from '../../src/eth-rpc/logger.js';
import type { DevnetEventEmitter } from '../../src/devnet/events.js';
import { createDevnet, testConfig } from '../../src/index.js';
import { ActorError } from '../../src/fevm/actors/runtime.js';
import { devWallet as wallet } from '../helpers/dev-wallet.js';
import { directSender } from '../helpers/devnet-harness.js';

function capture() {
  const entries: Record<string, any>[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void entries.push(JSON.parse(line) as Record<string, any>) });
  return { log, entries };
}

async function devnetWithLog(t: TestContext) {
  const devnet = await createDevnet(testConfig());
  t.after(() => devnet.close());
  const { log, entries } = capture();
  logTipsets(devnet, log);
  return { devnet, entries, send: directSender(devnet) };
}

/** The node's events as a test emits them, logged by logNodeEvents. */
function nodeEventsWithLog() {
  const events: DevnetEventEmitter = new EventEmitter();
  const { log, entries } = capture();
  logNodeEvents({ events }, log);
  return { events, entries };
}

describe('requestLogger', () => {
  test('logs the method, and the error code and first line of the message on failure', () => {
    const { log, entries } = capture();
    const observe = requestLogger(log);
    observe('eth_chainId', 1.5);
    observe('eth_call', 2, { code: 3, message: 'message execution failed (exit=[33])\nbacktrace line' });
    assert.equal(entries.length, 2);
    assert.equal(entries[0].msg, 'eth_chainId');
    assert.equal(entries[0].method, 'eth_chainId');
    assert.equal(entries[0].ms, 1.5);
    assert.equal(entries[1].msg, 'eth_call  error 3: message execution failed (exit=[33])');
    assert.equal(entries[1].code, 3);
  });

  test('an error message of megabytes (a large revert) is cut to its start, saying how long it was', () => {
    const { log, entries } = capture();
    const message = `execution reverted: 0x${'00'.repeat(1 << 20)}`;
    requestLogger(log)('eth_call', 2, { code: 3, message });
    assert.equal(entries[0].msg, `eth_call  error 3: ${message.slice(0, 300)}… (${message.length} characters)`);
  });
});

describe('logTipsets', () => {
  test('a tipset with a deployment: transaction, contract created, gas used, then the block', async (t) => {
    const { devnet, entries, send } = await devnetWithLog(t);
    const hash = await send({ to: null, data: '0x600a600c600039600a6000f3602a60005260206000f3' });
    const receipt = devnet.head.messages[0].receipt;
    assert.equal(entries.length, 2);
    const contract = getCreateAddress({ from: wallet.address, nonce: 0 }).toLowerCase();
    assert.equal(entries[0].msg, `\n    Transaction: ${hash}\n    Contract created: ${contract}\n    Gas used: ${receipt.gasUsed}`);
    assert.equal(entries[0].exitCode, 0);
    assert.match(entries[1].msg, new RegExp(`^\\n    Block Number: 1\\n    Block Hash: ${bytesToHex(devnet.head.hash)}\\n    Block Time: "`));
    assert.equal(entries[1].epoch, 1);
  });

  test('a failed message says so with its exit code; empty tipsets print nothing', async (t) => {
    const { devnet, entries, send } = await devnetWithLog(t);
    await devnet.mine();
    assert.equal(entries.length, 0);
    await send({ to: null, data: '0x60006000fd' });
    // An empty revert: Lotus's reason for it is "none".
    assert.match(entries[0].msg, /\n {4}Failed: exit code EvmReverted\(33\), reverted: none$/);
    assert.doesNotMatch(entries[0].msg, /Contract created/);
    // A revert with 4 KiB of data (PUSH2 0x1000 PUSH1 0 REVERT): its reason shown cut.
    await send({ to: null, data: '0x6110006000fd' });
    assert.match(entries.at(-2)!.msg, /\n {4}Failed: exit code EvmReverted\(33\), reverted: 0x0{298}… \(8194 characters\)$/);
  });
});

describe('a logger that prints no info lines (--silent)', () => {
  test('formats no per-tipset lines: the messages are not even read', () => {
    const events: DevnetEventEmitter = new EventEmitter();
    logTipsets({ events } as never, createLogger({ silent: true, json: false }));
    const unread = {
      get ethTx(): never {
        throw new Error('a message of the tipset was read');
      },
    };
    events.emit('tipset', { epoch: 1, timestamp: 0, hash: new Uint8Array(32), messages: [unread] } as never);
  });

  test('logs no calls', () => {
    const entries: unknown[] = [];
    const quiet = pino({ level: 'warn' }, { write: (line: string) => void entries.push(line) });
    const info = quiet.info.bind(quiet);
    let infoCalls = 0;
    quiet.info = ((...args: Parameters<typeof info>) => (infoCalls++, info(...args))) as typeof quiet.info;
    requestLogger(quiet)('eth_chainId', 1);
    assert.equal(infoCalls, 0);
    assert.equal(entries.length, 0);
  });
});

describe('logNodeEvents', () => {
  test('a dropped message is logged as an error with its CID and stack', () => {
    const { events, entries } = nodeEventsWithLog();
    const fake = { cid: { toString: () => 'bafy-test' } };
    events.emit('messageError', fake as never, new Error('boom'));
    assert.equal(entries.length, 1);
    assert.equal(entries[0].level, 50);
    assert.equal(entries[0].cid, 'bafy-test');
    assert.match(entries[0].msg, /dropped message bafy-test/);
    assert.match(entries[0].err.stack, /Error: boom/);
  });

  test('failed cron work is an error; the storage providers\' lines keep their level', () => {
    const { events, entries } = nodeEventsWithLog();
    events.emit('cronError', 42, 111, new Error('fee'));
    events.emit('storageProvider', 'info', 'storage provider t0111 sealed sector 10');
    events.emit('storageProvider', 'warn', 'storage provider t0111 sealing failed: no');
    assert.deepEqual(
      entries.map((e) => [e.level, e.msg]),
      [
        [50, 'cron work of actor t0111 failed at epoch 42 and was undone'],
        [30, 'storage provider t0111 sealed sector 10'],
        [40, 'storage provider t0111 sealing failed: no'],
      ],
    );
    assert.match(entries[0].err.stack, /Error: fee/);
  });

  test('an actor\'s own abort in cron work is one warning with its exit code, no stack', () => {
    const { events, entries } = nodeEventsWithLog();
    events.emit('cronError', 3310, 113, new ActorError(20, 'negative total pledge collateral -5'));
    assert.deepEqual(
      entries.map((e) => [e.level, e.msg, e.exitCode, e.err]),
      [[40, 'cron work of actor t0113 failed at epoch 3310 (exit 20: negative total pledge collateral -5) and was undone', 20, undefined]],
    );
  });

  test('a tipset interval mining failed to mine is an error with its stack', () => {
    const { events, entries } = nodeEventsWithLog();
    events.emit('miningError', new Error('stuck'));
    assert.deepEqual(entries.map((e) => [e.level, e.msg]), [[50, 'interval mining failed to mine a tipset; it tries again at the next interval']]);
    assert.match(entries[0].err.stack, /Error: stuck/);
  });
});

describe('createLogger', () => {
  test('--silent gives a silent logger; --json a JSON one at info', () => {
    assert.equal(createLogger({ silent: true, json: false }).level, 'silent');
    assert.equal(createLogger({ silent: true, json: true }).level, 'silent');
    assert.equal(createLogger({ silent: false, json: true }).level, 'info');
  });
});
