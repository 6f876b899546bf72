"""Model files shared by every area: versioned JSON written and read by the C++ core
(``io/json.hpp``), crash-safe saves, and the one loader that dispatches on the C++
kind registry.  Pickling of model objects goes through the same JSON text."""
from __future__ import annotations

from typing import Any, Callable

from .. import _core

__all__ = ["JsonModel", "load_model", "max_file_bytes", "read_file", "set_max_file_bytes", "write_atomic"]


def write_atomic(path: Any, text: str) -> None:
    """Write ``text`` to ``path`` crash-safely (unique temporary file, fsync, rename)."""
    from .checks import path_arg

    _core.funnel.write_atomic(path_arg(path), text)


def max_file_bytes() -> int:
    """The largest file, in bytes, that funnelnet's loaders read.

    Every loader (:func:`funnelnet.load_model` and the classes' ``load``,
    ``ReferralGraph.read_edge_list`` and ``read_metis``, the command line's CSV and
    Parquet tables) refuses a larger file before reading it, with a
    :class:`~funnelnet.FileError` naming the file's size and the limit, so a hostile or
    mistaken file cannot exhaust memory.  The limit is process-wide and starts at
    2 GiB (``2**31``); change it with :func:`set_max_file_bytes`.

    Returns
    -------
    int
        The current limit in bytes.

    Examples
    --------
    >>> import funnelnet as fn
    >>> fn.max_file_bytes()
    2147483648
    """
    return int(_core.funnel.max_file_bytes())


def set_max_file_bytes(limit: int) -> int:
    """Change the largest file, in bytes, that funnelnet's loaders read.

    Parameters
    ----------
    limit : int
        The new limit in bytes, at least 1 (e.g. ``8 * 2**30`` to read an 8 GiB edge
        list, or a few megabytes for untrusted uploads).  It applies to the whole
        process, every thread included; a load already under way keeps the limit it
        started with.

    Returns
    -------
    int
        The previous limit, so that it can be restored.

    Raises
    ------
    InputTypeError
        ``limit`` is not an integer.
    OutOfRangeError
        ``limit`` is below 1 or above ``2**64 - 1``.

    Examples
    --------
    >>> import funnelnet as fn
    >>> old = fn.set_max_file_bytes(1 << 20)
    >>> fn.max_file_bytes()
    1048576
    >>> fn.set_max_file_bytes(old)
    1048576
    """
    from .checks import check_int

    v = check_int("limit", limit, 1, 2**64 - 1)
    return int(_core.funnel.set_max_file_bytes(v))


def read_file(path: Any) -> str:
    """The whole file as text; FileError naming the path if it cannot be read or
    if it is larger than :func:`max_file_bytes`, FormatError if it is not UTF-8."""
    from ..errors import FormatError
    from .checks import path_arg

    p = path_arg(path)
    try:
        return _core.funnel.read_file(p)
    except UnicodeDecodeError as e:
        raise FormatError(f"model file '{p}' is not UTF-8 text (byte {e.start} is 0x{e.object[e.start]:02x})") from None


class JsonModel:
    """Versioned-JSON persistence shared by the model objects: a subclass writes
    ``_to_json`` (the core's text) and the class method ``from_json``; this adds
    ``to_json``, ``save`` and pickling through the JSON text."""

    _core: Any

    def _to_json(self) -> str:
        return _core.funnel.to_json(self._core)

    def to_json(self) -> str:
        """The object as versioned JSON text (exact round trip); read it back with the
        class's ``from_json``.

        Returns
        -------
        str
            One JSON document with ``kind`` and ``version`` fields; ``from_json`` of it
            gives an object whose every output is bit-identical to this one's.
        """
        return self._to_json()

    def save(self, path: Any) -> None:
        """Write the object to ``path`` as versioned JSON, crash-safely (unique temporary
        file, fsync, rename); read it back with :func:`funnelnet.load_model` or the
        class's ``load``.

        Parameters
        ----------
        path : str or os.PathLike
            The file to write (UTF-8 JSON, the text of :meth:`to_json`).  An existing
            file is replaced atomically: a reader sees the old or the new file, never a
            partial one.

        Raises
        ------
        FileError
            The file or its temporary sibling cannot be written (the message names the
            path and the reason).
        """
        write_atomic(path, self.to_json())

    @classmethod
    def load(cls, path: Any) -> Any:
        """Read a file written by :meth:`save`.

        Parameters
        ----------
        path : str or os.PathLike
            A model file written by ``save`` (or any JSON text from ``to_json``).

        Returns
        -------
        object
            A new object of this class, equal to the one that was saved.

        Raises
        ------
        FileError
            The file cannot be read.
        FormatError
            The file is corrupt, of an unknown version, of another kind, or fails
            validation (the message names the field).
        """
        return cls.from_json(read_file(path))  # type: ignore[attr-defined]


def _readers() -> dict[str, Callable[[str], Any]]:
    # Imported here: the areas import this module.
    from ..attribution.markov import MarkovAttribution
    from ..customers.repeat_buying import GammaGamma, repeat_model_from_json
    from ..funnel.chain import MarkovChain
    from ..funnel.continuous import ContinuousChain, ExposureCounts
    from ..funnel.counts import TransitionCounts
    from ..funnel.higher_order import HigherOrderChain
    from ..graph.referral import ReferralGraph

    return {
        "markov_chain": MarkovChain.from_json,
        "transition_counts": TransitionCounts.from_json,
        "exposure_counts": ExposureCounts.from_json,
        "continuous_chain": ContinuousChain.from_json,
        "higher_order_chain": HigherOrderChain.from_json,
        "referral_graph": ReferralGraph.from_json,
        "repeat_model": repeat_model_from_json,
        "gamma_gamma": GammaGamma.from_json,
        "markov_attribution": MarkovAttribution.from_json,
    }


def load_model(path: Any) -> Any:
    """Read a model file written by any ``save`` method (chains, counts, exposure
    counts, continuous chains, higher-order chains, referral graphs, BG/NBD, Pareto/NBD
    and Gamma-Gamma models, Markov attribution).

    Parameters
    ----------
    path : str or path-like
        The model file.

    Returns
    -------
    object
        The model, of the class that wrote the file (``MarkovChain``, ``BetaGeo``, ...).

    Raises
    ------
    FileError
        The file cannot be read.
    FormatError
        It is corrupt, of an unknown version or kind, or fails validation.

    Examples
    --------
    >>> import funnelnet as fn, tempfile, os
    >>> chain = fn.MarkovChain([[0.5, 0.5], [0, 1]], states=["open", "won"])
    >>> path = os.path.join(tempfile.mkdtemp(), "chain.json")
    >>> chain.save(path)
    >>> fn.load_model(path) == chain
    True
    """
    from ..errors import FormatError

    text = read_file(path)
    kind = _core.funnel.model_kind(text)  # the C++ registry: precise FormatError otherwise
    reader = _readers().get(kind)
    if reader is None:
        raise FormatError(f"model file holds a {kind!r}, which the C++ core reads (io::load_*) but no Python "
                          f"object wraps yet")
    return reader(text)
