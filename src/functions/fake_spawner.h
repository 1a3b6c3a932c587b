// Test fakes for the invoker, with no real function behind them:
// FakeEndpoints stands in for the Runtime API listeners (it hands each
// instance's RuntimeChannel to whoever asks for its address), and
// FakeSpawner's "processes" are in-process runtimes that poll that channel
// and answer each event as the test's script says: respond, fail, hang, hold
// until released, stream a response (chunks, then an optional error, or a
// hang mid-stream), print, crash, or fail their init. Pipes stand in for the
// output and exit descriptors, so the invoker reads and watches them as it
// does a real process's.
//
// THREADING RULE: the invoker calls both from its strand; a test may call
// the accessors and release() from its own thread (everything is under mu).
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "functions/runtime_channel.h"
#include "functions/spawner.h"

namespace nimbus::functions::testing {

class FakeEndpoints : public RuntimeEndpointFactory {
 public:
  base::Result<std::unique_ptr<RuntimeEndpoint>> open(std::shared_ptr<RuntimeChannel> channel) override {
    std::lock_guard lock(mu_);
    std::string address = "fake:" + std::to_string(++opened_);
    channels_[address] = channel;
    return std::unique_ptr<RuntimeEndpoint>(new Endpoint(address));
  }
  std::shared_ptr<RuntimeChannel> channel(const std::string& address) {
    std::lock_guard lock(mu_);
    auto it = channels_.find(address);
    return it == channels_.end() ? nullptr : it->second.lock();
  }

 private:
  struct Endpoint : RuntimeEndpoint {
    explicit Endpoint(std::string a) : address_(std::move(a)) {}
    std::string address() const override { return address_; }
    std::string address_;
  };
  std::mutex mu_;
  int opened_ = 0;
  std::map<std::string, std::weak_ptr<RuntimeChannel>> channels_;
};

// What a fake runtime does with one event.
struct Step {
  enum class Kind { kRespond, kFail, kHang, kHold, kCrash, kStream };
  Kind kind = Kind::kRespond;
  std::string body;         // the response, or the error body
  std::string error_type;   // for kFail
  std::string output;       // printed (to the output pipe) before answering
  int wait_status = 0;      // for kCrash: as waitpid reports it
  std::vector<std::string> chunks;  // for kStream: sent in order, each after the previous was taken
  bool hang_mid_stream = false;     // for kStream: after the chunks, neither end nor error
  static Step respond(std::string body, std::string output = "") { return {Kind::kRespond, std::move(body), "", std::move(output)}; }
  static Step fail(std::string type, std::string body) { return {Kind::kFail, std::move(body), std::move(type)}; }
  static Step hang() { return {Kind::kHang}; }
  static Step hold(std::string body) { return {Kind::kHold, std::move(body)}; }
  static Step exit(int code) { return {Kind::kCrash, "", "", "", code << 8}; }
  static Step signal(int sig) { return {Kind::kCrash, "", "", "", sig}; }
  // A streamed response; a non-empty error_type ends it with that error (body: its JSON).
  static Step stream(std::vector<std::string> chunks, std::string error_type = "", std::string error_body = "") {
    Step s{Kind::kStream, std::move(error_body), std::move(error_type)};
    s.chunks = std::move(chunks);
    return s;
  }
  static Step stream_and_hang(std::vector<std::string> chunks) {
    Step s = stream(std::move(chunks));
    s.hang_mid_stream = true;
    return s;
  }
};

// A function's behaviour: its init (an error type: the init fails) and a step per event.
struct Script {
  std::string init_error;  // non-empty: POST /runtime/init/error with this type instead of polling
  std::string init_output;  // printed during init
  std::function<Step(const Invocation&)> on_event = [](const Invocation& inv) { return Step::respond(inv.payload); };
};

class FakeSpawner : public ProcessSpawner, public std::enable_shared_from_this<FakeSpawner> {
 public:
  explicit FakeSpawner(FakeEndpoints& endpoints) : endpoints_(endpoints) {}

