#include "functions/log_capture.h"

#include <gtest/gtest.h>

#include <vector>

#include "functions/lambda_environment.h"
#include "functions/report_lines.h"

namespace nimbus::functions {
namespace {

TEST(LineSplitter, CutsLinesAndLongOnesInPieces) {
  LineSplitter s;
  std::vector<std::string> got;
  auto on_line = [&](const std::string& l) { got.push_back(l); };
  s.feed("a\nb", on_line);
  s.feed("c\n\nd", on_line);
  EXPECT_EQ(got, (std::vector<std::string>{"a", "bc", ""}));
  s.finish(on_line);
  EXPECT_EQ(got.back(), "d");
  got.clear();
  std::string chunk(4096, 'x');
  for (size_t fed = 0; fed < LineSplitter::kMaxLineBytes + 4096; fed += chunk.size()) s.feed(chunk, on_line);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].size(), LineSplitter::kMaxLineBytes);
}

TEST(LineSplitter, AMarkedLineIsOneEventOfSeveralLines) {
  LineSplitter s;
  std::vector<std::string> got;
  auto on_line = [&](const std::string& l) { got.push_back(l); };
  s.feed("\x1e[ERROR] E: m\rTraceback (most recent call last):\r  File \"a.py\"", on_line);
  s.feed(", line 2, in h\nplain\rline\n", on_line);
  EXPECT_EQ(got, (std::vector<std::string>{"[ERROR] E: m\nTraceback (most recent call last):\n  File \"a.py\", line 2, in h",
                                           "plain\rline"}))
      << "an unmarked line keeps its \\r";
  // A marked line too long for one event keeps its line breaks in every piece.
  got.clear();
  s.feed("\x1e" + std::string(LineSplitter::kMaxLineBytes, 'a'), on_line);
  s.feed("\rb\n", on_line);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1], "a\nb");
}

TEST(LogTail, KeepsTheLast4KB) {
  LogTail t;
  t.add("first");
  EXPECT_EQ(t.tail(), "first\n");
  for (int i = 0; i < 2000; ++i) t.add("line " + std::to_string(i));
  auto tail = t.tail();
  EXPECT_EQ(tail.size(), LogTail::kTailBytes);
  EXPECT_TRUE(tail.ends_with("line 1999\n"));
}

TEST(EchoBudget, FirstLinesOfEachWindowThenHeldBack) {
  base::FakeClock clock;
  EchoBudget b(clock, true);
  for (uint64_t i = 0; i < EchoBudget::kLinesPerWindow; ++i) ASSERT_EQ(b.admit("f"), EchoBudget::Verdict::kEcho);
  EXPECT_EQ(b.admit("f"), EchoBudget::Verdict::kFirstHeld);
  EXPECT_EQ(b.admit("f"), EchoBudget::Verdict::kHeld);
  EXPECT_EQ(b.admit("g"), EchoBudget::Verdict::kEcho) << "a budget per function";
  EXPECT_EQ(b.window_end_ms("f"), clock.steady_ms() + EchoBudget::kWindowMs);
  clock.advance_ms(EchoBudget::kWindowMs + 1);
  EXPECT_EQ(b.admit("f"), EchoBudget::Verdict::kEcho) << "a new window";
  b.end_window("f");
  EXPECT_EQ(b.admit("f"), EchoBudget::Verdict::kEcho);
}

TEST(ReportLines, WordedAsLambdaWordsThem) {
  EXPECT_EQ(report_line("id", 12.341, 128, 40, std::nullopt),
            "REPORT RequestId: id\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB");
  EXPECT_TRUE(report_line("id", 1, 128, 40, 3.5).ends_with("\tInit Duration: 3.50 ms"));
  EXPECT_EQ(start_line("id", "$LATEST"), "START RequestId: id Version: $LATEST");
  EXPECT_EQ(end_line("id"), "END RequestId: id");
  EXPECT_EQ(timeout_message(0, "id", 3), "1970-01-01T00:00:00.000Z id Task timed out after 3.00 seconds");
  EXPECT_EQ(exit_message("id", 7 << 8), "RequestId: id Error: Runtime exited with error: exit status 7");
}

TEST(LambdaEnvironment, PlatformVariablesOverTheFunctionsAndTheRuntimesLast) {
  FunctionConfig cfg;
  cfg.name = "fn";
  cfg.code_dir = "/code";
  cfg.environment = {{"AWS_REGION", "mine"}, {"KEEP", "1"}, {"PATH", "/mine"}};
  Launch launch;
  launch.env = {{"PYTHONPATH", "/rt"}, {"PATH", "/rt/bin"}};
  InstanceContext ctx{"eu-west-1", "", "stream", "127.0.0.1:9001", "AK", "SK"};
  auto env = lambda_environment(cfg, launch, ctx);
  EXPECT_EQ(env["AWS_REGION"], "eu-west-1");
  EXPECT_EQ(env["KEEP"], "1");
  EXPECT_EQ(env["PATH"], "/rt/bin");
  EXPECT_EQ(env["PYTHONPATH"], "/rt");
  EXPECT_EQ(env["AWS_LAMBDA_RUNTIME_API"], "127.0.0.1:9001");
  EXPECT_EQ(env["AWS_ACCESS_KEY_ID"], "AK");
  EXPECT_EQ(env.count("AWS_ENDPOINT_URL"), 0u) << "not set when nimbus has none to give";
  EXPECT_EQ(env["LD_LIBRARY_PATH"], "/code/lib:/usr/local/lib:/usr/lib");
  auto stream = log_stream_name(cfg, 0);
  EXPECT_EQ(stream.substr(0, 20), "1970/01/01/[$LATEST]");
  EXPECT_EQ(stream.size(), 20u + 32u);
  auto key = new_instance_access_key();
  EXPECT_EQ(key.substr(0, 6), "NIMBUS");
  EXPECT_EQ(key.size(), 20u);
}

}  // namespace
}  // namespace nimbus::functions
