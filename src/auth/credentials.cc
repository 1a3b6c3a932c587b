#include "auth/credentials.h"

#include <sstream>

#include "base/crypto.h"
#include "base/file.h"

namespace nimbus::auth {

base::Status check_session(const Credential& c, std::string_view token, int64_t now_ms) {
  if (!c.is_session()) return {};
  if (c.expires_ms && now_ms >= c.expires_ms)
    return base::make_error(base::ErrorCode::kUnauthenticated, "The security token included in the request is expired",
                            base::reason::kExpiredToken);
  if (!base::constant_time_equal(token, c.session_token))
    return base::make_error(base::ErrorCode::kUnauthenticated, "The security token included in the request is invalid.",
                            base::reason::kInvalidAccessKeyId);
  return {};
}

CredentialStore CredentialStore::with_defaults() {
  CredentialStore s;
  s.add("test", "test");
  return s;
}

void CredentialStore::add(std::string access_key, std::string secret_key) {
  std::lock_guard lock(mu_);
  keys_[std::move(access_key)] = Credential{std::move(secret_key)};
}

void CredentialStore::add_session(std::string access_key, Credential credential, int64_t now_ms) {
  std::lock_guard lock(mu_);
  for (auto it = keys_.begin(); it != keys_.end();)
    it = it->second.is_session() && it->second.expires_ms && it->second.expires_ms < now_ms ? keys_.erase(it)
                                                                                          : std::next(it);
  keys_[std::move(access_key)] = std::move(credential);
}

void CredentialStore::remove(const std::string& access_key) {
  std::lock_guard lock(mu_);
  keys_.erase(access_key);
}

base::Status CredentialStore::load_file(const std::string& path) {
  auto text = base::read_file(path);
  if (!text) return text.error();
  std::istringstream in(*text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    std::istringstream fields(line);
    std::string key, secret;
    if (!(fields >> key) || key[0] == '#') continue;
    if (!(fields >> secret))
      return base::make_error(base::ErrorCode::kInvalidArgument,
                              path + ":" + std::to_string(n) + ": expected ACCESS_KEY SECRET_KEY");
    add(key, secret);
  }
  return {};
}

std::optional<std::string> CredentialStore::secret_for(const std::string& access_key) const {
  std::lock_guard lock(mu_);
  auto it = keys_.find(access_key);
  if (it == keys_.end()) return std::nullopt;
  return it->second.secret;
}

std::optional<Credential> CredentialStore::find(const std::string& access_key) const {
  std::lock_guard lock(mu_);
  auto it = keys_.find(access_key);
  if (it == keys_.end()) return std::nullopt;
  return it->second;
}

}  // namespace nimbus::auth
