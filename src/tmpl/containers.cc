#include "tmpl/containers.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <memory>
#include <set>
#include <string_view>

namespace imagepin::tmpl {

std::string_view ContainerListName(ContainerList list) {
  switch (list) {
    case ContainerList::kContainers:
      return "containers";
    case ContainerList::kInitContainers:
      return "initContainers";
    case ContainerList::kEphemeralContainers:
      return "ephemeralContainers";
  }
  return "containers";
}

std::string NotAnalysable::ToString() const {
  return fmt::format("{}:{}:{}: not analysable: {}", file, line, column, reason);
}

namespace {

// ---------------------------------------------------------------------------------------------
// What a value in the template stands for, as far as it is decidable.

struct Binding;
using BindingPtr = std::shared_ptr<const Binding>;

struct Binding {
  enum class Kind { kUnknown, kRoot, kValues, kDict, kReads, kAnyOf } kind = Kind::kUnknown;
  std::string path;                        // kValues: ".Values.image"
  std::map<std::string, BindingPtr> dict;  // kDict
  std::vector<BindingPtr> any;             // kAnyOf: one of these (default, coalesce, merge, …)
  std::vector<std::string> reads;          // kReads, kUnknown: the .Values paths feeding it
};

BindingPtr Make(Binding::Kind kind, std::string path = {}) {
  auto b = std::make_shared<Binding>();
  b->kind = kind;
  b->path = std::move(path);
  return b;
}

BindingPtr Unknown() {
  static const BindingPtr unknown = Make(Binding::Kind::kUnknown);
  return unknown;
}

BindingPtr Root() {
  static const BindingPtr root = Make(Binding::Kind::kRoot);
  return root;
}

void AddOnce(std::vector<std::string>& list, const std::string& item) {
  if (std::find(list.begin(), list.end(), item) == list.end()) list.push_back(item);
}

void ReadsOf(const Binding& b, std::vector<std::string>& out, int depth = 0) {
  if (depth > 32) return;
  switch (b.kind) {
    case Binding::Kind::kValues:
      AddOnce(out, b.path);
      break;
    case Binding::Kind::kDict:
      for (const auto& [key, value] : b.dict) ReadsOf(*value, out, depth + 1);
      break;
    case Binding::Kind::kReads:
    case Binding::Kind::kUnknown:
      for (const std::string& read : b.reads) AddOnce(out, read);
      break;
    case Binding::Kind::kAnyOf:
      for (const BindingPtr& value : b.any) ReadsOf(*value, out, depth + 1);
      break;
    case Binding::Kind::kRoot:
      break;
  }
}

BindingPtr ReadsBinding(std::vector<std::string> reads) {
  auto b = std::make_shared<Binding>();
  b->kind = Binding::Kind::kReads;
  b->reads = std::move(reads);
  return b;
}

struct Facts {
  std::vector<std::string> reads;
  std::vector<std::string> includes;
  bool required = false;
  std::vector<std::string> defaults;
  std::vector<std::string> undecided;

  void Read(const BindingPtr& b) {
    if (b) ReadsOf(*b, reads);
  }
  void Merge(const Facts& other) {
    for (const auto& r : other.reads) AddOnce(reads, r);
    for (const auto& i : other.includes) AddOnce(includes, i);
    required = required || other.required;
    for (const auto& d : other.defaults) AddOnce(defaults, d);
    for (const auto& u : other.undecided) AddOnce(undecided, u);
  }
};

struct Env {
  BindingPtr dot = Root();
  BindingPtr dollar = Root();
  std::map<std::string, BindingPtr> vars;
};

BindingPtr Element(const BindingPtr& b) {
  if (b->kind == Binding::Kind::kValues) return Make(Binding::Kind::kValues, b->path + "[]");
  std::vector<std::string> reads;
  ReadsOf(*b, reads);
  return ReadsBinding(std::move(reads));
}

bool IsLiteral(const Operand& operand) {
  return operand.kind == OperandKind::kString || operand.kind == OperandKind::kNumber ||
         operand.kind == OperandKind::kBool;
}

// Follows .Values / dicts / pipelines to the binding of `fields` under `b`.
BindingPtr Resolve(BindingPtr b, const std::vector<std::string>& fields, Facts& facts,
                   int depth = 0) {
  for (size_t i = 0; i < fields.size(); ++i) {
    const std::string& field = fields[i];
    switch (b->kind) {
      case Binding::Kind::kAnyOf: {
        if (depth > 8) return Unknown();
        auto any = std::make_shared<Binding>();
        any->kind = Binding::Kind::kAnyOf;
        std::vector<std::string> rest(fields.begin() + i, fields.end());
        for (const BindingPtr& one : b->any)
          any->any.push_back(Resolve(one, rest, facts, depth + 1));
        return any;
      }
      case Binding::Kind::kRoot:
        b = field == "Values" ? Make(Binding::Kind::kValues, ".Values") : Unknown();
        break;
      case Binding::Kind::kValues:
        b = Make(Binding::Kind::kValues, b->path + "." + field);
        break;
      case Binding::Kind::kDict: {
        auto it = b->dict.find(field);
        if (it == b->dict.end()) return Unknown();  // nil, as in Go: reads nothing
        b = it->second;
        break;
      }
      case Binding::Kind::kReads:
      case Binding::Kind::kUnknown:
        return b;
    }
  }
  return b;
}

// An action's pipeline as written, without the closing delimiter.
std::string PipelineText(std::string_view text) {
  auto trim = [&] {
    while (!text.empty() && (text.back() == ' ' || text.back() == '\n' || text.back() == '\t' ||
                             text.back() == '\r')) {
      text.remove_suffix(1);
    }
  };
  trim();
  if (text.size() >= 2 && text.substr(text.size() - 2) == "}}") text.remove_suffix(2);
  if (!text.empty() && text.back() == '-') text.remove_suffix(1);
  trim();
  return std::string(text);
}

std::string SourceOf(const ChartTemplates& chart, size_t file, Span span) {
  return std::string(span.Of(chart.files()[file].source));
}

// Bodies and parentheses nested this deep across includes (each file is below the parser's
// max_depth, but kMaxIncludeDepth of them stack up) are not followed, so the stack stays small.
constexpr int kMaxNesting = 1024;

struct Nesting {
  explicit Nesting(int& level) : level_(level) { ++level_; }
  ~Nesting() { --level_; }
  Nesting(const Nesting&) = delete;
  Nesting& operator=(const Nesting&) = delete;
  int& level_;
};

// Evaluates pipelines for what they read, following includes.
class Evaluator {
 public:
  explicit Evaluator(const ChartTemplates& chart) : chart_(chart) {}

