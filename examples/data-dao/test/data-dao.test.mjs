// DataDAO against fvm-devnet: members propose two datasets and vote; the accepted one is funded
// with the DAO's DataCap (an allocation for a storage provider), the rejected one is not; the
// provider seals the data, the DAO hears of it and, once the verified registry holds the claim,
// pays the members who backed it. Run with `npm test` while `npx fvm-devnet` runs.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CID } from 'multiformats/cid';
import { parseEther } from 'ethers';
import { actorId, compile, connect, send, until } from '../lib/devnet.mjs';
import { DATASETS, deployDao, grantDataCap, upload } from '../scripts/deploy.mjs';

const Status = { Voting: 1n, Rejected: 2n, Funded: 3n, Stored: 4n, Rewarded: 5n };
const DATACAP = 2 << 20;

describe('DataDAO funds the datasets its members vote for', () => {
  const { signer, rpc, close } = connect();
  const [alice, bob, carol] = [signer(1), signer(2), signer(3)];
  let dao;
  let provider; // the storage provider the datasets go to
  let daoAddress;

  before(async () => {
    dao = await deployDao(signer(0), compile(), [alice.address, bob.address, carol.address]);
    daoAddress = await rpc('Filecoin.EthAddressToFilecoinAddress', [await dao.getAddress()]);
    await grantDataCap(rpc, dao, DATACAP);
    provider = Number((await rpc('Filecoin.StateListMiners', [null]))[0].slice(2));
    for (const dataset of DATASETS) await upload(dataset);
  });
  after(close);

  const propose = async (member, dataset) => {
    const receipt = await send(dao.connect(member).propose(CID.parse(dataset.cid).bytes, dataset.size, provider));
    return receipt.logs.map((l) => dao.interface.parseLog(l)).find((l) => l?.name === 'Proposed').args.id;
  };

  test('a dataset a majority votes for is funded with DataCap', async () => {
    const id = await propose(alice, DATASETS[0]);
    await assert.rejects(dao.execute.staticCall(id), (err) => err.revert?.name === 'NotDecided');
    await send(dao.connect(bob).vote(id, true));
    await send(dao.connect(carol).vote(id, false));
    await send(dao.execute(id));
    const { status, allocationId } = await dao.dataset(id);
    assert.ok(status === Status.Funded || status === Status.Stored);
    // The verified registry holds an allocation of the DAO's DataCap for the provider (or, if the
    // provider has sealed the piece already, the claim that replaced it, under the same ID)…
    const allocation =
      (await rpc('Filecoin.StateGetAllocation', [daoAddress, Number(allocationId), null])) ??
      (await rpc('Filecoin.StateGetClaim', [`t0${provider}`, Number(allocationId), null]));
    assert.equal(allocation.Provider, provider);
    assert.equal(allocation.Data['/'], DATASETS[0].cid);
    assert.equal(allocation.Size, DATASETS[0].size);
    // …paid with the DataCap, which is spent.
    const left = await rpc('Filecoin.StateVerifiedClientStatus', [daoAddress, null]);
    assert.equal(BigInt(left), BigInt(DATACAP - DATASETS[0].size));
  });

  test('a dataset a majority votes against is not', async () => {
    const id = await propose(carol, DATASETS[1]);
    await send(dao.connect(alice).vote(id, false));
    await send(dao.connect(bob).vote(id, false));
    await send(dao.execute(id));
    assert.equal((await dao.dataset(id)).status, Status.Rejected);
    await assert.rejects(dao.distributeRewards.staticCall(id), (err) => err.revert?.name === 'WrongStatus');
    assert.equal(BigInt(await rpc('Filecoin.StateVerifiedClientStatus', [daoAddress, null])), BigInt(DATACAP - DATASETS[0].size));
  });

  test('members are rewarded once the provider has proved the data', async () => {
    const id = 0;
    // The provider seals the piece; its miner tells the DAO (SectorContentChanged).
    await until('the DAO to hear of the sector', async () => ((await dao.dataset(id)).status === Status.Stored ? true : undefined));
    const { allocationId } = await dao.dataset(id);
    const claim = await rpc('Filecoin.StateGetClaim', [`t0${provider}`, Number(allocationId), null]);
    assert.equal(claim.Data['/'], DATASETS[0].cid);
    assert.equal(claim.Client, await actorId(rpc, await dao.getAddress()));

    const receipt = await send(dao.distributeRewards(id));
    const paid = receipt.logs.map((l) => dao.interface.parseLog(l)).filter((l) => l?.name === 'Rewarded').map((l) => [l.args.member, l.args.amount]);
    // Half to the proposer (alice), half shared by those who voted for it (alice and bob).
    assert.deepEqual(paid, [
      [alice.address, parseEther('1.5')],
      [alice.address, parseEther('0.75')],
      [bob.address, parseEther('0.75')],
    ]);
    assert.equal((await dao.dataset(id)).status, Status.Rewarded);
    await assert.rejects(dao.distributeRewards.staticCall(id), (err) => err.revert?.name === 'WrongStatus');
  });
});
