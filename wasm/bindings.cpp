// Embind registrations of the WebAssembly module: classes and functions only.
// Conversions live in js_interop.hpp; behaviour lives in core and in
// FlowSession.
#include <emscripten/bind.h>

#include <cmath>
#include <stdexcept>

#include "conditional_session.hpp"
#include "flow_session.hpp"
#include "flows/flow_spec.hpp"
#include "targets/energies.hpp"
#include "js_interop.hpp"
#include "vae_session.hpp"

namespace {

using emscripten::val;
using nfvi::ConditionalSession;
using nfvi::FlowSession;
using nfvi::ImportanceDiagnostics;
using nfvi::log_z_disagreement;
using nfvi::log_z_disagreement_warning;
using nfvi::true_kl;
using nfvi::VaeSession;
using nfvi::js::float64_array;
using nfvi::js::rethrow_as_js_error;

// A library target by name ("U1", "gmm40", ...).
FlowSession* new_session(const std::string& target, const std::string& flow, int samples, double learning_rate,
                         double seed) {
  return rethrow_as_js_error(
      [&] { return new FlowSession(nfvi::TargetSpec{target, "", 0, {}}, flow, samples, learning_rate, seed); });
}

// A typed energy over z1, z2 with its box.
FlowSession* session_from_expression(const std::string& expression, double xmin, double xmax, double ymin,
                                     double ymax, const std::string& flow, int samples, double learning_rate,
                                     double seed) {
  return rethrow_as_js_error([&] {
    const nfvi::TargetSpec spec{"", expression, 2, nfvi::Box{xmin, xmax, ymin, ymax}};
    return new FlowSession(spec, flow, samples, learning_rate, seed);
  });
}

// { error, column, warning }: error (one line) and its 1-based column (0 for
// none) when the expression is refused, else null; warning null or one line.
val check_target_expression(const std::string& expression, double xmin, double xmax, double ymin, double ymax) {
  const nfvi::TargetCheck check = nfvi::check_target_expression(expression, nfvi::Box{xmin, xmax, ymin, ymax});
  val out = val::object();
  out.set("error", check.error.empty() ? val::null() : val(check.error));
  out.set("column", check.column);
  out.set("warning", check.warning.empty() ? val::null() : val(check.warning));
  return out;
}

val page_target_names() {
  val names = val::array();
  for (const std::string& name : nfvi::page_target_names()) names.call<void>("push", name);
  return names;
}

val session_box(const FlowSession& s) {
  const nfvi::Box& b = s.box();
  return float64_array(std::vector<double>{b.xmin, b.xmax, b.ymin, b.ymax});
}

FlowSession* session_from_json(const std::string& model_json, int samples, double learning_rate, double seed) {
  return rethrow_as_js_error([&] { return new FlowSession(model_json, samples, learning_rate, seed); });
}

// Divergence is not an exception here: the estimates so far come back with it.
template <typename Result>
val train_result(const Result& result) {
  val out = val::object();
  out.set("estimates", float64_array(result.estimates));
  out.set("error", result.error.empty() ? val::null() : val(result.error));
  return out;
}

val train(FlowSession& s, int steps) {
  return rethrow_as_js_error([&] { return train_result(s.train(steps)); });
}

void set_schedule(FlowSession& s, double cosine_steps, double anneal_steps) {
  rethrow_as_js_error([&] { s.set_schedule(cosine_steps, anneal_steps); });
}
void set_gradient(FlowSession& s, const std::string& name) {
  rethrow_as_js_error([&] { s.set_gradient(name); });
}

val kl_history(const FlowSession& s) { return float64_array(s.kl_history()); }
val true_density(const FlowSession& s, int bins) {
  return rethrow_as_js_error([&] { return float64_array(s.true_density(bins)); });
}
val learned_density(FlowSession& s, int bins, int samples) {
  return rethrow_as_js_error([&] { return float64_array(s.learned_density(bins, samples)); });
}
val exact_density(FlowSession& s, int bins) {
  return rethrow_as_js_error([&] { return float64_array(s.exact_density(bins)); });
}
double kl_true_fresh(FlowSession& s, int samples) {
  return rethrow_as_js_error([&] { return s.kl_true_fresh(samples); });
}
// The diagnostics as a plain object (non-finite numbers stay numbers: kHat
// is -Infinity for a flat tail and NaN when not estimated).
val fit_diagnostics(FlowSession& s, int samples) {
  return rethrow_as_js_error([&] {
    const ImportanceDiagnostics d = s.diagnostics(samples);
    val out = val::object();
    out.set("samples", static_cast<double>(d.samples));
    out.set("logZIs", d.log_z_is);
    out.set("logZIsSe", d.log_z_is_se);
    out.set("logZQuadrature", s.log_z());  // the target's own log Z: by quadrature, or exact (logZMethod)
    out.set("logZMethod", s.log_z_method());
    out.set("logZDisagreementSe", log_z_disagreement(d, s.log_z()));
    out.set("ess", d.ess);
    out.set("essFraction", d.ess_fraction);
    out.set("kHat", d.k_hat);
    out.set("kHatThreshold", d.k_hat_threshold);
    out.set("reliable", d.reliable);
    out.set("verdict", d.verdict);
    out.set("warning", log_z_disagreement_warning(d, s.log_z()));
    out.set("klTrue", true_kl(d.kl_estimate, s.log_z()));
    out.set("klTrueSe", d.kl_estimate_se);
    return out;
  });
}
val layer_samples(FlowSession& s, int samples) {
  return rethrow_as_js_error([&] { return float64_array(s.layer_samples(samples)); });
}

ConditionalSession* new_conditional(int layers, int hidden, int angles, int samples, double learning_rate,
                                    double seed) {
  return rethrow_as_js_error(
      [&] { return new ConditionalSession(layers, hidden, angles, samples, learning_rate, seed); });
}
ConditionalSession* conditional_from_json(const std::string& model_json, int angles, int samples, double learning_rate,
                                          double seed) {
  return rethrow_as_js_error([&] { return new ConditionalSession(model_json, angles, samples, learning_rate, seed); });
}
val train_conditional(ConditionalSession& s, int steps) {
  return rethrow_as_js_error([&] { return train_result(s.train(steps)); });
}
val conditional_history(const ConditionalSession& s) { return float64_array(s.kl_history()); }
double conditional_kl_true_at(const ConditionalSession& s, double angle, int samples) {
  return rethrow_as_js_error([&] { return s.kl_true_at(angle, samples); });
}
val conditional_true_density(const ConditionalSession& s, double angle, int bins) {
  return rethrow_as_js_error([&] { return float64_array(s.true_density(angle, bins)); });
}
val conditional_learned_density(const ConditionalSession& s, double angle, int bins, int samples) {
  return rethrow_as_js_error([&] { return float64_array(s.learned_density(angle, bins, samples)); });
}

// pixels: a Float32Array or Float64Array of whole 784-pixel images (the ten
// digits files, digit 0 first); only the chosen images are copied in.
// The images of `pixels`, checked, as a VaeSession reads them (the source keeps a handle to the array).
struct CheckedPixels {
  VaeSession::PixelSource source;
  int images;
};
CheckedPixels checked_pixels(const val& pixels) {
  if (!nfvi::js::is_float_array(pixels)) throw std::invalid_argument("pixels must be a Float32Array or Float64Array");
  const double length = pixels["length"].as<double>();
  if (length <= 0 || std::fmod(length, 784) != 0)
    throw std::invalid_argument("pixels must hold whole 28 x 28 images (a multiple of 784 values)");
  const auto source = [pixels](std::size_t offset, std::size_t count, double* out) {
    nfvi::js::copy_from_typed_array(pixels, offset, count, out);
  };
  return {source, static_cast<int>(length / 784)};
}

VaeSession* new_vae(val pixels, int train_images, int test_images, int latent, int flows, int hidden, int samples,
                    int batch, double learning_rate, double seed) {
  return rethrow_as_js_error([&] {
    const CheckedPixels images = checked_pixels(pixels);
    nfvi::VaeSessionSettings settings{train_images, test_images, latent,        flows, hidden,
                                      samples,      batch,       learning_rate, seed};
    return new VaeSession(images.source, images.images, settings);
  });
}
// bytes: a Uint8Array (or ArrayBuffer) of a checkpoint.bin.
std::string checkpoint_bytes(val bytes) {
  if (bytes.instanceof (val::global("ArrayBuffer"))) bytes = val::global("Uint8Array").new_(bytes);
  if (!bytes.instanceof (val::global("Uint8Array"))) throw std::invalid_argument("the model must be a Uint8Array");
  const std::size_t n = bytes["length"].as<std::size_t>();
  std::string out(n, '\0');
  if (n > 0) val(emscripten::typed_memory_view(n, reinterpret_cast<unsigned char*>(out.data()))).call<void>("set", bytes);
  return out;
}
VaeSession* vae_from_checkpoint(val pixels, val bytes, int train_images, int test_images, int latent, int flows,
                                int hidden, int samples, int batch, double learning_rate, double seed) {
  return rethrow_as_js_error([&] {
    const CheckedPixels images = checked_pixels(pixels);
    nfvi::VaeSessionSettings settings{train_images, test_images, latent,        flows, hidden,
                                      samples,      batch,       learning_rate, seed};
    return new VaeSession(images.source, images.images, checkpoint_bytes(bytes), settings);
  });
}
// The checkpoint's settings as a plain object (VaeSession::checkpoint_settings).
val vae_checkpoint_settings(val bytes) {
  return rethrow_as_js_error([&] {
    const nlohmann::json s = VaeSession::checkpoint_settings(checkpoint_bytes(bytes));
    return val::global("JSON").call<val>("parse", s.dump());
  });
}
// The model as checkpoint.bin's bytes.
val vae_save(const VaeSession& s) {
  return rethrow_as_js_error([&] {
    const std::string bytes = s.save();
    val copy = val::global("Uint8Array").new_(bytes.size());
    copy.call<void>("set", val(emscripten::typed_memory_view(bytes.size(), reinterpret_cast<const unsigned char*>(bytes.data()))));
    return copy;
  });
}
val train_vae(VaeSession& s, int batches) {
  return rethrow_as_js_error([&] { return train_result(s.train(batches)); });
}
val vae_history(const VaeSession& s) { return float64_array(s.elbo_history()); }
double vae_test_elbo(VaeSession& s) {
  return rethrow_as_js_error([&] { return s.test_elbo(); });
}
val vae_prior_samples(VaeSession& s, int count) {
  return rethrow_as_js_error([&] { return float64_array(s.prior_samples(count)); });
}
val vae_reconstructions(VaeSession& s, int count) {
  return rethrow_as_js_error([&] { return float64_array(s.reconstructions(count)); });
}
val vae_posterior(VaeSession& s, int index, int samples) {
  return rethrow_as_js_error([&] { return float64_array(s.posterior(index, samples)); });
}

// { flow, layers, parameters, error }: flow is the canonical spec, or null
// with error (a one-line message) when the spec is refused.
val check_flow_spec(const std::string& spec) {
  const nfvi::FlowSpecCheck check = nfvi::check_flow_spec(spec);
  val out = val::object();
  out.set("flow", check.error.empty() ? val(check.flow) : val::null());
  out.set("layers", check.layers);
  out.set("parameters", check.parameters);
  out.set("error", check.error.empty() ? val::null() : val(check.error));
  return out;
}

}  // namespace

