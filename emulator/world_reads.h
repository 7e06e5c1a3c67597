// The seven v1.1 read endpoints of UPSTREAM.md §4, answered from a World:
// parameters read as the upstream reads them, its paging (ids with max_id
// inclusive and since_id exclusive, the 3,200-tweet cap, cursors from -1 to
// 0, search's next_results) and its errors for unknown, suspended and
// protected users and unknown lists. The bearer check, rate limits and
// faults stay in ReadRoutes and Router, around these handlers.
#ifndef PERCH_EMULATOR_WORLD_READS_H_
#define PERCH_EMULATOR_WORLD_READS_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "emulator/read_routes.h"
#include "emulator/world.h"

namespace perch::emulator {

// Cursors are opaque to clients. Ours are 2^62 + the offset of the page's
// first item (forward) or the negation of 2^62 + the offset just past the
// previous page (backward), as large as the upstream's.
inline constexpr int64_t kCursorBase = int64_t{1} << 62;

// Handlers are thread-compatible over the shared, immutable world.
std::vector<ReadEndpoint> WorldReadEndpoints(
    std::shared_ptr<const World> world);

}  // namespace perch::emulator

#endif  // PERCH_EMULATOR_WORLD_READS_H_
