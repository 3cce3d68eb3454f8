// The chain's last epoch and timestamp against the real node: a cheat code that would take the chain
// past what it can mine (epochs are exact JavaScript numbers up to 2^53 - 1, timestamps end with
// JavaScript's Date range, and bound the epochs too) is refused with -32602 and changes nothing; the
// largest accepted still mines, and a send past the last second is refused with the reason.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEV_ACCOUNTS, startDevnet } from '../helpers/devnet-process.js';

type Answer = { result?: unknown; error?: { code: number; message: string } };

async function call(url: string, method: string, params: unknown[] = []): Promise<Answer> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  return (await res.json()) as Answer;
}

const MAX_SAFE = '0x1fffffffffffff';

describe('the last epoch and timestamp a chain can reach', () => {
  test('mining and time cheat codes past them are refused with -32602, the chain unchanged; the largest accepted mines', { timeout: 60_000 }, async (t) => {
    const node = await startDevnet([]);
    t.after(() => node.stop());
    const latest = async () => (await call(node.url, 'eth_getBlockByNumber', ['latest', false])).result as { number: string; timestamp: string };
    const send = () => call(node.url, 'eth_sendTransaction', [{ from: DEV_ACCOUNTS[0].address, to: DEV_ACCOUNTS[1].address, value: '0x1' }]);
    const before = await latest();
    for (const [method, params] of [
      ['anvil_mine', [MAX_SAFE]],
      ['hardhat_mine', ['0x10', MAX_SAFE]],
      ['anvil_mine', ['0x2', '0x1000000000000']],
      ['evm_increaseTime', [MAX_SAFE]],
      ['evm_increaseTime', [2 ** 53 - 1]],
      ['evm_setNextBlockTimestamp', [MAX_SAFE]],
      ['evm_mine', [MAX_SAFE]],
      ['anvil_setBlockTimestampInterval', [MAX_SAFE]],
    ] as const) {
      const { error } = await call(node.url, method, [...params]);
      assert.equal(error?.code, -32602, `${method} ${JSON.stringify(params)}: ${JSON.stringify(error)}`);
      assert.match(error.message, /would take the chain to (epoch|timestamp) \d+, past the last this node can mine/);
      assert.deepEqual(await latest(), before, method);
    }
    // Nothing was left behind: a send and evm_mine go on from the same head, at the clock's time.
    assert.equal((await send()).error, undefined);
    assert.equal((await call(node.url, 'evm_mine')).result, '0x0');
    const after = await latest();
    assert.equal(Number(after.number), Number(before.number) + 2);
    assert.ok(Number(after.timestamp) - Math.floor(Date.now() / 1000) < 60, `timestamp ${after.timestamp} follows the clock`);

    // Each epoch's timestamp is a second or more after the one before, so timestamps bound epochs: a
    // count close to the last timestamp is accepted (null rounds, then one tipset), and the chain mines on.
    const LAST_TIMESTAMP = 8.64e12;
    const count = LAST_TIMESTAMP - 1000 - Math.max(Number(after.timestamp), Math.floor(Date.now() / 1000));
    assert.equal((await call(node.url, 'anvil_mine', [`0x${count.toString(16)}`])).result, null);
    assert.equal(Number((await latest()).number), Number(after.number) + count);
    // Past both, the epoch is named.
    assert.match((await call(node.url, 'anvil_mine', [MAX_SAFE, '0x0'])).error?.message ?? '', /would take the chain to epoch \d+, past the last this node can mine \(2\^53 - 2\)/);
    // anvil_mine's interval 0 (viem's mine({ blocks }) sends it) is no interval: each epoch still a
    // second after the one before (H2), so 2 000 of them do not fit in the last 1 000 seconds.
    assert.match((await call(node.url, 'anvil_mine', ['0x7d0', '0x0'])).error?.message ?? '', /would take the chain to timestamp \d+, past the last this node can mine/);
    assert.equal((await send()).error, undefined);
    // The last second: evm_setNextBlockTimestamp accepts the one before it, a send then takes the last,
    // and the next send is refused with the reason, the head left where it was.
    assert.equal((await call(node.url, 'evm_setNextBlockTimestamp', [LAST_TIMESTAMP - 1])).error, undefined);
    assert.equal((await call(node.url, 'evm_mine')).result, '0x0');
    assert.equal((await send()).error, undefined);
    const end = await latest();
    assert.equal(Number(end.timestamp), LAST_TIMESTAMP);
    assert.match((await send()).error?.message ?? '', /cannot mine a tipset at epoch \d+, timestamp 8640000000001: past the last epoch/);
    assert.deepEqual(await latest(), end);
  });

  test("a sender's nonce stops at 2^53 - 1: the message that would pass it is refused with the reason (geth's 'nonce has max value'), not -32603", { timeout: 60_000 }, async (t) => {
    const node = await startDevnet([]);
    t.after(() => node.stop());
    const from = DEV_ACCOUNTS[0].address;
    const send = () => call(node.url, 'eth_sendTransaction', [{ from, to: DEV_ACCOUNTS[1].address, value: '0x1' }]);
    const head = async () => (await call(node.url, 'eth_blockNumber')).result;
    // The last nonce a message can have: mined, the account's nonce is then 2^53 - 1.
    assert.equal((await call(node.url, 'anvil_setNonce', [from, '0x1ffffffffffffe'])).error, undefined);
    assert.equal((await send()).error, undefined);
    assert.equal((await call(node.url, 'eth_getTransactionCount', [from, 'latest'])).result, MAX_SAFE);
    const before = await head();
    for (const attempt of ['first', 'second']) {
      const { error } = await send();
      assert.equal(error?.code, 1, `${attempt}: ${JSON.stringify(error)}`);
      assert.match(error.message, /nonce has max value: 9007199254740991 is the last nonce this node can count to/);
      assert.equal(await head(), before);
    }
    // Other senders go on.
    assert.equal((await call(node.url, 'eth_sendTransaction', [{ from: DEV_ACCOUNTS[2].address, to: DEV_ACCOUNTS[1].address, value: '0x1' }])).error, undefined);
  });
});
