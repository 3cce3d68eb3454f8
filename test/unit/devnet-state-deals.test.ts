// --state with live storage deals and a jump of a million epochs: each epoch whose cron work changes
// the market is journaled as the entries that changed, found along the branches the table versions
// do not share, and the chain loaded again, from the journal or a whole save, is the one mined.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import pino from 'pino';
import { buildServer } from '../../src/eth-rpc/server.js';
import { computePieceCid } from '../../src/devnet/storage-providers/piece-cid.js';
import { readStateFile, StateFile } from '../../src/devnet/state-file.js';
import { toStorable } from '../../src/common/storable.js';
import { MARKET_ACTOR_ID } from '../../src/fevm/actor.js';
import { createDevnet, testConfig, type Devnet } from '../../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'fvm-devnet-state-deals-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A node keeping `path` and its server (no final save on dispose: as kill -9 leaves it). */
async function keptNode(path: string) {
  const loaded = readStateFile(path);
  const devnet = await createDevnet(testConfig(), loaded);
  const file = new StateFile(path, devnet, (err) => assert.fail(err), { loaded });
  const app = await buildServer(devnet, { log: pino({ level: 'silent' }) });
  let id = 0;
  const result = async (method: string, params: unknown[] = []): Promise<any> => {
    const answer = (await app.inject({ method: 'POST', url: '/', payload: { jsonrpc: '2.0', id: ++id, method, params } })).json();
    assert.equal(answer.error, undefined, `${method}: ${JSON.stringify(answer.error)}`);
    return answer.result;
  };
  return { devnet, file, result, [Symbol.asyncDispose]: async () => (file.close(), devnet.close(), await app.close()) };
}

describe('--state with storage deals', () => {
  test('deals settled across anvil_mine of 1 000 000 epochs load again as mined, from the journal and from a whole save, which saved again is the same bytes', async () => {
    const path = join(dir, 'deals.state');
    const deals = 12;
    let marketAt: unknown[];
    let head: string;
    /** The jump's first and last epochs. */
    let from: number;
    let to: number;
    {
      await using node = await keptNode(path);
      const start = node.devnet.head.epoch + 4 * deals + 100;
      const ids: number[] = [];
      for (let i = 0; i < deals; i++) {
        const piece = computePieceCid(new Uint8Array(2000).map((_, j) => (j * 7 + i) & 0xff));
        ids.push((await node.result('devnet_proposeDeal', [{ pieceCid: piece.cid.toString(), pieceSize: piece.size, startEpoch: start, storagePricePerEpoch: '1000' }])).dealId);
      }
      // The providers' agents seal the deals, then, a day of epochs past the start, settle each once.
      for (let i = 0; i < 10; i++) {
        await node.result('anvil_mine', ['0x1']);
        await node.devnet.storageProviders.settled();
      }
      for (const id of ids) assert.ok((await node.result('Filecoin.StateMarketStorageDeal', [id, null])).State.SectorStartEpoch > 0, `deal ${id} active`);
      await node.result('anvil_mine', [`0x${(start - node.devnet.head.epoch + 3000).toString(16)}`]);
      await node.devnet.storageProviders.settled();
      from = node.devnet.head.epoch;
      for (const id of ids) assert.ok((await node.result('Filecoin.StateMarketStorageDeal', [id, null])).State.LastUpdatedEpoch > start, `deal ${id} settled`);
      await node.result('anvil_mine', ['0xf4240']);
      to = node.devnet.head.epoch;
      // Past a few of each deal's checks (every 86 400 epochs), before their end: settled again by cron.
      const midway = node.devnet.stateAt(from + 300_000).getActor(MARKET_ACTOR_ID)!.market!;
      for (const id of ids) assert.ok(midway.states.get(id)!.lastUpdatedEpoch > from, `deal ${id} settled again during the jump`);
      assert.equal(node.devnet.stateAt(to).getActor(MARKET_ACTOR_ID)!.market!.proposals.size, 0, 'every deal completed by the end');
      marketAt = marketsAt(node.devnet, from, to, 10_000);
      head = node.devnet.head.blockCid.toString();
    }
    {
      await using again = await keptNode(path);
      assert.equal(again.devnet.head.blockCid.toString(), head);
      assert.deepEqual(marketsAt(again.devnet, from!, to!, 10_000), marketAt);
      again.file.save();
    }
    const saved = readFileSync(path);
    await using third = await keptNode(path);
    assert.equal(third.devnet.head.blockCid.toString(), head);
    assert.deepEqual(marketsAt(third.devnet, from!, to!, 10_000), marketAt);
    third.file.save();
    assert.deepEqual(readFileSync(path), saved, 'loaded and saved again: the same bytes');
  });
});

/** The market actor's state at each epoch from `from` to `to` by `step` (null rounds too: cron runs in them), as a state file stores it. */
function marketsAt(devnet: Devnet, from: number, to: number, step: number): unknown[] {
  const at: unknown[] = [];
  for (let epoch = from; epoch <= to; epoch += step) at.push(toStorable(devnet.stateAt(epoch).getActor(MARKET_ACTOR_ID)!.market));
  return at;
}
