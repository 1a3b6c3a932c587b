#include "functions/zygote.h"

#include <fcntl.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace nimbus::functions {

namespace json = boost::json;

namespace {

constexpr size_t kMaxMessage = 1 << 20;
constexpr int kMaxFds = 4;

struct Reply {
  pid_t pid = -1;
  base::Fd pidfd;
  std::string plain;  // why the instance must start plainly
  std::string error;
};

// One packet and the descriptors passed with it; ok=false at end of stream.
struct Packet {
  bool ok = false;
  std::string text;
  std::vector<base::Fd> fds;
};

Packet receive(int fd) {
  Packet p;
  p.text.resize(kMaxMessage);
  iovec iov{p.text.data(), p.text.size()};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFds)];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  do n = ::recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n <= 0) return p;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; ++i) {
      int received;
      std::memcpy(&received, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
      p.fds.emplace_back(received);
    }
  }
  p.text.resize(static_cast<size_t>(n));
  p.ok = true;
  return p;
}

bool send_with_fd(int fd, const std::string& text, int passed) {
  iovec iov{const_cast<char*>(text.data()), text.size()};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(c), &passed, sizeof(int));
  ssize_t n;
  do n = ::sendmsg(fd, &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  return n == static_cast<ssize_t>(text.size());
}

std::string text_of(const json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

int64_t int_of(const json::object& o, const char* key, int64_t fallback) {
  auto* v = o.if_contains(key);
  return v && v->is_int64() ? v->get_int64() : fallback;
}

}  // namespace

struct Zygote::State {
  base::Fd socket;
  pid_t pid = -1;
  std::thread reader;

  std::mutex mu;
  std::condition_variable cv;
  bool ready = false;
  bool dead = false;
  uint64_t next_id = 0;
  std::map<uint64_t, Reply> replies;
  std::map<pid_t, ExitReport> exits;

  void on_message(Packet& p) {
    json::error_code ec;
    json::value v = json::parse(p.text, ec);
    if (ec || !v.is_object()) {
      spdlog::warn("zygote {}: unreadable message", pid);
      return;
    }
    const auto& o = v.get_object();
    std::lock_guard lock(mu);
    if (o.contains("ready")) {
      ready = true;
      std::string failed = o.contains("failed") ? json::serialize(o.at("failed")) : "{}";
      spdlog::info("python zygote {} ready (Python {}): preloaded {}{}", pid, text_of(o, "python"),
                   o.contains("preloaded") ? json::serialize(o.at("preloaded")) : "[]",
                   failed == "{}" ? "" : ", could not import " + failed);
    } else if (o.contains("exit")) {
      ExitReport r;
      r.wait_status = static_cast<int>(int_of(o, "status", -1));
      r.peak_memory_mb = static_cast<uint64_t>(int_of(o, "maxrss_kb", 0)) / 1024;
      exits[static_cast<pid_t>(int_of(o, "exit", -1))] = r;
    } else if (o.contains("id")) {
      Reply r;
      r.pid = static_cast<pid_t>(int_of(o, "pid", -1));
      r.plain = text_of(o, "plain");
      r.error = text_of(o, "error");
      if (!p.fds.empty()) r.pidfd = std::move(p.fds.front());
      if (r.pid > 0 && !r.pidfd.valid()) r.error = "no pidfd came with the instance";
      replies[static_cast<uint64_t>(int_of(o, "id", -1))] = std::move(r);
    }
    cv.notify_all();
  }

  void read_loop() {
    for (;;) {
      Packet p = receive(socket.get());
      if (!p.ok) break;
      on_message(p);
    }
    int status = reap(pid);
    {
      std::lock_guard lock(mu);
      dead = true;
    }
    cv.notify_all();
    spdlog::info("python zygote {} ended ({})", pid, describe_exit(status));
  }

  void kill() {
    if (pid > 0) ::kill(pid, SIGKILL);
  }
};

Zygote::Zygote(std::shared_ptr<State> state) : state_(std::move(state)) {}

Zygote::~Zygote() {
  state_->kill();
  ::shutdown(state_->socket.get(), SHUT_RDWR);
  if (state_->reader.joinable()) state_->reader.join();
}

