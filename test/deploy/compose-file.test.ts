import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { presenceRoles, REPO_ROOT, roleOptions } from './presence-cli.js';

/** No docker daemon here: compose.yaml is checked against the CLI it runs, not run. */
interface ComposeService {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  read_only?: boolean;
  cap_drop?: string[];
  security_opt?: string[];
  stop_grace_period?: string;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}

// Compose merges `<<: *anchor` keys; so must the parser.
const compose = parse(readFileSync(join(REPO_ROOT, 'compose.yaml'), 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };
const presence = Object.entries(compose.services).filter(([, s]) => s.build === '.');
const byRole = (role: string) => presence.filter(([, s]) => s.command?.[0] === role);
const optionValue = (command: readonly string[], name: string) => command[command.indexOf(`--${name}`) + 1];

// Reading each role's options starts the CLI: seconds on a loaded 2-core machine.
describe('compose.yaml', { timeout: 30_000 }, () => {
  it('starts NATS, Redis, two agents and two edges', () => {
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['nats', 'redis']));
    expect(byRole('agent')).toHaveLength(2);
    expect(byRole('edge')).toHaveLength(2);
    expect(presence).toHaveLength(4);
  });

  it('runs roles that exist with options and variables those roles have', () => {
    const roles = presenceRoles();
    for (const [name, service] of presence) {
      const [role, ...args] = service.command ?? [];
      expect(roles, name).toContain(role);
      const { options, variables } = roleOptions(role!);
      for (const arg of args.filter((a) => a.startsWith('--'))) expect(options, `${name}: ${arg}`).toContain(arg.slice(2));
      for (const variable of Object.keys(service.environment ?? {})) expect(variables, `${name}: ${variable}`).toContain(variable);
    }
  });

  it('points every process at the compose NATS and Redis, with one partition count', () => {
    for (const [name, service] of presence) {
      const env = service.environment ?? {};
      expect(new URL(env.PRESENCE_NATS!).host, name).toBe('nats:4222');
      expect(new URL(env.PRESENCE_REDIS!).host, name).toBe('redis:6379');
      expect(Object.keys(service.depends_on ?? {}).sort(), name).toEqual(['nats', 'redis']);
    }
    expect(new Set(presence.map(([, s]) => s.environment?.PRESENCE_PARTITIONS)).size).toBe(1);
  });

  it('gives each process its own id and probes /readyz where --http serves it', () => {
    const ids = presence.map(([, s]) => optionValue(s.command!, 'id'));
    expect(new Set(ids).size).toBe(presence.length);
    for (const [name, service] of presence) {
      const http = optionValue(service.command!, 'http');
      expect(http, name).toMatch(/^0\.0\.0\.0:\d+$/);
      expect(service.healthcheck?.test.join(' '), name).toContain(`http://127.0.0.1:${http!.split(':')[1]}/readyz`);
    }
  });

  it('publishes each edge on the ports it listens on, none shared between edges', () => {
    const published: string[] = [];
    for (const [name, service] of byRole('edge')) {
      const listen = optionValue(service.command!, 'listen')!.split(',').map((spec) => {
        const [transport, , port] = spec.split(':');
        return `${port}:${port}/${transport === 'udp' ? 'udp' : 'tcp'}`;
      });
      expect((service.ports ?? []).sort(), name).toEqual(listen.sort());
      published.push(...listen);
    }
    expect(new Set(published).size).toBe(published.length);
  });

  it('runs the presence containers read-only, without capabilities, and lets agents hand over', () => {
    for (const [name, service] of presence) {
      expect(service.read_only, name).toBe(true);
      expect(service.cap_drop, name).toEqual(['ALL']);
      expect(service.security_opt, name).toContain('no-new-privileges:true');
    }
    // The agent's own stop deadline is 10 s; compose's default grace is 10 s too.
    for (const [name, service] of byRole('agent')) expect(Number.parseInt(service.stop_grace_period ?? '10s', 10), name).toBeGreaterThan(10);
  });
});
