#include <cblas.h>
// OpenBLAS extensions used to pin the BLAS thread pool to the harness's thread count.
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
// The kernel family OpenBLAS chose at load time (DYNAMIC_ARCH builds read OPENBLAS_CORETYPE), and its build options.
char *openblas_get_corename(void);
char *openblas_get_config(void);
