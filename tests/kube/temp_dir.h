#ifndef SLUICE_TESTS_KUBE_TEMP_DIR_H_
#define SLUICE_TESTS_KUBE_TEMP_DIR_H_

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "gtest/gtest.h"

namespace sluice::kube::testing {

// A fresh directory under the test's temporary directory, removed with its
// contents on destruction.
class TempDir {
 public:
  TempDir() {
    std::string pattern = ::testing::TempDir() + "/sluice_kube_XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp " << pattern;
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }

  // Writes (replaces) `name` (relative to the directory, subdirectories created)
  // and returns its absolute path.
  std::string Write(const std::string& name, const std::string& contents) const {
    const std::filesystem::path file = std::filesystem::path(path_) / name;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << contents;
    if (!out) ADD_FAILURE() << "cannot write " << file;
    return file.string();
  }

 private:
  std::string path_;
};

}  // namespace sluice::kube::testing

#endif  // SLUICE_TESTS_KUBE_TEMP_DIR_H_
