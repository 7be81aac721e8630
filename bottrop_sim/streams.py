"""Counter-based random streams keyed by (seed, purpose, entity, month).

Common random numbers by identity: a draw is a pure function of the run's base
seed, what it is for (``purpose``), who draws (``entity``: a firm slot, a
sector) and when (``month``). A firm therefore draws the same numbers in a
scenario and in its twin whatever else happened in between: how many other
firms drew before it, whether a mechanism was switched on, whether the runs'
states have already diverged. Sequential generators shared by the whole model
(one ``numpy.random.Generator`` for everything) lose this after the first
difference: one extra draw shifts every later one.

Two kinds of draws:

* :meth:`Streams.uniform` and :meth:`Streams.normal`: vectorised over entities,
  without any generator object. Each value is a hash of the key (a 64-bit
  mixing function, the finaliser of SplitMix64 / MurmurHash3, applied in numpy
  ``uint64`` arithmetic), so thousands of firms draw in one array operation.
  Counter-based generators of this kind are the idea behind Philox and Threefry
  (Salmon, Moraes, Dror & Shaw 2011, "Parallel random numbers: as easy as 1, 2,
  3", SC'11).
* :meth:`Streams.generator`: a ``numpy.random.Generator`` on a Philox bit
  generator whose 128-bit key is the hash of (seed, purpose, month, entity), for
  draws numpy does better than a hand-written inverse (hypergeometric,
  multinomial, choice). Creating one costs about 10 microseconds, so call sites
  key them by month and purpose (and a sector or firm where the count is small),
  not one per firm per month.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

import numpy as np
from scipy.special import ndtri

_MASK = (1 << 64) - 1
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_TO_UNIT = 1.0 / float(1 << 53)


def _mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser: a bijection of uint64 that spreads every input bit over the output (in place)."""
    x ^= x >> _S30
    x *= _M1
    x ^= x >> _S27
    x *= _M2
    x ^= x >> _S31
    return x


def _mix_int(value: int) -> int:
    """The same mixing on a Python int (for keys)."""
    value &= _MASK
    value ^= value >> 30
    value = (value * 0xBF58476D1CE4E5B9) & _MASK
    value ^= value >> 27
    value = (value * 0x94D049BB133111EB) & _MASK
    return value ^ (value >> 31)


#: Up to this many numbers a draw mixes Python integers, below the fixed cost of a dozen numpy calls.
_SMALL = 4
_GOLDEN_INT, _M2_INT = 0x9E3779B97F4A7C15, 0x94D049BB133111EB


def _uniform_small(key: int, ids: list[int], draws: int) -> np.ndarray:
    """:meth:`Streams.uniform` of a few entities in Python integers: the same bits (integer mixing, exact scaling).

    ``(v >> 11) * 2**-53`` is exact in both (a 53-bit integer times a power of two), so
    the numbers equal those of the array arithmetic to the bit; tests/test_speed_paths_a.py checks it.
    """
    values = []
    for entity in ids:
        first = _mix_int(entity * _GOLDEN_INT + key)  # _mix_int reduces modulo 2**64 first, as uint64 arithmetic wraps
        for j in range(draws):
            values.append((_mix_int(first + j * _M2_INT) >> 11) * _TO_UNIT)
    out = np.array(values)
    return out if draws == 1 else out.reshape(len(ids), draws)


_ZERO_WORDS = np.zeros(4, np.uint64)  # a fresh Philox's counter and buffer (read-only)
_ZERO_WORDS.flags.writeable = False

#: Up to this many Poisson counts the inversion steps run on Python floats (see _poisson_small).
_SMALL_POISSON = 8


