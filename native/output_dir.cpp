#include "output_dir.hpp"

#include <fstream>
#include <stdexcept>
#include <system_error>

#include "cli_checks.hpp"

namespace nfvi {
namespace fs = std::filesystem;

OutputDir::OutputDir(const fs::path& path) : path_(path) {
  if (path.empty()) throw std::runtime_error("--out: the output directory must not be empty");
  std::error_code ec;
  if (fs::exists(path, ec)) {
    if (!fs::is_directory(path, ec))
      throw std::runtime_error("--out: " + path.string() + " exists and is not a directory");
  } else {
    // Remember the top-most missing ancestor, so that discard() can remove all we made.
    fs::path probe = fs::absolute(path, ec);
    while (!probe.empty() && !fs::exists(probe.parent_path(), ec) && probe.parent_path() != probe)
      probe = probe.parent_path();
    fs::create_directories(path, ec);
    if (ec) throw std::runtime_error("--out: cannot create " + path.string() + ": " + ec.message());
    first_created_ = probe;
  }
  const fs::path test_file = path / ".nfvi-write-test";
  {
    std::ofstream out(test_file);
    if (!out || !(out << "ok") || !out.flush()) {
      discard();
      throw std::runtime_error("--out: " + path.string() + " is not writable");
    }
  }
  fs::remove(test_file, ec);
}

void OutputDir::write_text(const std::string& name, const std::string& text) const {
  const fs::path final_path = file(name);
  const fs::path temp_path = file("." + name + ".tmp");
  {
    std::ofstream out(temp_path, std::ios::binary);
    if (!out || !(out << text) || !out.flush()) throw std::runtime_error("cannot write " + final_path.string());
  }
  std::error_code ec;
  fs::rename(temp_path, final_path, ec);
  if (ec) throw std::runtime_error("cannot write " + final_path.string() + ": " + ec.message());
}

OutputDir open_output_dir(const fs::path& path) {
  try {
    return OutputDir(path);
  } catch (const UsageError&) {
    throw;
  } catch (const std::runtime_error& e) {
    throw UsageError(e.what());
  }
}

OutputDir::~OutputDir() {
  if (!kept_) discard();
}

void OutputDir::discard() const {
  if (first_created_.empty()) return;
  std::error_code ec;
  fs::remove_all(first_created_, ec);
}

}  // namespace nfvi
