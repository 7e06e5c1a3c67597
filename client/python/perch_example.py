#!/usr/bin/python3
"""A tour of perch from Python, with stubs generated from protos/.

Calls perch as production runs it: over TLS, with the caller's API key on
every call. Asks for the app token (admin only: a reader key is refused with
PERMISSION_DENIED, which it shows), calls each of the four reads, follows one
next_page_token, and provokes one mapped error, decoding perch's rich error
(grpc-status-details-bin -> google.rpc.Status -> ErrorInfo, RetryInfo, ...).
Exits 1 if perch does not answer as documented, so it doubles as a test, and
4 (as the perch CLI does) if perch refuses the key.

    PERCH_API_KEY_FILE=reader.key PERCH_CA_FILE=ca.pem \\
    PYTHONPATH=build/client/python/gen /usr/bin/python3 \\
        client/python/perch_example.py --server=perch.example.internal:50051

The key comes from the file PERCH_API_KEY_FILE names (trailing newline
trimmed), else from PERCH_API_KEY; the CA that signed perch's certificate from
the file PERCH_CA_FILE names, else the system's CAs. --plaintext is for a
local perch only (scripts/run's, which runs with --insecure_no_auth).

Uses Debian's python3-grpcio and python3-protobuf: run it with /usr/bin/python3
(another python3 on PATH may have no grpc).
"""

import argparse
import os
import sys

try:
    import grpc
    from google.rpc import error_details_pb2, status_pb2
    from perch.v1 import read_service_pb2 as read
    from perch.v1 import read_service_pb2_grpc
    from perch.v1 import token_service_pb2 as token
    from perch.v1 import token_service_pb2_grpc
except ImportError as e:
    sys.exit(
        f"perch_example: {e}. Needs Debian's python3-grpcio and python3-protobuf "
        "(scripts/install-deps) under /usr/bin/python3, and the generated stubs "
        "on PYTHONPATH (build/client/python/gen)."
    )

TIMEOUT_S = 10
# The example's exit codes: 1 as when perch does not answer as documented
# (also when perch's own app is refused upstream); the perch CLI's
# (client/exit_codes.h) for a usage error and for a caller perch refuses.
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_DENIED = 4
# The emulator's synthetic world (emulator/): fixtures these calls rely on.
WORLD = "the emulator's synthetic world (perch_dev, perch_popular, #perch, perch_dev/engineering)"

failures = []


def expect(ok, what):
    """Records a broken expectation instead of stopping: one run shows all."""
    if not ok:
        failures.append(what)
        print(f"  FAILED: {what}")
    return ok


def rich_status(err):
    """perch's google.rpc.Status from a failed call's trailers, or None."""
    for key, value in err.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            return status_pb2.Status.FromString(value)
    return None


DETAIL_TYPES = (
    error_details_pb2.ErrorInfo,
    error_details_pb2.RetryInfo,
    error_details_pb2.BadRequest,
    error_details_pb2.QuotaFailure,
)


def details_of(status):
    """The typed messages packed in status.details, in order."""
    out = []
    for any_detail in status.details:
        for cls in DETAIL_TYPES:
            if any_detail.Is(cls.DESCRIPTOR):
                message = cls()
                any_detail.Unpack(message)
                out.append(message)
    return out


def show_error(err):
    print(f"  error {err.code().name}: {err.details()}")
    status = rich_status(err)
    if status is None:
        print("  (no grpc-status-details-bin)")
        return []
    details = details_of(status)
    for d in details:
        if isinstance(d, error_details_pb2.ErrorInfo):
            print(f"  ErrorInfo reason={d.reason} domain={d.domain} metadata={dict(d.metadata)}")
        elif isinstance(d, error_details_pb2.RetryInfo):
            print(f"  RetryInfo retry after {d.retry_delay.ToTimedelta()}")
        elif isinstance(d, error_details_pb2.BadRequest):
            for v in d.field_violations:
                print(f"  BadRequest {v.field}: {v.description}")
        elif isinstance(d, error_details_pb2.QuotaFailure):
            for v in d.violations:
                print(f"  QuotaFailure {v.subject}: {v.description}")
    return details


