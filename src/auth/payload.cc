#include "auth/payload.h"

#include <cstdlib>

#include "base/encoding.h"

namespace nimbus::auth {

using base::ErrorCode;
using base::make_error;

namespace {
constexpr size_t kMaxLine = 4096;
const std::string kEmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

base::Error malformed(std::string what) {
  return make_error(ErrorCode::kMalformed, "malformed aws-chunked body: " + std::move(what), base::reason::kIncompleteBody);
}
}  // namespace

PayloadDecoder::PayloadDecoder(const VerifiedRequest& req) : req_(req) {
  chunked_ = req.payload == PayloadMode::kStreamingSigned || req.payload == PayloadMode::kStreamingSignedTrailer ||
             req.payload == PayloadMode::kStreamingUnsignedTrailer;
  signed_chunks_ = req.payload == PayloadMode::kStreamingSigned || req.payload == PayloadMode::kStreamingSignedTrailer;
  previous_signature_ = req.signature;
}

base::Status PayloadDecoder::feed(std::string_view in, std::string& out) {
  if (!chunked_) {
    if (req_.payload == PayloadMode::kSignedHash) hash_.update(in);
    out.append(in);
    return {};
  }
  while (!in.empty()) {
    switch (state_) {
      case State::kSizeLine:
      case State::kTrailer:
      case State::kDataEnd: {
        size_t nl = in.find('\n');
        std::string_view part = in.substr(0, nl);
        if (line_.size() + part.size() > kMaxLine) return malformed("line too long");
        line_.append(part);
        if (nl == std::string_view::npos) return {};
        in.remove_prefix(nl + 1);
        if (line_.empty() || line_.back() != '\r') return malformed("line not ended by CRLF");
        line_.pop_back();
        std::string line = std::move(line_);
        line_.clear();
        base::Status s;
        if (state_ == State::kSizeLine) {
          s = on_size_line(line);
        } else if (state_ == State::kDataEnd) {
          if (!line.empty()) return malformed("chunk data longer than its size");
          state_ = State::kSizeLine;
        } else if (line.empty()) {
          s = on_trailer_end();
        } else {
          size_t colon = line.find(':');
          if (colon == std::string::npos) return malformed("bad trailer line");
          std::string name = base::to_lower(base::trim(std::string_view(line).substr(0, colon)));
          std::string value(base::trim(std::string_view(line).substr(colon + 1)));
          if (name == "x-amz-trailer-signature") {
            trailer_signature_ = value;
          } else {
            trailer_text_.append(name).append(":").append(value).append("\n");
            trailers_.emplace_back(std::move(name), std::move(value));
          }
        }
        if (!s) return s;
        break;
      }
      case State::kData: {
        size_t n = static_cast<size_t>(std::min<uint64_t>(chunk_left_, in.size()));
        out.append(in.substr(0, n));
        if (signed_chunks_) hash_.update(in.substr(0, n));
        chunk_left_ -= n;
        in.remove_prefix(n);
        if (chunk_left_ == 0) {
          if (auto s = on_chunk_end(); !s) return s;
          state_ = State::kDataEnd;
        }
        break;
      }
      case State::kDone:
        return malformed("data after the final chunk");
    }
  }
  return {};
}

base::Status PayloadDecoder::on_size_line(std::string_view line) {
  size_t semi = line.find(';');
  std::string size_text(line.substr(0, semi));
  chunk_signature_.clear();
  if (semi != std::string_view::npos) {
    std::string_view ext = line.substr(semi + 1);
    constexpr std::string_view kSig = "chunk-signature=";
    if (ext.substr(0, kSig.size()) != kSig) return malformed("unknown chunk extension");
    chunk_signature_ = std::string(ext.substr(kSig.size()));
  }
  if (signed_chunks_ && chunk_signature_.empty()) return malformed("chunk without chunk-signature");
  if (size_text.empty() || size_text.size() > 15) return malformed("bad chunk size");
  char* end = nullptr;
  chunk_left_ = std::strtoull(size_text.c_str(), &end, 16);
  if (*end) return malformed("bad chunk size");
  last_chunk_ = chunk_left_ == 0;
  if (last_chunk_) {
    if (auto s = on_chunk_end(); !s) return s;
    state_ = State::kTrailer;
  } else {
    state_ = State::kData;
  }
  return {};
}

base::Status PayloadDecoder::on_chunk_end() {
  if (!signed_chunks_) return {};
  std::string sts = "AWS4-HMAC-SHA256-PAYLOAD\n" + req_.amz_date + "\n" + req_.scope.str() + "\n" +
                    previous_signature_ + "\n" + kEmptySha256 + "\n" + base::to_hex(hash_.finish());
  std::string expected = base::to_hex(base::hmac_sha256(req_.signing_key, sts));
  if (expected != base::to_lower(chunk_signature_))
    return make_error(ErrorCode::kUnauthenticated, "The chunk signature we calculated does not match the one sent.", base::reason::kSignatureDoesNotMatch);
  previous_signature_ = expected;
  return {};
}

base::Status PayloadDecoder::on_trailer_end() {
  if (req_.payload == PayloadMode::kStreamingSignedTrailer) {
    std::string sts = "AWS4-HMAC-SHA256-TRAILER\n" + req_.amz_date + "\n" + req_.scope.str() + "\n" +
                      previous_signature_ + "\n" + base::sha256_hex(trailer_text_);
    std::string expected = base::to_hex(base::hmac_sha256(req_.signing_key, sts));
    if (expected != base::to_lower(trailer_signature_))
      return make_error(ErrorCode::kUnauthenticated, "The trailer signature we calculated does not match the one sent.", base::reason::kSignatureDoesNotMatch);
  }
  state_ = State::kDone;
  return {};
}

base::Status PayloadDecoder::finish() {
  if (chunked_) {
    if (state_ != State::kDone) return make_error(ErrorCode::kMalformed, "the aws-chunked body ended early", base::reason::kIncompleteBody);
    return {};
  }
  if (req_.payload == PayloadMode::kSignedHash && !req_.payload_hash.empty()) {
    if (base::to_hex(hash_.finish()) != base::to_lower(req_.payload_hash))
      return make_error(ErrorCode::kInvalidArgument,
                        "The provided 'x-amz-content-sha256' header does not match what was computed.", base::reason::kContentSha256Mismatch);
  }
  return {};
}

}  // namespace nimbus::auth
