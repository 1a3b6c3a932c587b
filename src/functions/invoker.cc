// The invocation's life on the invoker's strand: resolve and admit it (a
// warm instance, a new one, or throttled), start an instance, hand the
// event to its runtime, time it out, finish it with END and REPORT, and
// bury the instance when its process exits (a crash fails its invocation).
#include "functions/invoker.h"

#include <spdlog/spdlog.h>
#include <sys/wait.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <future>

#include "base/ids.h"
#include "base/time.h"
#include "base/trace_context.h"
#include "functions/invoker_impl.h"
#include "functions/lambda_environment.h"
#include "functions/report_lines.h"

namespace nimbus::functions {

namespace asio = boost::asio;

namespace {
double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}
}  // namespace

Invoker::Impl::Impl(asio::io_context& io, Registry& registry, RuntimeEndpointFactory& endpoints,
                    InvokerOptions options_in)
    : io(io),
      strand(asio::make_strand(io)),
      registry(registry),
      endpoints(endpoints),
      options(std::move(options_in)),
      clock(options.clock ? *options.clock : base::system_clock()),
      spawner(options.spawner ? options.spawner : make_local_spawner(clock)),
      echo(clock, static_cast<bool>(options.log_sink)) {}

base::Result<std::shared_ptr<Instance>> Invoker::Impl::start(const FunctionConfig& cfg) {
  auto inst = std::make_shared<Instance>(weak_from_this(), strand, cfg);
  auto launch = launch_for(cfg, options.runtimes);
  if (!launch) return launch.error();  // kInvalidArgument: the reason, for Runtime.InvalidEntrypoint
  auto endpoint = endpoints.open(inst);
  if (!endpoint) return endpoint.error();
  inst->endpoint = std::move(*endpoint);

  InstanceContext context{options.region, options.endpoint_url, log_stream_name(cfg, clock.now_ms()),
                          inst->endpoint->address(), options.access_key, options.secret_key};
  inst->log_stream = context.log_stream;
  if (options.add_key) {
    // The instance's own credentials: its writes can be traced back to it (loop detection).
    context.access_key = new_instance_access_key();
    context.secret_key = base::random_hex(20);
    options.add_key(context.access_key, context.secret_key);
    inst->access_key = context.access_key;
    std::lock_guard lock(keys_mu);
    key_depth[inst->access_key] = 0;
  }
  ProcessSpec spec{launch->program, launch->args, {}, cfg.code_dir, static_cast<uint64_t>(cfg.memory_mb) << 20};
  for (const auto& [k, v] : lambda_environment(cfg, *launch, context)) spec.env.push_back(k + "=" + v);

  // Init Duration counts from here: the fork (or the zygote's) is part of it,
  // and the runtime may poll before the spawner has returned.
  inst->spawned = std::chrono::steady_clock::now();
  auto proc = spawner->start(cfg.name, *launch, spec);
  if (!proc) {
    if (!inst->access_key.empty()) {
      if (options.remove_key) options.remove_key(inst->access_key);
      std::lock_guard lock(keys_mu);
      key_depth.erase(inst->access_key);
    }
    return proc.error();
  }
  inst->proc = std::move(*proc);
  inst->output.assign(inst->proc.output.release());
  inst->exit_watch.assign(inst->proc.pidfd.release());
  pools.add(inst);
  read_output(inst);
  inst->exit_watch.async_wait(asio::posix::stream_descriptor::wait_read,
                              [self = shared_from_this(), inst](const boost::system::error_code&) { self->on_exit(inst); });
  return inst;
}

void Invoker::Impl::arm_idle(const std::shared_ptr<Instance>& inst) {
  inst->timer.expires_after(options.keep_alive);
  inst->timer.async_wait([self = shared_from_this(), inst](const boost::system::error_code& ec) {
    if (ec || inst->active || inst->state != Instance::State::kIdle || !inst->provisioned_for.empty()) return;
    spdlog::debug("[{}] instance idle for {} ms: stopping it", inst->cfg.name, self->options.keep_alive.count());
    self->stop(inst);
  });
}

