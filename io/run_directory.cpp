#include "run_directory.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

namespace nfvi {
namespace {

constexpr const char* kLockName = ".nfvi-lock";
constexpr const char* kStagingPrefix = ".nfvi-staging-";

std::string errno_text() { return std::strerror(errno); }

bool starts_with(const std::string& s, const std::string& prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

// The names in a directory, without . and ..
std::vector<std::string> entries_of(const std::string& dir) {
  std::vector<std::string> names;
  const std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
  if (!d) throw OutputError("cannot read " + dir + ": " + errno_text());
  while (const dirent* e = ::readdir(d.get())) {
    const std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  return names;
}

// Removes a directory of nfvi's own (a staging directory, or a result folder
// such as frames/ that check_result_entries found to hold only files):
// unlinks what is inside, never following a link, then the directory.
void remove_tree(const std::string& dir) {
  for (const std::string& name : entries_of(dir)) {
    const std::string p = dir + "/" + name;
    struct stat info {};
    if (::lstat(p.c_str(), &info) == 0 && S_ISDIR(info.st_mode)) {
      remove_tree(p);
    } else if (::unlink(p.c_str()) != 0 && errno != ENOENT) {
      throw OutputError("cannot remove " + p + ": " + errno_text());
    }
  }
  if (::rmdir(dir.c_str()) != 0 && errno != ENOENT) throw OutputError("cannot remove " + dir + ": " + errno_text());
}

void sync_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    const std::string why = errno_text();
    if (fd >= 0) ::close(fd);
    throw OutputError("cannot write " + path + ": " + why);
  }
  ::close(fd);
}

// Syncs every regular file under `path` (a file or a folder of files).
void sync_tree(const std::string& path) {
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0) throw OutputError("cannot write " + path + ": " + errno_text());
  if (S_ISDIR(info.st_mode)) {
    for (const std::string& name : entries_of(path)) sync_tree(path + "/" + name);
  } else {
    sync_file(path);
  }
}

}  // namespace

RunDirectory::RunDirectory(std::string path, RunDirectorySettings settings)
    : path_(std::move(path)), settings_(std::move(settings)) {
  if (path_.empty()) throw OutputError("the output directory name is empty");
  while (path_.size() > 1 && path_.back() == '/') path_.pop_back();
  try {
    lock();
    for (const std::string& name : settings_.result_names) {
      struct stat info {};
      if (::lstat(file(name).c_str(), &info) == 0) existing_results_.push_back(name);
    }
    if (!existing_results_.empty() && settings_.existing == ExistingResults::Refuse) {
      std::string names;
      for (size_t i = 0; i < existing_results_.size() && i < 3; ++i)
        names += (i > 0 ? ", " : "") + existing_results_[i];
      if (existing_results_.size() > 3) names += ", ...";
      throw OutputError(path_ + " already holds the results of a run (" + names + "); " + settings_.how_to_replace);
    }
    check_result_entries();
    remove_leftovers();
  } catch (...) {
    discard_staging();
    if (lock_fd_ >= 0) {
      ::unlink(file(kLockName).c_str());
      ::close(lock_fd_);
      lock_fd_ = -1;
    }
    for (auto it = created_dirs_.rbegin(); it != created_dirs_.rend(); ++it) ::rmdir(it->c_str());
    throw;
  }
}

RunDirectory::~RunDirectory() {
  discard_staging();
  if (lock_fd_ >= 0) {
    // Unlinked while still held: a run waiting on the old file sees that the
    // name now points elsewhere (or nowhere) and tries again (see lock()).
    ::unlink(file(kLockName).c_str());
    ::close(lock_fd_);
  }
  if (!kept_)
    for (auto it = created_dirs_.rbegin(); it != created_dirs_.rend(); ++it) ::rmdir(it->c_str());  // only if empty
}

void RunDirectory::lock() {
  const std::string lock_path = file(kLockName);
  for (int attempt = 0; attempt < 50; ++attempt) {
    // Create what is missing, one level at a time: a mkdir that succeeds is
    // ours, and EEXIST means someone else made it (perhaps a moment ago).
    std::vector<std::string> chain;
    for (std::string p = path_;;) {
      chain.push_back(p);
      const size_t slash = p.find_last_of('/');
      if (slash == std::string::npos || slash == 0) break;
      p = p.substr(0, slash);
    }
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
      struct stat info {};
      if (::stat(it->c_str(), &info) == 0) {
        if (!S_ISDIR(info.st_mode)) throw OutputError(*it + " exists and is not a directory");
        continue;
      }
      if (::mkdir(it->c_str(), 0777) == 0) {
        if (std::find(created_dirs_.begin(), created_dirs_.end(), *it) == created_dirs_.end())
          created_dirs_.push_back(*it);
      } else if (errno != EEXIST) {
        throw OutputError("cannot create " + *it + ": " + errno_text());
      }
    }
    const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) {
      if (errno == ENOENT) continue;  // the directory was removed meanwhile
      throw OutputError(path_ + " is not writable: " + errno_text());
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int error = errno;
      ::close(fd);
      if (error == EWOULDBLOCK) throw OutputError(path_ + " is in use by another nfvi run; wait for it or choose another directory");
      throw OutputError("cannot lock " + path_ + ": " + std::strerror(error));
    }
    struct stat held {}, named {};
    if (::fstat(fd, &held) == 0 && ::lstat(lock_path.c_str(), &named) == 0 && held.st_dev == named.st_dev &&
        held.st_ino == named.st_ino) {
      lock_fd_ = fd;
      const std::string pid = std::to_string(::getpid()) + "\n";
      if (::ftruncate(fd, 0) != 0 || ::write(fd, pid.data(), pid.size()) != static_cast<ssize_t>(pid.size()))
        throw OutputError(path_ + " is not writable: " + errno_text());
      return;
    }
    ::close(fd);  // the run before us removed that lock file after we opened it: try again
  }
  throw OutputError("cannot lock " + path_ + ": it keeps changing");
}

