// Rotation of the app's consumer key and secret without a restart: watches
// --consumer_key_file / --consumer_secret_file, and when they hold a new pair
// obtains a token with it and switches the token holder to it once that
// works. Owns the settle rule and the decision; the token holder
// (CachingTokenSource::Replace) owns the switch, the caller the health entry.
#ifndef PERCH_SERVER_AUTH_CREDENTIALS_ROTATION_H_
#define PERCH_SERVER_AUTH_CREDENTIALS_ROTATION_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "server/common/mutex.h"
#include "absl/time/time.h"
#include "server/auth/app_credentials.h"
#include "server/auth/caching_token_source.h"
#include "server/auth/token_source.h"
#include "server/common/clock.h"
#include "server/common/file_stamp.h"
#include "server/common/scheduler.h"

namespace perch::auth {

// How a pair is named in logs: the TokenFingerprint of the Basic
// authorization perch sends with it. Never the key or the secret.
std::string PairFingerprint(const AppCredentials& credentials);

struct RotationOptions {
  // The files to watch; either may be empty (that credential comes from the
  // environment and never changes).
  std::string key_file;
  std::string secret_file;
  // How often the files' identities are looked at (FileStamp, as for the
  // callers file). A change is acted on at the first look that finds the
  // files as the previous look did, so within two intervals.
  absl::Duration check_interval = absl::Seconds(10);
  // The longest a token request with a new pair may take.
  absl::Duration request_timeout = absl::Seconds(30);
};

// What the rotation reports (the log says it in words, health as an entry).
struct RotationState {
  std::string in_force;  // PairFingerprint of the pair perch's token is from
  // Set while the files hold a pair the upstream rejected
  // (APP_CREDENTIALS_REJECTED): perch keeps serving with the token of the
  // pair in force for as long as the upstream accepts it.
  std::string rejected;
  int64_t switches = 0;  // pairs switched to since start
  int64_t attempts = 0;  // token requests made with new pairs
};

// Thread-safe. The two files may change a moment apart (an operator
// replacing them one by one); a look that finds them changed only notes it,
// and the pair is read once a later look finds them unchanged since. A pair
// the upstream rejected is never sent again (a half-new pair is sent at most
// once) until the files hold another pair; a request that failed otherwise
// (upstream unreachable, 5xx) is retried at the next look.
class CredentialsRotation {
 public:
  // Reads the pair from the files (and the environment for the other).
  using Load = std::function<absl::StatusOr<AppCredentials>()>;
  // A token source for a pair: the client-credentials source in production.
  using MakeSource =
      std::function<std::shared_ptr<TokenSource>(const AppCredentials&)>;
  // Told the state after each change of it; runs on whichever thread made
  // the change (a scheduler or transport thread) and must not block.
  using Observer = std::function<void(const RotationState&)>;

  // `in_force` is the pair `tokens` was built with. `tokens`, `scheduler`
  // and `clock` must outlive this object, and the scheduler must stop (and
  // token requests end) before it is destroyed.
  CredentialsRotation(RotationOptions options, const AppCredentials& in_force,
                      Load load, MakeSource make_source,
                      CachingTokenSource& tokens, Scheduler& scheduler,
                      const Clock& clock, Observer observer = nullptr);

  // Schedules looks every check_interval until the scheduler stops.
  void Start();

  // One look at the files (Start's timer calls this).
  void Look();

  RotationState state() const;

 private:
  struct Stamps {
    FileStamp key, secret;
    bool operator==(const Stamps&) const = default;
  };
  Stamps StampFiles() const;
  void ScheduleLook();
  void OnAnswer(AppCredentials pair, absl::StatusOr<BearerToken> answer);
  void Notify();

  const RotationOptions options_;
  const Load load_;
  const MakeSource make_source_;
  CachingTokenSource& tokens_;
  Scheduler& scheduler_;
  const Clock& clock_;
  const Observer observer_;

  mutable Mutex mu_;
  AppCredentials in_force_ ABSL_GUARDED_BY(mu_);
  RotationState state_ ABSL_GUARDED_BY(mu_);
  // What the previous look saw, and the files as last read (nullopt: read
  // them at the next settled look, as after a failed request).
  Stamps last_seen_ ABSL_GUARDED_BY(mu_);
  std::optional<Stamps> read_ ABSL_GUARDED_BY(mu_);
  bool requesting_ ABSL_GUARDED_BY(mu_) = false;
  // The source of the last new pair tried; kept until the next one, so it
  // outlives its request's callback.
  std::shared_ptr<TokenSource> tried_ ABSL_GUARDED_BY(mu_);
};

}  // namespace perch::auth

#endif  // PERCH_SERVER_AUTH_CREDENTIALS_ROTATION_H_
