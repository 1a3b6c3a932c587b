// PayloadDecoder turns the body bytes of a verified request into the bytes
// the client meant, and proves them: it checks the signed SHA-256, or decodes
// aws-chunked bodies (verifying every chunk signature and the trailer
// signature) and collects the trailing checksum headers.
#pragma once

#include <string>
#include <string_view>

#include "auth/sigv4.h"
#include "base/crypto.h"
#include "base/result.h"

namespace nimbus::auth {

class PayloadDecoder {
 public:
  explicit PayloadDecoder(const VerifiedRequest& req);
  // Appends decoded payload bytes from `in` to `out`.
  base::Status feed(std::string_view in, std::string& out);
  // Call after the last body byte: fails on a truncated body or a hash mismatch.
  base::Status finish();
  // Trailing headers of aws-chunked bodies (lowercase names), e.g. x-amz-checksum-crc32.
  const HeaderList& trailers() const { return trailers_; }
  bool chunked() const { return chunked_; }

 private:
  enum class State { kSizeLine, kData, kDataEnd, kTrailer, kDone };
  base::Status on_size_line(std::string_view line);
  base::Status on_chunk_end();
  base::Status on_trailer_end();

  const VerifiedRequest& req_;
  bool chunked_ = false;
  bool signed_chunks_ = false;
  State state_ = State::kSizeLine;
  std::string line_;
  uint64_t chunk_left_ = 0;
  bool last_chunk_ = false;
  std::string chunk_signature_;
  std::string previous_signature_;
  std::string trailer_signature_;
  std::string trailer_text_;
  HeaderList trailers_;
  base::Digest hash_{base::DigestKind::kSha256};
};

}  // namespace nimbus::auth
