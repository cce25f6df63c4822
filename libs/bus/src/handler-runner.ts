import type { BusMessage } from './bus.js';

export type BusHandlerFn = (message: BusMessage) => void | Promise<void>;

/**
 * Runs subscription handlers for a bus: catches sync throws and async
 * rejections (reported through `onFailure`, never to the bus), and tracks
 * the handlers still running so close() can wait for them (drain semantics
 * shared by LocalBus and NatsBus).
 */
export class HandlerRunner {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly onFailure: (error: unknown, message: BusMessage) => void) {}

  get running(): number {
    return this.inFlight.size;
  }

  /** `owned` collects the subscription's own running handlers, for its drain(). */
  run(handler: BusHandlerFn, message: BusMessage, owned?: Set<Promise<void>>): void {
    let result: void | Promise<void>;
    try {
      result = handler(message);
    } catch (error) {
      this.onFailure(error, message);
      return;
    }
    if (result === undefined || typeof (result as Promise<void>).then !== 'function') return;
    const tracked = Promise.resolve(result).then(undefined, (error: unknown) => this.onFailure(error, message));
    this.inFlight.add(tracked);
    owned?.add(tracked);
    void tracked.then(() => {
      this.inFlight.delete(tracked);
      owned?.delete(tracked);
    });
  }

  /** Resolves when the handlers running now, and any they started meanwhile, have settled. Never rejects. */
  async idle(): Promise<void> {
    await settle(this.inFlight);
  }
}

/** Waits until a set of tracked (never rejecting) handler promises is empty. */
export async function settle(inFlight: Set<Promise<void>>): Promise<void> {
  while (inFlight.size > 0) await Promise.all(inFlight);
}
