import type { SipMessage } from '../sip/sip-message.js';

export type TransportName = 'udp' | 'tcp' | 'ws';

export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

/** Sends an answer back the way a message came (UDP: its source address; streams: the connection). */
export type Reply = (text: string) => void;

export type MessageHandler = (message: SipMessage, reply: Reply, channel: Channel) => void;

/**
 * One source port (UDP socket, TCP connection or WebSocket) towards one
 * server endpoint. Requests are plain strings; each received message is
 * parsed once and handed to the worker.
 */
export interface Channel {
  readonly transport: TransportName;
  /** Our Via value without branch, e.g. `SIP/2.0/TCP 127.0.0.1:41234`. */
  readonly via: string;
  /** UDP needs retransmissions; TCP and WS do not (RFC 3261 §17.1.2.2). */
  readonly reliable: boolean;
  /** Contact URI (in angle brackets) for `user` reachable on this channel. */
  contact(user: string): string;
  /** false when the channel is closed or congested and nothing was sent. */
  send(text: string): boolean;
  readonly closed: boolean;
  close(): Promise<void>;
}

/** Counted, not thrown: a benchmark keeps going and reports them. */
export interface ChannelEvents {
  onMessage: MessageHandler;
  onUnparsable(): void;
  onClosed(channel: Channel, reason: string): void;
}

export function hostForUri(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
