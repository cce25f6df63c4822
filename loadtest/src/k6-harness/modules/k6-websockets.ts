import { WebSocket as NodeWebSocket, type RawData } from 'ws';
import type { VuState } from '../vu-state.js';

type EventName = 'open' | 'message' | 'error' | 'close' | 'ping' | 'pong';
type Listener = (event: Record<string, unknown>) => unknown;

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

/**
 * `k6/websockets` (the browser-like API; `k6/experimental/websockets` is its
 * former name) over the `ws` package, with k6's behaviour where scripts
 * depend on it: events run on the VU's loop; an open socket keeps the
 * iteration alive until its close event; a failed handshake gives an error
 * event then a close event; send() on a socket that is not open throws
 * InvalidStateError; the ws_* built-in metrics are emitted.
 */
export function k6WebSocketsModule(state: VuState): Record<string, unknown> {
  class WebSocket {
    static readonly CONNECTING = CONNECTING;
    static readonly OPEN = OPEN;
    static readonly CLOSING = CLOSING;
    static readonly CLOSED = CLOSED;
    readonly CONNECTING = CONNECTING;
    readonly OPEN = OPEN;
    readonly CLOSING = CLOSING;
    readonly CLOSED = CLOSED;
    readonly url: string;
    readyState = CONNECTING;
    protocol = '';
    binaryType: 'blob' | 'arraybuffer' = 'blob';
    private readonly listeners = new Map<EventName, Listener[]>();
    private readonly handlers = new Map<EventName, Listener | null>();
    private readonly socket: NodeWebSocket;
    private readonly release: () => void;
    private readonly started = Date.now();
    private opened = false;
    private error: string | undefined;
    /** Set when the iteration was ended by force: no more events for the script. */
    private detached = false;
    private readonly pings = new Map<string, number>();
    private pingCounter = 0;

    constructor(url: string, protocols?: string | string[] | null, params?: { headers?: Record<string, string>; compression?: string } | null) {
      const parsed = new URL(String(url));
      if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') throw new Error(`WebSocket requires url with scheme ws or wss, but got "${parsed.protocol.slice(0, -1)}"`);
      if (parsed.hash !== '') throw new Error(`WebSocket requires no url fragment, but got "${parsed.hash.slice(1)}"`);
      this.url = String(url);
      // k6 (gorilla/websocket) sends a Sec-WebSocket-Protocol header given in params as it is and accepts
      // the server's choice; `ws` sends subprotocols only from its own argument and rejects an answer it
      // did not ask for, so the header's tokens are moved to that argument: the same request on the wire.
      const headers: Record<string, string> = {};
      const offered = protocols === undefined || protocols === null ? [] : Array.isArray(protocols) ? protocols.map(String) : [String(protocols)];
      for (const [name, value] of Object.entries(params?.headers ?? {})) {
        if (name.toLowerCase() === 'sec-websocket-protocol') offered.push(...String(value).split(',').map((p) => p.trim()).filter(Boolean));
        else headers[name] = String(value);
      }
      this.socket = new NodeWebSocket(this.url, offered, { headers, perMessageDeflate: params?.compression === 'deflate', handshakeTimeout: 60_000 });
      this.release = state.loop.hold(() => {
        this.detached = true;
        this.socket.terminate();
      });
      this.socket.on('upgrade', () => this.connectionMetrics());
      this.socket.on('open', () => this.onOpen());
      this.socket.on('message', (data: RawData, isBinary: boolean) => this.onMessage(data, isBinary));
      this.socket.on('ping', () => this.queue(() => this.fire('ping', {})));
      this.socket.on('pong', (data: Buffer) => this.onPong(data.toString()));
      this.socket.on('error', (error: Error) => {
        if (!this.opened && this.error === undefined) this.connectionMetrics();
        this.error ??= error.message;
      });
      this.socket.on('close', (code: number, reason: Buffer) => this.onClose(code, reason.toString()));
    }

    get bufferedAmount(): number {
      return this.socket.bufferedAmount;
    }

    set onopen(fn: Listener | null) { this.handlers.set('open', fn); }
    get onopen(): Listener | null { return this.handlers.get('open') ?? null; }
    set onmessage(fn: Listener | null) { this.handlers.set('message', fn); }
    get onmessage(): Listener | null { return this.handlers.get('message') ?? null; }
    set onerror(fn: Listener | null) { this.handlers.set('error', fn); }
    get onerror(): Listener | null { return this.handlers.get('error') ?? null; }
    set onclose(fn: Listener | null) { this.handlers.set('close', fn); }
    get onclose(): Listener | null { return this.handlers.get('close') ?? null; }
    set onping(fn: Listener | null) { this.handlers.set('ping', fn); }
    get onping(): Listener | null { return this.handlers.get('ping') ?? null; }
    set onpong(fn: Listener | null) { this.handlers.set('pong', fn); }
    get onpong(): Listener | null { return this.handlers.get('pong') ?? null; }

    addEventListener(event: EventName, listener: Listener): void {
      if (typeof listener !== 'function') throw new Error(`handler for event type "${event}" isn't a callable function`);
      this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    }

    send(data: string | ArrayBuffer | ArrayBufferView): void {
      if (this.readyState !== OPEN) throw new Error('InvalidStateError');
      const payload = typeof data === 'string' ? data : ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(new Uint8Array(data));
      this.socket.send(payload, { binary: typeof data !== 'string' }, (error) => {
        if (error === undefined || error === null) state.emit('ws_msgs_sent', 1);
      });
    }

    ping(): void {
      if (this.readyState !== OPEN) throw new Error('InvalidStateError');
      const id = String(this.pingCounter++);
      this.pings.set(id, Date.now());
      this.socket.ping(id);
    }

    close(code?: number, reason?: string): void {
      if (this.readyState === CLOSED || this.readyState === CLOSING) return;
      if (code !== undefined && code !== 1000 && (code < 3000 || code > 4999)) {
        throw new Error(`InvalidAccessError: Failed to execute 'close' on 'WebSocket': The close code must be either 1000, or between 3000 and 4999. ${code} is neither`);
      }
      if (reason !== undefined && Buffer.byteLength(reason) > 123) throw new Error("SyntaxError: Failed to execute 'close' on 'WebSocket': The message must not be greater than 123 bytes");
      this.readyState = CLOSING;
      this.socket.close(code ?? 1000, reason);
    }

    private connectionMetrics(): void {
      state.emit('ws_sessions', 1);
      state.emit('ws_connecting', Date.now() - this.started);
    }

    private onOpen(): void {
      this.opened = true;
      this.protocol = this.socket.protocol;
      this.queue(() => {
        if (this.readyState !== CONNECTING) return;
        this.readyState = OPEN;
        this.fire('open', {});
      });
    }

    private onMessage(data: RawData, isBinary: boolean): void {
      const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      this.queue(() => {
        if (this.readyState !== OPEN) return;
        state.emit('ws_msgs_received', 1);
        if (isBinary && this.binaryType === 'blob') throw new Error('binary message as Blob: not provided by this harness (set binaryType = "arraybuffer")');
        const payload = isBinary ? bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) : bytes.toString('utf8');
        this.fire('message', { data: payload, origin: this.url });
      });
    }

    private onPong(id: string): void {
      this.queue(() => {
        const sent = this.pings.get(id);
        if (sent !== undefined) {
          this.pings.delete(id);
          state.emit('ws_ping', Date.now() - sent);
        }
        this.fire('pong', {});
      });
    }

    private onClose(code: number, reason: string): void {
      if (this.opened) state.emit('ws_session_duration', Date.now() - this.started);
      this.queue(() => {
        if (this.readyState === CLOSED) return;
        this.readyState = CLOSED;
        // As k6: an error event unless the close was normal (1000) or going away (1001).
        const abnormal = this.error !== undefined || (code !== 1000 && code !== 1001);
        if (abnormal) this.fire('error', { error: this.error ?? `websocket closed with code ${code}` });
        this.fire('close', { code, reason });
      });
      this.queue(() => this.release());
    }

    /** Runs `fn` on the VU's loop, unless the iteration was ended by force. */
    private queue(fn: () => void): void {
      if (this.detached) return;
      state.loop.dispatch(fn);
    }

    private fire(type: EventName, fields: Record<string, unknown>): void {
      const event = { type, target: this, timestamp: Date.now(), ...fields };
      const handler = this.handlers.get(type);
      const all = [...(handler ? [handler] : []), ...(this.listeners.get(type) ?? [])];
      for (const listener of all) {
        const result = listener(event);
        // k6 waits for no promise a listener returns, but a rejection fails the iteration.
        if (result instanceof Object && typeof (result as PromiseLike<unknown>).then === 'function') {
          (result as PromiseLike<unknown>).then(undefined, (error: unknown) => state.loop.fail(error));
        }
      }
    }
  }
  const exports = { WebSocket };
  return { ...exports, default: exports };
}
