#include "functions/zygote.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "base/file.h"
#include "functions/runtimes.h"

namespace nimbus::functions {
namespace {

namespace fs = std::filesystem;

// A real zygote on Debian's interpreter, running the embedded runtime.
class ZygoteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::access("/usr/bin/python3", X_OK) != 0) GTEST_SKIP() << "no /usr/bin/python3";
    dir_ = fs::temp_directory_path() / ("nimbus-zygote-" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "code");
    options_.dir = (dir_ / "runtimes").string();
    options_.python_preload = "csv,no_such_module_here";
    ASSERT_TRUE(install_runtimes(options_));
    // The runtime is byte-compiled once, so instances do not compile it at each start.
    EXPECT_TRUE(fs::exists(fs::path(options_.dir) / "python" / "__pycache__"));
    FunctionConfig cfg;
    cfg.runtime = "python3.11";
    cfg.code_dir = (dir_ / "code").string();
    auto launch = launch_for(cfg, options_);
    ASSERT_TRUE(launch);
    ASSERT_TRUE(launch->zygote);
    auto z = Zygote::start(*launch->zygote);
    ASSERT_TRUE(z) << z.error().message;
    zygote_ = *z;
    for (int i = 0; i < 200 && !zygote_->ready(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ASSERT_TRUE(zygote_->ready());
  }
  void TearDown() override {
    zygote_.reset();
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  // An instance whose handler module prints what it sees, then exits with 7
  // during import (there is no Runtime API to talk to here).
  ProcessSpec instance(const std::string& code_subdir = "code") {
    EXPECT_TRUE(base::write_file_durably((dir_ / code_subdir / "app.py").string(),
                             "import os, sys\n"
                             "print('seen', os.getcwd(), os.environ['MARK'], os.getpgid(0) == os.getpid(), flush=True)\n"
                             "os._exit(7)\n"));
    ProcessSpec spec;
    spec.cwd = (dir_ / code_subdir).string();
    spec.env = {"MARK=marked", "_HANDLER=app.handler", "LAMBDA_TASK_ROOT=" + spec.cwd,
                "AWS_LAMBDA_RUNTIME_API=127.0.0.1:9", "PYTHONDONTWRITEBYTECODE=1"};
    spec.memory_limit_bytes = 256ull << 20;
    return spec;
  }

  static std::string read_all(int fd) {
    std::string out;
    char buf[4096];
    for (;;) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 5000) <= 0) break;
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }

  fs::path dir_;
  RuntimeOptions options_;
  std::shared_ptr<Zygote> zygote_;
};

TEST_F(ZygoteTest, ForksAnInstanceWithItsOwnEnvironmentDirectoryAndSession) {
  auto proc = zygote_->fork(instance());
  ASSERT_TRUE(proc) << proc.error().message;
  EXPECT_GT(proc->pid, 0);
  EXPECT_NE(proc->pid, zygote_->pid());
  std::string out = read_all(proc->output.get());
  EXPECT_NE(out.find("forked from the zygote"), std::string::npos) << out;
  EXPECT_NE(out.find("seen " + (dir_ / "code").string() + " marked True"), std::string::npos) << out;

  pollfd p{proc->pidfd.get(), POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 5000), 1);
  ExitReport exit = collect_exit(*proc);
  ASSERT_TRUE(WIFEXITED(exit.wait_status));
  EXPECT_EQ(WEXITSTATUS(exit.wait_status), 7);
  EXPECT_GT(exit.peak_memory_mb, 0u);
}

TEST_F(ZygoteTest, SaysWhenAnInstanceMustStartPlainly) {
  auto spec = instance();
  spec.env.push_back("PYTHONPATH=/somewhere");
  auto declined = zygote_->fork(spec);
  ASSERT_FALSE(declined);
  EXPECT_EQ(declined.error().code, base::ErrorCode::kUnavailable);
  EXPECT_NE(declined.error().message.find("PYTHONPATH"), std::string::npos);

  fs::create_directories(dir_ / "native" / "lib");
  declined = zygote_->fork(instance("native"));
  ASSERT_FALSE(declined);
  EXPECT_NE(declined.error().message.find("lib/"), std::string::npos);

  // Shipping a module the zygote has imported (csv, preloaded here).
  fs::create_directories(dir_ / "own");
  ASSERT_TRUE(base::write_file_durably((dir_ / "own" / "csv.py").string(), ""));
  declined = zygote_->fork(instance("own"));
  ASSERT_FALSE(declined);
  EXPECT_NE(declined.error().message.find("its own csv"), std::string::npos) << declined.error().message;

  EXPECT_TRUE(zygote_->fork(instance()));  // and it still forks the next one
}

TEST_F(ZygoteTest, AZygoteThatDiesTakesItsInstancesAndSaysSo) {
  auto spec = instance();
  // One that would outlive the zygote: instance()'s exits at once, and a slow
  // test process (a sanitized build) saw that exit reported before its kill.
  ASSERT_TRUE(base::write_file_durably((dir_ / "code" / "app.py").string(), "import time\ntime.sleep(60)\n"));
  auto proc = zygote_->fork(spec);
  ASSERT_TRUE(proc);
  ::kill(zygote_->pid(), SIGKILL);
  for (int i = 0; i < 200 && zygote_->alive(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_FALSE(zygote_->alive());
  auto after = zygote_->fork(instance());
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().code, base::ErrorCode::kIo);
  pollfd p{proc->pidfd.get(), POLLIN, 0};
  EXPECT_EQ(::poll(&p, 1, 5000), 1);  // the instance is gone too
  EXPECT_EQ(collect_exit(*proc).wait_status, -1);  // nobody left to say how it ended
}

}  // namespace
}  // namespace nimbus::functions
