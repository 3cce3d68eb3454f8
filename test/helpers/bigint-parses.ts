// How many strings `BigInt` parses while a function runs: a bigint read through a hex string (a
// Buffer's, bytesToHex's or any other) ends in BigInt's parse of it, however the string was made.

/** Runs `run` with the global `BigInt` counting the strings handed to it; that count. */
export function bigintsFromStrings(run: () => void): number {
  const original = globalThis.BigInt;
  let strings = 0;
  globalThis.BigInt = new Proxy(original, {
    apply(target, thisArg, args: [unknown]) {
      if (typeof args[0] === 'string') strings++;
      return Reflect.apply(target, thisArg, args);
    },
  });
  try {
    run();
  } finally {
    globalThis.BigInt = original;
  }
  return strings;
}