base::Result<std::shared_ptr<Zygote>> Zygote::start(ProcessSpec spec) {
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0)
    return base::make_error(base::ErrorCode::kIo, base::errno_message("socketpair"));
  base::Fd ours(pair[0]), theirs(pair[1]);
  spec.control_fd = theirs.get();
  spec.share_output = true;
  auto proc = spawn(spec);
  if (!proc) return proc.error();
  auto state = std::make_shared<State>();
  state->socket = std::move(ours);
  state->pid = proc->pid;
  state->reader = std::thread([s = state.get()] { s->read_loop(); });
  return std::shared_ptr<Zygote>(new Zygote(std::move(state)));
}

base::Result<Process> Zygote::fork(const ProcessSpec& spec, std::chrono::milliseconds timeout) {
  auto& s = *state_;
  uint64_t id;
  {
    std::lock_guard lock(s.mu);
    if (s.dead) return base::make_error(base::ErrorCode::kIo, "the zygote has exited");
    if (!s.ready) return base::make_error(base::ErrorCode::kUnavailable, "the zygote is still importing");
    id = ++s.next_id;
  }
  json::object env;
  for (const auto& e : spec.env) {
    auto eq = e.find('=');
    if (eq != std::string::npos) env[e.substr(0, eq)] = e.substr(eq + 1);
  }
  json::object request{{"id", id}, {"env", std::move(env)}, {"cwd", spec.cwd}, {"memory", spec.memory_limit_bytes}};
  int pipefd[2];
  if (::pipe2(pipefd, O_CLOEXEC) != 0) return base::make_error(base::ErrorCode::kIo, base::errno_message("pipe"));
  base::Fd read_end(pipefd[0]), write_end(pipefd[1]);
  // SOCK_SEQPACKET: each request is one packet, so concurrent senders cannot interleave.
  if (!send_with_fd(s.socket.get(), json::serialize(request), write_end.get())) {
    s.kill();
    return base::make_error(base::ErrorCode::kIo, base::errno_message("sending to the zygote"));
  }
  write_end.reset();

  std::unique_lock lock(s.mu);
  if (!s.cv.wait_for(lock, timeout, [&] { return s.dead || s.replies.count(id); })) {
    lock.unlock();
    s.kill();
    return base::make_error(base::ErrorCode::kIo, "the zygote did not answer");
  }
  if (!s.replies.count(id)) return base::make_error(base::ErrorCode::kIo, "the zygote has exited");
  Reply reply = std::move(s.replies[id]);
  s.replies.erase(id);
  lock.unlock();
  if (!reply.plain.empty()) return base::make_error(base::ErrorCode::kUnavailable, reply.plain);
  if (!reply.error.empty() || reply.pid <= 0)
    return base::make_error(base::ErrorCode::kUnavailable, "the zygote could not fork: " + reply.error);
  ::fcntl(read_end.get(), F_SETFL, ::fcntl(read_end.get(), F_GETFL) | O_NONBLOCK);
  Process p;
  p.pid = reply.pid;
  p.output = std::move(read_end);
  p.pidfd = std::move(reply.pidfd);
  p.parent = shared_from_this();
  return p;
}

ExitReport Zygote::wait_exit(pid_t pid) {
  auto& s = *state_;
  std::unique_lock lock(s.mu);
  // The zygote reaps an instance as soon as its pidfd turns readable; the
  // report follows within a moment, unless the zygote itself is gone.
  s.cv.wait_for(lock, std::chrono::seconds(2), [&] { return s.dead || s.exits.count(pid); });
  auto it = s.exits.find(pid);
  if (it == s.exits.end()) return {};
  ExitReport r = it->second;
  s.exits.erase(it);
  return r;
}

bool Zygote::ready() const {
  std::lock_guard lock(state_->mu);
  return state_->ready && !state_->dead;
}

bool Zygote::alive() const {
  std::lock_guard lock(state_->mu);
  return !state_->dead;
}

pid_t Zygote::pid() const { return state_->pid; }

}  // namespace nimbus::functions