  void script(const std::string& function, Script s) {
    std::lock_guard lock(mu_);
    scripts_[function] = std::move(s);
  }
  int started(const std::string& function) {
    std::lock_guard lock(mu_);
    return started_[function];
  }
  int killed() {
    std::lock_guard lock(mu_);
    return killed_;
  }
  std::vector<std::string> env_of_last_start() {
    std::lock_guard lock(mu_);
    return last_env_;
  }
  // Events held now (Step::hold), not yet released.
  int held() {
    std::lock_guard lock(mu_);
    size_t n = 0;
    for (auto& [pid, p] : procs_) n += p->held.size();
    return static_cast<int>(n);
  }
  // Answers every held event (Step::hold) with its body.
  void release() {
    std::vector<std::pair<std::shared_ptr<Proc>, std::pair<std::string, std::string>>> held;
    {
      std::lock_guard lock(mu_);
      for (auto& [pid, p] : procs_)
        for (auto& h : p->held) held.push_back({p, h});
      for (auto& [pid, p] : procs_) p->held.clear();
    }
    for (auto& [p, h] : held) answer(p, h.first, h.second, false, "");
  }

  base::Result<Process> start(const std::string& function, const Launch&, const ProcessSpec& spec) override {
    int out[2], exit_pipe[2];
    if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(exit_pipe, O_CLOEXEC) != 0)
      return base::make_error(base::ErrorCode::kIo, "pipe");
    ::fcntl(out[0], F_SETFL, ::fcntl(out[0], F_GETFL) | O_NONBLOCK);
    auto p = std::make_shared<Proc>();
    std::string address;
    for (const auto& e : spec.env)
      if (e.rfind("AWS_LAMBDA_RUNTIME_API=", 0) == 0) address = e.substr(e.find('=') + 1);
    p->channel = endpoints_.channel(address);
    p->out_w = base::Fd(out[1]);
    p->exit_w = base::Fd(exit_pipe[1]);
    Script s;
    {
      std::lock_guard lock(mu_);
      p->pid = next_pid_++;
      if (auto it = scripts_.find(function); it != scripts_.end()) s = it->second;
      p->function = function;
      procs_[p->pid] = p;
      ++started_[function];
      last_env_ = spec.env;
    }
    if (!s.init_output.empty()) write_output(p, s.init_output);
    if (!s.init_error.empty()) {
      p->channel->init_error(s.init_error, "{\"errorType\":\"" + s.init_error + "\",\"errorMessage\":\"init\"}",
                             [](base::Status) {});
    } else {
      poll(p);
    }
    return Process{p->pid, base::Fd(out[0]), base::Fd(exit_pipe[0]), nullptr};
  }
  void prepare(const Launch&) override {}
  void kill(const Process& process) override {
    auto p = find(process.pid);
    if (!p) return;
    bool was_alive;
    {
      std::lock_guard lock(mu_);
      was_alive = !p->dead;
      if (was_alive) ++killed_;
    }
    if (was_alive) die(p, SIGKILL);
  }
  ExitReport collect_exit(const Process& process) override {
    auto p = find(process.pid);
    std::lock_guard lock(mu_);
    ExitReport r;
    if (p) r.wait_status = p->wait_status;
    procs_.erase(process.pid);
    return r;
  }
  uint64_t peak_memory_mb(const Process&) override { return 42; }
  void shutdown() override {}

 private:
  struct Proc {
    pid_t pid = 0;
    std::shared_ptr<RuntimeChannel> channel;
    base::Fd out_w, exit_w;
    std::string function;
    bool dead = false;
    int wait_status = -1;
    std::vector<std::pair<std::string, std::string>> held;  // (request id, body)
  };

