/**
 * Waits for an acknowledgement from the other end of an IPC channel, at most
 * `limitMs`: a dead peer must not hang a drain or a close. Resolves `true`
 * when acknowledged, `false` when the limit passed; its timer is cleared
 * either way.
 */
export class AckWait {
  readonly done: Promise<boolean>;
  private settle: (acknowledged: boolean) => void = () => undefined;
  private readonly timer: ReturnType<typeof setTimeout>;

  constructor(limitMs: number) {
    this.done = new Promise<boolean>((resolve) => (this.settle = resolve));
    this.timer = setTimeout(() => this.finish(false), limitMs);
  }

  acknowledge(): void {
    this.finish(true);
  }

  private finish(acknowledged: boolean): void {
    clearTimeout(this.timer);
    this.settle(acknowledged);
  }
}
