import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BoundedFileWriter } from './bounded-file-writer.js';

describe('bounded file writer', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('writer - refuses records beyond the bound while a write is under way, and writes every accepted one in order', async () => {
    dir = await mkdtemp(join(tmpdir(), 'writer-'));
    const path = join(dir, 'out.bin');
    const writer = await BoundedFileWriter.create(path, Buffer.from('HEAD'), 10);
    const accepted: string[] = [];
    // All in one turn: nothing is written yet, so the bound counts everything queued.
    for (const record of ['aaaa', 'bbbb', 'cccc', 'dd']) if (writer.write([Buffer.from(record)])) accepted.push(record);
    expect(accepted).toEqual(['aaaa', 'bbbb', 'dd']);
    expect(writer.write([Buffer.from('x'.repeat(11))])).toBe(false);
    await writer.close();
    expect(await readFile(path, 'latin1')).toBe('HEADaaaabbbbdd');
    expect(writer.write([Buffer.from('late')])).toBe(false);
  });
});
