#include "vae_checkpoint.hpp"

#include <cmath>
#include <cstring>
#include <limits>

#include "nn/adam.hpp"
#include "json_checks.hpp"
#include "model_json.hpp"  // ModelFormatError, from the strict parser

namespace nfvi {
namespace {

using nlohmann::json;

constexpr char kMagicV1[8] = {'N', 'F', 'V', 'I', 'V', 'A', 'E', '1'};
constexpr char kMagicV2[8] = {'N', 'F', 'V', 'I', 'V', 'A', 'E', '2'};
constexpr std::uint64_t kMaxHeaderBytes = 64ull << 20;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void put_u64(std::string& out, std::uint64_t value) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

std::uint64_t get_u64(const char* p) {
  std::uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(p[i]);
  return value;
}

// Doubles are stored little-endian, which is the memory order of every
// machine nfvi builds for (x86-64, wasm32): the bytes are copied as they are.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "checkpoint.bin stores little-endian doubles");

void put_doubles(std::string& out, const Vector& v) {
  out.append(reinterpret_cast<const char*>(v.data()), sizeof(double) * static_cast<size_t>(v.size()));
}

// eval_every -> --eval-every, as on the command line.
std::string flag_of(std::string key) {
  for (char& c : key)
    if (c == '_') c = '-';
  return "--" + key;
}

CheckpointError bad(const std::string& why) { return CheckpointError(why); }

const json& field(const json& header, const char* key) {
  const auto it = header.find(key);
  if (it == header.end()) throw bad(std::string("damaged header: no \"") + key + "\"");
  return *it;
}

double number(const json& value, const std::string& where) {
  if (!value.is_number()) throw bad("damaged header: " + where + " is not a number");
  const double x = value.get<double>();
  if (!std::isfinite(x)) throw bad("damaged header: " + where + " is not finite");
  return x;
}

long long whole(const json& value, const std::string& where, long long lo, long long hi) {
  if (!value.is_number_integer()) throw bad("damaged header: " + where + " is not a whole number");
  if (value.is_number_unsigned() && value.get<std::uint64_t>() > static_cast<std::uint64_t>(hi))
    throw bad("damaged header: " + where + " is out of range");
  const long long x = value.get<long long>();
  if (x < lo || x > hi) throw bad("damaged header: " + where + " is out of range");
  return x;
}

// Adam's b^t after t steps: the stored power must be it (to round-off; it
// underflows to 0 after about 7e5 steps of b = 0.999).
void check_power(const json& value, double beta, long long steps, const std::string& where) {
  const double power = number(value, where);
  const double expected = std::pow(beta, static_cast<double>(steps));
  const bool fits = expected < 1e-290 ? (power >= 0 && power < 1e-280)
                                      : std::abs(power - expected) <= 1e-6 * expected;
  if (!fits) throw bad("damaged header: " + where + " does not fit " + std::to_string(steps) + " Adam steps");
}

}  // namespace

std::uint64_t vae_checkpoint_checksum(const char* data, std::size_t n) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (std::size_t i = 0; i < n; ++i) {
    hash ^= static_cast<unsigned char>(data[i]);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::string encode_vae_checkpoint(const VaeCheckpoint& c) {
  const FlowVaeTrainingState& s = c.state;
  json history = json::array();
  for (const EpochRecord& r : c.history)
    history.push_back({r.epoch, r.train_elbo, r.test_elbo, std::isfinite(r.test_nll) ? json(r.test_nll) : json(nullptr),
                       r.seconds});
  const json header = {{"config", c.config},
                       {"epochs_done", s.epochs_done},
                       {"encoder_adam_powers", {s.encoder_adam.beta1_power, s.encoder_adam.beta2_power}},
                       {"decoder_adam_powers", {s.decoder_adam.beta1_power, s.decoder_adam.beta2_power}},
                       {"random_words", s.random.words},
                       {"random_has_spare", s.random.has_spare_normal},
                       {"random_spare", s.random.spare_normal},
                       {"sizes", {s.parameters.size(), s.encoder_adam.m.size(), s.decoder_adam.m.size()}},
                       {"history", history}};
  json full = header;
  if (c.steps_before_epoch_1 > 0) full["steps_before_epoch_1"] = c.steps_before_epoch_1;
  if (!c.page.is_null()) full["page"] = c.page;
  const std::string text = full.dump();
  std::string out(kMagicV2, 8);
  out.reserve(16 + text.size() +
              8 * static_cast<size_t>(s.parameters.size() + 2 * s.encoder_adam.m.size() + 2 * s.decoder_adam.m.size()) +
              8);
  put_u64(out, text.size());
  out += text;
  for (const Vector* v : {&s.parameters, &s.encoder_adam.m, &s.encoder_adam.v, &s.decoder_adam.m, &s.decoder_adam.v})
    put_doubles(out, *v);
  put_u64(out, vae_checkpoint_checksum(out.data(), out.size()));
  return out;
}

namespace {

// The checks that need no expectation: the magic, the header's length (and,
// when expected_size is not 0, the file's), the checksum; returns the header.
json checked_header(const std::string& bytes, bool& v2, std::uint64_t& header_length,
                    const VaeCheckpointExpectation* e) {
  if (bytes.size() < 16) throw bad("not an nfvi VAE checkpoint (too short)");
  v2 = std::memcmp(bytes.data(), kMagicV2, 8) == 0;
  if (!v2 && std::memcmp(bytes.data(), kMagicV1, 8) != 0) throw bad("not an nfvi VAE checkpoint");
  header_length = get_u64(bytes.data() + 8);
  if (header_length > kMaxHeaderBytes || header_length > bytes.size() - 16) throw bad("damaged header (its length)");
  if (e != nullptr) {
    // The size of the whole file follows from the expected vectors: check it before anything else.
    const std::uint64_t doubles = static_cast<std::uint64_t>(e->parameters) +
                                  2 * static_cast<std::uint64_t>(e->encoder_moments) +
                                  2 * static_cast<std::uint64_t>(e->decoder_moments);
    const std::uint64_t expected_size = 16 + header_length + 8 * doubles + (v2 ? 8 : 0);
    if (bytes.size() != expected_size)
      throw bad("truncated or damaged: " + std::to_string(bytes.size()) + " bytes, not the " +
                std::to_string(expected_size) + " this run's checkpoint has");
  } else if (v2 && bytes.size() < 16 + header_length + 8) {
    throw bad("truncated: it ends before its checksum");
  }
  if (v2 && get_u64(bytes.data() + bytes.size() - 8) != vae_checkpoint_checksum(bytes.data(), bytes.size() - 8))
    throw bad("damaged: its checksum does not match");
  json header;
  try {
    header = json_checks::parse_json_text(bytes.substr(16, header_length));
  } catch (const ModelFormatError& error) {
    throw bad(std::string("damaged header: ") + error.what());
  }
  if (!header.is_object()) throw bad("damaged header: not a JSON object");
  return header;
}

}  // namespace

json vae_checkpoint_config(const std::string& bytes) {
  bool v2 = false;
  std::uint64_t header_length = 0;
  const json header = checked_header(bytes, v2, header_length, nullptr);
  const json& config = field(header, "config");
  if (!config.is_object()) throw bad("damaged header: \"config\" is not an object");
  return config;
}

VaeCheckpoint decode_vae_checkpoint(const std::string& bytes, const VaeCheckpointExpectation& e) {
  bool v2 = false;
  std::uint64_t header_length = 0;
  const json header = checked_header(bytes, v2, header_length, &e);
  VaeCheckpoint c;

  const json& config = field(header, "config");
  if (!config.is_object()) throw bad("damaged header: \"config\" is not an object");
  for (auto it = e.config.begin(); it != e.config.end(); ++it) {
    const auto found = config.find(it.key());
    if (found == config.end()) throw bad("damaged header: its config has no \"" + it.key() + "\"");
    if (*found != it.value())
      throw bad("it was made with " + flag_of(it.key()) + " " + found->dump() + ", not " + it.value().dump());
  }
  if (config.size() != e.config.size()) throw bad("damaged header: its config has settings this nfvi does not know");
  c.config = config;

  // A model from the page: its Adam steps came before epoch 1, and it may have no epoch yet.
  if (const auto before = header.find("steps_before_epoch_1"); before != header.end())
    c.steps_before_epoch_1 = whole(*before, "steps_before_epoch_1", 0, 1000000000000LL);
  if (const auto page = header.find("page"); page != header.end()) c.page = *page;
  FlowVaeTrainingState& s = c.state;
  s.epochs_done = static_cast<int>(
      whole(field(header, "epochs_done"), "epochs_done", c.steps_before_epoch_1 > 0 ? 0 : 1, e.max_epochs));
  const long long steps = c.steps_before_epoch_1 + static_cast<long long>(s.epochs_done) * e.batches_per_epoch;
  const json& history = field(header, "history");
  if (!history.is_array() || history.size() != static_cast<size_t>(s.epochs_done))
    throw bad("damaged header: the history does not hold " + std::to_string(s.epochs_done) + " epochs");

  const json& sizes = field(header, "sizes");
  if (!sizes.is_array() || sizes.size() != 3) throw bad("damaged header: \"sizes\" is not 3 numbers");
  if (whole(sizes[0], "sizes[0]", 0, e.parameters) != e.parameters ||
      whole(sizes[1], "sizes[1]", 0, e.encoder_moments) != e.encoder_moments ||
      whole(sizes[2], "sizes[2]", 0, e.decoder_moments) != e.decoder_moments)
    throw bad("its network sizes differ from this run's");

  const char* adam_keys[2] = {"encoder_adam_powers", "decoder_adam_powers"};
  Adam::State* adams[2] = {&s.encoder_adam, &s.decoder_adam};
  for (int i = 0; i < 2; ++i) {
    const json& powers = field(header, adam_keys[i]);
    if (!powers.is_array() || powers.size() != 2) throw bad(std::string("damaged header: \"") + adam_keys[i] + "\"");
    check_power(powers[0], Adam::kBeta1, steps, std::string(adam_keys[i]) + "[0]");
    check_power(powers[1], Adam::kBeta2, steps, std::string(adam_keys[i]) + "[1]");
    adams[i]->beta1_power = powers[0].get<double>();
    adams[i]->beta2_power = powers[1].get<double>();
  }

  const json& words = field(header, "random_words");
  if (!words.is_array() || words.size() != 4) throw bad("damaged header: \"random_words\" is not 4 numbers");
  bool all_zero = true;
  for (size_t i = 0; i < 4; ++i) {
    if (!words[i].is_number_unsigned()) throw bad("damaged header: random_words holds a value that is not a word");
    s.random.words[i] = words[i].get<std::uint64_t>();
    all_zero = all_zero && s.random.words[i] == 0;
  }
  if (all_zero) throw bad("damaged header: the generator's state is all zeros");
  const json& has_spare = field(header, "random_has_spare");
  if (!has_spare.is_boolean()) throw bad("damaged header: \"random_has_spare\" is not true or false");
  s.random.has_spare_normal = has_spare.get<bool>();
  s.random.spare_normal = number(field(header, "random_spare"), "random_spare");

  for (size_t i = 0; i < history.size(); ++i) {
    const json& row = history[i];
    const std::string where = "history[" + std::to_string(i) + "]";
    if (!row.is_array() || row.size() != 5) throw bad("damaged header: " + where + " is not 5 values");
    EpochRecord r;
    r.epoch = static_cast<int>(whole(row[0], where + "[0]", 1, e.max_epochs));
    if (r.epoch != static_cast<int>(i) + 1) throw bad("damaged header: " + where + " is not epoch " + std::to_string(i + 1));
    r.train_elbo = number(row[1], where + "[1]");
    r.test_elbo = number(row[2], where + "[2]");
    // Missing -log p(x): null (version 2) or -1 (version 1).
    r.test_nll = row[3].is_null() ? kNaN : number(row[3], where + "[3]");
    if (!v2 && r.test_nll < 0) r.test_nll = kNaN;
    r.seconds = number(row[4], where + "[4]");
    c.history.push_back(r);
  }

  // The vectors, now that their sizes are known to fit the file.
  const char* p = bytes.data() + 16 + header_length;
  const auto read_vector = [&](Eigen::Index n, Vector& v, const char* what, bool non_negative) {
    v.resize(n);
    std::memcpy(v.data(), p, sizeof(double) * static_cast<size_t>(n));
    p += sizeof(double) * static_cast<size_t>(n);
    if (!v.allFinite() || (non_negative && n > 0 && v.minCoeff() < 0))
      throw bad(std::string("damaged: ") + what + " holds a value that cannot be");
  };
  read_vector(e.parameters, s.parameters, "the parameters", false);
  read_vector(e.encoder_moments, s.encoder_adam.m, "the encoder's Adam m", false);
  read_vector(e.encoder_moments, s.encoder_adam.v, "the encoder's Adam v", true);
  read_vector(e.decoder_moments, s.decoder_adam.m, "the decoder's Adam m", false);
  read_vector(e.decoder_moments, s.decoder_adam.v, "the decoder's Adam v", true);
  return c;
}

}  // namespace nfvi
