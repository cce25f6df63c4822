import { binaryGate, metricSamples, promtoolCheckMetrics, requireOrSkip } from '@presence/testkit';
import { Counter, Gauge, Histogram } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createPresenceMetrics, type PresenceMetrics } from './presence-metrics.js';

const runPromtool = requireOrSkip(binaryGate('promtool', 'apt-get install prometheus'), 'promtool check metrics');

/** One sample in every metric of the catalogue, each label set to a value of its own. */
function sampleEverything(metrics: PresenceMetrics): void {
  for (const metric of Object.values(metrics)) {
    if (!(metric instanceof Counter || metric instanceof Gauge || metric instanceof Histogram)) continue;
    const names = (metric as unknown as { labelNames: readonly string[] }).labelNames;
    const labels = Object.fromEntries(names.map((name) => [name, `${name}-value`]));
    if (metric instanceof Histogram) metric.observe(labels, 0.003);
    else metric.inc(labels, 2);
  }
}

describe('metrics catalogue', () => {
  it('metrics - instances are independent and render Prometheus text with the prefix', async () => {
    const a = createPresenceMetrics({ processMetrics: false });
    const b = createPresenceMetrics({ processMetrics: false });
    a.sipRequests.inc({ method: 'PUBLISH' });
    const text = await a.render();
    expect(text).toContain('presence_sip_requests_total{method="PUBLISH"} 1');
    expect(await b.render()).not.toContain('presence_sip_requests_total{method="PUBLISH"}');
  });

  it('metrics - counters that move on errors exist at 0 from the start for their known label values', async () => {
    const text = await createPresenceMetrics({ processMetrics: false }).render();
    expect(metricSamples(text, 'presence_internal_errors_total')).toEqual(
      ['sip', 'notify', 'subscription_end', 'unhandled_rejection', 'uncaught_exception'].map((source) => `presence_internal_errors_total{source="${source}"} 0`),
    );
    expect(metricSamples(text, 'presence_bus_errors_total')).toEqual(['presence_bus_errors_total{operation="publish"} 0', 'presence_bus_errors_total{operation="subscribe"} 0']);
    expect(metricSamples(text, 'presence_notifies_sent_total')).toHaveLength(4);
    expect(metricSamples(text, 'presence_sip_handler_errors_total')).toHaveLength(5);
    for (const name of ['presence_messages_received_total', 'presence_messages_stored_total', 'presence_messages_expired_total']) expect(metricSamples(text, name)).toEqual([`${name} 0`]);
    expect(metricSamples(text, 'presence_messages_delivered_total')).toEqual(['presence_messages_delivered_total{path="online"} 0', 'presence_messages_delivered_total{path="offline"} 0']);
    expect(metricSamples(text, 'presence_messages_failed_total')).toHaveLength(3);
    expect(metricSamples(text, 'presence_message_list_copies_total')).toHaveLength(3);
    expect(metricSamples(text, 'presence_lease_changes_total')).toEqual(['presence_lease_changes_total{change="gained"} 0', 'presence_lease_changes_total{change="lost"} 0']);
  });

  it('metrics - build info is one sample of 1 naming version and commit, when given', async () => {
    const text = await createPresenceMetrics({ processMetrics: false, build: { version: '0.1.0', commit: '93ee070abcde' } }).render();
    expect(metricSamples(text, 'presence_build_info')).toEqual(['presence_build_info{version="0.1.0",commit="93ee070abcde"} 1']);
    expect(metricSamples(await createPresenceMetrics({ processMetrics: false }).render(), 'presence_build_info')).toEqual([]);
  });

  it('metrics - Node.js and process metrics keep their standard unprefixed names, ours start with presence_', async () => {
    const text = await createPresenceMetrics().render();
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) {
      expect(metricSamples(text, name), name).toHaveLength(1);
    }
    const names = [...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!);
    expect(names.filter((name) => !/^(presence|process|nodejs)_/.test(name))).toEqual([]);
    expect(names.filter((name) => /^presence_(process|nodejs)_/.test(name))).toEqual([]);
  });

  it.runIf(runPromtool)('metrics - promtool check metrics accepts the whole catalogue, every metric sampled, with the process metrics', async () => {
    const metrics = createPresenceMetrics();
    sampleEverything(metrics);
    const text = await metrics.render();
    expect(text).toContain('presence_sip_requests_total{method="method-value"} 2');
    const verdict = await promtoolCheckMetrics(text);
    expect(verdict.output).toBe('');
    expect(verdict.ok).toBe(true);
  });

  it.runIf(runPromtool)('metrics - promtool is not a rubber stamp: a gauge named like a counter is refused', async () => {
    const verdict = await promtoolCheckMetrics('# HELP x_total a gauge\n# TYPE x_total gauge\nx_total 1\n');
    expect(verdict.ok).toBe(false);
    expect(verdict.output).toContain('x_total');
  });

  it('metrics - the auth counters show every label value at 0 from the start', async () => {
    const text = await createPresenceMetrics({ processMetrics: false }).render();
    for (const reason of ['missing', 'foreign_nonce', 'rejected', 'stale']) expect(text).toContain(`presence_auth_challenges_total{reason="${reason}"} 0`);
    for (const algorithm of ['SHA-256', 'MD5']) expect(text).toContain(`presence_auth_successes_total{algorithm="${algorithm}"} 0`);
    for (const reason of ['credentials', 'malformed', 'identity']) expect(text).toContain(`presence_auth_failures_total{reason="${reason}"} 0`);
    for (const scope of ['source', 'user']) expect(text).toContain(`presence_auth_lockouts_total{scope="${scope}"} 0`);
  });

  it('metrics - the limit refusals show every cap at 0 from the start', async () => {
    const text = await createPresenceMetrics({ processMetrics: false }).render();
    for (const limit of ['contacts_per_aor', 'subscriptions_per_watcher', 'subscriptions_per_address']) expect(text).toContain(`presence_limit_refusals_total{limit="${limit}"} 0`);
  });
});
