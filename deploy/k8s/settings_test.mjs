// The settings issue #5 asks of perch's Kubernetes objects, asserted on what
// `kubectl kustomize` renders for each overlay (not on the source YAML, so a
// patch that undoes a setting is caught): security context, probe wiring,
// rollout and drain timing, resources, Secret handling, Service, PDB, HPA,
// NetworkPolicy, and the metrics scrape (port, annotations, ServiceMonitor,
// the scraper's admission). $PERCH_SERVER_BINARY, when set, also checks every
// PERCH_* variable against the flags perch-server --help lists, and that
// perch-server starts with exactly the environment the pod would get.
//
// run: node --test settings_test.mjs
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, test } from "node:test";
import { overlays, renderOverlay } from "./render.mjs";

const kGrpcPort = 50051;
// perch-server's --metrics_listen default is 0.0.0.0:9464 (docs/observability.md).
const kMetricsPort = 9464;
// The label of the Prometheus server pods the NetworkPolicy admits.
const kScraperLabels = { "app.kubernetes.io/name": "prometheus" };
const kSecretName = "perch-app-credentials";

function only(objects, kind) {
  const found = objects.filter((o) => o.kind === kind);
  assert.equal(found.length, 1, `exactly one ${kind}, got ${found.length}`);
  return found[0];
}

// "20s", "1m30s", "500ms" → seconds (absl::ParseDuration's common forms).
function seconds(duration) {
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let m;
  let consumed = 0;
  while ((m = re.exec(duration)) !== null) {
    total += Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2]];
    consumed = re.lastIndex;
  }
  assert.ok(consumed === duration.length && consumed > 0, `duration "${duration}"`);
  return total;
}

// Kubernetes quantities: "100m" CPU, "64Mi" memory, plain numbers.
function quantity(q) {
  const m = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|k|M|G)?$/.exec(String(q));
  assert.ok(m, `quantity "${q}"`);
  const scale = { m: 0.001, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, k: 1e3, M: 1e6, G: 1e9 };
  return Number(m[1]) * (m[2] ? scale[m[2]] : 1);
}

