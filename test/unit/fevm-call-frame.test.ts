// call-frame.ts runs CALL frames with @ethereumjs's steps minus the copies nothing reads: every
// call must answer, fail and cost exactly as on @ethereumjs's own _executeCall and runInterpreter,
// which run instead while @ethereumjs's profiler is on (its debug output turns off executeCall only).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EVM } from '@ethereumjs/evm';
import { bytesToHex, hexToBytes } from '../../src/common/hex.js';
import { canExecuteCall, canRunFrame } from '../../src/fevm/actors/evm/call-frame.js';
import { fevmSetup, precompileAddress } from '../helpers/fevm.js';

describe('CALL frames without the copies', () => {
  test("each call answers, fails and costs as on @ethereumjs's own frame", async (t) => {
    const { devnet, wallet, deploy } = await fevmSetup(t);
    const probe = await deploy('FevmProbe');
    const factory = await deploy('DestructibleFactory');
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
    ];
    const runAll = async () => {
      const answers: string[] = [];
      for (const [contract, fn, args, value] of calls) {
        const request = { from: hexToBytes(wallet.address), to: hexToBytes(contract.address), input: hexToBytes(contract.iface.encodeFunctionData(fn, args)), value };
        try {
          const result = await devnet.call(request, devnet.head.epoch);
          answers.push(`${fn}: ok ${bytesToHex(result.returnData)} gas ${result.gasUsed} events ${result.events.length}`);
        } catch (error) {
          answers.push(`${fn}: ${(error as Error).message} ${bytesToHex((error as { data?: Uint8Array }).data ?? new Uint8Array())}`);
        }
      }
      return answers;
    };

    await runAll(); // the first frame shows the interpreter class
    assert.ok(canRunFrame(evm) && canExecuteCall(evm), 'frames run without the copies');
    const ours = await runAll();
    evm._optsCached.profiler = { enabled: true };
    t.after(() => (evm._optsCached.profiler = undefined));
    assert.ok(!canRunFrame(evm) && !canExecuteCall(evm), "with the profiler on, @ethereumjs's own steps run");
    const theirs = await runAll();
    assert.deepEqual(ours, theirs);
    assert.equal(ours.filter((answer) => answer.includes(': ok ')).length, 11, ours.join('\n'));
  });
});
