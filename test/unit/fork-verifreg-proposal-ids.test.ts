// A fork's verified registry continues the upstream's RemoveDataCapProposalIDs: the next ID of a
// verifier-client pair is read from the registry State's HAMT (ChainReadObj, which a gateway serves),
// one pair at a time, and a pair that never signed upstream (or has an actor made on the fork) starts
// at 0. The upstream is a devnet whose StateReadState names that HAMT's root and serves its blocks.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CID } from 'multiformats/cid';
import { hamtGet } from '../../src/common/hamt.js';
import { VERIFREG_ACTOR_ID } from '../../src/fevm/actor.js';
import { proposalPairKey, VERIFREG_HAMT_BIT_WIDTH } from '../../src/fevm/actors/verifreg/state.js';
import { copyMap } from '../../src/fevm/lazy-map.js';
import { startDevnet, testConfig } from '../../src/index.js';
import { rpc } from '../helpers/fork-calls.js';

describe("fork: the verified registry's RemoveDataCapProposalIDs", () => {
  test("a pair's next ID is the upstream's; a pair unknown upstream starts at 0; the fork's own IDs stay on the fork", async (t) => {
    const upstream = await startDevnet(testConfig({ gatewayOnly: true }));
    t.after(() => upstream.close());
    const [used, fresh] = ['101:102', '101:103'];
    await upstream.devnet.cheats.editState((state) => {
      const registry = state.getActor(VERIFREG_ACTOR_ID)!;
      state.putActor({ ...registry, verifreg: { ...registry.verifreg!, removeDataCapProposalIds: new Map([[used, 3]]) } });
    });
    await upstream.devnet.mine();
    const epoch = upstream.devnet.head.epoch;
    // The upstream's State names the HAMT builtin-actors keeps (AddrPairKey -> [id]), its blocks served.
    const { State } = await rpc(upstream.url, 'Filecoin.StateReadState', [`f0${VERIFREG_ACTOR_ID}`, null]);
    const readObj = async (cid: CID) => Buffer.from(await rpc(upstream.url, 'Filecoin.ChainReadObj', [{ '/': cid.toString() }]), 'base64');
    assert.deepEqual(await hamtGet(CID.parse(State.RemoveDataCapProposalIDs['/']), proposalPairKey(used), VERIFREG_HAMT_BIT_WIDTH, readObj), [3]);

    const fork = await startDevnet(testConfig({ fork: { url: upstream.url, blockNumber: epoch } }));
    t.after(() => fork.close());
    const ids = () => fork.devnet.stateAt(fork.devnet.head.epoch).getActor(VERIFREG_ACTOR_ID)!.verifreg!.removeDataCapProposalIds!;
    assert.equal(await fork.devnet.untilFetched(() => ids().get(used)), 3);
    assert.equal(await fork.devnet.untilFetched(() => ids().get(fresh)), undefined);
    // An actor made on the fork (an ID from the upstream's NextID on) never signed upstream: no read.
    assert.equal(ids().get('101:999999'), undefined);
    // What the actor does with them (verifiers.ts): the copy stays lazy and takes the fork's IDs.
    const next = copyMap(ids());
    next.set(used, 4);
    assert.equal(next.get(used), 4);
    assert.equal(ids().get(used), 3);
  });
});
