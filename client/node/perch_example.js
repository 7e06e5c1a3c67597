#!/usr/bin/env node
// A tour of perch from Node.js with @grpc/grpc-js and @grpc/proto-loader,
// which load protos/ at run time (no code generation step).
//
// Calls perch as production runs it: over TLS, with the caller's API key on
// every call. Asks for the app token (admin only: a reader key is refused
// with PERMISSION_DENIED, which it shows), calls each of the four reads,
// follows one next_page_token, and provokes one mapped error, decoding
// perch's rich error (grpc-status-details-bin -> google.rpc.Status ->
// ErrorInfo, RetryInfo, ...). Exits 1 if perch does not answer as
// documented, so it doubles as a test, and 4 (as the perch CLI does) if perch
// refuses the key.
//
//   npm ci && PERCH_API_KEY_FILE=reader.key PERCH_CA_FILE=ca.pem \
//     node client/node/perch_example.js --server=perch.example.internal:50051
//
// Key, CA and the local-only --plaintext: see perch_credentials.js.
'use strict';

const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const protobuf = require('protobufjs');
const { expect, verdict, run } = require('./expectations');
const { perchCredentials, stopIfRefused } = require('./perch_credentials');

const PROTOS = path.join(__dirname, '..', '..', 'protos');
const TIMEOUT_MS = 10_000;
const WORLD =
  "the emulator's synthetic world (perch_dev, perch_popular, #perch, perch_dev/engineering)";

// keepCase: fields keep their proto names (screen_name), as in perch's docs.
const definition = protoLoader.loadSync(
  ['perch/v1/token_service.proto', 'perch/v1/read_service.proto'],
  { includeDirs: [PROTOS], keepCase: true, longs: String, enums: String, defaults: true, oneofs: true },
);
const perch = grpc.loadPackageDefinition(definition).perch.v1;

// proto-loader gives no message decoders: protobufjs reads the error details
// from perch's google/rpc copies (well-known imports are built into it).
const rpc = new protobuf.Root();
rpc.resolvePath = (_origin, target) => path.join(PROTOS, target);
rpc.loadSync(['google/rpc/status.proto', 'google/rpc/error_details.proto'], { keepCase: true });
const Status = rpc.lookupType('google.rpc.Status');

// The typed details of a failed call: [{type: 'google.rpc.ErrorInfo', ...fields}].
function errorDetails(err) {
  const [bin] = err.metadata ? err.metadata.get('grpc-status-details-bin') : [];
  if (!bin) return [];
  return Status.decode(bin).details.map((any) => {
    const type = rpc.lookupType(any.type_url.slice(any.type_url.lastIndexOf('/') + 1));
    return { type: type.fullName.slice(1), ...type.toObject(type.decode(any.value), { longs: String }) };
  });
}

function showError(err) {
  console.log(`  error ${grpc.status[err.code]}: ${err.details}`);
  const details = errorDetails(err);
  for (const d of details) console.log(`  ${d.type} ${JSON.stringify({ ...d, type: undefined })}`);
  return details;
}

// One unary call as a promise of [error, reply].
function call(client, method, request) {
  return new Promise((resolve) => {
    client[method](request, { deadline: Date.now() + TIMEOUT_MS }, (err, reply) => resolve([err, reply]));
  });
}

// Calls and prints; on error records a failure and returns null.
async function step(what, client, method, request) {
  console.log(what);
  const [err, reply] = await call(client, method, request);
  if (err) {
    stopIfRefused(err, showError(err));
    expect(false, `${what}: ${grpc.status[err.code]}`);
    return null;
  }
  return reply;
}

const tweetLine = (t) => `  ${t.id} @${t.author ? t.author.screen_name : '?'}: ${JSON.stringify(t.text.slice(0, 60))}`;

