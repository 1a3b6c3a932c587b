#include "s3/form_data.h"

#include "base/encoding.h"

namespace nimbus::s3 {

using base::ErrorCode;

namespace {

base::Status malformed(std::string why) {
  return base::make_error(ErrorCode::kMalformed,
                          "The body of your POST request is not well-formed multipart/form-data: " + std::move(why));
}

// The parameters of a Content-Disposition or Content-Type value: name=value
// or name="quoted; value", separated by ';'. Names lowercased.
std::vector<std::pair<std::string, std::string>> header_params(std::string_view v, std::string& first) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t i = 0;
  auto skip_ws = [&] {
    while (i < v.size() && (v[i] == ' ' || v[i] == '\t')) ++i;
  };
  size_t semi = v.find(';');
  first = base::to_lower(base::trim(v.substr(0, semi)));
  if (semi == std::string_view::npos) return out;
  i = semi + 1;
  while (i < v.size()) {
    skip_ws();
    size_t eq = i;
    while (eq < v.size() && v[eq] != '=' && v[eq] != ';') ++eq;
    std::string name = base::to_lower(base::trim(v.substr(i, eq - i)));
    std::string value;
    i = eq;
    if (i < v.size() && v[i] == '=') {
      ++i;
      skip_ws();
      if (i < v.size() && v[i] == '"') {
        ++i;
        while (i < v.size() && v[i] != '"') {
          if (v[i] == '\\' && i + 1 < v.size()) ++i;
          value.push_back(v[i++]);
        }
        if (i < v.size()) ++i;  // the closing quote
        while (i < v.size() && v[i] != ';') ++i;
      } else {
        size_t end = v.find(';', i);
        if (end == std::string_view::npos) end = v.size();
        value = std::string(base::trim(v.substr(i, end - i)));
        i = end;
      }
    }
    if (i < v.size() && v[i] == ';') ++i;
    if (!name.empty()) out.emplace_back(std::move(name), std::move(value));
  }
  return out;
}

}  // namespace

std::optional<std::string> form_boundary(std::string_view content_type) {
  std::string type;
  auto params = header_params(content_type, type);
  if (type != "multipart/form-data") return std::nullopt;
  for (const auto& [k, v] : params)
    if (k == "boundary") {
      if (v.empty() || v.size() > 70 || v.find_first_of("\r\n") != std::string::npos) return std::nullopt;
      return v;
    }
  return std::nullopt;
}

FormDataParser::FormDataParser(std::string boundary, FormDataHandler& handler, FormLimits limits)
    : delimiter_("\r\n--" + boundary), handler_(handler), limits_(limits) {
  // The first boundary has no CRLF before it: pretend it had, so every one is found the same way.
  buf_ = "\r\n";
}

base::Status FormDataParser::feed(std::string_view data) {
  if (state_ == State::kFailed) return malformed("an earlier part failed");
  if (state_ == State::kIgnore) return {};
  buf_.append(data);
  auto s = step();
  if (!s) state_ = State::kFailed;
  return s;
}

base::Status FormDataParser::finish() {
  if (state_ == State::kIgnore) return {};
  if (state_ == State::kFailed) return malformed("an earlier part failed");
  state_ = State::kFailed;
  return malformed("the body ended inside a part");
}

