#include "emulator/account_status.h"

#include <cstddef>

namespace perch::emulator {
namespace {

template <typename Enum>
struct Named {
  Enum value;
  absl::string_view name;
};

constexpr Named<AccessLevel> kAccessLevels[] = {
    {AccessLevel::kFull, "full"},
    {AccessLevel::kV2Only, "v2_only"},
    {AccessLevel::kNotEnrolled, "not_enrolled"},
};

constexpr Named<AccountState> kStates[] = {
    {AccountState::kOk, "ok"},
    {AccountState::kUsageCapped, "usage_capped"},
    {AccountState::kCreditsDepleted, "credits_depleted"},
};

template <typename Enum, size_t N>
std::optional<Enum> ValueOf(const Named<Enum> (&rows)[N],
                            absl::string_view name) {
  for (const Named<Enum>& row : rows) {
    if (row.name == name) return row.value;
  }
  return std::nullopt;
}

template <typename Enum, size_t N>
absl::string_view NameOf(const Named<Enum> (&rows)[N], Enum value) {
  for (const Named<Enum>& row : rows) {
    if (row.value == value) return row.name;
  }
  return "";
}

}  // namespace

std::optional<AccessLevel> ParseAccessLevel(absl::string_view name) {
  return ValueOf(kAccessLevels, name);
}

absl::string_view AccessLevelName(AccessLevel level) {
  return NameOf(kAccessLevels, level);
}

std::optional<AccountState> ParseAccountState(absl::string_view name) {
  return ValueOf(kStates, name);
}

absl::string_view AccountStateName(AccountState state) {
  return NameOf(kStates, state);
}

}  // namespace perch::emulator
