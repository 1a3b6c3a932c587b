// ReceiveMessage with long polling. A poll that finds nothing waits, on the
// io thread without blocking it, until the first of: a write that may make a
// message receivable (the store's listener: a send, a release, a move, a
// FIFO delete), the moment the next delay or lease ends (next_change_ms),
// or the wait's end. Then it looks again. The store's reads go to the
// blocking pool.
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/array.hpp>
#include <chrono>
#include <mutex>
#include <optional>

#include "base/encoding.h"
#include "http/offload.h"
#include "sqs/operations.h"

namespace nimbus::sqs {

namespace json = boost::json;
namespace asio = boost::asio;

namespace {

// Wakes one wait once: by a listener (true) or the timer (false). A wake
// that comes before the wait is armed is kept, so none is lost.
class Waiter {
 public:
  void fire(bool woken) {
    std::function<void(bool)> f;
    {
      std::lock_guard lock(mu_);
      if (done_) return;
      if (!cb_) {
        early_ = early_ || woken;
        return;
      }
      done_ = true;
      f = std::move(cb_);
    }
    f(woken);
  }
  void arm(std::function<void(bool)> f) {
    {
      std::lock_guard lock(mu_);
      if (!early_) {
        cb_ = std::move(f);
        return;
      }
      done_ = true;
    }
    f(true);
  }