void Invoker::Impl::invoke(InvokeRequest req, InvokeDone done) {
  if (stopping) return done(base::make_error(base::ErrorCode::kInternal, "nimbus is shutting down"));
  auto cfg = registry.resolve(req.function, req.qualifier);  // a snapshot read: never waits on a registry write
  if (!cfg) return done(cfg.error());
  // Here, where every path meets (API invokes, async events, bucket notifications): one answer for all.
  if (auto arch = check_architecture(*cfg); !arch) return done(arch.error());
  Invocation inv;
  inv.request_id = req.request_id.empty() ? base::uuid4() : req.request_id;
  inv.payload = std::move(req.payload);
  inv.deadline_ms = clock.now_ms() + int64_t{cfg->timeout_s} * 1000;
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

  auto throttled = [&](std::string_view why) {
    InvocationRecord r;
    r.function = cfg->name;
    r.outcome = InvocationRecord::Outcome::kThrottled;
    r.request_id = inv.request_id;
    r.trace_root = inv.trace_root;
    r.span_id = inv.span_id;
    r.parent_span = inv.parent_span;
    r.start_us = clock.now_ms() * 1000;
    record(r);
    return done(base::make_error(base::ErrorCode::kThrottled, std::string(why)));
  };
  if (auto why = Pools::switched_off(*cfg)) return throttled(*why);
  if (auto inst = pools.warm(*cfg)) return dispatch(inst, std::move(inv), std::move(done), std::move(req.stream));
  auto admission = pools.admit(*cfg, options.max_concurrency);
  if (admission.refusal) return throttled(*admission.refusal);
  for (const auto& idle : admission.reclaim) {
    spdlog::debug("[{}] reclaiming an idle instance for an invocation of {}", idle->cfg.name, cfg->name);
    stop(idle);
  }
  auto inst = start(*cfg);
  if (!inst) {
    if (inst.error().code == base::ErrorCode::kInvalidArgument)
      return fail_entrypoint(*cfg, inv, inst.error().message, std::move(done));
    return done(inst.error());
  }
  dispatch(*inst, std::move(inv), std::move(done), std::move(req.stream));
}

void Invoker::Impl::fail_entrypoint(const FunctionConfig& cfg, const Invocation& inv, const std::string& reason,
                                    InvokeDone done) {
  // No instance could start (no bootstrap, one that is not executable, no
  // interpreter): the invocation fails as Lambda's does, and the function's
  // log says why, in a stream of its own as an instance's would be.
  const std::string& id = inv.request_id;
  std::string msg = entrypoint_message(id, reason);
  spdlog::warn("[{}] cannot start an instance: {}", cfg.name, reason);
  std::string stream = log_stream_name(cfg, clock.now_ms());
  LogTail tail;
  for (const auto& line : {start_line(id, cfg.version), msg, std::string("Runtime.InvalidEntrypoint"), end_line(id),
                           report_line(id, 0, cfg.memory_mb, 0, std::nullopt)}) {
    tail.add(line);
    if (options.log_sink) options.log_sink(LogLine{cfg.name, stream, id, clock.now_ms(), line});
  }
  InvokeResult r;
  r.function_error = true;
  r.payload = error_json("Runtime.InvalidEntrypoint", msg);
  r.log_tail = tail.tail();
  r.executed_version = cfg.version;
  InvocationRecord rec;
  rec.function = cfg.name;
  rec.outcome = InvocationRecord::Outcome::kError;
  rec.error = r.payload;
  rec.request_id = id;
  rec.trace_root = inv.trace_root;
  rec.span_id = inv.span_id;
  rec.parent_span = inv.parent_span;
  rec.start_us = clock.now_ms() * 1000;
  record(rec);
  done(std::move(r));
}

