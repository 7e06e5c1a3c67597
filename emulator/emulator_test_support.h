// Test-only helpers shared by the emulator's HTTP tests: the spec's example
// credentials as wire headers, the exact error bodies, and a fixture that
// starts an in-process emulator on an ephemeral port and talks to it.
#ifndef PERCH_EMULATOR_EMULATOR_TEST_SUPPORT_H_
#define PERCH_EMULATOR_EMULATOR_TEST_SUPPORT_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "emulator/emulator.h"
#include "emulator/test_http_client.h"
#include "gtest/gtest.h"
#include "server/common/clock.h"
#include "server/common/testing/fake_clock.h"
#include "simdjson.h"

namespace perch::emulator::testing {

// UPSTREAM.md §1's worked example, as a header.
inline constexpr char kSpecBasicHeader[] =
    "Authorization: Basic "
    "eHZ6MWV2RlM0d0VFUFRHRUZQSEJvZzpMOHFxOVBaeVJnNmllS0dFS2hab2xHQzB2SldMdzhp"
    "RUo4OERSZHlPZw==";
inline constexpr char kFormContentType[] =
    "Content-Type: application/x-www-form-urlencoded;charset=UTF-8";
inline constexpr char kClientCredentials[] = "grant_type=client_credentials";

inline constexpr char kTokenErrorBody[] =
    R"({"errors":[{"code":99,"message":"Unable to verify your credentials",)"
    R"("label":"authenticity_token_error"}]})";
inline constexpr char kInvalidTokenBody[] =
    R"({"errors":[{"code":89,"message":"Invalid or expired token."}]})";
inline constexpr char kBadAuthBody[] =
    R"({"errors":[{"code":215,"message":"Bad Authentication data."}]})";
inline constexpr char kAppOnlyBody[] =
    R"({"errors":[{"code":220,"message":"Your credentials do not allow )"
    R"(access to this resource"}]})";
inline constexpr char kNotFoundBody[] =
    R"({"errors":[{"code":34,"message":"Sorry, that page does not exist."}]})";
inline constexpr char kRateLimitBody[] =
    R"({"errors":[{"code":88,"message":"Rate limit exceeded"}]})";

// The v1.1 read routes perch calls.
inline constexpr char kUserTimeline[] = "/1.1/statuses/user_timeline.json";
inline constexpr char kSearchTweets[] = "/1.1/search/tweets.json";
inline constexpr char kFollowerIds[] = "/1.1/followers/ids.json";
inline constexpr char kFollowersList[] = "/1.1/followers/list.json";
inline constexpr char kListsShow[] = "/1.1/lists/show.json";
inline constexpr char kListsStatuses[] = "/1.1/lists/statuses.json";
inline constexpr char kListsMembers[] = "/1.1/lists/members.json";
// A read the world always answers with 200 (one small tweet).
inline constexpr char kDevTimeline[] =
    "/1.1/statuses/user_timeline.json?screen_name=perch_dev&count=1";

// The fields and expansions perch asks over v2 (helpers/COMMON.md), with
// commas as %2C as perch may encode them.
inline constexpr char kPerchUserFields[] =
    "user.fields=created_at%2Cdescription%2Clocation%2Cprofile_image_url%2C"
    "protected%2Cpublic_metrics%2Curl%2Cverified";
inline constexpr char kPerchTweetParams[] =
    "tweet.fields=attachments%2Cauthor_id%2Cconversation_id%2Ccreated_at%2C"
    "entities%2Cin_reply_to_user_id%2Clang%2Cnote_tweet%2Cpossibly_sensitive%2C"
    "public_metrics%2Creferenced_tweets%2Csource"
    "&expansions=author_id%2Creferenced_tweets.id%2C"
    "referenced_tweets.id.author_id%2Cin_reply_to_user_id%2C"
    "attachments.media_keys"
    "&user.fields=created_at%2Cdescription%2Clocation%2Cprofile_image_url%2C"
    "protected%2Cpublic_metrics%2Curl%2Cverified"
    "&media.fields=media_key%2Ctype%2Curl%2Cpreview_image_url%2Cwidth%2Cheight";
inline constexpr char kPerchListFields[] =
    "list.fields=created_at%2Cdescription%2Cfollower_count%2Cmember_count%2C"
    "name%2Cowner_id%2Cprivate";
inline constexpr char kPerchListParams[] =
    "list.fields=created_at%2Cdescription%2Cfollower_count%2Cmember_count%2C"
    "name%2Cowner_id%2Cprivate&expansions=owner_id"
    "&user.fields=created_at%2Cdescription%2Clocation%2Cprofile_image_url%2C"
    "protected%2Cpublic_metrics%2Curl%2Cverified";

class EmulatorTest : public ::testing::Test {
 protected:
  // Starts the emulator; the fake clock drives its windows unless the
  // options name another clock.
  void StartEmulator(EmulatorOptions options = {}) {
    if (options.clock == nullptr) options.clock = &clock_;
    absl::StatusOr<std::unique_ptr<Emulator>> emulator =
        Emulator::Start(std::move(options));
    ASSERT_TRUE(emulator.ok()) << emulator.status();
    emulator_ = *std::move(emulator);
  }

