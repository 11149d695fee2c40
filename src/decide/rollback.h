// What `imagepin rollback APP ENV` decides before it writes the way set does (decide/set.h):
// which of the app's fields moves, which digest it goes back to (the previous one in the
// field's git history, or the one --to names), and the hold it adds to .imagepin.yaml so that
// bump does not move it forward again. Pure: the history comes in as data (plan/history.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "plan/history.h"
#include "plan/set.h"
#include "plan/workspace.h"
#include "policy/config.h"
#include "ref/reference.h"
#include "rewrite/edit.h"

namespace imagepin::decide {

// The field of APP that rollback moves: its `image.ref` (the key the chart reads), else the one
// field it has. Errors (kInvalidArgument): APP has no first-party image.ref in ENV, or several
// and none at `image.ref`.
base::Result<const plan::RefTarget*> RollbackField(const plan::SetTargets& app_targets,
                                                   std::string_view app,
                                                   std::string_view environment);

struct RollbackChoice {
  ref::Reference reference;              // what set writes (its tag, if any, kept)
  std::optional<plan::FieldValue> from;  // the commit it comes from; none: not in the history
};

// Whether `value` is a digest rollback can go back to: the target's repository, with a digest
// other than the current one. FieldHistory reads until the first such value.
bool IsEarlierDigest(const plan::FieldValue& value, const plan::RefTarget& target);

// The first value of `history` (newest first) IsEarlierDigest accepts. An error when there is
// none ("no earlier digest").
base::Result<RollbackChoice> ChoosePrevious(const std::vector<plan::FieldValue>& history,
                                            const plan::RefTarget& target,
                                            const policy::Config& config);

// --to sha256:…: that digest, with the commit where the field last had it (nothing when it
// never did: set's registry check then decides). Errors: not a digest, or the current one.
base::Result<RollbackChoice> ChooseDigest(std::string_view digest,
                                          const std::vector<plan::FieldValue>& history,
                                          const plan::RefTarget& target,
                                          const policy::Config& config);

// --to REV: the field's value at that revision (FieldAtRevision). Errors: another repository,
// or the current digest.
base::Result<RollbackChoice> ChooseRevision(const plan::FieldValue& at,
                                            const plan::RefTarget& target,
                                            const policy::Config& config);

// The hold rollback adds, as one line of YAML: `{app: api, env: dev, reason: "INC-7"}`.
std::string HoldItem(std::string_view app, std::string_view environment, std::string_view reason);

// The config with `edit` applied must still load and hold APP in ENV: a last check on the
// bytes, before anything is written. `today` is YYYY-MM-DD.
base::Status CheckHoldEdit(const plan::ConfigText& config, const rewrite::Edit& edit,
                           std::string_view app, std::string_view environment,
                           std::string_view today);

}  // namespace imagepin::decide
