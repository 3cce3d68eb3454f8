// call-frame.ts runs CALL frames with @ethereumjs's steps minus the copies nothing reads: every
// call must answer, fail and cost exactly as on @ethereumjs's own _executeCall and runInterpreter,
// which run instead whenever the EVM logs its debug output.
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
    const evm = (devnet as any).calls.node.executor.evm.evm as EVM & { DEBUG: boolean };
    const calls: [typeof probe, string, unknown[], bigint?][] = [
      [probe, 'env', []],
      [probe, 'recordEnv', []],
      // Value to a new address (a Placeholder), a precompile, a delegate call, INVALID, a nested CREATE2.
      [probe, 'callTo', ['0x' + '12'.repeat(20), 5n, '0x'], 5n],
      [probe, 'staticCallTo', [precompileAddress(0x00, 2), '0xabcdef']],
      [probe, 'delegateCallTo', [factory.address, '0x']],
      [probe, 'useInvalid', []],
      [factory, 'deploy', ['0x' + '01'.repeat(32)]],
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
    evm.DEBUG = true;
    t.after(() => (evm.DEBUG = false));
    assert.ok(!canExecuteCall(evm), "with debug output @ethereumjs's own frame runs");
    const theirs = await runAll();
    assert.deepEqual(ours, theirs);
    assert.equal(ours.filter((answer) => answer.includes(': ok ')).length, 6, ours.join('\n'));
  });
});
