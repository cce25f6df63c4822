import { describe, expect, it } from 'vitest';
import { DialogTable } from './dialog-table.js';
import { testDialog } from '../../test/test-dialog.js';
import type { WatcherDialog } from './watcher-dialog.js';

function dialog(id: string, presentity: string): WatcherDialog {
  return testDialog({ id, presentity, remoteUri: `sip:${id}@example.com`, remoteTarget: `sip:${id}@192.0.2.1` });
}

const ids = (dialogs: Iterable<WatcherDialog>): string[] => [...dialogs].map((d) => d.id).sort();

describe('DialogTable', () => {
  it('dialog table - finds dialogs by id and by presentity, and says when a presentity gains or loses its last', () => {
    const table = new DialogTable();
    const [a, b, c, d] = [dialog('a', 'sip:p@x'), dialog('b', 'sip:p@x'), dialog('c', 'sip:p@x'), dialog('d', 'sip:q@x')];
    expect(table.add(a)).toBe(true);
    expect(table.add(b)).toBe(false);
    expect(table.add(c)).toBe(false);
    expect(table.add(d)).toBe(true);
    expect(table.add(b)).toBe(false);
    expect(table.size).toBe(4);
    expect(table.get('b')).toBe(b);
    expect(ids(table.watchersOf('sip:p@x'))).toEqual(['a', 'b', 'c']);

    expect(table.remove(b)).toBe(false);
    expect(table.remove(b)).toBe(false);
    expect(ids(table.watchersOf('sip:p@x'))).toEqual(['a', 'c']);
    expect(table.remove(c)).toBe(false);
    expect(table.remove(a)).toBe(true);
    expect(ids(table.watchersOf('sip:p@x'))).toEqual([]);
    expect(ids(table.watchersOf('sip:q@x'))).toEqual(['d']);
    expect(table.size).toBe(1);
    expect(table.get('a')).toBeUndefined();
  });

  it('dialog table - the dialog being visited may be removed during fan-out', () => {
    const table = new DialogTable();
    const all = ['a', 'b', 'c', 'd'].map((id) => dialog(id, 'sip:p@x'));
    for (const d of all) table.add(d);
    const seen: string[] = [];
    for (const d of table.watchersOf('sip:p@x')) {
      seen.push(d.id);
      table.remove(d);
    }
    expect(seen.sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(table.size).toBe(0);
  });
});
