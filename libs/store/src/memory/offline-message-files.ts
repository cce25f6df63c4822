import { mkdir, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { OfflineMessage } from '@presence/core';
import { decodeOfflineMessage, encodeOfflineMessage } from '../offline-message-codec.js';
import type { StoreLogger } from '../store-logger.js';
import { quarantine, readTextIfExists, writeFileAtomic } from './snapshot-file.js';

/** Directory of the offline messages inside a data directory. */
export const OFFLINE_MESSAGES_DIR = 'offline-messages';

/**
 * The durable side of the memory store's offline queues: one file per
 * message (`<id>.json`, written atomically and fsync-ed before the sender
 * hears 202, unlinked once delivered), so a process killed at any point
 * loses none and never needs a snapshot to keep them. Loaded back, in id
 * order, when the store opens; a file that does not parse is set aside
 * (`.corrupt-<time>`) and logged, never fatal.
 */
export class OfflineMessageFiles {
  private readonly directory: string;
  /** Made at the first message, not before: a data directory without offline messages has no such directory. */
  private made = false;

  constructor(
    dataDir: string,
    private readonly logger: StoreLogger,
  ) {
    this.directory = join(dataDir, OFFLINE_MESSAGES_DIR);
  }

  async load(now: number): Promise<{ recipient: string; message: OfflineMessage }[]> {
    const loaded: { recipient: string; message: OfflineMessage }[] = [];
    for (const name of (await this.names()).filter((n) => n.endsWith('.json')).sort()) {
      const path = join(this.directory, name);
      try {
        const text = await readTextIfExists(path);
        if (text === undefined) continue;
        loaded.push(decodeEntry(text));
      } catch (error) {
        const aside = await quarantine(path, now);
        this.logger.error({ err: error, path, aside }, 'offline message file unreadable: set aside');
      }
    }
    return loaded;
  }

  async write(recipient: string, message: OfflineMessage): Promise<void> {
    if (!this.made) await mkdir(this.directory, { recursive: true });
    this.made = true;
    await writeFileAtomic(this.pathOf(message.id), encodeOfflineMessage(message, { recipient }));
  }

  private async names(): Promise<string[]> {
    try {
      const names = await readdir(this.directory);
      this.made = true;
      return names;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  async remove(id: string): Promise<void> {
    try {
      await unlink(this.pathOf(id));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }

  private pathOf(id: string): string {
    return join(this.directory, `${id}.json`);
  }
}

function decodeEntry(text: string): { recipient: string; message: OfflineMessage } {
  const { message, reader } = decodeOfflineMessage(text, 'offline message file', (problem) => new Error(problem.message));
  return { recipient: reader.string('recipient'), message };
}
