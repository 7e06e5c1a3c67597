// Everything that configures one emulator instance: where it listens, the app
// credentials it accepts, its thresholds, its seed and the faults active from
// the start. Filled by tests directly or by flags.cc for the binary.
#ifndef PERCH_EMULATOR_EMULATOR_OPTIONS_H_
#define PERCH_EMULATOR_EMULATOR_OPTIONS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "emulator/account_status.h"
#include "emulator/faults.h"
#include "server/common/clock.h"

namespace perch::emulator {

struct EmulatorOptions {
  std::string listen_host = "127.0.0.1";  // numeric IPv4 or IPv6
  int port = 0;  // 0: an ephemeral port; read it back with Emulator::port()

  // Both set: serve HTTPS with this PEM certificate chain and key.
  std::string tls_cert_file;
  std::string tls_key_file;

  // The app credentials /oauth2/token accepts: the example of the
  // application-only authentication guide.
  std::string app_key = "xvz1evFS4wEEPTGEFPHBog";
  std::string app_secret = "L8qq9PZyRg6ieKGEKhZolGC0vJWLw8iEJ88DRdyOg";
  // Both set: a second app /oauth2/token also accepts, with bearer tokens of
  // its own that reads accept as well, so a test can rotate perch's
  // credentials from one app to the other. /_emulator/stats counts each
  // app's tokens and their uses.
  std::string second_app_key;
  std::string second_app_secret;

  // More /oauth2/token requests than this in one minute: 403/99.
  int max_token_requests_per_minute = 60;

  // Makes the synthetic world (world.h), tokens and fault rolls
  // reproducible.
  uint64_t seed = 1;

  // The developer account behind the app: which dialects it may read and
  // whether it may read at all (account_status.h). /_emulator/reset and
  // Emulator::ResetAccount() return to these.
  AccessLevel access_level = AccessLevel::kFull;
  AccountState account_state = AccountState::kOk;

  // Active from the first request; more can be added at run time.
  std::vector<FaultRule> faults;

  // Rate-limit windows and the token-request minute read this clock. Not
  // owned; must outlive the emulator. nullptr: the system clock.
  const Clock* clock = nullptr;
};

}  // namespace perch::emulator

#endif  // PERCH_EMULATOR_EMULATOR_OPTIONS_H_
