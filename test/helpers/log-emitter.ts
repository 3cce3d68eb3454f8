// A contract that logs its calldata: the test contract of the subscription and reorg tests, which
// need a log per transaction and nothing else (no compiler run).

/** The log's first topic. */
export const LOG_TOPIC = '0x' + '11'.repeat(32);
/** Runtime: mem[0..32] = calldata word; log2(0, 32, LOG_TOPIC, calldata word); stop. */
const RUNTIME = '600035' + '80' + '600052' + '7f' + LOG_TOPIC.slice(2) + '6020' + '6000' + 'a2' + '00';
/** The emitter's code, as eth_getCode answers it. */
export const LOG_EMITTER_RUNTIME = '0x' + RUNTIME;
/** Stores 42 at slot 0, then returns RUNTIME (46 bytes, from offset 17). */
export const LOG_EMITTER_INITCODE = '0x' + '602a600055' + '602e601160003960' + '2e6000f3' + RUNTIME;
/** `n` as a 32-byte word: the calldata the emitter logs as its second topic. */
export const word = (n: number) => '0x' + n.toString(16).padStart(64, '0');
