// The fvm-devnet command (dist/fvm-devnet.js): runs the CLI (bin/fvm-devnet.ts, bundled as
// dist/cli.cjs) with its code cache, see code-cache.ts.
import { compileCli } from './code-cache.js';

compileCli().run();