def _poisson_small(u: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """The exact inversion of :meth:`Streams.poisson` (every mean at most 50) on Python floats, step for step.

    The same IEEE operations in the same order as the array loop (``term * lam / step``,
    ``cumulative + term``, the same stop when no count grows), ``exp`` from numpy on the
    same array, so the same counts without a dozen numpy calls per step for a few entities.
    """
    lam = mean.tolist()
    uu = u.tolist()
    term = np.exp(-mean).tolist()
    cumulative = list(term)
    k = [0] * len(lam)
    for step in range(1, 200):
        below = [c < v for c, v in zip(cumulative, uu, strict=True)]
        if not any(below):
            break
        k = [count + grows for count, grows in zip(k, below, strict=True)]
        term = [t * m / step for t, m in zip(term, lam, strict=True)]
        cumulative = [c + t for c, t in zip(cumulative, term, strict=True)]
    return np.array(k, np.int64)


@lru_cache(maxsize=64)
def _golden_ids(count: int) -> np.ndarray:
    """``arange(count) * GOLDEN`` as uint64 (read-only; callers add to a copy)."""
    ids = np.arange(count, dtype=np.uint64)
    ids *= _GOLDEN
    ids.flags.writeable = False
    return ids


@lru_cache(maxsize=16)
def _draw_offsets(draws: int) -> np.ndarray:
    """``arange(draws) * M2`` as uint64 (read-only)."""
    offsets = np.arange(draws, dtype=np.uint64)
    offsets *= _M2
    offsets.flags.writeable = False
    return offsets


@lru_cache(maxsize=256)
def purpose_code(purpose: str) -> int:
    """A stable 64-bit code of a purpose name (the same in every process and Python version)."""
    return int.from_bytes(hashlib.blake2b(purpose.encode(), digest_size=8).digest(), "little")


class Streams:
    """The random numbers of one run.

    Args:
        seed: the run's base seed (non-negative integer).
    """

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)
        self._seed_key = _mix_int(self.seed * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019)
        self._pool: dict[str, tuple[np.random.Philox, np.random.Generator]] = {}
        self._purpose_keys: dict[str, int] = {}
        self._month_keys: dict[str, tuple[int, int]] = {}  # per purpose: (month, key) of its latest month

    def key(self, purpose: str, month: int) -> int:
        """The 64-bit key of (seed, purpose, month) (the latest month's kept per purpose: most draw on several calls a month)."""
        month = int(month)
        kept = self._month_keys.get(purpose)
        if kept is not None and kept[0] == month:
            return kept[1]
        inner = self._purpose_keys.get(purpose)
        if inner is None:  # the purpose's part of the key, the same every month
            inner = self._purpose_keys[purpose] = _mix_int(self._seed_key ^ purpose_code(purpose))
        key = _mix_int(inner + (month & _MASK) * 0x9E3779B97F4A7C15)
        self._month_keys[purpose] = (month, key)
        return key

    def uniform(self, purpose: str, month: int, entities: np.ndarray | int, draws: int = 1) -> np.ndarray:
        """Uniform numbers in [0, 1), one row per entity.

        Args:
            purpose: what the numbers are for (a name; different names give independent numbers).
            month: model month number.
            entities: entity ids (firm slots, sector indices), or a count n for ids 0..n-1.
            draws: numbers per entity (draw ``j`` of an entity never depends on the other entities).

        Returns:
            Shape (len(entities),) if ``draws`` is 1, else (len(entities), draws).
        """
        key = self.key(purpose, month)
        base = np.uint64(key)
        # the same uint64 arithmetic as ``mix(mix(ids * GOLDEN + base) + j * M2)`` per draw j, with fewer
        # temporaries (array integer arithmetic wraps modulo 2**64 and never warns, so no errstate is needed)
        if isinstance(entities, int | np.integer):
            x = _golden_ids(int(entities)) + base
        else:
            x = np.asarray(entities)
            if x.ndim == 1 and 0 < len(x) * draws <= _SMALL and x.dtype.kind in "iu":
                return _uniform_small(key, x.tolist(), draws)
            x = x.astype(np.uint64)
            np.multiply(x, _GOLDEN, out=x)
            x += base
        _mix(x)
        if draws != 1:  # draw 0 adds 0 * M2 (nothing); the others their offset
            x = np.add(x[:, None], _draw_offsets(draws)[None, :])
        _mix(x)
        np.right_shift(x, _S11, out=x)
        return np.multiply(x, _TO_UNIT)  # the 53-bit integers cast to double (exact), times a power of two (exact)

    def normal(self, purpose: str, month: int, entities: np.ndarray | int) -> np.ndarray:
        """Standard normal numbers, one per entity (inverse of the normal CDF of :meth:`uniform`).

        The uniforms are kept inside [2^-54, 1 - 2^-53] (no infinite numbers). They are
        multiples of 2^-53 below 1, so only 0 is outside: raising it to 2^-54 is that clip.
        """
        u = self.uniform(purpose, month, entities)
        return ndtri(np.maximum(u, 2.0**-54, out=u))

    def poisson(self, purpose: str, month: int, entities: np.ndarray, mean: np.ndarray) -> np.ndarray:
        """Poisson counts with the given means, one per entity, by inverting the CDF at :meth:`uniform`.

        Exact inversion (summing the probabilities term by term) up to a mean of 50;
        above it the normal approximation with continuity correction.
        """
        u = self.uniform(purpose, month, entities)
        mean = np.asarray(mean, float)
        if len(u) <= _SMALL_POISSON and mean.ndim == 1 and bool((mean <= 50.0).all()):
            return _poisson_small(u, mean)
        counts = np.zeros(len(u), np.int64)
        small = mean <= 50.0
        if small.any():
            lam, uu = mean[small], u[small]
            term = np.exp(-lam)
            cumulative = term.copy()
            k = np.zeros(len(lam), np.int64)
            for step in range(1, 200):
                below = cumulative < uu
                if not below.any():
                    break
                k += below
                term = term * lam / step
                cumulative = cumulative + term
            counts[small] = k
        if (~small).any():
            lam = mean[~small]
            counts[~small] = np.maximum(np.floor(lam + np.sqrt(lam) * ndtri(np.clip(u[~small], 1e-12, 1 - 1e-12)) + 0.5), 0).astype(np.int64)
        return counts

    def generator(self, purpose: str, month: int, entity: int = 0) -> np.random.Generator:
        """A numpy Generator (Philox) keyed by (seed, purpose, month, entity).

        One Philox object per purpose is kept and re-keyed (setting its state costs a
        sixth of creating one), so a generator stays valid until the next call with the
        same purpose; the numbers are those of a fresh ``Philox(key=...)``.
        """
        first = self.key(purpose, month)
        second = _mix_int(first ^ _mix_int((int(entity) & _MASK) + 0xD1B54A32D192ED03))
        key = np.array([first, second], dtype=np.uint64)
        pooled = self._pool.get(purpose)
        if pooled is None:
            bit_generator = np.random.Philox(key=key)
            pooled = self._pool[purpose] = (bit_generator, np.random.Generator(bit_generator))
            return pooled[1]
        pooled[0].state = {  # the setter copies the arrays' values into the bit generator
            "bit_generator": "Philox",
            "state": {"counter": _ZERO_WORDS, "key": key},
            "buffer": _ZERO_WORDS,
            "buffer_pos": 4,
            "has_uint32": 0,
            "uinteger": 0,
        }
        return pooled[1]


