// Validates every object perch's overlays render (and the Secret example)
// against the Kubernetes OpenAPI schemas, offline, with kubernetes-models'
// compiled validators (pinned in package-lock.json), and the Prometheus
// Operator's objects (the prod overlay's ServiceMonitor) against its CRDs'
// schemas, from @kubernetes-models/prometheus-operator.
//
// Those schemas allow unknown fields (the API server would drop them, or
// reject them under strict field validation), so a typo such as
// `readOnlyRootFileSystem` would pass silently. This script also reports
// every field the schema never looked at: it validates through a Proxy that
// records which properties the validator read, and which maps it walked.
//
// usage: node validate.mjs [overlay-dir | file.yaml]...
//   no arguments: overlays/dev, overlays/prod and base/secret.example.yaml
// Exit 0 when everything is valid; 1 with one line per problem otherwise.
import path from "node:path";
import { describe, k8sDir, loadFile, overlayDir, overlays, render } from "./render.mjs";

// API groups served by CRDs, and the package holding their models. Every
// other apiVersion is a built-in one, from kubernetes-models.
const crdModels = {
  "monitoring.coreos.com": "@kubernetes-models/prometheus-operator",
};

// The model module of an apiVersion: "v1" → kubernetes-models/v1,
// "apps/v1" → kubernetes-models/apps/v1, "monitoring.coreos.com/v1" →
// @kubernetes-models/prometheus-operator/monitoring.coreos.com/v1.
async function modelClass(apiVersion, kind) {
  const group = apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
  const pkg = crdModels[group] ?? "kubernetes-models";
  let module;
  try {
    module = await import(`${pkg}/${apiVersion}`);
  } catch {
    return undefined;
  }
  const model = module[kind];
  return typeof model === "function" ? model : undefined;
}

function isPlainObject(v) {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

// Wraps `root` so that reads are recorded; `nodes` collects, per object or
// array reached, its path, the keys read and whether its keys were listed
// (a map, e.g. labels or ConfigMap data, is walked rather than read by key).
function tracked(root, nodes) {
  const proxies = new WeakMap();
  function wrap(value, where) {
    if (value === null || typeof value !== "object") return value;
    if (proxies.has(value)) return proxies.get(value);
    const node = { where, value, read: new Set(), listed: false };
    nodes.push(node);
    const proxy = new Proxy(value, {
      get(target, key, receiver) {
        const v = Reflect.get(target, key, receiver);
        if (typeof key !== "string") return v;
        node.read.add(key);
        if (!Object.hasOwn(target, key)) return v;
        const child = Array.isArray(target) ? `${where}[${key}]` : `${where}.${key}`;
        return wrap(v, child);
      },
      has(target, key) {
        if (typeof key === "string") node.read.add(key);
        return Reflect.has(target, key);
      },
      ownKeys(target) {
        node.listed = true;
        return Reflect.ownKeys(target);
      },
    });
    proxies.set(value, proxy);
    return proxy;
  }
  return wrap(root, "");
}

// Problems with one object, as strings; [] when it is valid.
export async function validateObject(object) {
  const name = describe(object);
  if (!isPlainObject(object) || !object.apiVersion || !object.kind) {
    return [`${name}: not a Kubernetes object (apiVersion and kind are required)`];
  }
  const model = await modelClass(object.apiVersion, object.kind);
  if (model === undefined) {
    return [`${name}: no schema for ${object.apiVersion} ${object.kind}`];
  }
  const nodes = [];
  try {
    // validate() is the compiled JSON-schema check; it reads `this`.
    model.prototype.validate.call(tracked(object, nodes));
  } catch (e) {
    return [`${name}: ${e.message}`];
  }
  const problems = [];
  for (const node of nodes) {
    if (!isPlainObject(node.value) || node.listed) continue;
    for (const key of Object.keys(node.value)) {
      if (!node.read.has(key)) {
        problems.push(`${name}: unknown field ${node.where}.${key}`);
      }
    }
  }
  return problems;
}

export async function validateObjects(objects) {
  const problems = [];
  for (const object of objects) problems.push(...(await validateObject(object)));
  return problems;
}

async function main(args) {
  const targets =
    args.length > 0
      ? args
      : [...overlays.map(overlayDir), path.join(k8sDir, "base", "secret.example.yaml")];
  let failed = false;
  for (const target of targets) {
    let objects;
    try {
      objects = /\.ya?ml$/.test(target) ? loadFile(target) : render(target);
    } catch (e) {
      console.error(`FAIL ${target}: ${e.message}`);
      failed = true;
      continue;
    }
    const problems = await validateObjects(objects);
    if (objects.length === 0) problems.push("no objects");
    for (const p of problems) console.error(`FAIL ${target}: ${p}`);
    if (problems.length > 0) {
      failed = true;
    } else {
      console.log(`ok ${target}: ${objects.length} objects valid (${objects.map(describe).join(", ")})`);
    }
  }
  return failed ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv.slice(2));
}
