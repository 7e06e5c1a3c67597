#include "server/security/reloading_api_keys.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <memory>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "server/common/testing/fake_clock.h"

namespace perch::security {
namespace {

using ::perch::testing::FakeClock;

std::string Line(absl::string_view name, absl::string_view key,
                 absl::string_view roles) {
  const Sha256Digest d = Sha256(key);
  return absl::StrCat(name, " ",
                      absl::BytesToHexString(absl::string_view(
                          reinterpret_cast<const char*>(d.data()), d.size())),
                      " ", roles, "\n");
}

class ReloadingApiKeysTest : public ::testing::Test {
 protected:
  ReloadingApiKeysTest()
      : path_(absl::StrCat(::testing::TempDir(), "/reloading_keys_",
                           ::getpid())) {}
  ~ReloadingApiKeysTest() override { std::remove(path_.c_str()); }

  // As Kubernetes does: a new file renamed over the old one.
  void Write(const std::string& text) {
    const std::string tmp = path_ + ".tmp";
    {
      std::ofstream out(tmp, std::ios::trunc);
      out << text;
    }
    ASSERT_EQ(std::rename(tmp.c_str(), path_.c_str()), 0);
  }

  // Writes a file naming caller a (key-a, reader) and opens it, looking at
  // the file again every `check_interval`. Null if it did not open.
  std::unique_ptr<ReloadingApiKeys> OpenOnCallerA(
      absl::Duration check_interval) {
    Write(Line("a", "key-a", "reader"));
    auto keys = ReloadingApiKeys::Open(path_, check_interval, clock_);
    EXPECT_TRUE(keys.ok()) << keys.status();
    return keys.ok() ? *std::move(keys) : nullptr;
  }

  std::string path_;
  FakeClock clock_;
};

TEST_F(ReloadingApiKeysTest, AnEditIsSeenAfterTheCheckInterval) {
  auto keys = OpenOnCallerA(absl::Seconds(5));
  ASSERT_NE(keys, nullptr);
  EXPECT_NE(keys->Current()->FindByKey("key-a"), nullptr);

  Write(Line("b", "key-b", "admin"));
  // Within the interval the file is not looked at.
  clock_.Advance(absl::Seconds(4));
  EXPECT_NE(keys->Current()->FindByKey("key-a"), nullptr);
  clock_.Advance(absl::Seconds(1));
  auto current = keys->Current();
  EXPECT_EQ(current->FindByKey("key-a"), nullptr);
  ASSERT_NE(current->FindByKey("key-b"), nullptr);
  EXPECT_EQ(keys->reloads(), 1);
  // Unchanged: not parsed again.
  clock_.Advance(absl::Seconds(10));
  keys->Current();
  EXPECT_EQ(keys->reloads(), 1);
}

TEST_F(ReloadingApiKeysTest, ABrokenEditKeepsThePreviousKeys) {
  auto keys = OpenOnCallerA(absl::ZeroDuration());
  ASSERT_NE(keys, nullptr);
  Write("a not-a-hash reader\n");
  EXPECT_NE(keys->Current()->FindByKey("key-a"), nullptr);
  std::remove(path_.c_str());
  EXPECT_NE(keys->Current()->FindByKey("key-a"), nullptr);
  // Fixed: picked up.
  Write(Line("a", "key-a2", "reader"));
  EXPECT_NE(keys->Current()->FindByKey("key-a2"), nullptr);
  EXPECT_EQ(keys->reloads(), 1);
}

// An emptied file (a Secret whose key lost its value, a truncation) is
// refused like a broken one: every caller keeps working.
TEST_F(ReloadingApiKeysTest, AnEmptiedFileKeepsThePreviousKeys) {
  auto keys = OpenOnCallerA(absl::ZeroDuration());
  ASSERT_NE(keys, nullptr);
  for (const char* emptied : {"", "# all gone\n", "\n"}) {
    Write(emptied);
    EXPECT_NE(keys->Current()->FindByKey("key-a"), nullptr)
        << "after writing '" << emptied << "'";
  }
  EXPECT_EQ(keys->reloads(), 0);
}

TEST_F(ReloadingApiKeysTest, NoCallersRevokesEveryoneOnPurpose) {
  auto keys = OpenOnCallerA(absl::ZeroDuration());
  ASSERT_NE(keys, nullptr);
  Write("# incident 42: nobody until further notice\n!no-callers\n");
  auto current = keys->Current();
  EXPECT_EQ(current->FindByKey("key-a"), nullptr);
  EXPECT_TRUE(current->admits_nobody());
  EXPECT_EQ(keys->reloads(), 1);
}

TEST_F(ReloadingApiKeysTest, OpenRefusesAMissingOrBrokenFile) {
  EXPECT_FALSE(
      ReloadingApiKeys::Open(path_ + ".none", absl::Seconds(1), clock_).ok());
  Write("a b c d\n");
  EXPECT_FALSE(ReloadingApiKeys::Open(path_, absl::Seconds(1), clock_).ok());
  Write("");
  EXPECT_FALSE(ReloadingApiKeys::Open(path_, absl::Seconds(1), clock_).ok());
  Write("!no-callers\n");
  EXPECT_TRUE(ReloadingApiKeys::Open(path_, absl::Seconds(1), clock_).ok());
}

// Calls on several threads look at the file while it is replaced again and
// again: each gets a whole version, old or new, never neither nor both. Under
// ThreadSanitizer (PERCH_SANITIZE=thread) this also checks that a reload
// swaps the keys only under the lock.
TEST_F(ReloadingApiKeysTest, CallsOnManyThreadsSeeWholeVersionsDuringEdits) {
  auto keys = OpenOnCallerA(absl::ZeroDuration());
  ASSERT_NE(keys, nullptr);
  std::atomic<bool> stop{false};
  std::atomic<int> calls{0};
  std::atomic<int> torn{0};
  std::vector<std::thread> callers;
  for (int c = 0; c < 4; ++c) {
    callers.emplace_back([&] {
      while (!stop.load()) {
        std::shared_ptr<const ApiKeys> current = keys->Current();
        const bool a = current->FindByKey("key-a") != nullptr;
        const bool b = current->FindByKey("key-b") != nullptr;
        if (a == b) ++torn;
        ++calls;
      }
    });
  }
  for (int i = 0; i < 20; ++i) {
    Write(i % 2 == 0 ? Line("b", "key-b", "admin")
                     : Line("a", "key-a", "reader"));
    clock_.Advance(absl::Seconds(1));
  }
  stop = true;
  for (std::thread& caller : callers) caller.join();
  EXPECT_GT(calls.load(), 0);
  EXPECT_EQ(torn.load(), 0);
}

}  // namespace
}  // namespace perch::security
