// The metric names a running perch-server exports, from a real scrape of its
// /metrics: perch-emulator on an ephemeral loopback port as the upstream,
// perch-server on another with its metrics listener on a third, a few reads
// through the perch CLI (so that labelled series exist), then GET /metrics.
// Everything is bounded in time, and both processes are stopped whatever
// happens.
import { execFile, execFileSync, spawn } from "node:child_process";
import http from "node:http";
import net from "node:net";

// Sample names a Prometheus text exposition (format 0.0.4) makes queryable:
// every sample's name, and for each # TYPE'd family the names its type
// implies, so that a histogram with no observations yet still counts for
// its _bucket, _sum and _count.
export function exposedNames(text) {
  const names = new Set();
  for (const line of text.split("\n")) {
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (\w+)/.exec(line);
    if (type) {
      const [, family, kind] = type;
      if (kind === "histogram") {
        for (const s of ["_bucket", "_sum", "_count"]) names.add(family + s);
      } else if (kind === "summary") {
        for (const s of ["", "_sum", "_count"]) names.add(family + s);
      } else {
        names.add(family);
      }
      continue;
    }
    if (line.startsWith("#") || line.trim() === "") continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{|\s)/.exec(line);
    if (!sample) throw new Error(`not an exposition line: ${line}`);
    names.add(sample[1]);
  }
  return names;
}

export function serverHasMetricsListener(serverBinary) {
  const help = execFileSync(serverBinary, ["--help"], { encoding: "utf8" });
  return /^ {2}--metrics_listen\b/m.test(help);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// Spawns `binary`; resolves with the first match of `pattern` in its
// output, rejects if it exits or `timeoutMs` passes first.
function startAndAwait(binary, args, env, pattern, timeoutMs) {
  const child = spawn(binary, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  const state = { child, output: "" };
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${binary} did not start in ${timeoutMs} ms:\n${state.output}`)),
      timeoutMs,
    );
    const onData = (chunk) => {
      state.output += chunk;
      const m = pattern.exec(state.output);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${binary} exited (${code ?? signal}) before starting:\n${state.output}`));
    });
  });
  return { state, ready };
}

function get(url, timeoutMs) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode, body }));
    });
    req.on("timeout", () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on("error", reject);
  });
}

// GET `url` until it answers 200, for at most `timeoutMs`.
async function scrape(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      const r = await get(url, 5000);
      if (r.status === 200) return r.body;
      last = new Error(`GET ${url}: HTTP ${r.status}`);
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no /metrics within ${timeoutMs} ms: ${last?.message}`);
}

function runCli(cli, args, timeoutMs) {
  return new Promise((resolve) => {
    execFile(cli, args, { timeout: timeoutMs }, (error, stdout, stderr) =>
      resolve({ code: error?.code ?? 0, output: stdout + stderr }),
    );
  });
}

async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10000);
  await exited;
  clearTimeout(timer);
}

// Runs the emulator and the server, drives `reads` (perch CLI argument
// lists, each run once against the server), scrapes /metrics and resolves
// with {names, text}.
export async function scrapePerch({ serverBinary, emulatorBinary, cliBinary, reads = [] }) {
  const children = [];
  try {
    const emulator = startAndAwait(
      emulatorBinary, ["--listen=127.0.0.1:0"], { PATH: process.env.PATH },
      /perch-emulator listening on (http\S+)/, 20000,
    );
    children.push(emulator.state);
    const [, upstream] = await emulator.ready;

    const metricsPort = await freePort();
    const server = startAndAwait(
      serverBinary,
      ["--listen=127.0.0.1:0", "--insecure_no_auth", `--metrics_listen=127.0.0.1:${metricsPort}`],
      {
        PATH: process.env.PATH,
        // The emulator's example app: the public, fake key and secret of
        // Twitter's application-only authentication guide.
        PERCH_CONSUMER_KEY: "xvz1evFS4wEEPTGEFPHBog",
        PERCH_CONSUMER_SECRET: "L8qq9PZyRg6ieKGEKhZolGC0vJWLw8iEJ88DRdyOg",
        PERCH_API_BASE_URL: upstream,
      },
      /\(port (\d+)\)/, 20000,
    );
    children.push(server.state);
    const [, grpcPort] = await server.ready;

    const cliRuns = [];
    for (const args of reads) {
      cliRuns.push(await runCli(cliBinary, [...args, `--server=127.0.0.1:${grpcPort}`], 20000));
    }
    const text = await scrape(`http://127.0.0.1:${metricsPort}/metrics`, 20000);
    return { names: exposedNames(text), text, cliRuns };
  } catch (e) {
    for (const c of children) e.message += `\n--- output ---\n${c.output}`;
    throw e;
  } finally {
    for (const c of children.reverse()) await stop(c.child);
  }
}