base::Status FormDataParser::step() {
  const size_t keep = delimiter_.size() - 1;  // what may be the start of a delimiter split across reads
  for (;;) {
    switch (state_) {
      case State::kPreamble: {
        size_t pos = buf_.find(delimiter_);
        if (pos == std::string::npos) {
          if (buf_.size() > keep) buf_.erase(0, buf_.size() - keep);
          return {};
        }
        buf_.erase(0, pos + delimiter_.size());
        state_ = State::kAfterBoundary;
        break;
      }
      case State::kAfterBoundary: {
        if (buf_.size() < 2) return {};
        if (buf_.compare(0, 2, "--") == 0) {  // the closing boundary before any file
          state_ = State::kIgnore;
          buf_.clear();
          return {};
        }
        size_t i = 0;  // transport padding (RFC 2046)
        while (i < buf_.size() && (buf_[i] == ' ' || buf_[i] == '\t')) ++i;
        if (i > 64) return malformed("padding after a boundary");
        if (buf_.size() < i + 2) return {};
        if (buf_.compare(i, 2, "\r\n") != 0) return malformed("a boundary is not followed by CRLF");
        buf_.erase(0, i + 2);
        state_ = State::kHeaders;
        break;
      }
      case State::kHeaders: {
        size_t end = buf_.compare(0, 2, "\r\n") == 0 ? 0 : buf_.find("\r\n\r\n");
        if (end == std::string::npos) {
          if (buf_.size() > limits_.max_part_header_bytes)
            return base::make_error(ErrorCode::kTooLarge, "A part's headers are too large");
          return {};
        }
        if (end > limits_.max_part_header_bytes)
          return base::make_error(ErrorCode::kTooLarge, "A part's headers are too large");
        if (++parts_ > limits_.max_parts) return base::make_error(ErrorCode::kTooLarge, "Too many form fields");
        std::string block = buf_.substr(0, end);
        buf_.erase(0, end == 0 ? 2 : end + 4);
        if (auto s = part_headers(block); !s) return s;
        break;
      }
      case State::kField:
      case State::kFile: {
        size_t pos = buf_.find(delimiter_);
        size_t emit = pos != std::string::npos ? pos : (buf_.size() > keep ? buf_.size() - keep : 0);
        if (emit) {
          if (state_ == State::kField) {
            field_bytes_ += emit;
            if (field_bytes_ > limits_.max_field_bytes)
              return base::make_error(ErrorCode::kTooLarge, "The form fields are too large");
            field_value_.append(buf_, 0, emit);
          } else if (auto s = handler_.on_file_data(std::string_view(buf_).substr(0, emit)); !s) {
            return s;
          }
          buf_.erase(0, emit);
        }
        if (pos == std::string::npos) return {};
        buf_.erase(0, delimiter_.size());
        if (state_ == State::kField) {
          if (auto s = handler_.on_field(std::move(field_name_), std::move(field_value_)); !s) return s;
          field_name_.clear();
          field_value_.clear();
          state_ = State::kAfterBoundary;
        } else {
          state_ = State::kIgnore;  // S3 ignores whatever follows the file
          buf_.clear();
          return handler_.on_file_end();
        }
        break;
      }
      case State::kIgnore:
        buf_.clear();
        return {};
      case State::kFailed:
        return malformed("an earlier part failed");
    }
  }
}

base::Status FormDataParser::part_headers(std::string_view block) {
  std::string name, filename, content_type;
  bool disposition = false;
  while (!block.empty()) {
    size_t eol = block.find("\r\n");
    std::string_view line = block.substr(0, eol);
    block = eol == std::string_view::npos ? std::string_view() : block.substr(eol + 2);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return malformed("a part header without ':'");
    std::string header = base::to_lower(base::trim(line.substr(0, colon)));
    std::string_view value = base::trim(line.substr(colon + 1));
    if (header == "content-disposition") {
      std::string type;
      for (auto& [k, v] : header_params(value, type)) {
        if (k == "name") name = v;
        if (k == "filename") filename = v;
      }
      if (type != "form-data") return malformed("a part that is not form-data");
      disposition = true;
    } else if (header == "content-type") {
      content_type = std::string(value);
    }
  }
  if (!disposition || name.empty()) return malformed("a part without a name");
  // S3's file field is "file" (any case); its filename is optional.
  if (base::iequals(name, "file")) {
    state_ = State::kFile;
    return handler_.on_file_start(std::move(filename), std::move(content_type));
  }
  field_bytes_ += name.size();
  if (field_bytes_ > limits_.max_field_bytes)
    return base::make_error(ErrorCode::kTooLarge, "The form fields are too large");
  field_name_ = std::move(name);
  state_ = State::kField;
  return {};
}

}  // namespace nimbus::s3
