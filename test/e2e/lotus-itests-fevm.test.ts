// Lotus's FEVM integration tests (itests/fevm_test.go at b835fab70) ported: Lotus's own compiled
// contracts (test/fixtures/lotus-itests), deployed and invoked as itests/kit/evm.go does it, with
// Filecoin messages the node signs (MpoolPushMessage to the EAM's CreateExternal, then to the
// contract's InvokeContract with the block gas limit), each awaited with StateWaitMsg; a failed
// invocation's error is StateReplay's, as kit's InvokeContractByFuncName returns it. Each test names
// the itest it ports and asserts what Lotus asserts. Where the devnet differs on purpose (the
// lookups name the inclusion tipset, not the one after it; the chain id is the devnet's 31415926, not
// the 314 of Lotus's mainnet-built itests), the assertion is the devnet's form of Lotus's.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { id, toBeHex, zeroPadValue } from 'ethers';
import { encodeCbor } from '../../src/common/cbor.js';
import { hexToBytes } from '../../src/common/hex.js';
import { lotusKitSuite, METHOD_INVOKE_CONTRACT } from '../helpers/lotus-contracts.js';

const EXIT_REVERTED = 33;
const EXIT_STACK_OVERFLOW = 37;

const word = (n: number | bigint | string) => zeroPadValue(toBeHex(BigInt(n)), 32).slice(2);
const selector = (signature: string) => id(signature).slice(2, 10);

