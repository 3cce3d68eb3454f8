// The chain's identity as a Lotus node shows it (lotus b835fab70, builtin-actors b0a3bdd6), over raw
// JSON-RPC as Lotus's kit and its API tests drive a node: who a block header names as its miner, the
// EthAccount at the null address 0x0, who may call the EAM's methods, and MpoolClear, ID and the v2
// API's ChainGetTipSetFinalityStatus.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { Interface, getCreate2Address, getCreateAddress, keccak256 } from 'ethers';
import { FilAddress } from '../../src/common/address.js';
import { decodeCbor, encodeCbor } from '../../src/common/cbor.js';
import { ETH_NULL_ADDRESS_BALANCE } from '../../src/devnet/genesis.js';
import { MULTICALL3_ADDRESS } from '../../src/devnet/multicall3.js';
import { bytesToHex, hexToBytes } from '../../src/common/hex.js';
import { freshForkCache, stopForkSuite } from '../helpers/fork-suite.js';
import { DEV_ACCOUNTS, startDevnet, type DevnetProcess } from '../helpers/devnet-process.js';
import { rawRpc } from '../helpers/raw-rpc.js';
import { blockReward } from '../helpers/block-reward.js';
import { lotusContractCode, lotusKitSuite } from '../helpers/lotus-contracts.js';
import { useDevnet } from '../helpers/use-devnet.js';

const NULL_ADDRESS = '0x0000000000000000000000000000000000000000';

interface LotusTipSet {
  Cids: { '/': string }[];
  Blocks: { Miner: string }[];
  Height: number;
}

type Call = ReturnType<typeof rawRpc>['ok'];

/** The actor code CIDs by kind of the network version the node runs (StateActorCodeCIDs of StateNetworkVersion). */
const actorCodes = async (call: Call) => call<Record<string, { '/': string }>>('Filecoin.StateActorCodeCIDs', await call<number>('Filecoin.StateNetworkVersion', null));