  BindingPtr Pipe(const Pipeline& pipeline, size_t file, Env& env, Facts& facts, int depth) {
    Nesting nesting(level_);
    if (level_ > kMaxNesting) {
      AddOnce(facts.undecided, "nested too deep");
      return Unknown();
    }
    BindingPtr piped;
    for (const Command& cmd : pipeline.cmds) piped = Cmd(cmd, piped, file, env, facts, depth);
    return piped ? piped : Unknown();
  }

  // Binds the declared variables of an action (`$x := …`, `$i, $v := range …`).
  static void Declare(const Pipeline& pipeline, const BindingPtr& value, Env& env, bool range) {
    if (pipeline.decl.empty()) return;
    if (range) {
      BindingPtr element = Element(value);
      if (pipeline.decl.size() == 1) {
        env.vars[pipeline.decl[0].name] = element;
      } else {
        env.vars[pipeline.decl[0].name] = Unknown();
        env.vars[pipeline.decl[1].name] = element;
      }
      return;
    }
    for (const Declaration& d : pipeline.decl) {
      if (pipeline.is_assign && env.vars.count(d.name)) {
        std::vector<std::string> reads;
        ReadsOf(*env.vars[d.name], reads);
        ReadsOf(*value, reads);
        env.vars[d.name] = ReadsBinding(std::move(reads));
      } else {
        env.vars[d.name] = value;
      }
    }
  }

  // What define `name` reads when given `arg`; its reads are returned as a binding too.
  BindingPtr Include(const std::string& name, const BindingPtr& arg, Facts& facts, int depth) {
    AddOnce(facts.includes, name);
    const Definition* def = chart_.Find(name);
    if (!def) {
      // What it reads is unknown: count its whole argument as read.
      AddOnce(facts.undecided, fmt::format("include \"{}\" is not defined", name));
      facts.Read(arg);
      return Unknown();
    }
    if (depth >= kMaxIncludeDepth) {
      AddOnce(facts.undecided, fmt::format("include \"{}\" nests too deep", name));
      return Unknown();
    }
    if (std::find(stack_.begin(), stack_.end(), name) != stack_.end()) {
      AddOnce(facts.undecided, fmt::format("include \"{}\" is recursive", name));
      return Unknown();
    }
    // The same define given the same argument reads the same: each is walked once, and the
    // walks of one file are capped, so nested includes cannot multiply the work.
    std::string key = name + "\n" + Key(arg ? *arg : *Unknown());
    auto memo = memo_.find(key);
    if (memo == memo_.end()) {
      Facts inner;
      if (++walks_ > kMaxWalks) {
        AddOnce(inner.undecided, "too many includes to follow");
      } else {
        stack_.push_back(name);
        Env env;
        env.dot = arg ? arg : Unknown();
        env.dollar = env.dot;
        Body(def->node->list, def->file, env, inner, depth + 1);
        stack_.pop_back();
      }
      memo = memo_.emplace(std::move(key), std::move(inner)).first;
    }
    facts.Merge(memo->second);
    return ReadsBinding(memo->second.reads);
  }

  // Everything a body reads: outputs, conditions, includes.
  void Body(const std::vector<Node>& list, size_t file, Env& env, Facts& facts, int depth) {
    Nesting nesting(level_);
    if (level_ > kMaxNesting) {
      AddOnce(facts.undecided, "nested too deep");
      return;
    }
    for (const Node& node : list) {
      switch (node.kind) {
        case NodeKind::kAction: {
          BindingPtr b = Pipe(*node.pipeline, file, env, facts, depth);
          if (node.pipeline->decl.empty()) {
            facts.Read(b);
          } else {
            Declare(*node.pipeline, b, env, false);
          }
          break;
        }
        case NodeKind::kIf: {
          facts.Read(Pipe(*node.pipeline, file, env, facts, depth));
          Body(node.list, file, env, facts, depth);
          Body(node.else_list, file, env, facts, depth);
          break;
        }
        case NodeKind::kWith:
        case NodeKind::kRange: {
          BindingPtr b = Pipe(*node.pipeline, file, env, facts, depth);
          facts.Read(b);
          Env inner = env;
          Declare(*node.pipeline, b, inner, node.kind == NodeKind::kRange);
          inner.dot = node.kind == NodeKind::kRange ? Element(b) : b;
          Body(node.list, file, inner, facts, depth);
          Body(node.else_list, file, env, facts, depth);
          break;
        }
        case NodeKind::kTemplate: {
          BindingPtr arg =
              node.pipeline ? Pipe(*node.pipeline, file, env, facts, depth) : Unknown();
          Include(node.name, arg, facts, depth);
          break;
        }
        case NodeKind::kBlock: {
          Env inner = env;
          if (node.pipeline) inner.dot = Pipe(*node.pipeline, file, env, facts, depth);
          Body(node.list, file, inner, facts, depth);
          break;
        }
        default:
          break;
      }
    }
  }

  // The binding of one operand: a field of dot, dot, a variable, a parenthesised pipeline.
  BindingPtr Arg(const Operand& operand, size_t file, Env& env, Facts& facts, int depth) {
    switch (operand.kind) {
      case OperandKind::kField:
        return Resolve(env.dot, operand.fields, facts);
      case OperandKind::kDot:
        return env.dot;
      case OperandKind::kVariable: {
        if (operand.value == "$") return Resolve(env.dollar, operand.fields, facts);
        auto it = env.vars.find(operand.value);
        if (it == env.vars.end()) return Unknown();
        return Resolve(it->second, operand.fields, facts);
      }
      case OperandKind::kPipeline: {
        BindingPtr b = Pipe(*operand.pipeline, file, env, facts, depth);
        return Resolve(b, operand.fields, facts);
      }
      default:
        return Unknown();
    }
  }

