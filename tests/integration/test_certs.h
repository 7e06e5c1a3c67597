// The test certificates (made by tests/testing/make_test_certs.sh) by name,
// for suites that link perch_test_certs. Tests only.
#ifndef PERCH_TESTS_INTEGRATION_TEST_CERTS_H_
#define PERCH_TESTS_INTEGRATION_TEST_CERTS_H_

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace perch::testing {

// The path of test certificate or key `name` ("ca.pem", "server.key", ...).
inline std::string TestCert(absl::string_view name) {
  return absl::StrCat(PERCH_TEST_CERT_DIR, "/", name);
}

}  // namespace perch::testing

#endif  // PERCH_TESTS_INTEGRATION_TEST_CERTS_H_
