#include "bench/emulator_admin.h"

#include <curl/curl.h>

#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "bench/upstream_timeline.h"
#include "server/mapping/token_json.h"
#include "server/mapping/v2_json.h"
#include "simdjson.h"

namespace perch::bench {
namespace {

size_t OnBody(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

}  // namespace

absl::StatusOr<std::string> EmulatorAdmin::Call(
    absl::string_view method, absl::string_view path, absl::string_view body,
    absl::string_view authorization) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> easy(curl_easy_init(),
                                                           &curl_easy_cleanup);
  const std::string url = absl::StrCat(base_url_, path);
  const std::string method_str(method);
  const std::string body_str(body);
  std::string response;
  curl_slist* headers = nullptr;
  if (!authorization.empty()) {
    headers = curl_slist_append(
        headers, absl::StrCat("Authorization: ", authorization).c_str());
  }
  // Authorized calls with a body are the token request (a form); the admin
  // endpoints take JSON. A GET sends neither, as perch's reads do not.
  if (!body.empty()) {
    headers = curl_slist_append(
        headers, authorization.empty()
                     ? "Content-Type: application/json"
                     : "Content-Type: application/x-www-form-urlencoded;"
                       "charset=UTF-8");
  }
  CURL* e = easy.get();
  curl_easy_setopt(e, CURLOPT_URL, url.c_str());
  if (!ca_file_.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, ca_file_.c_str());
  curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method_str.c_str());
  if (method != "GET") {
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, body_str.c_str());
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE,
                     static_cast<long>(body_str.size()));
  }
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &response);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 10'000L);
  const CURLcode rc = curl_easy_perform(e);
  curl_slist_free_all(headers);
  if (rc != CURLE_OK) {
    return absl::UnavailableError(
        absl::StrCat(method, " ", path, ": ", curl_easy_strerror(rc)));
  }
  long http = 0;
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &http);
  if (http != 200) {
    // Error bodies of the emulator never hold a token.
    return absl::FailedPreconditionError(absl::StrCat(
        method, " ", path, ": HTTP ", http, " ", response.substr(0, 200)));
  }
  return response;
}

absl::Status EmulatorAdmin::Reset() {
  return Call("POST", "/_emulator/reset", "", "").status();
}

absl::Status EmulatorAdmin::AddFault(absl::string_view rule_json) {
  return Call("POST", "/_emulator/faults", rule_json, "").status();
}

absl::Status EmulatorAdmin::ClearFaults() {
  return Call("DELETE", "/_emulator/faults", "", "").status();
}

absl::Status EmulatorAdmin::SetRateLimit(absl::string_view path,
                                         int64_t limit) {
  return Call("POST", "/_emulator/rate_limits",
              absl::StrCat(R"({"path":")", path, R"(","limit":)", limit, "}"),
              "")
      .status();
}

absl::StatusOr<std::map<std::string, int64_t>> EmulatorAdmin::RequestCounts() {
  absl::StatusOr<EmulatorStats> stats = Stats();
  if (!stats.ok()) return stats.status();
  return std::move(stats->requests);
}

absl::StatusOr<EmulatorStats> EmulatorAdmin::Stats() {
  absl::StatusOr<std::string> body = Call("GET", "/_emulator/stats", "", "");
  if (!body.ok()) return body.status();
  const absl::Status bad =
      absl::InternalError("unexpected /_emulator/stats body");
  simdjson::padded_string padded(*body);
  simdjson::ondemand::parser parser;
  simdjson::ondemand::document doc;
  simdjson::ondemand::object object;
  if (parser.iterate(padded).get(doc) != simdjson::SUCCESS ||
      doc.get_object().get(object) != simdjson::SUCCESS) {
    return bad;
  }
  EmulatorStats stats;
  for (auto member : object) {
    std::string_view name;
    if (member.unescaped_key().get(name) != simdjson::SUCCESS) return bad;
    if (name == "requests") {
      simdjson::ondemand::object requests;
      if (member.value().get_object().get(requests) != simdjson::SUCCESS) {
        return bad;
      }
      for (auto field : requests) {
        std::string_view key;
        int64_t n = 0;
        if (field.unescaped_key().get(key) != simdjson::SUCCESS ||
            field.value().get_int64().get(n) != simdjson::SUCCESS) {
          return bad;
        }
        stats.requests[std::string(key)] = n;
      }
    } else if (name == "tokens_issued") {
      if (member.value().get_int64().get(stats.tokens_issued) !=
          simdjson::SUCCESS) {
        return bad;
      }
    } else if (name == "revocations") {
      if (member.value().get_int64().get(stats.revocations) !=
          simdjson::SUCCESS) {
        return bad;
      }
    }
  }
  return stats;
}

absl::StatusOr<std::string> EmulatorAdmin::SetSchedule(
    absl::string_view schedule_json) {
  return Call("POST", "/_emulator/schedule", schedule_json, "");
}

absl::Status EmulatorAdmin::ClearSchedule() {
  return Call("DELETE", "/_emulator/schedule", "", "").status();
}

absl::StatusOr<std::string> EmulatorAdmin::ObtainToken(
    absl::string_view key, absl::string_view secret) {
  // The example credentials need no percent-encoding; the spec encodes each
  // part before joining them, which leaves these unchanged.
  const std::string basic = absl::StrCat(
      "Basic ", absl::Base64Escape(absl::StrCat(key, ":", secret)));
  absl::StatusOr<std::string> body =
      Call("POST", "/oauth2/token", "grant_type=client_credentials", basic);
  if (!body.ok()) return body.status();
  absl::StatusOr<mapping::TokenGrant> grant = mapping::ParseTokenGrant(*body);
  if (!grant.ok()) return grant.status();
  return grant->access_token;
}

absl::StatusOr<std::string> EmulatorAdmin::LookUpUserId(
    absl::string_view bearer_token, absl::string_view screen_name) {
  absl::StatusOr<std::string> body =
      Call("GET", UserLookupPathAndQuery(screen_name), "",
           absl::StrCat("Bearer ", bearer_token));
  if (!body.ok()) return body.status();
  absl::StatusOr<mapping::v2::UserLookup> lookup =
      mapping::v2::ParseUserLookup(*body);
  if (!lookup.ok()) return lookup.status();
  if (!lookup->user.has_value()) {
    return absl::NotFoundError(
        absl::StrCat("no user @", screen_name, " upstream"));
  }
  return lookup->user->id();
}

int64_t CountOf(const std::map<std::string, int64_t>& counts,
                absl::string_view path) {
  auto it = counts.find(std::string(path));
  return it == counts.end() ? 0 : it->second;
}

}  // namespace perch::bench
