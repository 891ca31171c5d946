#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "output_file.hpp"
#include "temp_dir.hpp"

using namespace nfvi;
using nfvi::testing::TempDir;
namespace fs = std::filesystem;

namespace {

std::string error_of(const std::string& path) {
  try {
    write_file_atomically(path, "new");
  } catch (const OutputError& e) {
    return e.what();
  }
  return "";
}

// The names in dir, sorted.
std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

TEST_CASE("output file: writes new files and replaces regular ones whole", "[io][hardening]") {
  TempDir dir;
  write_file_atomically(dir / "a.csv", "first");
  CHECK(testing::read_text_file(dir / "a.csv") == "first");
  write_file_atomically(dir / "a.csv", "second");
  CHECK(testing::read_text_file(dir / "a.csv") == "second");
  struct stat info {};
  REQUIRE(::stat((dir / "a.csv").c_str(), &info) == 0);
  const mode_t mask = ::umask(0);
  ::umask(mask);
  CHECK((info.st_mode & 0777) == (0666 & ~mask));  // not mkstemp's 0600

  // Without commit, the target is untouched and the temporary is gone.
  {
    OutputFile file(dir / "a.csv");
    file.write("half");
  }
  CHECK(testing::read_text_file(dir / "a.csv") == "second");
  CHECK(names_in(dir.path) == std::vector<std::string>{"a.csv"});

  // A user's own a.csv.partial (or any other name) is never touched.
  testing::write_text_file(dir / "a.csv.partial", "mine");
  write_file_atomically(dir / "a.csv", "third");
  CHECK(testing::read_text_file(dir / "a.csv.partial") == "mine");
}

TEST_CASE("output file: refuses devices, FIFOs, links and directories, and leaves them as they were", "[io][hardening]") {
  TempDir dir;
  REQUIRE(::mkfifo((dir / "fifo").c_str(), 0600) == 0);
  CHECK_THAT(error_of(dir / "fifo"), Catch::Contains("is a FIFO"));
  CHECK(fs::is_fifo(dir / "fifo"));

  testing::write_text_file(dir / "target", "keep");
  fs::create_symlink(dir / "target", dir / "link");
  CHECK_THAT(error_of(dir / "link"), Catch::Contains("symbolic link"));
  CHECK(fs::is_symlink(dir / "link"));
  CHECK(testing::read_text_file(dir / "target") == "keep");

  fs::create_symlink("/proc/self/fd/1", dir / "stdout");
  CHECK_THAT(error_of(dir / "stdout"), Catch::Contains("symbolic link"));

  CHECK_THAT(error_of(dir.path.string()), Catch::Contains("is a directory"));
  CHECK_THAT(error_of(dir.path.string() + "/"), Catch::Contains("names a directory"));
  CHECK_THAT(error_of(""), Catch::Contains("empty"));
  CHECK_THAT(error_of(dir / "no-such-dir/x.csv"), Catch::Contains("cannot write"));

  // A copy of /dev/null, made with mknod where the test may (as root, in CI).
  if (::mknod((dir / "null").c_str(), S_IFCHR | 0666, makedev(1, 3)) == 0) {
    CHECK_THAT(error_of(dir / "null"), Catch::Contains("character device"));
    struct stat info {};
    REQUIRE(::lstat((dir / "null").c_str(), &info) == 0);
    CHECK(S_ISCHR(info.st_mode));
  }
  // Nothing of ours is left behind.
  for (const std::string& name : names_in(dir.path)) CHECK(name.find(".nfvi-") == std::string::npos);
}
