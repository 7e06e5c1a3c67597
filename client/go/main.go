// Command perch-go-example is a tour of perch from Go, with stubs generated
// from protos/ by protoc-gen-go and protoc-gen-go-grpc and built from
// Debian's Go packages in GOPATH mode (nothing is downloaded).
//
// It calls perch as production runs it: over TLS, with the caller's API key
// on every call. It asks for the app token (admin only: a reader key is
// refused with PERMISSION_DENIED, which it shows), calls each of the four
// reads, follows one next_page_token, and provokes one mapped error, decoding
// perch's rich error (grpc-status-details-bin -> google.rpc.Status ->
// ErrorInfo, RetryInfo, ...). It exits 1 if perch does not answer as
// documented, so it doubles as a test, and 4 (as the perch CLI does) if perch
// refuses the key.
//
//	PERCH_API_KEY_FILE=reader.key PERCH_CA_FILE=ca.pem \
//	  build/client/go/perch-go-example --server=perch.example.internal:50051
//
// The key comes from the file PERCH_API_KEY_FILE names (trailing newline
// trimmed), else from PERCH_API_KEY; the CA that signed perch's certificate
// from the file PERCH_CA_FILE names, else the system's CAs. --plaintext is
// for a local perch only (scripts/run's, which runs with --insecure_no_auth).
package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"io/ioutil"
	"os"
	"strconv"
	"strings"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"

	perchv1 "perch/gen/go/perch/v1"
)

const (
	timeout = 60 * time.Second
	world   = "the emulator's synthetic world (perch_dev, perch_popular, #perch, perch_dev/engineering)"
)

// The examples' exit codes: 1 as when perch does not answer as documented
// (also when perch's own app is refused upstream); the perch CLI's
// (client/exit_codes.h) for a usage error and for a caller perch refuses.
const (
	exitFailed = 1
	exitUsage  = 2
	exitDenied = 4
)

var failures []string

// expect records a broken expectation instead of stopping: one run shows all.
func expect(ok bool, format string, args ...interface{}) bool {
	if !ok {
		what := fmt.Sprintf(format, args...)
		failures = append(failures, what)
		fmt.Printf("  FAILED: %s\n", what)
	}
	return ok
}

// showError prints a failed call's code, message and typed details, and
// returns its ErrorInfos. status.Details decodes grpc-status-details-bin
// (a google.rpc.Status) with the types registered by errdetails.
func showError(err error) []*errdetails.ErrorInfo {
	s := status.Convert(err)
	fmt.Printf("  error %s: %s\n", s.Code(), s.Message())
	var infos []*errdetails.ErrorInfo
	for _, d := range s.Details() {
		switch d := d.(type) {
		case *errdetails.ErrorInfo:
			fmt.Printf("  ErrorInfo reason=%s domain=%s metadata=%v\n", d.Reason, d.Domain, d.Metadata)
			infos = append(infos, d)
		case *errdetails.RetryInfo:
			fmt.Printf("  RetryInfo retry after %ds\n", d.RetryDelay.GetSeconds())
		case *errdetails.BadRequest:
			for _, v := range d.FieldViolations {
				fmt.Printf("  BadRequest %s: %s\n", v.Field, v.Description)
			}
		case *errdetails.QuotaFailure:
			for _, v := range d.Violations {
				fmt.Printf("  QuotaFailure %s: %s\n", v.Subject, v.Description)
			}
		default:
			fmt.Printf("  detail %v\n", d)
		}
	}
	return infos
}

// stopIfRefused ends the tour on UNAUTHENTICATED, which fails every call
// alike, saying whose credentials were refused: the code alone does not tell
// (docs/api.md, "Telling them apart"). The caller's key by perch: domain
// perch.v1, reason CALLER_UNAUTHENTICATED. Perch's own app by the upstream:
// domain api.twitter.com (APP_CREDENTIALS_REJECTED, BEARER_TOKEN_REJECTED,
// UNEXPECTED_TOKEN_TYPE), which no change of key can fix.
func stopIfRefused(err error, infos []*errdetails.ErrorInfo) {
	if status.Code(err) != codes.Unauthenticated {
		return
	}
	var reasons []string
	for _, info := range infos {
		if info.Reason == "CALLER_UNAUTHENTICATED" && info.Domain == "perch.v1" {
			fmt.Println("perch refused the API key: check PERCH_API_KEY_FILE / PERCH_API_KEY")
			os.Exit(exitDenied)
		}
		reasons = append(reasons, fmt.Sprintf("%s (%s)", info.Reason, info.Domain))
	}
	fmt.Printf("perch accepted the API key, but the upstream refused perch's own app: %v; "+
		"perch's operator must fix its app credentials\n", reasons)
	os.Exit(exitFailed)
}

