import { spawnSync } from 'node:child_process';

export interface BinaryGate {
  /** True when the binary is on PATH. */
  readonly available: boolean;
  /** Why the tier cannot run, for the skip/failure message. */
  readonly reason: string;
}

/**
 * Decides whether a test tier that needs an external server binary can run.
 * Outside CI a missing binary is announced loudly and the tier skips; under
 * CI=true it must not skip silently, so `requireOrSkip` throws.
 */
export function binaryGate(binary: string, installHint: string): BinaryGate {
  const found = spawnSync('sh', ['-c', `command -v ${binary}`], { encoding: 'utf8' }).status === 0;
  return { available: found, reason: `${binary} not found on PATH (${installHint})` };
}

/** Returns true to run the tier; false (after a loud warning) to skip it; throws under CI. */
export function requireOrSkip(gate: BinaryGate, tier: string): boolean {
  if (gate.available) return true;
  const message = `${tier}: ${gate.reason}`;
  if (process.env.CI === 'true') throw new Error(`${message} — CI must run this tier`);
  process.stderr.write(`\n!!! SKIPPING ${message} !!!\n\n`);
  return false;
}
