import type { FrameGuard, ProcessEndpoint } from './ipc-channel.js';

/**
 * The envelope of the frames one process sends another from one run of its
 * callbacks: one IPC message, so one JSON write and one wake-up of the
 * other side instead of one each. Node's process IPC costs ~10 µs of CPU per
 * message in the two processes together, most of it per message rather
 * than per byte (a write on the pipe, a read, a nextTick per message).
 */
export interface FrameBatch {
  readonly ipcBatch: readonly unknown[];
}

/** A turn that queues this many frames sends them at once and starts a new batch: the queue is bounded. */
export const MAX_BATCH_FRAMES = 256;

export function isFrameBatch(message: unknown): message is FrameBatch {
  return typeof message === 'object' && message !== null && Array.isArray((message as { ipcBatch?: unknown }).ipcBatch);
}

interface Receiver {
  readonly isFrame: FrameGuard<unknown>;
  readonly listener: (frame: unknown) => void;
}

/**
 * Everything sent through processChannel on one endpoint (the bus's, the
 * store's frames) goes out in send order, batched: queued, then sent from
 * process.nextTick. Node hands every message of one IPC read to its
 * listeners as nextTicks queued together, so the frames those handlers send
 * (a host answering a burst of store calls, a worker's requests) go after
 * the last of them, in one message; what promise callbacks send after that
 * goes in the next. setImmediate would batch more (the frames of every
 * datagram read in one poll) and cut a busy worker's request cost further in
 * ipc-cost-main, but it holds every frame until the poll phase ends, a
 * delay added to the worker-primary-worker pipeline whose lateness on a
 * starved box already made NOTIFYs miss T1; so the batch waits for nothing
 * but the callbacks already queued.
 * A lone frame goes as itself. Received batches are taken apart in order,
 * each frame to the channels whose guard it passes, so the frames of all
 * channels on the link keep the order they were sent in.
 */
export class ProcessLink {
  private queue: unknown[] = [];
  private scheduled = false;
  private readonly receivers: Receiver[] = [];
  private listening = false;

  constructor(private readonly endpoint: ProcessEndpoint) {}

  send(frame: unknown): void {
    if (!this.connected()) return;
    this.queue.push(frame);
    if (this.queue.length >= MAX_BATCH_FRAMES) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(this.flushLater);
    }
  }

  /** Registers a channel's receiver; returns its unregister function. */
  listen(isFrame: FrameGuard<unknown>, listener: (frame: unknown) => void): () => void {
    const receiver: Receiver = { isFrame, listener };
    this.receivers.push(receiver);
    if (!this.listening) {
      this.listening = true;
      this.endpoint.on('message', this.receive);
    }
    return () => {
      const at = this.receivers.indexOf(receiver);
      if (at >= 0) this.receivers.splice(at, 1);
      if (this.receivers.length === 0 && this.listening) {
        this.listening = false;
        this.endpoint.off('message', this.receive);
      }
    };
  }

  private connected(): boolean {
    return this.endpoint.send !== undefined && this.endpoint.connected !== false;
  }

  private readonly flushLater = (): void => {
    this.scheduled = false;
    this.flush();
  };

  private flush(): void {
    const frames = this.queue;
    if (frames.length === 0) return;
    this.queue = [];
    // The other side gone since the frames were queued: they are dropped, as a send on a closed link is.
    if (!this.connected()) return;
    this.endpoint.send?.(frames.length === 1 ? frames[0] : ({ ipcBatch: frames } satisfies FrameBatch));
  }

  private readonly receive = (message: unknown): void => {
    if (!isFrameBatch(message)) return this.dispatch(message);
    for (const frame of message.ipcBatch) this.dispatch(frame);
  };

  private dispatch(frame: unknown): void {
    // A copy: a listener may unregister itself (or another) while the frame is handed out.
    for (const receiver of this.receivers.length === 1 ? this.receivers : [...this.receivers]) {
      if (receiver.isFrame(frame)) receiver.listener(frame);
    }
  }
}

const links = new WeakMap<ProcessEndpoint, ProcessLink>();

/** The one link of an endpoint, shared by every channel on it (so their frames share batches and keep their order). */
export function linkOf(endpoint: ProcessEndpoint): ProcessLink {
  let link = links.get(endpoint);
  if (link === undefined) {
    link = new ProcessLink(endpoint);
    links.set(endpoint, link);
  }
  return link;
}
