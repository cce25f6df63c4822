import { join } from 'node:path';
import ts from 'typescript';
import { REPO_ROOT } from './chart-kit.js';

/**
 * Type-checks dashboard JSON against Grafana's own dashboard model
 * (@grafana/schema, generated from Grafana's CUE schemas) with the
 * TypeScript compiler. Each dashboard becomes an object literal assigned to
 * the model type, so misspelled or unknown fields (excess properties), wrong
 * value types, missing required fields and unknown enum values are errors.
 * A JSON import with `satisfies` would not do: JSON strings widen to
 * `string`, which no enum or literal union accepts.
 */

/** Where the generated sources pretend to live: module resolution finds the repository's node_modules from here. */
const CHECK_DIR = join(REPO_ROOT, 'helm', 'test');

const PRELUDE = `
import type { Dashboard, Panel, RowPanel } from '@grafana/schema';
import type { Options as TimeSeriesOptions, FieldConfig as TimeSeriesFieldConfig } from '@grafana/schema/dist/esm/raw/composable/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen';
import type { Options as StatOptions } from '@grafana/schema/dist/esm/raw/composable/stat/panelcfg/x/StatPanelCfg_types.gen';

/** The schema's enums as the strings JSON holds (numeric enums take numbers as they are). */
type AsJson<T> = T extends string ? (string extends T ? string : \`\${T}\`) : T extends number | boolean | null | undefined ? T : T extends readonly (infer U)[] ? AsJson<U>[] : T extends object ? { [K in keyof T]: AsJson<T[K]> } : T;

/** A Prometheus query as Grafana stores it (the schema types targets as any record; these are the fields it reads). */
interface PrometheusTarget {
  datasource: { type: 'prometheus'; uid: string };
  refId: string;
  expr: string;
  legendFormat?: string;
  editorMode?: 'code' | 'builder';
  range?: boolean;
  instant?: boolean;
  interval?: string;
  format?: 'time_series' | 'table' | 'heatmap';
}

type Queries = { targets: PrometheusTarget[] };
/** The panel kinds the presence dashboards use, each with its plugin's options. */
type TimeSeriesPanel = Omit<Panel<TimeSeriesOptions, TimeSeriesFieldConfig>, 'type' | 'options' | 'targets'> & { type: 'timeseries'; options: TimeSeriesOptions } & Queries;
type StatPanel = Omit<Panel, 'type' | 'options' | 'targets'> & { type: 'stat'; options: StatOptions } & Queries;
type DataPanel = TimeSeriesPanel | StatPanel;
type Row = Omit<RowPanel, 'panels'> & { panels: DataPanel[] };
type PresenceDashboard = AsJson<Omit<Dashboard, 'panels'> & { panels: Array<Row | DataPanel> }>;

export const dashboard: PresenceDashboard = `;

export interface SchemaError {
  /** The JSON file and line the error is about. */
  readonly at: string;
  readonly message: string;
}

/** Type errors of each dashboard (name: its file name, text: its JSON); empty when all conform. */
export function schemaErrors(dashboards: readonly { name: string; text: string }[]): SchemaError[] {
  const preludeLines = PRELUDE.split('\n').length - 1;
  const sources = new Map(dashboards.map((d) => [join(CHECK_DIR, `${d.name}.schema-check.ts`), { name: d.name, text: `${PRELUDE}${d.text};\n` }]));
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (file) => sources.has(file) || fileExists.call(host, file);
  host.readFile = (file) => sources.get(file)?.text ?? readFile.call(host, file);
  host.getSourceFile = (file, language, ...rest) => {
    const source = sources.get(file);
    return source ? ts.createSourceFile(file, source.text, language) : getSourceFile.call(host, file, language, ...rest);
  };
  const program = ts.createProgram([...sources.keys()], options, host);
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    const source = diagnostic.file && sources.get(diagnostic.file.fileName);
    if (!diagnostic.file || !source || diagnostic.start === undefined) return { at: diagnostic.file?.fileName ?? '(program)', message };
    const line = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line;
    return { at: line < preludeLines ? `${source.name} (check prelude)` : `${source.name}:${line - preludeLines + 1}`, message };
  });
}
