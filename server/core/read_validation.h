// Validation of read requests before anything reaches the upstream. Each
// function appends one FieldViolation per bad field, so one answer names
// every problem. Field names are proto field paths ("slug.owner_screen_name").
#ifndef PERCH_SERVER_CORE_READ_VALIDATION_H_
#define PERCH_SERVER_CORE_READ_VALIDATION_H_

#include <vector>

#include "absl/strings/string_view.h"
#include "server/common/errors.h"

namespace perch::core {

using Violations = std::vector<FieldViolation>;

// 1-15 of [A-Za-z0-9_].
void CheckScreenName(absl::string_view field, absl::string_view value,
                     Violations& out);
// A decimal int64 >= 0 (no sign, no leading '+', at most 19 digits, fits).
void CheckId(absl::string_view field, absl::string_view value, Violations& out);
// Empty, or an id as CheckId wants it.
void CheckOptionalId(absl::string_view field, absl::string_view value,
                     Violations& out);
// 0 (meaning the default) or within [1, max].
void CheckPageSize(int value, int max, Violations& out);
// 1-500 Unicode characters of valid UTF-8.
void CheckQuery(absl::string_view value, Violations& out);
// Empty or a real calendar date YYYY-MM-DD.
void CheckDate(absl::string_view field, absl::string_view value,
               Violations& out);
// Empty or an ISO 639-1 code (two or three lower-case letters).
void CheckLang(absl::string_view value, Violations& out);
// The value names a declared enum value.
void CheckEnum(absl::string_view field, bool known, Violations& out);

// OK if `violations` is empty, else INVALID_ARGUMENT with BadRequest.
absl::Status ToStatus(Violations violations);

}  // namespace perch::core

#endif  // PERCH_SERVER_CORE_READ_VALIDATION_H_
