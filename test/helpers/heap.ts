// The JS heap a test measures: V8's gc, which `--expose-gc` puts on a new context's global, is
// taken once as this module loads, so that a measuring test needs no flag on its command line.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** The JS heap in use once garbage is collected. */
export function heapUsed(): number {
  gc();
  return process.memoryUsage().heapUsed;
}
