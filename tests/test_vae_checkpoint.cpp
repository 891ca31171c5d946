#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <functional>

#include "vae_checkpoint.hpp"

using namespace nfvi;
using nlohmann::json;

namespace {

struct Fixture {
  FlowVaeTrainingConfig config;
  VaeCheckpointExpectation expected;
  VaeCheckpoint checkpoint;

  Fixture() {
    config.shape = {6, 2, 1, 3};
    config.batch = 4;
    FlowVaeTrainer trainer(config, 10);  // 3 batches per epoch
    checkpoint.config = {{"latent", 2}, {"seed", 5}, {"eval_every", 1}};
    checkpoint.state = trainer.state();
    checkpoint.state.epochs_done = 2;
    const long long steps = 2 * trainer.batches_per_epoch();
    for (Adam::State* a : {&checkpoint.state.encoder_adam, &checkpoint.state.decoder_adam}) {
      a->beta1_power = std::pow(Adam::kBeta1, steps);
      a->beta2_power = std::pow(Adam::kBeta2, steps);
      a->v.setConstant(0.25);
    }
    checkpoint.history = {{1, -500, -510, std::nan(""), 0.5}, {2, -400, -420, 415.5, 0.5}};
    expected.config = checkpoint.config;
    expected.parameters = checkpoint.state.parameters.size();
    expected.encoder_moments = checkpoint.state.encoder_adam.m.size();
    expected.decoder_moments = checkpoint.state.decoder_adam.m.size();
    expected.batches_per_epoch = trainer.batches_per_epoch();
  }

  std::string bytes() const { return encode_vae_checkpoint(checkpoint); }

  // The checkpoint with its header edited (and the checksum made to fit, so
  // that the field checks, not the checksum, must catch the damage).
  std::string with_header(const std::function<void(json&)>& edit) const {
    const std::string b = bytes();
    std::uint64_t length = 0;
    std::memcpy(&length, b.data() + 8, 8);
    json header = json::parse(b.substr(16, length));
    edit(header);
    const std::string text = header.dump();
    std::string out = b.substr(0, 8);
    const std::uint64_t n = text.size();
    out.append(reinterpret_cast<const char*>(&n), 8);
    out += text;
    out += b.substr(16 + length, b.size() - 16 - length - 8);
    const std::uint64_t sum = vae_checkpoint_checksum(out.data(), out.size());
    out.append(reinterpret_cast<const char*>(&sum), 8);
    return out;
  }

  std::string error_of(const std::string& b) const {
    try {
      decode_vae_checkpoint(b, expected);
    } catch (const CheckpointError& e) {
      return e.what();
    }
    return "";
  }
};

}  // namespace

TEST_CASE("vae checkpoint: round-trips exactly, history included", "[vae][checkpoint]") {
  const Fixture f;
  const VaeCheckpoint back = decode_vae_checkpoint(f.bytes(), f.expected);
  CHECK(back.state.epochs_done == 2);
  CHECK(back.state.parameters == f.checkpoint.state.parameters);
  CHECK(back.state.encoder_adam.v == f.checkpoint.state.encoder_adam.v);
  CHECK(back.state.decoder_adam.beta2_power == f.checkpoint.state.decoder_adam.beta2_power);
  CHECK(back.state.random.words == f.checkpoint.state.random.words);
  REQUIRE(back.history.size() == 2);
  CHECK(std::isnan(back.history[0].test_nll));
  CHECK(back.history[1].test_nll == 415.5);
  CHECK(back.config == f.checkpoint.config);
}

