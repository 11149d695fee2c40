#include "decide/verify.h"

#include "decide/lookup.h"
#include "decide/platforms.h"
#include "policy/check.h"
#include "policy/evaluate.h"
#include "policy/exceptions.h"
#include "policy/registry_rules.h"

namespace imagepin::decide {

std::vector<PinnedImage> CollectPinned(const plan::Workspace& ws) {
  std::vector<PinnedImage> pinned;
  for (const plan::ScannedFile& file : ws.files) {
    for (const scan::ImageField& field : file.scan.fields.images) {
      if (field.templated || field.partial) continue;
      base::Result<ref::Reference> r = ref::ParseReference(field.reference);
      if (!r.ok() || !r->has_digest()) continue;  // check reports those
      ref::Reference by_digest = *r;
      by_digest.tag.clear();
      pinned.push_back(
          {&file, &field, by_digest, policy::IsFirstParty(ws.config, r->Repository())});
    }
  }
  return pinned;
}

VerifyDecision DecideVerify(const plan::Workspace& ws, const std::vector<PinnedImage>& pinned,
                            const std::vector<registry::Result<registry::Manifest>>& results,
                            std::string_view today) {
  VerifyDecision d;
  // A file verify cannot read is a finding, as in check: never a silent "no findings".
  std::vector<std::pair<std::string, const scan::FileScan*>> scans;
  for (const plan::ScannedFile& f : ws.files) scans.push_back({f.entry.display_path, &f.scan});
  policy::AppendUnreadable(ws.config, ws.listing_problems, scans, &d.findings);

  std::vector<policy::PinLookup> lookups;
  for (size_t i = 0; i < pinned.size(); ++i) {
    const PinnedImage& p = pinned[i];
    const registry::Result<registry::Manifest>& r = results[i];
    policy::PinLookup lookup{p.file->entry.display_path, p.field, p.ref.Repository(), p.ref.digest};
    if (!r.ok() && r.error().kind != registry::ErrorKind::kNotFound) {
      d.errors.push_back(base::Diagnostic::Error(p.file->entry.display_path,
                                                 {p.field->line, p.field->column},
                                                 DescribeFailure(r.error())));
      continue;
    }
    lookup.found = r.ok();
    if (r.ok() && p.first_party) {
      lookup.platforms_missing = MissingPlatforms(*r, p.ref.Repository(), ws.config.platforms);
    }
    lookups.push_back(std::move(lookup));
  }
  policy::EvaluatePinLookups(lookups, &d.findings);
  policy::SuppressExcepted(ws.config, today, &d.findings);
  policy::SortFindings(d.findings);
  return d;
}

}  // namespace imagepin::decide
