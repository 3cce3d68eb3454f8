// Writes the default mnemonic's keys (src/devnet/hd-keys.ts, defaultKeysFile) to the file given as
// the argument: the first keys of the dev accounts', the storage providers' and the node's own paths,
// as many as the default number of dev accounts, and the storage providers' peer keys. scripts/build.mjs
// bundles and runs this.
import { writeFileSync } from 'node:fs';
import { DERIVATION_PATH, defaultConfig } from '../src/config.js';
import { defaultKeysFile } from '../src/devnet/hd-keys.js';
import { NODE_KEYS_DERIVATION_PATH } from '../src/devnet/node-keys.js';
import { peerKeyOf, SP_DERIVATION_PATH } from '../src/devnet/storage-providers/keys.js';

const [out] = process.argv.slice(2);
if (!out) throw new Error('usage: default-keys <file>');
writeFileSync(out, JSON.stringify(defaultKeysFile([DERIVATION_PATH, SP_DERIVATION_PATH, NODE_KEYS_DERIVATION_PATH], defaultConfig().accounts, SP_DERIVATION_PATH, peerKeyOf)));
