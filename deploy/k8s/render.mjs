// Renders perch's kustomize overlays with `kubectl kustomize` and parses the
// result into plain objects. Shared by validate.mjs and settings_test.mjs;
// touches no cluster. $KUBECTL names the kubectl binary (default: kubectl).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

// deploy/k8s in the source tree. ctest runs copies of these scripts from the
// build tree (beside their node_modules) and points here with $PERCH_K8S_DIR.
export const k8sDir =
  process.env.PERCH_K8S_DIR ?? path.dirname(fileURLToPath(import.meta.url));

export const overlays = ["dev", "prod"];

export function overlayDir(name) {
  return path.join(k8sDir, "overlays", name);
}

// Every YAML document in `text` as a plain object; empty documents dropped.
// Throws on a YAML error, naming `source`.
export function parseObjects(text, source) {
  const objects = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) {
      throw new Error(`${source}: ${doc.errors.map((e) => e.message).join("; ")}`);
    }
    const value = doc.toJS();
    if (value !== null && value !== undefined) objects.push(value);
  }
  return objects;
}

// `kubectl kustomize <dir>`, parsed. Throws with kubectl's stderr when it
// fails. Deprecation warnings (stderr, exit 0) are not failures.
export function render(dir) {
  const kubectl = process.env.KUBECTL ?? "kubectl";
  let out;
  try {
    out = execFileSync(kubectl, ["kustomize", dir], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (e) {
    throw new Error(`${kubectl} kustomize ${dir} failed: ${e.stderr ?? e.message}`);
  }
  return parseObjects(out, `kubectl kustomize ${dir}`);
}

export function renderOverlay(name) {
  return render(overlayDir(name));
}

export function loadFile(file) {
  return parseObjects(readFileSync(file, "utf8"), file);
}

// "Kind/name" for messages.
export function describe(object) {
  return `${object?.kind ?? "?"}/${object?.metadata?.name ?? "?"}`;
}
