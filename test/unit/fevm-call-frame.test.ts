// call-frame.ts runs messages and CALL frames with @ethereumjs's steps minus the copies nothing
// reads: every call must answer, fail and cost exactly as on @ethereumjs's own runCall, _executeCall
// and runInterpreter, which run instead while @ethereumjs's profiler is on (its debug output turns
// off executeCall only).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EVM } from '@ethereumjs/evm';
import { getCreateAddress, Interface, type InterfaceAbi } from 'ethers';
import { FilAddress } from '../../src/common/address.js';
import { bytesToHex, hexToBytes } from '../../src/common/hex.js';
import { canExecuteCall, canRunFrame, canRunMessage } from '../../src/fevm/actors/evm/call-frame.js';
import { fevmSetup, precompileAddress } from '../helpers/fevm.js';
import { compileSolidity, FIXTURE_CONTRACTS_DIR } from '../helpers/solc.js';

describe('CALL frames without the copies', () => {
  test("each call answers, fails and costs as on @ethereumjs's own frame", async (t) => {
    const { devnet, wallet, deploy, sendRaw } = await fevmSetup(t);
    const probe = await deploy('FevmProbe');
    const factory = await deploy('DestructibleFactory');
    const receiver = await deploy('FilecoinMethodReceiver');
    // Frames one after another in one message (CALL, STATICCALL, a precompile, a value CALL) on pooled memory.
    const traced = await compileSolidity({ 'TraceFixtures.sol': readFileSync(join(FIXTURE_CONTRACTS_DIR, 'TraceFixtures.sol'), 'utf8') });
    const deployed = async (name: string, args: unknown[]) => {
      const iface = new Interface(traced[name]!.abi as InterfaceAbi);
      const state = devnet.stateAt(devnet.head.epoch);
      const nonce = state.getActor(state.lookupId(FilAddress.fromEthAddress(hexToBytes(wallet.address)))!)!.nonce;
      const address = getCreateAddress({ from: wallet.address, nonce });
      assert.equal((await sendRaw(null, traced[name]!.bytecode + iface.encodeDeploy(args).slice(2))).exitCode, 0);
      return { address, iface, id: 0 };
    };
    const callee = await deployed('TraceCallee', []);
    const caller = await deployed('TraceCaller', [callee.address]);
    // The node's EVM (private parts: this test compares its two ways of running a frame).
    const evm = (devnet as any).calls.node.executor.evm.evm as EVM & { _optsCached: { profiler?: { enabled: boolean } } };
    const calls: [typeof probe, string, unknown[], bigint?][] = [
      [probe, 'env', []],
      [probe, 'recordEnv', []],
      // Value to a new address (a Placeholder), a precompile, a delegate call, INVALID, a nested CREATE2.
      [probe, 'callTo', ['0x' + '12'.repeat(20), 5n, '0x'], 5n],
      [probe, 'staticCallTo', [precompileAddress(0x00, 2), '0xabcdef']],
      [probe, 'delegateCallTo', [factory.address, '0x']],
      [probe, 'useInvalid', []],
      [factory, 'deploy', ['0x' + '01'.repeat(32)]],
      // CALLCODE, a static call that writes, and nested frames: INVALID, a value call, CREATE2; BLOCKHASH.
      [probe, 'useCallcode', [factory.address]],
      [probe, 'staticCallTo', [probe.address, probe.iface.encodeFunctionData('recordEnv', [])]],
      [probe, 'callTo', [probe.address, 0n, probe.iface.encodeFunctionData('useInvalid', [])]],
      [probe, 'callTo', [probe.address, 1n, probe.iface.encodeFunctionData('recordEnv', [])], 3n],
      [probe, 'callTo', [factory.address, 0n, factory.iface.encodeFunctionData('deploy', ['0x' + '02'.repeat(32)])]],
      [probe, 'blockHash', [0n]],
      // No value: to a new address (a Placeholder), to a live account, to a contract.
      [probe, 'callTo', ['0x' + '34'.repeat(20), 0n, '0x']],
      [probe, 'callTo', [wallet.address, 0n, '0x']],
      [probe, 'callTo', [receiver.address, 0n, receiver.iface.encodeFunctionData('double', [3n])]],
      // Events whose data is a view of the frame's memory, then frames that reuse pooled memory.
      [receiver, 'double', [21n]],
      [receiver, 'double', [5n]],
      [probe, 'env', []],
      [caller, 'everything', [7n, '0x0001', wallet.address]],
    ];
    // Results are written out only once all calls ran, so bytes a later frame overwrote would show.
    const runAll = async () => {
      const answers: (() => string)[] = [];
      for (const [contract, fn, args, value] of calls) {
        const request = { from: hexToBytes(wallet.address), to: hexToBytes(contract.address), input: hexToBytes(contract.iface.encodeFunctionData(fn, args)), value };
        try {
          const result = await devnet.call(request, devnet.head.epoch);
          const events = result.events.map((e) => e.entries.map((entry) => `${entry.key}=${bytesToHex(entry.value)}`).join(','));
          answers.push(() => `${fn}: ok ${bytesToHex(result.returnData)} gas ${result.gasUsed} events [${events.join('; ')}]`);
        } catch (error) {
          answers.push(() => `${fn}: ${(error as Error).message} ${bytesToHex((error as { data?: Uint8Array }).data ?? new Uint8Array())}`);
        }
      }
      // A deployment as a call (a message without a receiver), and one whose constructor reverts.
      for (const initcode of [traced['TraceCallee']!.bytecode, '0x60006000fd']) {
        try {
          const result = await devnet.call({ from: hexToBytes(wallet.address), input: hexToBytes(initcode) }, devnet.head.epoch);
          answers.push(() => `deploy: ok ${bytesToHex(result.returnData)} gas ${result.gasUsed}`);
        } catch (error) {
          answers.push(() => `deploy: ${(error as Error).message} ${bytesToHex((error as { data?: Uint8Array }).data ?? new Uint8Array())}`);
        }
      }
      return answers.map((answer) => answer());
    };

    await runAll(); // the first frame shows the interpreter class
    assert.ok(canRunMessage(evm) && canRunFrame(evm) && canExecuteCall(evm), 'messages and frames run without the copies');
    const ours = await runAll();
    evm._optsCached.profiler = { enabled: true };
    t.after(() => (evm._optsCached.profiler = undefined));
    assert.ok(!canRunMessage(evm) && !canRunFrame(evm) && !canExecuteCall(evm), "with the profiler on, @ethereumjs's own steps run");
    const theirs = await runAll();
    assert.deepEqual(ours, theirs);
    assert.equal(ours.filter((answer) => answer.includes(': ok ')).length, 19, ours.join('\n'));
    assert.ok(ours.at(-1)!.startsWith('deploy: ') && !ours.at(-1)!.includes(': ok '), ours.at(-1));
    const everything = ours.find((answer) => answer.startsWith('everything:'))!;
    assert.ok(everything.includes(`d=0x${(7).toString(16).padStart(64, '0')}]`), everything);
    const doubled = ours.find((answer) => answer.startsWith('double:'))!;
    assert.ok(doubled.includes(`d=0x${(21).toString(16).padStart(64, '0')}${(42).toString(16).padStart(64, '0')}`), doubled);
  });
});
