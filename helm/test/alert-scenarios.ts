/**
 * promtool unit tests for the chart's alerts (everything-on values: 256
 * partitions, default thresholds). Each scenario feeds series named and
 * labelled as the roles export them (libs/metrics) and says which alert fires
 * when, with what text; one scenario checks that another release's series
 * count for nothing.
 */
export interface AlertTest {
  interval: string;
  input_series: { series: string; values: string }[];
  alert_rule_test: { eval_time: string; alertname: string; exp_alerts: { exp_labels: Record<string, string>; exp_annotations: Record<string, string> }[] }[];
}

export function alertScenarios(scrape: { namespace: string; job: string }): { tests: AlertTest[] } {
  const ours = (name: string, labels = '') => `${name}{namespace="${scrape.namespace}",job="${scrape.job}"${labels ? `,${labels}` : ''}}`;
  const fires = (alertname: string, at: string, severity: string, summary: string, description: string) => ({
    eval_time: at,
    alertname,
    exp_alerts: [{ exp_labels: { severity }, exp_annotations: { summary, description } }],
  });
  const quiet = (alertname: string, at: string) => ({ eval_time: at, alertname, exp_alerts: [] });

  return {
    tests: [
      {
        // Two agents hold 128 partitions each; one loses all of its at minute 6.
        interval: '1m',
        input_series: [
          { series: ours('presence_owned_partitions', 'pod="agent-a"'), values: '128x20' },
          { series: ours('presence_owned_partitions', 'pod="agent-b"'), values: '128x5 0x15' },
        ],
        alert_rule_test: [
          quiet('PresencePartitionsUnowned', '5m'),
          fires('PresencePartitionsUnowned', '10m', 'critical', 'Some presence partitions have no agent', 'Agents hold 128 of 256 partitions: PUBLISH and SUBSCRIBE for the others fail.'),
        ],
      },
      {
        // No agent reports at all.
        interval: '1m',
        input_series: [{ series: ours('presence_active_subscriptions', 'pod="edge-a"'), values: '5x10' }],
        alert_rule_test: [
          fires('PresencePartitionsUnowned', '5m', 'critical', 'Some presence partitions have no agent', 'Agents hold 0 of 256 partitions: PUBLISH and SUBSCRIBE for the others fail.'),
        ],
      },
      {
        // 10 % of NOTIFYs time out; rejected ones (the subscriber said no) are not failures.
        interval: '1m',
        input_series: [
          { series: ours('presence_notifies_sent_total', 'result="ok"'), values: '0+90x30' },
          { series: ours('presence_notifies_sent_total', 'result="timeout"'), values: '0+10x30' },
          { series: ours('presence_sip_responses_total', 'method="PUBLISH",code="200"'), values: '0+98x30' },
          { series: ours('presence_sip_responses_total', 'method="PUBLISH",code="503"'), values: '0+2x30' },
        ],
        alert_rule_test: [
          quiet('PresenceNotifyFailures', '10m'),
          fires('PresenceNotifyFailures', '20m', 'warning', 'NOTIFYs time out or cannot be sent', '10% of NOTIFYs timed out or failed to send over 5 minutes.'),
          fires('PresenceSipServerErrors', '20m', 'warning', 'Edges answer with 5xx', '2% of SIP responses were 5xx over 5 minutes.'),
        ],
      },
      {
        // An agent loses 30 leases a minute for an hour.
        interval: '1m',
        input_series: [{ series: ours('presence_lease_changes_total', 'change="lost",pod="agent-a"'), values: '0+30x60' }],
        alert_rule_test: [
          quiet('PresenceLeaseChurn', '20m'),
          fires('PresenceLeaseChurn', '40m', 'warning', 'Partition leases keep moving between agents', 'Agents lost 450 partition leases in 15 minutes.'),
        ],
      },
      {
        // 1 % of changes reach the edge within 1 s, the rest within 2.5 s.
        interval: '1m',
        input_series: [
          { series: ours('presence_publish_to_notify_seconds_bucket', 'le="0.5"'), values: '0x30' },
          { series: ours('presence_publish_to_notify_seconds_bucket', 'le="1"'), values: '0+1x30' },
          { series: ours('presence_publish_to_notify_seconds_bucket', 'le="2.5"'), values: '0+100x30' },
          { series: ours('presence_publish_to_notify_seconds_bucket', 'le="+Inf"'), values: '0+100x30' },
        ],
        alert_rule_test: [
          fires('PresencePublishToNotifySlow', '20m', 'warning', 'Presence changes reach watchers late', 'p99 from a committed change to its NOTIFY is 2.485s, over the 1 s objective.'),
        ],
      },
      {
        // Six failed Redis operations and six failed NATS requests a minute.
        interval: '1m',
        input_series: [
          { series: ours('presence_store_errors_total', 'operation="publish"'), values: '0+6x30' },
          { series: ours('presence_bus_request_seconds_count', 'outcome="ok"'), values: '0+600x30' },
          { series: ours('presence_bus_request_seconds_count', 'outcome="timeout"'), values: '0+6x30' },
        ],
        alert_rule_test: [
          fires('PresenceRedisErrors', '15m', 'critical', 'Redis operations fail', '0.10 failed store operations per second.'),
          fires('PresenceNatsErrors', '15m', 'critical', 'Requests over NATS fail', '0.10 edge-to-agent requests per second failed over NATS.'),
        ],
      },
      {
        // An edge in overload mode for 8 minutes from minute 2; another edge never.
        interval: '1m',
        input_series: [
          { series: ours('presence_overload_active', 'pod="edge-a"'), values: '0 0 1x8 0x10' },
          { series: ours('presence_overload_active', 'pod="edge-b"'), values: '0x20' },
        ],
        alert_rule_test: [
          quiet('PresenceEdgeOverloaded', '5m'),
          fires(
            'PresenceEdgeOverloaded',
            '8m',
            'warning',
            'An edge is in overload mode',
            'An edge has refused new dialogs and out-of-dialog requests with 503 for 5m: its event loop lags or too many requests are in progress.',
          ),
          quiet('PresenceEdgeOverloaded', '15m'),
        ],
      },
      {
        // 300 requests a minute over their source's limit (5/s), dropped or refused, for 40 minutes.
        interval: '1m',
        input_series: [
          { series: ours('presence_rate_limited_total', 'transport="udp",action="drop"'), values: '0+240x40' },
          { series: ours('presence_rate_limited_total', 'transport="tcp",action="reject"'), values: '0+60x40' },
        ],
        alert_rule_test: [
          quiet('PresenceRateLimiting', '10m'),
          fires('PresenceRateLimiting', '30m', 'warning', 'Edges rate-limit sources', '5.0 requests per second over their source\'s rate limit were refused or dropped over 5 minutes.'),
        ],
      },
      {
        // Another release's failures and partitions are not ours.
        interval: '1m',
        input_series: [
          { series: 'presence_owned_partitions{namespace="other",job="other-metrics"}', values: '0x20' },
          { series: ours('presence_owned_partitions'), values: '256x20' },
          { series: 'presence_store_errors_total{namespace="other",job="other-metrics",operation="get"}', values: '0+6x30' },
          { series: 'presence_notifies_sent_total{namespace="other",job="other-metrics",result="failed"}', values: '0+6x30' },
        ],
        alert_rule_test: [quiet('PresencePartitionsUnowned', '15m'), quiet('PresenceRedisErrors', '15m'), quiet('PresenceNotifyFailures', '15m')],
      },
    ],
  };
}
