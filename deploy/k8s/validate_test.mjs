// validate.mjs must reject what the API server would: wrong types, missing
// required fields, unknown kinds, and (unlike the bare schemas) unknown
// fields such as a misspelt securityContext setting. Runs on the rendered
// prod overlay, changed one way at a time.
//
// run: node --test validate_test.mjs
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { k8sDir, parseObjects, renderOverlay } from "./render.mjs";
import { validateObject, validateObjects } from "./validate.mjs";

const objects = renderOverlay("prod");
const deployment = () => structuredClone(objects.find((o) => o.kind === "Deployment"));

test("the rendered overlays are valid", async () => {
  assert.deepEqual(await validateObjects(objects), []);
  assert.deepEqual(await validateObjects(renderOverlay("dev")), []);
});

test("a misspelt field is reported with its path", async () => {
  const d = deployment();
  d.spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem = true;
  assert.deepEqual(await validateObject(d), [
    "Deployment/perch: unknown field .spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem",
  ]);
});

test("a wrong type is reported", async () => {
  const d = deployment();
  d.spec.replicas = "two";
  assert.match((await validateObject(d)).join(), /spec\/replicas must be integer/);
});

test("a missing required field is reported", async () => {
  const d = deployment();
  delete d.spec.selector;
  assert.match((await validateObject(d)).join(), /required property selector/);
});

test("a value outside an enum is reported", async () => {
  const np = structuredClone(objects.find((o) => o.kind === "NetworkPolicy"));
  np.spec.egress[0].ports[0].protocol = "ICMP";
  assert.match((await validateObject(np)).join(), /protocol must be equal to one of the allowed values/);
});

test("an unknown apiVersion or kind is reported", async () => {
  const d = deployment();
  d.apiVersion = "apps/v1beta9";
  assert.deepEqual(await validateObject(d), ["Deployment/perch: no schema for apps/v1beta9 Deployment"]);
});

test("free-form maps (labels, ConfigMap data) accept any key", async () => {
  const d = deployment();
  d.spec.template.metadata.labels["example.com/anything"] = "x";
  assert.deepEqual(await validateObject(d), []);
  const cm = structuredClone(objects.find((o) => o.kind === "ConfigMap"));
  cm.data.ANY_KEY = "x";
  assert.deepEqual(await validateObject(cm), []);
});

// The prod overlay's ServiceMonitor is checked against the Prometheus
// Operator's CRD schema, as strictly as the built-in kinds.
test("the ServiceMonitor is validated against the Prometheus Operator's schema", async () => {
  const serviceMonitor = () =>
    structuredClone(objects.find((o) => o.kind === "ServiceMonitor"));
  assert.deepEqual(await validateObject(serviceMonitor()), []);
  const misspelt = serviceMonitor();
  misspelt.spec.endpoints[0].scrapeInterval = "15s";
  assert.deepEqual(await validateObject(misspelt), [
    "ServiceMonitor/perch: unknown field .spec.endpoints[0].scrapeInterval",
  ]);
  const badDuration = serviceMonitor();
  badDuration.spec.endpoints[0].interval = "fifteen seconds";
  assert.match((await validateObject(badDuration)).join(), /interval must match pattern/);
  const noSelector = serviceMonitor();
  delete noSelector.spec.selector;
  assert.match((await validateObject(noSelector)).join(), /required property selector/);
});

// docs/observability.md, "Alerts": the alert rules wrapped in a
// PrometheusRule the way its command does (header, then the file indented
// under spec) make a valid PrometheusRule.
test("the alert rules wrapped as docs/observability.md says make a valid PrometheusRule", async () => {
  const rulesFile = path.join(k8sDir, "..", "prometheus", "perch-alerts.yml");
  const indented = readFileSync(rulesFile, "utf8").replace(/^/gm, "  ");
  const text =
    "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata:\n  name: perch\nspec:\n" + indented;
  const [rule] = parseObjects(text, rulesFile);
  assert.ok(rule.spec.groups[0].rules.length > 0);
  assert.deepEqual(await validateObject(rule), []);
});
