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
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <mutex>
#include <set>

#include "base/encoding.h"
#include "base/log.h"
#include "base/time.h"
#include "http/request_parser.h"

namespace nimbus::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using Clock = std::chrono::steady_clock;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

namespace {

constexpr size_t kReadBytes = 256 * 1024;  // per read: without room, a large body arrives 512 bytes per system call

// One client connection. Deadlines are the connection's own timer, which
// cancels the socket's pending operation instead of closing it (as Beast's
// tcp_stream would), so that a stalled client still gets an answer.
struct Connection : std::enable_shared_from_this<Connection> {
  Connection(tcp::socket s, size_t max_buffered)
      : socket(std::move(s)), timer(socket.get_executor()), buffer(max_buffered) {}
  tcp::socket socket;
  asio::steady_timer timer;
  beast::flat_buffer buffer;
  uint64_t armed = 0;      // which arm() the timer belongs to: a stale expiry must not cancel a later operation
  bool timed_out = false;
  bool idle = true;        // waiting for a request; all of this is touched only on the connection's strand

  void arm(Clock::time_point deadline) {
    timed_out = false;
    timer.expires_at(deadline);
    timer.async_wait([self = weak_from_this(), generation = ++armed](const beast::error_code& ec) {
      if (ec) return;
      auto c = self.lock();
      if (!c || c->armed != generation) return;
      c->timed_out = true;
      beast::error_code ignored;
      c->socket.cancel(ignored);
    });
  }
  void disarm() {
    ++armed;
    timer.cancel();
  }
  std::string_view pending() const {
    auto d = buffer.data();
    return {static_cast<const char*>(d.data()), d.size()};
  }

  // Reads what the client sends next into the buffer; timeout when the deadline passed first.
  awaitable<beast::error_code> read_more(Clock::time_point deadline) {
    size_t room = buffer.max_size() - buffer.size();
    if (room == 0) co_return bhttp::error::buffer_overflow;
    arm(deadline);
    auto [ec, n] = co_await socket.async_read_some(buffer.prepare(std::min(room, kReadBytes)), kNoThrow);
    disarm();
    buffer.commit(n);
    if (ec == asio::error::operation_aborted && timed_out) ec = beast::error::timeout;
    co_return ec;
  }
};

class StreamBodyReader : public BodyReader {
 public:
  StreamBodyReader(Connection& c, RequestParser& p, const Limits& limits, bool expect_continue)
      : c_(c), parser_(p), limits_(limits), need_continue_(expect_continue) {}

  awaitable<base::Result<size_t>> read_some(char* buf, size_t n) override {
    if (n == 0) co_return size_t{0};
    if (failure_) co_return fail();
    if (need_continue_) {
      need_continue_ = false;
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      c_.arm(Clock::now() + limits_.write_timeout);
      auto [ec, _] = co_await asio::async_write(c_.socket, asio::buffer(kContinue.data(), kContinue.size()), kNoThrow);
      c_.disarm();
      if (ec) co_return stop(Transport::kGone, "client went away: " + ec.message());
    }
    for (;;) {
      if (parser_.is_done()) co_return size_t{0};
      if (c_.buffer.size() > 0) {
        parser_.lend_body(buf, n);
        beast::error_code ec;
        c_.buffer.consume(parser_.feed(c_.pending(), ec));
        size_t got = parser_.body_received();
        if (ec && ec != bhttp::error::need_more && ec != bhttp::error::need_buffer) {
          failure_ = Transport::kMalformed;
          failure_message_ = "malformed request body: " + ec.message();
          parse_failure_ = parser_.failure(ec);
          if (got == 0) co_return fail();  // else the error waits for the next call
        }
        if (got > 0) co_return got;
        if (parser_.is_done()) co_return size_t{0};
      }
      auto ec = co_await c_.read_more(Clock::now() + limits_.body_read_timeout);
      if (ec == beast::error::timeout) co_return stop(Transport::kTimedOut, "timed out reading the request body");
      if (ec == bhttp::error::buffer_overflow) {
        failure_ = Transport::kMalformed;
        failure_message_ = "chunk line or trailer too large";
        parse_failure_ = parser_.failure(bhttp::error::header_limit);
        co_return fail();
      }
      if (ec == asio::error::eof) {
        beast::error_code eof;
        parser_.feed_eof(eof);
        if (!eof) continue;
        co_return stop(Transport::kGone, "request body incomplete: the client closed the connection");
      }
      if (ec) co_return stop(Transport::kGone, "request body incomplete: " + ec.message());
    }
  }