EMSCRIPTEN_BINDINGS(nfvi) {
  using emscripten::allow_raw_pointers;
  emscripten::function("checkFlowSpec", &check_flow_spec);
  emscripten::function("checkTargetExpression", &check_target_expression);
  emscripten::function("targetNames", &page_target_names);
  emscripten::function("flowSpecHelp", &nfvi::flow_spec_help);
  emscripten::class_<FlowSession>("FlowSession")
      .constructor(&new_session, allow_raw_pointers())
      .class_function("fromJson", &session_from_json, allow_raw_pointers())
      .class_function("fromExpression", &session_from_expression, allow_raw_pointers())
      .function("train", &train)
      .function("setSchedule", &set_schedule)
      .function("cosineSteps", &FlowSession::cosine_steps)
      .function("annealSteps", &FlowSession::anneal_steps)
      .function("potential", &FlowSession::potential)
      .function("expression", &FlowSession::expression)
      .function("box", &session_box)
      .function("logZMethod", &FlowSession::log_z_method)
      .function("logZWarning", &FlowSession::log_z_warning)
      .function("layers", &FlowSession::layers)
      .function("flow", &FlowSession::flow)
      .function("samples", &FlowSession::samples)
      .function("learningRate", &FlowSession::learning_rate)
      .function("seed", &FlowSession::seed)
      .function("stepsTaken", &FlowSession::steps_taken)
      .function("setGradient", &set_gradient)
      .function("gradient", &FlowSession::gradient)
      .function("klHistory", &kl_history)
      .function("logZ", &FlowSession::log_z)
      .function("klEstimate", &FlowSession::kl_estimate)
      .function("klTrue", &FlowSession::kl_true)
      .function("klTrueFresh", &kl_true_fresh)
      .function("diagnostics", &fit_diagnostics)
      .function("trueDensity", &true_density)
      .function("learnedDensity", &learned_density)
      .function("exactDensity", &exact_density)
      .function("layerSamples", &layer_samples)
      .function("toJson", &FlowSession::to_json);
  emscripten::class_<ConditionalSession>("ConditionalSession")
      .constructor(&new_conditional, allow_raw_pointers())
      .class_function("fromJson", &conditional_from_json, allow_raw_pointers())
      .function("train", &train_conditional)
      .function("layers", &ConditionalSession::layers)
      .function("hidden", &ConditionalSession::hidden)
      .function("stepsTaken", &ConditionalSession::steps_taken)
      .function("klHistory", &conditional_history)
      .function("angleMin", &ConditionalSession::angle_min)
      .function("angleMax", &ConditionalSession::angle_max)
      .function("isExtrapolation", &ConditionalSession::is_extrapolation)
      .function("logZ", &ConditionalSession::log_z)
      .function("klEstimate", &ConditionalSession::kl_estimate)
      .function("klTrue", &ConditionalSession::kl_true)
      .function("klTrueAt", &conditional_kl_true_at)
      .function("trueDensity", &conditional_true_density)
      .function("learnedDensity", &conditional_learned_density)
      .function("toJson", &ConditionalSession::to_json);
  emscripten::class_<VaeSession>("VaeSession")
      .constructor(&new_vae, allow_raw_pointers())
      .class_function("fromCheckpoint", &vae_from_checkpoint, allow_raw_pointers())
      .class_function("checkpointSettings", &vae_checkpoint_settings)
      .function("save", &vae_save)
      .function("adamSteps", &VaeSession::adam_steps)
      .function("train", &train_vae)
      .function("latent", &VaeSession::latent)
      .function("flows", &VaeSession::flows)
      .function("hidden", &VaeSession::hidden)
      .function("trainImages", &VaeSession::train_images)
      .function("testImages", &VaeSession::test_images)
      .function("stepsTaken", &VaeSession::steps_taken)
      .function("epochsDone", &VaeSession::epochs_done)
      .function("elboHistory", &vae_history)
      .function("testElbo", &vae_test_elbo)
      .function("priorSamples", &vae_prior_samples)
      .function("reconstructions", &vae_reconstructions)
      .function("posterior", &vae_posterior);
}
