#include "plan/workspace.h"

#include <fmt/format.h>

#include <filesystem>

#include "base/files.h"
#include "base/sha256.h"
#include "rewrite/render.h"
#include "scan/extract.h"
#include "scan/mentions.h"
#include "yaml/parser.h"

namespace imagepin::plan {

base::Result<Workspace> OpenWorkspace(const std::string& root,
                                      const std::vector<std::string>& paths, unsigned jobs,
                                      bool fingerprint) {
  Workspace ws;
  base::Result<policy::Config> config = policy::LoadConfig(root);
  if (!config.ok()) return config.error();
  ws.config = std::move(*config);
  policy::CheckRequest request;
  request.root = root;
  request.paths = paths;
  base::Result<std::vector<scan::FileEntry>> entries =
      policy::SelectFiles(ws.config, request, &ws.listing_problems);
  if (!entries.ok()) return entries.error();
  ws.files = ScanEntries(*entries, ws.config, jobs, fingerprint);
  return ws;
}

std::vector<ScannedFile> ScanEntries(const std::vector<scan::FileEntry>& entries,
                                     const policy::Config& config, unsigned jobs,
                                     bool fingerprint) {
  std::vector<ScannedFile> files(entries.size());
  scan::ScanOptions options;
  options.max_file_size = config.max_file_size;
  options.jobs = jobs;
  options.fingerprint = fingerprint;
  options.limits.max_depth = config.max_depth;
  scan::ScanFiles(entries, options, [&](size_t i, const scan::FileEntry& e, scan::FileScan& s) {
    if (config.mentions == policy::Config::Mentions::kOff) scan::DropMentions(&s.fields);
    files[i] = ScannedFile{e, std::move(s)};
  });
  return files;
}

base::Result<std::unique_ptr<ConfigText>> LoadConfigText(const std::string& root) {
  auto text = std::make_unique<ConfigText>();
  text->display = std::string(policy::kConfigFileName);
  text->path = (std::filesystem::path(root) / policy::kConfigFileName).string();
  std::error_code ec;
  if (!std::filesystem::exists(text->path, ec)) return text;
  text->exists = true;
  if (base::Status read = base::ReadFileInto(text->path, size_t{1} << 20, &text->contents);
      !read.ok()) {
    return base::MakeError(base::ErrorCode::kConfig, read.error().message, text->display);
  }
  yaml::StreamParser parser;
  yaml::SyntaxError syntax;
  if (!parser.Parse(
          text->contents, [](const yaml::Document&) {}, &syntax, &text->documents)) {
    return base::MakeError(base::ErrorCode::kConfig, "YAML syntax error: " + syntax.message,
                           text->display, {syntax.line, syntax.column});
  }
  return text;
}

ScannedFile ScanText(const scan::FileEntry& entry, std::string_view contents,
                     const policy::Config& config) {
  yaml::StreamParser parser(yaml::ParseLimits{config.max_depth});
  ScannedFile file{entry, scan::ScanContents(contents, entry.display_path, false, &parser)};
  if (config.mentions == policy::Config::Mentions::kOff) scan::DropMentions(&file.scan.fields);
  file.scan.sha256 = base::Sha256Digest(contents);
  return file;
}

base::Result<std::vector<scan::FileEntry>> ListEnvironment(const std::string& root,
                                                           const policy::Config& config,
                                                           const std::string& environment) {
  const policy::Environment* env = config.FindEnvironment(environment);
  if (!env) {
    std::vector<std::string> names;
    for (const policy::Environment& e : config.environments) names.push_back(e.name);
    return base::MakeError(base::ErrorCode::kInvalidArgument,
                           fmt::format("unknown environment \"{}\" (configured: {})", environment,
                                       fmt::join(names, ", ")),
                           config.path);
  }
  std::filesystem::path dir = std::filesystem::path(root) / env->path;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return base::MakeError(
        base::ErrorCode::kNotFound,
        fmt::format("environment \"{}\": directory {} does not exist", environment, env->path));
  }
  std::vector<base::Error> problems;
  base::Result<std::vector<scan::FileEntry>> files =
      scan::ListPaths(root, {dir.lexically_normal().string()}, &problems);
  if (!files.ok()) return files.error();
  if (!problems.empty()) return problems.front();
  return files;
}

const yaml::Document* ScannedSource::Find(int index) const {
  for (const yaml::Document& doc : documents) {
    if (doc.index() == index) return &doc;
  }
  return nullptr;
}

base::Result<std::unique_ptr<ScannedSource>> ReadSource(const ScannedFile& file,
                                                        const policy::Config& config) {
  auto source = std::make_unique<ScannedSource>();
  if (base::Status s = base::ReadFileInto(file.entry.path, config.max_file_size, &source->contents);
      !s.ok()) {
    return s.error();
  }
  if (base::Sha256Digest(source->contents) != file.scan.sha256) {
    return base::MakeError(base::ErrorCode::kIo, "changed since the scan: run again",
                           file.entry.display_path);
  }
  yaml::StreamParser parser(yaml::ParseLimits{config.max_depth});
  scan::ScanContents(source->contents, file.entry.display_path, false, &parser, &source->documents);
  return source;
}

std::vector<base::Error> ScanProblems(const std::vector<ScannedFile>& files) {
  std::vector<base::Error> errors;
  for (const ScannedFile& f : files) {
    if (f.scan.status != scan::FileStatus::kProblem || !f.scan.problem) continue;
    errors.push_back(base::MakeError(base::ErrorCode::kParse, f.scan.problem->message,
                                     f.entry.display_path,
                                     {f.scan.problem->line, f.scan.problem->column}));
  }
  return errors;
}

std::string WrittenRepository(std::string_view reference) {
  return std::string(scan::SplitWritten(reference).name);
}

base::Result<rewrite::Edit> ReplaceScalar(const scan::FileEntry& file, std::string_view file_sha256,
                                          const scan::Scalar& scalar, std::string_view value,
                                          std::string reason) {
  if (!scalar.rewritable) {
    // Text inside a folded or quoted scalar (scan/embedded.h): its bytes in the file are not
    // the value's, so no span can be replaced without re-serialising the outer scalar.
    return base::MakeError(base::ErrorCode::kInvalidArgument,
                           "this reference is inside a folded or quoted scalar, whose bytes in the "
                           "file are not its text: edit it by hand, or write the embedded manifest "
                           "as a literal `|` block",
                           file.display_path, {scalar.line, scalar.column});
  }
  base::Result<std::string> text = rewrite::RenderLike(scalar.raw, scalar.style, value);
  if (!text.ok()) {
    base::Error e = text.error();
    e.path = file.display_path;
    e.pos = {scalar.line, scalar.column};
    return e;
  }
  rewrite::Edit edit;
  edit.path = file.path;
  edit.display_path = file.display_path;
  edit.begin = scalar.begin;
  edit.end = scalar.end;
  edit.old_text = scalar.raw;
  edit.file_sha256 = std::string(file_sha256);
  edit.new_text = std::move(*text);
  edit.reason = std::move(reason);
  edit.line = scalar.line;
  edit.column = scalar.column;
  return edit;
}

std::string ServiceName(std::string_view display_path) {
  return std::filesystem::path(display_path).stem().string();
}

}  // namespace imagepin::plan