async function main() {
  const arg = process.argv.find((a) => a.startsWith('--server='));
  const server = arg ? arg.slice('--server='.length) : 'localhost:50051';
  const credentials = perchCredentials();
  const tokens = new perch.TokenService(server, credentials);
  const reads = new perch.ReadService(server, credentials);

  // TokenService is for admins: a reader key (what the reads need) is
  // refused with PERMISSION_DENIED, reason CALLER_NOT_PERMITTED.
  console.log('Obtain (admin only)');
  const [denied, got] = await call(tokens, 'Obtain', {});
  if (got) {
    // The token never leaves perch; its fingerprint identifies it.
    console.log(`  ${got.token_type} token, fingerprint ${got.token_fingerprint}`);
    expect(got.token_type === 'bearer', 'Obtain: token_type is bearer');
  } else {
    const infos = showError(denied).filter((d) => d.type === 'google.rpc.ErrorInfo');
    stopIfRefused(denied, infos);
    const reasons = infos.map((d) => d.reason);
    expect(denied.code === grpc.status.PERMISSION_DENIED && reasons.join() === 'CALLER_NOT_PERMITTED',
      'Obtain: OK, or PERMISSION_DENIED CALLER_NOT_PERMITTED for a reader key; '
      + `got ${grpc.status[denied.code]} ${reasons}`);
  }

  const timelineRequest = { screen_name: 'perch_dev', page_size: 2 };
  const page = await step('GetTimeline @perch_dev, 2 per page', reads, 'GetTimeline', timelineRequest);
  if (page && expect(page.tweets.length, `GetTimeline: @perch_dev has tweets in ${WORLD}`)) {
    page.tweets.forEach((t) => console.log(tweetLine(t)));
    if (expect(page.next_page_token, 'GetTimeline: @perch_dev has a second page')) {
      // A page token is bound to the request: same fields, plus the token.
      const more = await step('GetTimeline @perch_dev, next page', reads, 'GetTimeline', {
        ...timelineRequest,
        page_token: page.next_page_token,
      });
      if (more && expect(more.tweets.length, 'GetTimeline: the second page has tweets')) {
        more.tweets.forEach((t) => console.log(tweetLine(t)));
        // Ids pass 2^53: compare them as BigInt, never as Number.
        expect(
          BigInt(more.tweets[0].id) < BigInt(page.tweets[page.tweets.length - 1].id),
          'GetTimeline: the second page continues with older tweets',
        );
      }
    }
  }

  const found = await step('Search #perch', reads, 'Search', { query: '#perch', page_size: 5 });
  if (found && expect(found.tweets.length, `Search: #perch finds tweets in ${WORLD}`)) {
    found.tweets.forEach((t) => console.log(tweetLine(t)));
  }

  const followers = await step('GetFollowers @perch_popular, ids only', reads, 'GetFollowers', {
    screen_name: 'perch_popular',
    ids_only: true,
    page_size: 100,
  });
  if (followers && expect(followers.user_ids.length, `GetFollowers: @perch_popular has followers in ${WORLD}`)) {
    console.log(`  ${followers.user_ids.length} ids, first ${followers.user_ids[0]}, more: ${Boolean(followers.next_page_token)}`);
  }

  const listed = await step('GetList perch_dev/engineering, members', reads, 'GetList', {
    slug: { owner_screen_name: 'perch_dev', slug: 'engineering' },
    view: 'VIEW_MEMBERS',
  });
  if (listed) {
    console.log(`  ${listed.list ? listed.list.full_name : '?'}: ${listed.list ? listed.list.member_count : '?'} members`);
    expect(listed.list && listed.list.slug === 'engineering', 'GetList: the list is perch_dev/engineering');
    expect(listed.members.length, `GetList: perch_dev/engineering has members in ${WORLD}`);
  }

  // A mapped error: an unknown user is NOT_FOUND with an ErrorInfo: reason
  // NOT_FOUND from v1.1's 404/50, RESOURCE_NOT_FOUND from v2 (docs/api.md).
  console.log('GetTimeline @no_such_user_zz (expect NOT_FOUND)');
  const [err] = await call(reads, 'GetTimeline', { screen_name: 'no_such_user_zz' });
  if (expect(err, `GetTimeline @no_such_user_zz: NOT_FOUND, but it succeeded (${WORLD} knows no such user)`)) {
    const infos = showError(err).filter((d) => d.type === 'google.rpc.ErrorInfo');
    expect(err.code === grpc.status.NOT_FOUND, `unknown user: NOT_FOUND, got ${grpc.status[err.code]}`);
    if (expect(infos.length === 1, 'unknown user: exactly one ErrorInfo')) {
      expect(['NOT_FOUND', 'RESOURCE_NOT_FOUND'].includes(infos[0].reason),
        `unknown user: reason (RESOURCE_)NOT_FOUND, got ${infos[0].reason}`);
    }
  }

  tokens.close();
  reads.close();
  return verdict('all calls answered as documented');
}

run(main);
