export interface PeriodicTaskOptions {
  /** Gap between the end of one run and the start of the next. */
  readonly intervalMs: number;
  readonly run: () => Promise<void>;
  /** A run that threw or rejected; the next run is armed all the same. */
  readonly onError: (error: unknown) => void;
}

/**
 * A self-rescheduling loop (the agent's expiry sweep, partition ownership):
 * the next run is armed only when the previous one ended, so runs never
 * overlap and a slow run delays the next instead of piling up; a failing run
 * is reported and the loop goes on. stop() cancels the armed timer and waits
 * for a run under way.
 */
export class PeriodicTask {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(private readonly options: PeriodicTaskOptions) {}

  /** Starts with the first run `firstDelayMs` from now. */
  start(firstDelayMs = this.options.intervalMs): void {
    this.stopped = false;
    if (!this.running) this.arm(firstDelayMs);
  }

  /** Starts (or goes on) with a run at once; resolves when it ended and the next one is armed. */
  runNow(): Promise<void> {
    this.stopped = false;
    this.disarm();
    return this.running ?? this.runOnce();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.disarm();
    await this.running;
  }

  private arm(delayMs: number): void {
    if (this.stopped || this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.runOnce();
    }, delayMs);
  }

  private disarm(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private runOnce(): Promise<void> {
    const run = async (): Promise<void> => {
      try {
        await this.options.run();
      } catch (error) {
        this.options.onError(error);
      }
    };
    this.running = run().finally(() => {
      this.running = undefined;
      this.arm(this.options.intervalMs);
    });
    return this.running;
  }
}
