#include <catch2/catch.hpp>

#include "conditional_model_json.hpp"

using namespace nfvi;

namespace {

ConditionalTrainer small_trainer() {
  ConditionalConfig config;
  config.layers = 3;
  config.hidden = 7;
  config.angle_min = -2;
  config.angle_max = 2.5;
  return ConditionalTrainer(config);
}

std::string error_of(const nlohmann::json& doc) {
  try {
    conditional_model_from_json(doc);
  } catch (const ModelFormatError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("conditional model JSON round-trips exactly and reloads into a trainer", "[model][conditional]") {
  const ConditionalTrainer trainer = small_trainer();
  auto doc = conditional_model_to_json(conditional_model_of(trainer));
  doc["kl_true_mean"] = 0.5;  // training statistics are ignored when reading
  const ConditionalModel back = conditional_model_from_text(doc.dump());
  CHECK(back.layers == 3);
  CHECK(back.sizes == std::vector<int>{1, 7, 7, static_cast<int>(Flow(2, planar_layers(2, 3)).parameter_count())});
  CHECK(back.angle_min == -2);
  CHECK(back.angle_max == 2.5);
  CHECK(back.parameters == trainer.flow().parameters());

  const ConditionalTrainer reloaded = trainer_for(back);
  CHECK(reloaded.flow().parameters() == trainer.flow().parameters());
  CHECK(reloaded.is_extrapolation(2.6));
  CHECK_FALSE(reloaded.is_extrapolation(2.4));
  Samples z1, z2;
  Array q1, q2;
  trainer.sample(0.3, 50, 9, z1, q1);
  reloaded.sample(0.3, 50, 9, z2, q2);
  CHECK(z1 == z2);
}

TEST_CASE("conditional model JSON: bad files are rejected with a reason", "[model][conditional]") {
  const nlohmann::json good = conditional_model_to_json(conditional_model_of(small_trainer()));
  CHECK(error_of(good).empty());

  auto doc = good;
  doc["format"] = "nfvi-flow";
  CHECK(error_of(doc).find("nfvi cond") != std::string::npos);
  doc = good;
  doc["target"]["family"] = "banana";
  CHECK(error_of(doc).find("family") != std::string::npos);
  doc = good;
  doc["network"]["sizes"][1] = 8;  // the parameter count no longer matches
  CHECK(error_of(doc).find("network") != std::string::npos);
  doc = good;
  doc["network"]["sizes"][3] = 99;
  CHECK(error_of(doc).find("network.sizes[3]") != std::string::npos);
  doc = good;
  doc["network"]["sizes"][2] = 6;
  CHECK(error_of(doc).find("different widths") != std::string::npos);
  doc = good;
  doc["network"]["parameters"][5] = "x";
  CHECK(error_of(doc).find("network.parameters[5]") != std::string::npos);
  doc = good;
  doc["network"]["parameters"].erase(0);
  CHECK(error_of(doc).find("network.parameters") != std::string::npos);
  doc = good;
  doc["condition"]["trained_range"] = {1, 1};
  CHECK(error_of(doc).find("trained_range") != std::string::npos);
  doc = good;
  doc.erase("layers");
  CHECK(error_of(doc).find("layers") != std::string::npos);
  CHECK_THROWS_AS(conditional_model_from_text("{\"format\": "), ModelFormatError);
}

TEST_CASE("conditional model JSON: a huge layout is refused before it is allocated", "[model][conditional][hardening]") {
  const auto good = conditional_model_to_json(conditional_model_of(small_trainer()));
  // 16 hidden layers of 8192 units would be about 10^9 weights (8 GB); the
  // file holds a handful, and the count is checked from the sizes alone.
  auto doc = good;
  std::vector<int> sizes{1};
  for (int l = 0; l < 16; ++l) sizes.push_back(8192);
  sizes.push_back(static_cast<int>(Flow(2, planar_layers(2, 3)).parameter_count()));
  doc["network"]["sizes"] = sizes;
  CHECK(error_of(doc).find("network.parameters must be an array of 1006927891 numbers") != std::string::npos);
  // A weight beyond the documented range.
  doc = good;
  doc["network"]["parameters"][3] = -5e7;
  CHECK(error_of(doc).find("network.parameters[3] is -5e+07, beyond the range") != std::string::npos);
}
