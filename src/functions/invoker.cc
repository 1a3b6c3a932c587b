#include "functions/invoker.h"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <filesystem>
#include <future>
#include <map>
#include <optional>
#include <vector>

#include "base/encoding.h"
#include "base/ids.h"
#include "base/time.h"
#include "base/trace_context.h"
#include "functions/process.h"
#include "functions/zygote.h"

namespace nimbus::functions {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using Done = std::function<void(base::Result<InvokeResult>)>;

namespace {

constexpr size_t kLogTailBytes = 4096;
constexpr uint64_t kEchoLines = 200;  // output lines per function and window also written to nimbus's log
constexpr auto kEchoWindow = std::chrono::seconds(10);
// A line longer than this (no newline yet) is passed on in pieces, so an
// instance cannot grow nimbus's memory by printing without newlines. The
// size of one CloudWatch event (256 KiB with 26 bytes of overhead), where
// Lambda splits lines too.
constexpr size_t kMaxLineBytes = 256 * 1024 - 26;

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

std::string error_json(const std::string& type, const std::string& message) {
  return "{\"errorType\":\"" + type + "\",\"errorMessage\":\"" + message + "\"}";
}

struct Active {
  Invocation inv;
  Done done;
  std::string log;
  Clock::time_point started;
  bool handed_out = false;
  bool timed_out = false;
  int64_t started_us = 0;  // wall clock, for its span
};

}  // namespace

struct Instance;

struct Invoker::Impl : std::enable_shared_from_this<Invoker::Impl> {
  Impl(asio::io_context& io, Registry& registry, RuntimeEndpointFactory& endpoints, InvokerOptions options)
      : io(io), strand(asio::make_strand(io)), registry(registry), endpoints(endpoints), options(std::move(options)) {}

  asio::io_context& io;
  asio::strand<asio::io_context::executor_type> strand;
  Registry& registry;
  RuntimeEndpointFactory& endpoints;
  InvokerOptions options;
  std::map<std::string, std::vector<std::shared_ptr<Instance>>> pools;
  std::atomic<int> total{0};
  bool stopping = false;
  std::map<std::pair<std::string, std::string>, int> provisioned;  // (function, qualifier) -> warm instances
  mutable std::mutex keys_mu;
  std::map<std::string, int> key_depth;  // instance access key -> depth of its current invocation
  std::map<std::string, std::shared_ptr<Zygote>> zygotes;  // by interpreter
  std::map<std::string, Clock::time_point> zygote_failed;  // when one last broke, not restarted for a while
  struct Echo {
    Clock::time_point window_start;
    uint64_t lines = 0, held_back = 0;
  };
  std::map<std::string, Echo> echoes;  // per function: its output lines copied to nimbus's own log

  // All below run on the strand.
  void invoke(InvokeRequest req, Done done);
  base::Result<std::shared_ptr<Instance>> start(const FunctionConfig& cfg);
  base::Result<Process> launch_process(const FunctionConfig& cfg, const Launch& launch, const ProcessSpec& spec);
  std::shared_ptr<Zygote> zygote_for(const ProcessSpec& zygote_spec);
  void dispatch(const std::shared_ptr<Instance>& inst, Invocation inv, Done done);
  void hand_out(Instance& inst);
  void finish(const std::shared_ptr<Instance>& inst, InvokeResult result);
  void stop(const std::shared_ptr<Instance>& inst);
  void on_exit(const std::shared_ptr<Instance>& inst);
  void read_output(const std::shared_ptr<Instance>& inst);
  bool drain_output(const std::shared_ptr<Instance>& inst);
  void arm_idle(const std::shared_ptr<Instance>& inst);
  void log_line(Instance& inst, const std::string& line);  // the active invocation's, if any
  void emit(Instance& inst, std::string_view request_id, const std::string& line);
  void end_echo_window(const std::string& function);
  void reconcile(const std::string& function, const std::string& qualifier);
};

struct Instance : RuntimeChannel, std::enable_shared_from_this<Instance> {
  enum class State { kStarting, kIdle, kBusy, kDead };
  Instance(Invoker::Impl& owner, FunctionConfig cfg)
      : owner(owner.weak_from_this()), cfg(std::move(cfg)), output(owner.strand), exit_watch(owner.strand),
        timer(owner.strand) {}

