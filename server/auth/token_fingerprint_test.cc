#include "server/auth/token_fingerprint.h"

#include "gtest/gtest.h"

namespace perch::auth {
namespace {

TEST(TokenFingerprint, IsTheFirst12HexCharsOfSha256) {
  // SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a3...
  EXPECT_EQ(TokenFingerprint("abc"), "ba7816bf8f01");
  EXPECT_NE(TokenFingerprint("AAAA%2F"), TokenFingerprint("AAAA/"));
}

}  // namespace
}  // namespace perch::auth