// Results are replaced only where they are what nfvi writes: regular files,
// or folders of regular files. A link or a device in their place is refused.
void RunDirectory::check_result_entries() const {
  for (const std::string& name : existing_results_) {
    struct stat info {};
    const std::string p = file(name);
    if (::lstat(p.c_str(), &info) != 0) continue;
    if (S_ISREG(info.st_mode)) continue;
    if (S_ISDIR(info.st_mode)) {
      for (const std::string& inner : entries_of(p)) {
        struct stat inner_info {};
        if (::lstat((p + "/" + inner).c_str(), &inner_info) == 0 && !S_ISREG(inner_info.st_mode))
          throw OutputError(p + "/" + inner + " is not a regular file; nfvi replaces only its own results");
      }
      continue;
    }
    throw OutputError(p + " is not a regular file (a link, device or FIFO); nfvi replaces only its own results");
  }
}

bool RunDirectory::is_result_name(const std::string& name) const {
  return std::find(settings_.result_names.begin(), settings_.result_names.end(), name) != settings_.result_names.end();
}

// What a killed run left: staging directories, and the temporaries of result
// files (".NAME.nfvi-XXXXXX"). Nobody else holds the lock, so they are dead.
void RunDirectory::remove_leftovers() const {
  for (const std::string& name : entries_of(path_)) {
    if (starts_with(name, kStagingPrefix)) {
      remove_tree(file(name));
      continue;
    }
    const size_t marker = name.rfind(kTempMarker);
    if (name.size() > 1 && name[0] == '.' && marker != std::string::npos && marker > 1 &&
        name.size() == marker + kTempMarker.size() + 6 && is_result_name(name.substr(1, marker - 1)))
      ::unlink(file(name).c_str());
  }
}

std::string RunDirectory::staged_path(const std::string& name) {
  if (staging_.empty()) {
    std::string pattern = file(std::string(kStagingPrefix) + "XXXXXX");
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    if (::mkdtemp(buffer.data()) == nullptr) throw OutputError("cannot write in " + path_ + ": " + errno_text());
    staging_ = buffer.data();
  }
  const std::string top = name.substr(0, name.find('/'));
  if (!is_result_name(top)) throw OutputError("internal: " + name + " is not one of this command's results");
  if (std::find(staged_.begin(), staged_.end(), top) == staged_.end()) staged_.push_back(top);
  // Create the folders on the way.
  for (size_t slash = name.find('/'); slash != std::string::npos; slash = name.find('/', slash + 1)) {
    const std::string dir = staging_ + "/" + name.substr(0, slash);
    if (::mkdir(dir.c_str(), 0777) != 0 && errno != EEXIST)
      throw OutputError("cannot create " + dir + ": " + errno_text());
  }
  return staging_ + "/" + name;
}

void RunDirectory::stage_file(const std::string& name, const std::string& bytes) {
  write_file_atomically(staged_path(name), bytes);
}

void RunDirectory::remove_result(const std::string& name) const {
  const std::string p = file(name);
  struct stat info {};
  if (::lstat(p.c_str(), &info) != 0) return;
  if (S_ISDIR(info.st_mode)) {
    remove_tree(p);
  } else if (::unlink(p.c_str()) != 0 && errno != ENOENT) {
    throw OutputError("cannot remove " + p + ": " + errno_text());
  }
}

void RunDirectory::remove_earlier_results() {
  if (earlier_results_removed_) return;
  earlier_results_removed_ = true;
  if (settings_.existing != ExistingResults::Replace) return;
  check_result_entries();
  for (const std::string& name : existing_results_) remove_result(name);
}

void RunDirectory::commit() {
  check_result_entries();
  for (const std::string& name : staged_) sync_tree(staging_ + "/" + name);
  for (const std::string& name : staged_) {
    const std::string from = staging_ + "/" + name, to = file(name);
    struct stat info {};
    if (::lstat(from.c_str(), &info) == 0 && S_ISDIR(info.st_mode)) {
      // A folder of results (frames/) replaces the old one as a whole.
      struct stat old_info {};
      if (::lstat(to.c_str(), &old_info) == 0) {
        const std::string old = staging_ + "/.old-" + name;
        if (::rename(to.c_str(), old.c_str()) != 0) throw OutputError("cannot replace " + to + ": " + errno_text());
      }
    }
    if (::rename(from.c_str(), to.c_str()) != 0) throw OutputError("cannot write " + to + ": " + errno_text());
  }
  // Earlier results that this run did not produce would otherwise sit beside the new ones.
  for (const std::string& name : existing_results_)
    if (std::find(staged_.begin(), staged_.end(), name) == staged_.end()) remove_result(name);
  discard_staging();
  kept_ = true;
}

void RunDirectory::replace_file(const std::string& name, const std::string& bytes) {
  if (!is_result_name(name)) throw OutputError("internal: " + name + " is not one of this command's results");
  remove_earlier_results();
  write_file_atomically(file(name), bytes);
  kept_ = true;
}

void RunDirectory::discard_staging() {
  if (staging_.empty()) return;
  try {
    remove_tree(staging_);
  } catch (const OutputError&) {
    // Left for the next run on this directory to remove (see remove_leftovers).
  }
  staging_.clear();
  staged_.clear();
}

}  // namespace nfvi
