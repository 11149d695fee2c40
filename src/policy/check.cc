#include "policy/check.h"

#include <algorithm>
#include <iterator>

#include "base/files.h"
#include "policy/evaluate.h"
#include "policy/exceptions.h"
#include "policy/rendered_sources.h"
#include "policy/rules.h"
#include "scan/scanner.h"

namespace imagepin::policy {
Finding ProblemFinding(const base::Error& error) {
  Finding f = NewFinding("IP000");
  f.message = error.message;
  f.path = error.path;
  return f;
}

void AppendUnreadable(const Config& config, const std::vector<base::Error>& listing_problems,
                      const std::vector<std::pair<std::string, const scan::FileScan*>>& files,
                      std::vector<Finding>* out) {
  for (const base::Error& problem : listing_problems) out->push_back(ProblemFinding(problem));
  for (const auto& [path, scan] : files) {
    if (scan->status == scan::FileStatus::kProblem) EvaluateFile(config, path, *scan, out);
  }
}

base::Result<std::vector<scan::FileEntry>> SelectFiles(const Config& config,
                                                       const CheckRequest& request,
                                                       std::vector<base::Error>* problems) {
  if (!request.paths.empty()) return scan::ListPaths(request.root, request.paths, problems);
  return scan::ListScope(request.root, config.scope, problems);
}

base::Result<CheckResult> RunCheck(const Config& config, const CheckRequest& request) {
  CheckResult result;
  scan::ScanOptions options;
  options.max_file_size = config.max_file_size;
  options.jobs = request.jobs;
  options.limits.max_depth = config.max_depth;

  if (request.read_stdin) {
    std::string contents;
    scan::FileScan scan;
    if (base::Status read = base::ReadStreamInto(0, "-", config.max_file_size, &contents);
        !read.ok()) {
      scan.status = scan::FileStatus::kProblem;
      scan.problem = scan::FileProblem{read.error().message, 0, 0, {}};
    } else {
      yaml::StreamParser parser(options.limits);
      scan = scan::ScanContents(contents, "-", /*rendered=*/true, &parser);
    }
    result.stats.files_scanned = 1;
    result.stats.image_fields = static_cast<int>(scan.fields.images.size());
    EvaluateFile(config, "-", scan, &result.findings);
    // Back to the templates Helm's `# Source:` comments name, before exceptions (which then
    // match the template's path). Sorted first, so a template's findings keep the stream's order.
    std::vector<RenderedDocument> documents = FindRenderedSources(contents);
    if (std::any_of(documents.begin(), documents.end(),
                    [](const RenderedDocument& d) { return !d.source.empty(); })) {
      SortFindings(result.findings);
      MapRenderedFindings(
          documents,
          ResolveTemplatePaths(LoadChartIndex(config, request.root), request.root, documents),
          &result.findings);
    }
  } else {
    std::vector<base::Error> problems;
    base::Result<std::vector<scan::FileEntry>> files = SelectFiles(config, request, &problems);
    if (!files.ok()) return files.error();
    for (const base::Error& problem : problems) result.findings.push_back(ProblemFinding(problem));

    // One slot per file, filled by the workers; merged in file order afterwards.
    struct Slot {
      std::vector<Finding> findings;
      scan::FileStatus status = scan::FileStatus::kScanned;
      int image_fields = 0;
    };
    std::vector<Slot> slots(files->size());
    scan::ScanFiles(*files, options,
                    [&](size_t i, const scan::FileEntry& entry, scan::FileScan& scan) {
                      Slot& slot = slots[i];
                      slot.status = scan.status;
                      slot.image_fields = static_cast<int>(scan.fields.images.size());
                      EvaluateFile(config, entry.display_path, scan, &slot.findings);
                    });
    for (Slot& slot : slots) {
      if (slot.status == scan::FileStatus::kTemplate) {
        ++result.stats.templates_skipped;
      } else {
        ++result.stats.files_scanned;
      }
      result.stats.image_fields += slot.image_fields;
      std::move(slot.findings.begin(), slot.findings.end(), std::back_inserter(result.findings));
    }
  }
  ApplyExceptions(config, request.today.empty() ? TodayUtc() : request.today, &result.findings);
  SortFindings(result.findings);
  return result;
}

}  // namespace imagepin::policy