  // Stops the running emulator and starts one with `options` in its place.
  void RestartEmulator(EmulatorOptions options = {}) {
    emulator_.reset();
    StartEmulator(std::move(options));
  }

  HttpCall MakeCall(std::string method, absl::string_view path,
                    std::vector<std::string> headers = {},
                    std::string body = "") {
    HttpCall call;
    call.method = std::move(method);
    call.url = absl::StrCat(emulator_->base_url(), path);
    call.headers = std::move(headers);
    call.body = std::move(body);
    call.ca_file = ca_file_;
    return call;
  }

  HttpResult Call(std::string method, absl::string_view path,
                  std::vector<std::string> headers = {},
                  std::string body = "") {
    return Fetch(MakeCall(std::move(method), path, std::move(headers),
                          std::move(body)));
  }

  HttpResult PostToken(std::vector<std::string> headers = {kSpecBasicHeader,
                                                           kFormContentType},
                       std::string body = kClientCredentials) {
    return Call("POST", "/oauth2/token", std::move(headers), std::move(body));
  }

  // The spec's token request from a client that gives up after `timeout`.
  HttpResult PostTokenGivingUpAfter(absl::Duration timeout) {
    HttpCall call = MakeCall("POST", "/oauth2/token",
                             {kSpecBasicHeader, kFormContentType},
                             kClientCredentials);
    call.timeout = timeout;
    return Fetch(call);
  }

  // A token from a successful request; "" (and a test failure) otherwise.
  std::string ObtainToken() {
    HttpResult result = PostToken();
    EXPECT_EQ(result.status, 200) << result.body;
    std::string token = JsonStringMember(result.body, "access_token");
    EXPECT_FALSE(token.empty());
    return token;
  }

  // POST /oauth2/invalidate_token with `token` form-encoded, as the guide says.
  HttpResult Invalidate(absl::string_view token,
                        std::string authorization = kSpecBasicHeader) {
    return Call("POST", "/oauth2/invalidate_token",
                {std::move(authorization), kFormContentType},
                absl::StrCat("access_token=", PercentEncode(token)));
  }

  HttpResult GetWithBearer(absl::string_view path_and_query,
                           absl::string_view token) {
    return Call("GET", path_and_query,
                {absl::StrCat("Authorization: Bearer ", token)});
  }

  // GETs with `token` and parses the body; fails the test unless the status
  // is `want_status` and the body valid JSON. The element lives as long as
  // the fixture.
  simdjson::dom::element GetJson(const std::string& path_and_query,
                                 absl::string_view token,
                                 long want_status = 200) {  // NOLINT
    HttpResult result = GetWithBearer(path_and_query, token);
    EXPECT_EQ(result.status, want_status) << path_and_query << "\n"
                                          << result.body.substr(0, 400);
    json_bodies_.push_back(std::make_unique<std::string>(result.body));
    json_parsers_.push_back(std::make_unique<simdjson::dom::parser>());
    simdjson::dom::element doc;
    EXPECT_EQ(json_parsers_.back()->parse(*json_bodies_.back()).get(doc),
              simdjson::SUCCESS)
        << result.body.substr(0, 400);
    return doc;
  }

  // GetJson and GetWithBearer with the fixture's token_.
  simdjson::dom::element Get(const std::string& path_and_query,
                             long want_status = 200) {  // NOLINT
    return GetJson(path_and_query, token_, want_status);
  }
  std::string Raw(absl::string_view path_and_query) {
    return GetWithBearer(path_and_query, token_).body;
  }

  // The integer header `name` (lower-case); -1 and a test failure when it is
  // absent or not a number.
  static int64_t HeaderInt(const HttpResult& result, absl::string_view name) {
    int64_t value = -1;
    EXPECT_TRUE(absl::SimpleAtoi(result.Header(name), &value))
        << name << " missing";
    return value;
  }

  ::perch::testing::FakeClock clock_;
  std::string ca_file_;
  std::unique_ptr<Emulator> emulator_;
  std::string token_;  // what Get and Raw send; set by ReadingEmulatorTest
  std::deque<std::unique_ptr<std::string>> json_bodies_;
  std::deque<std::unique_ptr<simdjson::dom::parser>> json_parsers_;
};

// The emulator started with default options before each test.
class StartedEmulatorTest : public EmulatorTest {
 protected:
  void SetUp() override { StartEmulator(); }
};

// The same, with a token obtained for Get and Raw.
class ReadingEmulatorTest : public EmulatorTest {
 protected:
  void SetUp() override {
    StartEmulator();
    token_ = ObtainToken();
  }
};

}  // namespace perch::emulator::testing

#endif  // PERCH_EMULATOR_EMULATOR_TEST_SUPPORT_H_