 private:
  BindingPtr Cmd(const Command& cmd, const BindingPtr& piped, size_t file, Env& env, Facts& facts,
                 int depth) {
    if (cmd.args.empty()) return Unknown();
    const Operand& head = cmd.args[0];
    if (head.kind != OperandKind::kIdentifier) {
      return Arg(head, file, env, facts, depth);
    }
    const std::string& fn = head.value;
    std::vector<const Operand*> args;
    for (size_t i = 1; i < cmd.args.size(); ++i) args.push_back(&cmd.args[i]);
    if (fn == "include" && !args.empty()) {
      if (args[0]->kind != OperandKind::kString) {
        AddOnce(facts.undecided,
                fmt::format("include with a computed name: {}",
                            SourceOf(chart_, file, {cmd.pos.offset, args.back()->span.end})));
        for (const Operand* a : args) facts.Read(Arg(*a, file, env, facts, depth));
        return Unknown();
      }
      BindingPtr arg = args.size() > 1 ? Arg(*args[1], file, env, facts, depth) : Unknown();
      return Include(args[0]->value, arg, facts, depth);
    }
    if (fn == "dict") {
      auto b = std::make_shared<Binding>();
      b->kind = Binding::Kind::kDict;
      for (size_t i = 0; i + 1 < args.size(); i += 2) {
        BindingPtr value = Arg(*args[i + 1], file, env, facts, depth);
        if (args[i]->kind == OperandKind::kString) {
          b->dict[args[i]->value] = value;
        } else {
          facts.Read(value);
        }
      }
      return b;
    }
    std::vector<BindingPtr> values;
    for (const Operand* a : args) values.push_back(Arg(*a, file, env, facts, depth));
    if (piped) values.push_back(piped);
    if (fn == "tuple" || fn == "list") {
      // Indexed like a dict by `index $l 0`.
      auto b = std::make_shared<Binding>();
      b->kind = Binding::Kind::kDict;
      for (size_t i = 0; i < values.size(); ++i) b->dict[std::to_string(i)] = values[i];
      return b;
    }
    if (fn == "required") {
      facts.required = true;
      if (values.empty()) return Unknown();
      facts.Read(values.back());
      return values.back();
    }
    if (fn == "default" && !args.empty() && IsLiteral(*args[0])) {
      AddOnce(facts.defaults, args[0]->value);
    }
    if (fn == "tpl") AddOnce(facts.undecided, "tpl");
    if (fn == "index" && !values.empty() && values[0]->kind != Binding::Kind::kReads) {
      bool literal_keys = !piped;
      std::vector<std::string> keys;
      for (size_t i = 1; i < args.size() && literal_keys; ++i) {
        literal_keys =
            args[i]->kind == OperandKind::kString || args[i]->kind == OperandKind::kNumber;
        keys.push_back(args[i]->value);
      }
      if (literal_keys) {
        BindingPtr b = Resolve(values[0], keys, facts);
        facts.Read(b);
        return b;
      }
    }
    std::vector<std::string> reads;
    for (const BindingPtr& v : values) {
      facts.Read(v);
      ReadsOf(*v, reads);
    }
    // Functions that return one of their arguments: fields chained on the result are fields
    // of one of them.
    static const std::set<std::string_view> kChoosing = {
        "default",        "coalesce",           "or",      "merge", "mustMerge",
        "mergeOverwrite", "mustMergeOverwrite", "ternary", "first", "and"};
    if (kChoosing.count(fn)) {
      auto any = std::make_shared<Binding>();
      any->kind = Binding::Kind::kAnyOf;
      for (const BindingPtr& v : values) {
        if (v->kind != Binding::Kind::kUnknown || !v->reads.empty()) any->any.push_back(v);
      }
      return any;
    }
    return ReadsBinding(std::move(reads));
  }

  static std::string Key(const Binding& b, int depth = 0) {
    if (depth > 8) return "?";
    switch (b.kind) {
      case Binding::Kind::kRoot:
        return "$";
      case Binding::Kind::kValues:
        return b.path;
      case Binding::Kind::kDict: {
        std::string out = "{";
        for (const auto& [k, v] : b.dict) out += k + ":" + Key(*v, depth + 1) + ",";
        return out + "}";
      }
      case Binding::Kind::kAnyOf: {
        std::string out = "|";
        for (const auto& v : b.any) out += Key(*v, depth + 1) + "|";
        return out;
      }
      case Binding::Kind::kReads:
      case Binding::Kind::kUnknown: {
        std::string out = "(";
        for (const auto& r : b.reads) out += r + ",";
        return out + ")";
      }
    }
    return "?";
  }

  static constexpr int kMaxWalks = 4096;
  int level_ = 0;
  const ChartTemplates& chart_;
  std::vector<std::string> stack_;
  std::map<std::string, Facts> memo_;
  int walks_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Rendering into virtual lines.

constexpr char kHole = '\x01';
// {{if}}, {{else}}, {{end}} (and with, range) in the middle of a line: the text around is one of
// several, not a literal. The YAML reader skips them.
constexpr char kBranch = '\x02';

struct Origin {
  int file = -1;  // -1: indentation added by nindent/indent
  int line = 0;
  int column = 0;
  bool in_range = false;
};

struct Hole {
  int file = 0;
  Pos pos;
  const Pipeline* pipeline = nullptr;
  std::string action;  // "{{ … }}"
  std::string what;    // the pipeline's text
  Facts facts;
  // The outermost include whose body holds the hole, when it is in one: its pipeline text and
  // where it is.
  std::string via;
  int via_file = -1;
  Pos via_pos;
};

struct VLine {
  std::string s;  // kHole for each hole
  std::vector<Origin> origin;
  std::vector<int> holes;  // indexes into Render::holes, in order
};

struct Via {
  std::string what;
  int file = -1;
  Pos pos;
};

class Renderer {
 public:
  Renderer(const ChartTemplates& chart, Evaluator& eval) : chart_(chart), eval_(eval) {
    lines.emplace_back();
  }

  std::vector<VLine> lines;
  std::vector<Hole> holes;
  // The file's lines grew past kMaxOutput bytes (indentation included): they are not read.
  bool overflow = false;
  static constexpr size_t kMaxOutput = size_t{4} << 20;