function matches(selector, labels) {
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

// The flags perch-server accepts, from --help ("  --name=...  help").
function serverFlags() {
  const binary = process.env.PERCH_SERVER_BINARY;
  if (!binary) return undefined;
  const help = execFileSync(binary, ["--help"], { encoding: "utf8" });
  return new Set([...help.matchAll(/^ {2}--([a-z_]+)/gm)].map((m) => m[1]));
}

// Starts `binary` with exactly `env` (listening on an ephemeral loopback
// port instead of the pod's, and without the metrics listener where it has
// one: the pod's fixed port 9464 may be taken on a test machine), waits for
// it to listen, then SIGTERMs it. Resolves with its exit code and output;
// rejects on a timeout.
function startAndStop(binary, env, timeoutMs = 15000) {
  const args = ["--listen=127.0.0.1:0"];
  if (serverFlags()?.has("metrics_listen")) args.push("--metrics_listen=");
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    let listening = false;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`perch-server did not listen within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk) => {
      output += chunk;
      if (!listening && /\(port \d+\)/.test(output)) {
        listening = true;
        child.kill("SIGTERM");
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ listening, code, signal, output });
    });
  });
}

for (const overlay of overlays) {
  describe(`overlay ${overlay}`, () => {
    const objects = renderOverlay(overlay);
    const deployment = only(objects, "Deployment");
    const pod = deployment.spec.template.spec;
    const podLabels = deployment.spec.template.metadata.labels;
    const container = pod.containers.find((c) => c.name === "perch-server");
    // The dev overlay adds perch-emulator beside it; nothing else may run.
    const emulator = pod.containers.find((c) => c.name === "perch-emulator");
    const configs = objects.filter((o) => o.kind === "ConfigMap");
    const config = configs.find((c) => c.metadata.name.startsWith("perch-flags"));
    const flags = config.data;

    test("one perch-server container, its flags from the rendered ConfigMap", () => {
      assert.equal(pod.containers.length, overlay === "dev" ? 2 : 1);
      assert.ok(container, "container perch-server");
      assert.equal(emulator !== undefined, overlay === "dev", "perch-emulator only in dev");
      const refs = (container.envFrom ?? []).map((e) => e.configMapRef?.name);
      assert.deepEqual(refs, [config.metadata.name]);
      assert.equal(container.command, undefined, "the image's exec-form entrypoint runs");
    });

    test("every PERCH_* variable names a perch-server flag", (t) => {
      const known = serverFlags();
      if (known === undefined) {
        t.skip("PERCH_SERVER_BINARY not set");
        return;
      }
      const names = [
        ...Object.keys(flags),
        ...(container.env ?? []).map((e) => e.name),
      ].filter((n) => n.startsWith("PERCH_"));
      for (const name of names) {
        const flag = name.slice("PERCH_".length).toLowerCase();
        assert.ok(known.has(flag), `${name}: perch-server has no --${flag}`);
      }
    });

    test("perch-server starts with the pod's environment", async (t) => {
      const binary = process.env.PERCH_SERVER_BINARY;
      if (!binary) {
        t.skip("PERCH_SERVER_BINARY not set");
        return;
      }
      // The pod's environment: the ConfigMap, then the container's env.
      // Mounted Secret files are stood in for by files holding the public
      // example app of the application-only auth guide.
      const dir = mkdtempSync(path.join(tmpdir(), "perch-settings-"));
      const example = {
        PERCH_CONSUMER_KEY_FILE: "xvz1evFS4wEEPTGEFPHBog",
        PERCH_CONSUMER_SECRET_FILE: "L8qq9PZyRg6ieKGEKhZolGC0vJWLw8iEJ88DRdyOg",
        // One caller, identified by the SHA-256 of a throw-away key.
        PERCH_API_KEYS_FILE:
          "settings-test 2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae reader",
      };
      const env = { ...flags };
      for (const e of container.env ?? []) {
        env[e.name] = e.value;
        if (example[e.name]) {
          env[e.name] = path.join(dir, path.basename(e.value));
          writeFileSync(env[e.name], `${example[e.name]}\n`, { mode: 0o440 });
        }
      }
      try {
        const run = await startAndStop(binary, env);
        assert.ok(run.listening, `perch-server refused the ${overlay} configuration:\n${run.output}`);
        assert.equal(run.code, 0, `exit after SIGTERM:\n${run.output}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test("rolling update never drops below the wanted replicas", () => {
      assert.equal(deployment.spec.strategy.type, "RollingUpdate");
      assert.ok([0, "0%"].includes(deployment.spec.strategy.rollingUpdate.maxUnavailable));
      assert.ok(deployment.spec.selector.matchLabels);
      assert.ok(matches(deployment.spec.selector.matchLabels, podLabels));
    });

    test("pod and containers run non-root, read-only, unprivileged, seccomp RuntimeDefault", () => {
      const podSc = pod.securityContext ?? {};
      for (const c of pod.containers) {
        const sc = c.securityContext ?? {};
        assert.equal(sc.runAsNonRoot ?? podSc.runAsNonRoot, true, c.name);
        const uid = sc.runAsUser ?? podSc.runAsUser;
        assert.ok(Number.isInteger(uid) && uid > 0, `${c.name}: numeric non-root uid, got ${uid}`);
        assert.equal(sc.allowPrivilegeEscalation, false, c.name);
        assert.notEqual(sc.privileged, true, c.name);
        assert.equal(sc.readOnlyRootFilesystem, true, c.name);
        assert.deepEqual(sc.capabilities?.drop, ["ALL"], c.name);
        assert.equal(sc.capabilities?.add, undefined, c.name);
        assert.equal((sc.seccompProfile ?? podSc.seccompProfile)?.type, "RuntimeDefault", c.name);
      }
      assert.equal(pod.automountServiceAccountToken, false);
      assert.equal(pod.hostNetwork ?? false, false);
      // A read-only root needs no writable scratch: perch and the emulator
      // write no files.
      for (const v of pod.volumes ?? []) {
        assert.equal(v.emptyDir, undefined, `unexpected writable volume ${v.name}`);
      }
    });

    test("native gRPC probes on the container's gRPC port", () => {
      const port = container.ports.find((p) => p.name === "grpc");
      assert.equal(port?.containerPort, kGrpcPort);
      for (const kind of ["startupProbe", "readinessProbe", "livenessProbe"]) {
        const probe = container[kind];
        assert.ok(probe, kind);
        assert.deepEqual(Object.keys(probe.grpc ?? {}).sort(), ["port"], `${kind} is grpc, default service`);
        assert.equal(probe.grpc.port, kGrpcPort, `${kind} port`);
        for (const other of ["httpGet", "tcpSocket", "exec"]) assert.equal(probe[other], undefined);
      }
      // The startup probe holds the others off; it gives up only after a
      // generous start.
      const s = container.startupProbe;
      assert.ok((s.periodSeconds ?? 10) * (s.failureThreshold ?? 3) >= 10);
    });

    test("termination outlasts preStop plus perch's drain; liveness outlasts a drain", () => {
      const grace = seconds(flags.PERCH_SHUTDOWN_GRACE ?? "20s");
      const preStop = container.lifecycle?.preStop?.exec?.command ?? [];
      const preStopSeconds = preStop[0] === "/bin/sleep" ? Number(preStop[1]) : 0;
      assert.ok(
        pod.terminationGracePeriodSeconds > preStopSeconds + grace,
        `terminationGracePeriodSeconds ${pod.terminationGracePeriodSeconds} must exceed ` +
          `preStop ${preStopSeconds}s + --shutdown_grace ${grace}s`,
      );
      const l = container.livenessProbe;
      assert.ok((l.periodSeconds ?? 10) * (l.failureThreshold ?? 3) > grace);
    });

    test("CPU and memory requests and limits, requests within limits", () => {
      for (const c of pod.containers) {
        const { requests, limits } = c.resources ?? {};
        for (const r of ["cpu", "memory"]) {
          assert.ok(requests?.[r], `${c.name}: requests.${r}`);
          assert.ok(limits?.[r], `${c.name}: limits.${r}`);
          assert.ok(quantity(requests[r]) <= quantity(limits[r]), `${c.name}: ${r} request <= limit`);
        }
      }
    });

    test("the consumer key and secret never reach the environment", () => {
      assert.equal(objects.filter((o) => o.kind === "Secret").length, 0, "no Secret is rendered");
      for (const e of container.env ?? []) {
        assert.equal(e.valueFrom?.secretKeyRef, undefined, `${e.name} from a Secret`);
        assert.ok(!["PERCH_CONSUMER_KEY", "PERCH_CONSUMER_SECRET"].includes(e.name), e.name);
      }
      for (const e of container.envFrom ?? []) assert.equal(e.secretRef, undefined);
      for (const k of Object.keys(flags)) {
        assert.ok(!["PERCH_CONSUMER_KEY", "PERCH_CONSUMER_SECRET"].includes(k), `ConfigMap ${k}`);
      }
    });

    test("Service: port named grpc, HTTP/2 app protocol, selects the pods", () => {
      const services = objects.filter((o) => o.kind === "Service");
      assert.ok(services.length >= 1);
      for (const svc of services) {
        assert.ok(matches(svc.spec.selector, podLabels), `${svc.metadata.name} selects the pods`);
        const grpc = svc.spec.ports.filter((p) => p.name !== "metrics");
        assert.equal(grpc.length, 1, `${svc.metadata.name}: one gRPC port besides metrics`);
        const [p] = grpc;
        assert.match(p.name, /^grpc(-|$)/);
        assert.equal(p.appProtocol, "grpc");
        assert.equal(p.port, kGrpcPort);
        assert.ok([kGrpcPort, "grpc"].includes(p.targetPort));
      }
    });

    test("metrics: container port 9464 named metrics, perch's --metrics_listen", () => {
      const port = container.ports.find((p) => p.name === "metrics");
      assert.deepEqual(port, { name: "metrics", containerPort: kMetricsPort, protocol: "TCP" });
      assert.notEqual(kMetricsPort, kGrpcPort, "never the gRPC port");
      // Said in the ConfigMap rather than left to the default, on that port
      // and on every address, so that the scraper reaches it from outside.
      assert.match(flags.PERCH_METRICS_LISTEN ?? "", new RegExp(`^(0\\.0\\.0\\.0|\\[::\\]):${kMetricsPort}$`),
        "PERCH_METRICS_LISTEN");
      for (const e of container.env ?? []) assert.notEqual(e.name, "PERCH_METRICS_LISTEN");
    });

    test("metrics: pods annotated for Prometheus's annotation-based discovery", () => {
      const annotations = deployment.spec.template.metadata.annotations ?? {};
      assert.equal(annotations["prometheus.io/scrape"], "true");
      assert.equal(annotations["prometheus.io/port"], String(kMetricsPort));
      assert.equal(annotations["prometheus.io/path"], "/metrics");
    });

    test("metrics: exactly one Service exposes the metrics port (each pod scraped once)", () => {
      const services = objects.filter((o) => o.kind === "Service");
      const exposing = services.filter((svc) => svc.spec.ports.some((p) => p.name === "metrics"));
      assert.deepEqual(exposing.map((svc) => svc.metadata.name), ["perch"]);
      const port = exposing[0].spec.ports.find((p) => p.name === "metrics");
      assert.equal(port.port, kMetricsPort);
      assert.ok([kMetricsPort, "metrics"].includes(port.targetPort));
      assert.equal(port.protocol, "TCP");
      // Annotations on a Service would have Prometheus's service-endpoints
      // discovery scrape the pods a second time.
      for (const svc of services) {
        assert.equal(svc.metadata.annotations?.["prometheus.io/scrape"], undefined, svc.metadata.name);
      }
    });

    test("PodDisruptionBudget selects the pods and allows one eviction", () => {
      const pdb = only(objects, "PodDisruptionBudget");
      assert.ok(matches(pdb.spec.selector.matchLabels, podLabels));
      assert.equal(pdb.spec.maxUnavailable, 1);
    });

    test("HorizontalPodAutoscaler scales this Deployment", () => {
      const hpa = only(objects, "HorizontalPodAutoscaler");
      assert.deepEqual(hpa.spec.scaleTargetRef, {
        apiVersion: "apps/v1",
        kind: "Deployment",
        name: deployment.metadata.name,
      });
      assert.ok(hpa.spec.minReplicas <= deployment.spec.replicas);
      assert.ok(hpa.spec.maxReplicas >= hpa.spec.minReplicas);
    });

    test("NetworkPolicy: ingress only from labelled callers and scrapers; egress only DNS and 443", () => {
      const np = only(objects, "NetworkPolicy");
      assert.ok(matches(np.spec.podSelector.matchLabels, podLabels));
      assert.deepEqual([...np.spec.policyTypes].sort(), ["Egress", "Ingress"]);
      assert.ok(np.spec.ingress.length > 0);
      const admitted = { [kGrpcPort]: [], [kMetricsPort]: [] };
      for (const rule of np.spec.ingress) {
        assert.ok(rule.from?.length > 0, "an ingress rule without `from` admits everyone");
        for (const peer of rule.from) {
          assert.equal(peer.ipBlock, undefined);
          assert.ok(Object.keys(peer.podSelector?.matchLabels ?? {}).length > 0, "callers are selected by label");
        }
        // One port per rule: a rule listing both would admit callers to
        // the metrics port and scrapers to the gRPC port.
        assert.equal(rule.ports?.length, 1, "one port per ingress rule");
        const [p] = rule.ports;
        assert.equal(p.protocol, "TCP");
        assert.ok(p.port in admitted, `ingress to port ${p.port}`);
        assert.equal(p.endPort, undefined);
        admitted[p.port].push(...rule.from.map((peer) => peer.podSelector.matchLabels));
      }
      // Callers reach the gRPC port only, the scraper the metrics port only.
      assert.ok(admitted[kGrpcPort].length > 0, "no rule admits callers");
      for (const labels of admitted[kGrpcPort]) {
        assert.ok(!matches(kScraperLabels, labels), "the scraper is admitted to the gRPC port");
      }
      assert.deepEqual(admitted[kMetricsPort], [kScraperLabels], "only the scraper reaches the metrics port");
      const allowed = new Set(["UDP/53", "TCP/53", "TCP/443"]);
      for (const rule of np.spec.egress) {
        assert.ok(rule.ports?.length > 0, "an egress rule without ports allows every port");
        for (const p of rule.ports) {
          assert.ok(allowed.has(`${p.protocol}/${p.port}`), `egress ${p.protocol}/${p.port}`);
          assert.equal(p.endPort, undefined);
        }
      }
    });

    if (overlay === "prod") {
      test("prod: a ServiceMonitor scrapes the metrics port of the perch Service's pods", () => {
        const sm = only(objects, "ServiceMonitor");
        assert.equal(sm.apiVersion, "monitoring.coreos.com/v1");
        assert.equal(sm.metadata.namespace, deployment.metadata.namespace, "in perch's namespace");
        assert.equal(sm.spec.namespaceSelector, undefined, "its own namespace only");
        const selected = objects.filter(
          (o) => o.kind === "Service" && matches(sm.spec.selector.matchLabels, o.metadata.labels),
        );
        assert.ok(selected.length > 0, "selects perch's Services");
        assert.equal(sm.spec.endpoints.length, 1);
        const [endpoint] = sm.spec.endpoints;
        assert.equal(endpoint.port, "metrics");
        assert.equal(endpoint.path ?? "/metrics", "/metrics");
        // The Operator keeps the endpoints of a port by this name: exactly
        // one selected Service has it, and it leads to the container's.
        const targets = selected.filter((svc) => svc.spec.ports.some((p) => p.name === endpoint.port));
        assert.equal(targets.length, 1, "one Service has the endpoint's port");
        const port = targets[0].spec.ports.find((p) => p.name === endpoint.port);
        assert.ok([kMetricsPort, "metrics"].includes(port.targetPort));
        assert.ok(matches(targets[0].spec.selector, podLabels));
        assert.ok(seconds(endpoint.scrapeTimeout ?? "10s") <= seconds(endpoint.interval ?? "30s"));
      });

      test("prod: two replicas, credentials mounted read-only as files from the Secret", () => {
        assert.equal(deployment.spec.replicas, 2);
        assert.match(flags.PERCH_API_BASE_URL, /^https:\/\//);
        const volume = pod.volumes.find((v) => v.secret?.secretName === kSecretName);
        assert.ok(volume, `a volume from Secret ${kSecretName}`);
        assert.ok((volume.secret.defaultMode & 0o007) === 0, "no world access to the files");
        const mount = container.volumeMounts.find((m) => m.name === volume.name);
        assert.equal(mount.readOnly, true);
        assert.equal(mount.subPath, undefined, "subPath mounts never see Secret updates");
        const env = Object.fromEntries(container.env.map((e) => [e.name, e.value]));
        const files = Object.fromEntries(volume.secret.items.map((i) => [i.key, i.path]));
        assert.equal(env.PERCH_CONSUMER_KEY_FILE, `${mount.mountPath}/${files.consumer_key}`);
        assert.equal(env.PERCH_CONSUMER_SECRET_FILE, `${mount.mountPath}/${files.consumer_secret}`);
        const image = container.image;
        assert.ok(!/:latest$/.test(image) && /[:@]/.test(image), `pinned image, got ${image}`);
      });
    }

    if (overlay === "dev") {
      test("dev: no ServiceMonitor (the Operator's CRDs may be missing)", () => {
        assert.equal(objects.filter((o) => o.kind === "ServiceMonitor").length, 0);
      });

      test("dev: one replica reading from the same image's perch-emulator on loopback, no Secret", () => {
        assert.equal(deployment.spec.replicas, 1);
        assert.equal(only(objects, "HorizontalPodAutoscaler").spec.maxReplicas, 1);
        assert.equal(emulator.image, container.image, "the same image");
        assert.deepEqual(emulator.command, ["/usr/local/bin/perch-emulator"]);
        const listen = (emulator.args ?? []).find((a) => a.startsWith("--listen="));
        const [, port] = /^--listen=127\.0\.0\.1:(\d+)$/.exec(listen ?? "") ?? [];
        assert.ok(port, `perch-emulator listens on loopback, got ${listen}`);
        assert.equal(flags.PERCH_API_BASE_URL, `http://127.0.0.1:${port}`);
        assert.equal(emulator.ports, undefined, "nothing outside the pod reaches the emulator");
        assert.deepEqual((pod.volumes ?? []).filter((v) => v.secret), []);
        // The example app's files stand where the base mounts the Secret.
        const volume = pod.volumes.find((v) => v.name === "app-credentials");
        const app = configs.find((c) => c.metadata.name === volume.configMap?.name);
        assert.ok(app, "app-credentials comes from a rendered ConfigMap");
        assert.deepEqual(Object.keys(app.data).sort(), ["consumer_key", "consumer_secret"]);
      });
    }
  });
}
