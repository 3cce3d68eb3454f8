// Filecoin bitfields (go-bitfield, FIP "RLE+"): sets of unsigned integers (sector numbers, deal
// indexes) as run-length-encoded bits. The bits are written least-significant first: a 2-bit version
// (0), the value of the first run, then each run's length: `1` for a run of 1, `01` + 4 bits for
// 2–15, `00` + an unsigned varint (LEB128) for 16 and more.

class BitWriter {
  private readonly bytes: number[] = [];
  private bit = 0;

  write(value: number, width: number): void {
    for (let i = 0; i < width; i++) {
      if (this.bit % 8 === 0) this.bytes.push(0);
      if ((value >> i) & 1) this.bytes[this.bytes.length - 1] |= 1 << this.bit % 8;
      this.bit++;
    }
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

class BitReader {
  private bit = 0;

  constructor(private readonly bytes: Uint8Array) {}

  get done(): boolean {
    // Trailing zero bits pad the last byte.
    for (let b = this.bit; b < this.bytes.length * 8; b++) if ((this.bytes[b >> 3] >> (b & 7)) & 1) return false;
    return true;
  }

  read(width: number): number {
    let value = 0;
    for (let i = 0; i < width; i++, this.bit++) {
      if (this.bit >= this.bytes.length * 8) throw new Error('bitfield ends in the middle of a run');
      value |= ((this.bytes[this.bit >> 3] >> (this.bit & 7)) & 1) << i;
    }
    return value >>> 0;
  }
}

/**
 * The run lengths of a set of numbers, alternating unset and set bits from the unset ones before the
 * first (0 when it is 0); none for an empty set. RLE+ writes them, go-bitfield's JSON lists them.
 */
export function bitfieldRuns(values: Iterable<number>): number[] {
  const sorted = [...new Set(values)].sort((a, b) => a - b);
  const runs: number[] = [];
  let next = 0;
  for (let i = 0; i < sorted.length; ) {
    let end = i;
    while (end + 1 < sorted.length && sorted[end + 1] === sorted[end] + 1) end++;
    runs.push(sorted[i] - next, end - i + 1);
    next = sorted[end] + 1;
    i = end + 1;
  }
  return runs;
}

/** The RLE+ bytes of a set of numbers. */
export function encodeBitfield(values: Iterable<number>): Uint8Array {
  const runs = bitfieldRuns(values);
  if (runs.length === 0) return new Uint8Array();
  const writer = new BitWriter();
  writer.write(0, 2);
  const startsWithOnes = runs[0] === 0;
  writer.write(startsWithOnes ? 1 : 0, 1);
  for (const run of startsWithOnes ? runs.slice(1) : runs) {
    if (run === 1) writer.write(1, 1);
    else if (run < 16) {
      writer.write(0b10, 2);
      writer.write(run, 4);
    } else {
      writer.write(0, 2);
      let rest = run;
      do {
        const byte = rest & 0x7f;
        rest = Math.floor(rest / 128);
        writer.write(rest > 0 ? byte | 0x80 : byte, 8);
      } while (rest > 0);
    }
  }
  return writer.finish();
}

/** The numbers an RLE+ bitfield holds, ascending; throws on a malformed one. */
export function decodeBitfield(bytes: Uint8Array): number[] {
  if (bytes.length === 0) return [];
  const reader = new BitReader(bytes);
  if (reader.read(2) !== 0) throw new Error('unsupported bitfield version');
  let ones = reader.read(1) === 1;
  const values: number[] = [];
  let position = 0;
  while (!reader.done) {
    let run: number;
    if (reader.read(1) === 1) run = 1;
    else if (reader.read(1) === 1) run = reader.read(4);
    else {
      run = 0;
      for (let shift = 0; ; shift += 7) {
        const byte = reader.read(8);
        run += (byte & 0x7f) * 2 ** shift;
        if ((byte & 0x80) === 0) break;
        if (shift > 56) throw new Error('bitfield run too long');
      }
    }
    if (run === 0) throw new Error('bitfield has an empty run');
    if (ones) for (let i = 0; i < run; i++) values.push(position + i);
    position += run;
    ones = !ones;
  }
  return values;
}
