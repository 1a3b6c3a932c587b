#include "base/ids.h"

#include <openssl/rand.h>

#include <cctype>
#include <stdexcept>

#include "base/encoding.h"

namespace nimbus::base {

std::string random_bytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
    throw std::runtime_error("RAND_bytes failed");
  return out;
}

std::string random_hex(size_t n_bytes) { return to_hex(random_bytes(n_bytes)); }

std::string uuid_from_hex(const std::string& h) {
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-4" + h.substr(13, 3) + "-a" + h.substr(17, 3) + "-" + h.substr(20, 12);
}

std::string uuid4() { return uuid_from_hex(random_hex(16)); }

std::string request_id() {
  std::string id = random_hex(8);
  for (auto& c : id) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return id;
}

}  // namespace nimbus::base
