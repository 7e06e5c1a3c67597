#!/usr/bin/env node
// perch from Node.js with no .proto file at all: everything is discovered
// through gRPC server reflection (grpc-js-reflection-client), as grpcurl and
// GUI clients do.
//
// Lists the services (over reflection v1, checking v1alpha says the same),
// describes every method with its request fields, then makes the tour of
// perch_example.js with JSON requests, as a user would type them into
// `grpcurl -d`: Obtain, the four reads, one next_page_token followed, and
// failing calls whose google.rpc details are decoded with descriptors fetched
// by the type names in the error itself. Exits 1 if anything is missing or
// wrong, so it doubles as a test, and 4 if perch refuses the API key. Over
// TLS with the caller's key, as perch_example.js (see perch_credentials.js);
// with a reader key, Obtain is shown refused (admin only).
//
//   npm ci && PERCH_API_KEY_FILE=reader.key PERCH_CA_FILE=ca.pem \
//     node client/node/reflection_example.js --server=perch.example.internal:50051
'use strict';

const grpc = require('@grpc/grpc-js');
const { GrpcReflection } = require('grpc-js-reflection-client');
const { expect, verdict, run } = require('./expectations');
const { perchCredentials, stopIfRefused } = require('./perch_credentials');

const TIMEOUT_MS = 10_000;
// The services every perch server exposes.
const EXPECTED_SERVICES = [
  'grpc.health.v1.Health',
  'grpc.reflection.v1.ServerReflection',
  'grpc.reflection.v1alpha.ServerReflection',
  'perch.v1.ReadService',
  'perch.v1.TokenService',
];
const WORLD =
  "the emulator's synthetic world (perch_dev, perch_popular, #perch, perch_dev/engineering)";

// [service, method, JSON request, the repeated reply field that must not be empty].
const TOUR = [
  ['perch.v1.TokenService', 'Obtain', '{}', null],
  ['perch.v1.ReadService', 'GetTimeline', '{"screen_name": "perch_dev", "page_size": 2}', 'tweets'],
  ['perch.v1.ReadService', 'Search', '{"query": "#perch", "page_size": 5}', 'tweets'],
  ['perch.v1.ReadService', 'GetFollowers', '{"screen_name": "perch_popular", "ids_only": true, "page_size": 100}', 'user_ids'],
  ['perch.v1.ReadService', 'GetList',
    '{"slug": {"owner_screen_name": "perch_dev", "slug": "engineering"}, "view": "VIEW_MEMBERS"}', 'members'],
];
// [JSON request to GetTimeline, expected code, expected ErrorInfo.reason].
const FAILING = [
  // v2's resource-not-found inside a 200, mapped by perch (a v1.1 perch
  // maps the 404/50 to reason NOT_FOUND instead).
  ['{"screen_name": "no_such_user_zz"}', 'NOT_FOUND', 'RESOURCE_NOT_FOUND'],
  // Refused by perch's validation ('@' is not part of a handle): BadRequest.
  ['{"screen_name": "@perch_dev"}', 'INVALID_ARGUMENT', 'INVALID_REQUEST'],
];

const typeName = (t) => t.replace(/^\./, '');
const describeFields = (type) => type.fieldsArray
  .map((f) => `${f.repeated ? 'repeated ' : ''}${typeName(f.type)} ${f.name} = ${f.id}`).join('; ');

// A reply in one line: counts for lists, values for the rest.
function summary(reply) {
  return Object.entries(reply)
    .filter(([, v]) => v !== null && v !== '' && !(Array.isArray(v) && v.length === 0))
    .map(([k, v]) => (Array.isArray(v) ? `${k}: ${v.length}` : `${k}: ${typeof v === 'object' ? '{...}' : v}`))
    .join(', ');
}

