#include "scan/scanner.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "scan/file_list.h"
#include "tests/testing/temp_dir.h"

namespace imagepin::scan {
namespace {

namespace fs = std::filesystem;

using imagepin::testing::TempDir;

FileScan Scan(std::string_view contents, std::string_view name = "values.yaml",
              bool rendered = false) {
  yaml::StreamParser parser;
  return ScanContents(contents, name, rendered, &parser);
}

std::vector<std::string> DisplayPaths(const std::vector<FileEntry>& files) {
  std::vector<std::string> paths;
  for (const FileEntry& f : files) paths.push_back(f.display_path);
  return paths;
}

const FileEntry* Find(const std::vector<FileEntry>& files, const std::string& display_path) {
  for (const FileEntry& f : files) {
    if (f.display_path == display_path) return &f;
  }
  return nullptr;
}

// ---- ScanContents ----

TEST(ScanContents, ValidYamlIsScannedWithItsFields) {
  FileScan scan = Scan("image: nginx:1.27.0\n---\nimage: redis:7.4.1\n");
  EXPECT_EQ(scan.status, FileStatus::kScanned);
  EXPECT_FALSE(scan.problem.has_value());
  EXPECT_EQ(scan.documents, 2);
  ASSERT_EQ(scan.fields.images.size(), 2u);
  EXPECT_EQ(scan.fields.images[1].reference, "redis:7.4.1");
  EXPECT_EQ(scan.fields.images[1].document, 1);
}

TEST(ScanContents, RenderedStreamThatFailsToParseIsAProblemEvenWithBraces) {
  // `helm template | imagepin check -` output is never a template: `{{` left in it means the
  // render went wrong, and a stream that does not parse must fail the gate.
  FileScan scan = Scan("image: nginx:latest\n{{ broken\n  x: [\n", "-", /*rendered=*/true);
  EXPECT_EQ(scan.status, FileStatus::kProblem);
  ASSERT_TRUE(scan.problem.has_value());
  EXPECT_NE(scan.problem->message.find("YAML syntax error"), std::string::npos);
}

TEST(ScanContents, UnparsableFileWithTemplateBracesIsATemplate) {
  FileScan scan = Scan(
      "image: nginx:1.27.0\n"
      "---\n"
      "{{- if .Values.enabled }}\n"
      "image: {{ .Values.image }}\n"
      "{{- end }}\n");
  EXPECT_EQ(scan.status, FileStatus::kTemplate);
  EXPECT_FALSE(scan.problem.has_value());
  // Nothing from the documents before the error is kept for a template: its `image:` lines are
  // read as text instead, a literal one to be judged, a `{{ }}` one listed as templated.
  ASSERT_EQ(scan.fields.images.size(), 2u);
  EXPECT_EQ(scan.fields.images[0].reference, "nginx:1.27.0");
  EXPECT_EQ(scan.fields.images[0].ref.line, 1);
  EXPECT_EQ(scan.fields.images[0].ref.column, 8);
  EXPECT_FALSE(scan.fields.images[0].templated);
  EXPECT_FALSE(scan.fields.images[0].ref.rewritable);
  EXPECT_EQ(scan.fields.images[1].reference, "{{ .Values.image }}");
  EXPECT_EQ(scan.fields.images[1].line, 4);
  EXPECT_TRUE(scan.fields.images[1].templated);
}

TEST(ScanContents, ParsableFileWithTemplateTextIsScanned) {
  FileScan scan = Scan("image: \"{{ .Values.global.image }}\"\n");
  EXPECT_EQ(scan.status, FileStatus::kScanned);
  ASSERT_EQ(scan.fields.images.size(), 1u);
  EXPECT_TRUE(scan.fields.images[0].templated);
}

TEST(ScanContents, SyntaxErrorIsAProblemWithPosition) {
  FileScan scan = Scan("image: nginx\n  bad: indent\n");
  EXPECT_EQ(scan.status, FileStatus::kProblem);
  ASSERT_TRUE(scan.problem.has_value());
  EXPECT_NE(scan.problem->message.find("YAML syntax error"), std::string::npos)
      << scan.problem->message;
  EXPECT_NE(scan.problem->message.find("mapping values are not allowed"), std::string::npos)
      << scan.problem->message;
  // libyaml reports the `:` that cannot start a mapping value there.
  EXPECT_EQ(scan.problem->line, 2);
  EXPECT_EQ(scan.problem->column, 6);
  EXPECT_EQ(scan.problem->source_line, "  bad: indent");
}

TEST(ScanContents, YamlReadDifferentlyIsAProblemEvenWithTemplateBraces) {
  // Only a syntax error can be an unrendered template's; these parse, differently.
  struct Case {
    std::string name;
    std::string text;
    int line;
    std::string message;
  } cases[] = {
      {"duplicate key",
       "# {{ not a template }}\nimage:\n  ref: ghcr.io/a/b@sha256:" + std::string(64, 'a') +
           "\n  ref: ghcr.io/a/b:main\n",
       4, "duplicate key \"ref\""},
      {"undefined alias", "# {{ x }}\nimage: *nope\n", 2, "undefined alias *nope"},
      {"too deep", "# {{ x }}\n" + std::string(1000, '[') + std::string(1000, ']') + "\n", 2,
       "nesting deeper than"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    FileScan scan = Scan(c.text);
    EXPECT_EQ(scan.status, FileStatus::kProblem);
    ASSERT_TRUE(scan.problem.has_value());
    EXPECT_NE(scan.problem->message.find(c.message), std::string::npos) << scan.problem->message;
    EXPECT_EQ(scan.problem->line, c.line);
  }
}

TEST(ScanContents, ProblemLineOfACarriageReturnOnlyFileIsOneLine) {
  FileScan scan = Scan("a: 1\rb: [\rc: 3\r");
  ASSERT_TRUE(scan.problem.has_value());
  EXPECT_LE(scan.problem->source_line.size(), 5u) << scan.problem->source_line;
  EXPECT_EQ(scan.problem->source_line.find('\r'), std::string::npos);
}

TEST(ScanContents, NonUtf8TextIsAProblem) {
  struct Case {
    const char* name;
    std::string contents;
  };
  const Case cases[] = {
      {"NUL byte", std::string("image: nginx\0latest\n", 20)},
      {"UTF-16LE BOM", std::string("\xFF\xFEi\0m\0a\0g\0e\0", 12)},
      {"UTF-16BE BOM", std::string("\xFE\xFF\0i\0m\0a\0g\0e", 12)},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    FileScan scan = Scan(c.contents);
    EXPECT_EQ(scan.status, FileStatus::kProblem);
    ASSERT_TRUE(scan.problem.has_value());
    EXPECT_NE(scan.problem->message.find("UTF-8"), std::string::npos) << scan.problem->message;
    EXPECT_EQ(scan.problem->line, 0);
    EXPECT_TRUE(scan.fields.images.empty());
  }
}

TEST(ScanContents, EmptyAndCommentOnlyFilesHaveNoDocuments) {
  for (const char* text : {"", "# only a comment\n# and another\n", "\n\n"}) {
    SCOPED_TRACE(text);
    FileScan scan = Scan(text);
    EXPECT_EQ(scan.status, FileStatus::kScanned);
    EXPECT_EQ(scan.documents, 0);
    EXPECT_FALSE(scan.problem.has_value());
    EXPECT_TRUE(scan.fields.images.empty());
  }
}

TEST(ScanContents, KustomizationFileNameEnablesImagesEntries) {
  const char* text = "images:\n  - name: nginx\n    newTag: 1.27.0\n";
  EXPECT_TRUE(Scan(text, "overlays/dev/values.yaml").fields.images.empty());
  for (const char* name :
       {"overlays/dev/kustomization.yaml", "kustomization.yml", "a/Kustomization"}) {
    SCOPED_TRACE(name);
    FileScan scan = Scan(text, name);
    ASSERT_EQ(scan.fields.images.size(), 1u);
    EXPECT_EQ(scan.fields.images[0].form, FieldForm::kKustomize);
  }
}

// ---- ScanFiles ----

struct Delivered {
  std::atomic<int> calls{0};
  FileScan scan;
};

std::vector<Delivered> RunScanFiles(const std::vector<FileEntry>& files, ScanOptions options) {
  std::vector<Delivered> slots(files.size());
  ScanFiles(files, options, [&](size_t i, const FileEntry& entry, FileScan& scan) {
    EXPECT_LT(i, files.size());
    EXPECT_EQ(&entry, &files[i]);
    slots[i].calls.fetch_add(1);
    slots[i].scan = std::move(scan);
  });
  return slots;
}

TEST(ScanFiles, DeliversEveryFileOnceWhateverTheJobCount) {
  TempDir dir;
  std::vector<FileEntry> files;
  for (int i = 0; i < 25; ++i) {
    std::string name = "f" + std::to_string(i) + ".yaml";
    std::string contents = "image: app" + std::to_string(i) + ":1.0." + std::to_string(i) + "\n";
    if (i % 5 == 3) contents = "a: b\n  c: d\n";  // a syntax error now and then
    files.push_back({dir.Write(name, contents).string(), name, false});
  }
  files.push_back({(dir.path() / "templates/x.yaml").string(), "templates/x.yaml", true});

  for (unsigned jobs : {1u, 4u}) {
    SCOPED_TRACE(jobs);
    ScanOptions options;
    options.jobs = jobs;
    std::vector<Delivered> slots = RunScanFiles(files, options);
    for (size_t i = 0; i < files.size(); ++i) {
      SCOPED_TRACE(files[i].display_path);
      EXPECT_EQ(slots[i].calls.load(), 1);
      if (files[i].chart_template) {
        EXPECT_EQ(slots[i].scan.status, FileStatus::kTemplate);
      } else if (i % 5 == 3) {
        EXPECT_EQ(slots[i].scan.status, FileStatus::kProblem);
        ASSERT_TRUE(slots[i].scan.problem.has_value());
        EXPECT_EQ(slots[i].scan.problem->line, 2);
      } else {
        EXPECT_EQ(slots[i].scan.status, FileStatus::kScanned);
        ASSERT_EQ(slots[i].scan.fields.images.size(), 1u);
        EXPECT_EQ(slots[i].scan.fields.images[0].reference,
                  "app" + std::to_string(i) + ":1.0." + std::to_string(i));
      }
    }
  }
}

TEST(ScanFiles, ResultsAreTheSameWithOneAndFourJobs) {
  TempDir dir;
  std::vector<FileEntry> files;
  for (int i = 0; i < 12; ++i) {
    std::string name = "v" + std::to_string(i) + ".yaml";
    std::string contents;
    for (int k = 0; k <= i; ++k)
      contents += "s" + std::to_string(k) + ":\n  image: x" + std::to_string(k) + ":v1.2.3\n";
    files.push_back({dir.Write(name, contents).string(), name, false});
  }
  ScanOptions one, four;
  one.jobs = 1;
  four.jobs = 4;
  std::vector<Delivered> a = RunScanFiles(files, one);
  std::vector<Delivered> b = RunScanFiles(files, four);
  for (size_t i = 0; i < files.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(a[i].scan.status, b[i].scan.status);
    ASSERT_EQ(a[i].scan.fields.images.size(), i + 1);
    ASSERT_EQ(b[i].scan.fields.images.size(), i + 1);
    for (size_t k = 0; k <= i; ++k) {
      EXPECT_EQ(a[i].scan.fields.images[k].reference, b[i].scan.fields.images[k].reference);
      EXPECT_EQ(a[i].scan.fields.images[k].line, b[i].scan.fields.images[k].line);
      EXPECT_EQ(a[i].scan.fields.images[k].key_path, b[i].scan.fields.images[k].key_path);
    }
  }
}

TEST(ScanFiles, FileOverTheSizeLimitIsAProblem) {
  TempDir dir;
  std::vector<FileEntry> files = {
      {dir.Write("small.yaml", "a: 1\n").string(), "small.yaml", false},
      {dir.Write("big.yaml", "image: " + std::string(100, 'a') + "\n").string(), "big.yaml", false},
  };
  ScanOptions options;
  options.max_file_size = 64;
  std::vector<Delivered> slots = RunScanFiles(files, options);
  EXPECT_EQ(slots[0].scan.status, FileStatus::kScanned);
  EXPECT_EQ(slots[1].scan.status, FileStatus::kProblem);
  ASSERT_TRUE(slots[1].scan.problem.has_value());
  EXPECT_NE(slots[1].scan.problem->message.find("64 bytes limit"), std::string::npos)
      << slots[1].scan.problem->message;
  EXPECT_NE(slots[1].scan.problem->message.find("scope.maxFileSize"), std::string::npos);
}

TEST(ScanFiles, MissingFileIsAProblem) {
  TempDir dir;
  std::vector<FileEntry> files = {{(dir.path() / "gone.yaml").string(), "gone.yaml", false}};
  std::vector<Delivered> slots = RunScanFiles(files, ScanOptions{});
  EXPECT_EQ(slots[0].calls.load(), 1);
  EXPECT_EQ(slots[0].scan.status, FileStatus::kProblem);
  ASSERT_TRUE(slots[0].scan.problem.has_value());
  EXPECT_NE(slots[0].scan.problem->message.find("cannot read"), std::string::npos);
}

TEST(ScanFiles, NoFilesCallsNothing) {
  int calls = 0;
  ScanFiles({}, ScanOptions{}, [&](size_t, const FileEntry&, FileScan&) { ++calls; });
  EXPECT_EQ(calls, 0);
}

// ---- ListScope / ListPaths ----

TEST(ListScope, IncludeExcludeAndYamlNamesSortedByDisplayPath) {
  TempDir dir;
  dir.Write("sources/values/env/dev/web.yml", "a: 1\n");
  dir.Write("sources/values/env/dev/api.yaml", "a: 1\n");
  dir.Write("sources/values/env/dev/notes.txt", "a: 1\n");
  dir.Write("sources/values/README.md", "# hi\n");
  dir.Write("sources/values/skip/x.yaml", "a: 1\n");
  dir.Write("sources/manifests/a.yaml", "a: 1\n");
  dir.Write("other/x.yaml", "a: 1\n");
  Scope scope{{"sources/values/**", "sources/manifests/**"}, {"sources/values/skip/**"}};
  std::vector<base::Error> problems;
  std::vector<FileEntry> files = ListScope(dir.path().string(), scope, &problems);
  EXPECT_TRUE(problems.empty());
  EXPECT_EQ(DisplayPaths(files),
            (std::vector<std::string>{"sources/manifests/a.yaml", "sources/values/env/dev/api.yaml",
                                      "sources/values/env/dev/web.yml"}));
  for (const FileEntry& f : files) {
    EXPECT_EQ(fs::path(f.path), dir.path() / f.display_path);
    EXPECT_FALSE(f.chart_template);
  }
}

TEST(ListScope, GitDirectoryIsSkipped) {
  TempDir dir;
  dir.Write("sources/values/a.yaml", "a: 1\n");
  dir.Write("sources/values/.git/hooks/x.yaml", "a: 1\n");
  dir.Write("sources/values/node_modules/pkg/y.yaml", "a: 1\n");
  std::vector<base::Error> problems;
  std::vector<FileEntry> files =
      ListScope(dir.path().string(), Scope{{"sources/values/**"}, {}}, &problems);
  EXPECT_EQ(DisplayPaths(files), (std::vector<std::string>{"sources/values/a.yaml"}));
}

TEST(ListScope, ChartTemplatesAreFlagged) {
  TempDir dir;
  dir.Write("sources/charts/app/Chart.yaml", "name: app\n");
  dir.Write("sources/charts/app/values.yaml", "a: 1\n");
  dir.Write("sources/charts/app/templates/deploy.yaml", "{{ x }}\n");
  dir.Write("sources/charts/app/templates/sub/job.yaml", "{{ x }}\n");
  dir.Write("sources/values/templates/x.yaml", "a: 1\n");  // no Chart.yaml above it
  std::vector<base::Error> problems;
  std::vector<FileEntry> files = ListScope(
      dir.path().string(), Scope{{"sources/charts/**", "sources/values/**"}, {}}, &problems);
  ASSERT_EQ(files.size(), 5u);
  struct Want {
    const char* path;
    bool chart_template;
  };
  for (const Want& want :
       {Want{"sources/charts/app/Chart.yaml", false}, Want{"sources/charts/app/values.yaml", false},
        Want{"sources/charts/app/templates/deploy.yaml", true},
        Want{"sources/charts/app/templates/sub/job.yaml", true},
        Want{"sources/values/templates/x.yaml", false}}) {
    SCOPED_TRACE(want.path);
    const FileEntry* f = Find(files, want.path);
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->chart_template, want.chart_template);
  }
}

TEST(ListScope, ChartTemplateAnswerIsPerDirectory) {
  TempDir dir;
  dir.Write("sources/charts/app/Chart.yaml", "name: app\n");
  dir.Write("sources/charts/app/templates/a.yaml", "{{ x }}\n");
  dir.Write("sources/charts/app/templates/sub/b.yaml", "{{ x }}\n");
  dir.Write("sources/charts/app/templates/z.yaml", "{{ x }}\n");
  dir.Write("sources/charts/app/z.yaml", "a: 1\n");
  dir.Write("sources/charts/lib/templates/a.yaml", "a: 1\n");  // no Chart.yaml in lib/
  dir.Write("sources/charts/lib/templates/b.yaml", "a: 1\n");
  std::vector<base::Error> problems;
  std::vector<FileEntry> files =
      ListScope(dir.path().string(), Scope{{"sources/charts/**"}, {}}, &problems);
  ASSERT_EQ(files.size(), 7u);
  for (const FileEntry& f : files) {
    SCOPED_TRACE(f.display_path);
    EXPECT_EQ(f.chart_template, f.display_path.find("app/templates/") != std::string::npos);
  }
}

TEST(ListScope, DisplayPathsDoNotDependOnHowTheRootIsWritten) {
  TempDir dir;
  dir.Write("sources/values/env/dev/api.yaml", "a: 1\n");
  dir.Write("sources/manifests/c1/ns/app.yaml", "a: 1\n");
  dir.Write("top.yaml", "a: 1\n");
  // A static prefix per pattern, a pattern walked from the root, and overlaps between them.
  Scope scope{{"sources/values/**", "sources/manifests/*/ns/*.yaml", "*.yaml"}, {}};
  const std::vector<std::string> want = {"sources/manifests/c1/ns/app.yaml",
                                         "sources/values/env/dev/api.yaml", "top.yaml"};
  const std::string d = dir.path().string();
  const std::string relative = fs::relative(dir.path()).string();
  for (const std::string& root : {d, d + "/", d + "/.", d + "//", d + "/sources/..", relative,
                                  relative + "/", "./" + relative}) {
    SCOPED_TRACE(root);
    std::vector<base::Error> problems;
    std::vector<FileEntry> files = ListScope(root, scope, &problems);
    EXPECT_TRUE(problems.empty());
    EXPECT_EQ(DisplayPaths(files), want);
    for (const FileEntry& f : files) {
      EXPECT_EQ(fs::weakly_canonical(f.path), fs::weakly_canonical(dir.path() / f.display_path));
    }
  }
}

TEST(ListScope, YamlNamesGoByTheExtension) {
  TempDir dir;
  for (const char* name : {"a.yaml", "b.yml", ".hidden.yaml", ".yaml", ".yml", "c.yaml.bak",
                           "d.YAML", "e.json", "yaml"}) {
    dir.Write(std::string("sources/values/") + name, "a: 1\n");
  }
  std::vector<base::Error> problems;
  std::vector<FileEntry> files =
      ListScope(dir.path().string(), Scope{{"sources/values/**"}, {}}, &problems);
  // `.yaml` alone is a hidden file without an extension, as std::filesystem sees it; matching
  // is case-sensitive.
  EXPECT_EQ(DisplayPaths(files),
            (std::vector<std::string>{"sources/values/.hidden.yaml", "sources/values/a.yaml",
                                      "sources/values/b.yml"}));
}

TEST(ListScope, DirectorySymlinkLoopDoesNotHang) {
  TempDir dir;
  dir.Write("sources/values/a/x.yaml", "a: 1\n");
  fs::create_directory_symlink("..", dir.path() / "sources/values/a/loop");
  fs::create_directory_symlink(dir.path() / "sources/values",
                               dir.path() / "sources/values/up.yaml");
  std::vector<base::Error> problems;
  std::vector<FileEntry> files =
      ListScope(dir.path().string(), Scope{{"sources/values/**"}, {}}, &problems);
  EXPECT_EQ(DisplayPaths(files), (std::vector<std::string>{"sources/values/a/x.yaml"}));
}

TEST(ListScope, SymlinksLeavingTheRepositoryAreProblemsNeverListed) {
  TempDir outside;
  outside.Write("secret.yaml", "image: nginx:latest\n");
  outside.Write("dir/values.yaml", "image: nginx:latest\n");
  TempDir dir;
  dir.Write("sources/values/a.yaml", "a: 1\n");
  fs::create_symlink(outside.path() / "secret.yaml", dir.path() / "sources/values/link.yaml");
  fs::create_directory_symlink(outside.path() / "dir", dir.path() / "sources/values/dirlink");
  std::vector<base::Error> problems;
  std::vector<FileEntry> files =
      ListScope(dir.path().string(), Scope{{"sources/values/**"}, {}}, &problems);
  EXPECT_EQ(DisplayPaths(files), (std::vector<std::string>{"sources/values/a.yaml"}));
  ASSERT_EQ(problems.size(), 2u);
  for (const base::Error& p : problems) {
    EXPECT_NE(p.message.find("symlink leads outside the repository"), std::string::npos);
    EXPECT_EQ(p.path.find(outside.path().string()), std::string::npos) << "names the link only";
  }
}

TEST(ListScope, SymlinkedIncludeDirectoryLeavingTheRepositoryIsAProblem) {
  TempDir outside;
  outside.Write("x.yaml", "a: 1\n");
  TempDir dir;
  fs::create_directories(dir.path() / "sources");
  fs::create_directory_symlink(outside.path(), dir.path() / "sources/values");
  std::vector<base::Error> problems;
  std::vector<FileEntry> files =
      ListScope(dir.path().string(), Scope{{"sources/values/**"}, {}}, &problems);
  EXPECT_TRUE(files.empty());
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].message.find("outside the repository"), std::string::npos);
}

