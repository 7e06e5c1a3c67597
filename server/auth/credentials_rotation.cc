#include "server/auth/credentials_rotation.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "server/auth/token_fingerprint.h"
#include "server/common/error_reasons.h"
#include "server/common/errors.h"
#include "server/common/log.h"

namespace perch::auth {
namespace {

// Which halves of `next` differ from `now`, for the operator who replaced
// one file and not yet the other. Says nothing about the values.
std::string WhatChanged(const AppCredentials& now, const AppCredentials& next) {
  const bool key = now.consumer_key != next.consumer_key;
  const bool secret = now.consumer_secret != next.consumer_secret;
  if (key && secret) return "new key and new secret";
  return key ? "new key, same secret" : "same key, new secret";
}

}  // namespace

std::string PairFingerprint(const AppCredentials& credentials) {
  return TokenFingerprint(BasicAuthorization(credentials));
}

CredentialsRotation::CredentialsRotation(RotationOptions options,
                                         const AppCredentials& in_force,
                                         Load load, MakeSource make_source,
                                         CachingTokenSource& tokens,
                                         Scheduler& scheduler,
                                         const Clock& clock, Observer observer)
    : options_(std::move(options)),
      load_(std::move(load)),
      make_source_(std::move(make_source)),
      tokens_(tokens),
      scheduler_(scheduler),
      clock_(clock),
      observer_(std::move(observer)),
      in_force_(in_force) {
  state_.in_force = PairFingerprint(in_force);
  // The files may have changed since `in_force` was read from them: the
  // first look reads them (without asking upstream if the pair is the same).
  last_seen_ = StampFiles();
}

CredentialsRotation::Stamps CredentialsRotation::StampFiles() const {
  return Stamps{StampFile(options_.key_file), StampFile(options_.secret_file)};
}

void CredentialsRotation::Start() { ScheduleLook(); }

void CredentialsRotation::ScheduleLook() {
  scheduler_.RunAfter(options_.check_interval, [this](bool cancelled) {
    if (cancelled) return;
    Look();
    ScheduleLook();
  });
}

void CredentialsRotation::Look() {
  const Stamps stamps = StampFiles();
  AppCredentials next;
  TokenSource* source = nullptr;  // set when a request is to be made
  std::string in_force_name;
  std::string what_changed;
  {
    MutexLock lock(&mu_);
    // A request in flight decides first; the files are looked at again
    // after its answer.
    if (requesting_) return;
    if (stamps != last_seen_) {
      last_seen_ = stamps;
      LogInfo(
          "consumer credential files changed; reading them once they "
          "have stayed unchanged for ",
          absl::FormatDuration(options_.check_interval));
      return;
    }
    if (read_.has_value() && *read_ == stamps) return;
    read_ = stamps;
    absl::StatusOr<AppCredentials> loaded = load_();
    if (!loaded.ok()) {
      LogError("consumer credential files: ", loaded.status().message(),
               "; still serving with pair ", state_.in_force);
      return;
    }
    next = *std::move(loaded);
    const std::string name = PairFingerprint(next);
    if (name == state_.in_force) {
      // Back to the pair in force (or only touched): nothing to ask.
      if (state_.rejected.empty()) return;
      state_.rejected.clear();
      LogInfo("consumer credential files hold pair ", name,
              " again, the pair in force");
    } else if (name == state_.rejected) {
      return;  // Rejected already: never sent twice.
    } else {
      requesting_ = true;
      tried_ = make_source_(next);
      source = tried_.get();
      ++state_.attempts;
      in_force_name = state_.in_force;
      what_changed = WhatChanged(in_force_, next);
    }
  }
  if (source == nullptr) {
    Notify();
    return;
  }
  LogInfo("consumer credential files hold pair ", PairFingerprint(next), " (",
          what_changed, "); obtaining a token with it, serving with pair ",
          in_force_name, " meanwhile");
  source->Fetch(clock_.Now() + options_.request_timeout,
                [this, next](absl::StatusOr<BearerToken> answer) {
                  OnAnswer(next, std::move(answer));
                });
}

void CredentialsRotation::OnAnswer(AppCredentials pair,
                                   absl::StatusOr<BearerToken> answer) {
  const std::string name = PairFingerprint(pair);
  const bool rejected = !answer.ok() && ErrorReason(answer.status()) ==
                                            reasons::kAppCredentialsRejected;
  std::shared_ptr<TokenSource> source;
  {
    MutexLock lock(&mu_);
    source = tried_;
  }
  // Switched before the state says so: a read that follows the state (or
  // the log line) uses the new token.
  if (answer.ok()) tokens_.Replace(std::move(source), *answer);
  std::string old_name;
  {
    MutexLock lock(&mu_);
    requesting_ = false;
    old_name = state_.in_force;
    if (answer.ok()) {
      in_force_ = std::move(pair);
      state_.in_force = name;
      state_.rejected.clear();
      ++state_.switches;
    } else if (rejected) {
      state_.rejected = name;
    } else {
      read_.reset();  // Ask again at the next look.
    }
  }
  // The report first, then the log line: what the log says is already true.
  if (answer.ok() || rejected) Notify();
  if (answer.ok()) {
    LogInfo("consumer credentials: switched to pair ", name, " (token ",
            TokenFingerprint(answer->value), "), was pair ", old_name);
  } else if (rejected) {
    LogError("consumer credentials: the upstream rejected pair ", name,
             " from the files (APP_CREDENTIALS_REJECTED); still serving with "
             "the token of pair ",
             old_name,
             " for as long as the upstream accepts it. The pair is not sent "
             "again; write a corrected pair to the files");
  } else {
    LogWarning("consumer credentials: no token with pair ", name, " yet (",
               answer.status().message(), "); asking again in ",
               absl::FormatDuration(options_.check_interval),
               ", serving with pair ", old_name, " meanwhile");
  }
}

void CredentialsRotation::Notify() {
  if (observer_) observer_(state());
}

RotationState CredentialsRotation::state() const {
  MutexLock lock(&mu_);
  return state_;
}

}  // namespace perch::auth
