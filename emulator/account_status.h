// The imitated developer account's access level and billing state, which
// decide what every read answers before any route looks at it: full access
// (v1.1 and v2), v2 only (v1.1 reads get 403/453), not enrolled (v2 reads get
// 403 client-not-enrolled); ok, usage-capped (v2 reads get 429
// UsageCapExceeded) or out of credits (v2 reads get 402). Set by flag at
// start and by POST /_emulator/account at run time.
#ifndef PERCH_EMULATOR_ACCOUNT_STATUS_H_
#define PERCH_EMULATOR_ACCOUNT_STATUS_H_

#include <atomic>
#include <optional>

#include "absl/strings/string_view.h"

namespace perch::emulator {

enum class AccessLevel { kFull, kV2Only, kNotEnrolled };
enum class AccountState { kOk, kUsageCapped, kCreditsDepleted };

// "full", "v2_only", "not_enrolled" and back.
std::optional<AccessLevel> ParseAccessLevel(absl::string_view name);
absl::string_view AccessLevelName(AccessLevel level);
// "ok", "usage_capped", "credits_depleted" and back.
std::optional<AccountState> ParseAccountState(absl::string_view name);
absl::string_view AccountStateName(AccountState state);

// Thread-safe: the loop thread reads it while tests and admin requests set
// it.
class AccountStatus {
 public:
  // The values Reset() returns to.
  AccountStatus(AccessLevel access, AccountState state)
      : initial_access_(access),
        initial_state_(state),
        access_(access),
        state_(state) {}

  AccessLevel access() const { return access_.load(); }
  AccountState state() const { return state_.load(); }
  void set_access(AccessLevel access) { access_.store(access); }
  void set_state(AccountState state) { state_.store(state); }
  void Reset() {
    access_.store(initial_access_);
    state_.store(initial_state_);
  }

 private:
  const AccessLevel initial_access_;
  const AccountState initial_state_;
  std::atomic<AccessLevel> access_;
  std::atomic<AccountState> state_;
};

}  // namespace perch::emulator

#endif  // PERCH_EMULATOR_ACCOUNT_STATUS_H_
