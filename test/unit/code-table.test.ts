// The chain's actor code CIDs (src/fevm/code-table.ts): a fresh devnet's are its own manifest's, a
// fork's its upstream's; Init's Exec names the kind it creates by the chain's code CID, as
// builtin-actors' can_exec resolves it through the manifest the chain runs.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FilAddress } from '../../src/common/address.js';
import { CID, decodeCbor, encodeCbor } from '../../src/common/cbor.js';
import { ACTOR_KINDS, codeCid, INIT_ACTOR_ID } from '../../src/fevm/actor.js';
import { CodeTable, devnetCodeTable } from '../../src/fevm/code-table.js';
import { ExitCode } from '../../src/fevm/exit-code.js';
import { actorsManifest } from '../../src/fevm/manifest.js';
import { CALIBNET_CODES, CALIBNET_MANIFEST_CID } from '../helpers/calibnet-codes.js';
import { CLIENTS, returned, verifregWorld } from '../helpers/verifreg-world.js';

const calibnet = () => new CodeTable(CALIBNET_MANIFEST_CID, Object.entries(CALIBNET_CODES).map(([name, code]) => [name, CID.parse(code)]));

describe('code table', () => {
  test("a fresh devnet's: its own manifest, each kind's identity CID and back", () => {
    const table = devnetCodeTable();
    const manifest = actorsManifest();
    assert.ok(table.manifestCid.equals(manifest.cid));
    const [, data] = decodeCbor<[number, CID]>(manifest.blocks.get(manifest.cid.toString())!);
    const listed = decodeCbor<[string, CID][]>(manifest.blocks.get(data.toString())!);
    assert.deepEqual(table.entries().map(([name, code]) => [name, code.toString()]), listed.map(([name, code]) => [name, code.toString()]));
    for (const kind of ACTOR_KINDS) {
      assert.ok(table.codeOf(kind).equals(codeCid(kind)), kind);
      assert.equal(table.kindOf(codeCid(kind)), kind);
    }
  });

  test("an upstream's (calibnet's v18 bundle): its CIDs, every kind it names modelled, a name the devnet does not model kept apart, the devnet's own unknown", () => {
    const table = calibnet();
    assert.equal(table.codeOf('multisig').toString(), CALIBNET_CODES.multisig);
    assert.equal(table.kindOf(CALIBNET_CODES.storageminer!), 'storageminer');
    assert.equal(table.kindOf(CALIBNET_CODES.paymentchannel!), 'paymentchannel');
    assert.deepEqual(Object.keys(CALIBNET_CODES).filter((name) => table.kindOf(CALIBNET_CODES[name]!) === undefined), []);
    // A manifest naming an actor newer than the devnet's: a name, no kind.
    const newer = new CodeTable(CALIBNET_MANIFEST_CID, [...table.entries(), ['futureactor', codeCid('system', 99)]]);
    assert.deepEqual([newer.nameOf(codeCid('system', 99)), newer.kindOf(codeCid('system', 99))], ['futureactor', undefined]);
    assert.equal(table.kindOf(codeCid('multisig')), undefined);
    assert.equal(table.entries().length, 16);
    // A manifest without a kind (before actors v10, no EVM) has no code for it.
    const old = new CodeTable(CALIBNET_MANIFEST_CID, [['account', CID.parse(CALIBNET_CODES.account!)]]);
    assert.throws(() => old.codeOf('evm'), /names no evm actor/);
  });
});

describe("Init's Exec by the chain's code CIDs", () => {
  const F01 = FilAddress.fromId(INIT_ACTOR_ID);
  const [A, B] = CLIENTS;
  const constructor = encodeCbor([[A.bytes], 1, 0, 0]);

  test("on a chain running calibnet's code CIDs, calibnet's multisig code creates a multisig; the devnet's own identity CID names no kind there (forbidden, Lotus's words)", async () => {
    const w = await verifregWorld();
    w.ctx = { ...w.ctx, codes: calibnet() };
    const made = await w.send(A, F01, 2, [CID.parse(CALIBNET_CODES.multisig!), constructor]);
    assert.equal(made.exitCode, 0);
    const [id] = returned(made) as [Uint8Array, Uint8Array];
    assert.equal(w.state.getActor(FilAddress.fromBytes(id).id!)!.kind, 'multisig');
    // The devnet's own identity CID is in no manifest of this chain: builtin-actors' can_exec finds no type.
    assert.equal((await w.send(A, F01, 2, [codeCid('multisig'), constructor])).exitCode, ExitCode.ErrForbidden);
    const message = { version: 0, to: F01, from: A, nonce: 0, value: 0n, gasLimit: 0, gasFeeCap: 0n, gasPremium: 0n, method: 2, params: encodeCbor([codeCid('multisig'), constructor]) };
    const refused = await w.executor.call(w.state, message, w.ctx);
    assert.equal(refused.error, `called type ${CALIBNET_CODES.account} cannot exec actor type ${codeCid('multisig').toString()}`);
    // Calibnet's payment channel code creates a payment channel.
    const channel = await w.send(A, F01, 2, [CID.parse(CALIBNET_CODES.paymentchannel!), encodeCbor([A.bytes, B.bytes])]);
    assert.equal(channel.exitCode, 0);
    const [channelId] = returned(channel) as [Uint8Array, Uint8Array];
    assert.equal(w.state.getActor(FilAddress.fromBytes(channelId).id!)!.kind, 'paymentchannel');
    // A code a newer manifest names (an actor the devnet does not model): refused with the reason.
    const future = codeCid('system', 99);
    w.ctx = { ...w.ctx, codes: new CodeTable(CALIBNET_MANIFEST_CID, [...calibnet().entries(), ['futureactor', future]]) };
    const refusedFuture = await w.executor.call(w.state, { ...message, params: encodeCbor([future, constructor]) }, w.ctx);
    assert.equal(refusedFuture.exitCode, ExitCode.ErrForbidden);
    assert.match(refusedFuture.error!, / \(futureactor: fvm-devnet does not model futureactor actors\)$/);
  });
});