  std::weak_ptr<Invoker::Impl> owner;
  FunctionConfig cfg;
  Process proc;
  asio::posix::stream_descriptor output;
  asio::posix::stream_descriptor exit_watch;
  asio::steady_timer timer;  // the invocation's timeout, or the idle keep-alive
  std::unique_ptr<RuntimeEndpoint> endpoint;
  State state = State::kStarting;
  std::optional<Active> active;
  std::function<void(std::optional<Invocation>)> waiter;
  Clock::time_point spawned = Clock::now();
  std::optional<double> init_ms;  // reported once, on the cold start's REPORT
  bool init_reported = false;
  bool took_an_event = false;
  bool retired = false;
  std::string provisioned_for;  // the qualifier this always-warm instance serves; empty if on demand
  std::string access_key;       // the instance's own credentials, when the server hands them out
  std::string partial_line;
  std::string log_stream;  // AWS_LAMBDA_LOG_STREAM_NAME
  char read_buf[4096];

  template <typename F>
  void on_strand(F f) {
    auto self = shared_from_this();
    asio::post(output.get_executor(), [self, f = std::move(f)]() mutable {
      auto impl = self->owner.lock();
      f(impl.get());
    });
  }

  void next(std::function<void(std::optional<Invocation>)> done) override {
    on_strand([this, done = std::move(done)](Invoker::Impl* impl) mutable {
      if (!impl || state == State::kDead) return done(std::nullopt);
      if (waiter) waiter(std::nullopt);  // a runtime asking twice: the older poll is dropped
      waiter = std::move(done);
      if (!init_ms) init_ms = ms_since(spawned);  // the first poll ends the init phase
      if (active && !active->handed_out) return impl->hand_out(*this);
      if (!active) {
        state = State::kIdle;
        impl->arm_idle(shared_from_this());
      }
    });
  }

  void answer(std::string request_id, bool error, std::string body, std::function<void(base::Status)> done) {
    on_strand([this, request_id = std::move(request_id), error, body = std::move(body),
               done = std::move(done)](Invoker::Impl* impl) mutable {
      if (!impl || !active || !active->handed_out || active->inv.request_id != request_id)
        return done(base::make_error(base::ErrorCode::kNotFound, "Invalid request ID"));
      InvokeResult r;
      r.function_error = error;
      r.payload = std::move(body);
      impl->finish(shared_from_this(), std::move(r));
      done({});
    });
  }

  void respond(std::string request_id, std::string payload, std::function<void(base::Status)> done) override {
    answer(std::move(request_id), false, std::move(payload), std::move(done));
  }

  void fail(std::string request_id, std::string error_type, std::string body,
            std::function<void(base::Status)> done) override {
    if (body.empty()) body = error_json(error_type.empty() ? "Unhandled" : error_type, "");
    answer(std::move(request_id), true, std::move(body), std::move(done));
  }