void Invoker::Impl::dispatch(const std::shared_ptr<Instance>& inst, Invocation inv, InvokeDone done,
                             std::shared_ptr<ResponseStream> stream) {
  inst->state = Instance::State::kBusy;
  if (!inst->access_key.empty()) {
    std::lock_guard lock(keys_mu);
    key_depth[inst->access_key] = inv.depth;
  }
  inst->active = Active{std::move(inv), std::move(done), {}, std::chrono::steady_clock::now(), false, false,
                        base::now_us()};
  inst->active->stream = std::move(stream);
  inst->timer.expires_after(std::chrono::seconds(inst->cfg.timeout_s));
  inst->timer.async_wait([self = shared_from_this(), inst, id = inst->active->inv.request_id](
                             const boost::system::error_code& ec) {
    if (ec || !inst->active || inst->active->inv.request_id != id) return;
    std::string msg = timeout_message(self->clock.now_ms(), id, inst->cfg.timeout_s);
    self->log_line(*inst, msg);
    InvokeResult r;
    r.function_error = true;
    r.payload = "{\"errorMessage\":\"" + msg + "\"}";
    r.error_type = "Sandbox.Timedout";
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
  log_line(inst, start_line(inst.active->inv.request_id, inst.cfg.version));
  inst.active->handed_out = true;
  // Duration, as Lambda's, leaves out a cold start's init (Init Duration says it).
  inst.active->started = std::chrono::steady_clock::now();
  inst.active->started_us = base::now_us();
  auto w = std::move(inst.waiter);
  inst.waiter = nullptr;
  w(inst.active->inv);
}

void Invoker::Impl::send_head(Instance& inst, bool streamed, std::string content_type) {
  Active& a = *inst.active;
  if (!a.stream || a.head_sent) return;
  a.head_sent = true;
  a.stream->on_head(StreamHead{streamed, std::move(content_type), inst.cfg.version});
}

void Invoker::Impl::finish(const std::shared_ptr<Instance>& inst, InvokeResult result) {
  if (!inst->active) return;
  drain_output(inst);  // lines the function wrote before answering belong to this invocation
  if (inst->active->stream && !inst->active->head_sent) {
    // A buffered answer to a caller that streams: the whole payload as one chunk.
    send_head(*inst, false, "application/json");
    if (!result.function_error) {
      inst->active->stream->on_chunk(std::move(result.payload), [] {});
      result.payload.clear();
    }
  }
  Active a = std::move(*inst->active);
  inst->active.reset();
  inst->timer.cancel();
  double ms = ms_since(a.started);
  const std::string& id = a.inv.request_id;
  a.log.add(end_line(id));
  emit(*inst, id, end_line(id));
  bool cold = inst->init_ms && !inst->init_reported;
  std::string report = report_line(id, ms, inst->cfg.memory_mb, spawner->peak_memory_mb(inst->proc),
                                   cold ? inst->init_ms : std::nullopt);
  if (cold) inst->init_reported = true;
  a.log.add(report);
  emit(*inst, id, report);
  InvocationRecord r;
  r.function = inst->cfg.name;
  r.outcome = a.timed_out              ? InvocationRecord::Outcome::kTimeout
              : result.function_error ? InvocationRecord::Outcome::kError
                                      : InvocationRecord::Outcome::kSuccess;
  r.duration_ms = ms;
  if (cold) r.init_ms = inst->init_ms;
  r.request_id = a.inv.request_id;
  r.trace_root = a.inv.trace_root;
  r.span_id = a.inv.span_id;
  r.parent_span = a.inv.parent_span;
  r.start_us = a.started_us;
  if (result.function_error) r.error = result.payload;
  record(r);
  result.log_tail = a.log.tail();
  result.executed_version = inst->cfg.version;
  inst->last_used = std::chrono::steady_clock::now();
  if (inst->state != Instance::State::kDead) {
    inst->state = Instance::State::kIdle;
    if (inst->retired) stop(inst);
    else arm_idle(inst);
  }
  a.done(std::move(result));
}

void Invoker::Impl::stop(const std::shared_ptr<Instance>& inst) {
  if (inst->state == Instance::State::kDead) return;
  inst->stopping = true;
  spawner->kill(inst->proc);
  // on_exit (from the pidfd) completes the bookkeeping.
}

void Invoker::Impl::on_exit(const std::shared_ptr<Instance>& inst) {
  if (inst->state == Instance::State::kDead) return;
  // Children the bootstrap left behind: the group outlives its leader until that is reaped.
  spawner->kill(inst->proc);
  ExitReport exit = spawner->collect_exit(inst->proc);
  inst->state = Instance::State::kDead;
  if (inst->active) {
    drain_output(inst);  // its last words may say why (exec_error)
    bool oom = killed_by_signal(exit.wait_status) &&
               exit.peak_memory_mb * 10 >= static_cast<uint64_t>(inst->cfg.memory_mb) * 9;
    // A bootstrap that could not be run at all (a "#!/bin/sh\r" line, a binary
    // for another machine): Lambda's Runtime.InvalidEntrypoint, not an exit.
    bool entrypoint = !inst->init_ms && !inst->exec_error.empty() && WIFEXITED(exit.wait_status) &&
                      WEXITSTATUS(exit.wait_status) == 127;
    const std::string& id = inst->active->inv.request_id;
    std::string msg = entrypoint ? entrypoint_message(id, inst->exec_error) : exit_message(id, exit.wait_status);
    log_line(*inst, msg);
    InvokeResult r;
    r.function_error = true;
    r.error_type = entrypoint ? "Runtime.InvalidEntrypoint" : oom ? "Runtime.OutOfMemory" : "Runtime.ExitError";
    r.payload = error_json(r.error_type, msg);
    finish(inst, std::move(r));
  }
  if (inst->waiter) std::exchange(inst->waiter, nullptr)(std::nullopt);
  inst->timer.cancel();
  boost::system::error_code ec;
  inst->exit_watch.close(ec);
  pools.remove(inst);
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
  for (auto& inst : impl_->pools.all()) {
    inst->waiter = nullptr;
    inst->endpoint.reset();
  }
  impl_->pools.clear();
  impl_->spawner->shutdown();  // the zygotes' read loops' callbacks hold the Impl
}

void Invoker::invoke(InvokeRequest request, std::function<void(base::Result<InvokeResult>)> done) {
  asio::post(impl_->strand, [impl = impl_, request = std::move(request), done = std::move(done)]() mutable {
    impl->invoke(std::move(request), std::move(done));
  });
}

void Invoker::retire(const std::string& function) {
  asio::post(impl_->strand, [impl = impl_, function] {
    for (auto& inst : impl->pools.of(function)) {
      inst->retired = true;
      inst->provisioned_for.clear();
      if (!inst->active) impl->stop(inst);
    }
    for (const auto& [key, count] : impl->provisioned)
      if (key.first == function) impl->reconcile(key.first, key.second);
  });
}

int Invoker::max_concurrency() const { return impl_->options.max_concurrency; }

void Invoker::prepare(const FunctionConfig& cfg) {
  asio::post(impl_->strand, [impl = impl_, cfg] {
    if (impl->stopping) return;
    if (auto launch = launch_for(cfg, impl->options.runtimes)) impl->spawner->prepare(*launch);
  });
}

void Invoker::shutdown() {
  asio::post(impl_->strand, [impl = impl_] {
    impl->stopping = true;
    for (auto& inst : impl->pools.all()) impl->spawner->kill(inst->proc);
    impl->spawner->shutdown();  // each zygote goes once the last instance it forked is gone
  });
}

int Invoker::instance_count() const { return impl_->pools.total(); }

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
  asio::post(impl_->strand, [impl = impl_, promise] { promise->set_value(impl->pools.load()); });
  if (result.wait_for(std::chrono::seconds(5)) != std::future_status::ready) return {};
  return result.get();
}

int Invoker::depth_of(const std::string& access_key) const {
  std::lock_guard lock(impl_->keys_mu);
  auto it = impl_->key_depth.find(access_key);
  return it == impl_->key_depth.end() ? 0 : it->second;
}

}  // namespace nimbus::functions
