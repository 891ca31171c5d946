#include <catch2/catch.hpp>

#include "model_json.hpp"
#include "temp_dir.hpp"
#include "math/random.hpp"
#include "targets/target.hpp"

#include <functional>

using namespace nfvi;
using nfvi::testing::read_text_file;

namespace {

FlowModel random_model() {
  Flow flow(2, planar_layers(2, 4));
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
  CHECK(back.flow == "planar:4");
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
  CHECK_THAT(error_of(""), Catch::Contains("the file is empty"));
  CHECK_THAT(error_of("[1, 2, 3]"), Catch::Contains("must be a JSON object"));
  CHECK_THAT(error_of("{}"), Catch::Contains("missing \"format\""));

  auto doc = nlohmann::json::parse(good);
  auto edited = doc;
  edited["version"] = 3;
  CHECK_THAT(error_of(edited.dump()), Catch::Contains("unsupported model file version 3"));
  edited = doc;
  edited["format"] = "something-else";
  CHECK_THAT(error_of(edited.dump()), Catch::Contains("nfvi model file"));
  edited = doc;
  edited["potential"] = "U9";
  CHECK_THAT(error_of(edited.dump()), Catch::Contains("\"potential\" must be one of"));
  edited = doc;
  edited["layers"] = 5;
  CHECK_THAT(error_of(edited.dump()), Catch::Contains("\"layers\" is 5 but \"flow\" has 4"));
  edited = doc;
  edited["flow"] = "planar:4,radial";
  edited["layers"] = 5;
  CHECK_THAT(error_of(edited.dump()), Catch::Contains("array of 5 layers"));
  edited = doc;
  edited["flow"] = "planar:x";
  CHECK_THAT(error_of(edited.dump()), Catch::Contains("\"flow\": flow spec 'planar:x'"));
  edited = doc;
  edited["parameters"]["layers"][1]["layer"] = "radial";
  CHECK_THAT(error_of(edited.dump()), Catch::Contains("parameters.layers[1].layer must be \"planar\""));
  edited = doc;
  edited["parameters"]["layers"][1]["parameters"] = {1.0, 2.0};
  CHECK_THAT(error_of(edited.dump()), Catch::Contains("parameters.layers[1].parameters must be an array of 5 numbers"));
  edited = doc;
  edited["layers"] = -1;
  CHECK_THAT(error_of(edited.dump()), Catch::Contains("\"layers\" must be between"));
  edited = doc;
  edited["parameters"]["mu"] = {1.0};
  CHECK_THAT(error_of(edited.dump()), Catch::Contains("parameters.mu must be an array of 2"));
  edited = doc;
  edited["parameters"]["layers"][2]["parameters"][4] = "zero";
  CHECK_THAT(error_of(edited.dump()), Catch::Contains("parameters.layers[2].parameters[4] must be a number"));
  edited = doc;
  edited["parameters"]["layers"][1].erase("parameters");
  CHECK_THAT(error_of(edited.dump()), Catch::Contains("missing \"parameters\" in parameters.layers[1]"));
  edited = doc;
  edited["parameters"]["layers"][0]["parameters"][0] = 0.0;
  edited["parameters"]["layers"][0]["parameters"][1] = 0.0;
  CHECK_THAT(error_of(edited.dump()), Catch::Contains("parameters.layers[0]: w must not be all zeros"));
  edited = doc;
  edited["parameters"]["rho"][0] = 1e308 * 10;  // nlohmann writes inf as null
  CHECK_THAT(error_of(edited.dump()), Catch::Contains("parameters.rho[0] must be"));
}

TEST_CASE("model JSON: the parser refuses what lenient JSON readers let through", "[model][hardening]") {
  const std::string good = flow_model_to_json(random_model()).dump();
  REQUIRE(error_of(good).empty());
  CHECK_THAT(error_of("\xEF\xBB\xBF" + good), Catch::Contains("byte-order mark"));
  CHECK_THAT(error_of(good + std::string(1, '\0') + "garbage"), Catch::Contains("NUL byte at byte " + std::to_string(good.size() + 1)));
  CHECK_THAT(error_of(good + " garbage"), Catch::Contains("not valid JSON"));
  CHECK_THAT(error_of(good + "{}"), Catch::Contains("not valid JSON"));
  // A duplicate key, at the top and deep inside.
  CHECK_THAT(error_of("{\"format\": \"nfvi-flow\", \"format\": \"nfvi-flow\"}"),
             Catch::Contains("\"format\" appears twice"));
  std::string inner = good;
  inner.replace(inner.find("\"layer\":"), 8, "\"layer\":1,\"layer\":");
  CHECK_THAT(error_of(inner), Catch::Contains("\"layer\" appears twice"));
  // 1e309 in a field that is otherwise ignored.
  std::string huge = good;
  huge.insert(1, "\"kl_true\": 1e309, ");
  CHECK_THAT(error_of(huge), Catch::Contains("beyond the range of a double"));
  CHECK_THAT(error_of(std::string(100000, '[') + std::string(100000, ']')), Catch::Contains("nested deeper than 64"));
  // Parameters beyond the documented range.
  auto doc = nlohmann::json::parse(good);
  doc["parameters"]["layers"][1]["parameters"][2] = 2e6;
  CHECK_THAT(error_of(doc.dump()), Catch::Contains("parameters.layers[1].parameters[2] is 2e+06, beyond the range"));
  doc["parameters"]["layers"][1]["parameters"][2] = -1e6;
  CHECK(error_of(doc.dump()).empty());
}

TEST_CASE("model JSON: a version 1 planar file, as nfvi wrote it before the flow families, still loads", "[model]") {
  // tests/data/planar_v1_summary.json: `nfvi fit --steps 200 --layers 4 --samples 200` of that build.
  const std::string text = read_text_file(std::string(NFVI_TEST_DATA_DIR) + "/planar_v1_summary.json");
  const FlowModel model = flow_model_from_text(text);
  CHECK(model.flow == "planar:4");
  const auto doc = nlohmann::json::parse(text);
  const Flow flow = model.make_flow();
  for (int k = 0; k < 4; ++k) {
    const auto& layer = doc["parameters"]["layers"][static_cast<size_t>(k)];
    const Eigen::Index o = flow.layer_offset(k);
    CHECK(model.parameters(o) == layer["w"][0].get<double>());
    CHECK(model.parameters(o + 3) == layer["u"][1].get<double>());
    CHECK(model.parameters(o + 4) == layer["b"].get<double>());
  }
  CHECK(model.parameters(Flow::mu_offset()) == doc["parameters"]["mu"][0].get<double>());
  // Written again, it is a version 2 file with the same flow.
  const FlowModel again = flow_model_from_text(flow_model_to_json(model).dump());
  CHECK(again.parameters == model.parameters);
  CHECK(flow_model_to_json(model)["version"] == 2);
}

TEST_CASE("model JSON: every family round-trips exactly", "[model]") {
  for (const std::string spec : {"radial:3", "affine:2:hidden=5", "spline:2:bins=5:bound=4", "spline:1,radial:1,planar:2,affine:1"}) {
    INFO(spec);
    Flow flow(2, spec);
    Random rng(8);
    flow.initialize(rng);
    for (Eigen::Index i = 0; i < flow.parameter_count(); ++i) flow.parameters()(i) += 0.1 * rng.normal();
    const FlowModel back = flow_model_from_text(flow_model_to_json(flow_model_of(Potential::U8, flow)).dump());
    CHECK(back.flow == spec);
    CHECK(back.potential == Potential::U8);
    CHECK(back.parameters == flow.parameters());
  }
}

TEST_CASE("model JSON: a model of any target keeps its target, and a damaged target is refused", "[model][targets]") {
  Random rng(9);
  const std::vector<Target> targets = {make_library_target("funnel", 5), make_library_target("gmm40"),
                                       make_expression_target("0.5*(z1^2 + z2^2 + z3^2)", 3, {-2, 3, -4, 5}),
                                       make_library_target("U4")};
  for (const Target& target : targets) {
    Flow flow(target.dim, "planar:3");
    flow.initialize(rng);
    const nlohmann::json doc = flow_model_to_json(flow_model_of(target, flow));
    const FlowModel back = flow_model_from_text(doc.dump());
    INFO(doc.dump());
    REQUIRE(back.dim == target.dim);
    REQUIRE(back.parameters == flow.parameters());
    if (target.name == "U4") {
      // The potentials stay as they were written before the library.
      REQUIRE(!back.target);
      REQUIRE(doc.at("potential") == "U4");
      REQUIRE(back.potential == Potential::U4);
      continue;
    }
    REQUIRE(back.target);
    REQUIRE(!doc.contains("potential"));
    const Target rebuilt = make_target(*back.target);
    REQUIRE(rebuilt.dim == target.dim);
    REQUIRE(rebuilt.expression == target.expression);
    REQUIRE(rebuilt.box.xmin == target.box.xmin);
    REQUIRE(rebuilt.box.ymax == target.box.ymax);
  }

  Flow flow(3, "planar:2");
  flow.initialize(rng);
  const nlohmann::json good =
      flow_model_to_json(flow_model_of(make_expression_target("0.5*(z1^2 + z2^2 + z3^2)", 3), flow));
  const auto damaged = [&](const std::function<void(nlohmann::json&)>& damage) {
    nlohmann::json doc = good;
    damage(doc);
    return error_of(doc.dump());
  };
  REQUIRE(damaged([](nlohmann::json& d) { d["target"]["expression"] = "z1 +x"; }) ==
          "target.expression: unknown name 'x' at column 5 (variables are z1..z3)");
  REQUIRE(damaged([](nlohmann::json& d) { d["target"]["name"] = "funnel"; }) ==
          "\"target\" must have a \"name\" or an \"expression\", not both");
  REQUIRE(damaged([](nlohmann::json& d) { d["dim"] = 2; }) == "\"dim\" is 2 but the target has dimension 3");
  REQUIRE(damaged([](nlohmann::json& d) { d["target"]["box"] = {1, 0, 0, 1}; }) ==
          "\"target\": the box must have finite xmin < xmax and ymin < ymax");
  REQUIRE(damaged([](nlohmann::json& d) { d["target"] = {{"name", "nope"}, {"dim", 3}}; })
              .rfind("\"target\": unknown target 'nope'", 0) == 0);
  REQUIRE(damaged([](nlohmann::json& d) { d.erase("target"); }).find("potential") != std::string::npos);
}
