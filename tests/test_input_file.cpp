#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "input_file.hpp"
#include "temp_dir.hpp"

using namespace nfvi;
using nfvi::testing::TempDir;

namespace {

std::string error_of(const std::string& path, std::uint64_t limit) {
  try {
    read_input_file(path, limit);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("input file: reads a regular file, and refuses devices, FIFOs and directories", "[io][hardening]") {
  TempDir dir;
  testing::write_text_file(dir / "model.json", "{\"a\": 1}");
  CHECK(read_input_file(dir / "model.json", 100) == "{\"a\": 1}");
  CHECK(read_input_file(dir / "model.json", 8) == "{\"a\": 1}");  // exactly at the limit

  CHECK_THAT(error_of(dir / "model.json", 7), Catch::Contains("is 8 bytes") && Catch::Contains("at most 7 bytes"));
  CHECK_THAT(error_of(dir / "missing", 100), Catch::Contains("cannot open"));
  CHECK_THAT(error_of(dir.path.string(), 100), Catch::Contains("is a directory, not a regular file"));
  CHECK_THAT(error_of("", 100), Catch::Contains("empty"));
  // /dev/zero would never end: refused before a byte is read.
  CHECK_THAT(error_of("/dev/zero", kModelFileLimit), Catch::Contains("character device"));
  // A FIFO with no writer would block: refused at once.
  REQUIRE(::mkfifo((dir / "fifo").c_str(), 0600) == 0);
  CHECK_THAT(error_of(dir / "fifo", 100), Catch::Contains("is a FIFO"));
  CHECK(byte_count_text(kModelFileLimit) == "64 MB");
  CHECK(byte_count_text(1000) == "1000 bytes");
}
