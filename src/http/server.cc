#include "http/server.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <mutex>
#include <set>

#include "base/encoding.h"
#include "base/time.h"

namespace nimbus::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

namespace {

struct Connection {
  explicit Connection(tcp::socket socket) : stream(std::move(socket)) {}
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  bool idle = true;  // waiting for a request; touched only on the connection's strand
};

using Parser = bhttp::request_parser<bhttp::buffer_body>;
constexpr size_t kBodyBufferBytes = 256 * 1024;

class StreamBodyReader : public BodyReader {
 public:
  StreamBodyReader(Connection& c, Parser& p, const Limits& limits, bool expect_continue)
      : c_(c), parser_(p), limits_(limits), need_continue_(expect_continue) {}

  awaitable<base::Result<size_t>> read_some(char* buf, size_t n) override {
    if (n == 0) co_return size_t{0};
    if (need_continue_) {
      need_continue_ = false;
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      c_.stream.expires_after(limits_.write_timeout);
      auto [ec, _] = co_await asio::async_write(c_.stream, asio::buffer(kContinue.data(), kContinue.size()), kNoThrow);
      if (ec) co_return base::make_error(base::ErrorCode::kIncompleteBody, "client went away: " + ec.message());
    }
    // Beast reads at most the buffer's spare capacity: without room, a large
    // body arrives 512 bytes per system call.
    if (c_.buffer.capacity() < kBodyBufferBytes) c_.buffer.reserve(kBodyBufferBytes);
    while (!parser_.is_done()) {
      parser_.get().body().data = buf;
      parser_.get().body().size = n;
      c_.stream.expires_after(limits_.body_read_timeout);
      auto [ec, _] = co_await bhttp::async_read_some(c_.stream, c_.buffer, parser_, kNoThrow);
      if (ec == bhttp::error::need_buffer) ec = {};
      if (ec) {
        failed_ = true;
        co_return base::make_error(base::ErrorCode::kIncompleteBody,
                                   ec == beast::error::timeout ? "timed out reading the request body"
                                                               : "request body incomplete: " + ec.message());
      }
      size_t got = n - parser_.get().body().size;
      if (got > 0) co_return got;
    }
    co_return size_t{0};
  }
  bool failed() const { return failed_; }
  bool sent_continue_or_not_needed() const { return !need_continue_; }

 private:
  Connection& c_;
  Parser& parser_;
  const Limits& limits_;
  bool need_continue_;
  bool failed_ = false;
};

}  // namespace

struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
  Impl(asio::io_context& io, Limits limits, Handler handler, ErrorResponder on_error)
      : io(io), limits(limits), handler(std::move(handler)), on_error(std::move(on_error)), acceptor(io) {}

  asio::io_context& io;
  Limits limits;
  Handler handler;
  ErrorResponder on_error;
  tcp::acceptor acceptor;
  std::atomic<bool> stopping{false};
  std::mutex mu;
  std::set<std::shared_ptr<Connection>> connections;

  awaitable<void> accept_loop();
  awaitable<void> session(std::shared_ptr<Connection> c);
  awaitable<beast::error_code> write(Connection& c, Response& res, bool keep_alive);
  awaitable<void> linger(Connection& c);
};

awaitable<void> Server::Impl::linger(Connection& c) {
  beast::error_code ec;
  c.stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  std::unique_ptr<char[]> sink(new char[64 * 1024]);
  size_t discarded = 0;
  c.stream.expires_after(std::chrono::seconds(2));
  while (discarded < (64u << 20)) {
    auto [rec, n] = co_await c.stream.async_read_some(asio::buffer(sink.get(), 64 * 1024), kNoThrow);
    if (rec) break;
    discarded += n;
  }
}

awaitable<void> Server::Impl::accept_loop() {
  auto self = shared_from_this();
  while (!stopping) {
    auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(io), kNoThrow);
    if (ec) {
      if (stopping || ec == asio::error::operation_aborted) break;
      spdlog::warn("http: accept failed: {}", ec.message());
      continue;
    }
    socket.set_option(tcp::no_delay(true));
    auto c = std::make_shared<Connection>(std::move(socket));
    {
      std::lock_guard lock(mu);
      connections.insert(c);
    }
    asio::co_spawn(c->stream.get_executor(), session(c), asio::detached);
  }
}

