// The effective images of one environment's applications (apps::LoadApplication), keyed so that
// the same application can be found in another environment: its environment overlay's path
// relative to the environment directory ("apps/api.yaml", for api-dev from an ApplicationSet and
// for the convention's apps/api alike), else its name; then the image's key path as the fields
// spell it ("image.ref"). `inventory` and `promote` read environments this way, so a value an
// environment inherits (from `_shared`, a chart default, a declared value file) is seen, and so
// is the layer it comes from.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "apps/application.h"
#include "apps/effective.h"
#include "apps/load.h"
#include "base/diagnostic.h"
#include "policy/config.h"

namespace imagepin::plan {

// One effective image of one application in one environment.
struct AppImage {
  const apps::LoadedApplication* loaded = nullptr;
  const apps::EffectiveImage* image = nullptr;
  std::string identity;  // "apps/api.yaml", or the app's name when it has no overlay here
  std::string key_path;  // as scan::ImageField names it: "image.ref", "migrations.image.ref"
  std::string key;       // identity#0:key_path — EnvironmentField::key of the overlay's field
  int own_layer = -1;    // the environment's own overlay among the app's layers; -1: none
  int decided_by = -1;   // the layer the reference (for the split form: its digest) comes from

  // The value comes from a layer other than the environment's own overlay.
  bool inherited() const { return decided_by >= 0 && decided_by != own_layer; }
  const apps::Layer& Layer(int i) const { return loaded->app.layers[static_cast<size_t>(i)]; }
  // The part that decides the reference (ref for the string and ref forms, else the digest, else
  // the highest part set).
  const apps::Part& Deciding() const;
};

// An application whose chart requires `image.ref` (apps::RequiresImageRef) and no layer sets it.
struct MissingImageRef {
  const apps::LoadedApplication* loaded = nullptr;
  std::string identity;
  std::string key;  // identity#0:image.ref
};

struct AppEnvironment {
  std::string root;  // the repository, as given: overlays to write are opened below it
  std::string name;
  std::string dir;                                             // as configured
  std::vector<std::unique_ptr<apps::LoadedApplication>> apps;  // owned: the pointers stay valid
  std::vector<AppImage> images;  // by application, then the order of its image sites
  std::vector<MissingImageRef> missing_ref;
  std::unordered_map<std::string, size_t> by_key;  // key → index in images (the first)
  std::vector<base::Diagnostic> problems;          // layers that could not be read or parsed

  const AppImage* Find(const std::string& key) const;
  // The relative path (to `dir`) of `path`, or empty when it is not below `dir`.
  std::string Relative(const std::string& path) const;
};

// The key path a scan::ImageField gives the image at `image`: the ref form's key is `….ref`.
std::string FieldKeyPath(const apps::EffectiveImage& image);

// The applications of one environment, loaded, keyed. Pure over what LoadApplication read.
AppEnvironment MakeAppEnvironment(const policy::Config& config, std::string name, std::string dir,
                                  std::vector<apps::LoadedApplication> loaded);

// Loads every application of `found` (apps::FindApplications) deployed in environment `name`.
AppEnvironment LoadAppEnvironment(const std::string& root, const policy::Config& config,
                                  const std::string& name,
                                  const std::vector<apps::Application>& found);

}  // namespace imagepin::plan
