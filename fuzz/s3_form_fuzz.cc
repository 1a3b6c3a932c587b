// Browser form uploads' parsers: the streaming multipart/form-data parser
// (s3/form_data.h), fed the input in pieces whose sizes the first byte picks
// (so boundaries split across reads are explored), and the JSON documents
// of the same requests: the POST policy (s3/post_policy.h) and bucket
// policies (s3/policy.h), each given the input after the first byte.
// Seeds are forms boto3's generate_presigned_post and curl -F produce.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "s3/form_data.h"
#include "s3/policy.h"
#include "s3/post_policy.h"

using namespace nimbus;

namespace {

class Checker : public s3::FormDataHandler {
 public:
  base::Status on_field(std::string name, std::string value) override {
    if (started || name.empty()) std::abort();  // fields come before the file, and have names
    field_bytes += name.size() + value.size();
    if (field_bytes > s3::FormLimits{}.max_field_bytes) std::abort();
    return {};
  }
  base::Status on_file_start(std::string, std::string) override {
    if (started) std::abort();  // one file
    started = true;
    return {};
  }
  base::Status on_file_data(std::string_view data) override {
    if (!started || ended) std::abort();
    file_bytes += data.size();
    return {};
  }
  base::Status on_file_end() override {
    if (!started || ended) std::abort();
    ended = true;
    return {};
  }
  bool started = false, ended = false;
  size_t field_bytes = 0, file_bytes = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t piece = 1 + data[0] % 64;
  std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  Checker checker;
  s3::FormDataParser parser("B", checker);
  base::Status s;
  for (size_t at = 0; at < body.size() && s; at += piece) s = parser.feed(body.substr(at, piece));
  if (s) s = parser.finish();
  if (s && checker.started && !checker.ended) std::abort();  // a finished form has a finished file
  if (checker.file_bytes > body.size()) std::abort();
  (void)s3::form_boundary(body);
  s3::S3Error err;
  if (auto p = s3::parse_post_policy(body, err))
    for (const auto& c : p->conditions)
      if (c.kind == s3::PostCondition::Kind::kLengthRange && c.min > c.max) std::abort();
  if (auto p = s3::parse_bucket_policy(body, "b", err)) (void)s3::evaluate_anonymous(*p, "s3:GetObject", "arn:aws:s3:::b/k", false);
  return 0;
}
