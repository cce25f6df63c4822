import type { Clock } from '@presence/core';
import { NonceCodec } from './nonce-codec.js';

export interface NonceKeysOptions {
  /** Where the key comes from: the AuthStateStore's shared key, or one configured. */
  readonly load: () => Promise<string>;
  readonly lifetimeMs: number;
  /** How long a loaded key is used before it is loaded again. */
  readonly reloadMs?: number;
  /** A nonce that fails its check reloads the key, at most this often. */
  readonly minReloadMs?: number;
}

/**
 * The nonce codec of the current key. The shared key lives in the store
 * (created by whoever asks first), so every edge signs with the same one;
 * it is loaded once and reloaded every `reloadMs`, or sooner when a nonce
 * fails its check (another edge may hold a key the store made after losing
 * the old one), so edges agree again within seconds of a key change.
 */
export class NonceKeys {
  private current: { readonly codec: Promise<NonceCodec>; readonly loadedAt: number } | undefined;
  private readonly reloadMs: number;
  private readonly minReloadMs: number;

  constructor(
    private readonly options: NonceKeysOptions,
    private readonly clock: Clock,
  ) {
    this.reloadMs = options.reloadMs ?? 60_000;
    this.minReloadMs = options.minReloadMs ?? 5_000;
  }

  codec(): Promise<NonceCodec> {
    const current = this.current;
    if (current !== undefined && this.clock.now() - current.loadedAt < this.reloadMs) return current.codec;
    return this.load();
  }

  /** After a nonce failed its check: the codec of the key loaded again, or undefined when it was loaded too recently to try. */
  async reloadAfterMismatch(): Promise<NonceCodec | undefined> {
    const current = this.current;
    if (current !== undefined && this.clock.now() - current.loadedAt < this.minReloadMs) return undefined;
    return this.load();
  }

  private load(): Promise<NonceCodec> {
    const codec = this.options.load().then((key) => new NonceCodec(key, this.options.lifetimeMs));
    const entry = { codec, loadedAt: this.clock.now() };
    this.current = entry;
    // A failed load is not kept: the next request tries again.
    codec.catch(() => {
      if (this.current === entry) this.current = undefined;
    });
    return codec;
  }
}
