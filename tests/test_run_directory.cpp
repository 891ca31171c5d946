#include <catch2/catch.hpp>
#include <filesystem>

#include "run_directory.hpp"
#include "temp_dir.hpp"

using namespace nfvi;
using nfvi::testing::read_text_file;
using nfvi::testing::TempDir;
using nfvi::testing::write_text_file;
namespace fs = std::filesystem;

namespace {

RunDirectorySettings fit_like(ExistingResults existing = ExistingResults::Refuse) {
  return {{"kl.csv", "summary.json", "kl.png", "frames"}, existing, "pass --overwrite to replace them"};
}

std::string error_of(const std::string& path, const RunDirectorySettings& settings) {
  try {
    RunDirectory out(path, settings);
  } catch (const OutputError& e) {
    return e.what();
  }
  return "";
}

std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

TEST_CASE("run directory: a failed run removes only the directories it created", "[io][hardening]") {
  TempDir dir;
  {
    RunDirectory out(dir / "runs/a/b", fit_like());
    out.stage_file("kl.csv", "step\n");
    CHECK(fs::is_directory(dir / "runs/a/b"));
  }  // no commit: the run failed
  CHECK_FALSE(fs::exists(dir / "runs"));

  fs::create_directories(dir / "mine");
  write_text_file(dir / "mine/notes.txt", "keep");
  {
    RunDirectory out(dir / "mine", fit_like());
    out.stage_file("kl.csv", "step\n");
  }
  CHECK(names_in(dir / "mine") == std::vector<std::string>{"notes.txt"});
}

TEST_CASE("run directory: commit moves the results in, existing results need --overwrite", "[io][hardening]") {
  TempDir dir;
  const std::string run = dir / "run";
  {
    RunDirectory out(run, fit_like());
    out.stage_file("kl.csv", "old kl");
    out.stage_file("summary.json", "old summary");
    out.stage_file("frames/frame_00.png", "old frame 0");
    out.stage_file("frames/frame_01.png", "old frame 1");
    out.commit();
  }
  write_text_file(run + "/notes.txt", "the user's");
  CHECK(names_in(run) == std::vector<std::string>{"frames", "kl.csv", "notes.txt", "summary.json"});

  CHECK_THAT(error_of(run, fit_like()),
             Catch::Contains("already holds the results of a run (kl.csv, summary.json, frames)") &&
                 Catch::Contains("pass --overwrite"));
  {
    // Replace: the old results stay until commit, and a run that fails leaves them as they were.
    RunDirectory out(run, fit_like(ExistingResults::Replace));
    out.stage_file("kl.csv", "new kl");
    CHECK(read_text_file(run + "/kl.csv") == "old kl");
  }
  CHECK(read_text_file(run + "/kl.csv") == "old kl");
  CHECK(read_text_file(run + "/summary.json") == "old summary");
  {
    // A run that succeeds: its results, and none of the earlier run's beside them.
    RunDirectory out(run, fit_like(ExistingResults::Replace));
    out.stage_file("kl.csv", "new kl");
    out.stage_file("frames/frame_00.png", "new frame 0");
    out.commit();
  }
  CHECK(names_in(run) == std::vector<std::string>{"frames", "kl.csv", "notes.txt"});
  CHECK(names_in(run + "/frames") == std::vector<std::string>{"frame_00.png"});
  CHECK(read_text_file(run + "/frames/frame_00.png") == "new frame 0");
  CHECK(read_text_file(run + "/notes.txt") == "the user's");
}

TEST_CASE("run directory: one run at a time", "[io][hardening]") {
  TempDir dir;
  RunDirectory first(dir / "shared", fit_like());
  CHECK_THAT(error_of(dir / "shared", fit_like(ExistingResults::Replace)), Catch::Contains("in use by another nfvi run"));
  first.stage_file("kl.csv", "first");
  first.commit();
  CHECK(read_text_file(dir / "shared/kl.csv") == "first");
}

TEST_CASE("run directory: a killed run's leftovers are removed, the user's files are not", "[io][hardening]") {
  TempDir dir;
  const std::string run = dir / "run";
  fs::create_directories(run + "/.nfvi-staging-Ab12Cd/frames");
  write_text_file(run + "/.nfvi-staging-Ab12Cd/frames/frame_00.png", "dead");
  write_text_file(run + "/.kl.csv.nfvi-x1Y2z3", "dead temporary");
  write_text_file(run + "/.notes.txt.nfvi-x1Y2z3", "not a result name: the user's");
  write_text_file(run + "/kl.csv.partial", "the user's");
  write_text_file(run + "/.nfvi-lock", "12345\n");  // a lock file whose run was killed: no lock is held
  {
    RunDirectory out(run, fit_like());
    out.stage_file("kl.csv", "new");
    out.commit();
  }
  CHECK(names_in(run) == std::vector<std::string>{".notes.txt.nfvi-x1Y2z3", "kl.csv", "kl.csv.partial"});
}

TEST_CASE("run directory: a link or device in a result's place is refused, even with --overwrite", "[io][hardening]") {
  TempDir dir;
  const std::string run = dir / "run";
  fs::create_directories(run);
  write_text_file(dir / "elsewhere", "keep");
  fs::create_symlink(dir / "elsewhere", run + "/summary.json");
  CHECK_THAT(error_of(run, fit_like(ExistingResults::Replace)), Catch::Contains("summary.json is not a regular file"));
  CHECK(fs::is_symlink(run + "/summary.json"));
  CHECK(read_text_file(dir / "elsewhere") == "keep");
  CHECK_THAT(error_of(dir / "elsewhere", fit_like()), Catch::Contains("not a directory"));
}

TEST_CASE("run directory: live writes replace files now, and the earlier run's go first", "[io][hardening]") {
  TempDir dir;
  const std::string run = dir / "run";
  RunDirectorySettings vae_like{{"checkpoint.bin", "elbo.csv", "summary.json"}, ExistingResults::Refuse, "pass --resume"};
  {
    RunDirectory out(run, vae_like);
    out.replace_file("checkpoint.bin", "epoch 1");
    out.replace_file("elbo.csv", "1 row");
    out.replace_file("summary.json", "done");
  }
  CHECK(read_text_file(run + "/checkpoint.bin") == "epoch 1");
  vae_like.existing = ExistingResults::Continue;
  {
    RunDirectory out(run, vae_like);
    CHECK(out.had_results());
    out.replace_file("checkpoint.bin", "epoch 2");
  }
  CHECK(read_text_file(run + "/summary.json") == "done");  // continued, not cleared
  vae_like.existing = ExistingResults::Replace;
  {
    RunDirectory out(run, vae_like);
    CHECK(read_text_file(run + "/checkpoint.bin") == "epoch 2");  // nothing removed before the first write
    out.replace_file("checkpoint.bin", "new epoch 1");
  }
  CHECK(names_in(run) == std::vector<std::string>{"checkpoint.bin"});
}