// step reports a call's error, if any, as a failure.
func step(what string, err error) bool {
	if err != nil {
		stopIfRefused(err, showError(err))
		return expect(false, "%s: %s", what, status.Code(err))
	}
	return true
}

func usageError(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "perch-go-example: "+format+"\n", args...)
	os.Exit(exitUsage)
}

// apiKey sends `authorization: Bearer <key>` on every call, and only over
// TLS (RequireTransportSecurity).
type apiKey string

func (k apiKey) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + string(k)}, nil
}

func (apiKey) RequireTransportSecurity() bool { return true }

// readAPIKey returns PERCH_API_KEY_FILE's content, else $PERCH_API_KEY. A
// file (a mounted Secret) keeps the key out of the process list and shell
// history; the key is never printed.
func readAPIKey() string {
	path := os.Getenv("PERCH_API_KEY_FILE")
	if path == "" {
		return os.Getenv("PERCH_API_KEY")
	}
	content, err := ioutil.ReadFile(path)
	if err != nil {
		usageError("PERCH_API_KEY_FILE: %v", err)
	}
	return strings.TrimRight(string(content), "\r\n")
}

// dialOptions reach perch over TLS with the API key on every call.
func dialOptions(plaintext bool) []grpc.DialOption {
	if plaintext {
		// local-only: no TLS and no key, for scripts/run's perch on loopback
		// (--insecure_no_auth). Never against a perch other callers share.
		// grpc.WithInsecure is the spelling in Debian's grpc-go 1.33.
		return []grpc.DialOption{grpc.WithInsecure()}
	}
	key := readAPIKey()
	if key == "" {
		usageError("no API key: set PERCH_API_KEY_FILE (or PERCH_API_KEY), " +
			"or --plaintext for a local perch without caller auth")
	}
	transport := credentials.NewTLS(&tls.Config{}) // the system's CAs
	if ca := os.Getenv("PERCH_CA_FILE"); ca != "" {
		var err error
		if transport, err = credentials.NewClientTLSFromFile(ca, ""); err != nil {
			usageError("PERCH_CA_FILE: %v", err)
		}
	}
	return []grpc.DialOption{grpc.WithTransportCredentials(transport), grpc.WithPerRPCCredentials(apiKey(key))}
}

func printTweets(tweets []*perchv1.Tweet) {
	for _, t := range tweets {
		text := t.Text
		if len(text) > 60 {
			text = text[:60]
		}
		fmt.Printf("  %s @%s: %q\n", t.Id, t.GetAuthor().GetScreenName(), text)
	}
}

// olderThan compares decimal tweet ids (they pass 2^53: never use floats).
func olderThan(a, b string) bool {
	x, errA := strconv.ParseUint(a, 10, 64)
	y, errB := strconv.ParseUint(b, 10, 64)
	return errA == nil && errB == nil && x < y
}

