/** attoFIL per FIL (like wei per ether). */
export const ATTO_PER_FIL = 10n ** 18n;

export function filToAtto(fil: string | number): bigint {
  const text = String(fil).trim();
  const match = /^(\d+)(?:\.(\d{1,18}))?$/.exec(text);
  if (!match) throw new Error(`invalid FIL amount: ${text}`);
  const fraction = (match[2] ?? '').padEnd(18, '0');
  return BigInt(match[1]) * ATTO_PER_FIL + BigInt(fraction);
}

export function attoToFil(atto: bigint): string {
  const sign = atto < 0n ? '-' : '';
  const magnitude = atto < 0n ? -atto : atto;
  const whole = magnitude / ATTO_PER_FIL;
  const fraction = (magnitude % ATTO_PER_FIL).toString().padStart(18, '0').replace(/0+$/, '');
  return sign + (fraction ? `${whole}.${fraction}` : `${whole}`);
}

/** An amount as Lotus's types.FIL and fvm_shared's TokenAmount print it: attoToFil's figure, then " FIL". */
export const formatFil = (atto: bigint): string => `${attoToFil(atto)} FIL`;
