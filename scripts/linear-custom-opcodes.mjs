// An esbuild plugin for @ethereumjs/evm's opcodes/codes.js, whose getOpcodesForHF copies its whole
// table of ~150 opcodes into a new object for each custom opcode it adds. The FEVM gives every opcode
// as a custom one (src/fevm/actors/evm/fevm-evm.ts: FVM gas), so each EVM the node makes cost ~22 000
// property copies and ~1 MB of garbage: ~4 ms of CPU before a start's first answer. The bundles add
// each entry to the table the function already owns (it made the table with its own spreads), which
// gives the same table; the build fails if a new version of the file no longer has the copy this expects.
import { readFile } from 'node:fs/promises';

const COPY_PER_CUSTOM_OPCODE = /^(\s*)opcodeBuilder = \{ \.\.\.opcodeBuilder, \.\.\.entry \};$/m;

export function linearCustomOpcodes(source, path) {
  if (!COPY_PER_CUSTOM_OPCODE.test(source) || !source.includes('let opcodeBuilder = { ...opcodes };')) {
    throw new Error(`${path}: not the getOpcodesForHF scripts/linear-custom-opcodes.mjs expects; update the plugin`);
  }
  return source.replace(COPY_PER_CUSTOM_OPCODE, '$1Object.assign(opcodeBuilder, entry);');
}

export const linearCustomOpcodesPlugin = {
  name: 'linear-custom-opcodes',
  setup(build) {
    build.onLoad({ filter: /[\\/]@ethereumjs[\\/]evm[\\/]dist[\\/]esm[\\/]opcodes[\\/]codes\.js$/ }, async ({ path }) => ({
      contents: linearCustomOpcodes(await readFile(path, 'utf8'), path),
      loader: 'js',
    }));
  },
};