TEST(ListScope, SymlinkedDirectoryInsideTheRepositoryIsFollowedOnce) {
  // dev/shared → ../../common (inside the repository, outside the walked directory): walked
  // where the link is. A second link to the same place is not walked twice.
  TempDir dir;
  dir.Write("common/base.yaml", "a: 1\n");
  dir.Write("sources/values/dev/api.yaml", "a: 1\n");
  fs::create_directory_symlink("../../../common", dir.path() / "sources/values/dev/shared");
  fs::create_directory_symlink("../../../common", dir.path() / "sources/values/dev/again");
  std::vector<base::Error> problems;
  std::vector<FileEntry> files =
      ListScope(dir.path().string(), Scope{{"sources/values/**"}, {}}, &problems);
  std::vector<std::string> paths = DisplayPaths(files);
  ASSERT_EQ(paths.size(), 2u) << ::testing::PrintToString(paths);
  EXPECT_NE(std::find(paths.begin(), paths.end(), "sources/values/dev/api.yaml"), paths.end());
  EXPECT_TRUE(std::any_of(paths.begin(), paths.end(), [](const std::string& p) {
    return p == "sources/values/dev/shared/base.yaml" || p == "sources/values/dev/again/base.yaml";
  })) << ::testing::PrintToString(paths);
  EXPECT_TRUE(problems.empty());
}

