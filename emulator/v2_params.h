// The v2 dialect's query parameters, read and checked as the upstream does
// (UPSTREAM-V2.md §1.2-1.3): only the parameters an endpoint declares,
// field and expansion names from the spec's enums, max_results within the
// endpoint's range, ids and times in their formats. Everything wrong is
// reported at once, as 400 invalid-request lists every bad parameter.
// Endpoint-specific rules (search's query, times vs ids) stay with the
// endpoints.
#ifndef PERCH_EMULATOR_V2_PARAMS_H_
#define PERCH_EMULATOR_V2_PARAMS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "emulator/codec.h"
#include "emulator/problem_bodies.h"

namespace perch::emulator {

// What an endpoint returns decides which expansions it accepts.
enum class V2Primary { kTweets, kUsers, kLists };

struct V2ParamSpec {
  V2Primary primary = V2Primary::kTweets;
  // Every parameter the endpoint accepts, in the order the upstream's
  // "is not one of [...]" message lists them.
  std::vector<absl::string_view> allowed;
  // max_results range and default; 0/0/0 for endpoints without paging.
  int min_results = 0;
  int max_results = 0;
  int default_results = 0;
};

using NameSet = absl::flat_hash_set<std::string>;

struct V2Params {
  NameSet tweet_fields, user_fields, media_fields, list_fields, expansions;
  int max_results = 0;  // the default when not given
  // pagination_token, or search's next_token; "" when absent.
  std::string page_token;
  absl::string_view page_token_name;  // which of the two carried it
  std::optional<uint64_t> since_id, until_id;
  std::optional<int64_t> start_time, end_time;  // Unix seconds
  bool exclude_replies = false;
  bool exclude_retweets = false;
  std::string sort_order;  // "", "recency" or "relevancy"
  std::optional<std::string> query;

  bool Expands(absl::string_view expansion) const {
    return expansions.contains(expansion);
  }
};

// Reads `params` against `spec`; on any problem, nullopt and every problem
// appended to `problems`.
std::optional<V2Params> ParseV2Params(const FormFields& params,
                                      const V2ParamSpec& spec,
                                      std::vector<InvalidParameter>* problems);

// A path parameter against its pattern: "id" ^[0-9]{1,19}$, "username"
// ^[A-Za-z0-9_]{1,15}$. nullopt when it matches.
std::optional<InvalidParameter> CheckPathParameter(absl::string_view name,
                                                   absl::string_view value);

// The spec's enums (SPEC159), for tests and error messages.
absl::Span<const absl::string_view> TweetFieldNames();
absl::Span<const absl::string_view> UserFieldNames();
absl::Span<const absl::string_view> MediaFieldNames();
absl::Span<const absl::string_view> ListFieldNames();

}  // namespace perch::emulator

#endif  // PERCH_EMULATOR_V2_PARAMS_H_
