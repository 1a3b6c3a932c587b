// The invoker with fakes: no real process and no Runtime API listener. The
// fake spawner's instances talk the RuntimeChannel in-process (fake_spawner.h);
// the registry is a real one in a temporary directory.
#include "functions/invoker.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <boost/asio/executor_work_guard.hpp>
#include <filesystem>
#include <future>
#include <thread>

#include "base/clock.h"
#include "base/time.h"
#include "functions/fake_spawner.h"
#include "functions/test_zip.h"

namespace nimbus::functions {
namespace {

namespace fs = std::filesystem;
using testing::FakeEndpoints;
using testing::FakeSpawner;
using testing::Script;
using testing::Step;

struct Record {
  std::string function, request_id, error;
  InvocationRecord::Outcome outcome;
  std::optional<double> init_ms;
};

class InvokerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("nimbus-invoker-" + base::random_hex(6));
    auto r = Registry::open(dir_.string());
    ASSERT_TRUE(r) << r.error().message;
    registry_ = std::move(*r);
    spawner_ = std::make_shared<FakeSpawner>(endpoints_);
    runner_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    if (invoker_) {
      invoker_->shutdown();
      EXPECT_TRUE(eventually([&] { return invoker_->instance_count() == 0; }));
    }
    invoker_.reset();
    work_.reset();
    io_.stop();
    runner_.join();
    registry_.reset();
    fs::remove_all(dir_);
  }

  void make_invoker(std::function<void(InvokerOptions&)> tweak = {}) {
    InvokerOptions o;
    o.spawner = spawner_;
    o.clock = &clock_;
    o.max_concurrency = 8;
    o.on_invocation = [this](const InvocationRecord& r) {
      std::lock_guard lock(mu_);
      records_.push_back({std::string(r.function), std::string(r.request_id), std::string(r.error), r.outcome, r.init_ms});
    };
    o.log_sink = [this](const LogLine& l) {
      std::lock_guard lock(mu_);
      lines_.push_back(std::string(l.request_id) + "|" + std::string(l.text));
    };
    if (tweak) tweak(o);
    invoker_ = std::make_unique<Invoker>(io_, *registry_, endpoints_, std::move(o));
  }

  FunctionConfig create(const std::string& name, int timeout_s = 3) {
    static const std::string zip = testing::make_zip([](const fs::path& d) {
      ASSERT_TRUE(base::write_file_durably((d / "bootstrap").string(), "#!/bin/sh\n").ok());
      fs::permissions(d / "bootstrap", fs::perms(0755));
    });
    FunctionConfig c;
    c.name = name;
    c.runtime = "provided.al2023";
    c.handler = "x";
    c.timeout_s = timeout_s;
    c.environment = {{"MINE", "1"}, {"AWS_REGION", "overridden"}};
    auto created = registry_->create(c, zip);
    EXPECT_TRUE(created) << created.error().message;
    return created ? *created : c;
  }

