#include "idx_file.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstring>

#include "input_file.hpp"

namespace nfvi {
namespace {

constexpr std::uint8_t kUnsignedByte = 0x08;
constexpr int kMaxDims = 4;

// Where the (possibly compressed) bytes come from.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual std::size_t read_some(void* buffer, std::size_t n) = 0;  // 0 at the end
};

class MemorySource : public ByteSource {
 public:
  explicit MemorySource(const std::string& bytes) : bytes_(bytes) {}
  std::size_t read_some(void* buffer, std::size_t n) override {
    const std::size_t k = std::min(n, bytes_.size() - at_);
    std::memcpy(buffer, bytes_.data() + at_, k);
    at_ += k;
    return k;
  }

 private:
  const std::string& bytes_;
  std::size_t at_ = 0;
};

class FileSource : public ByteSource {
 public:
  explicit FileSource(InputFile& file) : file_(file) {}
  std::size_t read_some(void* buffer, std::size_t n) override { return file_.read_some(buffer, n); }

 private:
  InputFile& file_;
};

// The bytes of `source`, inflated if they start with gzip's magic bytes
// (several gzip members in a row are read as one stream, as gunzip does).
class IdxBytes {
 public:
  IdxBytes(ByteSource& source, const std::string& name) : source_(source), name_(name) {
    in_size_ = fill();
    gzip_ = in_size_ >= 2 && in_[0] == 0x1f && in_[1] == 0x8b;
    if (gzip_) {
      std::memset(&stream_, 0, sizeof stream_);
      if (inflateInit2(&stream_, 15 + 16) != Z_OK) throw IdxFormatError(name_ + ": cannot start zlib");
      inflating_ = true;
      stream_.next_in = in_;
      stream_.avail_in = static_cast<uInt>(in_size_);
    }
  }
  ~IdxBytes() {
    if (inflating_) inflateEnd(&stream_);
  }
  IdxBytes(const IdxBytes&) = delete;
  IdxBytes& operator=(const IdxBytes&) = delete;

  // Reads up to n bytes; fewer only at the end of the data.
  std::size_t read(std::uint8_t* out, std::size_t n) {
    std::size_t done = 0;
    while (done < n) {
      const std::size_t got = gzip_ ? inflate_some(out + done, n - done) : plain_some(out + done, n - done);
      if (got == 0) break;
      done += got;
    }
    return done;
  }

 private:
  std::size_t fill() { return source_.read_some(in_, sizeof in_); }

  std::size_t plain_some(std::uint8_t* out, std::size_t n) {
    if (in_at_ == in_size_) {
      in_size_ = fill();
      in_at_ = 0;
      if (in_size_ == 0) return 0;
    }
    const std::size_t k = std::min(n, in_size_ - in_at_);
    std::memcpy(out, in_ + in_at_, k);
    in_at_ += k;
    return k;
  }

  std::size_t inflate_some(std::uint8_t* out, std::size_t n) {
    for (;;) {
      if (ended_) {
        // After a member: another member, or the end. Anything else is damage.
        if (stream_.avail_in == 0) {
          stream_.next_in = in_;
          stream_.avail_in = static_cast<uInt>(fill());
          if (stream_.avail_in == 0) return 0;
        }
        if (stream_.next_in[0] != 0x1f) throw IdxFormatError(name_ + ": cannot read: bytes after the gzip stream");
        if (inflateReset(&stream_) != Z_OK) throw IdxFormatError(name_ + ": cannot read: zlib reset failed");
        ended_ = false;
      }
      if (stream_.avail_in == 0) {
        stream_.next_in = in_;
        stream_.avail_in = static_cast<uInt>(fill());
        if (stream_.avail_in == 0) throw IdxFormatError(name_ + ": cannot read: the gzip stream is cut short");
      }
      stream_.next_out = out;
      stream_.avail_out = static_cast<uInt>(std::min<std::size_t>(n, 1 << 20));
      const uInt before = stream_.avail_out;
      const int status = inflate(&stream_, Z_NO_FLUSH);
      if (status == Z_STREAM_END) {
        ended_ = true;
      } else if (status != Z_OK && status != Z_BUF_ERROR) {
        throw IdxFormatError(name_ + ": cannot read: damaged gzip data (" +
                             (stream_.msg != nullptr ? stream_.msg : "zlib error " + std::to_string(status)) + ")");
      }
      const std::size_t produced = before - stream_.avail_out;
      if (produced > 0) return produced;
    }
  }