TEST(ListScope, UnreadableDirectoryIsAProblemNotASilentSkip) {
  // Root reads every directory, so the walk runs in a child that gave up root (as nobody).
  TempDir dir;
  dir.Write("sources/values/ok.yaml", "a: 1\n");
  dir.Write("sources/values/locked/x.yaml", "image: nginx:latest\n");
  fs::permissions(dir.path(),
                  fs::perms::owner_all | fs::perms::others_read | fs::perms::others_exec);
  for (const char* d : {"sources", "sources/values"})
    fs::permissions(dir.path() / d,
                    fs::perms::owner_all | fs::perms::others_read | fs::perms::others_exec);
  fs::permissions(dir.path() / "sources/values/locked", fs::perms::owner_all);
  if (::geteuid() != 0) {
    std::vector<base::Error> problems;
    ListScope(dir.path().string(), Scope{{"sources/values/**"}, {}}, &problems);
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0].path, (dir.path() / "sources/values/locked").generic_string());
    return;
  }
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(10);
    std::vector<base::Error> problems;
    std::vector<FileEntry> files =
        ListScope(dir.path().string(), Scope{{"sources/values/**"}, {}}, &problems);
    bool ok = files.size() == 1 && problems.size() == 1 &&
              problems[0].message.find("Permission denied") != std::string::npos &&
              problems[0].path.find("sources/values/locked") != std::string::npos;
    ::_exit(ok ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "10: could not become nobody; 1: wrong listing";
}

