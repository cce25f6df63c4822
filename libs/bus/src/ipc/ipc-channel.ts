import type { MessagePort } from 'node:worker_threads';
import { type IpcFrame, isIpcFrame } from './ipc-frames.js';
import { linkOf } from './process-link.js';

/**
 * One end of an ordered, message-preserving link between two processes (or
 * threads): a cluster worker's process IPC, a child process, a MessagePort.
 * Frames arrive in the order they were sent (the bus's per-subscription
 * ordering rests on it). `F` is the kind of frame one user exchanges; other
 * messages on the same link are someone else's and never reach it.
 */
export interface IpcChannel<F = IpcFrame> {
  send(frame: F): void;
  /** Registers a listener for this channel's frames only; returns an unregister function. */
  onFrame(listener: (frame: F) => void): () => void;
}

/** The shape both `process` (in a child) and a cluster `Worker` / ChildProcess (in the parent) have. */
export interface ProcessEndpoint {
  send?(message: unknown): boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
  readonly connected?: boolean;
}

/** Picks this channel's frames out of everything arriving on the link. */
export type FrameGuard<F> = (message: unknown) => message is F;

/**
 * A channel over Node's process IPC (json serialization). Sending on a
 * disconnected channel drops the frame: the other side is gone, and the
 * user above turns what it waited for into timeouts. Every channel on one
 * endpoint shares its ProcessLink: the frames a turn sends on any of them
 * go as one IPC message, in order (process-link.ts).
 */
export function processChannel(endpoint: ProcessEndpoint): IpcChannel;
export function processChannel<F>(endpoint: ProcessEndpoint, isFrame: FrameGuard<F>): IpcChannel<F>;
export function processChannel(endpoint: ProcessEndpoint, isFrame: FrameGuard<unknown> = isIpcFrame): IpcChannel<unknown> {
  const link = linkOf(endpoint);
  return {
    send: (frame) => link.send(frame),
    onFrame: (listener) => link.listen(isFrame, listener as (frame: unknown) => void),
  };
}

/** A channel over a worker_threads MessagePort (tests, and worker threads). The port must be closed by its owner. */
export function messagePortChannel(port: MessagePort): IpcChannel;
export function messagePortChannel<F>(port: MessagePort, isFrame: FrameGuard<F>): IpcChannel<F>;
export function messagePortChannel(port: MessagePort, isFrame: FrameGuard<unknown> = isIpcFrame): IpcChannel<unknown> {
  return {
    send: (frame) => port.postMessage(frame),
    onFrame: (listener) => listenFiltered(port, isFrame, listener),
  };
}

function listenFiltered(source: Pick<ProcessEndpoint, 'on' | 'off'>, isFrame: FrameGuard<unknown>, listener: (frame: unknown) => void): () => void {
  const filtered = (message: unknown): void => {
    if (isFrame(message)) listener(message);
  };
  source.on('message', filtered);
  return () => void source.off('message', filtered);
}
