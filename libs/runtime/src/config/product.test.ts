import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { productToken, readProductToken } from './product.js';

describe('product token', () => {
  it('product - name/version of the root package.json', async () => {
    const root = JSON.parse(await readFile(new URL('../../../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(productToken()).toBe(`sip-presence/${root.version}`);
  });

  it('product - a missing, unreadable or odd package.json gives the bare name', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'presence-product-'));
    try {
      const file = join(dir, 'package.json');
      expect(readProductToken(pathToFileURL(join(dir, 'absent.json')))).toBe('sip-presence');
      await writeFile(file, '{ not json');
      expect(readProductToken(pathToFileURL(file))).toBe('sip-presence');
      await writeFile(file, JSON.stringify({ name: 'x y', version: '1\r\n' }));
      expect(readProductToken(pathToFileURL(file))).toBe('sip-presence');
      await writeFile(file, JSON.stringify({ name: 'other', version: '2.3.4' }));
      expect(readProductToken(pathToFileURL(file))).toBe('other/2.3.4');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
