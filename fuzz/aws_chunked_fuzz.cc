// aws-chunked decoding (auth::PayloadDecoder) in every payload mode: signed
// hash, unsigned, signed chunks, signed chunks with a signed trailer, and
// unsigned chunks with a trailer. Each body is decoded whole and again fed
// in pseudo-random splits; both must agree, since the HTTP server hands
// bodies over in whatever pieces the socket gives.
// Input: byte 0 the mode, byte 1 the split seed, then the body. Seeds are
// signed by tests/e2e/sigv4.py (see make_seeds.py).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "auth/payload.h"

using namespace nimbus;

namespace {

// What the seeds were signed with: key test/test, 2026-12-02, us-east-1, s3.
constexpr const char* kSeedSignature = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";

auth::VerifiedRequest request(uint8_t mode_byte) {
  static const auth::PayloadMode kModes[] = {auth::PayloadMode::kSignedHash, auth::PayloadMode::kUnsigned,
                                             auth::PayloadMode::kStreamingSigned,
                                             auth::PayloadMode::kStreamingSignedTrailer,
                                             auth::PayloadMode::kStreamingUnsignedTrailer};
  auth::VerifiedRequest r;
  r.access_key = "test";
  r.scope = {"20261202", "us-east-1", "s3"};
  r.amz_date = "20261202T120000Z";
  r.signature = kSeedSignature;
  static const std::string key = auth::derive_signing_key("test", r.scope);
  r.signing_key = key;
  r.payload = kModes[mode_byte % 5];
  // sha256("hello"): the seeds of the signed-hash mode carry that body.
  r.payload_hash = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
  return r;
}

struct Outcome {
  bool ok = false;
  std::string bytes;
  base::HeaderList trailers;
};

template <typename Pieces>
Outcome decode(const auth::VerifiedRequest& req, std::string_view body, Pieces next_size) {
  auth::PayloadDecoder d(req);
  Outcome o;
  while (!body.empty()) {
    size_t n = std::min(body.size(), next_size());
    if (!d.feed(body.substr(0, n), o.bytes)) return o;
    body.remove_prefix(n);
  }
  o.ok = static_cast<bool>(d.finish());
  o.trailers = d.trailers();
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  auto req = request(data[0]);
  uint32_t state = data[1] | 1u;
  std::string_view body(reinterpret_cast<const char*>(data + 2), size - 2);
  Outcome whole = decode(req, body, [&] { return body.size(); });
  Outcome split = decode(req, body, [&] {
    state = state * 1103515245u + 12345u;  // a small LCG: splits of 1..64 bytes
    return static_cast<size_t>((state >> 16) % 64 + 1);
  });
  // How the bytes arrive must not change what is decoded or whether it is accepted.
  if (whole.ok != split.ok) std::abort();
  if (whole.ok && (whole.bytes != split.bytes || whole.trailers != split.trailers)) std::abort();
  return 0;
}