  void List(const std::vector<Node>& list, size_t file, Env& env, int offset, int depth,
            bool in_range, const Via& via) {
    Nesting nesting(level_);
    if (level_ > kMaxNesting) return;  // each file nests < max_depth; includes multiply that
    for (const Node& node : list) {
      switch (node.kind) {
        case NodeKind::kText:
          Text(node, file, offset, in_range);
          break;
        case NodeKind::kAction:
          Action(node, file, env, offset, depth, in_range, via);
          break;
        case NodeKind::kIf:
        case NodeKind::kWith:
        case NodeKind::kRange: {
          Facts facts;
          BindingPtr b = eval_.Pipe(*node.pipeline, file, env, facts, depth);
          facts.Read(b);
          Env inner = env;
          bool range = node.kind == NodeKind::kRange;
          if (node.kind != NodeKind::kIf) {
            Evaluator::Declare(*node.pipeline, b, inner, range);
            inner.dot = range ? Element(b) : b;
          } else {
            Evaluator::Declare(*node.pipeline, b, inner, false);
          }
          // Inline (`image: {{ if .a }}x{{ else }}y{{ end }}`): mark the control actions so
          // the value is not taken for the literal "xy". A body that starts a line is
          // structure, not part of the line it is joined to by "{{-".
          const std::string& src = chart_.files()[file].source;
          bool inline_flow = inline_flow_ || (!AtLineStart() && !StartsLine(node.list, file, 0));
          bool saved = inline_flow_;
          inline_flow_ = inline_flow;
          if (inline_flow) {
            Mark(node.open, node.pos, file, &*node.pipeline, std::move(facts), in_range, src);
          }
          List(node.list, file, inner, offset, depth, in_range || range, via);
          if (inline_flow && node.has_else && !node.else_chain) {
            Mark(node.else_action, node.else_pos, file, nullptr, {}, in_range, src);
          }
          List(node.else_list, file, env, offset, depth, in_range, via);
          if (inline_flow && !node.else_chain) {
            Mark(node.end_action, node.end_pos, file, nullptr, {}, in_range, src);
          }
          inline_flow_ = saved;
          break;
        }
        case NodeKind::kTemplate:
          Action(node, file, env, offset, depth, in_range, via);
          break;
        case NodeKind::kBlock: {
          Env inner = env;
          Facts ignored;
          if (node.pipeline) inner.dot = eval_.Pipe(*node.pipeline, file, env, ignored, depth);
          List(node.list, file, inner, offset, depth, in_range, via);
          break;
        }
        default:
          break;
      }
    }
  }

 private:
  void NewLine(int offset) {
    if (overflow) return;
    lines.emplace_back();
    ++output_;
    for (int i = 0; i < offset; ++i) Put(' ', Origin{});
  }

  void Put(char c, const Origin& origin) {
    if (overflow || ++output_ > kMaxOutput) {
      overflow = true;
      return;
    }
    lines.back().s.push_back(c);
    lines.back().origin.push_back(origin);
  }

  bool AtLineStart() const {
    const std::string& s = lines.back().s;
    return std::all_of(s.begin(), s.end(), [](char c) { return c == ' '; });
  }

  void Text(const Node& node, size_t file, int offset, bool in_range) {
    std::string_view text = node.text.Of(chart_.files()[file].source);
    int line = node.text_pos.line, column = node.text_pos.column;
    for (char c : text) {
      if (c == '\n') {
        NewLine(offset);
        ++line;
        column = 1;
        continue;
      }
      Put(c == kHole || c == kBranch ? '?' : c,
          Origin{static_cast<int>(file), line, column, in_range});
      if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++column;
    }
  }

  // True if what `list` outputs first is a line break: text starting with one, an action piped
  // to nindent, or such a body of a nested if/with/range.
  bool StartsLine(const std::vector<Node>& list, size_t file, int depth) const {
    if (depth > 8) return false;
    for (const Node& node : list) {
      switch (node.kind) {
        case NodeKind::kComment:
          continue;
        case NodeKind::kText: {
          std::string_view text = node.text.Of(chart_.files()[file].source);
          size_t first = text.find_first_not_of(" \t\r");
          if (first == std::string_view::npos) continue;
          return text[first] == '\n';
        }
        case NodeKind::kAction: {
          const Pipeline& p = *node.pipeline;
          if (!p.decl.empty()) continue;
          for (size_t i = 1; i < p.cmds.size(); ++i) {
            const Command& c = p.cmds[i];
            if (!c.args.empty() && c.args[0].kind == OperandKind::kIdentifier &&
                c.args[0].value == "nindent") {
              return true;
            }
          }
          return false;
        }
        case NodeKind::kIf:
        case NodeKind::kWith:
        case NodeKind::kRange:
          return StartsLine(node.list, file, depth + 1);
        default:
          return false;
      }
    }
    return false;
  }

  // A kBranch marker for a control action in the middle of a line.
  void Mark(Span action, Pos pos, size_t file, const Pipeline* pipeline, Facts facts, bool in_range,
            const std::string& source) {
    if (AtLineStart()) return;
    Hole hole;
    hole.file = static_cast<int>(file);
    hole.pos = pos;
    hole.pipeline = pipeline;
    hole.action = std::string(action.Of(source));
    hole.what = hole.action;
    hole.facts = std::move(facts);
    holes.push_back(std::move(hole));
    lines.back().holes.push_back(static_cast<int>(holes.size() - 1));
    Put(kBranch, Origin{static_cast<int>(file), pos.line, pos.column, in_range});
  }

  void PutHole(Hole hole, const Origin& origin) {
    holes.push_back(std::move(hole));
    lines.back().holes.push_back(static_cast<int>(holes.size() - 1));
    Put(kHole, origin);
  }

