// Every PromQL query of a Grafana dashboard (panel targets, rows' nested
// panels, and the template variables' label_values/query_result queries),
// with Grafana's variables replaced so that the result is plain PromQL that
// Prometheus's parser accepts. A variable the dashboard does not define is an
// error: Grafana would send it as written, and the panel would show nothing.

// Grafana's built-in interval variables, as a plausible value.
const kBuiltins = {
  __rate_interval: "5m",
  __interval: "5m",
  __range: "5m",
  __interval_ms: "300000",
  __range_ms: "300000",
  __range_s: "300",
};

function definedVariables(dashboard) {
  return new Set((dashboard.templating?.list ?? []).map((v) => v.name));
}

// `text` with $name, ${name}, ${name:format} and [[name]] replaced: built-in
// intervals by a duration, the dashboard's own variables by ".*" (they are
// used in regex matchers, which is where "All" puts ".*" too).
export function expandVariables(text, variables) {
  const re = /\$\{(\w+)(?::[^}]*)?\}|\[\[(\w+)\]\]|\$(\w+)/g;
  return text.replace(re, (whole, braced, bracketed, bare) => {
    const name = braced ?? bracketed ?? bare;
    // $1 in label_replace's replacement is PromQL's, not Grafana's.
    if (/^\d+$/.test(name)) return whole;
    if (name in kBuiltins) return kBuiltins[name];
    if (variables.has(name)) return ".*";
    throw new Error(`undefined dashboard variable ${whole} in: ${text}`);
  });
}

// The PromQL inside a query variable's definition: label_values(expr, label)
// and query_result(expr) hold one; label_values(label), label_names() and
// metrics(regex) hold none.
function variableExpr(query) {
  const text = (typeof query === "string" ? query : query?.query ?? "").trim();
  let m = /^label_values\((.*),\s*[a-zA-Z_]\w*\s*\)$/s.exec(text);
  if (m) return m[1];
  m = /^query_result\((.*)\)$/s.exec(text);
  if (m) return m[1];
  if (/^(label_values\(\s*[a-zA-Z_]\w*\s*\)|label_names\(\)|metrics\(.*\))$/s.test(text)) return undefined;
  throw new Error(`template query not understood: ${text}`);
}

function* allPanels(panels) {
  for (const panel of panels ?? []) {
    yield panel;
    yield* allPanels(panel.panels);
  }
}

// [{where, expr}] for every query, expr expanded to plain PromQL.
export function dashboardQueries(dashboard) {
  const variables = definedVariables(dashboard);
  const queries = [];
  for (const panel of allPanels(dashboard.panels)) {
    for (const target of panel.targets ?? []) {
      if (target.expr === undefined) continue;
      queries.push({
        where: `panel "${panel.title}" query ${target.refId}`,
        expr: expandVariables(target.expr, variables),
      });
    }
  }
  for (const v of dashboard.templating?.list ?? []) {
    if (v.type !== "query") continue;
    const expr = variableExpr(v.query ?? v.definition);
    if (expr === undefined) continue;
    queries.push({ where: `variable $${v.name}`, expr: expandVariables(expr, variables) });
  }
  return queries;
}
