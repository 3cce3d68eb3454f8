// `fvm-devnet piece` against the built CLI: the offline piece CID, an upload to a running node
// through the subcommand, and the bytes served back by GET /piece/<cid>; 400 and 404 answers.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CLI_PATH, startDevnet, type DevnetProcess } from '../helpers/devnet-process.js';
import { REPO_ROOT } from '../helpers/solc.js';

function cli(args: string[]) {
  return spawnSync(process.execPath, [CLI_PATH, ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } });
}

/** The `Name:  value` lines the subcommand prints. */
function fields(stdout: string): Record<string, string> {
  return Object.fromEntries(stdout.trim().split('\n').map((line) => {
    const [name, ...rest] = line.split(':');
    return [name!, rest.join(':').trim()];
  }));
}

describe('fvm-devnet piece', () => {
  let node: DevnetProcess;
  let dir: string;
  let file: string;
  const payload = randomBytes(300_000);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fvm-devnet-piece-'));
    file = join(dir, 'payload.bin');
    writeFileSync(file, payload);
    node = await startDevnet();
  });
  after(async () => {
    await node?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('uploads a file through the subcommand and GET /piece/<cid> serves it back byte for byte', async () => {
    const offline = cli(['piece', file]);
    assert.equal(offline.status, 0, offline.stderr);
    const piece = fields(offline.stdout);
    assert.match(piece['Piece CID']!, /^baga6ea4sea[a-z2-7]+$/);
    assert.equal(piece['Piece size'], '524288 (padded)');
    assert.equal(piece['Payload size'], '300000 bytes');

    const upload = cli(['piece', file, '--upload', '--rpc', node.url]);
    assert.equal(upload.status, 0, upload.stderr);
    const uploaded = fields(upload.stdout);
    assert.equal(uploaded['Piece CID'], piece['Piece CID']);
    assert.equal(uploaded['Uploaded'], `${node.url}/piece/${piece['Piece CID']}`);

    const res = await fetch(`${node.url}/piece/${piece['Piece CID']}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/piece');
    assert.equal(res.headers.get('content-length'), '300000');
    assert.ok(Buffer.from(await res.arrayBuffer()).equals(payload));
  });

  test('unknown pieces are 404, invalid CIDs 400, a payload under another CID 400', async () => {
    const zero1016 = 'baga6ea4seaqb66wjlfkrbye6uqoemcyxmqylwmrm235uclwfpsyx3ge2imidoly';
    const missing = await fetch(`${node.url}/piece/${zero1016}`);
    assert.equal(missing.status, 404);
    assert.equal(await missing.text(), `piece ${zero1016} not found\n`);
    const invalid = await fetch(`${node.url}/piece/bafkqaaa`);
    assert.equal(invalid.status, 400);
    assert.match(await invalid.text(), /is not a piece CID/);
    const wrong = await fetch(`${node.url}/piece/${zero1016}`, { method: 'PUT', body: new Uint8Array(1015).fill(1) });
    assert.equal(wrong.status, 400);
    assert.match(await wrong.text(), /^the payload's piece CID is baga6ea4sea\w+ \(padded size 1024\), not baga6ea4seaqb66w/);
  });

  test('a file too short for a piece, a missing file and an unreachable node fail with exit code 1', () => {
    const short = join(dir, 'short.bin');
    writeFileSync(short, 'hello world');
    const tooShort = cli(['piece', short]);
    assert.equal(tooShort.status, 1);
    assert.match(tooShort.stderr, /commP is not defined for payloads shorter than 65 bytes \(got 11\)/);
    const missingFile = cli(['piece', join(dir, 'nope.bin')]);
    assert.equal(missingFile.status, 1);
    assert.match(missingFile.stderr, /ENOENT/);
    const unreachable = cli(['piece', file, '--upload', '--rpc', 'http://127.0.0.1:9']);
    assert.equal(unreachable.status, 1);
    assert.match(unreachable.stderr, /cannot reach the node at http:\/\/127\.0\.0\.1:9/);
  });
});