func run(server string, plaintext bool) {
	conn, err := grpc.Dial(server, dialOptions(plaintext)...)
	if err != nil {
		expect(false, "dial %s: %v", server, err)
		return
	}
	defer conn.Close()
	tokens := perchv1.NewTokenServiceClient(conn)
	reads := perchv1.NewReadServiceClient(conn)
	// One deadline for the whole tour keeps it bounded.
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()

	// TokenService is for admins: a reader key (what the reads need) is
	// refused with PERMISSION_DENIED, reason CALLER_NOT_PERMITTED.
	fmt.Println("Obtain (admin only)")
	got, err := tokens.Obtain(ctx, &perchv1.ObtainRequest{})
	if err == nil {
		// The token never leaves perch; its fingerprint identifies it.
		fmt.Printf("  %s token, fingerprint %s\n", got.TokenType, got.TokenFingerprint)
		expect(got.TokenType == "bearer", "Obtain: token_type is bearer")
	} else {
		infos := showError(err)
		stopIfRefused(err, infos)
		expect(status.Code(err) == codes.PermissionDenied && len(infos) == 1 && infos[0].Reason == "CALLER_NOT_PERMITTED",
			"Obtain: OK, or PERMISSION_DENIED CALLER_NOT_PERMITTED for a reader key; got %s %v", status.Code(err), infos)
	}

	fmt.Println("GetTimeline @perch_dev, 2 per page")
	timeline := &perchv1.GetTimelineRequest{User: &perchv1.GetTimelineRequest_ScreenName{ScreenName: "perch_dev"}, PageSize: 2}
	page, err := reads.GetTimeline(ctx, timeline)
	if step("GetTimeline", err) && expect(len(page.Tweets) > 0, "GetTimeline: @perch_dev has tweets in %s", world) {
		printTweets(page.Tweets)
		if expect(page.NextPageToken != "", "GetTimeline: @perch_dev has a second page") {
			// A page token is bound to the request: same fields, plus the token.
			fmt.Println("GetTimeline @perch_dev, next page")
			timeline.PageToken = page.NextPageToken
			more, err := reads.GetTimeline(ctx, timeline)
			if step("GetTimeline next page", err) && expect(len(more.Tweets) > 0, "GetTimeline: the second page has tweets") {
				printTweets(more.Tweets)
				expect(olderThan(more.Tweets[0].Id, page.Tweets[len(page.Tweets)-1].Id),
					"GetTimeline: the second page continues with older tweets")
			}
		}
	}

	fmt.Println("Search #perch")
	found, err := reads.Search(ctx, &perchv1.SearchRequest{Query: "#perch", PageSize: 5})
	if step("Search", err) && expect(len(found.Tweets) > 0, "Search: #perch finds tweets in %s", world) {
		printTweets(found.Tweets)
	}

	fmt.Println("GetFollowers @perch_popular, ids only")
	followers, err := reads.GetFollowers(ctx, &perchv1.GetFollowersRequest{
		User: &perchv1.GetFollowersRequest_ScreenName{ScreenName: "perch_popular"}, IdsOnly: true, PageSize: 100})
	if step("GetFollowers", err) && expect(len(followers.UserIds) > 0, "GetFollowers: @perch_popular has followers in %s", world) {
		fmt.Printf("  %d ids, first %s, more: %t\n", len(followers.UserIds), followers.UserIds[0], followers.NextPageToken != "")
	}

	fmt.Println("GetList perch_dev/engineering, members")
	listed, err := reads.GetList(ctx, &perchv1.GetListRequest{
		List: &perchv1.GetListRequest_Slug{Slug: &perchv1.ListSlug{OwnerScreenName: "perch_dev", Slug: "engineering"}},
		View: perchv1.GetListRequest_VIEW_MEMBERS})
	if step("GetList", err) {
		fmt.Printf("  %s: %d members\n", listed.GetList().GetFullName(), listed.GetList().GetMemberCount())
		expect(listed.GetList().GetSlug() == "engineering", "GetList: the list is perch_dev/engineering")
		expect(len(listed.Members) > 0, "GetList: perch_dev/engineering has members in %s", world)
	}

	// A mapped error: an unknown user is NOT_FOUND with an ErrorInfo saying
	// why: reason NOT_FOUND from v1.1's 404/50, RESOURCE_NOT_FOUND from v2.
	fmt.Println("GetTimeline @no_such_user_zz (expect NOT_FOUND)")
	_, err = reads.GetTimeline(ctx, &perchv1.GetTimelineRequest{
		User: &perchv1.GetTimelineRequest_ScreenName{ScreenName: "no_such_user_zz"}})
	if expect(err != nil, "GetTimeline @no_such_user_zz: NOT_FOUND, but it succeeded (%s knows no such user)", world) {
		infos := showError(err)
		expect(status.Code(err) == codes.NotFound, "unknown user: NOT_FOUND, got %s", status.Code(err))
		if expect(len(infos) == 1, "unknown user: exactly one ErrorInfo") {
			reason := infos[0].Reason
			expect(reason == "NOT_FOUND" || reason == "RESOURCE_NOT_FOUND",
				"unknown user: reason (RESOURCE_)NOT_FOUND, got %s", reason)
		}
	}
}

func main() {
	server := flag.String("server", "localhost:50051", "perch's HOST:PORT")
	plaintext := flag.Bool("plaintext", false, "local-only: no TLS, no API key (a perch run with --insecure_no_auth)")
	flag.Parse()
	run(*server, *plaintext)
	if len(failures) > 0 {
		fmt.Printf("\n%d expectation(s) failed:\n", len(failures))
		for _, f := range failures {
			fmt.Printf("  - %s\n", f)
		}
		os.Exit(exitFailed)
	}
	fmt.Println("\nall calls answered as documented")
}
