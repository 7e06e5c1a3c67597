// The X API v2 answers the integration suites inject through the emulator's
// faults, byte for byte as UPSTREAM-V2.md section 3 quotes the real ones
// (the two invalid-request bodies keep section 3.4's shape with other
// parameters): problem bodies of whole-request failures and the errors a 200
// carries instead of data.
#ifndef PERCH_TESTS_INTEGRATION_V2_BODIES_H_
#define PERCH_TESTS_INTEGRATION_V2_BODIES_H_

namespace perch::testing::v2_bodies {

// --- Inside a 200, without data (section 3.2) ---
inline constexpr char kNotFound[] =
    R"({"errors":[{"value":"2244994945","detail":"Could not find user with id: [2244994945].","title":"Not Found Error","resource_type":"user","parameter":"id","resource_id":"2244994945","type":"https://api.twitter.com/2/problems/resource-not-found"}]})";
inline constexpr char kSuspended[] =
    R"({"errors":[{"parameter":"id","resource_id":"2244994945","value":"2244994945","detail":"User has been suspended: [2244994945].","title":"Forbidden","resource_type":"user","type":"https://api.twitter.com/2/problems/resource-not-found"}]})";
inline constexpr char kProtected[] =
    R"({"errors":[{"value":"123","parameter":"id","resource_type":"user","section":"data","title":"Authorization Error","detail":"Sorry, you are not authorized to see the user with id: [123].","type":"https://api.twitter.com/2/problems/not-authorized-for-resource"}]})";

// --- Problems (sections 3.3-3.9) ---
inline constexpr char kUnauthorized[] =
    R"({"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"})";
inline constexpr char kClientNotEnrolled[] =
    R"({"client_id":"27988566","detail":"When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens from a Twitter developer App that is attached to a Project. You can create a project via the developer portal.","registration_url":"https://developer.twitter.com/en/docs/projects/overview","title":"Client Forbidden","required_enrollment":"Appropriate Level of API Access","reason":"client-not-enrolled","type":"https://api.twitter.com/2/problems/client-forbidden"})";
inline constexpr char kUnsupportedAuthentication[] =
    R"({"title":"Unsupported Authentication","detail":"Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  Supported authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context].","type":"https://api.twitter.com/2/problems/unsupported-authentication","status":403})";
inline constexpr char kCreditsDepleted[] =
    R"({"title":"CreditsDepleted","detail":"Your enrolled account [1234567890123456789] does not have any credits to fulfill this request.","type":"https://api.twitter.com/2/problems/credits"})";
inline constexpr char kUsageCapped[] =
    R"({"account_id":"1234567890123456789","product_name":"standard-basic","title":"UsageCapExceeded","period":"Monthly","scope":"Product","detail":"Usage cap exceeded: Monthly product cap","type":"https://api.twitter.com/2/problems/usage-capped"})";
// The host SPEC167 and docs.x.com write; only the last segment decides.
inline constexpr char kUsageCappedOnApiXCom[] =
    R"({"title":"UsageCapExceeded","period":"Monthly","scope":"Product","detail":"Usage cap exceeded: Monthly product cap","type":"https://api.x.com/2/problems/usage-capped"})";
inline constexpr char kTooManyRequests[] =
    R"({"title":"Too Many Requests","type":"about:blank","status":429,"detail":"Too Many Requests"})";
// About a parameter perch chose.
inline constexpr char kInvalidMaxResults[] =
    R"({"errors":[{"parameters":{"max_results":["3"]},"message":"The `max_results` query parameter value [3] is not between 5 and 100"}],"title":"Invalid Request","detail":"One or more parameters to your request was invalid.","type":"https://api.twitter.com/2/problems/invalid-request"})";
// About the caller's search query.
inline constexpr char kInvalidQuery[] =
    R"json({"errors":[{"parameters":{"query":["from:"]},"message":"There were errors processing your request: Reference to invalid field 'from' (at position 1)"}],"title":"Invalid Request","detail":"One or more parameters to your request was invalid.","type":"https://api.twitter.com/2/problems/invalid-request"})json";
inline constexpr char kInternalServerError[] =
    R"({"title":"Internal Server Error","type":"about:blank","status":500,"detail":"Internal Server Error"})";
inline constexpr char kServiceUnavailable[] =
    R"({"title":"Service Unavailable","detail":"Service Unavailable","type":"about:blank","status":503})";

}  // namespace perch::testing::v2_bodies

#endif  // PERCH_TESTS_INTEGRATION_V2_BODIES_H_
