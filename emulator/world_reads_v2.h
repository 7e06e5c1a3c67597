// The nine v2 read endpoints perch uses (UPSTREAM-V2.md §1), answered from
// the same World as the v1.1 reads: users by username and id, a user's
// tweets (the 3,200 reach, exclude before counting, since_id and until_id
// exclusive), recent search (a lang: operator in the query, recency or
// relevancy, the 7-day window), followers, a list, its tweets and members,
// and a user's owned lists; meta and opaque page tokens per §1.2-1.4, and
// errors inside a 200 for unknown, suspended and protected resources (§3.2).
// The bearer check, account state, rate limits and parameter checks stay in
// V2Routes, around these handlers.
#ifndef PERCH_EMULATOR_WORLD_READS_V2_H_
#define PERCH_EMULATOR_WORLD_READS_V2_H_

#include <memory>
#include <vector>

#include "emulator/v2_routes.h"
#include "emulator/world.h"

namespace perch::emulator {

// Handlers are thread-compatible over the shared, immutable world.
std::vector<V2Endpoint> WorldV2Endpoints(std::shared_ptr<const World> world);

}  // namespace perch::emulator

#endif  // PERCH_EMULATOR_WORLD_READS_V2_H_
