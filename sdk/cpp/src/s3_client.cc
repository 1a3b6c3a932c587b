#include <cstdlib>
#include <ctime>

#include "http_client.h"
#include "nimbus/s3.h"
#include "signer.h"

namespace nimbus::s3 {

namespace {

using runtime::detail::HeaderPairs;
using runtime::detail::HttpClient;
using runtime::detail::HttpResponse;

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// The text of <tag>...</tag> in a small XML error document.
std::string xml_text(const std::string& xml, const std::string& tag) {
  auto start = xml.find("<" + tag + ">");
  if (start == std::string::npos) return "";
  start += tag.size() + 2;
  auto end = xml.find("</" + tag + ">", start);
  return end == std::string::npos ? "" : xml.substr(start, end - start);
}

std::string status_code_name(int status) {
  switch (status) {
    case 403: return "AccessDenied";
    case 404: return "NotFound";
    case 412: return "PreconditionFailed";
    default: return "HttpError" + std::to_string(status);
  }
}

Error error_from(const HttpResponse& r, const std::string& what) {
  std::string code = xml_text(r.body, "Code");
  std::string message = xml_text(r.body, "Message");
  if (code.empty()) code = status_code_name(r.status);
  return Error(r.status, code, what + ": " + code + (message.empty() ? "" : " (" + message + ")"));
}

ObjectInfo info_from(const HttpResponse& r) {
  ObjectInfo info;
  auto get = [&](const char* name) {
    auto it = r.headers.find(name);
    return it == r.headers.end() ? std::string() : it->second;
  };
  info.size = std::strtoull(get("content-length").c_str(), nullptr, 10);
  info.etag = get("etag");
  info.content_type = get("content-type");
  for (const auto& [name, value] : r.headers)
    if (name.rfind("x-amz-meta-", 0) == 0) info.metadata[name.substr(11)] = value;
  return info;
}

}  // namespace

Error::Error(int status, std::string code, const std::string& message)
    : std::runtime_error(message), status_(status), code_(std::move(code)) {}

Config Config::from_env() {
  Config c;
  c.endpoint = env("AWS_ENDPOINT_URL_S3");
  if (c.endpoint.empty()) c.endpoint = env("AWS_ENDPOINT_URL");
  if (c.endpoint.empty()) throw std::invalid_argument("AWS_ENDPOINT_URL is not set: no S3 endpoint to talk to");
  if (auto r = env("AWS_REGION"); !r.empty()) c.region = r;
  else if (auto d = env("AWS_DEFAULT_REGION"); !d.empty()) c.region = d;
  c.access_key = env("AWS_ACCESS_KEY_ID");
  c.secret_key = env("AWS_SECRET_ACCESS_KEY");
  c.session_token = env("AWS_SESSION_TOKEN");
  if (c.access_key.empty() || c.secret_key.empty())
    throw std::invalid_argument("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set");
  return c;
}

struct Client::Impl {
  Config config;
  HttpClient http;

  static std::string host_port(const std::string& endpoint) {
    const std::string scheme = "http://";
    if (endpoint.rfind(scheme, 0) != 0)
      throw std::invalid_argument("only http:// endpoints are supported, got '" + endpoint + "'");
    std::string rest = endpoint.substr(scheme.size());
    rest = rest.substr(0, rest.find('/'));
    auto bracket = rest.rfind(']');  // an IPv6 literal has colons of its own
    if (rest.find(':', bracket == std::string::npos ? 0 : bracket) == std::string::npos) rest += ":80";
    return rest;
  }

  explicit Impl(Config c) : config(std::move(c)), http(host_port(config.endpoint)) {}