  std::future<base::Result<InvokeResult>> invoke_async(const std::string& function, const std::string& payload,
                                                      const std::string& qualifier = "") {
    auto promise = std::make_shared<std::promise<base::Result<InvokeResult>>>();
    auto f = promise->get_future();
    InvokeRequest req;
    req.function = function;
    req.qualifier = qualifier;
    req.payload = payload;
    invoker_->invoke(std::move(req), [promise](base::Result<InvokeResult> r) { promise->set_value(std::move(r)); });
    return f;
  }
  base::Result<InvokeResult> invoke(const std::string& function, const std::string& payload = "{}",
                                    const std::string& qualifier = "") {
    auto f = invoke_async(function, payload, qualifier);
    if (f.wait_for(std::chrono::seconds(10)) != std::future_status::ready)
      return base::make_error(base::ErrorCode::kInternal, "the invocation never finished");
    return f.get();
  }
  // Waits (up to 3 s) for cond, checked on the test's thread.
  bool eventually(const std::function<bool()>& cond) {
    for (int i = 0; i < 300; ++i) {
      if (cond()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return cond();
  }
  std::vector<Record> records() {
    std::lock_guard lock(mu_);
    return records_;
  }
  std::vector<std::string> lines() {
    std::lock_guard lock(mu_);
    return lines_;
  }

  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_{io_.get_executor()};
  std::thread runner_;
  fs::path dir_;
  std::unique_ptr<Registry> registry_;
  FakeEndpoints endpoints_;
  std::shared_ptr<FakeSpawner> spawner_;
  base::FakeClock clock_;
  std::unique_ptr<Invoker> invoker_;
  std::mutex mu_;
  std::vector<Record> records_;
  std::vector<std::string> lines_;
};

TEST_F(InvokerTest, ColdStartThenWarmReuse) {
  make_invoker();
  create("echo");
  spawner_->script("echo", Script{"", "init line\n", [](const Invocation& inv) {
                                    return Step::respond("got " + inv.payload, "handling " + inv.request_id + "\n");
                                  }});
  auto first = invoke("echo", "1");
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_FALSE(first->function_error);
  EXPECT_EQ(first->payload, "got 1");
  EXPECT_EQ(first->executed_version, "$LATEST");
  auto second = invoke("echo", "2");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->payload, "got 2");
  EXPECT_EQ(spawner_->started("echo"), 1) << "the warm instance is reused";
  EXPECT_EQ(invoker_->instance_count(), 1);

  // The log tail: START, the function's line, END, REPORT; Init Duration on the cold start only.
  EXPECT_NE(first->log_tail.find("START RequestId: "), std::string::npos) << first->log_tail;
  EXPECT_NE(first->log_tail.find("handling "), std::string::npos);
  EXPECT_NE(first->log_tail.find("END RequestId: "), std::string::npos);
  EXPECT_NE(first->log_tail.find("Max Memory Used: 42 MB\tInit Duration: "), std::string::npos) << first->log_tail;
  EXPECT_EQ(second->log_tail.find("Init Duration"), std::string::npos) << second->log_tail;
  EXPECT_LT(first->log_tail.find("START"), first->log_tail.find("handling"));
  // What the cold start printed during init comes before START, as in Lambda's logs.
  EXPECT_LT(first->log_tail.find("init line"), first->log_tail.find("START"));

  auto rs = records();
  ASSERT_EQ(rs.size(), 2u);
  EXPECT_EQ(rs[0].outcome, InvocationRecord::Outcome::kSuccess);
  EXPECT_TRUE(rs[0].init_ms);
  EXPECT_FALSE(rs[1].init_ms);
  // The log store got every line, in order.
  auto ls = lines();
  ASSERT_GE(ls.size(), 8u);
  EXPECT_TRUE(ls[0].ends_with("|init line"));
  EXPECT_NE(ls[1].find("|START RequestId: "), std::string::npos);
  EXPECT_NE(ls[2].find("|handling "), std::string::npos);
  EXPECT_NE(ls[3].find("|END RequestId: "), std::string::npos);
  EXPECT_NE(ls[4].find("|REPORT RequestId: "), std::string::npos);
  EXPECT_EQ(ls[4].substr(0, ls[4].find('|')), rs[0].request_id);
}

TEST_F(InvokerTest, InstancesGetTheLambdaEnvironment) {
  make_invoker([](InvokerOptions& o) {
    o.region = "eu-west-3";
    o.endpoint_url = "http://127.0.0.1:4566";
  });
  auto cfg = create("env");
  ASSERT_TRUE(invoke("env"));
  auto env = spawner_->env_of_last_start();
  auto has = [&](const std::string& kv) { return std::find(env.begin(), env.end(), kv) != env.end(); };
  EXPECT_TRUE(has("AWS_LAMBDA_FUNCTION_NAME=env"));
  EXPECT_TRUE(has("AWS_LAMBDA_FUNCTION_VERSION=$LATEST"));
  EXPECT_TRUE(has("AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128"));
  EXPECT_TRUE(has("AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/env"));
  EXPECT_TRUE(has("AWS_LAMBDA_RUNTIME_API=fake:1"));
  EXPECT_TRUE(has("AWS_REGION=eu-west-3")) << "the platform's variables win over the function's";
  EXPECT_TRUE(has("AWS_ENDPOINT_URL=http://127.0.0.1:4566"));
  EXPECT_TRUE(has("LAMBDA_TASK_ROOT=" + cfg.code_dir));
  EXPECT_TRUE(has("MINE=1"));
  EXPECT_TRUE(has("TZ=:UTC"));
}

TEST_F(InvokerTest, TimeoutFailsTheInvocationAndReplacesTheInstance) {
  make_invoker();
  create("slow", 1);
  spawner_->script("slow", Script{"", "", [](const Invocation&) { return Step::hang(); }});
  auto r = invoke("slow");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->function_error);
  // The message's time comes from the invoker's clock.
  std::string expected = base::iso8601(clock_.now_ms()) + " ";
  EXPECT_NE(r->payload.find("Task timed out after 1.00 seconds"), std::string::npos) << r->payload;
  EXPECT_NE(r->payload.find(expected), std::string::npos) << r->payload;
  EXPECT_NE(r->log_tail.find("Task timed out after 1.00 seconds"), std::string::npos);
  EXPECT_EQ(records().back().outcome, InvocationRecord::Outcome::kTimeout);
  EXPECT_TRUE(eventually([&] { return invoker_->instance_count() == 0; })) << "the timed-out instance is killed";
  EXPECT_EQ(spawner_->killed(), 1);

