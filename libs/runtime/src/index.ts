export type { OptionKind, OptionSpec, OptionTable, OptionValues } from './config/option-table.js';
export { parseOptions, renderHelp, envName, UsageError } from './config/option-table.js';
export { parseHostPort } from './config/host-port.js';
export type { Logger, LogLevel } from './log/logger.js';
export { createLogger, silentLogger } from './log/logger.js';
export type { HealthSource, OpsServer } from './http/ops-server.js';
export { startOpsServer } from './http/ops-server.js';
export type { Stoppable } from './lifecycle/run-until-signal.js';
export { runUntilSignal } from './lifecycle/run-until-signal.js';
