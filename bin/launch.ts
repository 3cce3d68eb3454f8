// The fvm-devnet command (dist/fvm-devnet.js): runs the CLI (bin/fvm-devnet.ts, bundled as
// dist/cli.cjs) with its code cache, see code-cache.ts, and a young generation of bounded size
// (young-generation.ts) and V8 optimising hot functions sooner (tier-up.ts); both set after compiling,
// as V8 checks a code cache against its flags.
import { compileCli } from './code-cache.js';
import { tierUpSooner } from './tier-up.js';
import { capYoungGeneration } from './young-generation.js';

compileCli().run();
capYoungGeneration();
tierUpSooner();