describe('block headers name the miner that won them', () => {
  const node = useDevnet();
  let rpc: ReturnType<typeof rawRpc>['ok'];

  before(() => {
    rpc = rawRpc(`${node.url}/rpc/v1`).ok;
  });

  const tipsetAt = (height: number) => rpc<LotusTipSet>('Filecoin.ChainGetTipSetByHeight', height, null);
  const rewardAt = (height: number) => blockReward((method, params) => rpc(method, ...params), height);

  test("genesis names t00 (chain/gen/genesis/genesis.go MakeGenesisBlock); each mined tipset the miner its AwardBlockReward pays (chain/consensus/compute_state.go ApplyBlocks: b.Miner), round-robin between the genesis miners", async () => {
    assert.equal((await tipsetAt(0)).Blocks[0].Miner, 't00');
    await rpc('anvil_mine', '0x4');
    const miners: string[] = [];
    for (let height = 1; height <= 4; height++) {
      const { tipset, header: miner, awarded, reward } = await rewardAt(height);
      miners.push(miner);
      assert.equal(awarded, miner, `height ${height}`);
      // The miner's ApplyRewards (14) takes the reward.
      const [apply] = reward.ExecutionTrace.Subcalls;
      assert.deepEqual([apply.Msg.To, apply.Msg.Method], [miner, 14]);
      // The block's reward is in the miner's balance from its own tipset's state on (a tipset's state is after it runs here).
      const balance = (at: LotusTipSet) => rpc<{ Balance: string }>('Filecoin.StateGetActor', miner, at.Cids).then((a) => BigInt(a.Balance));
      assert.equal((await balance(tipset)) - (await balance(await tipsetAt(height - 1))), BigInt(apply.Msg.Value));
    }
    assert.deepEqual([...new Set(miners)].sort(), ['t0111', 't0113']);
    // /rpc/v2's StateGetActor of the head's miner answers it (api_v2_test "StateGetActor", whose kit miner is t01000).
    const head = await rpc<LotusTipSet>('Filecoin.ChainHead');
    const actor = await rawRpc(`${node.url}/rpc/v2`).ok<{ Code: { '/': string } }>('Filecoin.StateGetActor', head.Blocks[0].Miner, { tag: 'latest' });
    assert.ok(actor?.Code, 'the miner is an actor');
  });

  test("the Ethereum block's miner stays 0x0, as Lotus never sets it (node/impl/eth/utils.go newEthBlockFromFilecoinTipSet)", async () => {
    const block = await rawRpc(node.url).ok<{ miner: string }>('eth_getBlockByNumber', 'latest', false);
    assert.equal(block.miner, '0x0000000000000000000000000000000000000000');
  });

  test('tipsets mined again after evm_revert and anvil_reorg name the miner their reward went to, as the first ones did', async () => {
    /** Each tipset from `from` to the head: its header's miner and the one its AwardBlockReward names. */
    const miners = async (from: number) => {
      const head = await rpc<LotusTipSet>('Filecoin.ChainHead');
      const heights = Array.from({ length: head.Height - from + 1 }, (_, i) => from + i);
      return Promise.all(heights.map(rewardAt));
    };
    const eth = rawRpc(node.url).ok;
    const start = (await rpc<LotusTipSet>('Filecoin.ChainHead')).Height + 1;
    const snapshot = await eth<string>('evm_snapshot');
    await eth('anvil_mine', '0x3');
    await eth('evm_revert', snapshot);
    await eth('anvil_mine', '0x3');
    await eth('anvil_reorg', 2, []);
    const named = await miners(start);
    assert.equal(named.length, 3);
    for (const { header, awarded } of named) assert.equal(header, awarded);
  });

  test("a miner's power lost in a tipset still elects it on that tipset and its child, not two on: Lotus elects on ParentState(base) and the lookback's power table, never the state the tipset's messages leave (chain/stmgr/actors.go MinerGetBaseInfo, MinerEligibleToMine)", async () => {
    const faulty = await startDevnet();
    try {
      const { ok } = rawRpc(`${faulty.url}/rpc/v1`);
      const [a, b] = ['t0111', 't0113'];
      const sectors = await ok<{ SectorNumber: number }[]>('Filecoin.StateMinerSectors', a, null, null);
      const declared = await ok<{ '/': string }>('devnet_faultSectors', a, sectors.map((s) => s.SectorNumber));
      const { Height: faultedAt } = await ok<{ Height: number }>('Filecoin.StateSearchMsg', [], declared, -1, true);
      const power = await ok<{ MinerPower: { RawBytePower: string } }>('Filecoin.StateMinerPower', a, null);
      assert.equal(power.MinerPower.RawBytePower, '0');
      await ok('anvil_mine', '0x3');
      const named: string[] = [];
      for (let height = faultedAt; height <= faultedAt + 3; height++) {
        const { header, awarded } = await blockReward((method, params) => ok(method, ...params), height);
        // StateCompute's AwardBlockReward pays the miner the header names.
        assert.equal(awarded, header, `height ${height}`);
        named.push(header);
      }
      // Round-robin by height over [t0111, t0113] while both are eligible (the faulted tipset and its child), then t0113 alone.
      const roundRobin = (height: number) => (height % 2 === 0 ? a : b);
      assert.deepEqual(named, [roundRobin(faultedAt), roundRobin(faultedAt + 1), b, b]);
    } finally {
      await faulty.stop();
    }
  });

  test('with no storage provider no miner wins: the headers name t00 and StateCompute has no AwardBlockReward', async () => {
    const bare = await startDevnet(['--storage-providers', '0']);
    try {
      const { ok } = rawRpc(`${bare.url}/rpc/v1`);
      await ok('anvil_mine', '0x2');
      const tipset = await ok<LotusTipSet>('Filecoin.ChainHead');
      assert.deepEqual([tipset.Height, tipset.Blocks[0].Miner], [2, 't00']);
      const { Trace } = await ok<{ Trace: { Msg: { To: string } }[] }>('Filecoin.StateCompute', 2, null, tipset.Cids);
      assert.deepEqual(Trace.map((t) => t.Msg.To), ['t03']);
    } finally {
      await bare.stop();
    }
  });
});

