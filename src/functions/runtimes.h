// Language runtimes: the runtime names CreateFunction accepts and how an
// instance of each is started. `provided*` runs the package's own
// `bootstrap`; `python3.x` runs nimbus's Python bootstrap (runtimes/python,
// embedded in the binary and written under the data directory at start) on
// a configurable interpreter, Debian's /usr/bin/python3 by default, forked
// from a zygote with common modules preloaded unless that is turned off.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "functions/process.h"
#include "functions/types.h"

namespace nimbus::functions {

struct RuntimeOptions {
  std::string python = "/usr/bin/python3";  // runs every python3.x runtime
  std::string dir;                          // where embedded bootstraps are written
  bool python_zygote = true;                // fork Python instances from a pre-started interpreter
  std::string python_preload = "boto3,PIL.Image";  // modules the zygote imports up front
};

const std::vector<std::string>& supported_runtimes();
bool is_supported_runtime(std::string_view name);

struct Launch {
  std::string program;
  std::vector<std::string> args;
  std::map<std::string, std::string> env;  // added to the instance's environment
  // When set, instances may be forked from a zygote started with this spec
  // (one per distinct program: the interpreter).
  std::optional<ProcessSpec> zygote;
};

// What to execute for an instance of `cfg`. The error's message says why it
// cannot start (Lambda reports it as Runtime.InvalidEntrypoint).
base::Result<Launch> launch_for(const FunctionConfig& cfg, const RuntimeOptions& options);

// The reason (base::Error::reason) of check_architecture's refusal: Lambda's error name for it.
inline constexpr const char* kInvalidRuntimeReason = "InvalidRuntimeException";

// The architecture of nimbus's own processes ("x86_64" or "arm64"): functions run as its children.
std::string_view host_architecture();
// Every invocation path asks this before running cfg (sync and async
// invokes, bucket notifications): a function built for another architecture
// is refused, never run as something else. kUnavailable, reason
// kInvalidRuntimeReason (Lambda's 502 InvalidRuntimeException).
base::Status check_architecture(const FunctionConfig& cfg);

// Writes the embedded bootstraps under options.dir (unchanged files are left alone).
base::Status install_runtimes(const RuntimeOptions& options);

}  // namespace nimbus::functions