TEST(ListPaths, PathOutsideTheRootIsRefused) {
  TempDir outside;
  outside.Write("x.yaml", "a: 1\n");
  TempDir dir;
  dir.Write("a.yaml", "a: 1\n");
  fs::create_symlink(outside.path() / "x.yaml", dir.path() / "link.yaml");
  std::vector<base::Error> problems;
  for (const std::string& given :
       {(outside.path() / "x.yaml").string(), (dir.path() / "link.yaml").string(),
        (dir.path() / "../").string()}) {
    SCOPED_TRACE(given);
    base::Result<std::vector<FileEntry>> files = ListPaths(dir.path().string(), {given}, &problems);
    ASSERT_FALSE(files.ok());
    EXPECT_NE(files.error().message.find("outside the repository root"), std::string::npos);
  }
  EXPECT_TRUE(ListPaths(dir.path().string(), {(dir.path() / "a.yaml").string()}, &problems).ok());
}

TEST(ListScope, AbsentIncludeDirectoryIsNotAnError) {
  TempDir dir;
  std::vector<base::Error> problems;
  std::vector<FileEntry> files =
      ListScope(dir.path().string(), Scope{{"sources/values/**"}, {}}, &problems);
  EXPECT_TRUE(files.empty());
  EXPECT_TRUE(problems.empty());
}

