#include "gif_animation.hpp"

#include <fcntl.h>
#include <gif_lib.h>
#include <png.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace nfvi {
namespace {

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error("gif: " + what); }

struct RgbImage {
  int width = 0;
  int height = 0;
  std::vector<unsigned char> rgb;  // width * height * 3, row by row
};

RgbImage read_png_rgb(const std::string& path) {
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  if (png_image_begin_read_from_file(&image, path.c_str()) == 0) fail("cannot read " + path + ": " + image.message);
  image.format = PNG_FORMAT_RGB;
  RgbImage out;
  out.width = static_cast<int>(image.width);
  out.height = static_cast<int>(image.height);
  out.rgb.resize(PNG_IMAGE_SIZE(image));
  const png_color white{255, 255, 255};  // any transparency is composed onto white
  if (png_image_finish_read(&image, &white, out.rgb.data(), 0, nullptr) == 0) {
    const std::string message = image.message;
    png_image_free(&image);
    fail("cannot decode " + path + ": " + message);
  }
  return out;
}

// giflib's encoder, closed (and its file flushed) exactly once.
struct GifCloser {
  void operator()(GifFileType* gif) const {
    int error = 0;
    EGifCloseFile(gif, &error);
  }
};
using GifHandle = std::unique_ptr<GifFileType, GifCloser>;

void check(int status, GifFileType* gif, const std::string& what) {
  if (status != GIF_OK) fail(what + " failed: " + GifErrorString(gif->Error));
}

}  // namespace

void write_gif_animation(const std::vector<std::string>& png_paths, const std::string& gif_path,
                         int delay_centiseconds) {
  if (png_paths.empty()) fail("no frames");
  std::vector<RgbImage> frames;
  for (const std::string& path : png_paths) {
    frames.push_back(read_png_rgb(path));
    if (frames.back().width != frames.front().width || frames.back().height != frames.front().height)
      fail(path + " has a different size from the first frame");
  }
  const int width = frames.front().width;
  const int height = frames.front().height;
  const size_t frame_pixels = static_cast<size_t>(width) * static_cast<size_t>(height);
  const size_t total_pixels = frame_pixels * frames.size();

  // One palette for the whole animation: quantise all frames as one tall image.
  std::vector<GifByteType> red(total_pixels), green(total_pixels), blue(total_pixels), index(total_pixels);
  for (size_t f = 0; f < frames.size(); ++f) {
    const unsigned char* rgb = frames[f].rgb.data();
    for (size_t i = 0; i < frame_pixels; ++i) {
      red[f * frame_pixels + i] = rgb[3 * i];
      green[f * frame_pixels + i] = rgb[3 * i + 1];
      blue[f * frame_pixels + i] = rgb[3 * i + 2];
    }
  }
  frames.clear();
  int colours = 256;
  std::vector<GifColorType> palette(256);
  if (GifQuantizeBuffer(static_cast<unsigned>(width),
                        static_cast<unsigned>(height * static_cast<int>(png_paths.size())), &colours, red.data(),
                        green.data(), blue.data(), index.data(), palette.data()) != GIF_OK)
    fail("colour quantisation failed");
  // GifQuantizeBuffer works on 5 bits per channel, so its palette colours are
  // slightly off (white comes out as 248). Replace each entry by the exact
  // mean colour of the pixels mapped to it.
  std::vector<double> sum(3 * 256, 0.0), count(256, 0.0);
  for (size_t i = 0; i < total_pixels; ++i) {
    const size_t k = index[i];
    sum[3 * k] += red[i];
    sum[3 * k + 1] += green[i];
    sum[3 * k + 2] += blue[i];
    count[k] += 1;
  }
  for (size_t k = 0; k < 256; ++k) {
    if (count[k] == 0) continue;
    palette[k].Red = static_cast<GifByteType>(sum[3 * k] / count[k] + 0.5);
    palette[k].Green = static_cast<GifByteType>(sum[3 * k + 1] / count[k] + 0.5);
    palette[k].Blue = static_cast<GifByteType>(sum[3 * k + 2] / count[k] + 0.5);
  }
  std::unique_ptr<ColorMapObject, void (*)(ColorMapObject*)> colour_map(GifMakeMapObject(256, palette.data()),
                                                                        GifFreeMapObject);
  if (!colour_map) fail("out of memory for the palette");

  // Opened here rather than by EGifOpenFileName, which creates files with mode 0600.
  const int fd = ::open(gif_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0666);
  if (fd < 0) fail("cannot open " + gif_path + ": " + std::strerror(errno));
  int error = 0;
  GifHandle gif(EGifOpenFileHandle(fd, &error));  // closes fd when the GIF is closed
  if (!gif) {
    ::close(fd);
    fail("cannot open " + gif_path + ": " + GifErrorString(error));
  }
  EGifSetGifVersion(gif.get(), true);
  check(EGifPutScreenDesc(gif.get(), width, height, 8, 0, colour_map.get()), gif.get(), "writing the screen");

  // NETSCAPE2.0 application extension: loop forever (count 0).
  check(EGifPutExtensionLeader(gif.get(), APPLICATION_EXT_FUNC_CODE), gif.get(), "loop extension");
  check(EGifPutExtensionBlock(gif.get(), 11, "NETSCAPE2.0"), gif.get(), "loop extension");
  const unsigned char loop[3] = {1, 0, 0};
  check(EGifPutExtensionBlock(gif.get(), 3, loop), gif.get(), "loop extension");
  check(EGifPutExtensionTrailer(gif.get()), gif.get(), "loop extension");

  GraphicsControlBlock control;
  control.DisposalMode = DISPOSE_DO_NOT;
  control.UserInputFlag = false;
  control.DelayTime = delay_centiseconds;
  control.TransparentColor = NO_TRANSPARENT_COLOR;
  GifByteType control_bytes[4];
  const size_t control_size = EGifGCBToExtension(&control, control_bytes);

  for (size_t f = 0; f < png_paths.size(); ++f) {
    check(EGifPutExtension(gif.get(), GRAPHICS_EXT_FUNC_CODE, static_cast<int>(control_size), control_bytes), gif.get(),
          "frame delay");
    check(EGifPutImageDesc(gif.get(), 0, 0, width, height, false, nullptr), gif.get(), "frame header");
    for (int y = 0; y < height; ++y) {
      check(EGifPutLine(gif.get(), index.data() + f * frame_pixels + static_cast<size_t>(y) * width, width), gif.get(),
            "frame " + std::to_string(f));
    }
  }
  GifFileType* raw = gif.release();
  if (EGifCloseFile(raw, &error) != GIF_OK) fail("cannot finish " + gif_path + ": " + GifErrorString(error));
}

}  // namespace nfvi
