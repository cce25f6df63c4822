import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Folders of this package each folder's non-test code may not import (docs/architecture.md, the edge's doors). */
const FORBIDDEN: Record<string, readonly string[]> = {
  ingress: ['egress'],
  subscriptions: ['ingress', 'egress'],
  egress: ['ingress'],
  messaging: ['egress', 'subscriptions'],
  // The request screen decides before any room is entered: it knows none of them.
  protection: ['ingress', 'subscriptions', 'egress', 'registrar'],
};

function importsOf(folder: string): { file: string; target: string }[] {
  const dir = join(import.meta.dirname, folder);
  return readdirSync(dir)
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .flatMap((file) => [...readFileSync(join(dir, file), 'utf8').matchAll(/from '\.\.\/([^/']+)\//g)].map((m) => ({ file, target: m[1]! })));
}

describe('edge layout', () => {
  it.each(Object.entries(FORBIDDEN))('edge layout - %s/ imports none of %j', (folder, forbidden) => {
    expect(importsOf(folder).filter((i) => forbidden.includes(i.target))).toEqual([]);
  });

  it('edge layout - the scan sees imports across folders (egress reads the dialog type from subscriptions)', () => {
    expect(importsOf('egress').map((i) => i.target)).toContain('subscriptions');
  });
});
