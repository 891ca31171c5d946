#include "flow_session.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "targets/energies.hpp"
#include "model_json.hpp"
#include "flows/flow.hpp"
#include "flows/flow_spec.hpp"
#include "targets/expression.hpp"
#include "vi/reverse_kl.hpp"
#include "vi/target_log_z.hpp"

namespace nfvi {
namespace {

// The page keeps every cached layer output of a step in wasm memory:
// layers x samples x 2 doubles. 5e6 points is 80 MB, plenty for the page.
constexpr double kMaxLayerSamples = 5e6;
constexpr double kMaxSeed = 9007199254740991.0;  // 2^53 - 1, the largest exact integer in JavaScript

// A second stream for pictures: the same seed, a different generator state.
constexpr std::uint64_t kDisplayStream = 0x6e66766920646973ULL;

std::uint64_t checked_seed(double seed) {
  if (!(seed >= 0 && seed <= kMaxSeed) || std::floor(seed) != seed)
    throw std::invalid_argument("seed must be a whole number from 0 to 2^53 - 1");
  return static_cast<std::uint64_t>(seed);
}

TrainingConfig checked_config(const Target& target, const std::string& flow, int samples, double learning_rate,
                              double seed) {
  const FlowSpecCheck spec = check_flow_spec(flow);
  if (!spec.error.empty()) throw FlowSpecError(spec.error);
  const int layers = spec.layers;
  if (samples < 1 || samples > 100000) throw std::invalid_argument("samples must be a whole number from 1 to 100000");
  if (static_cast<double>(layers + 1) * samples > kMaxLayerSamples)
    throw std::invalid_argument("(layers + 1) x samples must be at most 5000000 in the browser");
  if (!(learning_rate > 0 && learning_rate <= 1))
    throw std::invalid_argument("learning rate must be a number in (0, 1]");
  TrainingConfig config;
  if (const auto potential = potential_from_name(target.spec.name)) config.potential = *potential;
  config.target = target;
  config.flow = flow;
  config.samples = samples;
  config.learning_rate = learning_rate;
  config.seed = checked_seed(seed);
  return config;
}

// A target the page can show: two-dimensional, and (for a library name) one of page_target_names().
Target page_target(const TargetSpec& spec) {
  if (!spec.name.empty()) {
    const auto names = page_target_names();
    if (std::find(names.begin(), names.end(), spec.name) == names.end()) {
      std::string list;
      for (const auto& name : names) list += (list.empty() ? "" : ", ") + name;
      throw std::invalid_argument("unknown energy '" + spec.name + "' (the page has " + list + ", and custom)");
    }
  }
  Target target = make_target(spec);
  if (target.dim != 2)
    throw std::invalid_argument("the page shows 2-D targets only; this one has dimension " +
                                std::to_string(target.dim));
  return target;
}

void check_bins(int bins) {
  if (bins < 1 || bins > 1000) throw std::invalid_argument("bins must be a whole number from 1 to 1000");
}

void check_display_samples(int samples, int limit) {
  if (samples < 1 || samples > limit)
    throw std::invalid_argument("samples to draw must be a whole number from 1 to " + std::to_string(limit));
}

}  // namespace

FlowSpecCheck check_flow_spec(const std::string& spec) {
  FlowSpecCheck check;
  try {
    const auto layers = make_flow_layers(2, spec, kMaxPageFlowParameters);
    check.flow = flow_spec_of(layers);
    check.layers = static_cast<int>(layers.size());
    check.parameters = 4;
    for (const auto& layer : layers) check.parameters += static_cast<double>(layer->parameter_count());
  } catch (const FlowSpecError& e) {
    check = FlowSpecCheck{};
    check.error = e.what();
  }
  return check;
}

TargetCheck check_target_expression(const std::string& expression, const Box& box) {
  TargetCheck check;
  if (!is_valid_box(box)) {
    check.error = "the box must have finite xmin < xmax and ymin < ymax";
    return check;
  }
  Target target;
  try {
    target = make_expression_target(expression, 2, box);
  } catch (const ExpressionError& e) {
    check.error = e.what();
    check.column = e.column();
    return check;
  } catch (const std::exception& e) {
    check.error = e.what();
    return check;
  }
  // A coarse look over the box (the session's quadrature takes 2001 x 2001 points).
  try {
    const BoxLogPartition coarse = log_partition_over_box(target.energy, box, 101);
    if (coarse.edge_ratio > kNegligibleEdgeDensity) {
      char text[160];
      std::snprintf(text, sizeof text,
                    "the density at the edge of the box is %.2g of its peak: log Z and so the true KL may be wrong; "
                    "widen the box",
                    coarse.edge_ratio);
      check.warning = text;
    }
  } catch (const std::domain_error& e) {
    check.warning = std::string(e.what()) + ": log Z cannot be found there, so training would stop";
  }
  return check;
}

std::vector<std::string> page_target_names() {
  std::vector<std::string> names;
  for (const LibraryEntry& entry : target_library())
    if (entry.default_dim == 2 && !entry.any_dim) names.push_back(entry.name);
  return names;
}

void FlowSession::start(const Target& target, const TrainingConfig& config) {
  TargetLogZ log_z;
  try {
    log_z = target_log_z(target);
  } catch (const std::domain_error& e) {
    throw std::invalid_argument(std::string(e.what()) + ", so log Z cannot be found (change the energy or the box)");
  }
  target_ = target;
  trainer_ = std::make_unique<FlowTrainer>(config);
  log_z_ = *log_z.value;  // every 2-D target has one
  log_z_method_ = log_z.method;
  log_z_warning_ = log_z.warning("the box");
}

FlowSession::FlowSession(const TargetSpec& target, const std::string& flow, int samples, double learning_rate,
                         double seed)
    : display_rng_(checked_seed(seed) ^ kDisplayStream) {
  const Target t = page_target(target);
  start(t, checked_config(t, flow, samples, learning_rate, seed));
}

FlowSession::FlowSession(const std::string& model_json, int samples, double learning_rate, double seed)
    : display_rng_(checked_seed(seed) ^ kDisplayStream) {
  const FlowModel model = flow_model_from_text(model_json);
  if (model.dim != 2)
    throw std::invalid_argument("the page shows 2-D flows only; this model has dim " + std::to_string(model.dim));
  const Target t = page_target(model.target ? *model.target : TargetSpec{potential_name(model.potential), "", 0, {}});
  start(t, checked_config(t, model.flow, samples, learning_rate, seed));
  trainer_->flow().parameters() = model.parameters;
}

FlowSession::TrainResult FlowSession::train(int steps) {
  if (steps < 0 || steps > 1000000) throw std::invalid_argument("steps must be a whole number from 0 to 1000000");
  TrainResult result;
  result.estimates.reserve(static_cast<size_t>(steps));
  try {
    for (int s = 0; s < steps; ++s) result.estimates.push_back(trainer_->step());
  } catch (const TrainingDiverged& e) {
    result.error = e.what();
  }
  return result;
}

void FlowSession::set_schedule(double cosine_steps, double anneal_steps) {
  const auto checked_steps = [](double steps, const char* what) {
    if (!(steps >= 0 && steps <= 1e8) || std::floor(steps) != steps)
      throw std::invalid_argument(std::string(what) + " must be a whole number from 0 to 100000000");
    return static_cast<long long>(steps);
  };
  const long long cosine = checked_steps(cosine_steps, "cosine steps");
  const long long anneal = checked_steps(anneal_steps, "annealing steps");
  trainer_->set_schedule(cosine > 0 ? LearningRateSchedule::Cosine : LearningRateSchedule::Constant, cosine, anneal,
                         trainer_->config().anneal_start);
}

double FlowSession::cosine_steps() const {
  const TrainingConfig& config = trainer_->config();
  return config.schedule == LearningRateSchedule::Cosine ? static_cast<double>(config.schedule_steps) : 0.0;
}

std::string FlowSession::potential() const { return target_.spec.name.empty() ? "custom" : target_.spec.name; }

std::vector<double> FlowSession::true_density(int bins) const {
  check_bins(bins);
  return true_density_grid(target_.energy, target_.box, bins);
}

std::vector<double> FlowSession::learned_density(int bins, int samples) {
  check_bins(bins);
  check_display_samples(samples, 2000000);
  Samples z;
  Array log_q;
  sample_flow(trainer_->flow(), display_rng_, samples, z, log_q);
  return histogram_density(z, target_.box, bins);
}

std::vector<double> FlowSession::exact_density(int bins) {
  check_bins(bins);
  return learned_density_grid(trainer_->flow(), target_.box, bins);
}

double FlowSession::kl_true_fresh(int samples) {
  check_display_samples(samples, 2000000);
  return true_kl(estimate_reverse_kl(trainer_->flow(), target_.energy, display_rng_, samples), log_z_);
}

ImportanceDiagnostics FlowSession::diagnostics(int samples) {
  check_display_samples(samples, 2000000);
  return diagnose_fit(trainer_->flow(), target_.energy, display_rng_, samples);
}

std::vector<double> FlowSession::layer_samples(int samples) {
  check_display_samples(samples, 20000);
  Flow& flow = trainer_->flow();
  Samples eps(flow.dim(), samples);
  display_rng_.fill_normal(eps);
  flow.forward(eps);

  const Eigen::Index n = samples;
  const Eigen::Index block = 2 * n;
  std::vector<double> out(static_cast<size_t>((flow.layers() + 1) * block + n));
  for (int k = 0; k <= flow.layers(); ++k) {
    const Samples& z = flow.samples_after_layer(k);  // (2, N), row-major: z1 then z2
    std::copy(z.data(), z.data() + block, out.begin() + k * block);
  }
  const Samples& z0 = flow.samples_after_layer(0);
  const Vector mu = flow.parameters().segment(Flow::mu_offset(), flow.dim());
  double* colour = out.data() + (flow.layers() + 1) * block;
  for (Eigen::Index i = 0; i < n; ++i) colour[i] = (z0.col(i) - mu).norm();
  return out;
}

void FlowSession::set_gradient(const std::string& name) {
  const auto estimator = gradient_estimator_from_name(name);
  if (!estimator) throw std::invalid_argument("gradient must be 'standard' or 'stl', got '" + name + "'");
  trainer_->set_gradient(*estimator);
}

std::string FlowSession::to_json() const {
  nlohmann::json doc = flow_model_to_json(flow_model_of(target_, trainer_->flow()));
  doc["written_by"] = "nfvi web page";
  doc["steps"] = trainer_->steps_taken();
  doc["samples"] = samples();
  doc["learning_rate"] = learning_rate();
  doc["seed"] = trainer_->config().seed;
  doc["gradient"] = gradient();
  doc["log_z"] = log_z_;
  doc["log_z_method"] = log_z_method_;
  if (trainer_->steps_taken() > 0) {
    doc["kl_estimate"] = kl_estimate();
    doc["kl_true"] = kl_true();
  }
  return doc.dump(1);
}

}  // namespace nfvi
