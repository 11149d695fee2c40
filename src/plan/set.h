// Planning `imagepin set ENV REFERENCE` (and `rollback`, which writes the way set does): the
// first-party `image.ref` fields of one repository in one environment, and the edit that writes
// a given digest over each. The fields are found as bump finds its own (ForEachRefTarget), so
// the two commands agree on what a first-party image.ref is. Pure: no network, no writing.
#pragma once

#include <string>
#include <vector>

#include "base/diagnostic.h"
#include "base/result.h"
#include "plan/bump.h"
#include "plan/environments.h"
#include "policy/config.h"
#include "ref/reference.h"
#include "rewrite/edit.h"

namespace imagepin::plan {

struct SetTargets {
  std::vector<RefTarget> targets;  // in lane and file order
  // Fields of the lanes set cannot write (a template, an invalid reference): like bump, set
  // writes nothing while one is there.
  std::vector<base::Diagnostic> problems;
};

// Every first-party image.ref of `lanes` whose repository is `repository` (normalised, as
// ref::Reference::Repository() gives it: "ghcr.io/acme/api"); with `apps`, only those of the
// services named (the values file's stem, as bump and holds name them). Pure.
SetTargets FindSetTargets(const std::vector<EnvironmentImages>& lanes, const policy::Config& config,
                          const std::string& repository, const std::vector<std::string>& apps);

// Every first-party image.ref of service `app` in `lanes`, whatever its repository. Pure.
SetTargets FindAppTargets(const std::vector<EnvironmentImages>& lanes, const policy::Config& config,
                          const std::string& app);

// The value set writes over `target`: the target's repository as written (its host spelling
// kept), `reference`'s tag if it has one, and its digest: "ghcr.io/acme/api:1.4.2@sha256:…".
std::string SetValue(const RefTarget& target, const ref::Reference& reference);

// The edit that writes SetValue over the target's reference, in its quoting style. An edit whose
// old and new text agree is a no-op (ApplyEdits skips it).
base::Result<rewrite::Edit> SetEdit(const RefTarget& target, const ref::Reference& reference,
                                    std::string_view command);

}  // namespace imagepin::plan