  enum class Transport { kGone, kTimedOut, kMalformed };
  bool failed() const { return failure_.has_value(); }
  // The answer the server owes instead of the handler's, when the body's transport failed.
  std::optional<ParseFailure> owed_answer() const {
    if (failure_ == Transport::kTimedOut)
      return ParseFailure{400, "RequestTimeout",
                          "Your socket connection to the server was not read from or written to within the timeout "
                          "period. Idle connections will be closed."};
    if (failure_ == Transport::kMalformed) return parse_failure_;
    return std::nullopt;
  }
  bool sent_continue_or_not_needed() const { return !need_continue_; }
  const base::HeaderList& trailers() const override { return parser_.trailers(); }

 private:
  base::Result<size_t> stop(Transport why, std::string message) {
    failure_ = why;
    failure_message_ = std::move(message);
    return fail();
  }
  base::Result<size_t> fail() const { return base::make_error(base::ErrorCode::kMalformed, failure_message_, base::reason::kIncompleteBody); }

  Connection& c_;
  RequestParser& parser_;
  const Limits& limits_;
  bool need_continue_;
  std::optional<Transport> failure_;
  std::string failure_message_;
  ParseFailure parse_failure_;
};

}  // namespace

struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
  Impl(asio::io_context& io, Limits limits, Handler handler, RequestErrorResponder on_error)
      : io(io), limits(limits), handler(std::move(handler)), on_error(std::move(on_error)), acceptor(io) {}

  asio::io_context& io;
  Limits limits;
  Handler handler;
  RequestErrorResponder on_error;
  tcp::acceptor acceptor;
  std::atomic<bool> stopping{false};
  std::mutex mu;
  std::set<std::shared_ptr<Connection>> connections;

  awaitable<void> accept_loop();
  awaitable<void> session(std::shared_ptr<Connection> c);
  awaitable<void> serve_requests(Connection& c);
  awaitable<beast::error_code> write(Connection& c, Response& res, bool keep_alive);
  template <typename Fill>
  awaitable<beast::error_code> write_chunked(Connection& c, Response& res, bool keep_alive, Fill& fill);
  awaitable<void> linger(Connection& c);
  size_t max_buffered() const { return limits.header_bytes + kReadBytes; }
};

awaitable<void> Server::Impl::linger(Connection& c) {
  beast::error_code ec;
  c.socket.shutdown(tcp::socket::shutdown_send, ec);
  std::unique_ptr<char[]> sink(new char[64 * 1024]);
  size_t discarded = 0;
  c.arm(Clock::now() + std::chrono::seconds(2));
  while (discarded < (64u << 20)) {
    auto [rec, n] = co_await c.socket.async_read_some(asio::buffer(sink.get(), 64 * 1024), kNoThrow);
    if (rec) break;
    discarded += n;
  }
  c.disarm();
}

awaitable<void> Server::Impl::accept_loop() {
  auto self = shared_from_this();
  asio::steady_timer backoff(io);
  auto pause = std::chrono::milliseconds(10);
  while (!stopping) {
    auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(io), kNoThrow);
    if (ec) {
      if (stopping || ec == asio::error::operation_aborted) break;
      // Out of file descriptors, the pending connection stays in the backlog:
      // accepting again at once would spin. Wait, longer each time, for
      // connections to close.
      bool exhausted = ec == asio::error::no_descriptors || ec.value() == ENFILE || ec == asio::error::no_buffer_space ||
                       ec == asio::error::no_memory;
      if (!exhausted) spdlog::warn("http: accept failed: {}", ec.message());
      if (exhausted) {
        spdlog::warn("http: accept failed: {} (pausing accepts for {} ms)", ec.message(), static_cast<int>(pause.count()));
        backoff.expires_after(pause);
        co_await backoff.async_wait(kNoThrow);
        pause = std::min(pause * 2, std::chrono::milliseconds(1000));
      }
      continue;
    }
    pause = std::chrono::milliseconds(10);
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    auto c = std::make_shared<Connection>(std::move(socket), max_buffered());
    {
      std::lock_guard lock(mu);
      connections.insert(c);
    }
    asio::co_spawn(c->socket.get_executor(), session(c), [](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        spdlog::error("http: connection failed: {}", ex.what());
      }
    });
  }
}

