"""scipy's sparse matrix-vector kernels, looked up once for the package and called on the model's own arrays.

``matrix @ vector`` with a CSR or CSC matrix of float64 ends in ``csr_matvec`` or
``csc_matvec`` of scipy's private module ``scipy.sparse._sparsetools``: for the
stored entries in storage order, ``y[row] += data[k] * x[column]`` (CSC), or per row
the sum of ``data[k] * x[column]`` from zero (CSR). Called directly on arrays the
model keeps (the network store's places, the ledger's holder bins), they add the
same terms in the same order as ``@`` or the ``np.bincount`` they replace, without
scipy's checks and without building a matrix each month (docs/performance.md).

A private module may change: without a kernel, :func:`csc_matvec` and
:func:`csr_matvec` take the public route with the same additions, and the
modules that call a kernel themselves (:mod:`~bottrop_sim.economy.accounting`,
:mod:`~bottrop_sim.economy.accounts`, :mod:`~bottrop_sim.economy.place_pairs`)
test for None and fall back to ``@`` or ``np.bincount``.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse import _sparsetools

CSR_MATVEC = getattr(_sparsetools, "csr_matvec", None)
"""``csr_matvec(rows, columns, indptr, indices, data, x, y)``: ``y += A @ x`` for CSR arrays (None if scipy has none)."""
CSC_MATVEC = getattr(_sparsetools, "csc_matvec", None)
"""``csc_matvec(rows, columns, indptr, indices, data, x, y)``: ``y += A @ x`` for CSC arrays (None if scipy has none)."""
MATVEC = {name: kernel for name, kernel in (("csr", CSR_MATVEC), ("csc", CSC_MATVEC)) if kernel is not None}
"""The kernels by sparse format ("csr", "csc")."""


def csc_matvec(shape: tuple[int, int], indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, vector: np.ndarray, out: np.ndarray) -> None:
    """``out += A @ vector`` for the CSC arrays of ``A`` (``data`` may be shorter than the slack of ``indices``: its length counts)."""
    if CSC_MATVEC is not None:
        CSC_MATVEC(shape[0], shape[1], indptr, indices, data, vector, out)
    else:
        out += sp.csc_matrix((data, indices[: len(data)], indptr), shape=shape) @ vector


def csr_matvec(shape: tuple[int, int], indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, vector: np.ndarray, out: np.ndarray) -> None:
    """``out += A @ vector`` for the CSR arrays of ``A`` (as :func:`csc_matvec`)."""
    if CSR_MATVEC is not None:
        CSR_MATVEC(shape[0], shape[1], indptr, indices, data, vector, out)
    else:
        out += sp.csr_matrix((data, indices[: len(data)], indptr), shape=shape) @ vector
