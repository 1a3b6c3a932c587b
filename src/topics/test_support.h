// Shared by the topics tests: a temp directory.
#pragma once

#include "queue/test_dir.h"

namespace nimbus::topics {
using TestDir = queue::TestDir;
}
