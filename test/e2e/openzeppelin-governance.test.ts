// OpenZeppelin's governance as its Contracts Wizard writes it (@openzeppelin/contracts 5.x: Governor,
// ERC20Votes, TimelockController, AccessManager; test/fixtures/openzeppelin-governance), driven as a
// Hardhat suite drives it on Hardhat node or Anvil: votes moved by `hardhat_mine`, delays by
// `evm_increaseTime` + `evm_mine` (hardhat-network-helpers' mine() and time.increase()), a vote by
// signature signed by the node (eth_signTypedData_v4). On the default ERC-6372 clock a block number
// is an epoch, and a call on the latest block runs at the epoch after it (README, "Timestamps": as on
// Anvil and Hardhat; calibnet reads two epochs earlier), so a proposal is Active once the chain has
// mined votingDelay epochs after it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { Contract, ContractFactory, id, Interface, Signature, Wallet, ZeroAddress, type ContractTransactionReceipt } from 'ethers';
import { DEV_ACCOUNTS } from '../helpers/devnet-process.js';
import { compileSolidity, REPO_ROOT, type CompiledContract } from '../helpers/solc.js';
import { useDevnet } from '../helpers/use-devnet.js';

/** Governor.ProposalState */
const PENDING = 0n;
const ACTIVE = 1n;
const SUCCEEDED = 4n;
const QUEUED = 5n;
const EXECUTED = 7n;
/** GovernorCountingSimple.VoteType.For */
const FOR = 1;
/** The timelock's minimum delay, in seconds. */
const TIMELOCK_DELAY = 60;

