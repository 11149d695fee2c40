// What `imagepin apps` and `imagepin explain` start from: the config, an --env that names a
// configured environment, and the repository's applications (discovery's notes printed).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "apps/application.h"
#include "policy/config.h"

namespace imagepin::cli {

struct ApplicationsSession {
  policy::Config config;
  std::vector<apps::Application> applications;
};

// Loads the config below `root`, checks `env` (empty: every environment) and finds the
// applications. Returns the exit code to stop with (a bad config, an unknown environment), or
// nullopt and fills `out`.
std::optional<int> OpenApplications(const std::string& root, const std::string& env,
                                    ApplicationsSession* out);

// An application as `apps` and `explain` print it in JSON: name, environment, chart, origin,
// declaredIn and layers (path, role, exists), in that order.
nlohmann::ordered_json ApplicationJson(const apps::Application& app);

}  // namespace imagepin::cli
