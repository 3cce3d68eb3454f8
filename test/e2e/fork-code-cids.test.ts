// A fork of a network whose actors have Wasm bundle code CIDs (calibnet's v18 bundle): its upstream
// is a devnet behind a proxy that answers as a calibnet Lotus node would, its actors' Code and its
// system actor's manifest calibnet's. The fork answers the upstream's code CIDs everywhere (every
// actor's Code, read or created on the fork; the manifest; StateActorCodeCIDs and
// StateActorManifestCID), and Init's Exec takes calibnet's multisig code CID (MsigCreate names it)
// and refuses the devnet's own, which is in no manifest of that chain; a fork of that fork the same.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { FilAddress } from '../../src/common/address.js';
import { CID, cidOf, decodeCbor, encodeCbor } from '../../src/common/cbor.js';
import { codeCid } from '../../src/fevm/actor.js';
import { startDevnet, type DevnetProcess } from '../helpers/devnet-process.js';
import { head, hex, rpc, sendFromDev } from '../helpers/fork-calls.js';
import { useForkSuite } from '../helpers/fork-suite.js';
import { CALIBNET_CODES } from '../helpers/calibnet-codes.js';
import { lotusUpstreamProxy } from '../helpers/lotus-upstream-proxy.js';

/** Init code that deploys an empty contract. */
const EMPTY_CONTRACT = '0x60006000f3';
/** The root of the upstream's init actor's AddressMap (a Lotus node names one; the proxy stands in a CID for it). */
const ADDRESS_MAP = cidOf(encodeCbor(['an address map'])).toString();

