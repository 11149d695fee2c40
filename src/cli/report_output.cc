#include "cli/report_output.h"

#include <fmt/format.h>
#include <unistd.h>

#include <iostream>

#include "cli/commands.h"
#include "cli/terminal.h"

namespace imagepin::cli {

int WriteFindings(const std::string& format, const std::string& color,
                  const std::vector<policy::Finding>& findings, const report::RunSummary& summary) {
  if (format == "json") {
    report::WriteJson(findings, summary, std::cout);
  } else if (format == "sarif") {
    report::WriteSarif(findings, summary, std::cout);
  } else if (format == "github") {
    report::WriteGithub(findings, summary, std::cout);
  } else {
    report::ReportOptions options;
    options.color = UseColor(color, STDOUT_FILENO);
    report::WriteText(findings, summary, options, std::cout);
  }
  std::cout.flush();
  if (!std::cout) {
    fmt::print(stderr, "imagepin: error: cannot write the report\n");
    return kExitRuntime;
  }
  return report::CountFindings(findings).errors > 0 ? kExitFindings : kExitOk;
}

}  // namespace imagepin::cli
