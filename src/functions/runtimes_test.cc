#include "functions/runtimes.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "base/file.h"

namespace nimbus::functions {
namespace {

TEST(Runtimes, Names) {
  EXPECT_TRUE(is_supported_runtime("provided.al2023"));
  EXPECT_TRUE(is_supported_runtime("python3.9"));
  EXPECT_TRUE(is_supported_runtime("python3.14"));
  EXPECT_FALSE(is_supported_runtime("python2.7"));
  EXPECT_FALSE(is_supported_runtime("nodejs20.x"));
}

TEST(Runtimes, PythonRunsTheEmbeddedBootstrapOnTheConfiguredInterpreter) {
  auto dir = std::filesystem::temp_directory_path() / ("nimbus-runtimes-" + std::to_string(::getpid()));
  RuntimeOptions options{"/no/such/python", dir.string()};
  ASSERT_TRUE(install_runtimes(options));
  auto bootstrap = base::read_file(dir.string() + "/python/bootstrap.py");
  ASSERT_TRUE(bootstrap);
  EXPECT_NE(bootstrap->find("import _nimbus_runtime"), std::string::npos);
  auto runtime = base::read_file(dir.string() + "/python/_nimbus_runtime.py");
  ASSERT_TRUE(runtime);
  EXPECT_NE(runtime->find("Runtime API"), std::string::npos);
  EXPECT_TRUE(install_runtimes(options));  // again: unchanged
  options.python = "/bin/sh";

  FunctionConfig cfg;
  cfg.runtime = "python3.12";
  cfg.code_dir = dir.string();
  auto launch = launch_for(cfg, options);
  ASSERT_TRUE(launch);
  EXPECT_EQ(launch->program, "/bin/sh");
  ASSERT_EQ(launch->args.size(), 2u);
  EXPECT_EQ(launch->args[0], "-s");
  EXPECT_EQ(launch->args[1], dir.string() + "/python/bootstrap.py");
  ASSERT_TRUE(launch->zygote);
  EXPECT_EQ(launch->zygote->program, "/bin/sh");
  EXPECT_EQ(launch->zygote->args.back(), "--zygote");
  options.python_zygote = false;
  EXPECT_FALSE(launch_for(cfg, options)->zygote);
  EXPECT_EQ(launch->env["AWS_EXECUTION_ENV"], "AWS_Lambda_python3.12");

  options.python = "/no/such/python";
  EXPECT_FALSE(launch_for(cfg, options));
  cfg.runtime = "provided.al2023";
  auto missing = launch_for(cfg, options);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("Couldn't find valid bootstrap"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace nimbus::functions
