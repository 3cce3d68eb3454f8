// Reading precompile input and writing its output, word by word, as builtin-actors' ValueReader
// (actors/evm/src/reader.rs) does: the input reads as if followed by infinite zeros, and an integer
// narrower than a word must have zeros in the bytes above it.

/** A precompile refused its input or its caller; the CALL returns 0 with empty return data. */
export class PrecompileError extends Error {
  constructor(
    readonly kind: 'InvalidInput' | 'CallForbidden',
    message: string,
  ) {
    super(message);
    this.name = 'PrecompileError';
  }
}

const WORD = 32;

/** Longest zero padding a read may add beyond the input (guards against u32 lengths of gigabytes). */
const MAX_PADDING = 1 << 20;

export class WordReader {
  private offset = 0;

  constructor(private readonly input: Uint8Array) {}

  /** Moves to `offset` bytes from the start (past the end reads zeros). */
  seek(offset: bigint): void {
    this.offset = offset > BigInt(this.input.length) ? this.input.length : Number(offset);
  }

  /** The next `length` bytes, zero-padded beyond the end of the input. */
  readPadded(length: number): Uint8Array {
    if (length > this.input.length - this.offset + MAX_PADDING) {
      throw new PrecompileError('InvalidInput', `length ${length} runs far past the input`);
    }
    const out = new Uint8Array(length);
    out.set(this.input.subarray(this.offset, this.offset + length));
    this.offset = Math.min(this.input.length, this.offset + length);
    return out;
  }

  /** A full 32-byte unsigned word. */
  readU256(): bigint {
    let n = 0n;
    for (const byte of this.readPadded(WORD)) n = (n << 8n) | BigInt(byte);
    return n;
  }

  /** An unsigned integer of `bits` bits in a word; the bytes above it must be zero. */
  readUint(bits: 32 | 64, what: string): bigint {
    const n = this.readU256();
    if (n >> BigInt(bits) !== 0n) throw new PrecompileError('InvalidInput', `${what} does not fit in u${bits}`);
    return n;
  }

  /** A signed 64-bit integer in a word: the upper 24 bytes must be zero, the low 8 read as i64. */
  readI64(what: string): bigint {
    return BigInt.asIntN(64, this.readUint(64, what));
  }
}

/** A 32-byte big-endian word (two's complement for negative numbers). */
export function word(n: bigint): Uint8Array {
  const out = new Uint8Array(WORD);
  let v = BigInt.asUintN(256, n);
  for (let i = WORD - 1; i >= 0 && v > 0n; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** Concatenates words and a byte string, the byte string right-padded to a whole word. */
export function encodeWords(words: bigint[], tail: Uint8Array = new Uint8Array()): Uint8Array {
  const padded = Math.ceil(tail.length / WORD) * WORD;
  const out = new Uint8Array(words.length * WORD + padded);
  words.forEach((w, i) => out.set(word(w), i * WORD));
  out.set(tail, words.length * WORD);
  return out;
}
