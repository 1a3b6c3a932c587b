// The access keys nimbus accepts. Defaults to LocalStack's test/test; more
// come from flags or a file of "ACCESS_KEY SECRET_KEY" lines ('#' comments),
// and function instances get keys of their own while they live. Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "base/result.h"

namespace nimbus::auth {

class CredentialStore {
 public:
  CredentialStore() = default;
  CredentialStore(CredentialStore&& o) noexcept : keys_(std::move(o.keys_)) {}
  static CredentialStore with_defaults();
  void add(std::string access_key, std::string secret_key);
  void remove(const std::string& access_key);
  base::Status load_file(const std::string& path);
  std::optional<std::string> secret_for(const std::string& access_key) const;
  size_t size() const {
    std::lock_guard lock(mu_);
    return keys_.size();
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::string> keys_;
};

}  // namespace nimbus::auth