// A body produced while it is sent: one HTTP chunk per piece, written
// before the next piece is asked for. Waiting for a piece is not a write
// (the producer bounds it: a function's timeout); each write has the write
// timeout.
template <typename Fill>
awaitable<beast::error_code> Server::Impl::write_chunked(Connection& c, Response& res, bool keep_alive, Fill& fill) {
  bhttp::response<bhttp::buffer_body> msg{static_cast<bhttp::status>(res.status), 11};
  fill(msg);
  msg.keep_alive(keep_alive);
  msg.chunked(true);
  msg.body().data = nullptr;
  msg.body().more = true;
  bhttp::response_serializer<bhttp::buffer_body> sr{msg};
  auto arm = [&] { c.arm(Clock::now() + limits.write_timeout); };
  arm();
  if (auto [ec, _] = co_await bhttp::async_write_header(c.socket, sr, kNoThrow); ec) co_return ec;
  c.disarm();
  for (;;) {
    auto piece = co_await res.chunks->next();
    if (!piece) {
      spdlog::error("http: chunked response body broke off: {}", piece.error().message);
      co_return beast::error_code(asio::error::connection_aborted);
    }
    msg.body().data = piece->empty() ? nullptr : piece->data();
    msg.body().size = piece->size();
    msg.body().more = !piece->empty();
    arm();
    auto [ec, _] = co_await bhttp::async_write(c.socket, sr, kNoThrow);
    c.disarm();
    if (ec == bhttp::error::need_buffer) ec = {};
    if (ec) co_return ec;
    if (piece->empty()) co_return beast::error_code{};
  }
}

awaitable<beast::error_code> Server::Impl::write(Connection& c, Response& res, bool keep_alive) {
  // Beast does not check header values: one echoing a client's CR LF would
  // let the client write headers of its own. Such a response is not sent.
  for (const auto& [k, v] : res.headers) {
    if (k.find_first_of("\r\n\0:", 0, 4) == std::string::npos && v.find_first_of("\r\n\0", 0, 3) == std::string::npos)
      continue;
    spdlog::warn("http: a response header carried CR, LF or NUL ({}); answered 400 instead", k.substr(0, 64));
    res = on_error(nullptr, 400, "InvalidArgument", "A header value in the request contains characters HTTP cannot carry.");
    keep_alive = false;
    break;
  }
  auto fill = [&](auto& msg) {
    for (auto& [k, v] : res.headers) msg.insert(k, v);
    if (msg.find(bhttp::field::date) == msg.end()) msg.set(bhttp::field::date, base::http_date(base::now_ms()));
    if (msg.find(bhttp::field::server) == msg.end()) msg.set(bhttp::field::server, "nimbus");
    msg.keep_alive(keep_alive);
  };
  auto status = static_cast<bhttp::status>(res.status);
  struct Disarm {
    Connection& c;
    ~Disarm() { c.disarm(); }
  } disarm{c};
  auto arm = [&] { c.arm(Clock::now() + limits.write_timeout); };
  arm();
  if (res.omit_body) {
    bhttp::response<bhttp::empty_body> msg{status, 11};
    fill(msg);
    bhttp::response_serializer<bhttp::empty_body> sr{msg};
    auto [ec, _] = co_await bhttp::async_write_header(c.socket, sr, kNoThrow);
    co_return ec;
  }
  if (res.chunks) co_return co_await write_chunked(c, res, keep_alive, fill);
  if (!res.stream) {
    bhttp::response<bhttp::string_body> msg{status, 11};
    fill(msg);
    msg.body() = std::move(res.body);
    msg.prepare_payload();
    auto [ec, _] = co_await bhttp::async_write(c.socket, msg, kNoThrow);
    co_return ec;
  }
  bhttp::response<bhttp::buffer_body> msg{status, 11};
  fill(msg);
  msg.content_length(res.stream->size());
  msg.body().data = nullptr;
  msg.body().more = true;
  bhttp::response_serializer<bhttp::buffer_body> sr{msg};
  if (auto [ec, _] = co_await bhttp::async_write_header(c.socket, sr, kNoThrow); ec) co_return ec;
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
    arm();
    auto [ec, _] = co_await bhttp::async_write(c.socket, sr, kNoThrow);
    if (ec == bhttp::error::need_buffer) ec = {};
    if (ec) co_return ec;
  }
  if (!sr.is_done()) {
    msg.body().data = nullptr;
    msg.body().size = 0;
    msg.body().more = false;
    auto [ec, _] = co_await bhttp::async_write(c.socket, sr, kNoThrow);
    if (ec == bhttp::error::need_buffer) ec = {};
    co_return ec;
  }
  co_return beast::error_code{};
}

