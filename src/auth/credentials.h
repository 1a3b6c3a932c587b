// The access keys nimbus accepts. Defaults to LocalStack's test/test; more
// come from flags or a file of "ACCESS_KEY SECRET_KEY" lines ('#' comments),
// function instances get keys of their own while they live, and STS's
// AssumeRole adds session credentials (key, secret, session token) that
// expire. Session credentials live in memory: a restart forgets them, as a
// client whose token expired would have to ask again anyway.
//
// THREADING RULE: thread-safe; every method takes the one mutex briefly and
// never blocks on I/O.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace nimbus::auth {

struct Credential {
  std::string secret;
  // Session credentials only (AssumeRole): the token the request must carry
  // as X-Amz-Security-Token, when it stops working, and whose session it is.
  std::string session_token;
  int64_t expires_ms = 0;  // 0: never
  std::string role_arn;
  std::string session_name;
  bool is_session() const { return !session_token.empty(); }
};

// A session credential is good only unexpired and with its own token (the
// request's X-Amz-Security-Token); a long-term key needs neither. Errors:
// kUnauthenticated, reason kExpiredToken (expired) or kInvalidAccessKeyId (token missing or wrong).
base::Status check_session(const Credential& c, std::string_view token, int64_t now_ms);

class CredentialStore {
 public:
  CredentialStore() = default;
  CredentialStore(CredentialStore&& o) noexcept : keys_(std::move(o.keys_)) {}
  static CredentialStore with_defaults();
  void add(std::string access_key, std::string secret_key);
  // Session credentials; also forgets sessions that expired before now_ms.
  void add_session(std::string access_key, Credential credential, int64_t now_ms);
  void remove(const std::string& access_key);
  base::Status load_file(const std::string& path);
  // The key's secret, sessions included (even expired: find() tells).
  std::optional<std::string> secret_for(const std::string& access_key) const;
  std::optional<Credential> find(const std::string& access_key) const;
  size_t size() const {
    std::lock_guard lock(mu_);
    return keys_.size();
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, Credential> keys_;
};

}  // namespace nimbus::auth
