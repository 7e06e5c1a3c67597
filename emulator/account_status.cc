#include "emulator/account_status.h"

namespace perch::emulator {
namespace {

struct AccessRow {
  AccessLevel level;
  absl::string_view name;
};
constexpr AccessRow kAccessLevels[] = {
    {AccessLevel::kFull, "full"},
    {AccessLevel::kV2Only, "v2_only"},
    {AccessLevel::kNotEnrolled, "not_enrolled"},
};

struct StateRow {
  AccountState state;
  absl::string_view name;
};
constexpr StateRow kStates[] = {
    {AccountState::kOk, "ok"},
    {AccountState::kUsageCapped, "usage_capped"},
    {AccountState::kCreditsDepleted, "credits_depleted"},
};

}  // namespace

std::optional<AccessLevel> ParseAccessLevel(absl::string_view name) {
  for (const AccessRow& row : kAccessLevels) {
    if (row.name == name) return row.level;
  }
  return std::nullopt;
}

absl::string_view AccessLevelName(AccessLevel level) {
  for (const AccessRow& row : kAccessLevels) {
    if (row.level == level) return row.name;
  }
  return "";
}

std::optional<AccountState> ParseAccountState(absl::string_view name) {
  for (const StateRow& row : kStates) {
    if (row.name == name) return row.state;
  }
  return std::nullopt;
}

absl::string_view AccountStateName(AccountState state) {
  for (const StateRow& row : kStates) {
    if (row.state == state) return row.name;
  }
  return "";
}

}  // namespace perch::emulator
