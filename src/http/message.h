// Request and Response as handlers see them: plain data plus a streamed
// request body (BodyReader, with a chunked body's trailer fields once it is
// read) and an optional streamed response body: of known size from local
// files (BodySource), or produced while it is sent, chunked (ChunkSource).
// No Beast types leak out of http/.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/headers.h"
#include "base/result.h"

namespace nimbus::http {

class BodyReader {
 public:
  virtual ~BodyReader() = default;
  // Reads up to n body bytes; 0 once the body is complete. Fails on a client
  // that disconnects or stalls past the body timeout.
  virtual boost::asio::awaitable<base::Result<size_t>> read_some(char* buf, size_t n) = 0;
  // A chunked body's trailer fields (lowercase names), complete once
  // read_some() has returned 0; empty for other bodies.
  virtual const base::HeaderList& trailers() const {
    static const base::HeaderList kNone;
    return kNone;
  }
};

struct Request {
  std::string method;
  std::string target;        // raw path and query as sent
  base::HeaderList headers;  // lowercase names
  // headers[i]'s name as the client spelled it; empty when the request was
  // not parsed off the wire (then the lower-case names are all there is).
  std::vector<std::string> original_names;
  std::string remote_ip;
  std::optional<uint64_t> content_length;  // absent for chunked bodies
  BodyReader* body = nullptr;

  std::string header(std::string_view lower_name) const {
    const std::string* v = base::find_header(headers, lower_name);
    return v ? *v : std::string();
  }
};

// A response body produced piece by piece (object data), read synchronously
// from local files by the connection loop.
class BodySource {
 public:
  virtual ~BodySource() = default;
  virtual uint64_t size() const = 0;
  virtual base::Result<size_t> read(char* buf, size_t n) = 0;  // 0 at the end
};

// A response body of unknown length, produced while it is sent (a function's
// streamed response): each piece goes out as one HTTP chunk as soon as it
// is there, and the next is asked for only once it is written (the
// producer's back-pressure). Awaited on the connection's executor.
class ChunkSource {
 public:
  virtual ~ChunkSource() = default;
  // The next piece; empty at the end. An error cuts the connection (the
  // status line is out: the client sees a body without its last chunk).
  virtual boost::asio::awaitable<base::Result<std::string>> next() = 0;
};

struct Response {
  int status = 200;
  base::HeaderList headers;  // names as they are to be sent
  std::string body;
  std::unique_ptr<BodySource> stream;  // used instead of body when set
  std::unique_ptr<ChunkSource> chunks;  // used instead of body when set: Transfer-Encoding: chunked
  bool omit_body = false;              // HEAD: headers (with Content-Length) only
  bool close = false;                  // close the connection after sending

  void set(std::string name, std::string value) { headers.emplace_back(std::move(name), std::move(value)); }
};

// Reads a whole (small) body; kEntityTooLarge past max_bytes.
boost::asio::awaitable<base::Result<std::string>> read_body(Request& req, size_t max_bytes);

}  // namespace nimbus::http
