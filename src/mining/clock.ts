// Chain time: the wall clock shifted by an offset, with the overrides Anvil and Hardhat offer
// (evm_increaseTime, evm_setNextBlockTimestamp, anvil_setBlockTimestampInterval).

export interface ClockState {
  offsetSeconds: number;
  nextTimestamp: number | undefined;
  intervalSeconds: number | undefined;
}

export class Clock {
  private state: ClockState;

  constructor(
    /** How far the chain's start is from the wall clock's now (genesis time minus start time). */
    private readonly genesisShift: number,
    /** Unix seconds of the wall clock; injectable for tests. */
    private readonly wallClock: () => number = () => Math.floor(Date.now() / 1000),
  ) {
    this.state = { offsetSeconds: 0, nextTimestamp: undefined, intervalSeconds: undefined };
  }

  /** Chain time now: the wall clock, shifted to the genesis time, plus what evm_increaseTime added. */
  now(): number {
    return this.wallClock() + this.genesisShift + this.state.offsetSeconds;
  }

  /** The timestamp of the next tipset after one at `parentTimestamp`; consumes a one-off override. */
  nextTipsetTimestamp(parentTimestamp: number): number {
    const { nextTimestamp, intervalSeconds } = this.state;
    if (nextTimestamp !== undefined) {
      this.state.nextTimestamp = undefined;
      return nextTimestamp;
    }
    if (intervalSeconds !== undefined) return parentTimestamp + intervalSeconds;
    // Strictly increasing, and never behind the clock.
    return Math.max(this.now(), parentTimestamp + 1);
  }

  /** Moves chain time forward (evm_increaseTime); returns the total it has been moved. */
  increase(seconds: number): number {
    this.state.offsetSeconds += seconds;
    return this.state.offsetSeconds;
  }

  setNextTimestamp(timestamp: number): void {
    this.state.nextTimestamp = timestamp;
  }

  setInterval(seconds: number | undefined): void {
    this.state.intervalSeconds = seconds;
  }

  save(): ClockState {
    return { ...this.state };
  }

  restore(state: ClockState): void {
    this.state = { ...state };
  }
}
