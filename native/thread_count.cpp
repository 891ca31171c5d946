#include "thread_count.hpp"

#include <Eigen/Core>

#ifdef NFVI_HAS_OPENBLAS
extern "C" void openblas_set_num_threads(int);
#endif

namespace nfvi {

void set_matrix_threads(int threads) {
  if (threads <= 0) return;
  Eigen::setNbThreads(threads);
#ifdef NFVI_HAS_OPENBLAS
  openblas_set_num_threads(threads);  // Eigen's products run inside OpenBLAS
#endif
}

int matrix_threads() { return Eigen::nbThreads(); }

}  // namespace nfvi