  // Signs and sends one request to /bucket/key.
  HttpResponse call(const std::string& method, const std::string& bucket, const std::string& key,
                    HeaderPairs extra, std::string_view body, const runtime::detail::StreamedBody* upload,
                    const runtime::detail::BodySink* sink) {
    std::string path = "/" + sdk::uri_encode(bucket, false) + "/" + sdk::uri_encode(key, true);
    std::string payload_hash = upload ? "UNSIGNED-PAYLOAD" : sdk::sha256_hex(body);
    sdk::SignInput in;
    in.method = method;
    in.path = path;
    in.payload_hash = payload_hash;
    in.region = config.region;
    in.service = "s3";
    in.access_key = config.access_key;
    in.secret_key = config.secret_key;
    in.amz_date = sdk::amz_date(std::time(nullptr));
    in.headers = {{"host", http.host_header()}, {"x-amz-content-sha256", payload_hash}, {"x-amz-date", in.amz_date}};
    if (!config.session_token.empty()) in.headers.emplace_back("x-amz-security-token", config.session_token);
    for (auto& [name, value] : extra) in.headers.emplace_back(name, value);
    HeaderPairs headers;
    for (const auto& h : in.headers)
      if (h.first != "host") headers.push_back(h);
    headers.emplace_back("authorization", sdk::authorization(in));
    // Not signed, as AWS SDKs do: the trace header of the invocation in progress.
    if (auto trace = env("_X_AMZN_TRACE_ID"); !trace.empty()) headers.emplace_back("x-amzn-trace-id", trace);
    try {
      return http.send(method, path, headers, body, upload, sink);
    } catch (const std::runtime_error& e) {
      throw Error(0, "NetworkError", e.what());
    }
  }

  HeaderPairs put_headers(const PutOptions& options) {
    HeaderPairs h{{"content-type", options.content_type}};
    for (const auto& [name, value] : options.metadata) h.emplace_back("x-amz-meta-" + name, value);
    return h;
  }

  std::string put_result(const HttpResponse& r, const std::string& bucket, const std::string& key) {
    if (r.status != 200) throw error_from(r, "PutObject s3://" + bucket + "/" + key);
    auto it = r.headers.find("etag");
    return it == r.headers.end() ? "" : it->second;
  }
};

Client::Client(Config config) : impl_(std::make_unique<Impl>(std::move(config))) {}
Client::~Client() = default;
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;
const Config& Client::config() const { return impl_->config; }

ObjectInfo Client::get_object(const std::string& bucket, const std::string& key,
                              const std::function<void(std::string_view)>& sink) {
  runtime::detail::BodySink s = sink;
  auto r = impl_->call("GET", bucket, key, {}, "", nullptr, &s);
  if (r.status != 200) throw error_from(r, "GetObject s3://" + bucket + "/" + key);
  return info_from(r);
}

std::string Client::get_object(const std::string& bucket, const std::string& key, ObjectInfo* info) {
  std::string body;
  ObjectInfo got = get_object(bucket, key, [&](std::string_view piece) {
    if (body.empty() && body.capacity() == 0) body.reserve(64 * 1024);
    body.append(piece);
  });
  if (info) *info = std::move(got);
  return body;
}

ObjectInfo Client::head_object(const std::string& bucket, const std::string& key) {
  auto r = impl_->call("HEAD", bucket, key, {}, "", nullptr, nullptr);
  if (r.status != 200) throw error_from(r, "HeadObject s3://" + bucket + "/" + key);
  return info_from(r);
}

std::string Client::put_object(const std::string& bucket, const std::string& key, std::string_view body,
                               const PutOptions& options) {
  auto r = impl_->call("PUT", bucket, key, impl_->put_headers(options), body, nullptr, nullptr);
  return impl_->put_result(r, bucket, key);
}

std::string Client::put_object(const std::string& bucket, const std::string& key, uint64_t size,
                               const std::function<size_t(char*, size_t)>& read, const PutOptions& options) {
  runtime::detail::StreamedBody upload{size, read};
  auto r = impl_->call("PUT", bucket, key, impl_->put_headers(options), "", &upload, nullptr);
  return impl_->put_result(r, bucket, key);
}

std::string decode_event_key(std::string_view encoded) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(encoded.size());
  for (size_t i = 0; i < encoded.size(); ++i) {
    char c = encoded[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < encoded.size() && nibble(encoded[i + 1]) >= 0 && nibble(encoded[i + 2]) >= 0) {
      out.push_back(static_cast<char>(nibble(encoded[i + 1]) * 16 + nibble(encoded[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace nimbus::s3
