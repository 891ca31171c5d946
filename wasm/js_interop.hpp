// The one place where C++ values become JavaScript values.
//
// Arrays are copied out of wasm memory into a fresh Float64Array: the memory
// may grow (ALLOW_MEMORY_GROWTH), which detaches every view into it, so a view
// must never outlive the call that made it.
#pragma once

#include <emscripten/val.h>

#include <cstddef>
#include <exception>
#include <string>
#include <vector>

namespace nfvi::js {

inline emscripten::val float64_array(const double* data, std::size_t size) {
  emscripten::val copy = emscripten::val::global("Float64Array").new_(size);
  copy.call<void>("set", emscripten::val(emscripten::typed_memory_view(size, data)));
  return copy;
}

inline emscripten::val float64_array(const std::vector<double>& values) {
  return float64_array(values.data(), values.size());
}

// Copies values [offset, offset + count) of a JavaScript typed array (any
// element type; Float32 values widen exactly) into out, which holds count doubles.
inline void copy_from_typed_array(const emscripten::val& array, std::size_t offset, std::size_t count, double* out) {
  emscripten::val(emscripten::typed_memory_view(count, out))
      .call<void>("set", array.call<emscripten::val>("subarray", static_cast<double>(offset),
                                                     static_cast<double>(offset + count)));
}

// True for a Float32Array or a Float64Array.
inline bool is_float_array(const emscripten::val& value) {
  return value.instanceof (emscripten::val::global("Float32Array")) || value.instanceof
      (emscripten::val::global("Float64Array"));
}

// Runs `body`; a C++ exception becomes a JavaScript Error with the same
// message. The message is moved out of the handler first, so nothing of
// C++'s is in flight when the JavaScript exception unwinds the wasm frames.
template <typename Body>
auto rethrow_as_js_error(Body&& body) -> decltype(body()) {
  static std::string message;
  try {
    return body();
  } catch (const std::exception& e) {
    message = e.what();
  }
  emscripten::val::global("Error").new_(message).throw_();
}

}  // namespace nfvi::js
