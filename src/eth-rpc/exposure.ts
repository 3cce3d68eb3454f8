// Whether the address the node listens on reaches beyond this machine, and the warning it gives
// when it does: anyone who can connect can spend the dev accounts through eth_sendTransaction,
// and with the default mnemonic their keys are known to everyone.
import { isIP } from 'node:net';

/** True for addresses only this machine reaches: localhost, 127.0.0.0/8, ::1 (also IPv4-mapped). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (bare === 'localhost') return true;
  const v4 = bare.startsWith('::ffff:') ? bare.slice('::ffff:'.length) : bare;
  if (isIP(v4) === 4) return v4.split('.')[0] === '127';
  return isIP(bare) === 6 && /^(0{0,4}:){7}0{0,3}1$|^::1$/.test(bare);
}

/** The warning for a node listening on `host`, or undefined when only this machine can reach it. */
export function exposureWarning(host: string, wellKnownKeys: boolean): string | undefined {
  if (isLoopbackHost(host)) return undefined;
  const keys = wellKnownKeys ? 'whose private keys are public knowledge (the default mnemonic)' : 'whose keys the node holds';
  return (
    `WARNING: listening on ${host}, which other machines can reach. Anyone who connects can spend the dev accounts, ` +
    `${keys}, through eth_sendTransaction and the cheat codes. Use --host 127.0.0.1 unless you mean this.`
  );
}
