#include "nimbus/runtime.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>

#include "http_client.h"

namespace nimbus::runtime {

namespace {

constexpr const char* kBase = "/2018-06-01/runtime";

std::string error_body(const std::string& type, const std::string& message) {
  return "{\"errorMessage\":\"" + json_escape(message) + "\",\"errorType\":\"" + json_escape(type) +
         "\",\"stackTrace\":[]}";
}

std::string base64(std::string_view in) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = uint32_t(uint8_t(in[i])) << 16 | uint32_t(uint8_t(in[i + 1])) << 8 | uint8_t(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out.push_back(kAlphabet[(v >> s) & 63]);
  }
  if (i < in.size()) {
    uint32_t v = uint32_t(uint8_t(in[i])) << 16 | (i + 1 < in.size() ? uint32_t(uint8_t(in[i + 1])) << 8 : 0);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

detail::HttpClient client_from_env() {
  const char* api = std::getenv("AWS_LAMBDA_RUNTIME_API");
  if (!api || !*api) {
    std::cerr << "AWS_LAMBDA_RUNTIME_API is not set: this program runs as a function\n";
    std::exit(2);
  }
  return detail::HttpClient(api);
}

}  // namespace

int64_t Invocation::remaining_ms() const {
  using namespace std::chrono;
  auto now = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  return deadline_ms - now;
}

Outcome Outcome::success(std::string payload, std::string content_type) {
  Outcome o;
  o.body_ = std::move(payload);
  o.content_type_ = std::move(content_type);
  return o;
}

Outcome Outcome::failure(std::string error_type, std::string message) {
  Outcome o;
  o.ok_ = false;
  o.body_ = error_body(error_type, message);
  o.content_type_ = "application/json";
  o.error_type_ = std::move(error_type);
  return o;
}

std::string json_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size() + 8);
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  return out;
}

namespace {

// The next invocation (exits when the runtime API refuses to give one).
Invocation next_invocation(detail::HttpClient& client) {
  auto next = client.request("GET", std::string(kBase) + "/invocation/next");
  if (next.status != 200) {
    std::cerr << "runtime API answered " << next.status << " to invocation/next: " << next.body << "\n";
    std::exit(1);
  }
  Invocation inv;
  inv.payload = std::move(next.body);
  inv.request_id = next.headers["lambda-runtime-aws-request-id"];
  inv.function_arn = next.headers["lambda-runtime-invoked-function-arn"];
  inv.trace_id = next.headers["lambda-runtime-trace-id"];
  inv.client_context = next.headers["lambda-runtime-client-context"];
  inv.cognito_identity = next.headers["lambda-runtime-cognito-identity"];
  inv.deadline_ms = std::strtoll(next.headers["lambda-runtime-deadline-ms"].c_str(), nullptr, 10);
  if (!inv.trace_id.empty()) setenv("_X_AMZN_TRACE_ID", inv.trace_id.c_str(), 1);
  return inv;
}

}  // namespace

struct ResponseWriter::Impl {
  detail::HttpClient& client;
  std::string path;  // …/invocation/{id}/response
};

bool ResponseWriter::begin() {
  if (started_) return !broken_;
  started_ = true;
  detail::HeaderPairs headers{
      {"Lambda-Runtime-Function-Response-Mode", "streaming"},
      {"Content-Type", content_type_},
      {"Trailer", "Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body"}};
  broken_ = !impl_.client.start_chunked("POST", impl_.path, headers);
  if (!broken_ && !prelude_.empty()) broken_ = !impl_.client.send_chunk(prelude_);
  return !broken_;
}

void ResponseWriter::set_http_response(int status_code, const std::vector<std::pair<std::string, std::string>>& headers,
                                       const std::vector<std::string>& cookies) {
  if (started_) return;
  std::string json = "{\"statusCode\":" + std::to_string(status_code) + ",\"headers\":{";
  for (size_t i = 0; i < headers.size(); ++i)
    json += (i ? ",\"" : "\"") + json_escape(headers[i].first) + "\":\"" + json_escape(headers[i].second) + "\"";
  json += "},\"cookies\":[";
  for (size_t i = 0; i < cookies.size(); ++i) json += (i ? ",\"" : "\"") + json_escape(cookies[i]) + "\"";
  json += "]}";
  prelude_ = json + std::string(8, '\0');  // the 8 NUL bytes end the prelude
  content_type_ = "application/vnd.awslambda.http-integration-response";
}

void ResponseWriter::set_content_type(std::string content_type) {
  if (!started_) content_type_ = std::move(content_type);
}

bool ResponseWriter::write(std::string_view bytes) {
  if (finished_ || !begin()) return false;
  // What the function printed so far belongs before this piece in its log.
  std::cout.flush();
  std::cerr.flush();
  if (!impl_.client.send_chunk(bytes)) broken_ = true;
  return !broken_;
}

void ResponseWriter::finish() {
  if (finished_) return;
  finished_ = true;
  std::cout.flush();
  std::cerr.flush();
  if (!begin()) return;
  try {
    impl_.client.finish_chunked({});
  } catch (const std::exception& e) {
    std::cerr << "runtime API: the streamed response did not end cleanly: " << e.what() << "\n";
  }
}

void ResponseWriter::fail(const std::string& error_type, const std::string& message) {
  if (finished_) return;
  finished_ = true;
  std::cout.flush();
  std::cerr.flush();
  if (!begin()) return;
  try {
    impl_.client.finish_chunked({{"Lambda-Runtime-Function-Error-Type", error_type},
                                 {"Lambda-Runtime-Function-Error-Body", base64(error_body(error_type, message))}});
  } catch (const std::exception& e) {
    std::cerr << "runtime API: the streamed error did not reach it: " << e.what() << "\n";
  }
}

void run_streaming(const StreamingHandler& handler) {
  auto client = client_from_env();
  for (;;) {
    Invocation inv = next_invocation(client);
    ResponseWriter::Impl impl{client, std::string(kBase) + "/invocation/" + inv.request_id + "/response"};
    ResponseWriter writer(impl);
    try {
      handler(inv, writer);
      writer.finish();
    } catch (const std::exception& e) {
      writer.fail("Unhandled", e.what());
    } catch (...) {
      writer.fail("Unhandled", "unknown exception");
    }
  }
}

void run(const Handler& handler) {
  auto client = client_from_env();
  for (;;) {
    Invocation inv = next_invocation(client);
    Outcome out = Outcome::failure("Unhandled", "handler did not return");
    try {
      out = handler(inv);
    } catch (const std::exception& e) {
      out = Outcome::failure("Unhandled", e.what());
    } catch (...) {
      out = Outcome::failure("Unhandled", "unknown exception");
    }
    std::cout.flush();
    std::cerr.flush();
    std::string path = std::string(kBase) + "/invocation/" + inv.request_id + (out.ok() ? "/response" : "/error");
    std::map<std::string, std::string> headers{{"Content-Type", out.content_type()}};
    if (!out.ok()) headers["Lambda-Runtime-Function-Error-Type"] = out.error_type();
    client.request("POST", path, out.body(), headers);
  }
}

void fail_init(const std::string& error_type, const std::string& message) {
  auto client = client_from_env();
  client.request("POST", std::string(kBase) + "/init/error", error_body(error_type, message),
                 {{"Content-Type", "application/json"}, {"Lambda-Runtime-Function-Error-Type", error_type}});
  std::exit(1);
}

}  // namespace nimbus::runtime
