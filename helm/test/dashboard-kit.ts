import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHART_DIR } from './chart-kit.js';

/** The one folder of Grafana dashboards: the chart loads every *.json of it (templates/grafana-dashboards.yaml). */
export const DASHBOARD_DIR = join(CHART_DIR, 'dashboards');

/** As much of Grafana's dashboard model as the tests read; @grafana/schema checks the rest (dashboard-schema.ts). */
export interface DataSourceRef {
  type?: string;
  uid?: string;
}

export interface GridPos {
  h: number;
  w: number;
  x: number;
  y: number;
}

export interface TargetModel {
  refId: string;
  expr?: string;
  legendFormat?: string;
  datasource?: DataSourceRef;
}

export interface PanelModel {
  id: number;
  type: string;
  title: string;
  gridPos: GridPos;
  datasource?: DataSourceRef;
  targets?: TargetModel[];
  /** Rows: the panels they hold while collapsed. */
  panels?: PanelModel[];
}

export interface VariableModel {
  name: string;
  type: string;
  query?: string | { query?: string };
  datasource?: DataSourceRef;
  includeAll?: boolean;
  allValue?: string;
}

export interface DashboardModel {
  uid: string;
  title: string;
  panels: PanelModel[];
  templating: { list: VariableModel[] };
}

export interface DashboardFile {
  /** File name in DASHBOARD_DIR. */
  readonly file: string;
  readonly text: string;
  readonly model: DashboardModel;
}

export function loadDashboards(): DashboardFile[] {
  return readdirSync(DASHBOARD_DIR)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => {
      const text = readFileSync(join(DASHBOARD_DIR, file), 'utf8');
      return { file, text, model: JSON.parse(text) as DashboardModel };
    });
}

/** Every panel, those inside rows included (a collapsed row holds its panels). */
export function allPanels(dashboard: DashboardModel): PanelModel[] {
  return dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
}

export interface PanelQuery {
  readonly dashboard: string;
  readonly panel: string;
  readonly refId: string;
  readonly expr: string;
  /** `uid / panel title / refId`: how a failure names it. */
  readonly key: string;
}

export function queriesOf(dashboard: DashboardModel): PanelQuery[] {
  return allPanels(dashboard).flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({
      dashboard: dashboard.uid,
      panel: panel.title,
      refId: target.refId,
      expr: target.expr ?? '',
      key: `${dashboard.uid} / ${panel.title} / ${target.refId}`,
    })),
  );
}

/**
 * What Grafana puts for its built-in interval variables. The tests'
 * Prometheus scrapes every second; Grafana would make `$__rate_interval`
 * 4 s of that, 10 s leaves a margin of samples for rate() on a busy machine.
 */
export const TEST_INTERVALS: Readonly<Record<string, string>> = {
  __rate_interval: '10s',
  __interval: '2s',
  __range: '5m',
};

/**
 * Replaces `$name`, `${name}` and `[[name]]` by `values[name]`, as Grafana
 * interpolates a query before sending it. Unknown names stay as they are
 * (Grafana does the same), so a capture group reference such as `${1}` in
 * label_replace survives.
 */
export function interpolate(expr: string, values: Readonly<Record<string, string>>): string {
  return expr.replace(/\$\{(\w+)\}|\$(\w+)|\[\[(\w+)\]\]/g, (match, braced?: string, bare?: string, bracketed?: string) => {
    const name = braced ?? bare ?? bracketed ?? '';
    return values[name] ?? match;
  });
}

/** Variable references left in an interpolated expression: names Grafana would not know either. */
export function unresolvedVariables(expr: string): string[] {
  return [...expr.matchAll(/\$\{?([A-Za-z_]\w*)|\[\[(\w+)\]\]/g)].map((m) => m[1] ?? m[2] ?? '');
}

/** Metric names an expression selects: every identifier followed by a label matcher block. */
export function metricNames(expr: string): string[] {
  return [...new Set([...expr.matchAll(/([A-Za-z_:][\w:]*)\s*\{/g)].map((m) => m[1]!))];
}

/** The label matcher blocks of an expression, e.g. `job=~"$job", role="edge"`. */
export function selectors(expr: string): string[] {
  return [...expr.matchAll(/[A-Za-z_:][\w:]*\s*\{([^}]*)\}/g)].map((m) => m[1]!);
}

/** `label_values(<selector>, <label>)` of a query variable, the form Grafana's Prometheus data source takes. */
export function labelValuesQuery(variable: VariableModel): { match: string; label: string } | undefined {
  const query = typeof variable.query === 'string' ? variable.query : variable.query?.query;
  const parsed = /^label_values\((.+),\s*(\w+)\)$/.exec(query ?? '');
  return parsed ? { match: parsed[1]!.trim(), label: parsed[2]! } : undefined;
}