describe('the EthAccount at the null address 0x0 (itests/fevm_test.go TestFEVMETH0)', () => {
  const node = useDevnet();
  let rpc: ReturnType<typeof rawRpc>['ok'];
  const multicall = new Interface(['function getBlockNumber() view returns (uint256)']);

  before(() => {
    rpc = rawRpc(`${node.url}/rpc/v1`).ok;
  });

  /** TestFEVMETH0's assertions, of the node at `rpc`: the null address's actor is an EthAccount whose delegated address is f410 of 20 zero bytes. */
  async function assertEth0(call: typeof rpc): Promise<{ id: string; balance: bigint }> {
    const f410 = await call<string>('Filecoin.EthAddressToFilecoinAddress', NULL_ADDRESS);
    assert.equal(f410, FilAddress.fromDelegated(10, new Uint8Array(20)).toString('t'));
    const id = await call<string>('Filecoin.StateLookupID', f410, null);
    const actor = await call<{ Code: { '/': string }; DelegatedAddress: string; Balance: string }>('Filecoin.StateGetActor', id, null);
    // kit's AssertActorType: the actor's code is the network's EthAccount code.
    assert.deepEqual(actor.Code, (await actorCodes(call)).ethaccount);
    assert.equal(actor.DelegatedAddress, f410);
    return { id, balance: BigInt(actor.Balance) };
  }

  test('an EthAccount with the f410 of 0x00…00 exists from genesis (Lotus genesis_eth.go SetupEthNullAddresses), holding FIL as calibnet\'s does', async () => {
    const { balance } = await assertEth0(rpc);
    assert.equal(balance, ETH_NULL_ADDRESS_BALANCE);
    const eth = rawRpc(node.url).ok;
    assert.equal(BigInt(await eth<string>('eth_getBalance', NULL_ADDRESS, 'latest')), ETH_NULL_ADDRESS_BALANCE);
    // An account: no code, nonce 0.
    assert.equal(await eth('eth_getCode', NULL_ADDRESS, 'latest'), '0x');
    assert.equal(await eth('eth_getTransactionCount', NULL_ADDRESS, 'latest'), '0x0');
  });

  test('eth_call and eth_estimateGas without `from` run from it (ethtypes EthCall.ToFilecoinMessage) and answer, as on calibnet, a transfer with value and a deployment included', async () => {
    const eth = rawRpc(node.url).ok;
    // The call runs as it does from a dev account.
    const call = { to: bytesToHex(MULTICALL3_ADDRESS), data: multicall.encodeFunctionData('getBlockNumber') };
    assert.equal(await eth('eth_call', call, 'latest'), await eth('eth_call', { ...call, from: DEV_ACCOUNTS[0].address }, 'latest'));
    const someone = '0x00000000000000000000000000000000000c0ffe';
    for (const request of [{ to: someone }, { to: someone, value: '0xde0b6b3a7640000' }, { data: '0x6080604052348015600f57600080fd5b50603f80601d6000396000f3fe6080604052600080fdfea164736f6c6343000811000a' }]) {
      assert.ok(BigInt(await eth<string>('eth_estimateGas', request)) > 0n, JSON.stringify(request));
    }
  });

  test("a fork reads the upstream's own: its ID and balance, not one of the fork's making", async () => {
    const cache = freshForkCache('fvm-devnet-eth0-');
    let fork: DevnetProcess | undefined;
    try {
      const upstream = rawRpc(node.url).ok;
      // 5 FIL, not the genesis 1 000: the fork shows the upstream's figure.
      await upstream('anvil_setBalance', NULL_ADDRESS, '0x4563918244f40000');
      await upstream('evm_mine');
      const mine = await assertEth0(rpc);
      fork = await startDevnet(['--fork-url', node.url]);
      const forked = await assertEth0(rawRpc(`${fork.url}/rpc/v1`).ok);
      assert.deepEqual(forked, { id: mine.id, balance: 5n * 10n ** 18n });
      // The fork's own tipsets: no miner has power the fork wrote (reward.ts blockWinner), so no reward, and the header names t00.
      const forkRpc = rawRpc(`${fork.url}/rpc/v1`).ok;
      await forkRpc('evm_mine');
      const head = await forkRpc<LotusTipSet>('Filecoin.ChainHead');
      assert.equal(head.Blocks[0].Miner, 't00');
      const { Trace } = await forkRpc<{ Trace: { Msg: { To: string } }[] }>('Filecoin.StateCompute', head.Height, null, head.Cids);
      assert.ok(!Trace.some((t) => t.Msg.To === 't02'), 'no AwardBlockReward');
      assert.ok(BigInt(await rawRpc(fork.url).ok<string>('eth_estimateGas', { to: NULL_ADDRESS })) > 0n);
    } finally {
      await stopForkSuite([fork], cache);
    }
  });
});