describe("a fork of a network with calibnet's actor code CIDs", () => {
  let upstream: DevnetProcess | undefined;
  let proxy: { url: string; close: () => Promise<void> } | undefined;
  let fork: DevnetProcess | undefined;

  useForkSuite('fvm-fork-codes-', () => [fork, proxy, upstream]);

  before(async () => {
    upstream = await startDevnet();
    // The fork epoch 2, and an empty tipset after it: the devnet's state there is Lotus's parent state of it.
    await rpc(upstream.url, 'anvil_mine', [hex(3)]);
    proxy = await lotusUpstreamProxy(upstream.url, { codes: CALIBNET_CODES, addressMap: ADDRESS_MAP });
    fork = await startDevnet(['--fork-url', proxy.url, '--fork-block-number', '2', '--storage-providers', '0']);
  });

  /**
   * The fork's t01 AddressMap as it should be: the upstream's root, and once the fork has made
   * actors (IDs from the upstream's NextID on), the CID of [root, [[address, ID], …]] of their robust
   * and delegated addresses.
   */
  async function expectedAddressMap(): Promise<{ '/': string }> {
    const first: number = (await rpc(proxy!.url, 'Filecoin.StateReadState', ['f01', null])).State.NextID;
    const next: number = (await rpc(fork!.url, 'Filecoin.StateReadState', ['f01', null])).State.NextID;
    const written: [Uint8Array, number][] = [];
    for (let id = first; id < next; id++) {
      const actor = await rpc(fork!.url, 'Filecoin.StateGetActor', [`t0${id}`, null]);
      const robust = await rpc(fork!.url, 'Filecoin.StateLookupRobustAddress', [`t0${id}`, null]);
      for (const address of [robust, actor.DelegatedAddress]) if (address && !/^[ft]0/.test(address)) written.push([FilAddress.parse(address).bytes, id]);
    }
    return written.length === 0 ? { '/': ADDRESS_MAP } : { '/': cidOf(encodeCbor([CID.parse(ADDRESS_MAP), written])).toString() };
  }

  test("every actor read from the upstream has the upstream's Code; the manifest and the code tables are the upstream's", async () => {
    for (const address of ['f00', 'f01', 'f02', 'f03', 'f04', 'f05', 'f06', 'f07', 'f010', 'f099']) {
      const [ours, theirs] = await Promise.all([rpc(fork!.url, 'Filecoin.StateGetActor', [address, null]), rpc(proxy!.url, 'Filecoin.StateGetActor', [address, null])]);
      assert.deepEqual(ours.Code, theirs.Code, address);
      assert.ok(Object.values(CALIBNET_CODES).includes(ours.Code['/']), address);
    }
    assert.deepEqual((await rpc(fork!.url, 'Filecoin.StateGetActor', ['f04', null])).Code, { '/': CALIBNET_CODES.storagepower });
    const system = await rpc(fork!.url, 'Filecoin.StateReadState', ['f00', null]);
    const upstreamSystem = await rpc(proxy!.url, 'Filecoin.StateReadState', ['f00', null]);
    assert.deepEqual([system.Code, system.State], [{ '/': CALIBNET_CODES.system }, upstreamSystem.State]);
    // The manifest it names is readable (the upstream's block, passed through) and lists calibnet's codes.
    const manifest = CID.parse(system.State.BuiltinActors['/']);
    const [, data] = decodeCbor<[number, CID]>(Buffer.from(await rpc(fork!.url, 'Filecoin.ChainReadObj', [{ '/': manifest.toString() }]), 'base64'));
    const entries = decodeCbor<[string, CID][]>(Buffer.from(await rpc(fork!.url, 'Filecoin.ChainReadObj', [{ '/': data.toString() }]), 'base64'));
    assert.deepEqual(Object.fromEntries(entries.map(([name, code]) => [name, code.toString()])), CALIBNET_CODES);
    // The network version the fork runs: the upstream's manifest, every name in it (payment channels too).
    const version = await rpc(fork!.url, 'Filecoin.StateNetworkVersion', [null]);
    assert.deepEqual(await rpc(fork!.url, 'Filecoin.StateActorManifestCID', [version]), { '/': manifest.toString() });
    assert.deepEqual(await rpc(fork!.url, 'Filecoin.StateActorCodeCIDs', [version]), await rpc(proxy!.url, 'Filecoin.StateActorCodeCIDs', [version]));
    // An earlier version's bundle is the upstream's answer (the proxy's, made of CIDs the fork's own table has not).
    const earlier = await rpc(fork!.url, 'Filecoin.StateActorCodeCIDs', [version - 1]);
    assert.deepEqual(earlier, await rpc(proxy!.url, 'Filecoin.StateActorCodeCIDs', [version - 1]));
    assert.ok(!Object.values(earlier).some((code: any) => Object.values(CALIBNET_CODES).includes(code['/'])), 'the earlier bundle is not the fork-point one');
    const earlierManifest = await rpc(fork!.url, 'Filecoin.StateActorManifestCID', [version - 1]);
    assert.deepEqual(earlierManifest, await rpc(proxy!.url, 'Filecoin.StateActorManifestCID', [version - 1]));
    assert.notDeepEqual(earlierManifest, { '/': manifest.toString() });
    // The init actor's AddressMap: the upstream's root, the fork having made no actor yet.
    assert.deepEqual((await rpc(fork!.url, 'Filecoin.StateReadState', ['f01', null])).State.AddressMap, { '/': ADDRESS_MAP });
  });

  test("a contract deployed and a multisig made through Init's Exec on the fork have calibnet's Code; the devnet's own code CID is refused", async () => {
    const deployed = await sendFromDev(fork!.url, { data: EMPTY_CONTRACT });
    const { contractAddress } = await rpc(fork!.url, 'eth_getTransactionReceipt', [deployed.hash]);
    const contract = await rpc(fork!.url, 'Filecoin.EthAddressToFilecoinAddress', [contractAddress]);
    assert.deepEqual((await rpc(fork!.url, 'Filecoin.StateGetActor', [contract, null])).Code, { '/': CALIBNET_CODES.evm });

    const funder = await rpc(fork!.url, 'Filecoin.WalletDefaultAddress');
    const prototype = await rpc(fork!.url, 'Filecoin.MsigCreate', [1, [funder], 0, '1000', funder, '0']);
    const [code] = decodeCbor<[CID, Uint8Array]>(Buffer.from(prototype.Message.Params, 'base64'));
    assert.equal(code.toString(), CALIBNET_CODES.multisig);
    const pushed = await rpc(fork!.url, 'Filecoin.MpoolPushMessage', [prototype.Message, null]);
    const { Receipt } = await rpc(fork!.url, 'Filecoin.StateWaitMsg', [pushed.CID, 1, -1, true]);
    assert.equal(Receipt.ExitCode, 0);
    const [id] = decodeCbor<[Uint8Array, Uint8Array]>(Buffer.from(Receipt.Return, 'base64'));
    const wallet = FilAddress.fromBytes(id).toString('t');
    assert.deepEqual((await rpc(fork!.url, 'Filecoin.StateGetActor', [wallet, null])).Code, { '/': CALIBNET_CODES.multisig });
    // The init actor's AddressMap: the upstream's root with the addresses the fork mapped (the contract's, the multisig's).
    const addressMap = (await rpc(fork!.url, 'Filecoin.StateReadState', ['f01', null])).State.AddressMap;
    assert.notDeepEqual(addressMap, { '/': ADDRESS_MAP });
    assert.deepEqual(addressMap, await expectedAddressMap());

    // Init's Exec of the devnet's own multisig code, which calibnet's manifest does not name: builtin-actors' can_exec refuses it.
    const params = encodeCbor([codeCid('multisig'), encodeCbor([[FilAddress.parse(funder).bytes], 1, 0, 0])]);
    const message = { Version: 0, To: 't01', From: funder, Nonce: 0, Value: '0', GasLimit: 0, GasFeeCap: '0', GasPremium: '0', Method: 2, Params: Buffer.from(params).toString('base64') };
    const refused = await rpc(fork!.url, 'Filecoin.StateCall', [message, null]);
    assert.equal(refused.MsgRct.ExitCode, 18);
    const caller = await rpc(fork!.url, 'Filecoin.StateGetActor', [funder, null]);
    assert.match(refused.Error, new RegExp(`called type ${caller.Code['/']} cannot exec actor type ${codeCid('multisig').toString()}`));
  });

  test("a fork of the fork reads the same manifest through it: calibnet's code CIDs, the multisig made on the first fork included", async () => {
    const at = await head(fork!.url);
    const second = await startDevnet(['--fork-url', fork!.url, '--fork-block-number', String(at), '--storage-providers', '0']);
    try {
      const version = await rpc(second.url, 'Filecoin.StateNetworkVersion', [null]);
      assert.deepEqual(await rpc(second.url, 'Filecoin.StateActorCodeCIDs', [version]), await rpc(fork!.url, 'Filecoin.StateActorCodeCIDs', [version]));
      const nextId: number = (await rpc(fork!.url, 'Filecoin.StateReadState', ['f01', null])).State.NextID;
      for (const address of ['f00', 'f04', `f0${nextId - 1}`]) {
        assert.deepEqual((await rpc(second.url, 'Filecoin.StateGetActor', [address, null])).Code, (await rpc(fork!.url, 'Filecoin.StateGetActor', [address, null])).Code, address);
      }
      assert.deepEqual((await rpc(second.url, 'Filecoin.StateGetActor', [`f0${nextId - 1}`, null])).Code, { '/': CALIBNET_CODES.multisig });
    } finally {
      await second.stop();
    }
  });
});