  spawner_->script("slow", Script{});
  auto again = invoke("slow", "\"fresh\"");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->payload, "\"fresh\"");
  EXPECT_EQ(spawner_->started("slow"), 2);
}

TEST_F(InvokerTest, CrashIsRuntimeExitError) {
  make_invoker();
  create("crash");
  spawner_->script("crash", Script{"", "", [](const Invocation&) { return Step::exit(7); }});
  auto r = invoke("crash");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->function_error);
  EXPECT_NE(r->payload.find("\"errorType\":\"Runtime.ExitError\""), std::string::npos) << r->payload;
  EXPECT_NE(r->payload.find("Runtime exited with error: exit status 7"), std::string::npos) << r->payload;
  EXPECT_EQ(records().back().outcome, InvocationRecord::Outcome::kError);
  EXPECT_TRUE(eventually([&] { return invoker_->instance_count() == 0; }));

  spawner_->script("crash", Script{"", "", [](const Invocation&) { return Step::signal(SIGABRT); }});
  r = invoke("crash");
  ASSERT_TRUE(r);
  EXPECT_NE(r->payload.find("Runtime exited with error: signal: aborted"), std::string::npos) << r->payload;
  EXPECT_EQ(spawner_->started("crash"), 2) << "each crash costs the instance";
}

TEST_F(InvokerTest, FunctionErrorKeepsTheInstance) {
  make_invoker();
  create("err");
  spawner_->script("err", Script{"", "", [](const Invocation&) {
                                   return Step::fail("Oops", R"({"errorType":"Oops","errorMessage":"no"})");
                                 }});
  auto r = invoke("err");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->function_error);
  EXPECT_EQ(r->payload, R"({"errorType":"Oops","errorMessage":"no"})");
  ASSERT_TRUE(invoke("err"));
  EXPECT_EQ(spawner_->started("err"), 1);
  EXPECT_EQ(records().back().error, R"({"errorType":"Oops","errorMessage":"no"})");
}

TEST_F(InvokerTest, InitErrorFailsTheInvocationWithTheRuntimesError) {
  make_invoker();
  create("badinit");
  spawner_->script("badinit", Script{"Runtime.ImportModuleError", "", {}});
  auto r = invoke("badinit");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->function_error);
  EXPECT_NE(r->payload.find("Runtime.ImportModuleError"), std::string::npos) << r->payload;
  EXPECT_TRUE(eventually([&] { return invoker_->instance_count() == 0; }));
}

