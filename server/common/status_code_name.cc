#include "server/common/status_code_name.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace perch {

std::string StatusCodeName(int code) {
  // Abseil names the codes it defines and returns "" for any other number.
  std::string name =
      absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
  if (name.empty()) return absl::StrCat("CODE_", code);
  return name;
}

}  // namespace perch
