// The e2e tests' start of a server process (test/helpers/ready-process.ts, which startDevnet and
// startAnvil share), driven with small Node scripts: the ready line across chunks and streams, a
// process that exits or stays silent, and the kill that follows a failed start.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { spawnReady, type ReadyProcessOptions } from '../helpers/ready-process.js';

const READY = /Listening on [^:\s]+:(\d+)(?=\D)/;

/** Runs `node -e script` until its ready line. */
function start(script: string, options: Partial<ReadyProcessOptions> = {}) {
  return spawnReady(process.execPath, ['-e', script], { name: 'script', env: process.env, readyLine: READY, readyOn: 'stdout', keepOutputAfterReady: true, ...options });
}

/** Whether process `pid` still runs. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('spawnReady', () => {
  test('resolves at a ready line cut across chunks, with its match; stop() ends the process', async () => {
    const script = `process.stdout.write('starting\\nListening on 127.0.0.1:45'); setTimeout(() => process.stdout.write('67\\n'), 200); setInterval(() => {}, 1000);`;
    const p = await start(script);
    assert.equal(p.ready[1], '4567');
    assert.match(p.output(), /starting\nListening on 127\.0\.0\.1:4567\n/);
    await p.stop();
    assert.equal(p.child.signalCode, 'SIGTERM');
  });

  test('reads the ready line on stderr only when told to; what comes after it is kept or dropped as told', async () => {
    const script = `process.stderr.write('\\u001b[32mListening on localhost:9\\u001b[0m\\n'); setTimeout(() => process.stderr.write('request log\\n'), 100); setInterval(() => {}, 1000);`;
    await assert.rejects(start(script, { timeoutMs: 3_000 }), /script printed no ready line within 3000 ms[^]*--- output ---\n.*Listening on localhost:9/);
    const dropping = await start(script, { readyOn: 'stdout and stderr', keepOutputAfterReady: false });
    assert.equal(dropping.ready[1], '9');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.doesNotMatch(dropping.output(), /request log/);
    await dropping.stop();
    const keeping = await start(script, { readyOn: 'stdout and stderr' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.match(keeping.output(), /request log/);
    await keeping.stop();
  });

  test('finds the ready line through colour codes inside it, and keeps the output as printed', async () => {
    const p = await start(`process.stdout.write('Listening on localhost:\\u001b[1m9\\u001b[22m\\n'); setInterval(() => {}, 1000);`);
    assert.equal(p.ready[1], '9');
    assert.equal(p.output(), 'Listening on localhost:\u001b[1m9\u001b[22m\n');
    await p.stop();
  });

  test('rejects with the command and output when the process exits first, or cannot be spawned', async () => {
    await assert.rejects(start(`console.log('bad flag'); process.exit(3)`), (err: Error) => {
      assert.match(err.message, /^script exited before it was ready \(code 3, signal null\)\ncommand: .* -e /);
      assert.match(err.message, /--- output ---\nbad flag\n--- end ---$/);
      return true;
    });
    await assert.rejects(spawnReady('/nonexistent/server', [], { name: 'server', env: process.env, readyLine: READY, readyOn: 'stdout', keepOutputAfterReady: true }), /could not spawn server: spawn \/nonexistent\/server ENOENT/);
  });

  test('kills a process that is not ready in time', async () => {
    const script = `console.log(process.pid); setInterval(() => {}, 1000);`;
    let pid = 0;
    // Long enough for Node to start and print its pid on a loaded machine.
    await assert.rejects(start(script, { timeoutMs: 5_000 }), (err: Error) => {
      pid = Number(/--- output ---\n(\d+)\n/.exec(err.message)![1]);
      return true;
    });
    assert.ok(pid > 0);
    assert.equal(alive(pid), false);
  });
});