TEST_F(InvokerTest, ThrottledBeyondReservedConcurrency) {
  make_invoker();
  create("one");
  ASSERT_TRUE(registry_->set_reserved_concurrency("one", 1));
  spawner_->script("one", Script{"", "", [](const Invocation&) { return Step::hold("\"held\""); }});
  auto busy = invoke_async("one", "{}");
  ASSERT_TRUE(eventually([&] { return spawner_->started("one") == 1; }));
  auto r = invoke("one");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, base::ErrorCode::kThrottled);
  EXPECT_EQ(r.error().message, "ReservedFunctionConcurrentInvocationLimitExceeded");
  EXPECT_EQ(records().back().outcome, InvocationRecord::Outcome::kThrottled);
  ASSERT_TRUE(eventually([&] { return spawner_->held() == 1; }));
  spawner_->release();
  ASSERT_EQ(busy.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_EQ(busy.get()->payload, "\"held\"");
  EXPECT_EQ(spawner_->started("one"), 1);

  // Reserved concurrency 0 switches the function off, warm instance or not.
  ASSERT_TRUE(registry_->set_reserved_concurrency("one", 0));
  r = invoke("one");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "ReservedFunctionConcurrentInvocationLimitExceeded");
}

TEST_F(InvokerTest, ThrottledBeyondTheServersInstanceLimit) {
  make_invoker([](InvokerOptions& o) { o.max_concurrency = 1; });
  create("a");
  create("b");
  spawner_->script("a", Script{"", "", [](const Invocation&) { return Step::hold("\"a\""); }});
  auto busy = invoke_async("a", "{}");
  ASSERT_TRUE(eventually([&] { return invoker_->instance_count() == 1; }));
  auto r = invoke("b");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, base::ErrorCode::kThrottled);
  EXPECT_EQ(r.error().message, "ConcurrentInvocationLimitExceeded");
  EXPECT_EQ(spawner_->started("b"), 0);
  ASSERT_TRUE(eventually([&] { return spawner_->held() == 1; }));
  spawner_->release();
  ASSERT_EQ(busy.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_EQ(invoker_->max_concurrency(), 1);
}