awaitable<beast::error_code> Server::Impl::write(Connection& c, Response& res, bool keep_alive) {
  auto fill = [&](auto& msg) {
    for (auto& [k, v] : res.headers) msg.insert(k, v);
    if (msg.find(bhttp::field::date) == msg.end()) msg.set(bhttp::field::date, base::http_date(base::now_ms()));
    if (msg.find(bhttp::field::server) == msg.end()) msg.set(bhttp::field::server, "nimbus");
    msg.keep_alive(keep_alive);
  };
  auto status = static_cast<bhttp::status>(res.status);
  c.stream.expires_after(limits.write_timeout);
  if (res.omit_body) {
    bhttp::response<bhttp::empty_body> msg{status, 11};
    fill(msg);
    bhttp::response_serializer<bhttp::empty_body> sr{msg};
    auto [ec, _] = co_await bhttp::async_write_header(c.stream, sr, kNoThrow);
    co_return ec;
  }
  if (!res.stream) {
    bhttp::response<bhttp::string_body> msg{status, 11};
    fill(msg);
    msg.body() = std::move(res.body);
    msg.prepare_payload();
    auto [ec, _] = co_await bhttp::async_write(c.stream, msg, kNoThrow);
    co_return ec;
  }
  bhttp::response<bhttp::buffer_body> msg{status, 11};
  fill(msg);
  msg.content_length(res.stream->size());
  msg.body().data = nullptr;
  msg.body().more = true;
  bhttp::response_serializer<bhttp::buffer_body> sr{msg};
  if (auto [ec, _] = co_await bhttp::async_write_header(c.stream, sr, kNoThrow); ec) co_return ec;
  uint64_t left = res.stream->size();
  // Sized to the body and not zero-filled: small objects must not pay for a large buffer.
  size_t buf_size = static_cast<size_t>(std::min<uint64_t>(256 * 1024, std::max<uint64_t>(left, 1)));
  std::unique_ptr<char[]> buf(new char[buf_size]);
  while (left > 0) {
    auto n = res.stream->read(buf.get(), static_cast<size_t>(std::min<uint64_t>(buf_size, left)));
    if (!n || *n == 0) {
      // Headers are out: the only honest signal left is to cut the connection.
      spdlog::error("http: response body ended early: {}", n ? "short read" : n.error().message);
      co_return beast::error_code(asio::error::connection_aborted);
    }
    left -= *n;
    msg.body().data = buf.get();
    msg.body().size = *n;
    msg.body().more = left > 0;
    c.stream.expires_after(limits.write_timeout);
    auto [ec, _] = co_await bhttp::async_write(c.stream, sr, kNoThrow);
    if (ec == bhttp::error::need_buffer) ec = {};
    if (ec) co_return ec;
  }
  if (!sr.is_done()) {
    msg.body().data = nullptr;
    msg.body().size = 0;
    msg.body().more = false;
    auto [ec, _] = co_await bhttp::async_write(c.stream, sr, kNoThrow);
    if (ec == bhttp::error::need_buffer) ec = {};
    co_return ec;
  }
  co_return beast::error_code{};
}

