import { UsageError } from './option-table.js';

/** "127.0.0.1:9464", "[::1]:9464" or ":9464" (all interfaces) for the HTTP listener. */
export function parseHostPort(option: string, text: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text.trim());
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) throw new UsageError(`--${option}: expected HOST:PORT, got "${text}"`);
  return { host: match[1] ?? (match[2] || '0.0.0.0'), port };
}
