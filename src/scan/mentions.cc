#include "scan/mentions.h"

#include <algorithm>
#include <string>
#include <vector>

#include "base/utf8.h"
#include "scan/extract.h"
#include "yaml/key_path.h"

namespace imagepin::scan {
namespace {

using yaml::Document;
using yaml::kNoNode;
using yaml::NodeId;
using yaml::NodeKind;

bool IsUpperWordChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Text only a renderer or the kubelet can tell: a Helm template, `$(VAR)` expansion, a shell or
// envsubst `${VAR}`, ko's build-time `ko://` placeholder.
bool IsPlaceholderText(std::string_view v) {
  return v.find("{{") != std::string_view::npos || v.find("$(") != std::string_view::npos ||
         v.find("${") != std::string_view::npos || v.starts_with("ko://");
}

// Could be an image reference as written: one word, with a `/`, `:` or `@` (a bare word such as
// `true` or `1` in a variable named *_IMAGE is a switch, not an image), not a URL or a path.
bool LooksLikeImageText(std::string_view v) {
  if (v.empty() || v.size() > 4096) return false;
  if (v.find_first_of(" \t\r\n\"'") != std::string_view::npos) return false;
  if (v.find("://") != std::string_view::npos) return false;
  if (v.front() == '/' || v.front() == '.' || v.front() == '-') return false;
  if (v.find_first_of("/:@") == std::string_view::npos) return false;
  return std::any_of(v.begin(), v.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); });
}

// A reference that says it is one: a registry host first (a `.` or a port, or localhost), then
// a tag or a digest. `kube-system/kubelet`, `127.0.0.1:8080` and `example.com/path` are not.
bool LooksLikeQualifiedReference(std::string_view v) {
  if (!LooksLikeImageText(v)) return false;
  for (char c : v) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-' || c == '/' || c == ':' || c == '@';
    if (!ok) return false;
  }
  size_t slash = v.find('/');
  if (slash == std::string_view::npos) return false;
  std::string_view host = v.substr(0, slash);
  if (host.find_first_of(".:") == std::string_view::npos && host != "localhost") return false;
  std::string_view last = v.substr(v.rfind('/') + 1);
  return last.find(':') != std::string_view::npos || v.find('@') != std::string_view::npos;
}

bool EndsWithImage(std::string_view flag) {
  return flag == "image" || flag.ends_with("-image") || flag.ends_with("_image") ||
         (flag.size() > 5 && flag.ends_with("Image"));
}

// A flag given its value as the next argument names an image when it ends in `image` or has
// `image` as a word before a qualifier (`-shell-image-win`); the value must still look like one.
bool NamesAnImage(std::string_view flag) {
  if (EndsWithImage(flag)) return true;
  size_t at = flag.find("-image-");
  if (at == std::string_view::npos) return false;
  std::string_view rest = flag.substr(at + 7);
  return !rest.starts_with("pull") && !rest.starts_with("secret");
}

// The flag's name when `arg` is a flag alone (`-shell-image`, `--sidecar-image`: the value is
// the next argument, as Go's flag package and most CLIs accept) that names an image.
std::string_view FlagNamingAnImage(std::string_view arg) {
  size_t dashes = arg.find_first_not_of('-');
  if (dashes == 0 || dashes == std::string_view::npos || dashes > 2) return {};
  if (arg.find_first_of("= \t") != std::string_view::npos) return {};
  std::string_view flag = arg.substr(dashes);
  return NamesAnImage(flag) ? flag : std::string_view();
}

bool IsArgsKey(std::string_view key) {
  return key == "args" || key == "command" || key.ends_with("Args");
}

// What could be a mention, judged on one scalar's value: the test of the pass over nodes, as
// strict as the walk's (an argument that names a reference, a flag naming an image, an image
// env name), so that a document whose flags name only paths and addresses is not walked.
bool MayBeMention(std::string_view v) {
  if (v.size() > 2 && v[0] == '-')
    return !ArgumentReference(v).empty() || !FlagNamingAnImage(v).empty();
  return v.size() >= 6 && (v.back() == 'E' || v.front() == 'R') && IsImageEnvName(v);
}

class MentionFinder {
 public:
  MentionFinder(const Document& doc, DocumentFields* out) : doc_(doc), out_(out) {
    NodeId root = doc.root();
    if (root != kNoNode && doc.node(root).kind == NodeKind::kMapping) {
      NodeId kind = doc.Get(root, "kind");
      if (kind != kNoNode && doc.node(kind).kind == NodeKind::kScalar) kind_ = doc.Value(kind);
    }
  }

  void Walk(NodeId id) {
    if (id == kNoNode) return;
    const yaml::Node& n = doc_.node(id);
    if (n.kind == NodeKind::kSequence) {
      size_t i = 0;
      for (NodeId item = n.first_child; item != kNoNode; item = doc_.node(item).next_sibling, ++i) {
        if (!IsCollection(item)) continue;
        path_.PushIndex(i);
        Walk(item);
        path_.Pop();
      }
      return;
    }
    if (n.kind != NodeKind::kMapping) return;
    NodeId name = doc_.Get(id, "name"), value = doc_.Get(id, "value");
    if (IsScalar(name) && IsScalar(value) && IsImageEnvName(doc_.Value(name))) {
      path_.PushKey("value");
      EnvMention(value);
      path_.Pop();
    }
    for (NodeId k = n.first_child; k != kNoNode;) {
      NodeId v = doc_.node(k).next_sibling;
      if (v == kNoNode) break;
      if (IsCollection(v) && doc_.node(k).kind == NodeKind::kScalar) {
        std::string_view key = doc_.Value(k);
        path_.PushKey(key);
        if (IsArgsKey(key) && doc_.node(v).kind == NodeKind::kSequence) {
          Arguments(v);
        } else {
          Walk(v);
        }
        path_.Pop();
      }
      k = doc_.node(v).next_sibling;
    }
  }

