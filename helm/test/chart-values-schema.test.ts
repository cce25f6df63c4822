import { describe, expect, it } from 'vitest';
import { chartWithStandInDependencies, helm, helmTemplate, NAMESPACE } from './chart-kit.js';

/** A wrong value must stop `helm template` (and so install) with the schema's word on it. */
describe('chart values schema', () => {
  it.each([
    { set: 'auth.mode=maybe', error: /\/auth\/mode.*digest.*none/ },
    { set: 'edge.ports.sip=70000', error: /\/edge\/ports\/sip.*maximum/ },
    { set: 'http.port=0', error: /\/http\/port.*minimum/ },
    { set: 'edge.service.ports.wss=65536', error: /\/edge\/service\/ports\/wss.*maximum/ },
    { set: 'cluster.partitions=0', error: /\/cluster\/partitions.*minimum/ },
    { set: 'cluster.logLevel=verbose', error: /\/cluster\/logLevel/ },
    { set: 'cluster.prefix=a.b', error: /\/cluster\/prefix/ },
    { set: 'edge.replica=3', error: /\/edge.*additional properties 'replica'/ },
    { set: 'externalNats.url=redis://nats:4222', error: /\/externalNats\/url/ },
    { set: 'edge.service.type=Ingress', error: /\/edge\/service\/type/ },
    { set: 'agent.terminationGracePeriodSeconds=5', error: /\/agent\/terminationGracePeriodSeconds.*minimum/ },
    { set: 'auth.insecure=yes', error: /\/auth\/insecure.*boolean/ },
    { set: 'agent.defaultSubHandling=polite-block', error: /\/agent\/defaultSubHandling/ },
    { set: 'admin.enabled=maybe', error: /\/admin\/enabled.*boolean/ },
    { set: 'admin.token=too-short', error: /\/admin\/token/ },
    { set: 'admin.token=has a space in it somewhere', error: /\/admin\/token/ },
  ])('rejects --set $set', ({ set, error }) => {
    const run = helmTemplate(['--set', set]);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("values don't meet the specifications of the schema");
    expect(run.stderr).toMatch(error);
  });

  it('rejects a wrong type given as a string', () => {
    const run = helmTemplate(['--set-string', 'agent.leaseTime=fast']);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/\/agent\/leaseTime.*number/);
  });

  it('fails helm lint too', () => {
    const run = helm(['lint', chartWithStandInDependencies(), '--namespace', NAMESPACE, '--set', 'auth.mode=maybe']);
    expect(run.status).not.toBe(0);
    expect(run.stdout + run.stderr).toMatch(/\/auth\/mode/);
  });

  it.each([
    { set: 'tls.enabled=true', error: 'tls.cert (PEM) is required' },
    { set: 'externalRedis.url=', error: 'externalRedis.url is required' },
    { set: 'edge.expires.min=7200', error: 'edge.expires: min <= default <= max' },
    // The edges would refuse --auth none on 0.0.0.0 (exit 2): pods that never start.
    { set: 'auth.mode=none', error: 'auth.mode none serves SIP without authentication' },
    { set: 'auth.mode=none,auth.insecure=false', error: 'set auth.insecure=true to accept it' },
  ])('stops a render whose values do not fit together: --set $set', ({ set, error }) => {
    const run = helmTemplate(['--set', set]);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(error);
  });

  it('accepts what the schema allows beyond the defaults', () => {
    // --set keeps a fraction a string; --set-json gives it as the number a values file would.
    const run = helmTemplate(['--set', 'auth.mode=none,auth.insecure=true,edge.ports.sip=65535,edge.pdb.maxUnavailable=50%,cluster.prefix=a_b-1', '--set-json', 'agent.leaseTime=2.5']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
