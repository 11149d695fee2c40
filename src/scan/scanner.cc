#include "scan/scanner.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include "base/files.h"
#include "base/sha256.h"
#include "scan/extract.h"

namespace imagepin::scan {
namespace {

bool IsKustomizationName(std::string_view name) {
  size_t slash = name.rfind('/');
  std::string_view base = slash == std::string_view::npos ? name : name.substr(slash + 1);
  return base == "kustomization.yaml" || base == "kustomization.yml" || base == "Kustomization";
}

std::string ProblemPrefix(yaml::ErrorKind kind) {
  switch (kind) {
    case yaml::ErrorKind::kSyntax:
      return "YAML syntax error: ";
    default:  // the messages of the others say what they are
      return "";
  }
}

}  // namespace

FileScan ScanContents(std::string_view contents, std::string_view name, bool rendered,
                      yaml::StreamParser* parser) {
  FileScan scan;
  if (!yaml::LooksLikeUtf8Text(contents)) {
    scan.status = FileStatus::kProblem;
    scan.problem =
        FileProblem{"not a UTF-8 text file (binary, or UTF-16/32): cannot check it", 0, 0, {}};
    return scan;
  }
  ExtractOptions options;
  options.kustomization_file = IsKustomizationName(name);
  yaml::SyntaxError error;
  bool ok = parser->Parse(
      contents,
      [&](const yaml::Document& doc) {
        ++scan.documents;
        ExtractImageFields(doc, options, &scan.fields);
      },
      &error);
  if (!ok) {
    // Unrendered Helm templates outside templates/ (say, a values file generated from
    // `{{ }}`) fail to parse: count them as templates rather than as broken YAML.
    // Only a syntax error can be a template's: a duplicate key, an undefined alias or nesting
    // past the limit is YAML that parses, read differently, and is never excused.
    // Rendered output (`helm template … | imagepin check -`) is never a template.
    if (!rendered && error.kind == yaml::ErrorKind::kSyntax &&
        contents.find("{{") != std::string_view::npos) {
      scan = FileScan{};
      scan.status = FileStatus::kTemplate;
      return scan;
    }
    scan.status = FileStatus::kProblem;
    scan.problem = FileProblem{ProblemPrefix(error.kind) + error.message, error.line, error.column,
                               std::string(yaml::LineNumbered(contents, error.line))};
  }
  return scan;
}

void ScanFiles(const std::vector<FileEntry>& files, const ScanOptions& options,
               const std::function<void(size_t, const FileEntry&, FileScan&)>& on_file) {
  unsigned jobs = options.jobs ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
  jobs = static_cast<unsigned>(std::min<size_t>(jobs, std::max<size_t>(files.size(), 1)));
  std::atomic<size_t> next{0};
  auto work = [&] {
    yaml::StreamParser parser(options.limits);
    std::string buffer;  // reused: one file in memory per thread
    for (size_t i; (i = next.fetch_add(1)) < files.size();) {
      const FileEntry& entry = files[i];
      FileScan scan;
      if (entry.chart_template) {
        scan.status = FileStatus::kTemplate;
      } else if (base::Status read = base::ReadFileInto(entry.path, options.max_file_size, &buffer);
                 !read.ok()) {
        scan.status = FileStatus::kProblem;
        scan.problem = FileProblem{read.error().message, 0, 0, {}};
      } else {
        scan = ScanContents(buffer, entry.display_path, false, &parser);
        if (options.fingerprint) scan.sha256 = base::Sha256Digest(buffer);
      }
      on_file(i, entry, scan);
      // Let a rare huge file's buffer go instead of holding it for the rest of the run.
      if (buffer.capacity() > (size_t{1} << 20)) std::string().swap(buffer);
    }
  };
  std::vector<std::thread> threads;
  for (unsigned t = 1; t < jobs; ++t) threads.emplace_back(work);
  work();
  for (std::thread& t : threads) t.join();
}

}  // namespace imagepin::scan
