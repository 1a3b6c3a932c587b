#include "functions/runtimes.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include <algorithm>
#include <filesystem>

#include "base/file.h"

namespace nimbus::embedded {
extern const char kPythonBootstrap[];
extern const char kPythonZygote[];
extern const char kPythonRuntime[];
}

namespace nimbus::functions {

namespace {

bool is_python(std::string_view runtime) { return runtime.rfind("python3.", 0) == 0; }

std::string python_bootstrap_path(const RuntimeOptions& options) { return options.dir + "/python/bootstrap.py"; }

}  // namespace

const std::vector<std::string>& supported_runtimes() {
  static const std::vector<std::string> names{"provided",   "provided.al2", "provided.al2023", "python3.9",
                                              "python3.10", "python3.11",   "python3.12",      "python3.13",
                                              "python3.14"};
  return names;
}

bool is_supported_runtime(std::string_view name) {
  const auto& names = supported_runtimes();
  return std::find(names.begin(), names.end(), name) != names.end();
}

base::Result<Launch> launch_for(const FunctionConfig& cfg, const RuntimeOptions& options) {
  Launch launch;
  if (is_python(cfg.runtime)) {
    if (::access(options.python.c_str(), X_OK) != 0)
      return base::make_error(base::ErrorCode::kInvalidArgument,
                              "the Python interpreter " + options.python + " cannot be run (nimbus serve --python)");
    launch.program = options.python;
    // -s: the user's own site-packages (~/.local) are nimbus's, not the function's.
    launch.args = {"-s", python_bootstrap_path(options)};
    // As Lambda sets it; the bootstrap logs it beside the interpreter really used.
    launch.env.insert_or_assign("AWS_EXECUTION_ENV", "AWS_Lambda_" + cfg.runtime);
    // The code directory is nimbus's, not the function's.
    launch.env.insert_or_assign("PYTHONDONTWRITEBYTECODE", std::string("1"));
    if (options.python_zygote) {
      // The zygote's environment is what every instance's interpreter would
      // have read at start; the rest is set per instance after the fork.
      ProcessSpec z;
      z.program = options.python;
      z.args = {"-s", python_bootstrap_path(options), "--zygote"};
      z.cwd = options.dir + "/python";
      z.env = {"PATH=/usr/local/bin:/usr/bin:/bin", "LANG=en_US.UTF-8", "TZ=:UTC", "PYTHONDONTWRITEBYTECODE=1",
               "NIMBUS_PYTHON_PRELOAD=" + options.python_preload};
      launch.zygote = std::move(z);
    }
    return launch;
  }
  launch.program = cfg.code_dir + "/bootstrap";
  std::error_code ec;  // a package's bootstrap may be a symlink loop: never a throw
  if (!std::filesystem::is_regular_file(launch.program, ec))
    return base::make_error(base::ErrorCode::kInvalidArgument,
                            "Couldn't find valid bootstrap(s): [" + launch.program + "]");
  // Lambda's words for a bootstrap without its executable bit (a zip made without it).
  if (::access(launch.program.c_str(), X_OK) != 0)
    return base::make_error(base::ErrorCode::kInvalidArgument, "fork/exec " + launch.program + ": permission denied");
  return launch;
}

base::Status install_runtimes(const RuntimeOptions& options) {
  const std::string dir = options.dir + "/python";
  const std::pair<std::string, std::string_view> files[] = {
      {python_bootstrap_path(options), embedded::kPythonBootstrap},
      {dir + "/_nimbus_zygote.py", embedded::kPythonZygote},
      {dir + "/_nimbus_runtime.py", embedded::kPythonRuntime},
  };
  std::error_code ec;
  bool changed = !std::filesystem::exists(dir + "/__pycache__", ec);
  for (const auto& [path, wanted] : files) {
    if (auto current = base::read_file(path); current && *current == wanted) continue;
    if (auto s = base::make_dirs(dir); !s) return s;
    if (auto s = base::write_file_durably(path, wanted); !s) return s;
    changed = true;
  }
  // Instances run with PYTHONDONTWRITEBYTECODE (the code directory is not
  // theirs to write), so the runtime is byte-compiled once here; without it
  // every plain start compiles it again. A failure only costs that time.
  if (changed && ::access(options.python.c_str(), X_OK) == 0) {
    std::string runtime = dir + "/_nimbus_runtime.py", zygote = dir + "/_nimbus_zygote.py";
    char* argv[] = {const_cast<char*>(options.python.c_str()), const_cast<char*>("-m"),
                    const_cast<char*>("py_compile"), runtime.data(), zygote.data(), nullptr};
    pid_t pid = -1;
    if (::posix_spawn(&pid, options.python.c_str(), nullptr, nullptr, argv, environ) == 0) {
      int status = 0;
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
    }
  }
  return {};
}

std::string_view host_architecture() {
#if defined(__aarch64__)
  return "arm64";
#else
  return "x86_64";
#endif
}

base::Status check_architecture(const FunctionConfig& cfg) {
  if (cfg.architectures.empty() || cfg.architectures[0] == host_architecture()) return {};
  const std::string& wanted = cfg.architectures[0];
  std::string host(host_architecture());
  return base::make_error(base::ErrorCode::kUnavailable,
                          "The function " + cfg.name + " is built for " + wanted + ", and this nimbus runs on " + host +
                              ": it cannot run it. Create it with --architectures " + host + ", or run nimbus on an " +
                              wanted + " host.",
                          kInvalidRuntimeReason);
}

}  // namespace nimbus::functions
