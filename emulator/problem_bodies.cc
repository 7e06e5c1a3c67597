#include "emulator/problem_bodies.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace perch::emulator {
namespace {

// v2 answers with a space before charset, unlike v1.1.
constexpr absl::string_view kV2ContentType = "application/json; charset=utf-8";
constexpr absl::string_view kProblemContentType = "application/problem+json";
// Real bodies still name the old host (§3.1).
constexpr absl::string_view kProblemTypePrefix =
    "https://api.twitter.com/2/problems/";

Response WithContentType(int status, std::string body,
                         absl::string_view content_type) {
  Response response;
  response.status = status;
  response.headers.emplace_back("content-type", std::string(content_type));
  response.body = std::move(body);
  return response;
}

std::string ProblemType(absl::string_view name) {
  return absl::StrCat(kProblemTypePrefix, name);
}

// {"title":T,"type":"about:blank","status":N,"detail":T}, member order as
// recorded (§3.3).
Response AboutBlank(int status, absl::string_view title) {
  return WithContentType(status,
                         absl::StrCat(R"({"title":")", title,
                                      R"(","type":"about:blank","status":)",
                                      status, R"(,"detail":")", title, R"("})"),
                         kProblemContentType);
}

// A v2 JSON object answer whose members `write` puts into the open object, in
// the order the recorded original has them.
template <typename Write>
Response V2Object(int status, Write write) {
  JsonWriter out(JsonDialect::kV2);
  out.BeginObject();
  write(out);
  out.EndObject();
  return V2JsonResponse(status, out.Release());
}

}  // namespace

Response V2JsonResponse(int status, std::string body) {
  return WithContentType(status, std::move(body), kV2ContentType);
}

Response V2Unauthorized() { return AboutBlank(401, "Unauthorized"); }

Response V2TooManyRequests() { return AboutBlank(429, "Too Many Requests"); }

Response V2UnsupportedAuthentication() {
  return V2Object(403, [](JsonWriter& out) {
    out.Field("title", "Unsupported Authentication");
    // The double space after "endpoint." is in the recorded original.
    out.Field("detail",
              "Authenticating with OAuth 2.0 Application-Only is forbidden for "
              "this endpoint.  Supported authentication types are [OAuth 1.0a "
              "User Context, OAuth 2.0 User Context].");
    out.Field("type", ProblemType("unsupported-authentication"));
    out.Key("status").Int(403);
  });
}

Response V2ClientNotEnrolled() {
  return V2Object(403, [](JsonWriter& out) {
    out.Field("client_id", "27988566");
    out.Field(
        "detail",
        "When authenticating requests to the Twitter API v2 endpoints, you "
        "must use keys and tokens from a Twitter developer App that is "
        "attached to a Project. You can create a project via the developer "
        "portal.");
    out.Field("registration_url",
              "https://developer.twitter.com/en/docs/projects/overview");
    out.Field("title", "Client Forbidden");
    out.Field("required_enrollment", "Appropriate Level of API Access");
    out.Field("reason", "client-not-enrolled");
    out.Field("type", ProblemType("client-forbidden"));
  });
}

Response V2CreditsDepleted(absl::string_view account_id) {
  return V2Object(402, [account_id](JsonWriter& out) {
    out.Field("title", "CreditsDepleted");
    out.Field("detail", absl::StrCat("Your enrolled account [", account_id,
                                     "] does not have any credits to fulfill "
                                     "this request."));
    out.Field("type", ProblemType("credits"));
  });
}

Response V2UsageCapped(absl::string_view account_id) {
  return V2Object(429, [account_id](JsonWriter& out) {
    out.Key("account_id").Raw(account_id);
    out.Field("product_name", "standard-basic");
    out.Field("title", "UsageCapExceeded");
    out.Field("period", "Monthly");
    out.Field("scope", "Product");
    out.Field("detail", "Usage cap exceeded: Monthly product cap");
    out.Field("type", ProblemType("usage-capped"));
  });
}

Response V2InvalidRequest(absl::Span<const InvalidParameter> problems) {
  return V2Object(400, [problems](JsonWriter& out) {
    out.Key("errors").BeginArray();
    for (const InvalidParameter& p : problems) {
      out.BeginObject().Key("parameters").BeginObject();
      out.Key(p.name).BeginArray().String(p.value).EndArray();
      out.EndObject();
      out.Field("message", p.message);
      out.EndObject();
    }
    out.EndArray();
    out.Field("title", "Invalid Request");
    out.Field("detail", "One or more parameters to your request was invalid.");
    out.Field("type", ProblemType("invalid-request"));
  });
}

PartialError NotFoundError(absl::string_view resource_type,
                           absl::string_view parameter,
                           absl::string_view value) {
  PartialError e;
  e.value = std::string(value);
  e.detail = absl::StrCat("Could not find ", resource_type, " with ", parameter,
                          ": [", value, "].");
  e.title = "Not Found Error";
  e.resource_type = std::string(resource_type);
  e.parameter = std::string(parameter);
  e.resource_id = std::string(value);
  e.type = "resource-not-found";
  return e;
}

PartialError SuspendedError(absl::string_view parameter,
                            absl::string_view value) {
  PartialError e = NotFoundError("user", parameter, value);
  e.detail = absl::StrCat("User has been suspended: [", value, "].");
  e.title = "Forbidden";
  return e;
}

PartialError NotAuthorizedError(absl::string_view resource_type,
                                absl::string_view parameter,
                                absl::string_view value,
                                absl::string_view section) {
  PartialError e;
  e.value = std::string(value);
  e.parameter = std::string(parameter);
  e.resource_type = std::string(resource_type);
  e.section = std::string(section);
  e.title = "Authorization Error";
  e.detail = absl::StrCat("Sorry, you are not authorized to see the ",
                          resource_type == "tweet" ? "Tweet" : resource_type,
                          " with ", parameter, ": [", value, "].");
  e.type = "not-authorized-for-resource";
  return e;
}

void WritePartialError(const PartialError& error, JsonWriter& out) {
  out.BeginObject();
  auto field = [&out](absl::string_view key, const std::string& value) {
    if (!value.empty()) out.Field(key, value);
  };
  field("value", error.value);
  field("detail", error.detail);
  field("title", error.title);
  field("resource_type", error.resource_type);
  field("parameter", error.parameter);
  field("resource_id", error.resource_id);
  field("section", error.section);
  out.Field("type", ProblemType(error.type));
  out.EndObject();
}

Response V2ErrorsOnly(absl::Span<const PartialError> errors) {
  return V2Object(200, [errors](JsonWriter& out) {
    out.Key("errors").BeginArray();
    for (const PartialError& e : errors) WritePartialError(e, out);
    out.EndArray();
  });
}

}  // namespace perch::emulator
