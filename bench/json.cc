#include "bench/json.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "server/common/json_escape.h"

namespace perch::bench {
namespace {

void WriteString(std::string& out, absl::string_view s) {
  absl::StrAppend(&out, "\"", JsonEscape(s), "\"");
}

}  // namespace

Json& Json::Set(absl::string_view key, Json value) {
  auto& object = std::get<Object>(value_);
  for (auto& [k, v] : object) {
    if (k == key) {
      v = std::move(value);
      return *this;
    }
  }
  object.emplace_back(std::string(key), std::move(value));
  return *this;
}

Json& Json::Push(Json value) {
  std::get<Array>(value_).push_back(std::move(value));
  return *this;
}

bool Json::IsScalar() const {
  return !std::holds_alternative<Array>(value_) &&
         !std::holds_alternative<Object>(value_);
}

std::string Json::Dump() const {
  std::string out;
  Write(out, 0);
  out.push_back('\n');
  return out;
}

void Json::Write(std::string& out, int indent) const {
  const std::string pad(indent + 2, ' ');
  if (std::holds_alternative<std::nullptr_t>(value_)) {
    out += "null";
  } else if (const bool* b = std::get_if<bool>(&value_)) {
    out += *b ? "true" : "false";
  } else if (const int64_t* i = std::get_if<int64_t>(&value_)) {
    absl::StrAppend(&out, *i);
  } else if (const double* d = std::get_if<double>(&value_)) {
    if (std::isfinite(*d)) {
      absl::StrAppend(&out, absl::StrFormat("%.7g", *d));
    } else {
      out += "null";
    }
  } else if (const std::string* s = std::get_if<std::string>(&value_)) {
    WriteString(out, *s);
  } else if (const Array* a = std::get_if<Array>(&value_)) {
    bool flat = true;
    for (const Json& e : *a) flat = flat && e.IsScalar();
    // Short arrays of short arrays of scalars (CDF points) stay compact too.
    bool pairs = !flat;
    for (const Json& e : *a) {
      const Array* inner = std::get_if<Array>(&e.value_);
      if (inner == nullptr || inner->size() > 3) {
        pairs = false;
        break;
      }
      for (const Json& x : *inner) pairs = pairs && x.IsScalar();
    }
    out.push_back('[');
    for (size_t n = 0; n < a->size(); ++n) {
      if (n > 0) out += flat || pairs ? ", " : ",";
      if (!flat && !pairs) absl::StrAppend(&out, "\n", pad);
      (*a)[n].Write(out, indent + 2);
    }
    if (!flat && !pairs && !a->empty()) {
      absl::StrAppend(&out, "\n", std::string(indent, ' '));
    }
    out.push_back(']');
  } else {
    const Object& o = std::get<Object>(value_);
    out.push_back('{');
    for (size_t n = 0; n < o.size(); ++n) {
      if (n > 0) out.push_back(',');
      absl::StrAppend(&out, "\n", pad);
      WriteString(out, o[n].first);
      out += ": ";
      o[n].second.Write(out, indent + 2);
    }
    if (!o.empty()) absl::StrAppend(&out, "\n", std::string(indent, ' '));
    out.push_back('}');
  }
}

}  // namespace perch::bench
