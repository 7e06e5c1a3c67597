// The v1.1 read dialect: statuses/user_timeline, search/tweets,
// followers/list and /ids, lists/show, /statuses and /members. Owns their
// paths and parameters (tweet_mode=extended, stringify_ids=true), the v1.1
// JSON mapping, v1.1 paging (max_id, cursors) and the reply/retweet filters.
#ifndef PERCH_SERVER_UPSTREAM_V1_DIALECT_H_
#define PERCH_SERVER_UPSTREAM_V1_DIALECT_H_

#include <memory>
#include <string>

#include "server/upstream/read_dialect.h"
#include "server/upstream/upstream_reader.h"

namespace perch::upstream {

// `reader` must outlive the dialect. `base_url` has no trailing slash
// ("https://api.x.com"). Positions it mints are decimal (a max_id or a
// cursor); it refuses any other with INVALID_ARGUMENT (field page_token)
// without an upstream request.
std::unique_ptr<ReadDialect> MakeV1Dialect(UpstreamReader& reader,
                                           std::string base_url);

}  // namespace perch::upstream

#endif  // PERCH_SERVER_UPSTREAM_V1_DIALECT_H_
