// A streaming multipart/form-data parser for browser form uploads (S3's
// POST Object). It faces hostile input: part headers and text fields are
// bounded, the number of parts too, and the file part is never buffered — its
// bytes go to the handler as they arrive (holding back only what could be
// the start of the next boundary). As S3 does, whatever follows the file part
// is ignored. Pure, no I/O; one parser per request, not thread-safe.
// Fuzzed by fuzz/s3_form_fuzz.cc.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace nimbus::s3 {

struct FormLimits {
  size_t max_part_header_bytes = 8 * 1024;
  size_t max_field_bytes = 64 * 1024;  // all text fields together (S3: the policy and fields within 20 KB)
  size_t max_parts = 1000;
};

class FormDataHandler {
 public:
  virtual ~FormDataHandler() = default;
  // A text field before the file, whole. Field names are kept as sent.
  virtual base::Status on_field(std::string name, std::string value) = 0;
  // The file part's headers: every field is known by now (S3 wants the file last).
  virtual base::Status on_file_start(std::string filename, std::string content_type) = 0;
  virtual base::Status on_file_data(std::string_view data) = 0;
  virtual base::Status on_file_end() = 0;
};

class FormDataParser {
 public:
  FormDataParser(std::string boundary, FormDataHandler& handler, FormLimits limits = {});
  // Errors: kMalformed (not multipart/form-data as the boundary says),
  // kTooLarge (a limit), or whatever the handler returned.
  base::Status feed(std::string_view data);
  // kMalformed if the body ended before the file part did.
  base::Status finish();
  bool file_done() const { return state_ == State::kIgnore; }

 private:
  enum class State { kPreamble, kAfterBoundary, kHeaders, kField, kFile, kIgnore, kFailed };
  base::Status step();
  base::Status part_headers(std::string_view block);

  std::string delimiter_;  // "\r\n--" + boundary
  FormDataHandler& handler_;
  FormLimits limits_;
  State state_ = State::kPreamble;
  std::string buf_;          // bytes not yet consumed
  std::string field_name_;
  std::string field_value_;
  size_t field_bytes_ = 0;
  size_t parts_ = 0;
};

// The boundary parameter of a multipart/form-data Content-Type; nullopt for
// another type or a boundary RFC 2046 does not allow (1-70 characters).
std::optional<std::string> form_boundary(std::string_view content_type);

}  // namespace nimbus::s3
