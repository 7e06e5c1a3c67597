// How the Node examples double as tests: an expectation that fails is printed
// at once and listed again at the end, and the example exits 1 if any did
// (0 otherwise), so ctest sees perch answer as documented or not.
'use strict';

const failures = [];

// Records `what` as failed unless `ok`; returns whether it held, so a caller
// can skip the checks that depend on it.
function expect(ok, what) {
  if (!ok) {
    failures.push(what);
    console.log(`  FAILED: ${what}`);
  }
  return Boolean(ok);
}

// The exit code once every call is made: 1 with the failures listed, else 0
// with `success` said.
function verdict(success) {
  if (failures.length) {
    console.log(`\n${failures.length} expectation(s) failed:`);
    failures.forEach((f) => console.log(`  - ${f}`));
    return 1;
  }
  console.log(`\n${success}`);
  return 0;
}

// Runs the async `main` and exits with the code it returns (1 if it throws).
function run(main) {
  main().then(
    (code) => { process.exitCode = code; },
    (e) => { console.error(e); process.exitCode = 1; },
  );
}

module.exports = { expect, verdict, run };