TEST(ListScope, LiteralFileInIncludeHonoursExclude) {
  TempDir dir;
  dir.Write("sources/values/a.yaml", "a: 1\n");
  dir.Write("sources/values/b.yaml", "a: 1\n");
  std::vector<base::Error> problems;
  std::vector<FileEntry> files = ListScope(
      dir.path().string(), Scope{{"sources/values/a.yaml", "sources/values/b.yaml"}, {"**/b.yaml"}},
      &problems);
  EXPECT_EQ(DisplayPaths(files), (std::vector<std::string>{"sources/values/a.yaml"}));
}

TEST(ListPaths, DirectoryListsYamlFilesRelativeToRoot) {
  TempDir dir;
  dir.Write("sources/values/b.yaml", "a: 1\n");
  dir.Write("sources/values/a.yml", "a: 1\n");
  dir.Write("sources/values/c.json", "{}\n");
  dir.Write("sources/values/.git/d.yaml", "a: 1\n");
  std::vector<base::Error> problems;
  base::Result<std::vector<FileEntry>> files =
      ListPaths(dir.path().string(), {(dir.path() / "sources/values").string()}, &problems);
  ASSERT_TRUE(files.ok()) << files.error().message;
  EXPECT_EQ(DisplayPaths(*files),
            (std::vector<std::string>{"sources/values/a.yml", "sources/values/b.yaml"}));
}