def stop_if_refused(err, details):
    """UNAUTHENTICATED fails every call alike: say whose credentials, and stop.

    The code alone does not say who was refused (docs/api.md, "Telling them
    apart"): the caller's key by perch (domain perch.v1, reason
    CALLER_UNAUTHENTICATED), or perch's own app by the upstream (domain
    api.twitter.com: APP_CREDENTIALS_REJECTED, BEARER_TOKEN_REJECTED,
    UNEXPECTED_TOKEN_TYPE), which no change of key can fix.
    """
    if err.code() != grpc.StatusCode.UNAUTHENTICATED:
        return
    infos = [d for d in details if isinstance(d, error_details_pb2.ErrorInfo)]
    if any(i.reason == "CALLER_UNAUTHENTICATED" and i.domain == "perch.v1" for i in infos):
        print("perch refused the API key: check PERCH_API_KEY_FILE / PERCH_API_KEY")
        sys.exit(EXIT_DENIED)
    reasons = ", ".join(f"{i.reason} ({i.domain})" for i in infos) or "no ErrorInfo"
    print(f"perch accepted the API key, but the upstream refused perch's own app: {reasons}; "
          "perch's operator must fix its app credentials")
    sys.exit(EXIT_FAILED)


def call(what, method, request):
    """Calls method(request); prints and returns the reply, or None on error."""
    print(what)
    try:
        return method(request, timeout=TIMEOUT_S)
    except grpc.RpcError as err:
        stop_if_refused(err, show_error(err))
        expect(False, f"{what}: {err.code().name}")
        return None


def usage_error(message):
    print(f"perch_example: {message}", file=sys.stderr)
    sys.exit(EXIT_USAGE)


def read_api_key():
    """The caller's key: PERCH_API_KEY_FILE's content, else $PERCH_API_KEY.

    A file (a mounted Secret) keeps the key out of the process list and shell
    history; it is never printed."""
    path = os.environ.get("PERCH_API_KEY_FILE")
    if path:
        try:
            with open(path, encoding="utf-8") as f:
                return f.read().rstrip("\r\n")
        except OSError as e:
            usage_error(f"PERCH_API_KEY_FILE: {e.strerror}: {path}")
    return os.environ.get("PERCH_API_KEY", "")


def open_channel(args):
    """A channel to perch: TLS, with the API key sent on every call."""
    if args.plaintext:
        # local-only: no TLS and no key, for scripts/run's perch on loopback
        # (--insecure_no_auth). Never against a perch other callers share.
        return grpc.insecure_channel(args.server)
    key = read_api_key()
    if not key:
        usage_error("no API key: set PERCH_API_KEY_FILE (or PERCH_API_KEY), "
                    "or --plaintext for a local perch without caller auth")
    ca = None  # None: the system's CAs.
    if os.environ.get("PERCH_CA_FILE"):
        try:
            with open(os.environ["PERCH_CA_FILE"], "rb") as f:
                ca = f.read()
        except OSError as e:
            usage_error(f"PERCH_CA_FILE: {e.strerror}: {os.environ['PERCH_CA_FILE']}")
    # access_token_call_credentials sends `authorization: Bearer <key>`, and
    # gRPC sends call credentials over TLS only.
    return grpc.secure_channel(args.server, grpc.composite_channel_credentials(
        grpc.ssl_channel_credentials(root_certificates=ca),
        grpc.access_token_call_credentials(key)))


