import { systemClock } from '@presence/core';
import { createLogger } from '@presence/runtime';
import { createMemoryStore } from '@presence/store';
import { describe, expect, it } from 'vitest';
import { createAdminApi, ranges } from './admin-api.js';

const request = (method: string, path: string, body?: unknown) => {
  const url = new URL(`http://x/${path}`);
  return { method, segments: url.pathname.split('/').filter(Boolean).map(decodeURIComponent), query: url.searchParams, body };
};

describe('admin API', () => {
  it('ranges - runs of partitions collapse to from-to', () => {
    expect(ranges([])).toBe('');
    expect(ranges([0, 1, 2, 3, 5, 7, 8])).toBe('0-3,5,7-8');
  });

  it('routes - unknown path 404, wrong method 405, bad limit or level 400, drain without an agent 404; none touches the level on refusal', async () => {
    const store = await createMemoryStore({ clock: systemClock });
    const logger = createLogger({ level: 'silent', role: 'edge' });
    const api = createAdminApi({ role: 'edge', store, clock: systemClock, partitionCount: 4, logger });
    try {
      expect(await api.handle(request('GET', 'nope'))).toMatchObject({ status: 404 });
      expect(await api.handle(request('DELETE', 'cluster'))).toEqual({ status: 405, body: { error: 'use GET for /cluster' } });
      expect(await api.handle(request('GET', 'bindings/alice@example.com?limit=0'))).toMatchObject({ status: 400 });
      expect(await api.handle(request('GET', 'bindings/alice@example.com?limit=2x'))).toMatchObject({ status: 400 });
      expect(await api.handle(request('PUT', 'log-level', { level: 'trace' }))).toMatchObject({ status: 400 });
      expect(await api.handle(request('PUT', 'log-level', 'debug'))).toMatchObject({ status: 400 });
      expect(logger.level).toBe('silent');
      expect(await api.handle(request('POST', 'drain'))).toMatchObject({ status: 404, body: { error: expect.stringContaining('this process is an edge') } });
      expect(await api.handle(request('GET', `dialogs/${encodeURIComponent('a b')}`))).toMatchObject({ status: 400 });
      expect(await api.handle(request('GET', 'cluster'))).toEqual({ status: 200, body: { members: [], partitions: 4, owners: {}, unowned: { count: 4, partitions: '0-3' } } });
    } finally {
      await store.close();
    }
  });
});
