// Minimal, valid answers for every read endpoint of UPSTREAM.md §4: empty
// timelines and pages that end at once, a small list object. They stand in
// until a synthetic World serves real data through the same ReadEndpoint seam.
#ifndef PERCH_EMULATOR_PLACEHOLDER_READS_H_
#define PERCH_EMULATOR_PLACEHOLDER_READS_H_

#include <vector>

#include "emulator/read_routes.h"

namespace perch::emulator {

std::vector<ReadEndpoint> PlaceholderReadEndpoints();

}  // namespace perch::emulator

#endif  // PERCH_EMULATOR_PLACEHOLDER_READS_H_
