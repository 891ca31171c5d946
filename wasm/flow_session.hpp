// A flow training session for the web page (any flow spec): one FlowTrainer, its
// target's log Z, and a second random stream for the pictures, so that
// drawing never changes the training run (a seed gives the same KL curve
// natively and in the browser, however often the page redraws).
//
// Every method that can fail throws std::exception with a one-line message;
// the bindings turn it into a JavaScript Error.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "vi/diagnostics.hpp"
#include "vi/flow_trainer.hpp"
#include "vi/importance_diagnostics.hpp"

namespace nfvi {

// What the page needs to know of a flow spec before it builds a session: its
// canonical spec and layer count, or the one-line message that refuses it
// (the core parser's, or the page's parameter limit). A spec that would have
// more than kMaxPageFlowParameters parameters is refused before its layers
// are built, so that typing a huge spec never fills the worker's memory.
struct FlowSpecCheck {
  std::string flow;        // the canonical spec ("" when refused)
  int layers = 0;
  double parameters = 0;   // the flow's parameter count (mu and rho included)
  std::string error;       // "" when the spec is good
};
inline constexpr double kMaxPageFlowParameters = 2e6;
FlowSpecCheck check_flow_spec(const std::string& spec);

// What the page needs to know of a typed energy over z1, z2 and its box
// before it builds a session: the compiler's one-line message and its column
// (error "" when the expression is good), or, for a good one, a warning
// where a coarse grid over the box finds U NaN or -inf (training would stop)
// or finds mass at the box's edge (log Z, and so the true KL, would be wrong).
struct TargetCheck {
  std::string error;
  int column = 0;  // 1-based, 0 when there is no error or no column
  std::string warning;
};
TargetCheck check_target_expression(const std::string& expression, const Box& box);

// The 2-D targets of the library that the page offers (U1-U4, U8, gmm40, ...).
std::vector<std::string> page_target_names();

class FlowSession {
 public:
  // A new flow of the given spec ("planar:50", "spline:4", ...) on a 2-D
  // target (a library name, or an expression with its box), initialised from
  // `seed` as `nfvi fit --target/--energy` does.
  FlowSession(const TargetSpec& target, const std::string& flow, int samples, double learning_rate, double seed);

  // A flow read from a model file (the page's download or `nfvi fit`'s
  // summary.json); training it further uses the given settings.
  FlowSession(const std::string& model_json, int samples, double learning_rate, double seed);

  // Trains up to `steps` Adam steps. Returns their KL estimates. If a step
  // diverges, the session keeps the last good state, the estimates so far are
  // returned, and `error` says at which step it happened (else it is empty).
  struct TrainResult {
    std::vector<double> estimates;
    std::string error;
  };
  TrainResult train(int steps);

  // The learning-rate schedule and beta-annealing of the steps to come, as
  // `nfvi fit --lr-schedule cosine --steps T --anneal A` has them: cosine
  // decay over `cosine_steps` steps (0: constant), annealing over
  // `anneal_steps` steps from beta = 0.01 (0: off). Steps count from the
  // session's first.
  void set_schedule(double cosine_steps, double anneal_steps);
  double cosine_steps() const;
  double anneal_steps() const { return static_cast<double>(trainer_->config().anneal_steps); }

  // The target's library name ("U1", "gmm40", ...), or "custom" for an expression.
  std::string potential() const;
  std::string expression() const { return target_.expression; }  // the energy's text ("" for U1-U4, U8)
  const Box& box() const { return target_.box; }                          // the view of every picture
  int layers() const { return trainer_->flow().layers(); }
  std::string flow() const { return trainer_->flow().spec(); }
  int samples() const { return trainer_->config().samples; }
  double learning_rate() const { return trainer_->config().learning_rate; }
  double seed() const { return static_cast<double>(trainer_->config().seed); }
  // The gradient's estimator, "standard" (at the start) or "stl" (the path
  // derivative, vi/reverse_kl.hpp), from the next step on; another name throws.
  void set_gradient(const std::string& name);
  std::string gradient() const { return gradient_estimator_name(trainer_->config().gradient); }
  double steps_taken() const { return static_cast<double>(trainer_->steps_taken()); }
  const std::vector<double>& kl_history() const { return trainer_->kl_history(); }

  double log_z() const { return log_z_; }
  std::string log_z_method() const { return log_z_method_; }    // "exact" or "quadrature"
  std::string log_z_warning() const { return log_z_warning_; }  // "" or one line: the box cuts off mass
  // Mean of the last 100 KL estimates, and that plus log Z: the true KL in
  // nats, as `nfvi fit` reports it. NaN before the first step.
  double kl_estimate() const { return trainer_->recent_kl_estimate(100); }
  double kl_true() const { return true_kl(kl_estimate(), log_z_); }
  // The true KL of the current flow from `samples` fresh samples (no
  // training history needed, e.g. for a loaded model).
  double kl_true_fresh(int samples);
  // Can the current flow be trusted? The importance diagnostics of `nfvi
  // fit` (vi/importance_diagnostics.hpp) from `samples` fresh samples: IS
  // log Z and its se, the ESS, k-hat and its threshold, and the flow's KL
  // (d.kl_estimate + log_z()) with its se.
  ImportanceDiagnostics diagnostics(int samples);

  // bins x bins grids over the target's box, row iy covering z2.
  std::vector<double> true_density(int bins) const;
  // The histogram of `samples` samples of q (a density), and the exact q by the flow's inverse.
  std::vector<double> learned_density(int bins, int samples);
  std::vector<double> exact_density(int bins);

  // `samples` base points pushed through the flow: (K + 1) blocks of 2N
  // values, block k = samples after layer k (all z1, then all z2), then N
  // colour values: each point's distance to mu before the first layer.
  std::vector<double> layer_samples(int samples);

  // The model file, as `nfvi fit` writes it, with the training settings.
  std::string to_json() const;

 private:
  void start(const Target& target, const TrainingConfig& config);

  Target target_;
  std::unique_ptr<FlowTrainer> trainer_;
  double log_z_ = 0;
  std::string log_z_method_, log_z_warning_;
  Random display_rng_;
};

}  // namespace nfvi
