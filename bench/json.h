// A small JSON value for the benchmark's result files: built in memory,
// written pretty-printed. Write-only (the emulator's answers are read with
// simdjson); not a general JSON library.
#ifndef PERCH_BENCH_JSON_H_
#define PERCH_BENCH_JSON_H_

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/strings/string_view.h"

namespace perch::bench {

class Json {
 public:
  using Array = std::vector<Json>;
  using Object = std::vector<std::pair<std::string, Json>>;

  Json() : value_(nullptr) {}
  Json(bool b) : value_(b) {}                            // NOLINT
  Json(int v) : value_(static_cast<int64_t>(v)) {}       // NOLINT
  Json(int64_t v) : value_(v) {}                         // NOLINT
  Json(double v) : value_(v) {}                          // NOLINT
  Json(const char* s) : value_(std::string(s)) {}        // NOLINT
  Json(std::string s) : value_(std::move(s)) {}          // NOLINT
  Json(absl::string_view s) : value_(std::string(s)) {}  // NOLINT
  Json(Array a) : value_(std::move(a)) {}                // NOLINT

  static Json MakeObject() {
    Json j;
    j.value_ = Object();
    return j;
  }
  static Json MakeArray() {
    Json j;
    j.value_ = Array();
    return j;
  }

  // Object: appends (or replaces) a member. Returns *this for chaining.
  Json& Set(absl::string_view key, Json value);
  // Array: appends an element.
  Json& Push(Json value);

  // Pretty-printed with two-space indents; arrays of scalars stay on one
  // line. Non-finite doubles are written as null.
  std::string Dump() const;

 private:
  void Write(std::string& out, int indent) const;
  bool IsScalar() const;

  std::variant<std::nullptr_t, bool, int64_t, double, std::string, Array,
               Object>
      value_;
};

}  // namespace perch::bench

#endif  // PERCH_BENCH_JSON_H_
