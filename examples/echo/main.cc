// echo: a C++ function that returns its event unchanged.
#include <nimbus/runtime.h>

int main() {
  nimbus::runtime::run([](const nimbus::runtime::Invocation& inv) {
    return nimbus::runtime::Outcome::success(inv.payload);
  });
}
