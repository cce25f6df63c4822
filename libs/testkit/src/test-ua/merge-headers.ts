import type { HeaderFields } from '@presence/sip';

/** `defaults` overridden by `overrides`, header names compared case-insensitively. */
export function mergeHeaders(defaults: HeaderFields, overrides: HeaderFields | undefined): Record<string, string | readonly string[]> {
  const merged: Record<string, string | readonly string[]> = { ...defaults };
  if (overrides === undefined) return merged;
  for (const name of Object.keys(overrides)) {
    const lower = name.toLowerCase();
    for (const existing of Object.keys(merged)) if (existing.toLowerCase() === lower) delete merged[existing];
    merged[name] = overrides[name] as string | readonly string[];
  }
  return merged;
}

/** Case-insensitive lookup of a single header value. */
export function findHeader(fields: HeaderFields | undefined, name: string): string | undefined {
  if (fields === undefined) return undefined;
  const lower = name.toLowerCase();
  for (const key of Object.keys(fields)) {
    if (key.toLowerCase() === lower) {
      const value = fields[key];
      return typeof value === 'string' ? value : value?.[0];
    }
  }
  return undefined;
}
