// Typed arrays that grow by doubling (the state tree's tables outside the JS heap).

type Growable = Uint8Array | Uint32Array | Int32Array | Float64Array;

/** A typed array of `array`'s kind and twice its length, with its first `used` elements copied. */
export function doubled<T extends Growable>(array: T, used = array.length): T {
  const bigger = new (array.constructor as new (length: number) => T)(array.length * 2);
  bigger.set(array.subarray(0, used));
  return bigger;
}