// Issue 12: idle warm instances counted against the limits, so a burst of one
// function made every other one answer 429 until the keep-alive ran out.
TEST_F(InvokerTest, IdleInstancesAreReclaimedForAnotherFunction) {
  make_invoker([](InvokerOptions& o) { o.max_concurrency = 2; });
  create("burst");
  create("other");
  spawner_->script("burst", Script{"", "", [](const Invocation&) { return Step::hold("\"b\""); }});
  auto one = invoke_async("burst", "{}");
  auto two = invoke_async("burst", "{}");
  ASSERT_TRUE(eventually([&] { return spawner_->held() == 2; }));
  spawner_->release();
  ASSERT_EQ(one.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  ASSERT_EQ(two.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  ASSERT_EQ(invoker_->instance_count(), 2);  // both idle now, the server's whole limit
  auto r = invoke("other");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->payload, "{}");
  EXPECT_EQ(spawner_->killed(), 1) << "one idle instance made room";
  EXPECT_TRUE(eventually([&] { return invoker_->instance_count() == 2; }));
}

TEST_F(InvokerTest, ReclaimsTheLeastRecentlyUsedIdleInstance) {
  make_invoker([](InvokerOptions& o) { o.max_concurrency = 2; });
  create("a");
  create("b");
  create("c");
  ASSERT_TRUE(invoke("a"));
  ASSERT_TRUE(invoke("b"));
  ASSERT_TRUE(invoke("c"));  // a's instance is the older idle one
  EXPECT_TRUE(eventually([&] { return invoker_->instance_count() == 2; }));
  ASSERT_TRUE(invoke("b"));
  EXPECT_EQ(spawner_->started("b"), 1) << "b's instance was kept warm";
  ASSERT_TRUE(invoke("a"));
  EXPECT_EQ(spawner_->started("a"), 2) << "a's instance was the one reclaimed";
}

TEST_F(InvokerTest, ReservedConcurrencyCountsInvocationsInFlightOnly) {
  make_invoker();
  create("rc");
  ASSERT_TRUE(registry_->publish_version("rc", ""));
  ASSERT_TRUE(registry_->set_reserved_concurrency("rc", 2));
  ASSERT_TRUE(invoke("rc", "{}", "1"));  // an idle instance of version 1
  spawner_->script("rc", Script{"", "", [](const Invocation&) { return Step::hold("\"held\""); }});
  auto busy = invoke_async("rc", "{}", "$LATEST");
  ASSERT_TRUE(eventually([&] { return spawner_->held() == 1; }));
  // One invocation in flight of two: admitted, the idle version 1 instance gives way.
  auto second = invoke_async("rc", "{}", "$LATEST");
  ASSERT_TRUE(eventually([&] { return spawner_->held() == 2; }));
  EXPECT_EQ(spawner_->killed(), 1);
  // Two in flight: the third is throttled.
  auto r = invoke("rc", "{}", "$LATEST");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "ReservedFunctionConcurrentInvocationLimitExceeded");
  spawner_->release();
  ASSERT_EQ(busy.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  ASSERT_EQ(second.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_TRUE(busy.get());
  EXPECT_TRUE(second.get());
}

TEST_F(InvokerTest, ProvisionedInstancesAreNotReclaimed) {
  make_invoker([](InvokerOptions& o) { o.max_concurrency = 1; });
  create("p");
  create("q");
  ASSERT_TRUE(registry_->publish_version("p", ""));
  invoker_->provision("p", "1", 1);
  ASSERT_TRUE(eventually([&] { return invoker_->instance_count() == 1; }));
  auto r = invoke("q");
  ASSERT_FALSE(r) << "the provisioned instance holds the only place";
  EXPECT_EQ(r.error().message, "ConcurrentInvocationLimitExceeded");
  EXPECT_EQ(spawner_->killed(), 0);
}

TEST_F(InvokerTest, KeepAliveStopsIdleInstances) {
  make_invoker([](InvokerOptions& o) { o.keep_alive = std::chrono::milliseconds(50); });
  create("idle");
  ASSERT_TRUE(invoke("idle"));
  EXPECT_TRUE(eventually([&] { return invoker_->instance_count() == 0; })) << "scale to zero";
  EXPECT_EQ(spawner_->killed(), 1);
  ASSERT_TRUE(invoke("idle"));
  EXPECT_EQ(spawner_->started("idle"), 2);
}

TEST_F(InvokerTest, RetireStopsTheInstancesOfAnOldDefinition) {
  make_invoker();
  auto cfg = create("r");
  ASSERT_TRUE(invoke("r"));
  ASSERT_EQ(invoker_->instance_count(), 1);
  cfg.description = "changed";
  ASSERT_TRUE(registry_->update_config(cfg));
  invoker_->retire("r");
  EXPECT_TRUE(eventually([&] { return invoker_->instance_count() == 0; }));
  ASSERT_TRUE(invoke("r"));
  EXPECT_EQ(spawner_->started("r"), 2);
}

TEST_F(InvokerTest, ProvisionedInstancesAreWarmAndReplaced) {
  make_invoker();
  create("p");
  auto v = registry_->publish_version("p", "");
  ASSERT_TRUE(v);
  invoker_->provision("p", "1", 2);
  ASSERT_TRUE(eventually([&] { return invoker_->instance_count() == 2; }));
  auto r = invoke("p", "{}", "1");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->executed_version, "1");
  EXPECT_EQ(r->log_tail.find("Init Duration"), std::string::npos) << "a provisioned instance's init is not a cold start";
  EXPECT_EQ(spawner_->started("p"), 2);
  // One that dies is replaced.
  spawner_->script("p", Script{"", "", [](const Invocation&) { return Step::exit(1); }});
  ASSERT_TRUE(invoke("p", "{}", "1"));
  EXPECT_TRUE(eventually([&] { return spawner_->started("p") == 3 && invoker_->instance_count() == 2; }));
  invoker_->provision("p", "1", 0);
  EXPECT_TRUE(eventually([&] { return invoker_->instance_count() == 0; }));
}

TEST_F(InvokerTest, ABootstrapThatIsNotExecutableIsAnInvalidEntrypoint) {
  make_invoker();
  FunctionConfig c;
  c.name = "noexec";
  c.runtime = "provided.al2023";
  c.handler = "x";
  auto created = registry_->create(c, testing::make_zip([](const fs::path& d) {
    ASSERT_TRUE(base::write_file_durably((d / "bootstrap").string(), "#!/bin/sh\n").ok());
    fs::permissions(d / "bootstrap", fs::perms(0644));
  }));
  ASSERT_TRUE(created) << created.error().message;
  auto r = invoke("noexec");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->function_error);
  EXPECT_NE(r->payload.find(R"("errorType":"Runtime.InvalidEntrypoint")"), std::string::npos) << r->payload;
  EXPECT_NE(r->payload.find("Error: fork/exec " + created->code_dir + "/bootstrap: permission denied"), std::string::npos)
      << r->payload;
  EXPECT_EQ(spawner_->started("noexec"), 0);
  // The function's log says so too, around START and END.
  EXPECT_NE(r->log_tail.find("START RequestId: "), std::string::npos) << r->log_tail;
  EXPECT_NE(r->log_tail.find("bootstrap: permission denied\nRuntime.InvalidEntrypoint\nEND RequestId: "),
            std::string::npos)
      << r->log_tail;
  EXPECT_EQ(records().back().outcome, InvocationRecord::Outcome::kError);
  bool logged = false;
  for (const auto& l : lines()) logged |= l.find("permission denied") != std::string::npos;
  EXPECT_TRUE(logged);
}

