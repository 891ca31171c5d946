// An animated GIF assembled from PNG frames, with Debian's libraries: libpng
// reads the frames, giflib quantises them to one shared 256-colour palette
// (GifQuantizeBuffer, median cut, each colour then set to the exact mean of
// its pixels) and encodes the animation. The shared
// palette keeps colours steady from frame to frame.
#pragma once

#include <string>
#include <vector>

namespace nfvi {

// Writes gif_path from the PNG files in order, each shown for
// delay_centiseconds, looping forever. All frames must have the same size.
// Throws std::runtime_error with a one-line message on failure.
void write_gif_animation(const std::vector<std::string>& png_paths, const std::string& gif_path,
                         int delay_centiseconds);

}  // namespace nfvi
