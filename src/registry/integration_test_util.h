// Helpers shared by the client's integration tests (client_*integration_test.cc), which run
// against the real registry harness in tests/registry/: the Client helpers of
// client_test_util.h, and the harness.
#pragma once

#include "registry/client_test_util.h"
#include "tests/registry/test_registry.h"
