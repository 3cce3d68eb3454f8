// CollateralPool against fvm-devnet: lenders deposit; a storage provider borrows against its
// miner's future earnings (the pool becomes the miner's beneficiary) and the pool collects the loan
// with interest out of the miner's block rewards; a provider without power earns nothing, and its
// loan defaults at its due epoch. Run with `npm test` while `npx fvm-devnet` runs.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseEther } from 'ethers';
import { actorId, compile, connect, send } from '../lib/devnet.mjs';
import { deployPool, proposeBeneficiary, reclaimBeneficiary } from '../scripts/deploy.mjs';

const LOAN_TERM = 2880;
const State = { Active: 1n, Repaid: 2n, Defaulted: 3n };

describe('CollateralPool lends to storage providers', () => {
  const { signer, rpc, provider, close } = connect();
  const [alice, bob] = [signer(1), signer(2)];
  let pool;
  let poolId;

  before(async () => {
    pool = await deployPool(signer(0), compile(), { interestBps: 1000, loanTerm: LOAN_TERM, collectionGrace: LOAN_TERM });
    await send(pool.connect(alice).deposit({ value: parseEther('30') }));
    await send(pool.connect(bob).deposit({ value: parseEther('20') }));
    poolId = await actorId(rpc, await pool.getAddress());
  });
  after(close);

  const minerBalance = async (id) => BigInt(await rpc('Filecoin.WalletBalance', [`t0${id}`]));

  /** The owner proposes the pool as beneficiary for a loan of `principal`; then anyone opens the loan. */
  async function openLoan(minerId, principal) {
    const [, , params] = await pool.loanTerms(principal);
    await proposeBeneficiary(rpc, minerId, params);
    const [cash, balance] = [await provider.getBalance(await pool.getAddress()), await minerBalance(minerId)];
    await send(pool.borrow(minerId, principal));
    assert.equal(cash - (await provider.getBalance(await pool.getAddress())), principal, 'the pool lent the principal');
    // The miner actor received it (and perhaps a block reward in the same tipset).
    assert.ok((await minerBalance(minerId)) - balance >= principal, 'the loan went to the miner actor');
    const info = await rpc('Filecoin.StateMinerInfo', [`t0${minerId}`, null]);
    assert.equal(info.Beneficiary, `t0${poolId}`, 'the pool is the beneficiary');
    return info;
  }

  test('a loan is repaid with interest out of the miner\'s block rewards', async () => {
    const [minerAddress] = await rpc('Filecoin.StateListMiners', [null]);
    const minerId = Number(minerAddress.slice(2));
    const info = await openLoan(minerId, parseEther('10'));
    assert.equal(info.BeneficiaryTerm.Quota, parseEther('11').toString());
    assert.equal((await pool.loans(minerId)).state, State.Active);

    // The miner earns block rewards (5 FIL in every other tipset here); the pool collects them.
    await rpc('anvil_mine', [10]);
    const cashBefore = await provider.getBalance(await pool.getAddress());
    await send(pool.collect(minerId));
    const loan = await pool.loans(minerId);
    assert.equal(loan.state, State.Repaid);
    assert.equal(loan.repaid, parseEther('11'));
    assert.equal(await provider.getBalance(await pool.getAddress()) - cashBefore, parseEther('11'));
    assert.equal(await pool.totalAssets(), parseEther('51'), 'the lenders earned the interest');
    assert.equal(await pool.outstanding(), 0n);

    // The quota is used up: the owner takes the beneficiary back without the pool's approval.
    const { BeneficiaryTerm } = await rpc('Filecoin.StateMinerInfo', [`t0${minerId}`, null]);
    assert.equal(BeneficiaryTerm.UsedQuota, BeneficiaryTerm.Quota);
    await reclaimBeneficiary(rpc, minerId);
    assert.equal((await rpc('Filecoin.StateMinerInfo', [`t0${minerId}`, null])).Beneficiary, info.Owner);
  });

  test('a loan to a miner that earns nothing defaults at its due epoch', async () => {
    // A new storage provider: a miner actor without sectors, hence without power or block rewards.
    const { miner } = await rpc('devnet_addStorageProvider', [{}]);
    const minerId = Number(miner.slice(2));
    await openLoan(minerId, parseEther('5'));
    await assert.rejects(pool.declareDefault.staticCall(minerId), (err) => err.revert?.name === 'NotDueYet');

    await rpc('anvil_mine', [LOAN_TERM + 1]);
    const assetsBefore = await pool.totalAssets();
    await send(pool.declareDefault(minerId));
    const loan = await pool.loans(minerId);
    assert.equal(loan.state, State.Defaulted);
    // All the miner could pay was the loan itself: 5 FIL back, the 0.5 FIL of interest lost. What
    // stays is the creation deposit every new miner locks (FIP-0077), as on calibnet.
    assert.equal(loan.repaid, parseEther('5'));
    assert.equal(await pool.totalAssets(), assetsBefore - parseEther('0.5'));
    assert.equal(await minerBalance(minerId), BigInt(await rpc('Filecoin.StateMinerCreationDeposit', [null])));
    // The pool holds the 50 FIL deposited and the first loan's 1 FIL of interest.
    assert.equal(await pool.totalAssets(), parseEther('51'));
    assert.equal(await pool.outstanding(), 0n);

    // Alice's 30 of the 50 shares are worth 30/50 of the pool.
    const aliceShares = await pool.shares(alice.address);
    assert.equal(aliceShares, parseEther('30'));
    const receipt = await send(pool.connect(alice).withdraw(aliceShares));
    const withdrawn = receipt.logs.map((l) => pool.interface.parseLog(l)).find((l) => l?.name === 'Withdrawn');
    assert.equal(withdrawn.args.amount, parseEther('30.6'));
  });
});
