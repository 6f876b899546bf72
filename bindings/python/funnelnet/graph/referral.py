"""The referral graph: who referred whom, and who matters (centrality, cores,
components, cascades, referral conversion).

A :class:`ReferralGraph` is a directed graph stored as compressed sparse rows in C++
(Boost.Graph compatible).  Build it from edge arrays, a DataFrame, networkx or a file;
node ids can be any hashable labels and every result comes back labelled with them.

>>> import funnelnet as fn
>>> g = fn.ReferralGraph.from_edges(["ana", "ana", "bo"], ["bo", "cy", "cy"])
>>> g.number_of_nodes, g.number_of_edges
(3, 3)
>>> g.pagerank().round(4)
node
ana    0.1976
bo     0.2816
cy     0.5209
Name: pagerank, dtype: float64
>>> g.cascades().loc["ana", ["size", "depth", "breadth"]].tolist()
[3, 1, 2]
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Literal, Mapping, Sequence

import numpy as np
import pandas as pd

from .. import _core
from .._common.convert import as_array, require_columns
from .._common.persist import read_file, write_atomic
from .._common.options import choice as _choice
from .._common.options import default as _default
from .._common.options import default_choice as _default_choice
from .._common.options import run_with_progress as _run_with_progress
from .._common.time import times_as_numbers
from ..errors import EmptyInputError, InputTypeError, InvalidArgumentError, ShapeError, UnknownLabelError
from .._common.checks import check_int, check_ints, path_arg

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["ReferralGraph"]

_SELF_LOOPS = {"keep": 0, "drop": 1, "reject": 2}
_DUPLICATES = {"keep": 0, "merge": 1, "reject": 2}
_DEGREE = {"out": 0, "in": 1, "total": 2}
_DANGLING = {"personalization": 0, "uniform": 1}
#: ``self_loops=`` values (keys of _SELF_LOOPS).
SelfLoops = Literal["keep", "drop", "reject"]
#: ``duplicates=`` values (keys of _DUPLICATES).
Duplicates = Literal["keep", "merge", "reject"]
#: ``degree(kind=)`` values (keys of _DEGREE).
DegreeKind = Literal["out", "in", "total"]
#: ``pagerank(dangling=)`` names (keys of _DANGLING; a per-node vector is also accepted).
Dangling = Literal["personalization", "uniform"]

_EMPTY_F = np.empty(0, dtype=np.float64)
_EMPTY_I = np.empty(0, dtype=np.int64)


def _node_labels(core: Any) -> pd.Index:
    # The node ids as labels over the core graph's own read-only storage: no copy (the
    # numpy view keeps the core alive); pandas 3 would copy without copy=False.
    labels: pd.Index = pd.Index(np.asarray(core.ids), name="node", copy=False)
    return labels


def _is_integer_array(a: np.ndarray) -> bool:
    return a.dtype.kind in "iu" or a.dtype == bool


class ReferralGraph:
    """A directed referral graph (u -> v: u referred v) with labelled nodes.

    Build with :meth:`from_edges`, :meth:`from_pandas`, :meth:`from_networkx`,
    :meth:`read_edge_list` or :meth:`read_metis`.  The graph is immutable.

    Policies (explicit, never silent): ``self_loops`` is ``"keep"``, ``"drop"`` (the
    node stays, isolated if it has no other edge) or ``"reject"``; ``duplicates`` is
    ``"keep"`` (multigraph), ``"merge"`` (one edge, weights summed, earliest time kept;
    the default) or ``"reject"``.  Isolated nodes come from ``nodes=``.

    Parameters
    ----------
    core : funnelnet._core.graph.Graph
        The validated C++ graph (internal: use the constructors above).
    labels : pandas.Index
        The node labels in internal order (the index of every per-node result).

    Examples
    --------
    >>> import funnelnet as fn
    >>> g = fn.ReferralGraph.from_edges(["ann", "ann", "bob", "cy"], ["bob", "cy", "cy", "dan"])
    >>> g
    ReferralGraph(nodes=4, edges=4)
    >>> g.nodes.tolist()
    ['ann', 'bob', 'cy', 'dan']
    """

    def __init__(self, core: Any, labels: pd.Index) -> None:
        self._core = core
        self._labels = labels
        self._input_rows: np.ndarray | None = None  # set when rebuilt from a pickle

    # ---------------------------------------------------------------- persistence
    def _portable(self) -> tuple[Any, list[str]] | None:
        # The core graph and the labels as the model file holds them: integer labels are
        # the node ids themselves, string labels travel as "labels"; None for other label
        # types (floats, datetimes, mixed), which the file format cannot hold exactly.
        labels, core = self._labels, self._core
        if labels.name != "node":
            return None
        ids = np.asarray(core.ids)
        if _is_integer_array(np.asarray(labels)) and labels.dtype != bool:
            node_ids, names = np.asarray(labels, dtype=np.int64), []
        elif pd.api.types.infer_dtype(labels, skipna=False) == "string":
            node_ids, names = ids, [str(x) for x in labels]
        else:
            return None
        if self._input_rows is None and np.array_equal(node_ids, ids):
            return core, names
        if len(node_ids) > 1 and not bool(np.all(node_ids[1:] > node_ids[:-1])):
            return None
        c = _core.graph.Graph.from_csr_edges(
            np.ascontiguousarray(node_ids), np.asarray(core.sources, dtype=np.int64),
            np.asarray(core.targets, dtype=np.int64), np.array(core.weights, dtype=np.float64),
            np.array(core.times, dtype=np.float64) if core.has_times else _EMPTY_F,
            np.ascontiguousarray(self._edge_input_rows(), dtype=np.int64), bool(core.has_weights))
        return c, names

    def to_json(self) -> str:
        """The graph as versioned JSON text (the C++ core's ``referral_graph`` model file):
        node ids or string labels, the edges in graph order with weights, times and input
        rows.  Exact round trip through :meth:`from_json`.  InputTypeError for node
        labels that are neither integers nor strings.

        Returns
        -------
        str
            One JSON document (kind ``referral_graph``).

        Raises
        ------
        InputTypeError
            Node labels that are neither integers nor strings.

        Examples
        --------
        >>> import funnelnet as fn
        >>> g = fn.ReferralGraph.from_edges(["ann", "bob"], ["bob", "cy"])
        >>> fn.ReferralGraph.from_json(g.to_json()).edges().equals(g.edges())
        True
        """
        p = self._portable()
        if p is None:
            raise InputTypeError(f"a model file holds integer or string node labels; these are "
                                 f"{pd.api.types.infer_dtype(self._labels, skipna=False)} (dtype {self._labels.dtype})")
        return _core.graph.to_json(p[0], p[1])

    @classmethod
    def from_json(cls, text: str) -> "ReferralGraph":
        """A graph from JSON text written by :meth:`to_json` (FormatError if corrupt).

        Parameters
        ----------
        text : str
            JSON text from :meth:`to_json`.

        Returns
        -------
        ReferralGraph
            The same nodes, edges, weights, times and input rows.

        Raises
        ------
        FormatError
            The text is corrupt, of another kind or version, or fails validation.
        """
        core, names = _core.graph.graph_from_json(text)
        labels = pd.Index(names, name="node") if names else _node_labels(core)
        return cls(core, labels)

    def save(self, path: Any) -> None:
        """Write the graph to ``path`` as versioned JSON, crash-safely (unique temporary
        file, fsync, rename); read it back with :meth:`load` or :func:`funnelnet.load_model`.

        Parameters
        ----------
        path : str or os.PathLike
            The file to write (replaced atomically if it exists).

        Raises
        ------
        FileError
            The file cannot be written.
        InputTypeError
            Node labels that are neither integers nor strings.
        """
        write_atomic(path, self.to_json())

    @classmethod
    def load(cls, path: Any) -> "ReferralGraph":
        """Read a graph file written by :meth:`save` (FileError, FormatError).

        Parameters
        ----------
        path : str or os.PathLike
            A file written by :meth:`save`.

        Returns
        -------
        ReferralGraph

        Raises
        ------
        FileError
            The file cannot be read.
        FormatError
            The file is corrupt or holds another kind of model.
        """
        return cls.from_json(read_file(path))

    # ---------------------------------------------------------------- pickling
    def __reduce__(self) -> Any:
        # Through the model file (the C++ JSON) when the labels are integers or strings;
        # other label types keep the validated state below.
        if self._portable() is not None:
            return (ReferralGraph.from_json, (self.to_json(),))
        # The validated state: CSR edges in graph order (sources, targets, weights, times),
        # the input row of each edge and the node labels.  Rebuilt through the validating
        # constructor with every edge kept as it is, so edge order, weights and every
        # result are the same.
        c = self._core
        return (
            _restore_graph,
            (
                self.number_of_nodes,
                np.asarray(c.sources, dtype=np.int64),
                np.asarray(c.targets, dtype=np.int64),
                np.array(c.weights, dtype=np.float64),
                np.array(c.times, dtype=np.float64) if c.has_times else None,
                self._edge_input_rows().copy(),
                self._labels,
            ),
        )

    def _edge_input_rows(self) -> np.ndarray:
        return self._input_rows if self._input_rows is not None else np.asarray(self._core.input_rows)

    # ---------------------------------------------------------------- construction
    @classmethod
    def from_edges(
        cls,
        src: Any,
        dst: Any,
        weight: Any = None,
        time: Any = None,
        nodes: Any = None,
        self_loops: SelfLoops = _default_choice("GraphOptions", "self_loops", _SELF_LOOPS),
        duplicates: Duplicates = _default_choice("GraphOptions", "duplicates", _DUPLICATES),
    ) -> "ReferralGraph":
        """Graph from parallel arrays: edge i goes from ``src[i]`` to ``dst[i]``.

        Integer ids go to C++ without a copy when they are int64 and C-contiguous (other
        integer dtypes and strided arrays are converted once) and are mapped there; the
        result's node labels are a read-only view of the graph's own ids, not a copy.  Other
        labels (strings, mixed) are factorised with pandas.  ``weight`` (>= 0) and
        ``time`` (numbers or datetimes; datetimes become float nanoseconds) are optional
        per-edge arrays.  ``nodes`` adds nodes without edges.

        Raises ShapeError for arrays of different lengths, InvalidArgumentError for a
        missing label, a bad weight or time, or a rejected self-loop, DuplicateLabelError
        for a rejected duplicate, EmptyInputError when there is nothing at all.

        Parameters
        ----------
        src, dst : array-like
            Referrer and referee of each edge (integers, strings or any hashable labels).
        weight : array-like, optional
            Per-edge weight (>= 0; default 1).
        time : array-like, optional
            Per-edge time (numbers or datetimes).
        nodes : array-like, optional
            Extra node labels (isolated nodes are kept).
        self_loops : {"keep", "drop", "reject"}
            What to do with an edge u -> u (see the class docstring).
        duplicates : {"merge", "keep", "reject"}
            What to do with repeated (u, v) edges.

        Returns
        -------
        ReferralGraph

        Examples
        --------
        A repeated referral is merged into one edge of weight 2 by default:

        >>> import funnelnet as fn
        >>> g = fn.ReferralGraph.from_edges([1, 1, 2], [2, 2, 3], nodes=[9])
        >>> g.edges()[["source", "target", "weight"]]
           source  target  weight
        0       1       2     2.0
        1       2       3     1.0
        >>> g.number_of_nodes
        4
        """
        s, d = np.asarray(src), np.asarray(dst)
        if s.ndim != 1 or d.ndim != 1:
            raise ShapeError(f"src and dst must be 1-dimensional, got shapes {s.shape} and {d.shape}")
        if len(s) != len(d):
            raise ShapeError(f"dst has length {len(d)} but src has length {len(s)}")
        m = len(s)
        w = _EMPTY_F if weight is None else as_array(weight, np.float64, "weight")
        if weight is not None and len(w) != m:
            raise ShapeError(f"weight has length {len(w)} but there are {m} edges")
        t = _EMPTY_F
        if time is not None:
            t = np.ascontiguousarray(times_as_numbers(time, "time"), dtype=np.float64)
            if len(t) != m:
                raise ShapeError(f"time has length {len(t)} but there are {m} edges")
        sl = _choice(self_loops, _SELF_LOOPS, "self_loops")
        du = _choice(duplicates, _DUPLICATES, "duplicates")
        extra = None if nodes is None else np.asarray(nodes)
        if m == 0 and (extra is None or len(extra) == 0):
            raise EmptyInputError("graph has no edges and no nodes")
        fits64 = all(a is None or not (a.dtype.kind == "u" and a.size and a.max() > np.iinfo(np.int64).max)
                     for a in (s, d, extra))  # uint64 ids >= 2**63 keep their values: factorised below
        if (fits64 and _is_integer_array(s) and _is_integer_array(d) and (extra is None or _is_integer_array(extra))
                and (m > 0 or extra is not None)):
            s64 = np.ascontiguousarray(s, dtype=np.int64)
            d64 = np.ascontiguousarray(d, dtype=np.int64)
            n64 = _EMPTY_I if extra is None else np.ascontiguousarray(extra, dtype=np.int64)
            core = _core.graph.Graph.from_edges(s64, d64, w, t, n64, sl, du)
            return cls(core, _node_labels(core))
        parts = [pd.Series(s, copy=False), pd.Series(d, copy=False)]
        if extra is not None:
            parts.append(pd.Series(extra, copy=False))
        allv = pd.concat(parts, ignore_index=True)
        codes, uniques = pd.factorize(allv, use_na_sentinel=True)
        bad = np.flatnonzero(codes < 0)
        if bad.size:
            i = int(bad[0])
            which, row = ("src", i) if i < m else (("dst", i - m) if i < 2 * m else ("nodes", i - 2 * m))
            raise InvalidArgumentError(f"{which}: row {row} is missing (NaN/None); node ids must be present")
        codes = codes.astype(np.int64, copy=False)
        core = _core.graph.Graph.from_indices(
            len(uniques), np.ascontiguousarray(codes[:m]), np.ascontiguousarray(codes[m : 2 * m]), w, t, sl, du
        )
        return cls(core, pd.Index(uniques, name="node", copy=False))

    @classmethod
    def from_pandas(
        cls,
        df: pd.DataFrame,
        source: str = "source",
        target: str = "target",
        weight: str | None = None,
        time: str | None = None,
        **policies: Any,
    ) -> "ReferralGraph":
        """Graph from a DataFrame with referrer / referee columns (and optional weight
        and time columns).  ``policies`` are ``self_loops=`` and ``duplicates=``.

        Parameters
        ----------
        df : DataFrame
            One row per referral.
        source, target : str
            Columns of the referrer and the referee.
        weight, time : str, optional
            Columns of the edge weight and time.
        **policies
            ``self_loops=`` and ``duplicates=``, as for :meth:`from_edges`.

        Returns
        -------
        ReferralGraph

        Raises
        ------
        InputTypeError
            A named column is missing (the message lists the columns).

        Examples
        --------
        >>> import pandas as pd, funnelnet as fn
        >>> df = pd.DataFrame({"referrer": [1, 1, 2], "referee": [2, 3, 3], "deals": [2.0, 1.0, 5.0]})
        >>> fn.ReferralGraph.from_pandas(df, "referrer", "referee", weight="deals").degree(weighted=True).tolist()
        [3.0, 5.0, 0.0]
        """
        require_columns(df, {"source": source, "target": target, "weight": weight, "time": time})
        return cls.from_edges(
            df[source].to_numpy(),
            df[target].to_numpy(),
            weight=None if weight is None else df[weight].to_numpy(),
            time=None if time is None else df[time],
            **policies,
        )

    @classmethod
    def from_networkx(cls, graph: Any, weight: str | None = "weight", **policies: Any) -> "ReferralGraph":
        """Graph from a networkx graph (undirected graphs give both directions).  Edge
        attribute ``weight`` is used when present (default 1); isolated nodes are kept.

        Parameters
        ----------
        graph : networkx.Graph or networkx.DiGraph
            The graph (multigraph edges each count).
        weight : str or None
            Edge attribute read as the weight; None gives every edge weight 1.
        **policies
            ``self_loops=`` and ``duplicates=``, as for :meth:`from_edges`.

        Returns
        -------
        ReferralGraph

        Examples
        --------
        >>> import networkx as nx, funnelnet as fn
        >>> g = fn.ReferralGraph.from_networkx(nx.path_graph(3))
        >>> g.number_of_edges  # both directions of 0-1 and 1-2
        4
        """
        directed = graph.is_directed()
        edges = list(graph.edges(data=True))
        src = [u for u, _, _ in edges]
        dst = [v for _, v, _ in edges]
        w = [float(a.get(weight, 1.0)) if weight else 1.0 for _, _, a in edges]
        if not directed:
            rev = [(v, u, x) for u, v, x in zip(src, dst, w) if u != v]
            src += [r[0] for r in rev]
            dst += [r[1] for r in rev]
            w += [r[2] for r in rev]
        nodes = list(graph.nodes())
        if all(isinstance(x, (int, np.integer)) and not isinstance(x, bool) for x in nodes):
            kind: Any = np.int64
        else:
            kind = object

        def arr(v: Any) -> np.ndarray:
            return np.asarray(v, dtype=kind)

        return cls.from_edges(arr(src), arr(dst), weight=np.asarray(w, dtype=np.float64), nodes=arr(nodes), **policies)

    def to_networkx(self) -> Any:
        """A networkx DiGraph (MultiDiGraph if duplicate edges were kept) with ``weight``
        (and ``time``) edge attributes.

        Returns
        -------
        networkx.DiGraph or networkx.MultiDiGraph
            Nodes are the labels (isolated ones included).

        Examples
        --------
        >>> import funnelnet as fn
        >>> g = fn.ReferralGraph.from_edges(["ann", "ann", "bob", "cy"], ["bob", "cy", "cy", "dan"])
        >>> sorted(g.to_networkx().edges())[:2]
        [('ann', 'bob'), ('ann', 'cy')]
        """
        import networkx as nx

        e = self.edges()
        multi = e.duplicated(["source", "target"]).any()
        g = nx.MultiDiGraph() if multi else nx.DiGraph()
        g.add_nodes_from(self._labels)
        cols = ["source", "target", "weight"] + (["time"] if "time" in e else [])
        for row in e[cols].itertuples(index=False):
            attrs = {"weight": row[2]}
            if len(row) > 3:
                attrs["time"] = row[3]
            g.add_edge(row[0], row[1], **attrs)
        return g

    @classmethod
    def read_edge_list(
        cls,
        path: str,
        header_lines: int = _default("EdgeListOptions", "header_lines"),
        weighted: bool = _default("EdgeListOptions", "weighted"),
        symmetric: bool = _default("EdgeListOptions", "symmetric"),
        self_loops: SelfLoops = _default_choice("GraphOptions", "self_loops", _SELF_LOOPS),
        duplicates: Duplicates = _default_choice("GraphOptions", "duplicates", _DUPLICATES),
    ) -> "ReferralGraph":
        r"""Read a SNAP-style edge list ("u v" or "u v w" per line; '#' and '%' comments).
        FormatError names the line of a malformed entry; FileError if unreadable.

        ``header_lines`` lines are skipped first.  A first line "n m" that counts the
        rest (n distinct nodes and m lines follow, as in SNAP's CA-GrQc) is a header,
        not an edge: without ``header_lines=1`` it raises FormatError saying so.

        Parameters
        ----------
        path : str or os.PathLike
            The text file.
        header_lines : int
            Lines skipped before reading edges.
        weighted : bool
            Read a third column as the weight.
        symmetric : bool
            Add both directions of every edge (undirected data such as CA-GrQc).
        self_loops : {"keep", "drop", "reject"}
            What to do with an edge u -> u (see the class docstring).
        duplicates : {"merge", "keep", "reject"}
            What to do with repeated (u, v) edges.

        Returns
        -------
        ReferralGraph
            Node labels are the integer ids of the file.

        Raises
        ------
        FileError
            The file cannot be read.
        FormatError
            A malformed line, or a count header read as an edge (naming the line).

        Examples
        --------
        >>> import os, tempfile, funnelnet as fn
        >>> path = os.path.join(tempfile.mkdtemp(), "edges.txt")
        >>> with open(path, "w") as f:
        ...     _ = f.write("# referrer referee\n1 2\n1 3\n2 3\n")
        >>> fn.ReferralGraph.read_edge_list(path).degree().tolist()
        [2, 1, 0]
        """
        core = _core.graph.Graph.read_edge_list(
            path_arg(path), check_int("header_lines", header_lines), weighted, symmetric,
            _choice(self_loops, _SELF_LOOPS, "self_loops"),
            _choice(duplicates, _DUPLICATES, "duplicates"),
        )
        return cls(core, _node_labels(core))

    @classmethod
    def read_metis(cls, path: str, self_loops: SelfLoops = _default_choice("GraphOptions", "self_loops", _SELF_LOOPS),
                   duplicates: Duplicates = _default_choice("GraphOptions", "duplicates", _DUPLICATES)) -> "ReferralGraph":
        """Read a METIS graph (1-based node ids 1..n, both directions of every edge).

        Parameters
        ----------
        path : str or os.PathLike
            The METIS file (first line "n m [fmt]", then one line of neighbours per node).
        self_loops : {"keep", "drop", "reject"}
            What to do with an edge u -> u (see the class docstring).
        duplicates : {"merge", "keep", "reject"}
            What to do with repeated (u, v) edges.

        Returns
        -------
        ReferralGraph
            Node labels 1..n.

        Raises
        ------
        FileError
            The file cannot be read.
        FormatError
            A malformed header or line (naming it).
        """
        core = _core.graph.Graph.read_metis(
            path_arg(path), _choice(self_loops, _SELF_LOOPS, "self_loops"), _choice(duplicates, _DUPLICATES, "duplicates")
        )
        return cls(core, _node_labels(core))

    # ---------------------------------------------------------------- inspection
    @property
    def nodes(self) -> pd.Index:
        """Node labels in internal order (every per-node result uses this index)."""
        return self._labels

    @property
    def number_of_nodes(self) -> int:
        """Number of nodes (isolated ones included)."""
        return int(self._core.num_nodes)

    @property
    def number_of_edges(self) -> int:
        """Number of edges (after the self-loop and duplicate policies)."""
        return int(self._core.num_edges)

    def __len__(self) -> int:
        return self.number_of_nodes

    def __repr__(self) -> str:
        return f"ReferralGraph(nodes={self.number_of_nodes}, edges={self.number_of_edges})"

    def _repr_html_(self) -> str:
        from .._common.display import html_block

        c = self._core
        k = min(5, self.number_of_edges)
        head = pd.DataFrame({"source": self._labels.take(np.asarray(c.sources[:k], dtype=np.int64)),
                             "target": self._labels.take(np.asarray(c.targets[:k], dtype=np.int64)),
                             "weight": np.asarray(c.weights[:k])})
        return html_block("ReferralGraph", {"nodes": f"{self.number_of_nodes:,}", "edges": f"{self.number_of_edges:,}",
                                            "timed": bool(c.has_times)}, head,
                          note=f"first {k} of {self.number_of_edges:,} edges" if self.number_of_edges > k else "")

    def edges(self) -> pd.DataFrame:
        """Edges in graph order (per-edge arrays such as probabilities use this order):
        source, target (labels), weight, time (if given) and input_row (the row of the
        input that produced the edge; the first one of a merged group).

        Returns
        -------
        DataFrame
            One row per edge.

        Examples
        --------
        >>> import funnelnet as fn
        >>> g = fn.ReferralGraph.from_edges(["ann", "ann", "bob", "cy"], ["bob", "cy", "cy", "dan"])
        >>> g.edges()
          source target  weight  input_row
        0    ann    bob     1.0          0
        1    ann     cy     1.0          1
        2    bob     cy     1.0          2
        3     cy    dan     1.0          3
        """
        c = self._core
        df = pd.DataFrame(
            {
                "source": self._labels.take(np.asarray(c.sources, dtype=np.int64)),
                "target": self._labels.take(np.asarray(c.targets, dtype=np.int64)),
                "weight": np.asarray(c.weights),
            }
        )
        if c.has_times:
            df["time"] = np.asarray(c.times)
        df["input_row"] = self._edge_input_rows()
        return df

    def positions(self, labels: Any, what: str = "node") -> np.ndarray:
        """Internal positions (int64) of node labels; UnknownLabelError names the first unknown one.

        Parameters
        ----------
        labels : label or sequence of labels
            Node labels.
        what : str
            What the labels are, for the error message (``"seed"``, ``"root"``, ...).

        Returns
        -------
        ndarray of int64
            Position of each label in :attr:`nodes`.

        Raises
        ------
        UnknownLabelError
            A label that is not a node.

        Examples
        --------
        >>> import funnelnet as fn
        >>> g = fn.ReferralGraph.from_edges(["ann", "ann", "bob", "cy"], ["bob", "cy", "cy", "dan"])
        >>> g.positions(["cy", "ann"]).tolist()
        [2, 0]
        """
        if isinstance(labels, (str, bytes)) or np.isscalar(labels):
            labels = [labels]
        vals = pd.Index(labels)
        pos = self._labels.get_indexer(vals)
        bad = np.flatnonzero(pos < 0)
        if bad.size:
            raise UnknownLabelError(f"{what} {vals.tolist()[int(bad[0])]!r} is not a node of the graph")
        return np.ascontiguousarray(pos, dtype=np.int64)

    def _per_node(self, values: Any, name: str, fill: float | None = 0.0) -> np.ndarray:
        """A float64 array in node order from a Series / dict (by label; missing = fill)
        or an array of length n (in node order)."""
        if isinstance(values, Mapping):
            values = pd.Series(values, dtype=np.float64)
        if isinstance(values, pd.Series):
            unknown = values.index.difference(self._labels)
            if len(unknown):
                raise UnknownLabelError(f"{name}: {unknown.tolist()[0]!r} is not a node of the graph")
            s = values.reindex(self._labels)
            if fill is not None:
                s = s.fillna(fill)
            return np.ascontiguousarray(s.to_numpy(dtype=np.float64))
        a = np.asarray(values, dtype=np.float64)
        if a.ndim != 1 or len(a) != self.number_of_nodes:
            raise ShapeError(f"{name} has shape {a.shape}, expected ({self.number_of_nodes},) (one per node)")
        return np.ascontiguousarray(a)

    def _series(self, values: np.ndarray, name: str) -> pd.Series:
        return pd.Series(values, index=self._labels, name=name)

    # ---------------------------------------------------------------- influence ranking
    def degree(self, kind: DegreeKind = "out", weighted: bool = False) -> pd.Series:
        """Out-, in- or total degree: edge counts (int64, as networkx's ``degree``), or
        weight sums (float64) when ``weighted``.

        Parameters
        ----------
        kind : {"out", "in", "total"}
            Referrals made, received, or both.
        weighted : bool
            Sum edge weights instead of counting edges.

        Returns
        -------
        Series
            By node, named ``<kind>_degree``.

        Examples
        --------
        >>> import funnelnet as fn
        >>> g = fn.ReferralGraph.from_edges(["ann", "ann", "bob", "cy"], ["bob", "cy", "cy", "dan"])
        >>> g.degree().to_dict(), g.degree("in").to_dict()
        ({'ann': 2, 'bob': 1, 'cy': 1, 'dan': 0}, {'ann': 0, 'bob': 1, 'cy': 2, 'dan': 1})
        """
        d = np.asarray(_core.graph.degree(self._core, _choice(kind, _DEGREE, "kind"), weighted))
        if not weighted:
            d = np.rint(d).astype(np.int64)
        return self._series(d, f"{kind}_degree")

    def pagerank(
        self,
        damping: float = _default("PageRankOptions", "damping"),
        personalization: Any = None,
        dangling: Dangling | Any = _default_choice("PageRankOptions", "dangling", _DANGLING),
        weighted: bool = _default("PageRankOptions", "weighted"),
        tol: float = _default("PageRankOptions", "tolerance"),
        max_iter: int = _default("PageRankOptions", "max_iter"),
        threads: int = _default("PageRankOptions", "threads"),
        alpha: float | None = None,
    ) -> pd.Series:
        """PageRank: the fixed point and the stopping rule of networkx's power iteration.

        The result is one power-iteration step that changed the vector by less than
        ``n * tol`` in L1, as networkx returns, so it lies within
        ``damping / (1 - damping) * n * tol`` of the exact PageRank.  Graphs under 2^21
        edges + nodes get there by Gauss-Seidel sweeps (about 2/3 of the passes on
        heavy-tailed graphs), larger ones by the parallel power iteration; the result is
        the same at any thread count.

        ``damping`` is the probability of following an edge; ``alpha`` is networkx's
        name for it and is accepted as an alias (giving both with different values
        raises InvalidArgumentError).

        ``personalization`` (Series/dict by label, missing = 0, or an array in node
        order) is the teleport distribution (uniform if None).  ``dangling`` says where
        nodes without out-weight send their rank: ``"personalization"`` (networkx's
        default), ``"uniform"``, or a Series/dict/array of weights.  Stops when the L1
        change is below ``n * tol``; ConvergenceError after ``max_iter`` iterations.
        InvalidArgumentError for a vector summing to 0 or with negative/NaN entries.

        Parameters
        ----------
        damping : float
            Probability of following an edge, in [0, 1).
        personalization : Series, dict or array-like, optional
            Teleport weights (normalised).
        dangling : {"personalization", "uniform"} or Series, dict, array-like
            Where dangling nodes send their rank.
        weighted : bool
            Follow edges in proportion to their weights.
        tol : float
            Convergence tolerance per node.
        max_iter : int
            Most passes (sweeps and power-iteration steps).
        threads : int
            Worker threads: 0 chooses from the size of the work (one thread for small inputs,
            more only when each has enough work to gain from it, never more than the usable
            cores); a positive number is an upper bound.  The result is the same at any
            thread count.
        alpha : float, optional
            networkx's name for ``damping``.

        Returns
        -------
        Series
            By node, named ``pagerank``, summing to 1.

        Raises
        ------
        ConvergenceError
            Not converged after ``max_iter`` iterations.

        Examples
        --------
        The same values as ``networkx.pagerank``:

        >>> import funnelnet as fn
        >>> g = fn.ReferralGraph.from_edges(["ann", "ann", "bob", "cy"], ["bob", "cy", "cy", "dan"])
        >>> g.pagerank().round(4).to_dict()
        {'ann': 0.1205, 'bob': 0.1716, 'cy': 0.3175, 'dan': 0.3904}
        """
        check_ints(max_iter=max_iter, threads=threads)
        if alpha is not None:
            if damping != 0.85 and float(alpha) != float(damping):
                raise InvalidArgumentError(f"alpha={alpha!r} and damping={damping!r} name the same parameter "
                                           "(networkx's alpha is funnelnet's damping): give one")
            damping = float(alpha)
        pers = _EMPTY_F if personalization is None else self._per_node(personalization, "personalization")
        dw = _EMPTY_F
        if isinstance(dangling, str):
            code = _choice(dangling, _DANGLING, "dangling")
        else:
            code, dw = 2, self._per_node(dangling, "dangling")
        x, _ = _core.graph.pagerank(self._core, damping, weighted, pers, code, dw, tol, max_iter, threads)
        return self._series(x, "pagerank")

    def katz(
        self,
        alpha: float = _default("KatzOptions", "alpha"),
        beta: Any = _default("KatzOptions", "beta"),
        weighted: bool = _default("KatzOptions", "weighted"),
        normalized: bool = _default("KatzOptions", "normalized"),
        tol: float = _default("KatzOptions", "tolerance"),
        max_iter: int = _default("KatzOptions", "max_iter"),
        threads: int = _default("KatzOptions", "threads"),
    ) -> pd.Series:
        """Katz centrality x_i = alpha * sum_{j -> i} w_ji x_j + beta_i (networkx's
        iteration); ``beta`` is a scalar or per node.  The iteration converges only for
        ``alpha < 1 / lambda_max`` (lambda_max: the largest eigenvalue of the adjacency
        matrix); above it ConvergenceError says "use alpha < <bound>" with the bound
        computed for this graph.

        Parameters
        ----------
        alpha : float
            Attenuation factor (below 1 / lambda_max).
        beta : float or Series, dict, array-like
            Baseline centrality, one value or one per node.
        weighted : bool
            Use edge weights as w_ji.
        normalized : bool
            Scale the result to unit Euclidean norm (as networkx).
        tol : float
            Convergence tolerance per node.
        max_iter : int
            Most iterations.
        threads : int
            Worker threads: 0 chooses from the size of the work (one thread for small inputs,
            more only when each has enough work to gain from it, never more than the usable
            cores); a positive number is an upper bound.  The result is the same at any
            thread count.

        Returns
        -------
        Series
            By node, named ``katz``.

        Raises
        ------
        ConvergenceError
            ``alpha`` too large for this graph (the message gives the bound), or not
            converged in ``max_iter`` iterations.

        Examples
        --------
        The same values as ``networkx.katz_centrality(G, alpha=0.1)``:

        >>> import funnelnet as fn
        >>> g = fn.ReferralGraph.from_edges(["ann", "ann", "bob", "cy"], ["bob", "cy", "cy", "dan"])
        >>> g.katz(alpha=0.1).round(4).to_dict()
        {'ann': 0.4503, 'bob': 0.4954, 'cy': 0.5449, 'dan': 0.5048}
        """
        check_ints(max_iter=max_iter, threads=threads)
        betas = _EMPTY_F
        b = 1.0
        if np.isscalar(beta):
            b = float(beta)  # type: ignore[arg-type]  # a scalar (np.isscalar does not narrow)
        else:
            betas = self._per_node(beta, "beta", fill=None)
        x, _ = _core.graph.katz(self._core, alpha, b, betas, weighted, normalized, tol, max_iter, threads)
        return self._series(x, "katz")

    def core_numbers(self) -> pd.Series:
        """k-core number per node (degree = in + out, as networkx.core_number on a
        DiGraph).  InvalidArgumentError if the graph has self-loops (build with
        ``self_loops="drop"``).

        Returns
        -------
        Series
            By node, named ``core``: the largest k such that the node is in a subgraph
            where every node has degree >= k.

        Raises
        ------
        InvalidArgumentError
            The graph has self-loops.

        Examples
        --------
        >>> import funnelnet as fn
        >>> g = fn.ReferralGraph.from_edges(["ann", "ann", "bob", "cy"], ["bob", "cy", "cy", "dan"])
        >>> g.core_numbers().to_dict()
        {'ann': 2, 'bob': 2, 'cy': 2, 'dan': 1}
        """
        return self._series(_core.graph.core_numbers(self._core), "core")

    def components(self, strong: bool = False) -> pd.Series:
        """Component label per node (weakly connected, or strongly with ``strong=True``),
        numbered 0.. in order of each component's first node.

        Parameters
        ----------
        strong : bool
            Strongly connected components (following edge directions).

        Returns
        -------
        Series
            By node, named ``weak_component`` or ``strong_component``.

        Examples
        --------
        The graph is connected but has no cycle, so each node is its own strong
        component:

        >>> import funnelnet as fn
        >>> g = fn.ReferralGraph.from_edges(["ann", "ann", "bob", "cy"], ["bob", "cy", "cy", "dan"])
        >>> g.components().tolist(), g.components(strong=True).tolist()
        ([0, 0, 0, 0], [0, 1, 2, 3])
        """
        labels, _ = _core.graph.components(self._core, strong)
        return self._series(labels, "strong_component" if strong else "weak_component")

    def betweenness(
        self,
        normalized: bool = _default("BetweennessOptions", "normalized"),
        sources: Sequence[Any] | None = None,
        samples: int | None = None,
        seed: int = _default("BetweennessOptions", "seed"),
        threads: int = _default("BetweennessOptions", "threads"),
        progress: bool = False,
    ) -> pd.Series:
        """Betweenness centrality (Brandes, unweighted shortest paths).  With ``sources``
        (labels) or ``samples`` (that many random sources, seeded) only those sources are
        accumulated and scaled to estimate the full value exactly as
        ``networkx.betweenness_centrality(k=...)`` does (networkx >= 3.5: non-source
        nodes by (n-1)/k, source nodes by (n-1)/(k-1)).  Same seed, same result at any
        thread count.

        Parameters
        ----------
        normalized : bool
            Divide by (n - 1)(n - 2), as networkx.
        sources : sequence of labels, optional
            Accumulate from these sources only (an estimate).
        samples : int, optional
            Accumulate from this many random sources (an estimate).
        seed : int
            Seed of the sampled sources.
        threads : int
            Worker threads: 0 chooses from the size of the work (one thread for small inputs,
            more only when each has enough work to gain from it, never more than the usable
            cores); a positive number is an upper bound.  The result is the same at any
            thread count.
        progress : bool
            Show a tqdm bar.

        Returns
        -------
        Series
            By node, named ``betweenness``.

        Examples
        --------
        Only ann -> cy -> dan passes through a node (cy), one of the 6 ordered pairs:

        >>> import funnelnet as fn
        >>> g = fn.ReferralGraph.from_edges(["ann", "ann", "bob", "cy"], ["bob", "cy", "cy", "dan"])
        >>> g.betweenness().round(4).to_dict()
        {'ann': 0.0, 'bob': 0.0, 'cy': 0.3333, 'dan': 0.0}
        """
        check_ints(samples=samples, seed=seed, threads=threads)
        src = _EMPTY_I if sources is None else self.positions(sources, "source")
        k = 0 if samples is None else int(samples)
        bc = _run_with_progress(
            progress, "betweenness",
            lambda cb: _core.graph.betweenness(self._core, normalized, src, k, seed, threads, cb),
        )
        return self._series(bc, "betweenness")

    def layout(
        self,
        iterations: int = _default("LayoutOptions", "iterations"),
        pivots: int = _default("LayoutOptions", "pivots"),
        seed: int = _default("LayoutOptions", "seed"),
        gravity: float = _default("LayoutOptions", "gravity"),
        threads: int = _default("LayoutOptions", "threads"),
        progress: bool = False,
    ) -> pd.DataFrame:
        """Node positions for drawing, computed in C++ (edges undirected and unweighted):
        a pivot-MDS start from BFS distances to ``pivots`` pivots (the global shape), then
        ``iterations`` Fruchterman-Reingold steps with grid-based repulsion (the local
        detail; ideal edge length 1).  Each phase costs O(n + m) per pivot or step, so
        10^4-10^5 nodes take well under seconds.  ``gravity`` pulls nodes towards the
        centre; the same seed gives the same layout at any thread count.

        Parameters
        ----------
        iterations : int
            Force-directed refinement steps (>= 0; 0 keeps the pivot-MDS start).
        pivots : int
            Pivots of the MDS start (>= 2).
        seed : int
            Seed of the pivot choice and the jitter.
        gravity : float
            Pull towards the centre (finite, >= 0).
        threads : int
            Worker threads: 0 chooses from the size of the work (one thread for small inputs,
            more only when each has enough work to gain from it, never more than the usable
            cores); a positive number is an upper bound.  The result is the same at any
            thread count.
        progress : bool, default False
            Show a progress bar.

        Returns
        -------
        DataFrame
            Indexed by node label, columns ``x`` and ``y``.

        >>> import funnelnet as fn
        >>> g = fn.ReferralGraph.from_edges([1, 2, 3], [2, 3, 1])
        >>> pos = g.layout(seed=1)
        >>> pos.shape, pos.equals(g.layout(seed=1))
        ((3, 2), True)
        """
        if int(iterations) < 0:
            raise InvalidArgumentError(f"iterations must be >= 0, got {iterations}")
        if int(pivots) < 2:
            raise InvalidArgumentError(f"pivots must be >= 2, got {pivots}")
        xy = _run_with_progress(
            progress, "layout",
            lambda cb: _core.graph.layout(self._core, int(iterations), int(pivots), int(seed), float(gravity),
                                          int(threads), cb),
        )
        xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
        return pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1]}, index=self._labels.copy())

    def plot(self, top: int = 20, *, ax: Any = None, **kw: Any) -> "Axes":
        """Draw the neighbourhood of the ``top`` influencers: :func:`funnelnet.plot.referral_graph`.

        Parameters
        ----------
        top : int, default 20
            How many influencers (by out-degree unless ``scores=`` is passed in ``kw``).
        ax : matplotlib Axes, optional
            Where to draw (default: a new figure).
        **kw
            Passed to the chart function.

        Returns
        -------
        matplotlib.axes.Axes
            The Axes drawn on (``ax``, or a new figure's).
        """
        from ..plot import referral_graph

        return referral_graph(self, top, ax=ax, **kw)

    def cascades(self, roots: Sequence[Any] | None = None, threads: int = 0, progress: bool = False) -> pd.DataFrame:
        """Referral cascade of each root (all nodes by default): the breadth-first tree of
        everyone reached from it.  Columns: size (root included), depth, breadth (largest
        level) and virality (structural virality: mean distance between pairs in the
        tree; NaN for a single node).

        Parameters
        ----------
        roots : sequence of labels, optional
            The roots (default: every node).
        threads : int
            Worker threads: 0 chooses from the size of the work (one thread for small inputs,
            more only when each has enough work to gain from it, never more than the usable
            cores); a positive number is an upper bound.  The result is the same at any
            thread count.
        progress : bool
            Show a tqdm bar.

        Returns
        -------
        DataFrame
            By root: size, depth, breadth, virality.

        Examples
        --------
        >>> import funnelnet as fn
        >>> g = fn.ReferralGraph.from_edges(["ann", "ann", "bob", "cy"], ["bob", "cy", "cy", "dan"])
        >>> g.cascades()
              size  depth  breadth  virality
        node                                
        ann      4      2        2  1.666667
        bob      3      2        1  1.333333
        cy       2      1        1  1.000000
        dan      1      0        1       NaN
        """
        check_ints(threads=threads)
        r = _EMPTY_I if roots is None else self.positions(roots, "root")
        d = _run_with_progress(progress, "cascades", lambda cb: _core.graph.cascades(self._core, r, threads, cb))
        idx = self._labels.take(d.pop("root"))
        return pd.DataFrame(d, index=idx)

    def referral_conversion(self, outcome: Any) -> pd.DataFrame:
        """Per-referrer conversion of referees: ``outcome`` per node (Series/dict by
        label, missing = unknown; or an array) with 1 converted, 0 not, NaN unknown.
        Columns: referred (referees with a known outcome), converted, rate.

        Parameters
        ----------
        outcome : Series, dict or array-like
            Per node: 1 converted, 0 not, NaN (or missing from a Series/dict) unknown.

        Returns
        -------
        DataFrame
            By node: referred, converted, rate (NaN without known referees).

        Raises
        ------
        UnknownLabelError
            A label that is not a node.

        Examples
        --------
        >>> import funnelnet as fn
        >>> g = fn.ReferralGraph.from_edges(["ann", "ann", "bob", "cy"], ["bob", "cy", "cy", "dan"])
        >>> g.referral_conversion({"bob": 1, "cy": 0, "dan": 1})
              referred  converted  rate
        node                           
        ann          2        1.0   0.5
        bob          1        0.0   0.0
        cy           1        1.0   1.0
        dan          0        0.0   NaN
        """
        y = self._per_node(outcome, "outcome", fill=None)
        d = _core.graph.referral_conversion(self._core, y)
        return pd.DataFrame(d, index=self._labels)


def _restore_graph(n: int, src: np.ndarray, dst: np.ndarray, weights: np.ndarray, times: np.ndarray | None,
                   input_rows: np.ndarray, labels: pd.Index) -> ReferralGraph:
    t = _EMPTY_F if times is None else np.ascontiguousarray(times, dtype=np.float64)
    core = _core.graph.Graph.from_indices(int(n), np.ascontiguousarray(src, dtype=np.int64),
                                          np.ascontiguousarray(dst, dtype=np.int64),
                                          np.ascontiguousarray(weights, dtype=np.float64), t,
                                          _SELF_LOOPS["keep"], _DUPLICATES["keep"])
    g = ReferralGraph(core, labels)
    g._input_rows = np.asarray(input_rows, dtype=np.int64)
    return g
