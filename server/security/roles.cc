#include "server/security/roles.h"

namespace perch::security {

std::string RoleSet::ToString() const {
  if (Has(Role::kReader) && Has(Role::kAdmin)) return "reader,admin";
  if (Has(Role::kReader)) return "reader";
  if (Has(Role::kAdmin)) return "admin";
  return "";
}

bool ParseRole(absl::string_view name, Role* out) {
  if (name == "reader") {
    *out = Role::kReader;
    return true;
  }
  if (name == "admin") {
    *out = Role::kAdmin;
    return true;
  }
  return false;
}

absl::string_view MethodName(Method method) {
  switch (method) {
    case Method::kObtain:
      return "perch.v1.TokenService/Obtain";
    case Method::kInvalidate:
      return "perch.v1.TokenService/Invalidate";
    case Method::kGetTimeline:
      return "perch.v1.ReadService/GetTimeline";
    case Method::kSearch:
      return "perch.v1.ReadService/Search";
    case Method::kGetFollowers:
      return "perch.v1.ReadService/GetFollowers";
    case Method::kGetList:
      return "perch.v1.ReadService/GetList";
  }
  return "unknown";
}

Role RequiredRole(Method method) {
  switch (method) {
    case Method::kObtain:
    case Method::kInvalidate:
      // Obtain and Invalidate spend the app's token budget and can cut every
      // other caller off (an invalidation revokes the one shared token).
      return Role::kAdmin;
    case Method::kGetTimeline:
    case Method::kSearch:
    case Method::kGetFollowers:
    case Method::kGetList:
      return Role::kReader;
  }
  return Role::kAdmin;  // Unknown methods need the most.
}

bool Permits(RoleSet roles, Method method) {
  if (roles.Has(Role::kAdmin)) return true;
  return roles.Has(RequiredRole(method));
}

}  // namespace perch::security