TEST(ListPaths, ExplicitFileIsTakenWhateverItsName) {
  TempDir dir;
  fs::path file = dir.Write("rendered.txt", "image: nginx\n");
  std::vector<base::Error> problems;
  base::Result<std::vector<FileEntry>> files =
      ListPaths(dir.path().string(), {file.string()}, &problems);
  ASSERT_TRUE(files.ok());
  EXPECT_EQ(DisplayPaths(*files), (std::vector<std::string>{"rendered.txt"}));
}

TEST(ListPaths, ChartTemplateFlaggedForExplicitPath) {
  TempDir dir;
  dir.Write("charts/app/Chart.yaml", "name: app\n");
  fs::path t = dir.Write("charts/app/templates/deploy.yaml", "{{ x }}\n");
  std::vector<base::Error> problems;
  base::Result<std::vector<FileEntry>> files =
      ListPaths(dir.path().string(), {t.string()}, &problems);
  ASSERT_TRUE(files.ok());
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ((*files)[0].display_path, "charts/app/templates/deploy.yaml");
  EXPECT_TRUE((*files)[0].chart_template);
}

TEST(ListPaths, MissingPathIsNotFound) {
  TempDir dir;
  std::vector<base::Error> problems;
  std::string missing = (dir.path() / "nope.yaml").string();
  base::Result<std::vector<FileEntry>> files = ListPaths(dir.path().string(), {missing}, &problems);
  ASSERT_FALSE(files.ok());
  EXPECT_EQ(files.error().code, base::ErrorCode::kNotFound);
  EXPECT_EQ(files.error().path, missing);
}

}  // namespace
}  // namespace imagepin::scan
