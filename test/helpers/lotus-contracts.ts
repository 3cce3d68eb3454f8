import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './solc.js';

/**
 * The init code of one of Lotus's itest contracts (test/fixtures/lotus-itests/<name>.hex), read
 * from the repository's root so that the compiled tests in .test-build find it too.
 */
export function lotusContractCode(name: string): string {
  return '0x' + readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'lotus-itests', `${name}.hex`), 'utf8').trim();
}