describe("the EAM's callers (itests/eth_account_abstraction_test.go TestEthAccountManagerPermissions; builtin-actors actors/eam/src/lib.rs)", () => {
  const { kit } = lotusKitSuite();
  const { rpc } = kit;
  const EAM = 't010';
  /** eam.CreateParams{Nonce: 0} and eam.Create2Params{} as kit's MakeSendCall encodes them: empty init code, nonce 0 or a zero salt. */
  const CREATE_PARAMS = Buffer.from(encodeCbor([new Uint8Array(), 0])).toString('base64');
  const CREATE2_PARAMS = Buffer.from(encodeCbor([new Uint8Array(), new Uint8Array(32)])).toString('base64');

  test('Create (2) and Create2 (3) from an f1, f3 or f4 account: GasEstimateMessageGas fails with `not one of supported (18)` (validate_immediate_caller_type(EVM)); mined, they exit 18; CreateExternal (4) from each deploys', async () => {
    const def = await kit.sender();
    const wallets: string[] = [];
    for (const type of ['secp256k1', 'bls', 'delegated']) {
      const wallet = await rpc('Filecoin.WalletNew', type);
      const { lookup } = await kit.push({ From: def, To: wallet, Value: (10n * 10n ** 18n).toString() });
      assert.equal(lookup.Receipt.ExitCode, 0);
      wallets.push(wallet);
    }
    const code = await actorCodes(kit.rpc);
    for (const from of wallets) {
      for (const [method, params] of [[2, CREATE_PARAMS], [3, CREATE2_PARAMS]] as const) {
        const { error } = await kit.raw('Filecoin.GasEstimateMessageGas', [{ From: from, To: EAM, Value: '0', Method: method, Params: params }, null, null]);
        assert.match(error?.message ?? '', /not one of supported \(18\)/, `${from} method ${method}`);
        // builtin-actors names the caller's code CID.
        const kind = from.startsWith('t4') ? 'ethaccount' : 'account';
        assert.ok(error!.message.includes(`caller cid type ${code[kind]['/']} not one of supported`), error!.message);
      }
      const { lookup } = await kit.push({ From: from, To: EAM, Method: 4, Params: Buffer.from(encodeCbor(hexToBytes(lotusContractCode('SimpleCoin')))).toString('base64') });
      assert.equal(lookup.Receipt.ExitCode, 0, `CreateExternal from ${from}`);
    }
    // Mined with a gas limit of its own (no estimate), Create exits 18, and StateReplay names it as the FVM's backtrace does.
    const { cid, lookup } = await kit.push({ From: wallets[0], To: EAM, Method: 2, Params: CREATE_PARAMS, GasLimit: 10_000_000 });
    assert.equal(lookup.Receipt.ExitCode, 18);
    assert.match((await rpc('Filecoin.StateReplay', null, cid)).Error, /\n00: f010 \(method 2\) -- caller cid type \S+ not one of supported \(18\)\n/);
  });

  test("bad params are refused first, as builtin-actors' dispatcher decodes them before the method checks its caller: 21 (strict_bytes salt of 31 bytes, a nonce that is no integer)", async () => {
    const from = await kit.sender();
    for (const [method, params] of [[2, [new Uint8Array(), 'x']], [3, [new Uint8Array(), new Uint8Array(31)]]] as const) {
      const { lookup } = await kit.push({ From: from, To: EAM, Method: method, Params: Buffer.from(encodeCbor(params)).toString('base64'), GasLimit: 10_000_000 });
      assert.equal(lookup.Receipt.ExitCode, 21, `method ${method}`);
    }
  });

  test("sent by a multisig (a send inside the message, not its origin): CreateExternal, Create and Constructor exit 18 (validate_immediate_caller_is(origin), validate_immediate_caller_type(EVM), only t00 constructs)", async () => {
    const def = await kit.sender();
    const pushPrototype = async (prototype: { Message: Record<string, unknown> }) => {
      const signed = await rpc('Filecoin.MpoolPushMessage', prototype.Message, null);
      return (await rpc('Filecoin.StateWaitMsg', signed.CID, 1, -1, true)).Receipt;
    };
    const created = await pushPrototype(await rpc('Filecoin.MsigCreate', 1, [def], 0, '0', def, '0'));
    const [idBytes] = decodeCbor<[Uint8Array]>(Buffer.from(created.Return, 'base64'));
    const msig = FilAddress.fromBytes(idBytes).toString('t');
    const code = await actorCodes(kit.rpc);
    const initcode = Buffer.from(encodeCbor(hexToBytes(lotusContractCode('SimpleCoin')))).toString('base64');
    // StateCall from the multisig itself: it is then the message's origin too, so CreateExternal gets past
    // that check to resolve_caller_external's `disallowed caller type`.
    for (const [method, params, text] of [
      [4, initcode, 'disallowed caller type multisig'],
      [2, CREATE_PARAMS, `caller cid type ${code.multisig['/']} not one of supported`],
      [1, null, `caller ${msig.replace(/^t/, 'f')} is not one of supported`],
    ] as const) {
      // One signer of a 1-of-1 multisig: the proposal applies at once; ProposeReturn is [TxnID, Applied, Code, Ret].
      const receipt = await pushPrototype(await rpc('Filecoin.MsigPropose', msig, EAM, '0', def, method, params));
      assert.equal(receipt.ExitCode, 0);
      const [, applied, exit] = decodeCbor<[number, boolean, number]>(Buffer.from(receipt.Return, 'base64'));
      assert.deepEqual([applied, exit], [true, 18], `method ${method}`);
      const traced = await rpc('Filecoin.StateCall', { From: msig, To: EAM, Value: '0', Method: method, Params: params }, null);
      assert.equal(traced.MsgRct.ExitCode, 18);
      assert.ok(traced.Error.includes(text), `${traced.Error} names ${text}`);
    }
  });

  // Lotus applies a StateCall as an implicit message (chain/stmgr/call.go callInternal: ApplyImplicitMessage),
  // so its sender may be a contract, which is the EVM caller Create and Create2 take (eam/src/lib.rs create, create2).
  test('a StateCall from a contract\'s address to Create (2) or Create2 (3) deploys as builtin-actors\' EAM does: CREATE(contract, nonce) or CREATE2(contract, salt, initcode), Init Exec4 and the Constructor in its trace; nothing is kept', async () => {
    const contract = FilAddress.fromDelegated(10, MULTICALL3_ADDRESS).toString('t');
    const initcode = hexToBytes(lotusContractCode('SimpleCoin'));
    const salt = new Uint8Array(32).fill(3);
    const creator = bytesToHex(MULTICALL3_ADDRESS);
    for (const [method, params, address] of [
      [2, [initcode, 7], getCreateAddress({ from: creator, nonce: 7 })],
      [3, [initcode, salt], getCreate2Address(creator, salt, keccak256(initcode))],
    ] as const) {
      const called = await rpc('Filecoin.StateCall', { From: contract, To: EAM, Value: '0', Method: method, Params: Buffer.from(encodeCbor(params)).toString('base64') }, null);
      assert.equal(called.MsgRct.ExitCode, 0, `method ${method}: ${called.Error}`);
      const [id, robust, eth] = decodeCbor<[number, Uint8Array, Uint8Array]>(Buffer.from(called.MsgRct.Return, 'base64'));
      assert.equal(bytesToHex(eth), address.toLowerCase(), `method ${method}`);
      assert.match(FilAddress.fromBytes(robust).toString('t'), /^t2/);
      const [exec4] = called.ExecutionTrace.Subcalls;
      assert.deepEqual([exec4.Msg.To, exec4.Msg.Method, exec4.MsgRct.ExitCode], ['t01', 3, 0]);
      assert.deepEqual([exec4.Subcalls[0].Msg.To, exec4.Subcalls[0].Msg.Method], [`t0${id}`, 1]);
      const kept = await kit.raw('Filecoin.StateLookupID', [FilAddress.fromEthAddress(eth).toString('t'), null]);
      assert.ok(kept.error, `method ${method}: the contract is not kept`);
    }
  });
});

