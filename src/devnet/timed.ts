/**
 * Runs `run`, and says how long it took in nanoseconds: the Duration of Lotus's InvocResult, which
 * times the VM's apply of the message (chain/vm/fvm.go buildApplyRet, a time.Duration).
 */
export async function timed<T>(run: () => Promise<T>): Promise<{ value: T; durationNs: number }> {
  const started = process.hrtime.bigint();
  const value = await run();
  return { value, durationNs: Number(process.hrtime.bigint() - started) };
}
