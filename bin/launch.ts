// The fvm-devnet command (dist/fvm-devnet.js): runs the CLI (bin/fvm-devnet.ts, bundled as
// dist/cli.cjs) with its code cache, see code-cache.ts, a young generation that keeps its first size
// until the node listens (the CLI then caps it, young-generation.ts) and V8 optimising hot functions
// sooner (tier-up.ts); both set after compiling, as V8 checks a code cache against its flags.
import { compileCli } from './code-cache.js';
import { tierUpSooner } from './tier-up.js';
import { holdYoungGeneration } from './young-generation.js';

const cli = compileCli();
holdYoungGeneration();
cli.run();
tierUpSooner();