describe('OpenZeppelin Governor, TimelockController and AccessManager on the devnet', () => {
  const devnet = useDevnet();
  let artifacts: Record<string, CompiledContract>;
  let admin: Wallet;
  let voter: Wallet;
  const rpc = (method: string, params: unknown[] = []) => devnet.provider.send(method, params);
  const mined = async (tx: Promise<{ wait(): Promise<ContractTransactionReceipt | null> }>) => (await (await tx).wait())!;
  const deploy = async (name: string, ...args: unknown[]) => {
    const { abi, bytecode } = artifacts[name]!;
    return (await (await new ContractFactory(abi, bytecode, admin).deploy(...args)).waitForDeployment()) as Contract;
  };
  /** The name of the custom error `call` reverted with, as `contractName`'s ABI decodes its revert data. */
  const revertName = async (call: Promise<unknown>, contractName: string) => {
    const error = await call.then(() => assert.fail('the call did not revert'), (e: { data?: string }) => e);
    return new Interface(artifacts[contractName]!.abi).parseError(error.data!)?.name;
  };
  /** hardhat-network-helpers' time.increase(seconds): the clock moved, then a tipset mined at it. */
  const increaseTime = async (seconds: number) => {
    await rpc('evm_increaseTime', [seconds]);
    await rpc('evm_mine');
  };

  before(async () => {
    const source = readFileSync(join(REPO_ROOT, 'test/fixtures/openzeppelin-governance/Governance.sol'), 'utf8');
    artifacts = await compileSolidity({ 'Governance.sol': source }, ['@openzeppelin/contracts']);
    admin = devnet.wallet;
    voter = new Wallet(DEV_ACCOUNTS[1]!.privateKey, devnet.provider);
  });

  /** A token whose votes admin (900) and voter (100) delegated to themselves, and a DAO on it that owns a Box through a timelock. */
  const dao = async (tokenName: string, delay: number, period: number) => {
    const token = await deploy(tokenName);
    await mined(token.transfer!(voter.address, 100n * 10n ** 18n));
    await mined(token.delegate!(admin.address));
    await mined((token.connect(voter) as Contract).delegate!(voter.address));
    const timelock = await deploy('TimelockController', TIMELOCK_DELAY, [], [ZeroAddress], admin.address);
    const governor = await deploy('Dao', await token.getAddress(), await timelock.getAddress(), delay, period);
    await mined(timelock.grantRole!(await timelock.PROPOSER_ROLE!(), await governor.getAddress()));
    const box = await deploy('Box', await timelock.getAddress(), admin.address);
    const proposal = [[await box.getAddress()], [0n], [box.interface.encodeFunctionData('store', [42n])], id('store 42')] as const;
    return { token, governor, box, proposal, proposalId: (await governor.hashProposal!(...proposal)) as bigint };
  };

  test('on block numbers (epochs): Pending until hardhat_mine has passed votingDelay, a vote signed by the node counted, Succeeded after votingPeriod, executed after the timelock delay', async () => {
    const { token, governor, box, proposal, proposalId } = await dao('VoteToken', 5, 20);
    assert.equal(await governor.CLOCK_MODE!(), 'mode=blocknumber&from=default');
    assert.equal(await governor.clock!(), BigInt(await devnet.provider.getBlockNumber()) + 1n);

    const proposed = await mined(governor.propose!(proposal[0], proposal[1], proposal[2], 'store 42'));
    const snapshot = await governor.proposalSnapshot!(proposalId);
    assert.equal(snapshot, BigInt(proposed.blockNumber) + 5n);
    await rpc('hardhat_mine', ['0x4']);
    assert.equal(await governor.state!(proposalId), PENDING);
    await rpc('hardhat_mine', ['0x1']);
    assert.equal(await governor.state!(proposalId), ACTIVE);

    // The voter signs its ballot through the node; the admin submits it, then votes itself.
    const ballot = { proposalId, support: FOR, voter: voter.address, nonce: await governor.nonces!(voter.address) };
    const domain = { name: 'Dao', version: '1', chainId: (await devnet.provider.getNetwork()).chainId, verifyingContract: await governor.getAddress() };
    const types = { Ballot: [{ name: 'proposalId', type: 'uint256' }, { name: 'support', type: 'uint8' }, { name: 'voter', type: 'address' }, { name: 'nonce', type: 'uint256' }] };
    const signature = Signature.from(await (await devnet.provider.getSigner(voter.address)).signTypedData(domain, types, ballot)).serialized;
    await mined(governor.castVoteBySig!(proposalId, FOR, voter.address, signature));
    await mined(governor.castVote!(proposalId, FOR));
    const [, forVotes] = await governor.proposalVotes!(proposalId);
    assert.equal(forVotes, 1000n * 10n ** 18n);
    assert.equal(await token.getPastVotes!(voter.address, snapshot), 100n * 10n ** 18n);

    await rpc('hardhat_mine', ['0x14']);
    assert.equal(await governor.state!(proposalId), SUCCEEDED);
    await mined(governor.queue!(...proposal));
    assert.equal(await governor.state!(proposalId), QUEUED);
    assert.equal(await revertName(governor.execute!(...proposal), 'TimelockController'), 'TimelockUnexpectedOperationState');
    await increaseTime(TIMELOCK_DELAY);
    await mined(governor.execute!(...proposal));
    assert.equal(await governor.state!(proposalId), EXECUTED);
    assert.equal(await box.value!(), 42n);
  });

  test('on timestamps (the Wizard\'s timestamp clock): the same proposal moved by evm_increaseTime alone, one hour\'s delay and one day\'s vote', async () => {
    const { governor, box, proposal, proposalId } = await dao('TimestampVoteToken', 3600, 86_400);
    assert.equal(await governor.CLOCK_MODE!(), 'mode=timestamp');
    const proposed = await mined(governor.propose!(proposal[0], proposal[1], proposal[2], 'store 42'));
    const { timestamp } = (await devnet.provider.getBlock(proposed.blockNumber))!;
    assert.equal(await governor.proposalSnapshot!(proposalId), BigInt(timestamp) + 3600n);
    assert.equal(await governor.state!(proposalId), PENDING);
    await increaseTime(3601);
    assert.equal(await governor.state!(proposalId), ACTIVE);
    await mined(governor.castVote!(proposalId, FOR));
    await increaseTime(86_401);
    assert.equal(await governor.state!(proposalId), SUCCEEDED);
    await mined(governor.queue!(...proposal));
    await increaseTime(TIMELOCK_DELAY);
    await mined(governor.execute!(...proposal));
    assert.equal(await box.value!(), 42n);
  });

  test('AccessManager: a role with a 600 s execution delay schedules at its block\'s timestamp + 600, refuses to execute before, executes after evm_increaseTime', async () => {
    const manager = await deploy('AccessManager', admin.address);
    const box = await deploy('Box', admin.address, await manager.getAddress());
    const boxAddress = await box.getAddress();
    const ROLE = 7n;
    await mined(manager.setTargetFunctionRole!(boxAddress, [box.interface.getFunction('managedStore')!.selector], ROLE));
    await mined(manager.grantRole!(ROLE, voter.address, 600));
    const asVoter = manager.connect(voter) as Contract;
    // A role with an execution delay calls through a scheduled operation only (AccessManaged asks the manager to consume it).
    assert.equal(await revertName((box.connect(voter) as Contract).managedStore!(7n), 'AccessManager'), 'AccessManagerNotScheduled');

    const data = box.interface.encodeFunctionData('managedStore', [7n]);
    const scheduled = await mined(asVoter.schedule!(boxAddress, data, 0));
    const { timestamp } = (await devnet.provider.getBlock(scheduled.blockNumber))!;
    const timepoint = await manager.getSchedule!(await manager.hashOperation!(voter.address, boxAddress, data));
    assert.equal(timepoint, BigInt(timestamp) + 600n);
    assert.equal(await revertName(asVoter.execute!(boxAddress, data), 'AccessManager'), 'AccessManagerNotReady');
    await increaseTime(600);
    await mined(asVoter.execute!(boxAddress, data));
    assert.equal(await box.value!(), 7n);
  });
});
