// The --out directory of a run: created up front and checked for writability
// before any work. Text files (kl.csv, summary.json) are written atomically
// (to a temporary name, then renamed), so a reader never sees a half-written
// one; the PNGs are written by PLplot in place, and summary.json comes last.
// Unless keep() is called, the destructor removes the directory again if nfvi
// created it: a run that fails (divergence, an exception while writing
// figures) leaves no partial result behind.
#pragma once

#include <filesystem>
#include <string>

namespace nfvi {

class OutputDir {
 public:
  // Creates the directory (and parents) if needed and checks that a file can
  // be written in it. Throws std::runtime_error with a one-line reason.
  explicit OutputDir(const std::filesystem::path& path);
  ~OutputDir();
  OutputDir(const OutputDir&) = delete;
  OutputDir& operator=(const OutputDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path file(const std::string& name) const { return path_ / name; }

  // Writes text to name atomically.
  void write_text(const std::string& name, const std::string& text) const;

  // The run succeeded: keep the directory.
  void keep() { kept_ = true; }

 private:
  std::filesystem::path path_;
  std::filesystem::path first_created_;  // the top-most directory we created, or empty
  bool kept_ = false;

  // Removes what nfvi created, if nfvi created the directory; a directory that
  // existed before is left as it was.
  void discard() const;
};

// OutputDir(path), with its errors reported as bad --out flags (UsageError).
OutputDir open_output_dir(const std::filesystem::path& path);

}  // namespace nfvi
