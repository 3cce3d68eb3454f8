import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './solc.js';

/**
 * The init code of one of Lotus's gas-canary contracts (test/fixtures/lotus-canaries/<name>.hex),
 * read from the repository's root so that the compiled tests in .test-build find it too.
 */
export function lotusCanaryCode(name: string): string {
  return '0x' + readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'lotus-canaries', `${name}.hex`), 'utf8').trim();
}
