// misbehave: a function that fails on purpose, for the tests of timeouts,
// crashes, memory limits and init errors. The event's "action" picks what
// happens: "ok", "error", "sleep" (for "ms"), "crash", "exit", "oom",
// "log" (writes lines to stdout and stderr). MISBEHAVE_INIT=fail|hang|slow
// misbehaves before serving.
#include <nimbus/runtime.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

namespace {

// Reads "key":"value" or "key":number from a flat JSON object (enough for tests).
std::string field(const std::string& json, const std::string& key) {
  auto k = json.find("\"" + key + "\"");
  if (k == std::string::npos) return "";
  auto colon = json.find(':', k);
  auto start = json.find_first_not_of(" \t", colon + 1);
  if (start == std::string::npos) return "";
  if (json[start] == '"') return json.substr(start + 1, json.find('"', start + 1) - start - 1);
  auto end = json.find_first_of(",}", start);
  return json.substr(start, end - start);
}

}  // namespace

int main() {
  if (const char* init = std::getenv("MISBEHAVE_INIT")) {
    std::string mode = init;
    if (mode == "fail") nimbus::runtime::fail_init("InitFailure", "misbehave was told to fail its init");
    if (mode == "hang") std::this_thread::sleep_for(std::chrono::hours(1));
    if (mode == "slow") std::this_thread::sleep_for(std::chrono::milliseconds(300));
    if (mode == "exit") return 3;
  }
  nimbus::runtime::run([](const nimbus::runtime::Invocation& inv) {
    std::string action = field(inv.payload, "action");
    if (action == "error") return nimbus::runtime::Outcome::failure("BadThing", "misbehave failed as asked");
    if (action == "throw") throw std::runtime_error("thrown as asked");
    if (action == "sleep") {
      std::this_thread::sleep_for(std::chrono::milliseconds(std::atoi(field(inv.payload, "ms").c_str())));
    }
    if (action == "crash") std::abort();
    if (action == "exit") std::exit(7);
    if (action == "oom") {
      std::vector<char*> blocks;
      for (;;) {
        char* p = static_cast<char*>(std::malloc(16 << 20));
        if (!p) {
          std::cerr << "malloc failed: out of memory" << std::endl;
          std::abort();
        }
        std::memset(p, 1, 16 << 20);
        blocks.push_back(p);
      }
    }
    if (action == "log") {
      std::cout << "to stdout for " << inv.request_id << std::endl;
      std::cerr << "to stderr" << std::endl;
    }
    return nimbus::runtime::Outcome::success("{\"ok\":true,\"request_id\":\"" + inv.request_id + "\",\"remaining_ms\":" +
                                             std::to_string(inv.remaining_ms()) + "}");
  });
}
