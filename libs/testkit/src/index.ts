export { createTestUa, TestUa } from './test-ua/test-ua.js';
export type { SubscribeOptions, TestUaOptions, UaRequestOptions } from './test-ua/test-ua.js';
export { TestDialog } from './test-ua/test-dialog.js';
export { DigestClient } from './test-ua/digest-client.js';
export type { DigestAlgorithmChoice, DigestCredentialsOptions } from './test-ua/digest-client.js';
export { eventually } from './eventually.js';
export { ownsItsCharacters } from './string-representation.js';
export { createTestCertificate, sharedTestCertificate } from './tls/test-certificate.js';
export type { TestCertificate } from './tls/test-certificate.js';
export { seededRandom } from './seeded-random.js';
export { FakeClock } from './time/fake-clock.js';
export { adversarialInputs } from './adversarial-input.js';
export { rawTcp, rawTls, rawUdp, requestText, startLine } from './raw-peers.js';
export type { Inbox, RawTcp, RawUdp, RequestText } from './raw-peers.js';
export type { EventuallyOptions } from './eventually.js';
// Process launchers and the helpers they need live in @presence/dev-tools (runtime
// code such as `npm run cluster` and the load generator uses them); tests keep
// importing them from here.
export {
  ALLOW_EVERY_WATCHER_ARGS,
  binaryGate,
  Children,
  freePort,
  freeUdpTcpPort,
  httpGet,
  metricSamples,
  metricValue,
  nonZeroSamples,
  promtoolCheckMetrics,
  requireOrSkip,
  sleep,
  startLocalCluster,
  startNatsServer,
  startPresenceProcess,
  startRedisCluster,
  startRedisServer,
  which,
} from '@presence/dev-tools';
export type {
  BinaryGate,
  Child,
  ClusterEdge,
  LocalCluster,
  LocalClusterOptions,
  ManagedServer,
  NatsServerOptions,
  NatsServerProcess,
  PresenceProcess,
  PresenceRole,
  PromtoolVerdict,
  RedisClusterProcess,
  RedisServerProcess,
} from '@presence/dev-tools';
