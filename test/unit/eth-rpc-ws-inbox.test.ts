// A WebSocket's requests (ws-inbox.ts): a burst of heavy ones lets other work in between, and a
// socket that is closing gets no more of them run (audit15 C2).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SocketInbox } from '../../src/eth-rpc/ws-inbox.js';

const busy = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
const message = (text: string) => Buffer.from(text);

describe('SocketInbox', () => {
  test('messages start in order', async () => {
    const started: string[] = [];
    const inbox = new SocketInbox(() => true, async (m) => void started.push(m.toString()));
    for (const text of ['a', 'b', 'c']) inbox.push(message(text));
    while (started.length < 3) await nextTurn();
    assert.deepEqual(started, ['a', 'b', 'c']);
  });

  // review R2: a batch that gives other clients a turn while starting its requests must not let the
  // socket's next message (an evm_mine) start in the middle of it.
  test('a message starts only once every request of the one before has started, however many turns that takes', async () => {
    const events: string[] = [];
    const inbox = new SocketInbox(() => true, async (m) => {
      const text = m.toString();
      events.push(`${text} starts`);
      if (text === 'batch') {
        await nextTurn();
        await nextTurn();
        events.push('batch started');
      }
    });
    inbox.push(message('batch'));
    inbox.push(message('evm_mine'));
    while (events.length < 3) await nextTurn();
    assert.deepEqual(events, ['batch starts', 'batch started', 'evm_mine starts']);
  });

  test('after 10 ms of a socket\'s work, the rest wait for the next turn: other work gets in between', async () => {
    const events: string[] = [];
    const inbox = new SocketInbox(() => true, async (m) => {
      events.push(m.toString());
      busy(12);
    });
    // A burst from one read, then another client's work queued behind it.
    for (const text of ['1', '2', '3', '4']) inbox.push(message(text));
    setImmediate(() => events.push('other'));
    while (events.length < 5) await nextTurn();
    assert.deepEqual(events.slice(0, 1), ['1']);
    assert.ok(events.indexOf('other') < 3, events.join());
    assert.deepEqual(events.filter((e) => e !== 'other'), ['1', '2', '3', '4']);
  });

  test('once the socket is closing, the messages not started are dropped', async () => {
    let open = true;
    const started: string[] = [];
    const inbox = new SocketInbox(() => open, async (m) => {
      started.push(m.toString());
      busy(12);
      // Its answer overflows --ws-max-buffered: the socket is closed (ws-liveness.ts).
      open = false;
    });
    for (const text of ['1', '2', '3']) inbox.push(message(text));
    await nextTurn();
    await nextTurn();
    inbox.push(message('4'));
    assert.deepEqual(started, ['1']);
  });
});