  std::shared_ptr<Proc> find(pid_t pid) {
    std::lock_guard lock(mu_);
    auto it = procs_.find(pid);
    return it == procs_.end() ? nullptr : it->second;
  }
  void write_output(const std::shared_ptr<Proc>& p, const std::string& text) {
    std::lock_guard lock(mu_);
    if (p->out_w.valid()) (void)!::write(p->out_w.get(), text.data(), text.size());
  }
  void die(const std::shared_ptr<Proc>& p, int wait_status) {
    std::lock_guard lock(mu_);
    if (p->dead) return;
    p->dead = true;
    p->wait_status = wait_status;
    p->out_w.reset();   // end of output
    p->exit_w.reset();  // the "pidfd" becomes readable
    p->channel.reset();
  }
  void poll(const std::shared_ptr<Proc>& p) {
    std::shared_ptr<RuntimeChannel> channel;
    {
      std::lock_guard lock(mu_);
      if (p->dead) return;
      channel = p->channel;
    }
    std::weak_ptr<FakeSpawner> self = weak_from_this();
    channel->next([self, p](std::optional<Invocation> inv) {
      auto s = self.lock();
      if (s && inv) s->handle(p, *inv);
    });
  }
  void handle(const std::shared_ptr<Proc>& p, const Invocation& inv) {
    Script script;
    {
      std::lock_guard lock(mu_);  // the function's script now: a test may change it between events
      script = scripts_[p->function];
    }
    Step step = script.on_event(inv);
    if (!step.output.empty()) write_output(p, step.output);
    switch (step.kind) {
      case Step::Kind::kRespond: return answer(p, inv.request_id, step.body, false, "");
      case Step::Kind::kFail: return answer(p, inv.request_id, step.body, true, step.error_type);
      case Step::Kind::kHang: return;
      case Step::Kind::kHold: {
        std::lock_guard lock(mu_);
        p->held.push_back({inv.request_id, step.body});
        return;
      }
      case Step::Kind::kCrash: return die(p, step.wait_status);
      case Step::Kind::kStream: {
        auto channel = channel_of(p);
        if (!channel) return;
        auto st = std::make_shared<Step>(std::move(step));
        std::weak_ptr<FakeSpawner> self = weak_from_this();
        channel->stream_begin(inv.request_id, "text/plain", [self, p, st, id = inv.request_id](base::Status s) {
          if (auto me = self.lock(); me && s) me->send_chunk(p, st, id, 0);
        });
        return;
      }
    }
  }
  std::shared_ptr<RuntimeChannel> channel_of(const std::shared_ptr<Proc>& p) {
    std::lock_guard lock(mu_);
    return p->dead ? nullptr : p->channel;
  }
  // The i-th chunk of a streamed response, once the previous one was taken; then the end.
  void send_chunk(const std::shared_ptr<Proc>& p, const std::shared_ptr<Step>& st, const std::string& id, size_t i) {
    auto channel = channel_of(p);
    if (!channel) return;
    std::weak_ptr<FakeSpawner> self = weak_from_this();
    if (i < st->chunks.size()) {
      channel->stream_chunk(id, st->chunks[i], [self, p, st, id, i](base::Status s) {
        if (auto me = self.lock(); me && s) me->send_chunk(p, st, id, i + 1);
      });
      return;
    }
    if (st->hang_mid_stream) return;
    std::optional<RuntimeChannel::StreamError> error;
    if (!st->error_type.empty()) error = RuntimeChannel::StreamError{st->error_type, st->body};
    channel->stream_end(id, std::move(error), [self, p](base::Status) {
      if (auto me = self.lock()) me->poll(p);
    });
  }
  void answer(const std::shared_ptr<Proc>& p, const std::string& id, const std::string& body, bool error,
              const std::string& type) {
    std::shared_ptr<RuntimeChannel> channel;
    {
      std::lock_guard lock(mu_);
      if (p->dead) return;
      channel = p->channel;
    }
    std::weak_ptr<FakeSpawner> self = weak_from_this();
    auto then = [self, p](base::Status) {
      if (auto s = self.lock()) s->poll(p);
    };
    if (error) channel->fail(id, type, body, then);
    else channel->respond(id, body, then);
  }

  FakeEndpoints& endpoints_;
  std::mutex mu_;
  pid_t next_pid_ = 4'000'000;
  std::map<pid_t, std::shared_ptr<Proc>> procs_;
  std::map<std::string, Script> scripts_;
  std::map<std::string, int> started_;
  int killed_ = 0;
  std::vector<std::string> last_env_;
};

}  // namespace nimbus::functions::testing