describe("Lotus's FEVM itests (itests/fevm_test.go, b835fab70), through Filecoin messages as itests/kit/evm.go sends them", () => {
  const { kit } = lotusKitSuite();
  let from: string;
  const { rpc } = kit;
  const deploy = (name: string, value?: bigint) => kit.deploy(name, value);
  const invoke = (to: string, signature: string, input?: string, value?: bigint) => kit.invoke(to, signature, input, value);
  /** kit.EvmWordFromAddr: an address's ID as the EVM sees it (0xff00…id), as a word. */
  async function idWord(address: string): Promise<string> {
    const actorId = BigInt((await rpc('Filecoin.StateLookupID', address, null)).slice(2));
    return word((0xffn << 152n) | actorId);
  }

  before(async () => {
    from = await kit.sender();
  });

  test('TestFEVMRecursive, TestFEVMRecursiveFail, TestFEVMRecursive1, TestFEVMRecursive2: up to 330 levels pass, from 340 exit 37; one and two events', async () => {
    const recursive = await deploy('Recursive');
    for (const n of [0, 1, 10, 100, 230, 330]) assert.equal((await invoke(recursive.id, 'recursiveCall(uint256)', word(n))).exit, 0, `recursiveCall(${n})`);
    for (const n of [340, 400, 1000]) assert.equal((await invoke(recursive.id, 'recursiveCall(uint256)', word(n))).exit, EXIT_STACK_OVERFLOW, `recursiveCall(${n})`);
    for (const [signature, events] of [['recursive1()', 1], ['recursive2()', 2]] as const) {
      const { exit, lookup } = await invoke(recursive.id, signature);
      assert.equal(exit, 0);
      assert.equal((await rpc('Filecoin.ChainGetEvents', lookup.Receipt.EventsRoot)).length, events, signature);
    }
  });

  test('TestFEVMBasic: SimpleCoin gives its deployer 10 000 and an address one byte off nothing', async () => {
    const coin = await deploy('SimpleCoin');
    const owner = await idWord(from);
    assert.equal((await invoke(coin.id, 'getBalance(address)', owner)).output, '0x' + word(10_000));
    const other = owner.slice(0, 62) + ((parseInt(owner.slice(62), 16) + 1) & 0xff).toString(16).padStart(2, '0');
    assert.equal((await invoke(coin.id, 'getBalance(address)', other)).output, '0x' + word(0));
  });

  test('TestFEVMDelegateCall, TestFEVMDelegateCallRevert, TestFEVMSimpleRevert, TestFEVMDelegateCallRecursiveFail', async () => {
    const actor = await deploy('DelegatecallActor');
    const storage = await deploy('DelegatecallStorage');
    const seven = '0x' + word(7);
    assert.equal((await invoke(storage.id, 'setVars(address,uint256)', (await idWord(actor.id)) + word(7))).output, seven);
    assert.equal((await invoke(storage.id, 'getCounter()')).output, seven);
    assert.equal((await invoke(actor.id, 'getCounter()')).output, '0x' + word(0));
    // Lotus reads slot 0 with a nil position, which its client sends as "0x".
    assert.equal(await rpc('eth_getStorageAt', actor.eth, '0x', 'latest'), '0x' + word(0));
    assert.equal(await rpc('eth_getStorageAt', storage.eth, '0x', 'latest'), seven);

    // A revert after the DELEGATECALL: exit 33, nothing kept. kit returns StateReplay's Error, which
    // names the contract's abort as the FVM's backtrace does (builtin-actors: `contract reverted at <pc>`).
    const fresh = await deploy('DelegatecallStorage');
    const reverted = await invoke(fresh.id, 'setVarsRevert(address,uint256)', (await idWord(actor.id)) + word(7));
    assert.equal(reverted.exit, EXIT_REVERTED);
    assert.match(reverted.error, new RegExp(`^message failed with backtrace:\\n00: ${fresh.id} \\(method ${METHOD_INVOKE_CONTRACT}\\) -- contract reverted at \\d+ \\(33\\)\\n \\(RetCode=33\\)$`));
    assert.equal((await invoke(fresh.id, 'getCounter()')).output, '0x' + word(0));
    assert.equal((await invoke(actor.id, 'getCounter()')).output, '0x' + word(0));

    const simple = await invoke(fresh.id, 'revert()');
    assert.equal(simple.exit, EXIT_REVERTED);
    assert.match(simple.error, /-- contract reverted at \d+ \(33\)/);
    // StateCompute of the same call on the head's state words its failure alike (its last InvocResult).
    const head = await rpc('Filecoin.ChainHead');
    const params = Buffer.from(encodeCbor(hexToBytes('0x' + selector('revert()')))).toString('base64');
    const call = { Version: 0, From: from, To: fresh.id, Nonce: await rpc('Filecoin.MpoolGetNonce', from), Value: '0', GasLimit: 100_000_000, GasFeeCap: '1000000000', GasPremium: '100000', Method: METHOD_INVOKE_CONTRACT, Params: params };
    const computed = (await rpc('Filecoin.StateCompute', head.Height, [call], head.Cids)).Trace.at(-1);
    assert.equal(computed.MsgRct.ExitCode, EXIT_REVERTED);
    assert.match(computed.Error, new RegExp(`^message failed with backtrace:\\n00: ${fresh.id} \\(method ${METHOD_INVOKE_CONTRACT}\\) -- contract reverted at \\d+ \\(33\\)`));

    // A contract delegate-calling itself runs out of gas and reverts: an error, but no fatal one.
    const selfCall = await invoke(fresh.id, 'setVarsSelf(address,uint256)', (await idWord(fresh.id)) + word(7));
    assert.equal(selfCall.exit, EXIT_REVERTED);
    assert.doesNotMatch(selfCall.error, /fatal error/);
  });

  test('TestFEVMSelfDestruct, TestFEVMDestroyCreate2: destroy twice; a CREATE2 address destroyed reads empty, then is deployed again', async () => {
    const destructible = await deploy('SelfDestruct');
    assert.equal((await invoke(destructible.id, 'destroy()')).exit, 0);
    assert.equal((await invoke(destructible.id, 'destroy()')).exit, 0);

    const factory = await deploy('Create2Factory');
    const salt = word(0x5a17);
    const deployed = await invoke(factory.id, 'deploy(bytes32)', salt);
    const child = await rpc('Filecoin.EthAddressToFilecoinAddress', '0x' + deployed.output.slice(26));
    const sender = '0x' + (await idWord(from));
    assert.equal((await invoke(child, 'sender()')).output, sender);
    // test(address): self-destructs the child, reads its sender, then fails to CREATE2 it again.
    assert.equal((await invoke(factory.id, 'test(address)', deployed.output.slice(2))).output, sender);
    assert.equal((await invoke(child, 'sender()')).output, '0x');
    assert.equal((await invoke(factory.id, 'deploy(bytes32)', salt)).output, deployed.output);
    assert.equal((await invoke(child, 'sender()')).output, sender);
  });

  test('TestFEVMRecursiveFuncCall, TestFEVMRecursiveActorCall: 507 internal calls pass and 508 exit 37; 251 actor calls pass and 252 exit 37', async () => {
    const stackFunc = await deploy('StackFunc');
    for (const [n, exit] of [[0, 0], [200, 0], [507, 0], [508, EXIT_STACK_OVERFLOW]]) {
      assert.equal((await invoke(stackFunc.id, 'exec1(uint256)', word(n))).exit, exit, `exec1(${n})`);
    }
    // The EVM's 1024-word stack overflows at a push: builtin-actors' interpreter names it and its pc.
    assert.match((await invoke(stackFunc.id, 'exec1(uint256)', word(508))).error, /-- ABORT\(pc=\d+\): stack overflow \(37\)\n/);
    const recCall = await deploy('RecCall');
    for (const [depth, limit, exit] of [[0, 1, 0], [251, 1, 0], [252, 1, EXIT_STACK_OVERFLOW], [251, 32, 0], [252, 32, EXIT_STACK_OVERFLOW]]) {
      assert.equal((await invoke(recCall.id, 'exec1(uint256,uint256,uint256)', word(depth) + word(depth) + word(limit))).exit, exit, `exec1(${depth}, ${depth}, ${limit})`);
    }
  });

  test('TestFEVMDeployWithValue, TestFEVMTestDeployOnTransfer: value sent on through a constructor; value to a new address makes a placeholder', async () => {
    const withValue = await deploy('DeployValueTest', 20n);
    assert.equal((await invoke(withValue.id, 'getNewContractBalance()')).output, '0x' + word(20));

    const valueSender = await deploy('ValueSender');
    const target = '0x' + word(0xff00).slice(24);
    assert.equal((await invoke(valueSender.id, 'sendEthToB(address)', word(0xff00), 100n)).exit, 0);
    assert.equal(BigInt(await rpc('eth_getBalance', target, 'latest')), 100n);
    const actor = await rpc('Filecoin.StateGetActor', await rpc('Filecoin.EthAddressToFilecoinAddress', target), null);
    const codes = await rpc('Filecoin.StateActorCodeCIDs', await rpc('Filecoin.StateNetworkVersion', null));
    assert.equal(actor.Code['/'], codes.placeholder['/']);
  });

  test('TestFEVMErrorParsing: eth_call and eth_estimateGas revert with code 3 and the revert data', async () => {
    const errors = await deploy('Errors');
    const expected: Record<string, string> = {
      'failRevertEmpty()': '0x',
      'failRevertReason()': Buffer.from('my reason').toString('hex'),
      'failAssert()': '0x4e487b71' + word(1),
      'failDivZero()': '0x4e487b71' + word(0x12),
      'failCustom()': '0x' + selector('CustomError()'),
    };
    for (const [signature, data] of Object.entries(expected)) {
      const call = { to: errors.eth, data: '0x' + selector(signature) };
      for (const { error } of [await kit.raw('eth_call', [call, 'latest']), await kit.raw('eth_estimateGas', [call])]) {
        assert.equal(error?.code, 3, signature);
        assert.ok(typeof error.data === 'string' && error.data.includes(data), `${signature}: ${error.data}`);
      }
    }
  });

  test('TestMcopy, TestTstore (after their upgrades, the devnet running nv28): MCOPY copies; transient storage lives one transaction', async () => {
    const mcopy = await deploy('MCOPYTest');
    const testdata = word(0x20) + word(8) + Buffer.from('testdata').toString('hex').padEnd(64, '0');
    assert.equal((await invoke(mcopy.id, 'optimizedCopy(bytes)', testdata)).output, '0x' + testdata);

    const tstore = await deploy('TransientStorageTest');
    const other = await deploy('TransientStorageTest');
    for (const [signature, input] of [['runTests()', ''], ['testLifecycleValidationSubsequentTransaction()', ''], ['testReentry(address)', await idWord(other.id)], ['testNestedContracts(address)', await idWord(other.id)]]) {
      assert.equal((await invoke(tstore.id, signature, input)).exit, 0, signature);
    }
  });

  test('TestMcopy before nv24 (the error Lotus matches): an undefined instruction fails with `undefined instruction (35)` in StateReplay', async () => {
    // Init code returning the one-byte runtime 0x0c, an opcode no EVM defines (MCOPY was one before nv24).
    const undefinedOp = await kit.deployCode('0x600c60005360016000f3');
    const failed = await invoke(undefinedOp.id, 'optimizedCopy(bytes)');
    assert.equal(failed.exit, 35);
    assert.match(failed.error, /-- ABORT\(pc=0\): undefined instruction \(35\)/);
  });

  test('TestFEVMEamCreateTwiceFail: a second CREATE2 to the same address exits 33; the block trace has the call and both creates, the second ErrForbidden', async () => {
    const twice = await deploy('DuplicateCreate2Error');
    const failed = await invoke(twice.id, 'deployTwice()');
    assert.equal(failed.exit, EXIT_REVERTED);
    assert.doesNotMatch(failed.error, /fatal error/);
    // The devnet's lookup names the inclusion tipset, Lotus's the one after it (Lotus traces wait.Height-1).
    const traces: { type: string; error?: string; blockNumber: number }[] = await rpc('trace_block', toBeHex(failed.lookup.Height));
    assert.deepEqual(traces.map((t) => [t.blockNumber, t.type]), [[failed.lookup.Height, 'call'], [failed.lookup.Height, 'create'], [failed.lookup.Height, 'create']]);
    assert.equal(traces[0].error, 'Reverted');
    assert.equal(traces[1].error, undefined);
    assert.match(traces[2].error!, /ErrForbidden/);
  });
});
