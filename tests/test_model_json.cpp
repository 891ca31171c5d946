#include <catch2/catch.hpp>

#include "model_json.hpp"
#include "random.hpp"

using namespace nfvi;

namespace {

FlowModel random_model() {
  PlanarFlow flow(2, 4);
  Random rng(3);
  flow.initialize(rng);
  flow.parameters()(0) = 0.25;
  return flow_model_of(Potential::U3, flow);
}

std::string error_of(const std::string& text) {
  try {
    flow_model_from_text(text);
  } catch (const ModelFormatError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("model JSON round-trips exactly", "[model]") {
  const FlowModel model = random_model();
  const FlowModel back = flow_model_from_text(flow_model_to_json(model).dump());
  CHECK(back.potential == Potential::U3);
  CHECK(back.layers == 4);
  CHECK(back.parameters == model.parameters);
}

TEST_CASE("model JSON: extra keys (training statistics) are ignored", "[model]") {
  auto doc = flow_model_to_json(random_model());
  doc["kl_true"] = 0.02;
  doc["seconds"] = 3.5;
  CHECK_NOTHROW(flow_model_from_json(doc));
}

TEST_CASE("model JSON: malformed, truncated and inconsistent files get clear errors", "[model]") {
  const std::string good = flow_model_to_json(random_model()).dump();
  CHECK_THAT(error_of(good.substr(0, good.size() / 2)), Catch::Contains("not valid JSON"));
  CHECK_THAT(error_of(""), Catch::Contains("not valid JSON"));
  CHECK_THAT(error_of("[1, 2, 3]"), Catch::Contains("must be a JSON object"));
  CHECK_THAT(error_of("{}"), Catch::Contains("missing \"format\""));

  auto doc = nlohmann::json::parse(good);
  auto edited = doc;
  edited["format"] = "something-else";
  CHECK_THAT(error_of(edited.dump()), Catch::Contains("nfvi model file"));
  edited = doc;
  edited["potential"] = "U9";
  CHECK_THAT(error_of(edited.dump()), Catch::Contains("\"potential\" must be one of"));
  edited = doc;
  edited["layers"] = 5;
  CHECK_THAT(error_of(edited.dump()), Catch::Contains("array of 5 layers"));
  edited = doc;
  edited["layers"] = -1;
  CHECK_THAT(error_of(edited.dump()), Catch::Contains("\"layers\" must be between"));
  edited = doc;
  edited["parameters"]["mu"] = {1.0};
  CHECK_THAT(error_of(edited.dump()), Catch::Contains("parameters.mu must be an array of 2"));
  edited = doc;
  edited["parameters"]["layers"][2]["b"] = "zero";
  CHECK_THAT(error_of(edited.dump()), Catch::Contains("parameters.layers[2].b must be a number"));
  edited = doc;
  edited["parameters"]["layers"][1].erase("u");
  CHECK_THAT(error_of(edited.dump()), Catch::Contains("missing \"u\" in parameters.layers[1]"));
  edited = doc;
  edited["parameters"]["layers"][0]["w"] = {0.0, 0.0};
  CHECK_THAT(error_of(edited.dump()), Catch::Contains("must not be all zeros"));
  edited = doc;
  edited["parameters"]["rho"][0] = 1e308 * 10;  // nlohmann writes inf as null
  CHECK_THAT(error_of(edited.dump()), Catch::Contains("parameters.rho[0] must be"));
}
