// scripts/linear-custom-opcodes.mjs, the build's esbuild plugin that has @ethereumjs/evm's
// getOpcodesForHF add custom opcodes to its table without copying the table for each: a bundle made
// with it gives the same table as the library itself for the FEVM's kind of custom opcodes (all of
// them replaced, some removed); a codes.js without the copy it rewrites fails the build.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, test } from 'node:test';
import { Common, Mainnet } from '@ethereumjs/common';
import { getOpcodesForHF, paramsEVM, type EVMOpts } from '@ethereumjs/evm';
import { bundleWithPlugin } from '../helpers/bundle.js';
import { REPO_ROOT } from '../helpers/solc.js';

const plugin = await import(pathToFileURL(join(REPO_ROOT, 'scripts/linear-custom-opcodes.mjs')).href);

type Table = ReturnType<typeof getOpcodesForHF>;
type CustomOpcode = NonNullable<EVMOpts['customOpcodes']>[number];

/** What a table says, with each handler as the custom one it is (by index) or by its name. */
function describeTable(table: Table, customs: CustomOpcode[]) {
  const handler = (fn: unknown) => {
    const custom = customs.findIndex((c) => 'logicFunction' in c && (c.logicFunction === fn || c.gasFunction === fn));
    return custom >= 0 ? `custom ${custom}` : (fn as { name?: string } | undefined)?.name;
  };
  return {
    opcodes: [...table.opcodes].map(([code, op]) => [code, op.code, op.name, op.fullName, op.fee, op.feeBigInt, op.isAsync, op.dynamicGas]),
    handlers: [...table.handlers].map(([code, fn]) => [code, handler(fn)]),
    dynamicGasHandlers: [...table.dynamicGasHandlers].map(([code, fn]) => [code, handler(fn)]),
    opcodeMap: table.opcodeMap.map((entry) => [entry.opcodeInfo.code, handler(entry.opHandler), handler(entry.gasHandler)]),
  };
}

describe('the linear-custom-opcodes build plugin', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'fvm-devnet-opcodes-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  test("a bundle's getOpcodesForHF gives the library's table for every opcode replaced and three removed", async () => {
    const outfile = await bundleWithPlugin(scratch, "export { getOpcodesForHF } from '@ethereumjs/evm';\n", plugin.linearCustomOpcodesPlugin, true);
    const bundled = (await import(pathToFileURL(outfile).href)) as { getOpcodesForHF: typeof getOpcodesForHF };

    // As the FEVM's table: Cancun with EIP-2537, each opcode given again with a gas function of its own, some without one.
    const common = new Common({ chain: { ...Mainnet, chainId: 314 }, hardfork: 'cancun', eips: [2537] });
    common.updateParams(paramsEVM);
    const removed = [0xf2, 0x49, 0x4a];
    const customs: CustomOpcode[] = removed.map((opcode) => ({ opcode }));
    for (const [opcode, info] of getOpcodesForHF(common).opcodes) {
      if (removed.includes(opcode)) continue;
      const gasFunction = opcode % 3 === 0 ? undefined : async () => BigInt(opcode);
      customs.push({ opcode, opcodeName: info.name, baseFee: opcode + 1, gasFunction, logicFunction: () => {} });
    }
    const expected = describeTable(getOpcodesForHF(common, customs), customs);
    assert.equal(expected.opcodes.length, customs.length - removed.length);
    assert.deepEqual(describeTable(bundled.getOpcodesForHF(common, customs), customs), expected);
  });

  test('a codes.js without the copy per custom opcode fails the build, naming the plugin', () => {
    const changed = 'let opcodeBuilder = { ...opcodes };\nopcodeBuilder.set(entry);\n';
    assert.throws(() => plugin.linearCustomOpcodes(changed, 'codes.js'), /codes\.js: not the getOpcodesForHF scripts\/linear-custom-opcodes\.mjs expects/);
  });
});
