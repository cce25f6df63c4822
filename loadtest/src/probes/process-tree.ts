import { readFile, readdir } from 'node:fs/promises';

/** Fields of /proc/<pid>/stat after the parenthesised command name (which may contain spaces); index 0 is field 3 (state). */
export async function statFields(pid: number): Promise<string[] | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  if (stat === '') return undefined;
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** A process and all its descendants (Linux /proc), root first. */
export async function processTree(rootPid: number): Promise<number[]> {
  const children = new Map<number, number[]>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const ppid = Number((await statFields(Number(entry)))?.[1]);
    if (Number.isFinite(ppid)) children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  const tree: number[] = [];
  const queue = [rootPid];
  while (queue.length > 0) {
    const pid = queue.pop()!;
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}
