import type { MessagePort } from 'node:worker_threads';
import { type IpcFrame, isIpcFrame } from './ipc-frames.js';

/**
 * One end of an ordered, message-preserving link between an IpcBus and its
 * host: a cluster worker's process IPC, a child process, or a MessagePort.
 * Frames arrive in the order they were sent (the bus's per-subscription
 * ordering rests on it).
 */
export interface IpcChannel {
  send(frame: IpcFrame): void;
  /** Registers a listener for bus frames only; returns an unregister function. */
  onFrame(listener: (frame: IpcFrame) => void): () => void;
}

/** The shape both `process` (in a child) and a cluster `Worker` / ChildProcess (in the parent) have. */
export interface ProcessEndpoint {
  send?(message: unknown): boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
  readonly connected?: boolean;
}

/**
 * A channel over Node's process IPC (json serialization). Sending on a
 * disconnected channel drops the frame: the other side is gone, and the bus
 * above turns what it waited for into timeouts.
 */
export function processChannel(endpoint: ProcessEndpoint): IpcChannel {
  return {
    send(frame) {
      if (endpoint.send === undefined || endpoint.connected === false) return;
      endpoint.send(frame);
    },
    onFrame(listener) {
      const filtered = (message: unknown): void => {
        if (isIpcFrame(message)) listener(message);
      };
      endpoint.on('message', filtered);
      return () => void endpoint.off('message', filtered);
    },
  };
}

/** A channel over a worker_threads MessagePort (tests, and worker threads). The port must be closed by its owner. */
export function messagePortChannel(port: MessagePort): IpcChannel {
  return {
    send: (frame) => port.postMessage(frame),
    onFrame(listener) {
      const filtered = (message: unknown): void => {
        if (isIpcFrame(message)) listener(message);
      };
      port.on('message', filtered);
      return () => void port.off('message', filtered);
    },
  };
}