TEST_F(InvokerTest, UnknownFunctionIsNotFound) {
  make_invoker();
  auto r = invoke("nope");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, base::ErrorCode::kNotFound);
}

TEST_F(InvokerTest, AFunctionOfAnotherArchitectureIsRefusedAndNeverStarted) {
  make_invoker();
  FunctionConfig c = create("otherarch");
  c.architectures = {host_architecture() == "arm64" ? "x86_64" : "arm64"};
  ASSERT_TRUE(registry_->update_config(c));
  auto r = invoke("otherarch");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, base::ErrorCode::kUnavailable);
  EXPECT_EQ(r.error().reason, kInvalidRuntimeReason);
  EXPECT_NE(r.error().message.find("is built for " + c.architectures[0]), std::string::npos) << r.error().message;
  EXPECT_EQ(invoker_->instance_count(), 0);
}

TEST_F(InvokerTest, LoadCountsInstancesByState) {
  make_invoker();
  create("l");
  spawner_->script("l", Script{"", "", [](const Invocation&) { return Step::hold("\"x\""); }});
  auto busy = invoke_async("l", "{}");
  ASSERT_TRUE(eventually([&] {
    auto load = invoker_->load();
    return load.size() == 1 && load[0].busy == 1;
  }));
  ASSERT_TRUE(eventually([&] { return spawner_->held() == 1; }));
  spawner_->release();
  ASSERT_EQ(busy.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_TRUE(eventually([&] {
    auto load = invoker_->load();
    return load.size() == 1 && load[0].idle == 1 && load[0].busy == 0;
  }));
}

// Response streaming (response_stream.h): what a sink sees, in order.
class RecordingStream : public ResponseStream {
 public:
  void on_head(StreamHead head) override {
    std::lock_guard lock(mu);
    events.push_back(std::string("head:") + (head.streamed ? "streamed:" : "buffered:") + head.content_type);
  }
  void on_chunk(std::string bytes, std::function<void()> ready) override {
    {
      std::lock_guard lock(mu);
      events.push_back("chunk:" + bytes);
    }
    ready();
  }
  std::vector<std::string> seen() {
    std::lock_guard lock(mu);
    return events;
  }
  std::mutex mu;
  std::vector<std::string> events;
};

base::Result<InvokeResult> invoke_streaming(Invoker& invoker, const std::string& function,
                                            std::shared_ptr<ResponseStream> stream) {
  auto promise = std::make_shared<std::promise<base::Result<InvokeResult>>>();
  auto f = promise->get_future();
  InvokeRequest req;
  req.function = function;
  req.payload = "{}";
  req.stream = std::move(stream);
  invoker.invoke(std::move(req), [promise](base::Result<InvokeResult> r) { promise->set_value(std::move(r)); });
  if (f.wait_for(std::chrono::seconds(10)) != std::future_status::ready)
    return base::make_error(base::ErrorCode::kInternal, "the invocation never finished");
  return f.get();
}

TEST_F(InvokerTest, StreamedResponseReachesTheSinkInOrder) {
  make_invoker();
  create("s");
  spawner_->script("s", Script{"", "", [](const Invocation&) { return Step::stream({"one ", "two ", "three"}); }});
  auto sink = std::make_shared<RecordingStream>();
  auto r = invoke_streaming(*invoker_, "s", sink);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->function_error);
  EXPECT_EQ(r->payload, "");
  EXPECT_EQ(sink->seen(), (std::vector<std::string>{"head:streamed:text/plain", "chunk:one ", "chunk:two ", "chunk:three"}));
  // The invocation is logged and recorded as any other.
  EXPECT_NE(r->log_tail.find("REPORT RequestId: "), std::string::npos) << r->log_tail;
  EXPECT_EQ(records().back().outcome, InvocationRecord::Outcome::kSuccess);
  // The instance serves the next invocation.
  auto again = invoke_streaming(*invoker_, "s", std::make_shared<RecordingStream>());
  ASSERT_TRUE(again);
  EXPECT_EQ(spawner_->started("s"), 1);
}

