// Offline checks of deploy/grafana/perch.json: it is a well-formed Grafana
// dashboard, every query is PromQL that Prometheus's own parser (promtool)
// accepts, the panels issue #12 asks for are there, and the name checker
// that dashboard_metrics_check.mjs runs against a live scrape finds what it
// must. $PROMTOOL names promtool (default: promtool on PATH).
//
// run: node --test dashboard_test.mjs
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, test } from "node:test";
import { unexportedNames } from "./dashboard_metrics_check.mjs";
import { dashboardQueries, expandVariables } from "./dashboard_queries.mjs";
import { exposedNames } from "./exported_metrics.mjs";
import { metricNames } from "./promql_names.mjs";

const dashboardFile =
  process.env.PERCH_DASHBOARD ?? path.join(path.dirname(fileURLToPath(import.meta.url)), "perch.json");
const dashboard = JSON.parse(readFileSync(dashboardFile, "utf8"));
const queries = dashboardQueries(dashboard);
const panels = dashboard.panels.filter((p) => p.type !== "row");

function exprsOf(titlePattern) {
  const panel = panels.find((p) => titlePattern.test(p.title));
  assert.ok(panel, `a panel titled ${titlePattern}`);
  return panel.targets.map((t) => t.expr).join("\n");
}

describe("the dashboard", () => {
  test("panels have unique ids, queries, the datasource variable, and do not overlap", () => {
    const ids = dashboard.panels.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length, "unique panel ids");
    assert.ok(dashboard.uid && dashboard.title);
    assert.ok(dashboard.templating.list.some((v) => v.type === "datasource" && v.name === "datasource"));
    for (const v of dashboard.templating.list.filter((t) => t.type === "query")) {
      assert.equal(v.datasource?.uid, "${datasource}", `variable ${v.name}: datasource`);
    }
    const cells = new Map();
    for (const p of dashboard.panels) {
      const { x, y, w, h } = p.gridPos;
      assert.ok(x >= 0 && w > 0 && x + w <= 24, `${p.title}: within the 24-column grid`);
      for (let i = x; i < x + w; i++) {
        for (let j = y; j < y + h; j++) {
          assert.ok(!cells.has(`${i},${j}`), `${p.title} overlaps ${cells.get(`${i},${j}`)}`);
          cells.set(`${i},${j}`, p.title);
        }
      }
    }
    for (const p of panels) {
      assert.ok(p.targets?.length > 0, `${p.title}: no query`);
      assert.equal(p.datasource?.uid, "${datasource}", `${p.title}: datasource`);
      assert.ok(p.description, `${p.title}: says what it shows`);
      for (const t of p.targets) assert.ok(t.expr?.trim(), `${p.title} ${t.refId}: empty query`);
    }
  });

  test("every query is PromQL that promtool accepts", () => {
    const promtool = process.env.PROMTOOL ?? "promtool";
    // Each query as a recording rule; JSON is YAML.
    const rules = {
      groups: [{
        name: "dashboard",
        rules: queries.map((q, i) => ({ record: `perch_dashboard:query${i}`, expr: q.expr })),
      }],
    };
    const dir = mkdtempSync(path.join(tmpdir(), "perch-dashboard-"));
    try {
      const file = path.join(dir, "queries.yml");
      writeFileSync(file, JSON.stringify(rules, null, 1));
      try {
        execFileSync(promtool, ["check", "rules", file], { encoding: "utf8", stdio: "pipe" });
      } catch (e) {
        if (e.code === "ENOENT") {
          assert.fail(`${promtool} not found: scripts/install-deps installs it (Debian package prometheus)`);
        }
        const bad = queries.map((q, i) => `query${i} = ${q.where}: ${q.expr}`).join("\n");
        assert.fail(`promtool refused a query:\n${e.stdout}${e.stderr}\n${bad}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("has the panels issue #12 asks for", () => {
    assert.match(exprsOf(/^Calls\/s by code/), /sum by \(code\) \(rate\(perch_grpc_calls_total\{/);
    const latency = exprsOf(/^Latency p50 \/ p99/);
    for (const q of ["0.5", "0.99"]) {
      assert.match(latency, new RegExp(`histogram_quantile\\(${q}, sum by \\(le\\) \\(rate\\(perch_grpc_call_duration_seconds_bucket\\{`));
    }
    assert.match(exprsOf(/^Budget remaining per endpoint/),
      /min by \(endpoint\) \(perch_upstream_rate_remaining\{[^}]*\} \/ perch_upstream_rate_limit\{/);
    const token = exprsOf(/^Token events/);
    for (const m of ["perch_token_fetches_total", "perch_token_reobtains_total", "perch_token_invalidations_total"]) {
      assert.ok(metricNames(token).has(m), `token events: ${m}`);
    }
    assert.ok(metricNames(exprsOf(/coalescing/)).has("perch_coalesced_calls_total"));
    assert.match(exprsOf(/^Cache hit ratio/), /result="hit"/);
    assert.match(exprsOf(/^Upstream errors/), /status_class=~"5xx\|transport_error"/);
  });
});

describe("metricNames", () => {
  test("finds selected metrics, not functions, aggregations, keywords or label names", () => {
    const cases = [
      ['sum by (code) (rate(perch_grpc_calls_total{code!="OK", method=~"a|b"}[5m]))', ["perch_grpc_calls_total"]],
      ["histogram_quantile(0.99, sum without (instance) (rate(x_bucket[1m])))", ["x_bucket"]],
      ["a / on (endpoint) group_left (version) b", ["a", "b"]],
      ["a and ignoring(le) b unless c or d > bool 1", ["a", "b", "c", "d"]],
      ['label_replace(up, "dst", "$1", "src", "(by|sum)")', ["up"]],
      ["count_values(\"v\", m) offset 5m", ["m"]],
      ["rate(m[5m:1m] @ start())", ["m"]],
      ['{__name__="by_name", job="x"}', ["by_name"]],
      ["time() - process_start_time_seconds", ["process_start_time_seconds"]],
      ["topk(3, sum by (le) (m:recorded)) * Inf", ["m:recorded"]],
      ["2 * 1e3 + 0x1f - NaN", []],
    ];
    for (const [expr, names] of cases) {
      assert.deepEqual([...metricNames(expr)].sort(), names.sort(), expr);
    }
  });

  test("refuses a __name__ it cannot check", () => {
    assert.throws(() => metricNames('{__name__=~"perch_.*"}'), /cannot be checked/);
  });
});

describe("variables", () => {
  test("built-in intervals and the dashboard's variables expand; others are refused", () => {
    const vars = new Set(["instance"]);
    assert.equal(expandVariables('rate(m{instance=~"$instance"}[$__rate_interval])', vars),
      'rate(m{instance=~".*"}[5m])');
    assert.equal(expandVariables('m{i=~"${instance:regex}"}[${__interval}]', vars), 'm{i=~".*"}[5m]');
    assert.throws(() => expandVariables('m{i=~"$instanse"}', vars), /undefined dashboard variable \$instanse/);
  });

  test("the template variables' queries are checked too", () => {
    assert.ok(queries.some((q) => q.where === "variable $instance" && metricNames(q.expr).has("perch_build_info")));
  });
});

describe("the scrape check", () => {
  const exposition = [
    "# HELP perch_grpc_call_duration_seconds RPC latency",
    "# TYPE perch_grpc_call_duration_seconds histogram",
    "# TYPE perch_token_reobtains_total counter",
    "perch_token_reobtains_total 0",
    'perch_grpc_calls_total{method="/perch.v1.ReadService/GetTimeline",code="OK"} 3',
    "process_threads 12",
  ].join("\n");

  test("a histogram family counts for its _bucket, _sum and _count", () => {
    assert.deepEqual([...exposedNames(exposition)].sort(), [
      "perch_grpc_call_duration_seconds_bucket",
      "perch_grpc_call_duration_seconds_count",
      "perch_grpc_call_duration_seconds_sum",
      "perch_grpc_calls_total",
      "perch_token_reobtains_total",
      "process_threads",
    ]);
  });

  test("a query naming a metric the scrape lacks is reported with its panel", () => {
    const exported = exposedNames(exposition);
    const found = unexportedNames([
      { where: "panel p query A", expr: "histogram_quantile(0.5, rate(perch_grpc_call_duration_seconds_bucket[5m]))" },
      { where: "panel p query B", expr: "sum(rate(perch_grpc_call_duration_seconds[5m]))" },
      { where: "panel q query A", expr: "perch_token_reobtain_total" },
    ], exported);
    assert.deepEqual(found, [
      { where: "panel p query B", name: "perch_grpc_call_duration_seconds" },
      { where: "panel q query A", name: "perch_token_reobtain_total" },
    ]);
  });
});
