// How the Node examples reach perch: over TLS, with the caller's API key on
// every call, as production runs perch (docs/security.md).
//
// The key comes from the file PERCH_API_KEY_FILE names (trailing newline
// trimmed), else from PERCH_API_KEY; the CA that signed perch's certificate
// from the file PERCH_CA_FILE names, else the system's CAs. --plaintext on
// the command line is for a local perch only (scripts/run's, which runs with
// --insecure_no_auth).
'use strict';

const fs = require('node:fs');
const grpc = require('@grpc/grpc-js');

// The examples' exit codes: 1 as when perch does not answer as documented
// (here: perch's own app was refused upstream); the perch CLI's
// (client/exit_codes.h) for a usage error and for a caller perch refuses.
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;
const EXIT_DENIED = 4;

function usageError(message) {
  console.error(`${process.argv[1]}: ${message}`);
  process.exit(EXIT_USAGE);
}

// A file (a mounted Secret) keeps the key out of the process list and shell
// history. The key is never printed.
function readApiKey() {
  const file = process.env.PERCH_API_KEY_FILE;
  if (!file) return process.env.PERCH_API_KEY || '';
  try {
    return fs.readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (e) {
    return usageError(`PERCH_API_KEY_FILE: ${e.code}: ${file}`);
  }
}

// Channel credentials for perch: TLS, and `authorization: Bearer <key>` on
// every call (grpc-js sends call credentials over TLS only).
function perchCredentials() {
  if (process.argv.includes('--plaintext')) {
    // local-only: no TLS and no key, for scripts/run's perch on loopback
    // (--insecure_no_auth). Never against a perch other callers share.
    return grpc.credentials.createInsecure();
  }
  const key = readApiKey();
  if (!key) {
    usageError('no API key: set PERCH_API_KEY_FILE (or PERCH_API_KEY), '
      + 'or --plaintext for a local perch without caller auth');
  }
  let ca = null; // null: the system's CAs.
  if (process.env.PERCH_CA_FILE) {
    try {
      ca = fs.readFileSync(process.env.PERCH_CA_FILE);
    } catch (e) {
      usageError(`PERCH_CA_FILE: ${e.code}: ${process.env.PERCH_CA_FILE}`);
    }
  }
  const apiKey = grpc.credentials.createFromMetadataGenerator((_params, callback) => {
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${key}`);
    callback(null, metadata);
  });
  return grpc.credentials.combineChannelCredentials(grpc.credentials.createSsl(ca), apiKey);
}

// UNAUTHENTICATED fails every call alike: say whose credentials, and stop.
// The code alone does not say who was refused (docs/api.md, "Telling them
// apart"): the caller's key by perch (domain perch.v1, reason
// CALLER_UNAUTHENTICATED), or perch's own app by the upstream (domain
// api.twitter.com: APP_CREDENTIALS_REJECTED, BEARER_TOKEN_REJECTED,
// UNEXPECTED_TOKEN_TYPE), which no change of key can fix.
// `infos`: the error's decoded google.rpc.ErrorInfo details.
function stopIfRefused(err, infos) {
  if (!err || err.code !== grpc.status.UNAUTHENTICATED) return;
  const withReason = (infos || []).filter((i) => i && i.reason);
  if (withReason.some((i) => i.reason === 'CALLER_UNAUTHENTICATED' && i.domain === 'perch.v1')) {
    console.log('perch refused the API key: check PERCH_API_KEY_FILE / PERCH_API_KEY');
    process.exit(EXIT_DENIED);
  }
  const reasons = withReason.map((i) => `${i.reason} (${i.domain})`).join(', ') || 'no ErrorInfo';
  console.log(`perch accepted the API key, but the upstream refused perch's own app: ${reasons}; `
    + "perch's operator must fix its app credentials");
  process.exit(EXIT_FAILED);
}

module.exports = { perchCredentials, stopIfRefused };