 private:
  bool IsScalar(NodeId id) const {
    return id != kNoNode && doc_.node(id).kind == NodeKind::kScalar;
  }
  bool IsCollection(NodeId id) const {
    return id != kNoNode &&
           (doc_.node(id).kind == NodeKind::kMapping || doc_.node(id).kind == NodeKind::kSequence);
  }

  ImageField NewMention(const Scalar& at) const {
    ImageField f;
    f.form = FieldForm::kMention;
    f.document = doc_.index();
    f.key_path = path_.str();
    f.line = at.line;
    f.column = at.column;
    f.source_line = at.source_line;
    f.workload_kind = std::string(kind_);
    return f;
  }

  void EnvMention(NodeId value) {
    Scalar s = MakeScalar(doc_, value);
    if (!s.present) return;
    bool placeholder = IsPlaceholderText(s.value);
    if (!placeholder && !LooksLikeImageText(s.value)) return;
    ImageField f = NewMention(s);
    f.reference = s.value;
    f.templated = placeholder;
    f.ref = std::move(s);
    out_->images.push_back(std::move(f));
  }

  void Arguments(NodeId list) {
    size_t i = 0;
    bool after_image_flag = false;  // the previous argument was `-x-image` without a value
    for (NodeId item = doc_.node(list).first_child; item != kNoNode;
         item = doc_.node(item).next_sibling, ++i) {
      bool value_of_flag = after_image_flag;
      after_image_flag = false;
      if (!IsScalar(item)) continue;
      std::string_view arg = doc_.Value(item);
      if (value_of_flag && (IsPlaceholderText(arg) || LooksLikeImageText(arg))) {
        path_.PushIndex(i);
        Scalar s = MakeScalar(doc_, item);
        ImageField f = NewMention(s);
        f.reference = s.value;
        f.templated = IsPlaceholderText(arg);
        f.ref = std::move(s);
        path_.Pop();
        out_->images.push_back(std::move(f));
        continue;
      }
      if (!FlagNamingAnImage(arg).empty()) {
        after_image_flag = true;
        continue;
      }
      std::string_view reference = ArgumentReference(arg);
      if (reference.empty()) continue;
      path_.PushIndex(i);
      Scalar s = MakeScalar(doc_, item);
      ImageField f = NewMention(s);
      f.reference = std::string(reference);
      f.templated = IsPlaceholderText(reference);
      // The reference's own span inside the argument, so that a rewrite replaces only it; or,
      // when the file's bytes are not the value's, the whole argument's place, not rewritable.
      if (std::optional<Scalar> sub = ScalarSuffix(doc_, item, arg.size() - reference.size())) {
        f.ref = std::move(*sub);
      } else {
        s.value = std::string(reference);
        s.rewritable = false;
        f.ref = std::move(s);
      }
      path_.Pop();
      out_->images.push_back(std::move(f));
    }
  }

  const Document& doc_;
  DocumentFields* out_;
  yaml::KeyPath path_;
  std::string_view kind_;
};

}  // namespace

bool IsImageEnvName(std::string_view name) {
  bool shaped = (name.starts_with("RELATED_IMAGE_") && name.size() > 14) ||
                (name.ends_with("_IMAGE") && name.size() > 6);
  return shaped && std::all_of(name.begin(), name.end(), IsUpperWordChar);
}

std::string_view ArgumentReference(std::string_view arg) {
  size_t dashes = arg.find_first_not_of('-');
  if (dashes == 0 || dashes == std::string_view::npos || dashes > 2) return {};
  size_t eq = arg.find('=');
  if (eq == std::string_view::npos || eq <= dashes) return {};
  std::string_view flag = arg.substr(dashes, eq - dashes);
  std::string_view value = arg.substr(eq + 1);
  if (EndsWithImage(flag)) {
    return IsPlaceholderText(value) || LooksLikeImageText(value) ? value : std::string_view();
  }
  return LooksLikeQualifiedReference(value) ? value : std::string_view();
}

void ExtractMentions(const yaml::Document& doc, DocumentFields* out) {
  // One pass over the nodes first: most documents have nothing that could be a mention, and
  // this costs a few byte compares per scalar where a walk would cost the tree.
  bool any = false;
  for (size_t i = 0; i < doc.node_count() && !any; ++i) {
    NodeId id = static_cast<NodeId>(i);
    if (doc.node(id).kind == NodeKind::kScalar) any = MayBeMention(doc.Value(id));
  }
  if (!any) return;
  MentionFinder finder(doc, out);
  finder.Walk(doc.root());
}

void DropMentions(DocumentFields* fields) {
  std::erase_if(fields->images, [](const ImageField& f) { return f.form == FieldForm::kMention; });
}

}  // namespace imagepin::scan