awaitable<void> Server::Impl::session(std::shared_ptr<Connection> c) {
  auto self = shared_from_this();
  std::string remote_ip;
  {
    beast::error_code ec;
    auto ep = c->stream.socket().remote_endpoint(ec);
    if (!ec) remote_ip = ep.address().to_string();
  }
  std::vector<char> drain;  // allocated when a request leaves body bytes unread
  for (;;) {
    if (stopping) break;
    Parser parser;
    parser.header_limit(static_cast<std::uint32_t>(limits.header_bytes));
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    c->idle = true;
    c->stream.expires_after(c->buffer.size() > 0 ? limits.header_timeout : limits.idle_timeout);
    auto [rec, _] = co_await bhttp::async_read_header(c->stream, c->buffer, parser, kNoThrow);
    c->idle = false;
    if (rec) {
      Response err;
      if (rec == bhttp::error::header_limit) {
        err = on_error(431, "RequestHeaderSectionTooLarge", "Your request header section exceeds the maximum allowed size.");
      } else if (rec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
                 rec != bhttp::error::end_of_stream && rec != bhttp::error::partial_message) {
        err = on_error(400, "BadRequest", "Malformed HTTP request: " + rec.message());
      } else {
        break;  // closed, reset, timed out or cancelled: nothing to answer
      }
      co_await write(*c, err, false);
      break;
    }

    auto& h = parser.get();
    Request req;
    req.method = std::string(h.method_string());
    req.target = std::string(h.target());
    req.remote_ip = remote_ip;
    for (const auto& f : h) req.headers.emplace_back(base::to_lower(f.name_string()), std::string(f.value()));
    if (auto len = parser.content_length()) req.content_length = *len;
    bool expect_continue = base::iequals(req.header("expect"), "100-continue");
    StreamBodyReader body(*c, parser, limits, expect_continue && !parser.is_done());
    req.body = &body;

    Response res;
    try {
      res = co_await handler(req);
    } catch (const std::exception& e) {
      spdlog::error("http: handler failed on {} {}: {}", req.method, req.target, e.what());
      res = on_error(500, "InternalError", "We encountered an internal error. Please try again.");
    }

    bool keep = h.keep_alive() && !res.close && !stopping && !body.failed();
    // A body the handler did not consume (a rejected upload): read the rest
    // first only when it is small and already on its way; otherwise answer
    // at once and close, discarding what still arrives (a lingering close,
    // so the client sees the answer instead of a reset).
    bool unread = !parser.is_done() && !body.failed() && body.sent_continue_or_not_needed();
    if (unread && keep) {
      uint64_t left = parser.content_length_remaining().value_or(std::numeric_limits<uint64_t>::max());
      if (left <= 64 * 1024) {
        drain.resize(64 * 1024);
        while (!parser.is_done()) {
          auto n = co_await body.read_some(drain.data(), drain.size());
          if (!n || *n == 0) break;
        }
        unread = !parser.is_done();
      }
      keep = !unread;
    }
    if (!parser.is_done() && !body.sent_continue_or_not_needed()) keep = false;
    auto ec = co_await write(*c, res, keep);
    if (!ec && unread) co_await linger(*c);
    if (ec || !keep) break;
    // Idle connections keep a small buffer; bodies grew it.
    if (c->buffer.size() == 0 && c->buffer.capacity() > 64 * 1024) c->buffer.shrink_to_fit();
  }
  beast::error_code ignored;
  c->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  c->stream.close();
  std::lock_guard lock(mu);
  connections.erase(c);
}

Server::Server(asio::io_context& io, Limits limits, Handler handler, ErrorResponder on_error)
    : impl_(std::make_shared<Impl>(io, limits, std::move(handler), std::move(on_error))) {}

Server::~Server() = default;

base::Result<uint16_t> Server::listen(const std::string& host, uint16_t port) {
  beast::error_code ec;
  auto addr = asio::ip::make_address(host, ec);
  if (ec) return base::make_error(base::ErrorCode::kInvalidArgument, "bad listen address " + host + ": " + ec.message());
  tcp::endpoint ep(addr, port);
  auto& a = impl_->acceptor;
  a.open(ep.protocol(), ec);
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(ep, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return base::make_error(base::ErrorCode::kIo, "listen on " + host + ":" + std::to_string(port) + ": " + ec.message());
  return a.local_endpoint().port();
}

void Server::start() { asio::co_spawn(impl_->io, impl_->accept_loop(), asio::detached); }

size_t Server::open_connections() const {
  std::lock_guard lock(impl_->mu);
  return impl_->connections.size();
}

void Server::stop(std::function<void()> done) {
  auto impl = impl_;
  impl->stopping = true;
  asio::post(impl->io, [impl] {
    beast::error_code ec;
    impl->acceptor.close(ec);
  });
  {
    std::lock_guard lock(impl->mu);
    for (const auto& c : impl->connections)
      asio::post(c->stream.get_executor(), [c] {
        if (c->idle) c->stream.cancel();
      });
  }
  auto deadline = std::chrono::steady_clock::now() + impl->limits.drain_timeout;
  asio::co_spawn(
      impl->io,
      [impl, deadline, done = std::move(done)]() -> awaitable<void> {
        asio::steady_timer timer(impl->io);
        for (;;) {
          {
            std::lock_guard lock(impl->mu);
            if (impl->connections.empty()) break;
            if (std::chrono::steady_clock::now() > deadline) {
              spdlog::warn("http: {} connections still busy after the drain timeout", impl->connections.size());
              break;
            }
          }
          timer.expires_after(std::chrono::milliseconds(20));
          co_await timer.async_wait(kNoThrow);
        }
        done();
      },
      asio::detached);
}

}  // namespace nimbus::http