def tweet_line(t):
    return f"  {t.id} @{t.author.screen_name}: {t.text[:60]!r}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="localhost:50051", help="perch's HOST:PORT")
    parser.add_argument("--plaintext", action="store_true",
                        help="local-only: no TLS, no API key (a perch run with --insecure_no_auth)")
    args = parser.parse_args()

    with open_channel(args) as channel:
        tokens = token_service_pb2_grpc.TokenServiceStub(channel)
        reads = read_service_pb2_grpc.ReadServiceStub(channel)

        # TokenService is for admins: a reader key (what the reads need) is
        # refused with PERMISSION_DENIED, reason CALLER_NOT_PERMITTED.
        print("Obtain (admin only)")
        try:
            got = tokens.Obtain(token.ObtainRequest(), timeout=TIMEOUT_S)
            # The token never leaves perch; its fingerprint identifies it.
            print(f"  {got.token_type} token, fingerprint {got.token_fingerprint}")
            expect(got.token_type == "bearer", "Obtain: token_type is bearer")
        except grpc.RpcError as err:
            details = show_error(err)
            stop_if_refused(err, details)
            reasons = [d.reason for d in details if isinstance(d, error_details_pb2.ErrorInfo)]
            expect(err.code() == grpc.StatusCode.PERMISSION_DENIED
                   and reasons == ["CALLER_NOT_PERMITTED"],
                   f"Obtain: OK, or PERMISSION_DENIED CALLER_NOT_PERMITTED for a reader key; "
                   f"got {err.code().name} {reasons}")

        timeline_request = read.GetTimelineRequest(screen_name="perch_dev", page_size=2)
        page = call("GetTimeline @perch_dev, 2 per page", reads.GetTimeline, timeline_request)
        if page and expect(page.tweets, f"GetTimeline: @perch_dev has tweets in {WORLD}"):
            for t in page.tweets:
                print(tweet_line(t))
            if expect(page.next_page_token, "GetTimeline: @perch_dev has a second page"):
                # A page token is bound to the request: same fields, new token.
                timeline_request.page_token = page.next_page_token
                more = call("GetTimeline @perch_dev, next page", reads.GetTimeline,
                            timeline_request)
                if more and expect(more.tweets, "GetTimeline: the second page has tweets"):
                    for t in more.tweets:
                        print(tweet_line(t))
                    expect(
                        int(more.tweets[0].id) < int(page.tweets[-1].id),
                        "GetTimeline: the second page continues with older tweets",
                    )

        found = call("Search #perch", reads.Search, read.SearchRequest(query="#perch", page_size=5))
        if found and expect(found.tweets, f"Search: #perch finds tweets in {WORLD}"):
            for t in found.tweets:
                print(tweet_line(t))

        followers = call(
            "GetFollowers @perch_popular, ids only",
            reads.GetFollowers,
            read.GetFollowersRequest(screen_name="perch_popular", ids_only=True, page_size=100),
        )
        if followers and expect(followers.user_ids,
                                f"GetFollowers: @perch_popular has followers in {WORLD}"):
            print(f"  {len(followers.user_ids)} ids, first {followers.user_ids[0]}, "
                  f"more: {bool(followers.next_page_token)}")

        listed = call(
            "GetList perch_dev/engineering, members",
            reads.GetList,
            read.GetListRequest(
                slug=read.ListSlug(owner_screen_name="perch_dev", slug="engineering"),
                view=read.GetListRequest.VIEW_MEMBERS,
            ),
        )
        if listed:
            print(f"  {listed.list.full_name}: {listed.list.member_count} members")
            expect(listed.list.slug == "engineering", "GetList: the list is perch_dev/engineering")
            expect(listed.members, f"GetList: perch_dev/engineering has members in {WORLD}")

        # A mapped error: an unknown user is NOT_FOUND with an ErrorInfo
        # saying why: reason NOT_FOUND from v1.1's 404/50, RESOURCE_NOT_FOUND
        # from v2's resource-not-found (docs/api.md).
        print("GetTimeline @no_such_user_zz (expect NOT_FOUND)")
        try:
            reads.GetTimeline(read.GetTimelineRequest(screen_name="no_such_user_zz"),
                              timeout=TIMEOUT_S)
            expect(False, "GetTimeline @no_such_user_zz: NOT_FOUND, but it succeeded "
                          f"({WORLD} knows no such user)")
        except grpc.RpcError as err:
            details = show_error(err)
            expect(err.code() == grpc.StatusCode.NOT_FOUND,
                   f"unknown user: NOT_FOUND, got {err.code().name}")
            infos = [d for d in details if isinstance(d, error_details_pb2.ErrorInfo)]
            if expect(len(infos) == 1, "unknown user: exactly one ErrorInfo"):
                expect(infos[0].reason in ("NOT_FOUND", "RESOURCE_NOT_FOUND"),
                       f"unknown user: reason (RESOURCE_)NOT_FOUND, got {infos[0].reason}")

    if failures:
        print(f"\n{len(failures)} expectation(s) failed:")
        for f in failures:
            print(f"  - {f}")
        return EXIT_FAILED
    print("\nall calls answered as documented")
    return 0


if __name__ == "__main__":
    sys.exit(main())