awaitable<void> Server::Impl::session(std::shared_ptr<Connection> c) {
  auto self = shared_from_this();
  try {
    co_await serve_requests(*c);
  } catch (const std::exception& e) {
    // Request data must never reach here; if it does, one connection ends, not the server.
    spdlog::error("http: connection ended by an unexpected error: {}", e.what());
  }
  beast::error_code ignored;
  c->timer.cancel();
  c->socket.shutdown(tcp::socket::shutdown_both, ignored);
  c->socket.close(ignored);
  std::lock_guard lock(mu);
  connections.erase(c);
}

awaitable<void> Server::Impl::serve_requests(Connection& c) {
  std::string remote_ip;
  {
    beast::error_code ec;
    auto ep = c.socket.remote_endpoint(ec);
    if (!ec) remote_ip = ep.address().to_string();
  }
  std::vector<char> drain;  // allocated when a request leaves body bytes unread
  for (;;) {
    if (stopping) break;
    RequestParser parser(limits.header_bytes);
    c.idle = c.buffer.size() == 0;
    // Idle until the first byte of a request, then the whole header section
    // has header_timeout to arrive (a slow trickle must not hold a connection).
    auto deadline = Clock::now() + (c.idle ? limits.idle_timeout : limits.header_timeout);
    std::optional<ParseFailure> refused;
    bool gone = false;
    for (;;) {
      if (c.buffer.size() > 0) {
        if (c.idle) {
          c.idle = false;
          deadline = Clock::now() + limits.header_timeout;
        }
        beast::error_code ec;
        c.buffer.consume(parser.feed(c.pending(), ec));
        if (ec && ec != bhttp::error::need_more && ec != bhttp::error::need_buffer) {
          refused = parser.failure(ec);
          break;
        }
        if (parser.is_header_done()) break;
      }
      auto ec = co_await c.read_more(deadline);
      if (ec == bhttp::error::buffer_overflow) {
        refused = parser.failure(bhttp::error::header_limit);
        break;
      }
      if (ec == beast::error::timeout && !c.idle) {
        refused = ParseFailure{400, "RequestTimeout",
                               "Your socket connection to the server was not read from or written to within the "
                               "timeout period. Idle connections will be closed."};
        break;
      }
      if (ec) {
        gone = true;  // closed, reset, idle past the timeout or cancelled by stop(): nothing to answer
        break;
      }
    }
    c.idle = false;
    if (gone) break;
    if (refused) {
      Response err = on_error(nullptr, refused->status, refused->code, refused->message);
      co_await write(c, err, false);
      break;
    }

    Request req;
    req.method = parser.method();
    req.target = parser.target();
    req.remote_ip = remote_ip;
    req.headers = parser.headers();
    req.original_names = parser.original_names();
    req.content_length = parser.declared_length();
    if (parser.chunked()) req.content_length.reset();
    bool expect_continue = base::iequals(req.header("expect"), "100-continue");
    StreamBodyReader body(c, parser, limits, expect_continue && !parser.is_done());
    req.body = &body;

    Response res;
    try {
      res = co_await handler(req);
    } catch (const std::exception& e) {
      spdlog::error("http: handler failed on {} {}: {}", req.method, req.target, e.what());
      res = on_error(&req, 500, "InternalError", "We encountered an internal error. Please try again.");
    }
    // A body that timed out or broke HTTP's framing is answered by the
    // server, whatever the handler made of the short read.
    if (auto owed = body.owed_answer()) res = on_error(&req, owed->status, owed->code, owed->message);

    bool keep = parser.keep_alive() && !res.close && !stopping && !body.failed();
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
      keep = !unread && !body.failed();
    }
    if (!parser.is_done() && !body.sent_continue_or_not_needed()) keep = false;
    auto ec = co_await write(c, res, keep);
    if (!ec && unread) co_await linger(c);
    if (ec || !keep) break;
    // Idle connections keep a small buffer; bodies grew it.
    if (c.buffer.size() == 0 && c.buffer.capacity() > 64 * 1024) c.buffer.shrink_to_fit();
  }
}

Server::Server(asio::io_context& io, Limits limits, Handler handler, ErrorResponder on_error)
    : Server(io, limits, std::move(handler),
             RequestErrorResponder([f = std::move(on_error)](const Request*, int status, std::string code,
                                                             std::string message) {
               return f(status, std::move(code), std::move(message));
             })) {}

Server::Server(asio::io_context& io, Limits limits, Handler handler, RequestErrorResponder on_error)
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
      asio::post(c->socket.get_executor(), [c] {
        beast::error_code ignored;
        if (c->idle) c->socket.cancel(ignored);
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