TEST_CASE("vae checkpoint: damaged files are refused with a reason, never trusted", "[vae][checkpoint][hardening]") {
  const Fixture f;
  REQUIRE(f.error_of(f.bytes()).empty());
  // The ones that crashed or hung `nfvi vae --resume`.
  CHECK_THAT(f.error_of(f.with_header([](json& h) {
    h["epochs_done"] = 3;
    h["history"] = json::array();
  })), Catch::Contains("the history does not hold 3 epochs"));
  CHECK_THAT(f.error_of(f.with_header([](json& h) { h["epochs_done"] = 2147483647; })), Catch::Contains("epochs_done is out of range"));
  CHECK_THAT(f.error_of(f.with_header([](json& h) { h["epochs_done"] = 1ULL << 40; })), Catch::Contains("epochs_done is out of range"));
  CHECK_THAT(f.error_of(f.with_header([](json& h) { h["epochs_done"] = 2.5; })), Catch::Contains("epochs_done is not a whole number"));
  CHECK_THAT(f.error_of(f.with_header([](json& h) { h["random_words"] = {0, 0, 0, 0}; })), Catch::Contains("all zeros"));
  CHECK_THAT(f.error_of(f.with_header([](json& h) { h["encoder_adam_powers"][0] = 0.0; })),
             Catch::Contains("encoder_adam_powers[0] does not fit 6 Adam steps"));
  CHECK_THAT(f.error_of(f.with_header([](json& h) { h["decoder_adam_powers"][1] = 1.0; })),
             Catch::Contains("decoder_adam_powers[1] does not fit"));
  // Settings of another run, sizes of another network, history out of order.
  CHECK_THAT(f.error_of(f.with_header([](json& h) { h["config"]["seed"] = 6; })), Catch::Contains("made with --seed 6, not 5"));
  CHECK_THAT(f.error_of(f.with_header([](json& h) { h["config"]["eval_every"] = 2; })),
             Catch::Contains("--eval-every 2, not 1"));
  CHECK_THAT(f.error_of(f.with_header([](json& h) { h["config"]["extra"] = 1; })), Catch::Contains("does not know"));
  CHECK_THAT(f.error_of(f.with_header([](json& h) { h["sizes"][0] = 3; })), Catch::Contains("network sizes differ"));
  CHECK_THAT(f.error_of(f.with_header([](json& h) { h["history"][1][0] = 5; })), Catch::Contains("is not epoch 2"));
  CHECK_THAT(f.error_of(f.with_header([](json& h) { h["history"][0] = "x"; })), Catch::Contains("history[0] is not 5 values"));
  CHECK_THAT(f.error_of(f.with_header([](json& h) { h.erase("random_spare"); })), Catch::Contains("no \"random_spare\""));
  // Damage in the bytes: caught by the size and the checksum.
  std::string b = f.bytes();
  CHECK_THAT(f.error_of(b.substr(0, b.size() - 1)), Catch::Contains("truncated or damaged"));
  CHECK_THAT(f.error_of(b + "x"), Catch::Contains("truncated or damaged"));
  b[b.size() - 100] ^= 0x10;
  CHECK_THAT(f.error_of(b), Catch::Contains("checksum"));
  CHECK_THAT(f.error_of("NFVIVAE2"), Catch::Contains("too short"));
  CHECK_THAT(f.error_of(std::string(64, 'x')), Catch::Contains("not an nfvi VAE checkpoint"));
  std::string huge_header = f.bytes();
  const std::uint64_t absurd = 1ULL << 62;
  std::memcpy(&huge_header[8], &absurd, 8);
  CHECK_THAT(f.error_of(huge_header), Catch::Contains("its length"));
  // A NaN in Adam's second moments (the checksum made to fit).
  Fixture g;
  g.checkpoint.state.decoder_adam.v(0) = -1;
  CHECK_THAT(g.error_of(g.bytes()), Catch::Contains("decoder's Adam v"));
}

TEST_CASE("vae checkpoint: version 1 files (no checksum, -1 for a missing -log p(x)) still load", "[vae][checkpoint]") {
  const Fixture f;
  std::string v1 = f.with_header([](json& h) { h["history"][0][3] = -1.0; });
  v1[7] = '1';
  v1.resize(v1.size() - 8);  // no checksum
  const VaeCheckpoint back = decode_vae_checkpoint(v1, f.expected);
  CHECK(std::isnan(back.history[0].test_nll));
  CHECK(back.state.parameters == f.checkpoint.state.parameters);
}

TEST_CASE("vae checkpoint: a page model (Adam steps before epoch 1, no epoch) round-trips and its steps are checked",
          "[vae][checkpoint]") {
  Fixture f;
  // 7 steps on the page, then 2 epochs of 3 batches: Adam's powers fit 13 steps.
  f.checkpoint.steps_before_epoch_1 = 7;
  f.checkpoint.page = {{"batch_elbos", {-500.0, -490.0}}, {"epochs", 1}};
  for (Adam::State* a : {&f.checkpoint.state.encoder_adam, &f.checkpoint.state.decoder_adam}) {
    a->beta1_power = std::pow(Adam::kBeta1, 13);
    a->beta2_power = std::pow(Adam::kBeta2, 13);
  }
  const VaeCheckpoint back = decode_vae_checkpoint(f.bytes(), f.expected);
  CHECK(back.steps_before_epoch_1 == 7);
  CHECK(back.page == f.checkpoint.page);
  CHECK(vae_checkpoint_config(f.bytes()) == f.checkpoint.config);
  // Without its steps before epoch 1, the powers do not fit the epochs alone.
  CHECK(f.error_of(f.with_header([](json& h) { h.erase("steps_before_epoch_1"); })).find("does not fit") !=
        std::string::npos);
  // No epoch yet is allowed only after steps on the page.
  Fixture page_only;
  page_only.checkpoint.state.epochs_done = 0;
  page_only.checkpoint.history.clear();
  page_only.checkpoint.steps_before_epoch_1 = 6;
  CHECK(decode_vae_checkpoint(page_only.bytes(), page_only.expected).state.epochs_done == 0);
  page_only.checkpoint.steps_before_epoch_1 = 0;
  CHECK(page_only.error_of(page_only.bytes()).find("epochs_done is out of range") != std::string::npos);
  CHECK_THROWS_AS(vae_checkpoint_config("NFVIVAE2"), CheckpointError);
  CHECK_THROWS_AS(vae_checkpoint_config(std::string("{\"format\": \"nfvi-flow\"}")), CheckpointError);
}