  void init_error(std::string error_type, std::string body, std::function<void(base::Status)> done) override {
    on_strand([this, error_type = std::move(error_type), body = std::move(body),
               done = std::move(done)](Invoker::Impl* impl) mutable {
      if (!impl) return done({});
      spdlog::warn("[{}] init failed: {} {}", cfg.name, error_type, body);
      if (active) {
        InvokeResult r;
        r.function_error = true;
        r.payload = body.empty() ? error_json(error_type, "init failed") : body;
        impl->finish(shared_from_this(), std::move(r));
      }
      retired = true;
      impl->stop(shared_from_this());
      done({});
    });
  }
};

void Invoker::Impl::log_line(Instance& inst, const std::string& line) {
  if (inst.active) {
    inst.active->log.append(line).push_back('\n');
    if (inst.active->log.size() > 64 * 1024) inst.active->log.erase(0, inst.active->log.size() - kLogTailBytes);
  }
  emit(inst, inst.active ? std::string_view(inst.active->inv.request_id) : std::string_view(), line);
}

void Invoker::Impl::end_echo_window(const std::string& function) {
  auto& e = echoes[function];
  if (e.held_back > 0)
    spdlog::info("[{}] {} more lines of output in {} s are not in nimbus's log{}", function, e.held_back,
                 std::chrono::duration_cast<std::chrono::seconds>(kEchoWindow).count(),
                 options.log_sink ? " (all are in the log group /aws/lambda/" + function + ")" : "");
  e = {Clock::now(), 0, 0};
}

void Invoker::Impl::emit(Instance& inst, std::string_view request_id, const std::string& line) {
  // Everything goes to the log store (with its caps); nimbus's own log gets
  // a function's first lines in each window and then one summary, so that
  // a function printing in a loop cannot fill the disk through it.
  auto& echo = echoes[inst.cfg.name];
  auto now = Clock::now();
  if (now - echo.window_start > kEchoWindow) end_echo_window(inst.cfg.name);
  if (++echo.lines <= kEchoLines) {
    spdlog::info("[{}] {}", inst.cfg.name, line);
  } else if (echo.held_back++ == 0) {
    // The summary is written when the window ends, whether or not the function goes on printing.
    auto timer = std::make_shared<asio::steady_timer>(strand, echo.window_start + kEchoWindow);
    timer->async_wait([self = shared_from_this(), timer, name = inst.cfg.name](const boost::system::error_code&) {
      self->end_echo_window(name);
    });
  }
  if (options.log_sink) options.log_sink(LogLine{inst.cfg.name, inst.log_stream, request_id, base::now_ms(), line});
}

base::Result<std::shared_ptr<Instance>> Invoker::Impl::start(const FunctionConfig& cfg) {
  auto inst = std::make_shared<Instance>(*this, cfg);
  auto launch = launch_for(cfg, options.runtimes);
  if (!launch)
    return base::make_error(base::ErrorCode::kInvalidArgument,
                            error_json("Runtime.InvalidEntrypoint", launch.error().message));
  auto endpoint = endpoints.open(inst);
  if (!endpoint) return endpoint.error();
  inst->endpoint = std::move(*endpoint);

  std::map<std::string, std::string> env = cfg.environment;
  auto set = [&](const std::string& k, const std::string& v) { env[k] = v; };
  std::string stream = base::iso8601(base::now_ms()).substr(0, 10);
  std::replace(stream.begin(), stream.end(), '-', '/');
  set("AWS_LAMBDA_FUNCTION_NAME", cfg.name);
  set("AWS_LAMBDA_FUNCTION_VERSION", cfg.version);
  set("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", std::to_string(cfg.memory_mb));
  set("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + cfg.name);
  inst->log_stream = stream + "/[" + cfg.version + "]" + base::random_hex(16);
  set("AWS_LAMBDA_LOG_STREAM_NAME", inst->log_stream);
  set("AWS_LAMBDA_RUNTIME_API", inst->endpoint->address());
  set("_HANDLER", cfg.handler);
  set("LAMBDA_TASK_ROOT", cfg.code_dir);
  set("LAMBDA_RUNTIME_DIR", cfg.code_dir);
  set("AWS_REGION", options.region);
  set("AWS_DEFAULT_REGION", options.region);
  if (options.add_key) {
    std::string key = "NIMBUS" + base::random_hex(7);
    for (auto& ch : key) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    std::string secret = base::random_hex(20);
    options.add_key(key, secret);
    inst->access_key = key;
    {
      std::lock_guard lock(keys_mu);
      key_depth[key] = 0;
    }
    set("AWS_ACCESS_KEY_ID", key);
    set("AWS_SECRET_ACCESS_KEY", secret);
  } else {
    set("AWS_ACCESS_KEY_ID", options.access_key);
    set("AWS_SECRET_ACCESS_KEY", options.secret_key);
  }
  if (!options.endpoint_url.empty()) set("AWS_ENDPOINT_URL", options.endpoint_url);
  set("TZ", ":UTC");
  set("LANG", "en_US.UTF-8");
  set("PATH", "/usr/local/bin:/usr/bin:/bin");
  set("LD_LIBRARY_PATH", cfg.code_dir + "/lib:/usr/local/lib:/usr/lib");
  for (const auto& [k, v] : launch->env) set(k, v);
  ProcessSpec spec{launch->program, launch->args, {}, cfg.code_dir, static_cast<uint64_t>(cfg.memory_mb) << 20};
  for (const auto& [k, v] : env) spec.env.push_back(k + "=" + v);

  // Init Duration counts from here: the fork (or the zygote's) is part of it,
  // and the runtime may poll before launch_process has returned.
  inst->spawned = Clock::now();
  auto proc = launch_process(cfg, *launch, spec);
  if (!proc) {
    if (!inst->access_key.empty() && options.remove_key) options.remove_key(inst->access_key);
    return proc.error();
  }
  inst->proc = std::move(*proc);
  inst->output.assign(inst->proc.output.release());
  inst->exit_watch.assign(inst->proc.pidfd.release());
  pools[cfg.name].push_back(inst);
  ++total;
  read_output(inst);
  inst->exit_watch.async_wait(asio::posix::stream_descriptor::wait_read,
                              [self = shared_from_this(), inst](const boost::system::error_code&) { self->on_exit(inst); });
  return inst;
}

base::Result<Process> Invoker::Impl::launch_process(const FunctionConfig& cfg, const Launch& launch,
                                                    const ProcessSpec& spec) {
  if (launch.zygote) {
    if (auto zygote = zygote_for(*launch.zygote)) {
      auto forked = zygote->fork(spec);
      if (forked) return forked;
      if (forked.error().code == base::ErrorCode::kUnavailable) {
        spdlog::debug("[{}] starting an instance plainly: {}", cfg.name, forked.error().message);
      } else {
        spdlog::warn("[{}] the zygote failed ({}): starting plainly", cfg.name, forked.error().message);
        zygotes.erase(launch.zygote->program);
        zygote_failed[launch.zygote->program] = Clock::now();
      }
    }
  }
  return spawn(spec);
}

std::shared_ptr<Zygote> Invoker::Impl::zygote_for(const ProcessSpec& zygote_spec) {
  const std::string& key = zygote_spec.program;
  if (auto it = zygotes.find(key); it != zygotes.end()) {
    if (it->second->alive()) return it->second;
    spdlog::warn("the zygote of {} has exited", key);
    zygotes.erase(it);
    zygote_failed[key] = Clock::now();
  }
  if (stopping) return nullptr;
  // One that keeps dying is not restarted on every cold start.
  if (auto it = zygote_failed.find(key); it != zygote_failed.end() && Clock::now() - it->second < std::chrono::seconds(30))
    return nullptr;
  auto started = Zygote::start(zygote_spec);
  if (!started) {
    spdlog::warn("cannot start a zygote for {}: {}", key, started.error().message);
    zygote_failed[key] = Clock::now();
    return nullptr;
  }
  return zygotes[key] = *started;
}

// Output is read on the strand only (readiness from the reactor, the read
// itself here), so finish() can take everything written before a response
// without racing a read in flight.
bool Invoker::Impl::drain_output(const std::shared_ptr<Instance>& inst) {
  if (!inst->output.is_open()) return false;
  for (;;) {
    ssize_t n = ::read(inst->output.native_handle(), inst->read_buf, sizeof inst->read_buf);
    if (n > 0) {
      inst->partial_line.append(inst->read_buf, static_cast<size_t>(n));
      size_t nl;
      while ((nl = inst->partial_line.find('\n')) != std::string::npos) {
        log_line(*inst, inst->partial_line.substr(0, nl));
        inst->partial_line.erase(0, nl + 1);
      }
      if (inst->partial_line.size() >= kMaxLineBytes) {
        log_line(*inst, inst->partial_line.substr(0, kMaxLineBytes));
        inst->partial_line.erase(0, kMaxLineBytes);
      }
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
    // End of output: the process (and everything it started) closed it.
    if (!inst->partial_line.empty()) log_line(*inst, std::exchange(inst->partial_line, {}));
    boost::system::error_code ec;
    inst->output.close(ec);
    return false;
  }
}

void Invoker::Impl::read_output(const std::shared_ptr<Instance>& inst) {
  if (options.log_backlogged && options.log_backlogged()) {
    auto wait = std::make_shared<asio::steady_timer>(strand, std::chrono::milliseconds(10));
    wait->async_wait([self = shared_from_this(), inst, wait](const boost::system::error_code&) {
      if (inst->output.is_open()) self->read_output(inst);
    });
    return;
  }
  inst->output.async_wait(asio::posix::stream_descriptor::wait_read,
                          [self = shared_from_this(), inst](const boost::system::error_code& ec) {
                            if (ec) return;
                            if (self->drain_output(inst)) self->read_output(inst);
                          });
}

void Invoker::Impl::arm_idle(const std::shared_ptr<Instance>& inst) {
  inst->timer.expires_after(options.keep_alive);
  inst->timer.async_wait([self = shared_from_this(), inst](const boost::system::error_code& ec) {
    if (ec || inst->active || inst->state != Instance::State::kIdle || !inst->provisioned_for.empty()) return;
    spdlog::debug("[{}] instance idle for {} ms: stopping it", inst->cfg.name, self->options.keep_alive.count());
    self->stop(inst);
  });
}

void Invoker::Impl::invoke(InvokeRequest req, Done done) {
  if (stopping) return done(base::make_error(base::ErrorCode::kInternal, "nimbus is shutting down"));
  auto cfg = registry.resolve(req.function, req.qualifier);
  if (!cfg) return done(cfg.error());
  Invocation inv;
  inv.request_id = req.request_id.empty() ? base::uuid4() : req.request_id;
  inv.payload = std::move(req.payload);
  inv.deadline_ms = base::now_ms() + int64_t{cfg->timeout_s} * 1000;
  inv.function_arn = function_arn(options.region, cfg->name, req.qualifier);
  // The caller's trace goes on (or one starts); the function sees this
  // invocation's span as the parent of what it calls.
  auto trace = base::parse_trace_context(req.trace_id);
  if (!trace.valid()) trace = base::new_trace();
  inv.trace_root = trace.root;
  inv.parent_span = trace.parent;
  inv.span_id = base::new_span_id();
  inv.trace_id = base::TraceContext{trace.root, inv.span_id, trace.sampled}.header();
  inv.client_context = std::move(req.client_context);
  inv.depth = req.depth;

  auto throttled = [&](const char* why) {
    if (options.on_invocation) {
      InvocationRecord record;
      record.function = cfg->name;
      record.outcome = InvocationRecord::Outcome::kThrottled;
      record.request_id = inv.request_id;
      record.trace_root = inv.trace_root;
      record.span_id = inv.span_id;
      record.parent_span = inv.parent_span;
      record.start_us = base::now_ms() * 1000;
      options.on_invocation(record);
    }
    return done(base::make_error(base::ErrorCode::kThrottled, why));
  };
  // Reserved concurrency 0 switches a function off, warm instances or not.
  if (cfg->reserved_concurrency == 0)
    return throttled("ReservedFunctionConcurrentInvocationLimitExceeded");
  auto& pool = pools[cfg->name];
  for (auto& inst : pool) {
    if (inst->state == Instance::State::kIdle && !inst->active && !inst->retired &&
        inst->cfg.revision_id == cfg->revision_id && inst->cfg.version == cfg->version) {
      return dispatch(inst, std::move(inv), std::move(done));
    }
  }
  int live = 0;
  for (auto& inst : pool)
    if (inst->state != Instance::State::kDead) ++live;
  if (cfg->reserved_concurrency && live >= *cfg->reserved_concurrency)
    return throttled("ReservedFunctionConcurrentInvocationLimitExceeded");
  if (total >= options.max_concurrency)
    return throttled("ConcurrentInvocationLimitExceeded");
  auto inst = start(*cfg);
  if (!inst) {
    if (inst.error().code == base::ErrorCode::kInvalidArgument) {
      InvokeResult r;
      r.function_error = true;
      r.payload = inst.error().message;
      return done(r);
    }
    return done(inst.error());
  }
  dispatch(*inst, std::move(inv), std::move(done));
}

void Invoker::Impl::dispatch(const std::shared_ptr<Instance>& inst, Invocation inv, Done done) {
  inst->state = Instance::State::kBusy;
  if (!inst->access_key.empty()) {
    std::lock_guard lock(keys_mu);
    key_depth[inst->access_key] = inv.depth;
  }
  inst->active = Active{std::move(inv), std::move(done), {}, Clock::now(), false, false, base::now_us()};
  inst->timer.expires_after(std::chrono::seconds(inst->cfg.timeout_s));
  inst->timer.async_wait([self = shared_from_this(), inst, id = inst->active->inv.request_id](
                             const boost::system::error_code& ec) {
    if (ec || !inst->active || inst->active->inv.request_id != id) return;
    char secs[32];
    std::snprintf(secs, sizeof secs, "%d.00", inst->cfg.timeout_s);
    std::string msg = base::iso8601(base::now_ms()) + " " + id + " Task timed out after " + secs + " seconds";
    self->log_line(*inst, msg);
    InvokeResult r;
    r.function_error = true;
    r.payload = "{\"errorMessage\":\"" + msg + "\"}";
    inst->active->timed_out = true;
    inst->retired = true;
    self->finish(inst, std::move(r));
    self->stop(inst);
  });
  if (inst->waiter) hand_out(*inst);
}

void Invoker::Impl::hand_out(Instance& inst) {
  // START goes out when the runtime takes the event: what a cold start
  // printed during init comes before it, as in Lambda's logs. (Warm
  // instances' output was read when their last invocation finished.)
  if (!inst.took_an_event) drain_output(inst.shared_from_this());
  inst.took_an_event = true;
  log_line(inst, "START RequestId: " + inst.active->inv.request_id + " Version: " + inst.cfg.version);
  inst.active->handed_out = true;
  // Duration, as Lambda's, leaves out a cold start's init (Init Duration says it).
  inst.active->started = Clock::now();
  inst.active->started_us = base::now_us();
  auto w = std::move(inst.waiter);
  inst.waiter = nullptr;
  w(inst.active->inv);
}

void Invoker::Impl::finish(const std::shared_ptr<Instance>& inst, InvokeResult result) {
  if (!inst->active) return;
  drain_output(inst);  // lines the function wrote before answering belong to this invocation
  Active a = std::move(*inst->active);
  inst->active.reset();
  inst->timer.cancel();
  double ms = ms_since(a.started);
  std::string id = a.inv.request_id;
  a.log.append("END RequestId: " + id + "\n");
  emit(*inst, id, "END RequestId: " + id);
  char report[256];
  std::snprintf(report, sizeof report,
                "REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %lld ms\tMemory Size: %d MB\tMax Memory Used: "
                "%llu MB",
                id.c_str(), ms, static_cast<long long>(ms + 0.999), inst->cfg.memory_mb,
                static_cast<unsigned long long>(peak_memory_mb(inst->proc.pid)));
  std::string line = report;
  bool cold = inst->init_ms && !inst->init_reported;
  if (cold) {
    char init[64];
    std::snprintf(init, sizeof init, "\tInit Duration: %.2f ms", *inst->init_ms);
    line += init;
    inst->init_reported = true;
  }
  a.log.append(line).push_back('\n');
  emit(*inst, id, line);
  if (options.on_invocation) {
    InvocationRecord record;
    record.function = inst->cfg.name;
    record.outcome = a.timed_out ? InvocationRecord::Outcome::kTimeout
                     : result.function_error ? InvocationRecord::Outcome::kError
                                             : InvocationRecord::Outcome::kSuccess;
    record.duration_ms = ms;
    if (cold) record.init_ms = inst->init_ms;
    record.request_id = a.inv.request_id;
    record.trace_root = a.inv.trace_root;
    record.span_id = a.inv.span_id;
    record.parent_span = a.inv.parent_span;
    record.start_us = a.started_us;
    if (result.function_error) record.error = result.payload;
    options.on_invocation(record);
  }
  result.log_tail = a.log.size() > kLogTailBytes ? a.log.substr(a.log.size() - kLogTailBytes) : a.log;
  result.executed_version = inst->cfg.version;
  if (inst->state != Instance::State::kDead) {
    inst->state = Instance::State::kIdle;
    if (inst->retired) stop(inst);
    else arm_idle(inst);
  }
  a.done(std::move(result));
}

void Invoker::Impl::stop(const std::shared_ptr<Instance>& inst) {
  if (inst->state == Instance::State::kDead) return;
  kill_group(inst->proc.pid);
  // on_exit (from the pidfd) completes the bookkeeping.
}

void Invoker::Impl::on_exit(const std::shared_ptr<Instance>& inst) {
  if (inst->state == Instance::State::kDead) return;
  // Children the bootstrap left behind: the group outlives its leader until that is reaped.
  kill_group(inst->proc.pid);
  ExitReport exit = collect_exit(inst->proc);
  inst->state = Instance::State::kDead;
  if (inst->active) {
    bool oom = killed_by_signal(exit.wait_status) &&
               exit.peak_memory_mb * 10 >= static_cast<uint64_t>(inst->cfg.memory_mb) * 9;
    std::string msg = "RequestId: " + inst->active->inv.request_id + " Error: Runtime exited with error: " +
                      describe_exit(exit.wait_status);
    log_line(*inst, msg);
    InvokeResult r;
    r.function_error = true;
    r.payload = error_json(oom ? "Runtime.OutOfMemory" : "Runtime.ExitError", msg);
    finish(inst, std::move(r));
  }
  if (inst->waiter) std::exchange(inst->waiter, nullptr)(std::nullopt);
  inst->timer.cancel();
  boost::system::error_code ec;
  inst->exit_watch.close(ec);
  auto& pool = pools[inst->cfg.name];
  std::erase(pool, inst);
  if (pool.empty()) pools.erase(inst->cfg.name);
  --total;
  if (!inst->access_key.empty()) {
    if (options.remove_key) options.remove_key(inst->access_key);
    std::lock_guard lock(keys_mu);
    key_depth.erase(inst->access_key);
  }
  // The listener goes last: its connection may still be answering.
  asio::post(strand, [inst] { inst->endpoint.reset(); });
  if (!inst->provisioned_for.empty() && !stopping) {
    // Replace a provisioned instance that died, after a pause so a crash-looping one cannot spin.
    auto t = std::make_shared<asio::steady_timer>(strand, std::chrono::milliseconds(200));
    t->async_wait([self = shared_from_this(), t, fn = inst->cfg.name, q = inst->provisioned_for](auto) {
      self->reconcile(fn, q);
    });
  }
}

void Invoker::Impl::reconcile(const std::string& function, const std::string& qualifier) {
  if (stopping) return;
  auto want_it = provisioned.find({function, qualifier});
  int want = want_it == provisioned.end() ? 0 : want_it->second;
  auto cfg = registry.resolve(function, qualifier);
  std::vector<std::shared_ptr<Instance>> mine;
  for (auto& inst : pools[function])
    if (inst->provisioned_for == qualifier && inst->state != Instance::State::kDead && !inst->retired) {
      if (cfg && inst->cfg.revision_id == cfg->revision_id && inst->cfg.version == cfg->version) mine.push_back(inst);
      else inst->provisioned_for.clear();  // stale: an on-demand instance now, stopped when idle
    }
  for (size_t i = static_cast<size_t>(std::max(want, 0)); i < mine.size(); ++i) {
    mine[i]->provisioned_for.clear();
    if (!mine[i]->active) stop(mine[i]);
  }
  if (!cfg) return;
  for (int i = static_cast<int>(mine.size()); i < want; ++i) {
    auto inst = start(*cfg);
    if (!inst) {
      spdlog::warn("[{}] cannot start a provisioned instance: {}", function, inst.error().message);
      return;
    }
    (*inst)->provisioned_for = qualifier;
    (*inst)->init_reported = true;  // its init happened ahead of any invocation, as in Lambda
  }
}

Invoker::Invoker(asio::io_context& io, Registry& registry, RuntimeEndpointFactory& endpoints, InvokerOptions options)
    : impl_(std::make_shared<Impl>(io, registry, endpoints, std::move(options))) {}

Invoker::~Invoker() {
  shutdown();
  if (!impl_->io.stopped()) return;
  // The io_context has stopped (nimbus is exiting), so the shutdown posted
  // above will never run, and no thread runs the strand: release here what
  // instances hold. A runtime's pending poll (waiter) owns the coroutine of
  // its connection, which owns the listener that owns the instance: a cycle
  // that nothing else would break (LeakSanitizer found it).
  for (auto& [name, pool] : impl_->pools)
    for (auto& inst : pool) {
      inst->waiter = nullptr;
      inst->endpoint.reset();
    }
  impl_->pools.clear();
  impl_->zygotes.clear();  // their read loops' callbacks hold the Impl
}

void Invoker::invoke(InvokeRequest request, std::function<void(base::Result<InvokeResult>)> done) {
  asio::post(impl_->strand, [impl = impl_, request = std::move(request), done = std::move(done)]() mutable {
    impl->invoke(std::move(request), std::move(done));
  });
}

void Invoker::retire(const std::string& function) {
  asio::post(impl_->strand, [impl = impl_, function] {
    auto it = impl->pools.find(function);
    if (it != impl->pools.end())
      for (auto& inst : it->second) {
        inst->retired = true;
        inst->provisioned_for.clear();
        if (!inst->active) impl->stop(inst);
      }
    for (const auto& [key, count] : impl->provisioned)
      if (key.first == function) impl->reconcile(key.first, key.second);
  });
}

int Invoker::max_concurrency() const { return impl_->options.max_concurrency; }

void Invoker::provision(const std::string& function, const std::string& qualifier, int count) {
  asio::post(impl_->strand, [impl = impl_, function, qualifier, count] {
    if (count > 0) impl->provisioned[{function, qualifier}] = count;
    else impl->provisioned.erase({function, qualifier});
    impl->reconcile(function, qualifier);
  });
}

void Invoker::prepare(const FunctionConfig& cfg) {
  asio::post(impl_->strand, [impl = impl_, cfg] {
    auto launch = launch_for(cfg, impl->options.runtimes);
    if (launch && launch->zygote) impl->zygote_for(*launch->zygote);
  });
}

void Invoker::shutdown() {
  asio::post(impl_->strand, [impl = impl_] {
    impl->stopping = true;
    for (auto& [name, pool] : impl->pools)
      for (auto& inst : pool) kill_group(inst->proc.pid);
    impl->zygotes.clear();  // each goes once the last instance it forked is gone
  });
}

int Invoker::instance_count() const { return impl_->total; }

std::vector<std::string> isolation_layers() {
  return {"own session and process group (killed whole)", "parent-death signal (dies with nimbus)",
          "memory limit (RLIMIT_DATA = MemorySize)", "own credentials per instance", "timeout enforced (SIGKILL)"};
}

std::vector<std::string> isolation_missing() {
  return {"namespaces (bubblewrap)", "seccomp", "cgroup limits"};
}

std::vector<FunctionLoad> Invoker::load() {
  auto promise = std::make_shared<std::promise<std::vector<FunctionLoad>>>();
  auto result = promise->get_future();
  asio::post(impl_->strand, [impl = impl_, promise] {
    std::vector<FunctionLoad> out;
    for (const auto& [name, pool] : impl->pools) {
      FunctionLoad l{name};
      for (const auto& inst : pool) {
        if (inst->state == Instance::State::kStarting) ++l.starting;
        else if (inst->state == Instance::State::kIdle && !inst->active) ++l.idle;
        else if (inst->state != Instance::State::kDead) ++l.busy;
      }
      out.push_back(std::move(l));
    }
    promise->set_value(std::move(out));
  });
  if (result.wait_for(std::chrono::seconds(5)) != std::future_status::ready) return {};
  return result.get();
}

int Invoker::depth_of(const std::string& access_key) const {
  std::lock_guard lock(impl_->keys_mu);
  auto it = impl_->key_depth.find(access_key);
  return it == impl_->key_depth.end() ? 0 : it->second;
}

}  // namespace nimbus::functions
