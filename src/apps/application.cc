#include "apps/application.h"

namespace imagepin::apps {

const char* LayerRoleName(LayerRole role) {
  switch (role) {
    case LayerRole::kChart:
      return "chart";
    case LayerRole::kGlobal:
      return "global";
    case LayerRole::kShared:
      return "shared";
    case LayerRole::kEnvironment:
      return "env";
    case LayerRole::kDeclared:
      return "declared";
    case LayerRole::kInline:
      return "inline";
    case LayerRole::kParameters:
      return "parameters";
  }
  return "?";
}

}  // namespace imagepin::apps
