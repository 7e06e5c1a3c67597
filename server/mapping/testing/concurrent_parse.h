// Test-only: the parsers share one simdjson parser per thread, so many
// threads parsing at once must each get exactly the single-threaded answer.
// One harness for the v1.1 and v2 corpus tests.
#ifndef PERCH_SERVER_MAPPING_TESTING_CONCURRENT_PARSE_H_
#define PERCH_SERVER_MAPPING_TESTING_CONCURRENT_PARSE_H_

#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace perch::mapping::testing {

// Each message serialized, in order: what a parse's answer is compared by.
template <typename Message>
std::vector<std::string> Serialized(const std::vector<Message>& messages) {
  std::vector<std::string> out;
  out.reserve(messages.size());
  for (const Message& message : messages) {
    out.push_back(message.SerializeAsString());
  }
  return out;
}

// Runs `threads` threads of `rounds` rounds at once; `agrees(thread, round)`
// parses and says whether every answer matched the single-threaded one. A
// thread with any round that did not agree fails the test.
inline void ExpectThreadsAgree(int threads, int rounds,
                               const std::function<bool(int, int)>& agrees) {
  std::vector<int> mismatches(threads, 0);
  std::vector<std::thread> running;
  for (int t = 0; t < threads; ++t) {
    running.emplace_back([&, t] {
      for (int round = 0; round < rounds; ++round) {
        if (!agrees(t, round)) ++mismatches[t];
      }
    });
  }
  for (std::thread& thread : running) thread.join();
  for (int t = 0; t < threads; ++t) {
    EXPECT_EQ(mismatches[t], 0) << "thread " << t;
  }
}

}  // namespace perch::mapping::testing

#endif  // PERCH_SERVER_MAPPING_TESTING_CONCURRENT_PARSE_H_