describe("Lotus's MpoolClear, ID and ChainGetTipSetFinalityStatus", () => {
  // Messages wait in the pool until a tipset is mined, as with Lotus's kit block time.
  const node = useDevnet(['--no-mining']);
  let rpc: ReturnType<typeof rawRpc>['ok'];

  before(() => {
    rpc = rawRpc(`${node.url}/rpc/v1`).ok;
  });

  test('itests/mempool_test.go TestMemPoolClearPending: a pushed message is pending, MpoolClear(true) empties the pool; MpoolClear(false) leaves messages pushed through the API (local, chain/messagepool/messagepool.go Clear)', async () => {
    const from = await rpc<string>('Filecoin.WalletDefaultAddress');
    const to = await rpc<string>('Filecoin.WalletNew', 'bls');
    const push = () => rpc('Filecoin.MpoolPushMessage', { From: from, To: to, Value: '1000' }, null);
    await push();
    assert.equal((await rpc<unknown[]>('Filecoin.MpoolPending', null)).length, 1);
    assert.equal(await rpc('Filecoin.MpoolClear', false), null);
    assert.equal((await rpc<unknown[]>('Filecoin.MpoolPending', null)).length, 1, 'a local message stays');
    assert.equal(await rpc('Filecoin.MpoolClear', true), null);
    assert.deepEqual(await rpc('Filecoin.MpoolPending', null), []);
    const { error } = await rawRpc(`${node.url}/rpc/v1`).rpc('Filecoin.MpoolClear');
    assert.equal(error?.code, -32602);
  });

  test("itests/api_test.go testID: ID is a libp2p peer ID (\"12…\": an Ed25519 key's identity multihash, base58btc), the same for the same mnemonic after a restart", async () => {
    const id = await rpc<string>('Filecoin.ID');
    assert.match(id, /^12D3KooW[1-9A-HJ-NP-Za-km-z]{44}$/);
    const again = await startDevnet(['--no-mining']);
    try {
      assert.equal(await rawRpc(`${again.url}/rpc/v1`).ok('Filecoin.ID'), id);
    } finally {
      await again.stop();
    }
  });

  test('itests/api_v2_test.go ChainGetTipSetFinalityStatus on /rpc/v2 ("ec calculator not met", one block an epoch): no EC depth or EC tipset; F3 and the finalized tipset are the `finalized` tag\'s, head − 10; the head', async () => {
    await rpc('anvil_mine', '0x1e');
    const v2 = rawRpc(`${node.url}/rpc/v2`).ok;
    const status = await v2<Record<string, { Height: number; Cids: unknown } | number | null>>('Filecoin.ChainGetTipSetFinalityStatus');
    const head = await rpc<{ Height: number; Cids: unknown }>('Filecoin.ChainHead');
    const finalized = await v2<{ Height: number; Cids: unknown }>('Filecoin.ChainGetTipSet', { tag: 'finalized' });
    assert.deepEqual(status, { ecFinalityThresholdDepth: -1, ecFinalizedTipSet: null, f3FinalizedTipSet: finalized, finalizedTipSet: finalized, head });
    assert.equal(finalized.Height, head.Height - 10);
    // Lotus serves it on v2 only: /rpc/v1 does not find it (-32601).
    const { error } = await rawRpc(`${node.url}/rpc/v1`).rpc('Filecoin.ChainGetTipSetFinalityStatus');
    assert.equal(error?.code, -32601);
  });
});
