// The rules that need an application's whole values stack (docs/rules.md): IP010 (a first-party
// app without an effective image.ref), IP011 (a layer that changes the image but inherits the
// digest), IP005 on a chart default no layer overrides, and IP001 on a reference whose parts
// only meet in the merge. What one file shows alone stays the per-file rules' (policy/), so no
// mistake is reported twice.
#pragma once

#include <vector>

#include "apps/application.h"
#include "apps/chart_rules.h"
#include "apps/effective.h"
#include "apps/layered.h"
#include "policy/config.h"
#include "policy/finding.h"

namespace imagepin::apps {

// True if the app's chart is in the repository and its values.yaml declares `image.ref` (the
// first-party contract: every environment must set it, and the template `required`s it), or
// the app's name matches `applications.requireRef`.
bool RequiresImageRef(const policy::Config& config, const Application& app,
                      const LayeredValues& values);
// The chart half of RequiresImageRef.
bool ChartRequiresImageRef(const Application& app, const LayeredValues& values);

// Appends the findings of one app; `values` holds the app's layers in order, `images` its
// effective images (FindEffectiveImages), `chart` what its chart's templates read (IP013 on a
// pull policy value, IP014 on a tag put into labels), when the templates were checked.
void EvaluateApplication(const policy::Config& config, const Application& app,
                         const LayeredValues& values, const std::vector<EffectiveImage>& images,
                         std::vector<policy::Finding>* out, const ChartFacts* chart = nullptr);

}  // namespace imagepin::apps