  void Action(const Node& node, size_t file, Env& env, int offset, int depth, bool in_range,
              const Via& via) {
    const std::string& source = chart_.files()[file].source;
    // The include, if the action is one, and the indentation piped to it.
    std::optional<std::string> name;
    BindingPtr arg;
    enum { kNone, kIndent, kNindent } indent = kNone;
    int n = 0;
    bool other = false;       // piped to something else: the include's text is changed
    bool bad_indent = false;  // nindent/indent by a width that is no layout
    Facts facts;
    if (node.kind == NodeKind::kTemplate) {
      name = node.name;
    } else if (node.pipeline && !node.pipeline->decl.empty()) {
      BindingPtr b = eval_.Pipe(*node.pipeline, file, env, facts, depth);
      Evaluator::Declare(*node.pipeline, b, env, false);
      return;
    } else if (node.pipeline && !node.pipeline->cmds.empty()) {
      const Pipeline& p = *node.pipeline;
      const Command& first = p.cmds[0];
      if (first.args.size() >= 2 && first.args[0].kind == OperandKind::kIdentifier &&
          first.args[0].value == "include") {
        if (first.args[1].kind == OperandKind::kString) name = first.args[1].value;
      }
      for (size_t i = 1; i < p.cmds.size(); ++i) {
        const Command& c = p.cmds[i];
        bool ind = c.args.size() == 2 && c.args[0].kind == OperandKind::kIdentifier &&
                   (c.args[0].value == "nindent" || c.args[0].value == "indent") &&
                   c.args[1].kind == OperandKind::kNumber;
        const std::string& digits = ind ? c.args[1].value : std::string();
        int width = -1;  // a decimal that fits (real charts indent < 40; past it, not layout)
        if (ind) {
          auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), width);
          if (ec != std::errc() || end != digits.data() + digits.size() || width > kMaxIndent) {
            width = -1;
          }
        }
        if (ind) {
          // Past any layout (or not an int): the text still starts its own line, but where
          // its lines land cannot be told, so it is a hole, said so, never expanded.
          indent = c.args[0].value == "nindent" ? kNindent : kIndent;
          n = width >= 0 ? width : kMaxIndent;  // deeper than any key: under the last one
          bad_indent = bad_indent || width < 0;
        } else if (!(c.args.size() == 1 && c.args[0].kind == OperandKind::kIdentifier &&
                     c.args[0].value == "trim")) {
          other = true;
        }
      }
    }
    Origin origin{static_cast<int>(file), node.pos.line, node.pos.column, in_range};
    const Definition* def = name ? chart_.Find(*name) : nullptr;
    // Lines of its own: at the start of a line, after nindent/indent, or a body that begins
    // with a line break ({{define "x"}} without "-}}").
    bool structural = name && !other && !bad_indent &&
                      (indent != kNone || AtLineStart() || StartsWithNewline(def));
    bool nested = name && std::find(stack_.begin(), stack_.end(), *name) != stack_.end();
    bool budget = rendered_ + def_size(def) <= kMaxRendered;
    if (structural && def && depth < kMaxIncludeDepth && !nested && budget) {
      rendered_ += def_size(def);
      if (node.kind == NodeKind::kTemplate) {
        arg = node.pipeline ? eval_.Pipe(*node.pipeline, file, env, facts, depth) : Unknown();
      } else {
        const Command& first = node.pipeline->cmds[0];
        arg = first.args.size() > 2 ? eval_.Arg(first.args[2], file, env, facts, depth) : Unknown();
      }
      if (indent == kNindent) NewLine(offset + n);
      if (indent == kIndent) {
        for (int i = 0; i < n; ++i) Put(' ', Origin{});
      }
      Env inner;
      inner.dot = arg ? arg : Unknown();
      inner.dollar = inner.dot;
      Via v = via;
      if (v.file < 0) {
        v.what =
            PipelineText(node.pipeline ? node.pipeline->span.Of(source) : node.open.Of(source));
        if (node.kind == NodeKind::kTemplate) v.what = std::string(node.open.Of(source));
        v.file = static_cast<int>(file);
        v.pos = node.pos;
      }
      stack_.push_back(*name);
      List(def->node->list, def->file, inner, offset + n, depth + 1, in_range, v);
      stack_.pop_back();
      return;
    }
    Hole hole;
    hole.file = static_cast<int>(file);
    hole.pos = node.pos;
    hole.pipeline = node.pipeline ? &*node.pipeline : nullptr;
    hole.action = std::string(node.span.Of(source));
    hole.what = node.pipeline && node.kind == NodeKind::kAction
                    ? PipelineText(node.pipeline->span.Of(source))
                    : hole.action;
    if (node.kind == NodeKind::kTemplate) {
      BindingPtr a =
          node.pipeline ? eval_.Pipe(*node.pipeline, file, env, hole.facts, depth) : Unknown();
      eval_.Include(node.name, a, hole.facts, depth);
    } else if (node.pipeline) {
      hole.facts.Read(eval_.Pipe(*node.pipeline, file, env, hole.facts, depth));
    }
    if (bad_indent) AddOnce(hole.facts.undecided, "an indentation past any layout");
    if (structural && nested) AddOnce(hole.facts.undecided, "recursive include");
    if (structural && def && depth >= kMaxIncludeDepth) {
      AddOnce(hole.facts.undecided, "includes nest too deep");
    } else if (structural && def && !nested && !budget) {
      AddOnce(hole.facts.undecided, "too much to render: includes expand beyond the budget");
    }
    if (via.file >= 0) {
      hole.via = via.what;
      hole.via_file = via.file;
      hole.via_pos = via.pos;
    }
    if (indent == kNindent) NewLine(offset + n);
    if (indent == kIndent) {
      for (int i = 0; i < n; ++i) Put(' ', Origin{});
    }
    PutHole(std::move(hole), origin);
  }

  bool StartsWithNewline(const Definition* def) const {
    if (!def || def->node->list.empty() || def->node->list[0].kind != NodeKind::kText) {
      return false;
    }
    std::string_view text = def->node->list[0].text.Of(chart_.files()[def->file].source);
    size_t first = text.find_first_not_of(" \t\r");
    return first != std::string_view::npos && text[first] == '\n';
  }

  static size_t def_size(const Definition* def) { return def ? def->node->span.size() : 0; }
  static constexpr int kMaxIndent = 1024;
  size_t output_ = 0;

