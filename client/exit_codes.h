// The perch CLI's process exit codes: one per class of outcome, so scripts
// (and the Docker HEALTHCHECK) can branch without parsing text. `perch --help`
// prints the same table.
#ifndef PERCH_CLIENT_EXIT_CODES_H_
#define PERCH_CLIENT_EXIT_CODES_H_

namespace perch::client {

// Exit codes of the `perch` binary. Stable: scripts depend on them.
//   0  ok (for `perch health`: the server answered SERVING)
//   1  local failure that is no gRPC outcome (e.g. a response that cannot be
//      printed as JSON, or a server that repeats a page token)
//   2  usage error (also: a --*_file that cannot be read or does not hold
//      what it should), or INVALID_ARGUMENT / OUT_OF_RANGE from the server
//   3  NOT_FOUND
//   4  PERMISSION_DENIED or UNAUTHENTICATED
//   5  RESOURCE_EXHAUSTED (rate limited; see "retry after")
//   6  UNAVAILABLE or DEADLINE_EXCEEDED (also: health is not SERVING)
//   7  any other server-side error: INTERNAL, UNKNOWN, UNIMPLEMENTED, ...
//   8  FAILED_PRECONDITION
enum ExitCode : int {
  kExitOk = 0,
  kExitLocalFailure = 1,
  kExitUsage = 2,
  kExitNotFound = 3,
  kExitDenied = 4,
  kExitRateLimited = 5,
  kExitUnavailable = 6,
  kExitServerError = 7,
  kExitFailedPrecondition = 8,
};

}  // namespace perch::client

#endif  // PERCH_CLIENT_EXIT_CODES_H_
