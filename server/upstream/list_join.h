// GetList's first page in one answer: the list's metadata and a page of its
// tweets or members, read in parallel. Dialect-neutral (each dialect starts
// its own two reads); used by any dialect whose list metadata is a separate
// upstream request.
#ifndef PERCH_SERVER_UPSTREAM_LIST_JOIN_H_
#define PERCH_SERVER_UPSTREAM_LIST_JOIN_H_

#include <memory>

#include "absl/functional/any_invocable.h"
#include "perch/v1/resources.pb.h"
#include "server/upstream/read_dialect.h"

namespace perch::upstream {

using ListMetadataStart =
    absl::AnyInvocable<std::shared_ptr<ReadHandle>(
                           ReadDialect::Callback<v1::TwitterList> done) &&>;
using ListPageStart =
    absl::AnyInvocable<std::shared_ptr<ReadHandle>(
                           ReadDialect::Callback<ListPage> done) &&>;

// Starts both reads and answers `done` exactly once: the page with `list`
// set once both are in, or the first error as soon as it arrives (the other
// read is then aborted, and its answer dropped). The returned handle aborts
// both; `done` then gets CANCELLED unless it had an answer. Thread-safe;
// either read may answer inline or on any thread.
std::shared_ptr<ReadHandle> JoinListReads(ListMetadataStart metadata,
                                          ListPageStart page,
                                          ReadDialect::Callback<ListPage> done);

}  // namespace perch::upstream

#endif  // PERCH_SERVER_UPSTREAM_LIST_JOIN_H_