  // Bytes of define bodies expanded into one file's lines: includes nested kMaxIncludeDepth
  // deep, each using the next several times, would otherwise expand exponentially.
  static constexpr size_t kMaxRendered = 2u << 20;
  bool inline_flow_ = false;  // inside an inline if/with/range: its nested ones are inline too
  int level_ = 0;
  size_t rendered_ = 0;
  const ChartTemplates& chart_;
  Evaluator& eval_;
  std::vector<std::string> stack_;
};

// ---------------------------------------------------------------------------------------------
// Reading the virtual lines as YAML.

struct Entry {
  int indent = 0;
  bool item = false;
  std::string key;
  bool empty_value = false;
  bool has_children = false;
  int container = -1;  // index into DocState::containers for a container item
};

struct PendingContainer {
  Container c;
  int shape = 0;  // 1: spec.template.spec, 2: CronJob's, 3: spec (Pod), 4: template.spec
};

struct PendingNotAnalysable {
  NotAnalysable n;
  int shape = 0;
};

struct DocState {
  bool any = false;  // a key was read
  std::string kind;
  bool kind_seen = false;  // a top-level `kind:` was read (literal or not)
  bool is_hook = false;
  std::vector<std::string> label_reads;
  std::vector<LabelRead> label_sites;
  std::vector<PendingContainer> containers;
  std::vector<PendingNotAnalysable> not_analysable;
};

int Shape(const std::vector<Entry>& stack) {
  // The keys above the container list key (the last entry).
  std::vector<std::string_view> keys;
  for (size_t i = 0; i + 1 < stack.size(); ++i) {
    if (stack[i].item) return 0;
    keys.push_back(stack[i].key);
  }
  using V = std::vector<std::string_view>;
  if (keys == V{"spec", "template", "spec"}) return 1;
  if (keys == V{"spec", "jobTemplate", "spec", "template", "spec"}) return 2;
  if (keys == V{"spec"}) return 3;
  if (keys == V{"template", "spec"}) return 4;
  return 0;
}

bool ShapeFits(const std::string& kind, int shape) {
  static const std::set<std::string> kTemplated = {
      "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController"};
  if (kind.empty()) return shape != 0;
  if (kTemplated.count(kind)) return shape == 1;
  if (kind == "CronJob") return shape == 2;
  if (kind == "Pod") return shape == 3;
  if (kind == "PodTemplate") return shape == 4;
  return shape == 1 || shape == 2;  // custom resources with a pod template (Rollout, …)
}

std::optional<ContainerList> ListKind(std::string_view key) {
  if (key == "containers") return ContainerList::kContainers;
  if (key == "initContainers") return ContainerList::kInitContainers;
  if (key == "ephemeralContainers") return ContainerList::kEphemeralContainers;
  return std::nullopt;
}

std::string Unquote(std::string_view s) {
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front()) {
    return std::string(s.substr(1, s.size() - 2));
  }
  return std::string(s);
}

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\r' || s.back() == '\t' || s.back() == kBranch)) {
    s.remove_suffix(1);
  }
  return s;
}

class Reader {
 public:
  Reader(const ChartTemplates& chart, const Renderer& r, std::string template_path,
         ContainerAnalysis& out)
      : chart_(chart), r_(r), template_path_(std::move(template_path)), out_(out) {}

  void Run() {
    for (const VLine& line : r_.lines) Line(line);
    EndDocument();
  }

 private:
  // The holes of line `l` between bytes [from, to).
  std::vector<const Hole*> HolesIn(const VLine& l, size_t from, size_t to) const {
    std::vector<const Hole*> out;
    size_t k = 0;
    for (size_t i = 0; i < l.s.size() && i < to; ++i) {
      if (l.s[i] != kHole && l.s[i] != kBranch) continue;
      if (i >= from && l.s[i] == kHole) out.push_back(&r_.holes[l.holes[k]]);
      ++k;
    }
    return out;
  }

