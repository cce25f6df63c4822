import { createContext } from 'node:vm';
import { VuEventLoop } from './event-loop.js';
import { k6CoreModule } from './modules/k6-core.js';
import { k6CryptoModule } from './modules/k6-crypto.js';
import { k6ExecutionModule } from './modules/k6-execution.js';
import { k6MetricsModule } from './modules/k6-metrics.js';
import { k6TimersModule } from './modules/k6-timers.js';
import { k6WebSocketsModule } from './modules/k6-websockets.js';
import { loadScript } from './script-loader.js';
import { isError, type VuState } from './vu-state.js';

export interface VuRuntime {
  readonly exports: Record<string, unknown>;
  /** Sets the globals k6 changes per iteration. */
  setIteration(iter: number): void;
}

/**
 * A fresh JavaScript context with k6's globals (__ENV, __VU, __ITER, console,
 * timers; no Node globals such as process or Buffer), the k6 modules, and the
 * script evaluated in it: its init context.
 */
export function createVuRuntime(scriptPath: string, env: Readonly<Record<string, string>>, state: VuState): VuRuntime {
  const timers = k6TimersModule(state);
  const console = {
    log: (...args: unknown[]) => state.log('info', format(args)),
    info: (...args: unknown[]) => state.log('info', format(args)),
    debug: (...args: unknown[]) => state.log('debug', format(args)),
    warn: (...args: unknown[]) => state.log('warn', format(args)),
    error: (...args: unknown[]) => state.log('error', format(args)),
  };
  const globals: Record<string, unknown> = {
    __ENV: { ...env },
    __VU: state.vuId,
    __ITER: 0,
    console,
    setTimeout: timers['setTimeout'],
    clearTimeout: timers['clearTimeout'],
    setInterval: timers['setInterval'],
    clearInterval: timers['clearInterval'],
  };
  const context = createContext(globals, { name: `VU ${state.vuId}` });
  let exports: Record<string, unknown> = {};
  const websockets = k6WebSocketsModule(state);
  const builtins = new Map<string, unknown>([
    ['k6', k6CoreModule(state)],
    ['k6/metrics', k6MetricsModule(state)],
    ['k6/websockets', websockets],
    ['k6/experimental/websockets', websockets],
    ['k6/execution', k6ExecutionModule(state, () => exports['options'])],
    ['k6/crypto', k6CryptoModule()],
    ['k6/timers', timers],
  ]);
  exports = loadScript(scriptPath, context, builtins);
  return {
    exports,
    setIteration(iter) {
      globals['__ITER'] = iter;
    },
  };
}

/** A fresh event loop for one VU. */
export function newEventLoop(): VuEventLoop {
  return new VuEventLoop();
}

function format(args: unknown[]): string {
  return args.map((a) => (typeof a === 'string' ? a : safeJson(a))).join(' ');
}

function safeJson(value: unknown): string {
  if (isError(value)) return value.stack ?? value.message;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
