// Who may call what: the two caller roles, the perch.v1 methods a caller can
// be admitted to, and the role each method needs. Pure data, no I/O; the
// caller gate (caller_gate.h) applies it.
#ifndef PERCH_SERVER_SECURITY_ROLES_H_
#define PERCH_SERVER_SECURITY_ROLES_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace perch::security {

// A set of roles as bits. `admin` includes everything `reader` may do, so a
// caller needs only the one role its highest method asks for.
enum class Role : uint8_t {
  kReader = 1 << 0,  // perch.v1.ReadService
  kAdmin = 1 << 1,   // perch.v1.TokenService, and ReadService
};

class RoleSet {
 public:
  RoleSet() = default;
  RoleSet(std::initializer_list<Role> roles) {
    for (Role r : roles) Add(r);
  }

  void Add(Role r) { bits_ |= static_cast<uint8_t>(r); }
  bool Has(Role r) const { return (bits_ & static_cast<uint8_t>(r)) != 0; }
  bool empty() const { return bits_ == 0; }
  // "reader", "admin", "reader,admin"; "" when empty.
  std::string ToString() const;

  friend bool operator==(RoleSet a, RoleSet b) { return a.bits_ == b.bits_; }
  friend bool operator!=(RoleSet a, RoleSet b) { return a.bits_ != b.bits_; }

 private:
  uint8_t bits_ = 0;
};

// "reader" or "admin"; false for anything else (case-sensitive: the keys
// file is machine-written).
bool ParseRole(absl::string_view name, Role* out);

// Every perch.v1 method the gate guards. Health and reflection are not here:
// they are open to everyone.
enum class Method {
  kObtain,
  kInvalidate,
  kGetTimeline,
  kSearch,
  kGetFollowers,
  kGetList,
};

// "perch.v1.TokenService/Obtain" etc.: the name audit lines use.
absl::string_view MethodName(Method method);

// The role a caller needs for `method`.
Role RequiredRole(Method method);

// True if a caller holding `roles` may call `method` (admin implies reader).
bool Permits(RoleSet roles, Method method);

}  // namespace perch::security

#endif  // PERCH_SERVER_SECURITY_ROLES_H_
