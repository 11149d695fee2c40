// How `imagepin set` and `imagepin rollback` report what they wrote (decide::SetDecision): one
// text line per field, the JSON, and the PR body. Shared, since rollback writes as set does.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "decide/set.h"
#include "policy/config.h"
#include "ref/reference.h"

namespace imagepin::cli {

// ".imagepin.yaml": where holds come from, as messages name it.
std::string ConfigDisplayPath(const policy::Config& config);

// One line per field: "path:line:col: dev api: sha256:… → sha256:…", or held.
void PrintSetLines(const decide::SetDecision& d, const policy::Config& config);

// The JSON of each outcome, for --format json.
nlohmann::ordered_json SetChangesJson(const decide::SetDecision& d);

// The PR body: what moved (service, environment, repository, old → new), what a hold kept,
// and that the digest was checked in the registry. `title` is the heading's text.
std::string SetMarkdown(const decide::SetDecision& d, const ref::Reference& reference,
                        const policy::Config& config, const std::string& title);

}  // namespace imagepin::cli
