// Embind registrations of the WebAssembly module: classes and functions only.
// Conversions live in js_interop.hpp; behaviour lives in core and in
// FlowSession.
#include <emscripten/bind.h>

#include "energies.hpp"
#include "flow_session.hpp"
#include "js_interop.hpp"

namespace {

using emscripten::val;
using nfvi::FlowSession;
using nfvi::js::float64_array;
using nfvi::js::rethrow_as_js_error;

FlowSession* new_session(const std::string& potential, int layers, int samples, double learning_rate, double seed) {
  return rethrow_as_js_error([&] { return new FlowSession(potential, layers, samples, learning_rate, seed); });
}

FlowSession* session_from_json(const std::string& model_json, int samples, double learning_rate, double seed) {
  return rethrow_as_js_error([&] { return new FlowSession(model_json, samples, learning_rate, seed); });
}

val train(FlowSession& s, int steps) {
  return rethrow_as_js_error([&] {
    FlowSession::TrainResult result = s.train(steps);
    val out = val::object();
    out.set("estimates", float64_array(result.estimates));
    out.set("error", result.error.empty() ? val::null() : val(result.error));
    return out;
  });
}

val kl_history(const FlowSession& s) { return float64_array(s.kl_history()); }
val true_density(const FlowSession& s, int bins) {
  return rethrow_as_js_error([&] { return float64_array(s.true_density(bins)); });
}
val learned_density(FlowSession& s, int bins, int samples) {
  return rethrow_as_js_error([&] { return float64_array(s.learned_density(bins, samples)); });
}
double kl_true_fresh(FlowSession& s, int samples) {
  return rethrow_as_js_error([&] { return s.kl_true_fresh(samples); });
}
val layer_samples(FlowSession& s, int samples) {
  return rethrow_as_js_error([&] { return float64_array(s.layer_samples(samples)); });
}

val energy_names() {
  val names = val::array();
  for (const std::string& name : nfvi::potential_names()) names.call<void>("push", name);
  return names;
}

}  // namespace

EMSCRIPTEN_BINDINGS(nfvi) {
  using emscripten::allow_raw_pointers;
  emscripten::function("energyNames", &energy_names);
  emscripten::class_<FlowSession>("FlowSession")
      .constructor(&new_session, allow_raw_pointers())
      .class_function("fromJson", &session_from_json, allow_raw_pointers())
      .function("train", &train)
      .function("potential", &FlowSession::potential)
      .function("layers", &FlowSession::layers)
      .function("samples", &FlowSession::samples)
      .function("learningRate", &FlowSession::learning_rate)
      .function("seed", &FlowSession::seed)
      .function("stepsTaken", &FlowSession::steps_taken)
      .function("klHistory", &kl_history)
      .function("logZ", &FlowSession::log_z)
      .function("klEstimate", &FlowSession::kl_estimate)
      .function("klTrue", &FlowSession::kl_true)
      .function("klTrueFresh", &kl_true_fresh)
      .function("trueDensity", &true_density)
      .function("learnedDensity", &learned_density)
      .function("layerSamples", &layer_samples)
      .function("toJson", &FlowSession::to_json);
}
