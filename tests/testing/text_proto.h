// A protobuf message from its text format, for tables of test requests
// written as data rather than as code. Tests only.
#ifndef PERCH_TESTS_TESTING_TEXT_PROTO_H_
#define PERCH_TESTS_TESTING_TEXT_PROTO_H_

#include <string>

#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace perch::testing {

// `text` parsed as a `Message`. Text that does not parse fails the current
// test (a typo in a table must not turn into an empty request silently).
// Enum fields take numbers too, unknown ones included (proto3 enums are
// open), e.g. "view: 9".
template <typename Message>
Message TextProto(const std::string& text) {
  Message message;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &message))
      << text;
  return message;
}

}  // namespace perch::testing

#endif  // PERCH_TESTS_TESTING_TEXT_PROTO_H_