  Expr MakeExpr(const VLine& l, size_t from, size_t to) const {
    Expr e;
    if (from < l.origin.size()) {
      const Origin& o = l.origin[from];
      e.file = o.file >= 0 ? chart_.files()[static_cast<size_t>(o.file)].path : template_path_;
      e.line = o.line;
      e.column = o.column;
    }
    std::string_view rest = std::string_view(l.s).substr(from, to - from);
    while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\r' || rest.back() == '\t')) {
      rest.remove_suffix(1);  // an {{end}} at the end stays
    }
    size_t k = 0;
    for (size_t i = 0; i < from; ++i) k += l.s[i] == kHole || l.s[i] == kBranch;
    bool any = false;
    for (char c : rest) {
      if (c != kHole && c != kBranch) {
        e.text.push_back(c);
        continue;
      }
      any = true;
      const Hole& h = r_.holes[l.holes[k++]];
      e.text += h.action;
      e.actions.push_back(h.action);
      if (h.pipeline) e.pipelines.push_back(h.pipeline);
      for (const auto& x : h.facts.reads) AddOnce(e.reads, x);
      for (const auto& x : h.facts.includes) AddOnce(e.includes, x);
      e.required = e.required || h.facts.required;
      for (const auto& x : h.facts.defaults) AddOnce(e.defaults, x);
      for (const auto& x : h.facts.undecided) AddOnce(e.undecided, x);
    }
    if (!any) e.literal = Unquote(e.text);
    return e;
  }

  void LabelReads(const VLine& l) {
    bool label = false;
    for (size_t i = 0; i < stack_.size(); ++i) {
      const std::string& k = stack_[i].key;
      if (k == "labels" || k == "annotations" || k == "matchLabels") label = true;
      if (k == "selector" && i == 1 && stack_[0].key == "spec") label = true;
    }
    if (!label) return;
    for (int h : l.holes) {
      const Hole& hole = r_.holes[h];
      for (const auto& x : hole.facts.reads) {
        if (std::find(doc_.label_reads.begin(), doc_.label_reads.end(), x) !=
            doc_.label_reads.end()) {
          continue;
        }
        doc_.label_reads.push_back(x);
        doc_.label_sites.push_back(
            {x, chart_.files()[hole.file].path, hole.pos.line, hole.pos.column});
      }
    }
  }

  void EndDocument() {
    for (PendingContainer& p : doc_.containers) {
      if (!ShapeFits(doc_.kind, p.shape)) continue;
      p.c.workload_kind = doc_.kind;
      p.c.is_hook = doc_.is_hook;
      p.c.label_reads = doc_.label_reads;
      out_.containers.push_back(std::move(p.c));
    }
    if (doc_.any) {
      Document d;
      d.template_path = template_path_;
      d.kind = doc_.kind;
      d.is_hook = doc_.is_hook;
      d.label_reads = doc_.label_reads;
      d.label_sites = doc_.label_sites;
      for (const PendingContainer& p : doc_.containers) {
        d.has_pod_template = d.has_pod_template || ShapeFits(doc_.kind, p.shape);
      }
      for (const PendingNotAnalysable& p : doc_.not_analysable) {
        d.has_pod_template = d.has_pod_template || ShapeFits(doc_.kind, p.shape);
      }
      out_.documents.push_back(std::move(d));
    }
    std::set<std::string> seen;  // one per place and reason: a hole expanded many times
    for (PendingNotAnalysable& p : doc_.not_analysable) {
      if (!ShapeFits(doc_.kind, p.shape) || !seen.insert(p.n.ToString()).second) continue;
      out_.not_analysable.push_back(std::move(p.n));
    }
    doc_ = DocState{};
    stack_.clear();
    block_indent_ = -1;
  }

  void Pop(std::function<bool(const Entry&)> pop) {
    while (!stack_.empty() && pop(stack_.back())) stack_.pop_back();
  }

  // The container list key on top of the stack and its shape, or 0.
  int ListShape() const {
    if (stack_.empty() || stack_.back().item || !ListKind(stack_.back().key)) return 0;
    return Shape(stack_);
  }

  void AddNotAnalysable(const Hole& h, int shape, std::string_view what) {
    NotAnalysable n;
    n.template_path = template_path_;
    int file = h.via_file >= 0 ? h.via_file : h.file;
    Pos pos = h.via_file >= 0 ? h.via_pos : h.pos;
    n.file = chart_.files()[file].path;
    n.line = pos.line;
    n.column = pos.column;
    n.reason = fmt::format("{} rendered by {}", what, h.via_file >= 0 ? h.via : h.what);
    if (h.via_file >= 0) {
      std::string inner = h.what.size() > 60 ? h.what.substr(0, 57) + "..." : h.what;
      n.reason += fmt::format(" ({})", inner);
    }
    if (!h.facts.reads.empty()) {
      std::string reads;
      for (const auto& x : h.facts.reads) reads += (reads.empty() ? "" : ", ") + x;
      n.reason += " reading " + reads;
    }
    for (const auto& u : h.facts.undecided) n.reason += "; " + u;
    doc_.not_analysable.push_back({std::move(n), shape});
  }

  void Line(const VLine& l) {
    std::string_view s = l.s;
    size_t indent = s.find_first_not_of(' ');
    if (indent == std::string_view::npos) return;
    std::string_view rest = TrimRight(s.substr(indent));
    if (rest.empty() || rest[0] == '#') return;
    if (block_indent_ >= 0) {
      if (static_cast<int>(indent) > block_indent_) return;
      block_indent_ = -1;
    }
    if (indent == 0 && (rest == "---" || rest.substr(0, 4) == "--- ")) {
      EndDocument();
      return;
    }
    if (rest[0] == '-' && (rest.size() == 1 || rest[1] == ' ')) {
      int i = static_cast<int>(indent);
      Pop([&](const Entry& e) { return e.indent > i || (e.item && e.indent == i); });
      Entry item;
      item.indent = i;
      item.item = true;
      int shape = ListShape();
      if (!stack_.empty()) stack_.back().has_children = true;
      if (shape) {
        PendingContainer p;
        p.shape = shape;
        Container& c = p.c;
        c.template_path = template_path_;
        const Origin& o = l.origin[indent];
        c.file = o.file >= 0 ? chart_.files()[o.file].path : template_path_;
        c.line = o.line;
        c.column = o.column;
        c.in_range = o.in_range;
        c.list = *ListKind(stack_.back().key);
        item.container = static_cast<int>(doc_.containers.size());
        doc_.containers.push_back(std::move(p));
      }
      stack_.push_back(item);
      size_t inner = s.find_first_not_of(' ', indent + 1);
      if (inner == std::string_view::npos) return;
      if (shape && s[inner] == '{') {
        const Origin& o = l.origin[inner];
        NotAnalysable n{template_path_, o.file >= 0 ? chart_.files()[o.file].path : template_path_,
                        o.line, o.column, "a container written as a flow mapping"};
        doc_.not_analysable.push_back({std::move(n), shape});
        return;
      }
      if (s[inner] == kHole && KeyEnd(s, inner) == std::string_view::npos) {
        BlockHole(l, inner);
        return;
      }
      KeyLine(l, inner);
      return;
    }
    size_t end = KeyEnd(s, indent);
    if (end == std::string_view::npos) {
      if (s[indent] == kHole) BlockHole(l, indent);
      return;
    }
    int i = static_cast<int>(indent);
    Pop([&](const Entry& e) { return e.indent >= i; });
    KeyLine(l, indent);
  }

  // A line whose content starts with a hole that is not a key: opaque YAML at that indent.
  void BlockHole(const VLine& l, size_t at) {
    int i = static_cast<int>(at);
    Pop([&](const Entry& e) { return e.indent > i; });
    if (!stack_.empty() && stack_.back().item && stack_.back().indent == i) {
      stack_.pop_back();  // a sibling of that item: more items of the same list
    } else if (!stack_.empty() && stack_.back().indent == i &&
               !(stack_.back().empty_value && !stack_.back().has_children)) {
      stack_.pop_back();  // a sibling key
    }
    LabelReads(l);
    std::vector<const Hole*> hs = HolesIn(l, at, l.s.size());
    if (hs.empty()) return;
    if (int shape = ListShape()) {
      AddNotAnalysable(*hs[0], shape, ContainerListName(*ListKind(stack_.back().key)));
      return;
    }
    if (!stack_.empty() && stack_.back().item && stack_.back().container >= 0) {
      for (const Hole* h : hs) {
        doc_.containers[stack_.back().container].c.opaque.push_back(h->action);
      }
    }
  }

  // Where the key of a "key: value" line starting at `at` ends (its ':'), or npos.
  static size_t KeyEnd(std::string_view s, size_t at) {
    size_t i = at;
    if (i < s.size() && (s[i] == '"' || s[i] == '\'')) {
      size_t close = s.find(s[i], i + 1);
      if (close == std::string_view::npos) return std::string_view::npos;
      i = close + 1;
    }
    if (i < s.size() && (s[i] == '{' || s[i] == '[')) return std::string_view::npos;
    for (; i < s.size(); ++i) {
      if (s[i] == ':' && (i + 1 == s.size() || s[i + 1] == ' ' || s[i + 1] == '\t')) return i;
      if (s[i] == ' ' && i + 1 < s.size() && s[i + 1] == '#') return std::string_view::npos;
    }
    return std::string_view::npos;
  }

  // Where a "#" comment starts in the value from `at` (outside quotes), or the line's end.
  static size_t CommentAt(std::string_view s, size_t at) {
    char quote = 0;
    for (size_t i = at; i < s.size(); ++i) {
      char c = s[i];
      if (quote) {
        if (c == quote) quote = 0;
        continue;
      }
      bool start = i == at || s[i - 1] == ' ' || s[i - 1] == '\t';
      if (c == '#' && start) return i;
      if ((c == '"' || c == '\'') && start) quote = c;
    }
    return s.size();
  }

  void KeyLine(const VLine& l, size_t at) {
    std::string_view s = l.s;
    size_t colon = KeyEnd(s, at);
    if (colon == std::string_view::npos) return;
    std::string key = Unquote(TrimRight(s.substr(at, colon - at)));
    size_t value_at = s.find_first_not_of(std::string_view(" \x02", 2), colon + 1);
    size_t value_end = CommentAt(s, colon + 1);
    std::string_view value = value_at == std::string_view::npos || value_at >= value_end
                                 ? std::string_view()
                                 : TrimRight(s.substr(value_at, value_end - value_at));
    Entry* parent = stack_.empty() ? nullptr : &stack_.back();
    if (parent) parent->has_children = true;
    doc_.any = true;
    if (!parent && key == "kind") {
      // Written again (in an {{else}}): the kind is told only when every one is the same literal.
      std::string kind = value.find(kHole) == std::string_view::npos &&
                                 value.find(kBranch) == std::string_view::npos
                             ? Unquote(value)
                             : std::string();
      if (!doc_.kind_seen) {
        doc_.kind = kind;
      } else if (doc_.kind != kind) {
        doc_.kind.clear();
      }
      doc_.kind_seen = true;
    }
    if (key == "helm.sh/hook" && stack_.size() == 2 && stack_[0].key == "metadata" &&
        stack_[1].key == "annotations") {
      doc_.is_hook = true;
    }
    if (parent && parent->item && parent->container >= 0 && !value.empty()) {
      Container& c = doc_.containers[parent->container].c;
      size_t expr_at = s.find_first_not_of(' ', colon + 1);  // from a leading {{if}}
      if (key == "name") c.name = MakeExpr(l, expr_at, value_end);
      // Written again in the item: another branch of an {{if}}; the first stays first.
      auto set = [&](std::optional<Expr>& first, std::vector<Expr>& others) {
        if (first) {
          others.push_back(MakeExpr(l, expr_at, value_end));
        } else {
          first = MakeExpr(l, expr_at, value_end);
        }
      };
      if (key == "image") set(c.image, c.other_images);
      if (key == "imagePullPolicy") set(c.pull_policy, c.other_pull_policies);
    }
    Entry e;
    e.indent = static_cast<int>(at);
    e.key = key;
    e.empty_value = value.empty();
    stack_.push_back(e);
    LabelReads(l);
    if (!value.empty() && (value[0] == '|' || value[0] == '>')) block_indent_ = e.indent;
    if (!value.empty() && ListKind(key)) {
      int shape = ListShape();
      if (!shape) return;
      std::vector<const Hole*> hs = HolesIn(l, value_at, value_end);
      if (!hs.empty()) {
        AddNotAnalysable(*hs[0], shape, key);
        // Mid-line, a multi-line text's later lines land at an indentation the template does
        // not show.
        doc_.not_analysable.back().n.reason +=
            "; written after the key, its indentation cannot be told";
      } else if (value != "[]") {
        const Origin& o = l.origin[value_at];
        NotAnalysable n{template_path_, o.file >= 0 ? chart_.files()[o.file].path : template_path_,
                        o.line, o.column, fmt::format("{} written as a flow sequence", key)};
        doc_.not_analysable.push_back({std::move(n), shape});
      }
    }
  }

  const ChartTemplates& chart_;
  const Renderer& r_;
  std::string template_path_;
  ContainerAnalysis& out_;
  DocState doc_;
  std::vector<Entry> stack_;
  int block_indent_ = -1;
};

