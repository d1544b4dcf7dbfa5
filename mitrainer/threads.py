"""How many threads the coder's arithmetic uses: one, chosen before numpy loads its BLAS.

numpy's BLAS (OpenBLAS in the wheels) starts one thread per core by default. The coder's
matrix products are small (a response is 32 word pieces), so a second thread saves little
on a quiet machine, and when another program keeps a core busy the BLAS threads wait for
each other: on the 2-core development machine, p99 per response was about 100 ms with the
default threads and about 5 ms with one (docs/coder.md, "Threads"). The app therefore
runs its arithmetic on one thread. The BLAS libraries read these variables once, when
numpy is first imported, so :func:`limit_blas_threads` runs at the start of the
``mitrainer`` command, before anything imports numpy. A variable the user has set is
left as it is. The module sits outside ``mitrainer.coding`` so that importing it loads
nothing else (``mitrainer --help`` stays light).
"""

from __future__ import annotations

import os
import sys

APP_THREADS = "1"
# OpenBLAS, OpenMP builds, MKL, BLIS and Accelerate each read their own variable.
BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS",
                         "VECLIB_MAXIMUM_THREADS")


def limit_blas_threads() -> bool:
    """Let numpy's BLAS use one thread unless the user chose otherwise.

    Returns False when numpy was already imported (the setting then comes too late to
    apply in this process).
    """
    for name in BLAS_THREAD_VARIABLES:
        os.environ.setdefault(name, APP_THREADS)
    return "numpy" not in sys.modules
