// Chain time: the wall clock shifted by an offset, with the overrides Anvil and Hardhat offer
// (evm_increaseTime, evm_setTime, evm_setNextBlockTimestamp, anvil_setBlockTimestampInterval).

/**
 * The latest timestamp a tipset may have, in Unix seconds: the end of JavaScript's Date range
 * (ECMA-262 "Time Values and Time Range": ±8.64e15 ms), which the log line and the explorer print
 * each tipset's time with. Lotus's header Timestamp is a uint64; this is year 275760.
 */
export const LAST_TIMESTAMP = 8.64e12;

/**
 * The interval anvil_mine or hardhat_mine was given for a run of tipsets, and whose habit it follows:
 * Anvil moves time forward by it before each tipset, the first included; Hardhat mines the first as
 * any tipset and the rest that far apart.
 */
export interface RunInterval {
  seconds: number;
  /** Anvil's habit: the run's first tipset too is `seconds` after the head. */
  fromFirst: boolean;
}

export interface ClockState {
  offsetSeconds: number;
  nextTimestamp: number | undefined;
  intervalSeconds: number | undefined;
}

/** A new chain's clock: no time added, no next timestamp set, no interval (save and restore copy it). */
export const NEW_CLOCK: Readonly<ClockState> = Object.freeze({ offsetSeconds: 0, nextTimestamp: undefined, intervalSeconds: undefined });

export class Clock {
  private state: ClockState;

  constructor(
    /** How far the chain's start is from the wall clock's now (genesis time minus start time). */
    private readonly genesisShift: number,
    /** Unix seconds of the wall clock; injectable for tests. */
    private readonly wallClock: () => number = () => Math.floor(Date.now() / 1000),
  ) {
    this.state = { ...NEW_CLOCK };
  }

  /** Chain time now: the wall clock, shifted to the genesis time, plus what evm_increaseTime added. */
  now(): number {
    return this.wallClock() + this.genesisShift + this.state.offsetSeconds;
  }

  /** The timestamp the next tipset after one at `parentTimestamp` would have if mined now; consumes nothing. */
  upcomingTimestamp(parentTimestamp: number): number {
    const { nextTimestamp, intervalSeconds } = this.state;
    if (nextTimestamp !== undefined) return nextTimestamp;
    if (intervalSeconds !== undefined) return parentTimestamp + intervalSeconds;
    // Strictly increasing, and never behind the clock.
    return Math.max(this.now(), parentTimestamp + 1);
  }

  /** The timestamp of the next tipset after one at `parentTimestamp`; consumes a one-off override. */
  nextTipsetTimestamp(parentTimestamp: number): number {
    const timestamp = this.upcomingTimestamp(parentTimestamp);
    this.state.nextTimestamp = undefined;
    return timestamp;
  }

  /**
   * The timestamps of the next epochs after a tipset at `parentTimestamp`, as mining a tipset at each
   * would set them (anvil_mine over many epochs): the first as runTimestamp, else nextTipsetTimestamp,
   * gives it, consuming a one-off override; then the run's step apart, or else one second apart and
   * never behind the clock. Gives the k-th epoch's (k ≥ 1).
   */
  epochTimestamps(parentTimestamp: number, run?: RunInterval): (k: number) => number {
    const timestamps = this.upcomingTimestamps(parentTimestamp, run);
    this.state.nextTimestamp = undefined;
    return timestamps;
  }

  /** What epochTimestamps would give, consuming nothing. */
  upcomingTimestamps(parentTimestamp: number, run?: RunInterval): (k: number) => number {
    const first = this.runTimestamp(parentTimestamp, run, true) ?? this.upcomingTimestamp(parentTimestamp);
    const step = this.runStep(run);
    if (step !== undefined) return (k) => first + (k - 1) * step;
    const now = this.now();
    // Each one max(now, previous + 1): from the second on, that is this closed form.
    return (k) => (k === 1 ? first : Math.max(now + k - 2, first + k - 1));
  }

  /**
   * The timestamp a run of tipsets (anvil_mine, hardhat_mine) gives its tipset after one at
   * `parentTimestamp` (`first`: the run's first), or undefined where the clock's next timestamp
   * stands: a one-off override takes the first, and Hardhat's habit mines the first as any tipset.
   * Anvil's moves its clock by the interval before the first: `interval` after chain time (with what
   * evm_increaseTime added), which is the head's when the head runs ahead of the wall clock.
   */
  runTimestamp(parentTimestamp: number, run: RunInterval | undefined, first: boolean): number | undefined {
    if (first && (this.state.nextTimestamp !== undefined || !run?.fromFirst)) return undefined;
    const step = this.runStep(run);
    if (step === undefined) return undefined;
    return (first && this.state.intervalSeconds === undefined ? Math.max(this.now(), parentTimestamp) : parentTimestamp) + step;
  }

  /**
   * The seconds between a run's tipsets: anvil_setBlockTimestampInterval's when set (it wins over the
   * run's, as in Anvil, whose next timestamp takes the set interval before the time anvil_mine added),
   * else the run's; none (the clock's, a second or more) for an interval of 0, which viem's
   * `mine({ blocks })` sends: two tipsets never share a timestamp, as on Lotus.
   */
  private runStep(run: RunInterval | undefined): number | undefined {
    return this.state.intervalSeconds ?? (run !== undefined && run.seconds > 0 ? run.seconds : undefined);
  }

  /**
   * A tipset was mined at `timestamp`. When that is ahead of the clock (timestamps strictly
   * increase, so tipsets mined within one second run ahead of it), chain time follows it: the next
   * evm_increaseTime(N) then gives a tipset at least N seconds after this one, as Anvil and Hardhat do.
   */
  reached(timestamp: number): void {
    const ahead = timestamp - this.now();
    if (ahead > 0) this.state.offsetSeconds += ahead;
  }

  /** Moves chain time forward (evm_increaseTime); returns the total it has been moved. */
  increase(seconds: number): number {
    this.state.offsetSeconds += seconds;
    return this.state.offsetSeconds;
  }

  /**
   * Sets chain time to `timestamp` (evm_setTime), as Anvil's set_time does: the clock runs on from
   * it, and a one-off next timestamp set before is forgotten; with an interval set, the next tipset
   * is that interval after the time set (Anvil counts it from the last timestamp, which set_time sets).
   */
  setTime(timestamp: number): void {
    this.state.offsetSeconds += timestamp - this.now();
    const { intervalSeconds } = this.state;
    this.state.nextTimestamp = intervalSeconds === undefined ? undefined : timestamp + intervalSeconds;
  }

  setNextTimestamp(timestamp: number): void {
    this.state.nextTimestamp = timestamp;
  }

  /** anvil_setBlockTimestampInterval; an interval of 0 is none (the clock's): two tipsets never share a timestamp. */
  setInterval(seconds: number | undefined): void {
    this.state.intervalSeconds = seconds === 0 ? undefined : seconds;
  }

  save(): ClockState {
    return { ...this.state };
  }

  restore(state: ClockState): void {
    this.state = { ...state };
  }
}
