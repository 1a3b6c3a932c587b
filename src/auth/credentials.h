// The access keys nimbus accepts. Defaults to LocalStack's test/test; more
// come from flags or a file of "ACCESS_KEY SECRET_KEY" lines ('#' comments).
#pragma once

#include <map>
#include <optional>
#include <string>

#include "base/result.h"

namespace nimbus::auth {

class CredentialStore {
 public:
  static CredentialStore with_defaults();
  void add(std::string access_key, std::string secret_key);
  base::Status load_file(const std::string& path);
  std::optional<std::string> secret_for(const std::string& access_key) const;
  size_t size() const { return keys_.size(); }

 private:
  std::map<std::string, std::string> keys_;
};

}  // namespace nimbus::auth