async function main() {
  const arg = process.argv.find((a) => a.startsWith('--server='));
  const server = arg ? arg.slice('--server='.length) : 'localhost:50051';
  // Reflection is open to every caller; the calls need the key.
  const credentials = perchCredentials();
  const deadline = () => ({ deadline: Date.now() + TIMEOUT_MS });
  // v1 first, as current clients ask; v1alpha for older ones.
  const reflection = new GrpcReflection(server, credentials, {}, 'v1');
  const legacy = new GrpcReflection(server, credentials, {}, 'v1alpha');

  const services = (await reflection.listServices('*', deadline())).sort();
  console.log(`services (reflection v1): ${services.join(', ')}`);
  expect(JSON.stringify(services) === JSON.stringify(EXPECTED_SERVICES), `services are ${EXPECTED_SERVICES.join(', ')}`);
  const legacyServices = (await legacy.listServices('*', deadline())).sort();
  expect(JSON.stringify(legacyServices) === JSON.stringify(services), 'reflection v1alpha lists the same services');

  // describe: every method's types and the request's fields, all from the
  // server. Keep a client per service for the calls below.
  const clients = {};
  let methods = 0;
  for (const service of services) {
    const descriptor = await reflection.getDescriptorBySymbol(service, deadline());
    for (const method of descriptor.getProtobufJsRoot().lookupService(service).methodsArray) {
      method.resolve();
      const [req, res] = [method.resolvedRequestType, method.resolvedResponseType];
      console.log(`rpc ${service}.${method.name}(${method.requestStream ? 'stream ' : ''}${req.name})`
        + ` returns (${method.responseStream ? 'stream ' : ''}${res.name})`);
      console.log(`  ${req.name} { ${describeFields(req)} }`);
      expect(res.fieldsArray.length, `${service}.${method.name}: the reply type has fields`);
      methods += 1;
    }
    // keepCase: JSON keys are the proto field names, as in perch's docs.
    const pkg = descriptor.getPackageObject({ keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
    const Client = service.split('.').reduce((o, k) => o[k], pkg);
    clients[service] = new Client(server, credentials);
  }
  expect(methods === 10, `10 methods described (Token 2, Read 4, Health 2, reflection 2), got ${methods}`);

  const call = (service, method, json) => new Promise((resolve) => {
    console.log(`${service}/${method} ${json}`);
    clients[service][method](JSON.parse(json), deadline(), (err, reply) => resolve([err, reply]));
  });

  // The error details are a google.rpc.Status whose Any details name their
  // own types: reflection supplies every descriptor needed to read them.
  const typeOf = async (name) => (await reflection.getDescriptorBySymbol(name, deadline()))
    .getProtobufJsRoot().lookupType(name);
  const Status = await typeOf('google.rpc.Status');
  // Prints a failed call and returns its ErrorInfos (null without details).
  const errorInfos = async (err) => {
    console.log(`  error ${grpc.status[err.code]}: ${err.details}`);
    const [bin] = err.metadata.get('grpc-status-details-bin');
    if (!bin) return null;
    const infos = [];
    for (const any of Status.decode(bin).details) {
      const name = any.typeUrl.slice(any.typeUrl.lastIndexOf('/') + 1);
      const type = await typeOf(name);
      const detail = type.toObject(type.decode(any.value), { longs: String });
      console.log(`  ${name} ${JSON.stringify(detail)}`);
      if (name === 'google.rpc.ErrorInfo') infos.push(detail);
    }
    return infos;
  };

  for (const [service, method, json, listField] of TOUR) {
    const [err, reply] = await call(service, method, json);
    if (err && method === 'Obtain') {
      // TokenService is for admins: a reader key (what the reads need) is
      // refused with PERMISSION_DENIED, reason CALLER_NOT_PERMITTED.
      const infos = await errorInfos(err);
      stopIfRefused(err, infos);
      const reasons = (infos || []).map((i) => i.reason).join();
      expect(err.code === grpc.status.PERMISSION_DENIED && reasons === 'CALLER_NOT_PERMITTED',
        `Obtain: OK, or PERMISSION_DENIED CALLER_NOT_PERMITTED for a reader key; got ${grpc.status[err.code]} ${reasons}`);
      continue;
    }
    if (err) stopIfRefused(err, await errorInfos(err));
    if (!expect(!err, `${method} succeeds${err ? `, got ${grpc.status[err.code]}: ${err.details}` : ''}`)) continue;
    console.log(`  ${summary(reply)}`);
    if (listField) expect(reply[listField].length, `${method}: ${listField} not empty in ${WORLD}`);
    // Follow one page: the same request plus the token it was given.
    if (method === 'GetTimeline' && expect(reply.next_page_token, 'GetTimeline: a second page')) {
      const next = JSON.stringify({ ...JSON.parse(json), page_token: reply.next_page_token });
      const [err2, more] = await call(service, method, next);
      if (expect(!err2, 'GetTimeline: the second page succeeds') && expect(more.tweets.length, 'the second page has tweets')) {
        console.log(`  ${summary(more)}`);
        // Ids pass 2^53: compare them as BigInt, never as Number.
        expect(BigInt(more.tweets[0].id) < BigInt(reply.tweets[reply.tweets.length - 1].id),
          'GetTimeline: the second page continues with older tweets');
      }
    }
  }

  for (const [json, code, reason] of FAILING) {
    const [err] = await call('perch.v1.ReadService', 'GetTimeline', json);
    if (!expect(err, `GetTimeline ${json} fails with ${code}`)) continue;
    const infos = await errorInfos(err);
    expect(grpc.status[err.code] === code, `${json}: ${code}, got ${grpc.status[err.code]}`);
    if (!expect(infos, `${json}: the error carries grpc-status-details-bin`)) continue;
    if (expect(infos.length === 1, `${json}: exactly one ErrorInfo`)) {
      expect(infos[0].reason === reason, `${json}: reason ${reason}, got ${infos[0].reason}`);
    }
  }

  Object.values(clients).forEach((c) => c.close());
  return verdict('everything discovered, called and decoded through reflection alone');
}

run(main);
