// The browser tests drive Debian's Chromium (/usr/bin/chromium) with playwright-core, which never
// downloads a browser of its own. `npm test` runs this script first (pretest): when the browser is
// missing and we are root (CI, a fresh machine), it installs Debian's `chromium` package with
// apt-get; as another user it says what to run and fails, so the browser tests cannot pass silently.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROMIUM_PATH = '/usr/bin/chromium';

function apt(args) {
  execFileSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

if (!existsSync(CHROMIUM_PATH)) {
  if (process.getuid?.() !== 0) {
    console.error(`The browser tests need Debian's chromium at ${CHROMIUM_PATH}: run \`sudo apt-get install chromium\`, or npm test as root.`);
    process.exit(1);
  }
  console.log(`Installing Debian's chromium for the browser tests (${CHROMIUM_PATH} is missing)…`);
  apt(['update']);
  apt(['install', '-y', '--no-install-recommends', 'chromium']);
  if (!existsSync(CHROMIUM_PATH)) {
    console.error(`apt-get installed chromium but ${CHROMIUM_PATH} is still missing`);
    process.exit(1);
  }
}
