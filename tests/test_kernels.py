"""scipy's matrix-vector kernels called on the model's own arrays (economy/kernels.py) equal the public route, bit for bit, with or without the kernels."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from bottrop_sim.economy import kernels


@st.composite
def stored(draw):
    """CSC/CSR arrays of a random square matrix with slack after the stored entries (as the network store keeps them)."""
    size = draw(st.integers(1, 12))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    counts = rng.integers(0, 5, size)
    indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    indices = np.concatenate([rng.integers(0, size, int(counts.sum())), np.zeros(draw(st.integers(0, 6)), int)]).astype(np.int32)  # slack
    data = rng.normal(size=int(counts.sum())) * 10.0 ** rng.integers(-3, 4, int(counts.sum()))
    return size, indptr, indices, data, rng.normal(size=size)


@settings(max_examples=60, deadline=None)
@given(stored())
def test_kernels_and_their_fallbacks_add_the_same_terms_as_scipy(case):
    size, indptr, indices, data, vector = case
    stored_entries = indices[: len(data)]
    for fmt, function, kernel_name in (("csc", kernels.csc_matvec, "CSC_MATVEC"), ("csr", kernels.csr_matvec, "CSR_MATVEC")):
        matrix = (sp.csc_matrix if fmt == "csc" else sp.csr_matrix)((data, stored_entries, indptr), shape=(size, size))
        expected = matrix @ vector
        out = np.zeros(size)
        function((size, size), indptr, indices, data, vector, out)
        np.testing.assert_array_equal(out, expected)
        kernel = getattr(kernels, kernel_name)
        setattr(kernels, kernel_name, None)  # a scipy without the private kernel
        try:
            fallback = np.zeros(size)
            function((size, size), indptr, indices, data, vector, fallback)
        finally:
            setattr(kernels, kernel_name, kernel)
        np.testing.assert_array_equal(fallback, expected)
    assert set(kernels.MATVEC) == {"csr", "csc"}  # this scipy has both: the model takes the direct route