 private:
  std::mutex mu_;
  std::function<void(bool)> cb_;
  bool early_ = false, done_ = false;
};

json::object message_json(const ReceivedMessage& m) {
  json::object o{{"MessageId", m.message_id},
                 {"ReceiptHandle", m.receipt_handle},
                 {"MD5OfBody", m.md5_of_body},
                 {"Body", m.body}};
  if (!m.attributes.empty()) {
    json::object a;
    for (const auto& [k, v] : m.attributes) a[k] = v;
    o["Attributes"] = std::move(a);
  }
  if (!m.message_attributes.empty()) {
    o["MD5OfMessageAttributes"] = m.md5_of_message_attributes;
    o["MessageAttributes"] = attributes_json(m.message_attributes);
  }
  return o;
}

// Ends one round's subscription and waker, unless the service is gone.
json::object messages_json(const std::vector<ReceivedMessage>& got) {
  json::array messages;
  for (const auto& m : got) messages.push_back(message_json(m));
  json::object out;
  if (!messages.empty()) out["Messages"] = std::move(messages);
  return out;
}

constexpr int64_t kAttemptWindowMs = 5 * 60 * 1000;

void remember_attempt(Context& c, const std::string& key, const std::vector<ReceivedMessage>& got, int64_t now) {
  std::lock_guard lock(c.attempts_mu);
  for (auto it = c.attempts.begin(); it != c.attempts.end();)
    it = it->second.expires_ms <= now ? c.attempts.erase(it) : std::next(it);
  c.attempts[key] = {now + kAttemptWindowMs, got};
}

// The messages an earlier receive with this attempt id got that are still in
// flight under its receipts, their visibility reset; nullopt when there was
// none (or none is left): receive anew. Blocking pool.
std::optional<std::vector<ReceivedMessage>> retried_attempt(Context& c, const std::string& key,
                                                            const std::string& queue, int64_t visibility) {
  std::vector<ReceivedMessage> earlier;
  {
    std::lock_guard lock(c.attempts_mu);
    auto it = c.attempts.find(key);
    if (it == c.attempts.end() || it->second.expires_ms <= c.queues.clock().now_ms()) return std::nullopt;
    earlier = it->second.messages;
  }
  std::vector<ReceivedMessage> same;
  for (auto& m : earlier)
    if (c.queues.change_visibility(queue, m.receipt_handle, visibility)) same.push_back(std::move(m));
  if (same.empty()) return std::nullopt;
  return same;
}

struct Unsubscribe {
  Context& c;
  std::weak_ptr<bool> alive;
  int subscription, waker;
  ~Unsubscribe() {
    if (alive.expired()) return;
    c.queues.unsubscribe(subscription);
    std::lock_guard lock(c.wait_mu);
    c.wakers.erase(waker);
  }
};

// Registers the waiter to be woken when nimbus stops; false when it is stopping already.
bool add_waker(Context& c, const std::shared_ptr<Waiter>& w, int& id) {
  std::lock_guard lock(c.wait_mu);
  id = c.next_waker++;
  c.wakers[id] = [w] { w->fire(true); };
  return !c.stopping;
}

}  // namespace

asio::awaitable<Output> receive_message(Context& c, const Request& r) {
  Reader in(r.in);
  auto name = addressed_queue(c, r, in);
  if (!name) co_return name.error();
  ReceiveRequest req;
  req.max = in.integer("MaxNumberOfMessages").value_or(1);
  req.visibility_timeout = in.integer("VisibilityTimeout");
  auto wait = in.integer("WaitTimeSeconds");
  req.attribute_names = in.strings("AttributeNames");
  for (auto& n : in.strings("MessageSystemAttributeNames")) req.attribute_names.push_back(std::move(n));
  req.message_attribute_names = in.strings("MessageAttributeNames");
  std::string attempt = in.string("ReceiveRequestAttemptId");
  if (auto s = in.status(); !s) co_return s.error();
  if (wait && (*wait < 0 || *wait > 20))
    co_return base::make_error(base::ErrorCode::kInvalidArgument,
                               "Value " + std::to_string(*wait) +
                                   " for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if "
                                   "provided.",
                               "InvalidParameterValue");
  Queues& queues = c.queues;
  std::string queue = *name;
  auto settings_task = [&queues, queue] { return queues.settings(queue); };
  auto settings = co_await http::offload(c.blocking, std::move(settings_task));
  if (!settings) co_return settings.error();
  // FIFO: a retry with the same ReceiveRequestAttemptId within 5 minutes gets the same
  // messages and receipt handles, their visibility timeout reset (standard queues ignore it, as AWS).
  std::string attempt_key;
  if (!attempt.empty() && settings->fifo()) {
    bool ok = attempt.size() <= 128;
    for (char ch : attempt) ok = ok && ch >= 33 && ch <= 126;
    if (!ok)
      co_return base::make_error(base::ErrorCode::kInvalidArgument,
                                 "Value " + attempt +
                                     " for parameter ReceiveRequestAttemptId is invalid. Reason: It can only include "
                                     "alphanumeric and punctuation characters. 1 to 128 in length.",
                                 "InvalidParameterValue");
    attempt_key = queue + "\n" + attempt;
    int64_t visibility = req.visibility_timeout.value_or(settings->integer("VisibilityTimeout"));
    auto retry_task = [&c, attempt_key, queue, visibility] { return retried_attempt(c, attempt_key, queue, visibility); };
    if (auto same = co_await http::offload(c.blocking, std::move(retry_task))) co_return messages_json(*same);
  }
  int64_t wait_s = wait ? *wait : settings->integer("ReceiveMessageWaitTimeSeconds");
  const base::Clock& clock = queues.clock();
  int64_t deadline = clock.now_ms() + wait_s * 1000;
  auto ex = co_await asio::this_coro::executor;
  for (;;) {
    auto waiter = std::make_shared<Waiter>();
    int waker = 0;
    bool waiting = add_waker(c, waiter, waker);
    Unsubscribe guard{c, c.alive, queues.subscribe(queue, [waiter] { waiter->fire(true); }), waker};
    int64_t before = clock.now_ms();
    auto receive_task = [&queues, queue, req] { return queues.receive(queue, req); };
    auto got = co_await http::offload(c.blocking, std::move(receive_task));
    if (!got) co_return got.error();
    if (!got->empty() || before >= deadline || !waiting) {
      if (!attempt_key.empty() && !got->empty()) remember_attempt(c, attempt_key, *got, clock.now_ms());
      co_return messages_json(*got);
    }
    auto next_task = [&queues, queue, before] { return queues.next_change_ms(queue, before); };
    auto next = co_await http::offload(c.blocking, std::move(next_task));
    if (!next) co_return next.error();
    int64_t until = deadline;
    if (*next > 0) until = std::min(until, *next);
    auto timer = std::make_shared<asio::steady_timer>(ex);
    timer->expires_after(std::chrono::milliseconds(std::max<int64_t>(0, until - clock.now_ms())));
    auto start = [waiter, timer](auto done) {
      waiter->arm(std::function<void(bool)>(std::move(done)));
      timer->async_wait([waiter](const boost::system::error_code&) { waiter->fire(false); });
    };
    co_await http::await_callback<bool>(std::move(start));
    timer->cancel();
  }
}

}  // namespace nimbus::sqs