TEST_F(InvokerTest, MidStreamErrorEndsTheStreamWithItsType) {
  make_invoker();
  create("se");
  spawner_->script("se", Script{"", "", [](const Invocation&) {
                                  return Step::stream({"partial"}, "Oops", R"({"errorType":"Oops","errorMessage":"no"})");
                                }});
  auto sink = std::make_shared<RecordingStream>();
  auto r = invoke_streaming(*invoker_, "se", sink);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->function_error);
  EXPECT_EQ(r->error_type, "Oops");
  EXPECT_EQ(r->payload, R"({"errorType":"Oops","errorMessage":"no"})");
  EXPECT_EQ(sink->seen(), (std::vector<std::string>{"head:streamed:text/plain", "chunk:partial"}));
  EXPECT_EQ(records().back().outcome, InvocationRecord::Outcome::kError);
}

TEST_F(InvokerTest, TimeoutAppliesMidStream) {
  make_invoker();
  create("sh", 1);
  spawner_->script("sh", Script{"", "", [](const Invocation&) { return Step::stream_and_hang({"a"}); }});
  auto sink = std::make_shared<RecordingStream>();
  auto r = invoke_streaming(*invoker_, "sh", sink);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->function_error);
  EXPECT_EQ(r->error_type, "Sandbox.Timedout");
  EXPECT_NE(r->payload.find("Task timed out after 1.00 seconds"), std::string::npos) << r->payload;
  EXPECT_EQ(sink->seen(), (std::vector<std::string>{"head:streamed:text/plain", "chunk:a"}));
  EXPECT_EQ(records().back().outcome, InvocationRecord::Outcome::kTimeout);
  EXPECT_TRUE(eventually([&] { return invoker_->instance_count() == 0; })) << "the timed-out instance is killed";
}

TEST_F(InvokerTest, BufferedAnswerToAStreamingCallerIsOneChunk) {
  make_invoker();
  create("b");
  auto sink = std::make_shared<RecordingStream>();
  auto r = invoke_streaming(*invoker_, "b", sink);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->function_error);
  EXPECT_EQ(sink->seen(), (std::vector<std::string>{"head:buffered:application/json", "chunk:{}"}));

  spawner_->script("b", Script{"", "", [](const Invocation&) {
                                 return Step::fail("Oops", R"({"errorType":"Oops","errorMessage":"no"})");
                               }});
  auto failing = std::make_shared<RecordingStream>();
  r = invoke_streaming(*invoker_, "b", failing);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->function_error);
  EXPECT_EQ(r->payload, R"({"errorType":"Oops","errorMessage":"no"})");
  EXPECT_EQ(failing->seen(), (std::vector<std::string>{"head:buffered:application/json"}));
}

TEST_F(InvokerTest, StreamedResponseToABufferedCallerIsCollected) {
  make_invoker();
  create("c");
  spawner_->script("c", Script{"", "", [](const Invocation&) { return Step::stream({"ab", "cd"}); }});
  auto r = invoke("c");
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->function_error);
  EXPECT_EQ(r->payload, "abcd");
}

TEST_F(InvokerTest, UnknownFunctionStreamsNothing) {
  make_invoker();
  auto sink = std::make_shared<RecordingStream>();
  auto r = invoke_streaming(*invoker_, "nope", sink);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, base::ErrorCode::kNotFound);
  EXPECT_TRUE(sink->seen().empty());
}

}  // namespace
}  // namespace nimbus::functions
