import { describe, expect, it } from 'vitest';
import {
  allPanels,
  interpolate,
  labelValuesQuery,
  loadDashboards,
  queriesOf,
  selectors,
  TEST_INTERVALS,
  unresolvedVariables,
  type DashboardModel,
  type PanelModel,
} from './dashboard-kit.js';
import { schemaErrors } from './dashboard-schema.js';

const dashboards = loadDashboards();
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };
const GRID_COLUMNS = 24;
/** Grafana refuses longer dashboard uids. */
const MAX_UID_LENGTH = 40;

const dataPanels = (dashboard: DashboardModel) => allPanels(dashboard).filter((p) => p.type !== 'row');

function overlaps(a: PanelModel, b: PanelModel): boolean {
  const [p, q] = [a.gridPos, b.gridPos];
  return p.x < q.x + q.w && q.x < p.x + p.w && p.y < q.y + q.h && q.y < p.y + p.h;
}

// Schema checks of four dashboards run past vitest's 5 s default on a loaded 2-core machine.
describe('Grafana dashboards of the chart', { timeout: 30_000 }, () => {
  it('are the cluster overview, edges, presence agents and store/bus dashboards, each uid and title once', () => {
    expect(dashboards.map((d) => d.file)).toEqual(['presence-agents.json', 'presence-edges.json', 'presence-overview.json', 'presence-store-bus.json']);
    const uids = dashboards.map((d) => d.model.uid);
    const titles = dashboards.map((d) => d.model.title);
    expect(new Set(uids).size).toBe(dashboards.length);
    expect(new Set(titles).size).toBe(dashboards.length);
    for (const uid of uids) expect(uid.length).toBeLessThanOrEqual(MAX_UID_LENGTH);
  });

  it('conform to Grafana\'s dashboard model (@grafana/schema)', () => {
    expect(schemaErrors(dashboards.map((d) => ({ name: d.file, text: d.text })))).toEqual([]);
  });

  describe.each(dashboards)('$file', ({ model }) => {
    it('numbers its panels once each and lays them out inside 24 columns without overlap', () => {
      const panels = allPanels(model);
      expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
      for (const { title, gridPos } of panels) {
        expect(gridPos.x, title).toBeGreaterThanOrEqual(0);
        expect(gridPos.w, title).toBeGreaterThanOrEqual(1);
        expect(gridPos.h, title).toBeGreaterThanOrEqual(1);
        expect(gridPos.x + gridPos.w, title).toBeLessThanOrEqual(GRID_COLUMNS);
      }
      const clashes = panels.flatMap((a, i) => panels.slice(i + 1).filter((b) => overlaps(a, b)).map((b) => `${a.title} / ${b.title}`));
      expect(clashes).toEqual([]);
    });

    it('queries the data source chosen in its $datasource variable, from every panel, target and variable', () => {
      const [first, ...others] = model.templating.list;
      expect(first).toMatchObject({ name: 'datasource', type: 'datasource', query: 'prometheus' });
      for (const variable of others.filter((v) => v.type === 'query')) {
        expect(variable.datasource, variable.name).toEqual(DATASOURCE);
        expect(labelValuesQuery(variable), `${variable.name}: label_values(selector, label)`).toBeDefined();
      }
      for (const panel of dataPanels(model)) {
        expect(panel.datasource, panel.title).toEqual(DATASOURCE);
        expect(panel.targets?.length, `${panel.title} has queries`).toBeGreaterThan(0);
        for (const target of panel.targets ?? []) expect(target.datasource, `${panel.title} ${target.refId}`).toEqual(DATASOURCE);
        const refIds = (panel.targets ?? []).map((t) => t.refId);
        expect(new Set(refIds).size, panel.title).toBe(refIds.length);
      }
    });

    it('gives every target an expression that filters by $job and uses only variables it defines', () => {
      const defined = Object.fromEntries(model.templating.list.map((v) => [v.name, 'value']));
      for (const query of queriesOf(model)) {
        expect(query.expr.trim(), query.key).not.toBe('');
        const matchers = selectors(query.expr);
        expect(matchers.length, `${query.key} selects series`).toBeGreaterThan(0);
        for (const matcher of matchers) expect(matcher, query.key).toContain('job=~"$job"');
        expect(unresolvedVariables(interpolate(query.expr, { ...defined, ...TEST_INTERVALS })), query.key).toEqual([]);
      }
    });
  });
});

describe('the dashboard model check', { timeout: 60_000 }, () => {
  const [sample] = dashboards;
  /** The sample dashboard with one mistake put in by `spoil`; the check must name it. */
  function errorsWith(spoil: (dashboard: Record<string, any>) => void): string[] {
    const copy = JSON.parse(sample!.text) as Record<string, any>;
    spoil(copy);
    return schemaErrors([{ name: 'spoilt.json', text: JSON.stringify(copy, null, 2) }]).map((e) => e.message);
  }
  const firstOf = (dashboard: Record<string, any>, type: string) => (dashboard.panels as { type: string }[]).find((p) => p.type === type) as Record<string, any>;

  it('reports unknown fields, wrong enum values, panel types it does not know and missing required fields', () => {
    expect(errorsWith((d) => (d.titel = 'misspelt'))).toEqual([expect.stringContaining("'\"titel\"' does not exist")]);
    expect(errorsWith((d) => (firstOf(d, 'timeseries').options.tooltip.mode = 'multiple'))).toEqual([expect.stringContaining('"multiple"')]);
    expect(errorsWith((d) => (firstOf(d, 'timeseries').targets[0].exp = 'up'))).toEqual([expect.stringContaining('"exp"')]);
    expect(errorsWith((d) => (firstOf(d, 'stat').type = 'graph'))).toEqual([expect.stringContaining('"graph"')]);
    expect(errorsWith((d) => delete firstOf(d, 'stat').options.reduceOptions)).toEqual([expect.stringContaining("'reduceOptions' is missing")]);
    expect(errorsWith((d) => (d.templating.list[0].type = 'datasrc'))).toEqual([expect.stringContaining('VariableType')]);
  });
});