  ByteSource& source_;
  std::string name_;
  std::uint8_t in_[1 << 16];
  std::size_t in_size_ = 0, in_at_ = 0;
  bool gzip_ = false, inflating_ = false, ended_ = false;
  z_stream stream_;
};

std::uint32_t big_endian_u32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | std::uint32_t{p[3]};
}

IdxArray parse(ByteSource& source, const std::string& name) {
  const auto fail = [&](const std::string& why) { return IdxFormatError(name + ": not a valid IDX file: " + why); };
  IdxBytes bytes(source, name);
  std::uint8_t head[4 + 4 * kMaxDims];
  const std::size_t got = bytes.read(head, 4);
  if (got < 4) throw fail("truncated header (" + std::to_string(got) + " bytes)");
  if (head[0] != 0 || head[1] != 0) throw fail("wrong magic number (first two bytes must be zero)");
  if (head[2] != kUnsignedByte)
    throw fail("element type " + std::to_string(head[2]) + " is not supported (only unsigned bytes, type 8)");
  const int n_dims = head[3];
  if (n_dims < 1 || n_dims > kMaxDims) throw fail("wrong magic number (" + std::to_string(n_dims) + " dimensions)");
  if (bytes.read(head + 4, 4 * static_cast<std::size_t>(n_dims)) < 4 * static_cast<std::size_t>(n_dims))
    throw fail("truncated header");

  // Every factor is below 2^32 and the running product stays at most
  // kMaxIdxElements (2^27), so the product below never overflows 64 bits.
  IdxArray array;
  std::uint64_t count = 1;
  for (int d = 0; d < n_dims; ++d) {
    array.dims.push_back(big_endian_u32(&head[4 + 4 * d]));
    count *= array.dims.back();
    if (count > kMaxIdxElements) {
      std::string sizes;
      for (int e = 0; e < n_dims; ++e)
        sizes += (e > 0 ? " x " : "") + std::to_string(big_endian_u32(&head[4 + 4 * e]));
      throw fail("the header announces " + sizes + " elements; nfvi reads at most " +
                 std::to_string(kMaxIdxElements) + " (2^27)");
    }
  }
  // Grown as the data arrives, so that a short file costs what it holds, not what it announces.
  std::size_t read = 0;
  while (read < count) {
    const std::size_t step = static_cast<std::size_t>(std::min<std::uint64_t>(count - read, 1 << 20));
    array.data.resize(read + step);
    const std::size_t got_now = bytes.read(array.data.data() + read, step);
    read += got_now;
    if (got_now < step) break;
  }
  array.data.resize(read);
  if (read < count)
    throw fail("truncated: the header announces " + std::to_string(count) + " bytes of data, the file has " +
               std::to_string(read));
  // One byte more would be past the data: count what follows, a block at a time, up to a bound.
  std::uint8_t beyond[4096];
  std::uint64_t extra = 0;
  for (std::size_t k; extra < (1u << 20) && (k = bytes.read(beyond, sizeof beyond)) > 0;) extra += k;
  if (extra > 0)
    throw fail("wrong size: " + (extra >= (1u << 20) ? "more than 1 MB" : std::to_string(extra) + " bytes") +
               " beyond the " + std::to_string(count) + " the header announces");
  return array;
}

}  // namespace

IdxArray parse_idx(const std::string& bytes, const std::string& name) {
  MemorySource source(bytes);
  return parse(source, name);
}

IdxArray read_idx_file(const std::string& path) {
  try {
    InputFile file(path, kDataFileLimit);
    FileSource source(file);
    return parse(source, path);
  } catch (const InputError& e) {
    throw IdxFormatError(e.what());
  }
}

}  // namespace nfvi