// templates/… .yaml/.yml/.tpl files that Helm renders to manifests: not helpers (_*), not
// NOTES.txt.
bool IsManifest(std::string_view path) {
  size_t slash = path.rfind('/');
  std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  if (base.empty() || base[0] == '_') return false;
  if (base == "NOTES.txt") return false;
  auto ends = [&](std::string_view suffix) {
    return base.size() >= suffix.size() && base.substr(base.size() - suffix.size()) == suffix;
  };
  return ends(".yaml") || ends(".yml") || ends(".tpl");
}

}  // namespace

ContainerAnalysis AnalyseContainers(const ChartTemplates& chart) {
  ContainerAnalysis out;
  for (size_t f = 0; f < chart.files().size(); ++f) {
    const TemplateFile& file = chart.files()[f];
    if (!IsManifest(file.path)) continue;
    ++out.templates_rendered;
    Evaluator eval(chart);
    Renderer renderer(chart, eval);
    Env env;
    renderer.List(file.tree.root, f, env, 0, 0, false, Via{});
    if (renderer.overflow) {
      out.not_analysable.push_back(
          {file.path, file.path, 1, 1,
           fmt::format("the file renders more than {} bytes of YAML (includes and indentation "
                       "included)",
                       Renderer::kMaxOutput)});
      continue;
    }
    Reader reader(chart, renderer, file.path, out);
    reader.Run();
  }
  return out;
}

}  // namespace imagepin::tmpl