class MonthlyGenerators:
    """One keyed generator per (purpose, month), created on first use in a month.

    For draws numpy does better than :meth:`Streams.uniform` (hypergeometric draws
    of persons by skill): within the month draws of one purpose follow one another;
    from month to month they do not carry over.

    Args:
        streams: the run's streams.
        clock: a callable returning the current model month.
    """

    def __init__(self, streams: Streams, clock) -> None:
        self.streams = streams
        self.clock = clock
        self._cache: dict[str, tuple[int, np.random.Generator]] = {}

    def __call__(self, purpose: str) -> np.random.Generator:
        """The generator of ``purpose`` for the current month."""
        month = int(self.clock())
        cached = self._cache.get(purpose)
        if cached is None or cached[0] != month:
            cached = (month, self.streams.generator(purpose, month))
            self._cache[purpose] = cached
        return cached[1]


def weighted_sample(uniforms: np.ndarray, weights: np.ndarray, count: int = 1) -> np.ndarray:
    """Positions of a weighted sample without replacement, from one uniform number per candidate.

    Each candidate's key is ``u ** (1 / w)``; the ``count`` largest keys are a sample
    in which every step picks a remaining candidate with probability proportional to
    its weight (Efraimidis & Spirakis 2006, "Weighted random sampling with a
    reservoir", Information Processing Letters 97(5)). With the uniforms keyed by
    the candidates' identity (:meth:`Streams.uniform`), a candidate keeps its key
    when others join or leave the pool: common random numbers by identity for a
    choice among firms. Candidates of weight 0 are never picked.

    Args:
        uniforms: one number in [0, 1) per candidate.
        weights: non-negative weight per candidate.
        count: sample size (at most the number of candidates of positive weight).

    Returns:
        Positions into the candidates, the most likely first.
    """
    weights = np.asarray(weights, float)
    positive = weights > 0
    if positive.all():  # every candidate can be picked (local customers: only firms that produce): no masks, the same keys
        keys = np.log(np.maximum(uniforms, 2.0**-60)) / weights
    else:
        keys = np.full(len(weights), -np.inf)
        keys[positive] = np.log(np.maximum(uniforms[positive], 2.0**-60)) / weights[positive]  # log of u^(1/w): the same order
    if count == 1:  # the first of the largest keys (the stable sort's first place) without sorting
        return np.array([int(np.argmax(keys))] if positive.any() else [], dtype=np.int64)
    return np.argsort(-keys, kind="stable")[: min(count, int(positive.sum()))]


def multivariate_hypergeometric(rng: np.random.Generator, colors: list[int], count: int) -> list[int]:
    """``rng.multivariate_hypergeometric(colors, count)`` (method "marginals"), the same draws without its per-call checks.

    numpy's marginals algorithm (``random_multivariate_hypergeometric_marginals``):
    if more than half the total is drawn, draw the complement; then one
    univariate hypergeometric per colour but the last, on what is left, until
    the sample is complete. ``tests/test_streams.py`` checks it against numpy's.

    Args:
        rng: the generator to draw from.
        colors: how many items of each kind there are (persons by skill).
        count: how many are drawn without replacement (at most ``sum(colors)``).

    Returns:
        How many of each kind were drawn.
    """
    total = sum(colors)
    drawn = [0] * len(colors)
    if total == 0 or count == 0:
        return drawn
    complement = count > total // 2
    left = total - count if complement else count
    remaining = total
    for j, good in enumerate(colors[:-1]):
        if left <= 0:
            break
        remaining -= good
        drawn[j] = int(rng.hypergeometric(good, remaining, left))
        left -= drawn[j]
    if left > 0:
        drawn[-1] = left
    return [c - d for c, d in zip(colors, drawn, strict=True)] if complement else drawn
