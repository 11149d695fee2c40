#include "plan/app_images.h"

#include <fmt/format.h>

#include "apps/rules.h"

namespace imagepin::plan {

const apps::Part& AppImage::Deciding() const {
  if (image->form != apps::SiteForm::kSplit) return image->ref;
  if (image->digest.present()) return image->digest;
  for (const apps::Part* p : {&image->repository, &image->tag, &image->registry}) {
    if (p->layer == image->TopLayer()) return *p;
  }
  return image->digest;
}

const AppImage* AppEnvironment::Find(const std::string& key) const {
  auto it = by_key.find(key);
  return it == by_key.end() ? nullptr : &images[it->second];
}

std::string AppEnvironment::Relative(const std::string& path) const {
  std::string prefix = dir;
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  prefix += '/';
  return path.size() > prefix.size() && path.compare(0, prefix.size(), prefix) == 0
             ? path.substr(prefix.size())
             : std::string();
}

std::string FieldKeyPath(const apps::EffectiveImage& image) {
  return image.form == apps::SiteForm::kRef ? image.key_path + ".ref" : image.key_path;
}

AppEnvironment MakeAppEnvironment(const policy::Config& config, std::string name, std::string dir,
                                  std::vector<apps::LoadedApplication> loaded) {
  AppEnvironment env;
  env.name = std::move(name);
  env.dir = std::move(dir);
  for (apps::LoadedApplication& l : loaded) {
    const apps::LoadedApplication* app =
        env.apps.emplace_back(std::make_unique<apps::LoadedApplication>(std::move(l))).get();
    env.problems.insert(env.problems.end(), app->problems.begin(), app->problems.end());
    int own = -1;
    std::string identity;
    for (size_t i = 0; i < app->app.layers.size(); ++i) {
      const apps::Layer& layer = app->app.layers[i];
      if (layer.role != apps::LayerRole::kEnvironment) continue;
      if (std::string relative = env.Relative(layer.path); !relative.empty()) {
        own = static_cast<int>(i);
        identity = relative;
      }
    }
    if (identity.empty()) identity = app->app.name;
    bool has_ref = false;
    for (const apps::EffectiveImage& image : app->images) {
      if (image.reference.empty()) continue;  // `ref: ""`: the chart's placeholder
      if (image.key_path == "image" && image.form == apps::SiteForm::kRef) has_ref = true;
      AppImage a;
      a.loaded = app;
      a.image = &image;
      a.identity = identity;
      a.key_path = FieldKeyPath(image);
      a.key = fmt::format("{}#0:{}", identity, a.key_path);
      a.own_layer = own;
      a.decided_by = a.Deciding().layer;
      if (a.decided_by < 0) a.decided_by = image.TopLayer();
      env.by_key.emplace(a.key, env.images.size());
      env.images.push_back(std::move(a));
    }
    if (!has_ref && app->problems.empty() &&
        apps::RequiresImageRef(config, app->app, app->values)) {
      env.missing_ref.push_back({app, identity, fmt::format("{}#0:image.ref", identity)});
    }
  }
  return env;
}

AppEnvironment LoadAppEnvironment(const std::string& root, const policy::Config& config,
                                  const std::string& name,
                                  const std::vector<apps::Application>& found) {
  std::vector<apps::LoadedApplication> loaded;
  for (const apps::Application& app : found) {
    if (app.environment == name) loaded.push_back(apps::LoadApplication(config, root, app));
  }
  const policy::Environment* env = config.FindEnvironment(name);
  AppEnvironment out =
      MakeAppEnvironment(config, name, env ? env->path : std::string(), std::move(loaded));
  out.root = root;
  return out;
}

}  // namespace imagepin::plan
