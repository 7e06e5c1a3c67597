// Every metric the dashboard's queries name is one perch-server exports:
// the names come from a real scrape of a running perch-server's /metrics
// (exported_metrics.mjs), not from a list kept beside the dashboard.
//
// usage: node dashboard_metrics_check.mjs DASHBOARD.json
//   env PERCH_SERVER_BINARY, PERCH_EMULATOR_BINARY, PERCH_CLI_BINARY
// Exit 0: every name is exported; 1: some are not (each listed with its
// panel), or perch could not be run; 77 (ctest: skipped, with the reason
// printed): this perch-server has no --metrics_listen, so there is nothing
// to scrape.
import { readFileSync } from "node:fs";
import { dashboardQueries } from "./dashboard_queries.mjs";
import { scrapePerch, serverHasMetricsListener } from "./exported_metrics.mjs";
import { metricNames } from "./promql_names.mjs";

// Reads that make perch's labelled series exist: a timeline (calls,
// upstream requests, the token fetch, the user id cache) and a user that
// does not exist (a non-OK code).
const kReads = [
  ["timeline", "@perch_dev", "--page_size=1"],
  ["timeline", "@perch_dev", "--page_size=1"],
  ["timeline", "@no_such_user_zz"],
];

// [{where, name}] for each name a query uses that `exported` lacks.
export function unexportedNames(queries, exported) {
  const missing = [];
  for (const { where, expr } of queries) {
    for (const name of metricNames(expr)) {
      if (!exported.has(name)) missing.push({ where, name });
    }
  }
  return missing;
}

async function main([dashboardFile]) {
  const env = process.env;
  for (const v of ["PERCH_SERVER_BINARY", "PERCH_EMULATOR_BINARY", "PERCH_CLI_BINARY"]) {
    if (!env[v]) {
      console.error(`${v} is not set`);
      return 2;
    }
  }
  if (!serverHasMetricsListener(env.PERCH_SERVER_BINARY)) {
    console.log(
      `SKIP: ${env.PERCH_SERVER_BINARY} has no --metrics_listen (issue #12's /metrics is not ` +
        "built in): the dashboard's metric names are not checked against a scrape",
    );
    return 77;
  }
  const queries = dashboardQueries(JSON.parse(readFileSync(dashboardFile, "utf8")));
  const { names, cliRuns } = await scrapePerch({
    serverBinary: env.PERCH_SERVER_BINARY,
    emulatorBinary: env.PERCH_EMULATOR_BINARY,
    cliBinary: env.PERCH_CLI_BINARY,
    reads: kReads,
  });
  // The first read must have succeeded, or the scrape shows an idle perch.
  if (cliRuns[0].code !== 0) {
    console.error(`perch ${kReads[0].join(" ")} failed (exit ${cliRuns[0].code}):\n${cliRuns[0].output}`);
    return 1;
  }
  const perchNames = [...names].filter((n) => n.startsWith("perch_"));
  console.log(`scraped ${names.size} sample names (${perchNames.length} perch_*) from perch-server's /metrics`);
  const missing = unexportedNames(queries, names);
  for (const { where, name } of missing) {
    console.error(`FAIL ${where}: ${name} is not exported by perch-server`);
  }
  const used = new Set(queries.flatMap(({ expr }) => [...metricNames(expr)]));
  const unused = perchNames.filter((n) => !used.has(n) && !/_(sum|count)$/.test(n)).sort();
  if (unused.length > 0) console.log(`exported, on no panel: ${unused.join(" ")}`);
  console.log(`${queries.length - new Set(missing.map((m) => m.where)).size} passed, ` +
    `${new Set(missing.map((m) => m.where)).size} failed`);
  return missing.length === 0 ? 0 : 1;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (e) {
    console.error(`FAIL: ${e.message}`);
    process.exitCode = 1;
  }
}
