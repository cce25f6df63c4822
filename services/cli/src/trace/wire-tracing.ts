import { parseHostPort, UsageError, type Logger, type OptionValues } from '@presence/runtime';
import type { WireObserver } from '@presence/sip';
import { HepSender, type TraceCounters } from './hep-sender.js';
import { PcapTrace } from './pcap-trace.js';
import { tracedMessage } from './traced-message.js';

/** The SIP tracers a role's options ask for (--hep, --sip-trace), as one observer for the SIP stack. */
export interface WireTracing {
  /** Undefined when no tracer is on: the stack then pays nothing. */
  readonly observer: WireObserver | undefined;
  counters(): { hep?: TraceCounters; sipTrace?: TraceCounters };
  close(): Promise<void>;
}

/** Opens what the options name; a bad value is a UsageError naming the option. */
export async function openWireTracing(values: OptionValues, nodeName: string, logger: Logger): Promise<WireTracing> {
  const hepTarget = values.hep as string | undefined;
  const traceFile = values['sip-trace'] as string | undefined;
  const hep = hepTarget ? await openHep(hepTarget, (values['hep-id'] as number | undefined) ?? 0, nodeName, logger) : undefined;
  let pcap: PcapTrace | undefined;
  try {
    pcap = traceFile ? await PcapTrace.open(traceFile, logger) : undefined;
  } catch (error) {
    await hep?.close();
    throw new UsageError(`--sip-trace: cannot write ${traceFile}: ${(error as Error).message}`);
  }
  const observer: WireObserver | undefined =
    hep === undefined && pcap === undefined
      ? undefined
      : (direction, data, flow) => {
          const message = tracedMessage(direction, data, flow);
          hep?.send(message);
          pcap?.write(message);
        };
  if (observer !== undefined) logger.info({ hep: hepTarget, sipTrace: traceFile }, 'SIP tracing on');
  return {
    observer,
    counters: () => ({ ...(hep && { hep: { ...hep.counters } }), ...(pcap && { sipTrace: { ...pcap.counters } }) }),
    async close() {
      await Promise.all([hep?.close(), pcap?.close()]);
    },
  };
}

/** `udp:HOST:PORT` (IPv6 in brackets); HEP over TCP is not offered: a stalled collector must never hold SIP up. */
async function openHep(target: string, captureId: number, nodeName: string, logger: Logger): Promise<HepSender> {
  const match = /^udp:(.+)$/i.exec(target.trim());
  if (!match) throw new UsageError(`--hep: expected udp:HOST:PORT, got "${target}"`);
  const { host, port } = parseHostPort('hep', match[1]!);
  if (port === 0) throw new UsageError('--hep: the collector port must not be 0');
  try {
    return await HepSender.open(host, port, { captureId, nodeName }, logger);
  } catch (error) {
    throw new UsageError(`--hep: cannot reach ${host}: ${(error as Error).message}`);
  }
}
