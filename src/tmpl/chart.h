// A chart's templates parsed together, so that `include "x" .` and `template "x" .` can be
// followed across files and subcharts.
//
// Helm parses every file under templates/ of a chart and of each chart under charts/ (vendored
// subcharts and library charts such as bitnami's common) into one template set: a define is
// global. When two files define one name, the last parsed wins, and Helm parses the deepest
// paths first (pkg/engine: sortTemplates, byPathLen reversed: more "/" first, then paths in
// reverse order), so a parent chart's define beats a subchart's, and among equally deep paths
// the smallest path wins. As in text/template, an empty definition never replaces another.
// Helm's paths name subcharts by their Chart.yaml name; this uses the directory name, the same
// in every chart vendored by `helm dependency update`.
//
// What a newcomer gets wrong: this module reads no files. The caller lists the chart directory
// (paths relative to the chart root, "/"-separated) and reads them with its size cap.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "tmpl/ast.h"
#include "tmpl/parser.h"

namespace imagepin::tmpl {

struct ChartFile {
  std::string path;  // relative to the chart root: "templates/_helpers.tpl"
  std::string contents;
};

struct TemplateFile {
  std::string path;
  std::string source;  // the Tree's spans index this
  Tree tree;
};

// A named template: a {{define}} or {{block}} node in files()[file].
struct Definition {
  size_t file = 0;
  const Node* node = nullptr;
};

// A use of a named template by a literal name: {{template "x"}}, {{block "x"}}, or a command
// `include "x" …`. Names computed at run time (`include (printf …) .`) are not listed.
struct TemplateUse {
  std::string name;
  size_t file = 0;
  Pos pos;  // the {{template}} action, or the "include" operand
};

// True for a file Helm loads as a template: templates/** of the chart, or of a chart under
// charts/<name>/ (at any depth).
bool IsTemplatePath(std::string_view path);

class ChartTemplates {
 public:
  // Parses every template file among `files` (others, such as Chart.yaml, are skipped). A
  // file that does not parse is left out and its error (with its path) kept in errors().
  static ChartTemplates Parse(std::vector<ChartFile> files, ParseOptions options = {});

  ChartTemplates(ChartTemplates&&) = default;
  ChartTemplates& operator=(ChartTemplates&&) = default;
  ChartTemplates(const ChartTemplates&) = delete;  // definitions point into the trees
  ChartTemplates& operator=(const ChartTemplates&) = delete;

  // The parsed files, in the order given.
  const std::vector<TemplateFile>& files() const { return files_; }
  const std::vector<base::Error>& errors() const { return errors_; }
  // The definition `include "name"` uses, by Helm's precedence; nullptr when there is none.
  const Definition* Find(std::string_view name) const;
  const std::map<std::string, Definition, std::less<>>& definitions() const { return defines_; }
  // Every use of a named template in every file, in file order and source order.
  std::vector<TemplateUse> Uses() const;

 private:
  ChartTemplates() = default;
  std::vector<TemplateFile> files_;
  std::vector<base::Error> errors_;
  std::map<std::string, Definition, std::less<>> defines_;
};

}  // namespace imagepin::tmpl
