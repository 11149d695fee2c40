// bump.readableTag: revision. What bump writes beside a digest, `repo:<short revision>@digest`,
// only when the registry confirms the tag names that very digest; and the trailing comments
// (`# main @ 3f2a9c1`) a bump leaves naming the build the field no longer points at. Pure:
// cli/cmd_bump.cc asks the registry for the tags and the old digests in between.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/diagnostic.h"
#include "plan/bump.h"
#include "policy/holds.h"
#include "ref/reference.h"
#include "registry/client.h"

namespace imagepin::decide {

// The tag a revision annotation gives: the first 7 characters of a hex git SHA (7 to 64
// lowercase hex digits), else the revision itself when it is a valid tag, else none (`why`).
struct RevisionTag {
  std::string tag;
  std::string why_none;
};
RevisionTag TagForRevision(std::string_view revision);

// One target's readable tag: the candidate, then (ConfirmReadableTags) only a confirmed one.
struct ReadableTag {
  std::string tag;     // written as `repo:tag@digest`; empty: `repo@digest`
  std::string digest;  // the channel's digest the tag must name
  std::string note;    // why no tag is written, when one was looked for
};

// Per target, in order: the candidate tag from the revision of what its channel resolved to
// (`resolved` answers ChannelsToResolve(found, held)); held and failed targets get nothing.
std::vector<ReadableTag> ReadableTagCandidates(
    const plan::BumpTargets& found, const std::vector<const policy::Hold*>& held,
    const std::vector<registry::Result<registry::Manifest>>& resolved);

// `<repository>:<tag>` for every candidate with a tag, in order: what to confirm (a HEAD each).
std::vector<ref::Reference> ReadableTagsToConfirm(const plan::BumpTargets& found,
                                                  const std::vector<ReadableTag>& tags);

// `answers[j]` answers ReadableTagsToConfirm's j-th: a tag missing or naming another digest is
// dropped, with a note saying so (bump then writes `repo@digest`, as without readableTag).
void ConfirmReadableTags(const std::vector<registry::Result<registry::Manifest>>& answers,
                         std::vector<ReadableTag>* tags);

// The comment after a single-line scalar on its line (`# main @ 3f2a9c1`), with its 1-based
// column in characters; empty text when there is none.
struct TrailingComment {
  std::string text;  // from `#` to the end of the line
  int column = 0;
};
TrailingComment CommentAfter(const scan::Scalar& scalar);

// `<repository>@<current digest>` of each target whose channel resolved to another digest and
// whose line has a trailing comment (`resolved` as for ReadableTagCandidates): its revision is
// what such a comment often names. `which[k]` is the target index of the k-th.
std::vector<ref::Reference> OldDigestsToLookUp(
    const plan::BumpTargets& found, const std::vector<const policy::Hold*>& held,
    const std::vector<registry::Result<registry::Manifest>>& resolved, std::vector<size_t>* which);

// Whether `comment` names `old` (a tag or revision; a revision also by its 7-character short
// form or any longer prefix): one of its words, split at anything but [A-Za-z0-9_.-].
bool CommentNames(std::string_view comment, std::string_view old);

// What bump.readableTag and the trailing-comment check add to DecideBump, per target in order;
// empty vectors give the plain bump.
struct BumpTagging {
  std::vector<ReadableTag> tags;           // ReadableTagCandidates, then ConfirmReadableTags
  std::vector<std::string> old_revisions;  // the revision of each target's current digest, or ""
};

// The notes for a field bump changes to `new_digest` (whose revision is `new_revision`): why no
// readable tag is written (`tag`, when one was looked for), and a trailing comment naming the
// old tag written in the field or `old_revision` ("comment names 3f2a9c1, the field now points
// at b7e41d0"), at the comment. The comment is never rewritten: comments are the user's.
std::vector<base::Diagnostic> ChangedFieldNotes(const plan::BumpTarget& target,
                                                const ReadableTag* tag, std::string_view new_digest,
                                                std::string_view new_revision,
                                                std::string_view old_revision);

}  // namespace imagepin::decide
