#include "functions/process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

namespace nimbus::functions {

base::Result<Process> spawn(const ProcessSpec& spec) {
  int pipefd[2] = {-1, -1};
  if (!spec.share_output && ::pipe2(pipefd, O_CLOEXEC) != 0)
    return base::make_error(base::ErrorCode::kIo, base::errno_message("pipe"));
  base::Fd read_end(pipefd[0]), write_end(pipefd[1]);

  // Everything the child needs is built before fork: after it, only
  // async-signal-safe calls.
  std::vector<char*> argv{const_cast<char*>(spec.program.c_str())};
  for (const auto& a : spec.args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const auto& e : spec.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  // What a failed exec writes to the instance's log, as Lambda words it.
  const std::string exec_failed = "fork/exec " + spec.program + ": ";
  rlimit mem{spec.memory_limit_bytes, spec.memory_limit_bytes};

  pid_t pid = ::fork();
  if (pid < 0) return base::make_error(base::ErrorCode::kIo, base::errno_message("fork"));
  if (pid == 0) {
    ::setsid();
    // An instance never outlives nimbus, even after kill -9.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    if (pipefd[1] >= 0) {
      ::dup2(pipefd[1], 1);
      ::dup2(pipefd[1], 2);
    }
    if (::chdir(spec.cwd.c_str()) != 0) ::_exit(126);
    if (spec.memory_limit_bytes) ::setrlimit(RLIMIT_DATA, &mem);
    // nimbus raised its own descriptor limit; a function gets Lambda's 1,024.
    rlimit files{};
    if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur > 1024) {
      files.rlim_cur = 1024;
      ::setrlimit(RLIMIT_NOFILE, &files);
    }
    unsigned first_closed = 3;
    if (spec.control_fd >= 0) {
      // dup2 clears close-on-exec; dup3 onto itself would fail, hence the two steps.
      int fd = spec.control_fd == 3 ? ::dup(3) : spec.control_fd;
      ::dup2(fd, 3);
      first_closed = 4;
    }
    ::syscall(SYS_close_range, first_closed, ~0u, 0u);
    ::execve(spec.program.c_str(), argv.data(), envp.data());
    const char* why = errno == EACCES    ? "permission denied\n"
                      : errno == ENOENT  ? "no such file or directory\n"
                      : errno == ENOEXEC ? "exec format error\n"
                                         : "cannot execute\n";
    (void)!::write(2, exec_failed.data(), exec_failed.size());
    (void)!::write(2, why, std::strlen(why));
    ::_exit(127);
  }
  write_end.reset();
  if (read_end.valid()) ::fcntl(read_end.get(), F_SETFL, ::fcntl(read_end.get(), F_GETFL) | O_NONBLOCK);
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return base::make_error(base::ErrorCode::kIo, base::errno_message("pidfd_open"));
  }
  return Process{pid, std::move(read_end), base::Fd(pidfd), nullptr};
}

ExitReport collect_exit(const Process& process) {
  if (process.parent) return process.parent->wait_exit(process.pid);
  ExitReport report;
  report.peak_memory_mb = peak_memory_mb(process.pid);  // while it is still a zombie
  report.wait_status = reap(process.pid);
  return report;
}

void kill_group(pid_t pid) {
  if (pid > 0) ::kill(-pid, SIGKILL);
}

int reap(pid_t pid) {
  int status = 0;
  for (;;) {
    pid_t r = ::waitpid(pid, &status, 0);
    if (r == pid) return status;
    if (r < 0 && errno == EINTR) continue;
    return -1;
  }
}

bool killed_by_signal(int status) { return status >= 0 && WIFSIGNALED(status); }

std::string describe_exit(int status) {
  if (status < 0) return "unknown";
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    std::string name = sig == SIGABRT ? "aborted" : sig == SIGKILL ? "killed" : sig == SIGSEGV ? "segmentation fault"
                                                                                               : ::strsignal(sig);
    return "signal: " + name;
  }
  return "unknown";
}

uint64_t peak_memory_mb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6)) / 1024;
  return 0;
}

}  // namespace nimbus::functions
