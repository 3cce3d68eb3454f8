// Lotus's account and address integration tests ported (at b835fab70): itests/eth_account_abstraction_test.go
// (who may send a message), itests/fevm_address_test.go (the address a native account's deployment
// takes, funded before it exists) and itests/eth_bytecode_test.go (code and nonce of accounts and of a
// contract that self-destructed), driven as Lotus's kit drives them (helpers/lotus-contracts.ts). Each
// test names the itest it ports and asserts what Lotus asserts.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { Transaction, Wallet, getBytes, getCreateAddress, keccak256 } from 'ethers';
import { FilAddress } from '../../src/common/address.js';
import { lotusContractCode, lotusKitSuite, METHOD_INVOKE_CONTRACT } from '../helpers/lotus-contracts.js';

const FIL = 10n ** 18n;

describe("Lotus's account and address itests (eth_account_abstraction, fevm_address, eth_bytecode; b835fab70)", () => {
  const { kit } = lotusKitSuite();
  const { rpc } = kit;
  let codes: Record<string, { '/': string }>;
  /** The builtin actor type (manifest name) of the actor at `address`. */
  async function actorType(address: string): Promise<string | undefined> {
    const { Code } = await rpc('Filecoin.StateGetActor', address, null);
    return Object.entries(codes).find(([, code]) => code['/'] === Code['/'])?.[0];
  }
  const f4Of = (eth: string): Promise<string> => rpc('Filecoin.EthAddressToFilecoinAddress', eth);

  before(async () => {
    codes = await rpc('Filecoin.StateActorCodeCIDs', await rpc('Filecoin.StateNetworkVersion', null));
  });

  test('TestEthAccountAbstraction, TestEthAccountAbstractionFailure: a placeholder that sends becomes an EthAccount, even when its message fails', async () => {
    // A delegated key in the node's wallet, funded by an InvokeContract send: a placeholder.
    const placeholder: string = await rpc('Filecoin.WalletNew', 'delegated');
    const eth: string = await rpc('Filecoin.FilecoinAddressToEthAddress', placeholder, null);
    assert.equal((await kit.push({ To: placeholder, Value: (100n * FIL).toString(), Method: METHOD_INVOKE_CONTRACT })).lookup.Receipt.ExitCode, 0);
    assert.deepEqual([await actorType(placeholder), (await rpc('Filecoin.StateGetActor', placeholder, null)).Nonce], ['placeholder', 0]);
    /** A message from the placeholder to itself, its gas estimated, signed as its Ethereum transaction (WalletSign of the RLP), pushed with MpoolPush. */
    async function sendFromPlaceholder(fields: { Nonce?: number; Value: bigint }, sentValue = fields.Value): Promise<number> {
      const message = await rpc('Filecoin.GasEstimateMessageGas', { From: placeholder, To: placeholder, Method: METHOD_INVOKE_CONTRACT, Nonce: fields.Nonce ?? 0, Value: fields.Value.toString() }, null, null);
      message.Value = sentValue.toString();
      const tx = Transaction.from({ type: 2, chainId: 31415926n, nonce: message.Nonce, to: eth, value: sentValue, gasLimit: BigInt(message.GasLimit), maxFeePerGas: BigInt(message.GasFeeCap), maxPriorityFeePerGas: BigInt(message.GasPremium), data: '0x' });
      const signature = await rpc('Filecoin.WalletSign', placeholder, Buffer.from(getBytes(tx.unsignedSerialized)).toString('base64'));
      const cid = await rpc('Filecoin.MpoolPush', { Message: message, Signature: signature });
      return (await rpc('Filecoin.StateWaitMsg', cid, 1, -1, true)).Receipt.ExitCode;
    }
    // More value than it holds: the message fails (SysErrInsufficientFunds), the sender is an EthAccount anyway.
    assert.equal(await sendFromPlaceholder({ Value: 20n * FIL }, 1000n * FIL), 6);
    assert.deepEqual([await actorType(placeholder), (await rpc('Filecoin.StateGetActor', placeholder, null)).Nonce], ['ethaccount', 1]);
    assert.equal(await sendFromPlaceholder({ Nonce: 1, Value: 0n }), 0);
    assert.deepEqual([await actorType(placeholder), (await rpc('Filecoin.StateGetActor', placeholder, null)).Nonce], ['ethaccount', 2]);
  });

  test('TestEthAccountAbstractionFailsFromEvmActor: a contract may not send, so GasEstimateMessageGas from it fails with SysErrSenderInvalid', async () => {
    const contract = await kit.deploy('SimpleCoin');
    const address = await f4Of(contract.eth);
    assert.equal(await actorType(address), 'evm');
    const { error } = await kit.raw('Filecoin.GasEstimateMessageGas', [{ From: address, To: address, Value: '0', Method: 0 }, null, null]);
    assert.equal(error?.message, 'message execution failed (exit=[SysErrSenderInvalid(1)], vm error=[pre-validation failed: Send not from valid sender\n (RetCode=1)]): sender validation failed');
    // By its ID too: the ID resolves to its f4 address (StateAccountKey), then the same preflight refuses it.
    const id = await rpc('Filecoin.StateLookupID', address, null);
    assert.equal((await kit.raw('Filecoin.GasEstimateMessageGas', [{ From: id, To: address, Value: '0', Method: 0 }, null, null])).error?.message, error?.message);
    // GasEstimateGasLimit checks the sender as GasEstimateMessageGas does; eth_estimateGas does not (TestEthEstimateGasSkipSender's FromContract).
    assert.match((await kit.raw('Filecoin.GasEstimateGasLimit', [{ From: address, To: address, Value: '0', Method: 0 }, null])).error?.message ?? '', /SysErrSenderInvalid/);
    assert.ok(BigInt(await rpc('eth_estimateGas', { from: contract.eth, to: Wallet.createRandom().address }, 'latest')) > 0n);
  });

  test('TestAddressCreationBeforeDeploy, TestDeployAddressMultipleTimes: a native deployment lands on the placeholder funded at its address, keeping the funds; the next takes another address', async () => {
    const sender = await kit.sender();
    // A native account deploys from keccak(its address bytes)[12:] (builtin-actors EAM), at its next nonce.
    const deployer = '0x' + keccak256(FilAddress.parse(sender).bytes).slice(26);
    const nonce = Number(await rpc('Filecoin.MpoolGetNonce', sender));
    // The funding takes `nonce`, the deployment the one after.
    const predicted = getCreateAddress({ from: deployer, nonce: nonce + 1 }).toLowerCase();
    const target = await f4Of(predicted);
    assert.equal((await kit.push({ To: target, Value: '2', Method: 0 })).lookup.Receipt.ExitCode, 0);
    assert.equal(await actorType(target), 'placeholder');

    const deployed = await kit.deployCode(lotusContractCode('SimpleCoin'));
    assert.equal(deployed.eth, predicted);
    assert.equal(await actorType(target), 'evm');
    assert.equal((await rpc('Filecoin.StateGetActor', target, null)).Balance, '2');
    assert.notEqual((await kit.deployCode(lotusContractCode('SimpleCoin'))).eth, predicted);
  });

  test('TestGetCodeAndNonce: no code and nonce 0 for an address with no actor and for a placeholder; a contract has code and nonce 1, none and 0 once destroyed', async () => {
    const account = Wallet.createRandom().address;
    for (const funded of [false, true]) {
      if (funded) assert.equal((await kit.push({ To: await f4Of(account), Value: (10n ** 19n).toString(), Method: 0 })).lookup.Receipt.ExitCode, 0);
      assert.equal(await rpc('eth_getCode', account, 'latest'), '0x');
      assert.equal(await rpc('eth_getTransactionCount', account, 'latest'), '0x0');
    }
    const contract = await kit.deploy('SelfDestruct');
    assert.notEqual(await rpc('eth_getCode', contract.eth, 'latest'), '0x');
    assert.equal(await rpc('eth_getTransactionCount', contract.eth, 'latest'), '0x1');
    // Lotus destroys it through its robust (f2) address.
    const robust = await rpc('Filecoin.StateLookupRobustAddress', contract.id, null);
    assert.equal((await kit.invoke(robust, 'destroy()')).exit, 0);
    assert.equal(await rpc('eth_getCode', contract.eth, 'latest'), '0x');
    assert.equal(await rpc('eth_getTransactionCount', contract.eth, 'latest'), '0x0');
  });
});
