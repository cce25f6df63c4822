import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binaryGate, requireOrSkip } from '@presence/testkit';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { findObject, names, NAMESPACE, renderObjects, valuesFile } from './chart-kit.js';
import { alertScenarios } from './alert-scenarios.js';

const promtoolThere = requireOrSkip(binaryGate('promtool', 'apt-get install prometheus'), 'alert rules');

function promtool(args: readonly string[]): { status: number | null; output: string } {
  const run = spawnSync('promtool', [...args], { encoding: 'utf8' });
  if (run.error) throw run.error;
  return { status: run.status, output: run.stdout + run.stderr };
}

/** The rendered PrometheusRule's spec is a Prometheus rule file as is. */
function renderedRuleFile(): { dir: string; file: string; alerts: string[] } {
  const rule = findObject(renderObjects(['-f', valuesFile('everything-on')]), 'PrometheusRule', names.fullname);
  const spec = rule.spec as { groups: { rules: { alert: string }[] }[] };
  const dir = mkdtempSync(join(tmpdir(), 'presence-rules-'));
  const file = join(dir, 'rules.yaml');
  writeFileSync(file, stringify(spec));
  return { dir, file, alerts: spec.groups.flatMap((g) => g.rules.map((r) => r.alert)) };
}

describe.runIf(promtoolThere)('chart alert rules', () => {
  const rules = renderedRuleFile();

  it('pass promtool check rules', () => {
    const check = promtool(['check', 'rules', rules.file]);
    expect(check.output).toContain(`SUCCESS: ${rules.alerts.length} rules found`);
    expect(check.status).toBe(0);
  });

  it('fire on the series the roles export, and only for this release', () => {
    const scenarios = alertScenarios({ namespace: NAMESPACE, job: names.of('metrics') });
    // Every alert has a scenario in which it fires.
    const fired = new Set(scenarios.tests.flatMap((t) => t.alert_rule_test.filter((a) => a.exp_alerts.length > 0).map((a) => a.alertname)));
    expect([...fired].sort()).toEqual([...rules.alerts].sort());
    const testFile = join(rules.dir, 'rules.test.yaml');
    writeFileSync(testFile, stringify({ rule_files: [rules.file], evaluation_interval: '1m', tests: scenarios.tests }));
    const run = promtool(['test', 'rules', testFile]);
    expect(run.output).toContain('SUCCESS');
    expect(run.status).toBe(0);
  });
});
