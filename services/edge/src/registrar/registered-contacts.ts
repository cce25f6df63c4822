import { IndexedMinHeap, type Binding } from '@presence/core';

/** Lapsed AORs let go per REGISTER: enough to keep the backlog below the live entries. */
const DROPS_PER_WRITE = 4;
/** Lapsed AORs let go per scrape: bounds the work of a scrape after a mass lapse (the count catches up at the next). */
const DROPS_PER_READ = 10_000;

/**
 * How many location bindings this edge registered and that have not
 * lapsed (presence_registered_contacts), without asking the store: the
 * Redis keys lapse by TTL, unseen, and counting them would mean scanning
 * the keyspace. After every REGISTER the registrar hands over the AOR's
 * whole binding set; the bindings naming this edge (the last REGISTER of
 * each came through here) are kept as expiry times, and an index by
 * earliest expiry lets lapsed ones go a few at a time, on writes and on
 * reads, with no timer.
 *
 * What it does not see: a binding refreshed or removed through another
 * edge stays counted here until its old expiry. Summed over the edges, a
 * binding is counted twice at most for one registration interval after
 * its phone moved edges. Memory: one entry per AOR registered here.
 */
export class RegisteredContacts {
  /** Expiry times of this edge's bindings, per AOR, earliest first. */
  private readonly expiries = new Map<string, number[]>();
  /** AOR -> its earliest expiry. */
  private readonly lapses = new IndexedMinHeap();
  private total = 0;

  constructor(private readonly edgeId: string) {}

  /** The AOR's binding set as just written (or read) at `now`. */
  record(aor: string, bindings: readonly Binding[], now: number): void {
    this.dropLapsed(now, DROPS_PER_WRITE);
    const ours = bindings
      .filter((b) => b.edgeId === this.edgeId && b.expiresAt > now)
      .map((b) => b.expiresAt)
      .sort((a, b) => a - b);
    this.total += ours.length - (this.expiries.get(aor)?.length ?? 0);
    this.keep(aor, ours);
  }

  count(now: number): number {
    this.dropLapsed(now, DROPS_PER_READ);
    return this.total;
  }

  private dropLapsed(now: number, limit: number): void {
    for (let n = 0; n < limit; n++) {
      const aor = this.lapses.peekKey();
      const at = this.lapses.peekTime();
      if (aor === undefined || at === undefined || at > now) return;
      const times = this.expiries.get(aor) ?? [];
      const live = times.filter((t) => t > now);
      this.total -= times.length - live.length;
      this.keep(aor, live);
    }
  }

  private keep(aor: string, times: number[]): void {
    if (times.length === 0) {
      this.expiries.delete(aor);
      this.lapses.delete(aor);
    } else {
      this.expiries.set(aor, times);
      this.lapses.set(aor, times[0]!);
    }
  }
}
