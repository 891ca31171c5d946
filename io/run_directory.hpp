// The --out directory of a training run (nfvi fit, cond, vae).
//
//  - It is created if missing. Every directory this run created, and only
//    those, is removed again when the run fails, and only if it is empty.
//  - It is locked for the run's lifetime (flock on .nfvi-lock inside it): a
//    second run on the same directory is refused, and neither can remove or
//    overwrite what the other wrote.
//  - A directory that already holds results (any of the command's result
//    names) is refused unless the user asked to replace or continue them.
//  - Results are written in one of two ways:
//    staged (fit, cond): files go into a private staging directory inside
//      it, and commit() moves them in only after the run has succeeded,
//      removing earlier results that this run did not produce, so old and
//      new never mix. Without commit() the directory stays as it was.
//    live (vae): each file is replaced atomically as the run goes (a
//      checkpoint after every epoch), so an interrupted run can resume.
//  - Temporary files and staging directories that a killed run left behind
//    are removed by the next run, under the lock: their names are nfvi's own.
// Errors are OutputError (see output_file.hpp).
#pragma once

#include <string>
#include <vector>

#include "output_file.hpp"

namespace nfvi {

// What to do with results that the directory already holds.
enum class ExistingResults {
  Refuse,    // the default: a run never replaces results the user did not ask it to
  Replace,   // --overwrite
  Continue,  // --resume: the run takes them over and goes on writing them (live)
};

struct RunDirectorySettings {
  // Every file or folder the command can write into the directory.
  std::vector<std::string> result_names;
  ExistingResults existing = ExistingResults::Refuse;
  // Said when existing results are refused, e.g. "pass --overwrite to replace them".
  std::string how_to_replace = "pass --overwrite to replace them";
};

class RunDirectory {
 public:
  // Creates or opens `path` and locks it. Throws OutputError.
  RunDirectory(std::string path, RunDirectorySettings settings);
  ~RunDirectory();
  RunDirectory(const RunDirectory&) = delete;
  RunDirectory& operator=(const RunDirectory&) = delete;

  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

  // True if results were there when the run began (only with Replace or Continue).
  bool had_results() const { return !existing_results_.empty(); }

  // --- staged writing
  // Where a library that writes by file name may write result `name` (which
  // may be "folder/file"); the folders are created.
  std::string staged_path(const std::string& name);
  void stage_file(const std::string& name, const std::string& bytes);
  // Moves every staged result into the directory, removes earlier results
  // this run did not produce, and ends staging. Throws OutputError.
  void commit();

  // --- live writing
  // Replaces result `name` atomically now. Under Replace, the first call
  // first removes the earlier results. From then on the directory is kept.
  void replace_file(const std::string& name, const std::string& bytes);

 private:
  void lock();
  void check_result_entries() const;
  void remove_leftovers() const;
  void remove_result(const std::string& name) const;
  void remove_earlier_results();
  void discard_staging();
  bool is_result_name(const std::string& name) const;

  std::string path_;
  RunDirectorySettings settings_;
  std::vector<std::string> created_dirs_;       // by this run, outermost first
  std::vector<std::string> existing_results_;   // result names present at open
  std::vector<std::string> staged_;             // top-level result names staged
  std::string staging_;                         // the staging directory, once made
  int lock_fd_ = -1;
  bool earlier_results_removed_ = false;
  bool kept_ = false;                           // the directory holds this run's results
};

}  // namespace nfvi
