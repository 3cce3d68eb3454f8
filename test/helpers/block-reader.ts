// A contract that answers, for a block number as its calldata word, BLOCKHASH of it and its slot 0
// (42, stored at deployment): the test contract of the calls on a dropped block (no compiler run).

/** Runtime: mem[0..32] = BLOCKHASH(calldata word); mem[32..64] = slot 0; return mem[0..64]. */
const RUNTIME = '60003540600052' + '600054602052' + '60406000f3';
/** The reader's code, as eth_getCode answers it. */
export const BLOCK_READER_RUNTIME = '0x' + RUNTIME;
/** Stores 42 at slot 0, then returns RUNTIME (18 bytes, from offset 17). */
export const BLOCK_READER_INITCODE = '0x' + '602a600055' + '6012601160003960' + '126000f3' + RUNTIME;
/** What the reader answers: `hash` (BLOCKHASH's) and its slot 0, 42. */
export const readerAnswer = (hash: string) => hash + (42).toString(16).padStart(64, '0');
