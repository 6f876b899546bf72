"""Ready-made baseline scorers for :func:`funnelnet.scoring.compare`.

Each baseline is a :class:`ColumnScorer`: a :class:`LeadScorer` that fits and predicts on
the columns of a :func:`funnelnet.scoring.features` frame picked by name, so a
comparison needs no list of column names:

- ``stage``: the funnel-stage one-hot (``stage=<s>``);
- ``tier``: the ABC-tier one-hot at the cut-off (``tier=<t>``);
- ``referral``: the funnel stage plus the referral features (``referred``,
  ``referrals_made``, ``pagerank``, ``referrer_pagerank``, ``referrer_conversion``,
  ``referrer_tier=<t>``).

:func:`baselines` returns them with the all-features :class:`LeadScorer` as a mapping
for :func:`compare`; add any scikit-learn classifier to it.  A column selector is a
tuple of names; a name ending in ``=`` stands for every one-hot column with that prefix
(``"stage="`` selects ``stage=lead``, ``stage=other``, ...), so the selection follows
the frame's vocabularies.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence, Self

import pandas as pd

from .._common.options import default
from ..errors import InputTypeError, InvalidArgumentError, UnknownLabelError
from .logistic import LeadScorer

__all__ = ["ColumnScorer", "baselines", "stage_baseline", "tier_baseline", "referral_baseline", "select_columns",
           "STAGE_COLUMNS", "TIER_COLUMNS", "REFERRAL_COLUMNS"]

#: The funnel-stage one-hot of :func:`features`.
STAGE_COLUMNS: tuple[str, ...] = ("stage=",)
#: The ABC-tier one-hot (the account's tier at the cut-off) of :func:`features`.
TIER_COLUMNS: tuple[str, ...] = ("tier=",)
#: The referral features of :func:`features` (without the funnel stage).
REFERRAL_COLUMNS: tuple[str, ...] = ("referred", "referrals_made", "pagerank", "referrer_pagerank",
                                     "referrer_conversion", "referrer_tier=")


def select_columns(names: Iterable[Any], columns: Sequence[str]) -> list[str]:
    """The names matched by a column selector, in the order of ``names``.

    Parameters
    ----------
    names : iterable of str
        The columns of a feature frame (e.g. ``X.columns``).
    columns : sequence of str
        Exact column names, or prefixes ending in ``=`` (every one-hot column of that
        categorical).

    Returns
    -------
    list of str
        The matching names, each once, in ``names``' order.

    Raises
    ------
    UnknownLabelError
        A selector entry that matches no column.

    Examples
    --------
    >>> select_columns(["stage=lead", "tier=A", "referrer_tier=A", "pagerank"], ("tier=", "pagerank"))
    ['tier=A', 'pagerank']
    """
    if isinstance(columns, str):
        raise InputTypeError(f"columns must be a sequence of names, got the string {columns!r}")
    labels = [str(n) for n in names]

    def hit(name: str, sel: str) -> bool:
        return name.startswith(sel) if sel.endswith("=") else name == sel

    missing = [sel for sel in columns if not any(hit(n, sel) for n in labels)]
    if missing:
        raise UnknownLabelError(f"no column matches {', '.join(map(repr, missing))} (columns: "
                                f"{', '.join(labels)})")
    return [n for n in labels if any(hit(n, sel) for sel in columns)]


class ColumnScorer(LeadScorer):
    """A :class:`LeadScorer` restricted to some columns of a feature frame, by name.

    It fits and predicts on the columns of ``X`` that ``columns`` selects (see
    :func:`select_columns`), so it takes the whole :func:`features` frame and can sit
    beside the all-features scorer in :func:`compare`, ``cross_val_score`` or a
    ``Pipeline``.  The fit equals a :class:`LeadScorer` fitted on ``X[columns_]``.

    Parameters
    ----------
    columns : tuple of str or None, default None
        Column names, or prefixes ending in ``=`` for a one-hot block; None uses every
        column.  Resolved against the training frame at :meth:`fit` (``columns_``).
    C, l1_ratio, fit_intercept, standardize, class_weight, max_iter, tol, threads, strict, tier_shares, tier_labels
        As :class:`LeadScorer`.

    Attributes
    ----------
    columns_ : list of str
        The columns used, in the training frame's order (``feature_names_in_``).
    coef_, intercept_, classes_, n_features_in_, feature_names_in_
        As :class:`LeadScorer`, on ``columns_`` only.

    Examples
    --------
    >>> import numpy as np, pandas as pd, funnelnet as fn
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame(rng.normal(size=(300, 3)), columns=["stage=a", "stage=b", "pagerank"])
    >>> y = (rng.random(300) < 1 / (1 + np.exp(-X["pagerank"]))).astype(int)
    >>> m = fn.scoring.ColumnScorer(("stage=",)).fit(X, y)
    >>> m.columns_, m.predict_proba(X).shape
    (['stage=a', 'stage=b'], (300, 2))
    """

    def __init__(self, columns: tuple[str, ...] | None = None, C: float | None = 1.0, *, l1_ratio: float = 0.0,
                 fit_intercept: bool = True, standardize: bool = False,
                 class_weight: str | Mapping[Any, float] | None = None,
                 max_iter: int = default("LogisticOptions", "max_iterations"),
                 tol: float = default("LogisticOptions", "tolerance"), threads: int = 0, strict: bool = False,
                 tier_shares: tuple[float, ...] = (0.1, 0.3, 0.6),
                 tier_labels: tuple[str, ...] = ("A", "B", "C")) -> None:
        super().__init__(C, l1_ratio=l1_ratio, fit_intercept=fit_intercept, standardize=standardize,
                         class_weight=class_weight, max_iter=max_iter, tol=tol, threads=threads, strict=strict,
                         tier_shares=tier_shares, tier_labels=tier_labels)
        self.columns = columns

    def _frame(self, X: Any) -> pd.DataFrame:
        if not isinstance(X, pd.DataFrame):
            raise InputTypeError(f"{type(self).__name__} picks its columns by name: X must be a DataFrame, got "
                                 f"{type(X).__name__}")
        return X

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> Self:
        """Fit on the selected columns of X and binary labels y.

        Parameters
        ----------
        X : DataFrame of shape (n, p)
            A feature frame (e.g. :func:`features`); only the selected columns are used.
        y : array-like of shape (n,)
            Two classes.
        sample_weight : array-like of shape (n,), optional
            Finite and >= 0.

        Returns
        -------
        ColumnScorer
            self, fitted; ``columns_`` holds the columns used.

        Raises
        ------
        InputTypeError
            X is not a DataFrame.
        UnknownLabelError
            A selector entry matches no column of X.
        """
        frame = self._frame(X)
        cols = [str(c) for c in frame.columns] if self.columns is None else select_columns(frame.columns,
                                                                                            self.columns)
        if not cols:
            raise InvalidArgumentError("ColumnScorer: X has no columns")
        sub = frame[cols] if self.columns is not None else frame
        super().fit(sub, y, sample_weight)
        self.columns_ = cols
        return self

    def _check_X(self, X: Any) -> Any:
        cols = getattr(self, "columns_", None)
        if cols is not None:
            frame = self._frame(X)
            absent = [c for c in cols if c not in frame.columns]
            if absent:
                raise UnknownLabelError(f"X lacks the columns {', '.join(map(repr, absent))} the "
                                        f"{type(self).__name__} was fitted on")
            X = frame[cols]
        return super()._check_X(X)


def _column_baseline(columns: tuple[str, ...], params: dict[str, Any]) -> ColumnScorer:
    """A :class:`ColumnScorer` on ``columns`` with the given :class:`LeadScorer` parameters.

    Parameters
    ----------
    columns : tuple of str
        The baseline's column selector.
    params : dict
        :class:`LeadScorer` parameters; ``columns`` is refused (the baseline fixes it).

    Returns
    -------
    ColumnScorer
        Unfitted.
    """
    if "columns" in params:
        raise InvalidArgumentError(f"a baseline fixes its columns ({columns!r}): use ColumnScorer(columns=...) "
                                   "for another selection")
    return ColumnScorer(columns, **params)


def stage_baseline(**params: Any) -> ColumnScorer:
    """The funnel-stage baseline: a :class:`ColumnScorer` on the ``stage=`` one-hot.

    Parameters
    ----------
    **params
        :class:`LeadScorer` parameters (``C``, ``class_weight``, ...).

    Returns
    -------
    ColumnScorer
        Unfitted, ``columns=STAGE_COLUMNS``.

    Examples
    --------
    >>> stage_baseline(C=10.0)
    ColumnScorer(columns=('stage=',), C=10.0)
    """
    return _column_baseline(STAGE_COLUMNS, params)


def tier_baseline(**params: Any) -> ColumnScorer:
    """The ABC-tier baseline: a :class:`ColumnScorer` on the ``tier=`` one-hot (the
    account's tier at the cut-off; not ``referrer_tier=``).

    Parameters
    ----------
    **params
        :class:`LeadScorer` parameters (``C``, ``class_weight``, ...).

    Returns
    -------
    ColumnScorer
        Unfitted, ``columns=TIER_COLUMNS``.

    Examples
    --------
    >>> tier_baseline().columns
    ('tier=',)
    """
    return _column_baseline(TIER_COLUMNS, params)


def referral_baseline(**params: Any) -> ColumnScorer:
    """The referral-aware model: a :class:`ColumnScorer` on the funnel stage and the
    referral features (``referred``, ``referrals_made``, ``pagerank``,
    ``referrer_pagerank``, ``referrer_conversion``, ``referrer_tier=``).

    Parameters
    ----------
    **params
        :class:`LeadScorer` parameters (``C``, ``class_weight``, ...).

    Returns
    -------
    ColumnScorer
        Unfitted, ``columns=STAGE_COLUMNS + REFERRAL_COLUMNS``.

    Examples
    --------
    >>> referral_baseline().columns
    ('stage=', 'referred', 'referrals_made', 'pagerank', 'referrer_pagerank', 'referrer_conversion', 'referrer_tier=')
    """
    return _column_baseline(STAGE_COLUMNS + REFERRAL_COLUMNS, params)


def baselines(**params: Any) -> dict[str, LeadScorer]:
    """The scorers of a lead-scoring comparison: all features and the three baselines.

    Parameters
    ----------
    **params
        :class:`LeadScorer` parameters given to every scorer (``C``, ...).

    Returns
    -------
    dict of str -> LeadScorer
        ``all`` (a :class:`LeadScorer` on every column), ``stage``, ``tier`` and
        ``referral`` (:func:`stage_baseline`, :func:`tier_baseline`,
        :func:`referral_baseline`); pass it, with any scikit-learn classifier added, to
        :func:`compare` with the full :func:`features` frame.

    Examples
    --------
    Each closed lead of the synthetic company scored 30 days after its start:

    >>> import pandas as pd, funnelnet as fn
    >>> crm = fn.datasets.synthetic_crm(n_accounts=600, seed=1)
    >>> L = crm.leads[crm.leads["outcome"] != "open"]
    >>> X = fn.scoring.features(crm, cutoff=L["start"] + pd.Timedelta(days=30))
    >>> y = (L.loc[X.index, "outcome"] == "won").astype(int)
    >>> c = fn.scoring.compare(fn.scoring.baselines(C=0.01, standardize=True), X, y, replicates=100)
    >>> c.folds.groupby("scorer")["roc_auc"].mean().round(2).to_dict()
    {'all': 0.81, 'referral': 0.79, 'stage': 0.79, 'tier': 0.65}
    """
    return {"all": LeadScorer(**params), "stage": stage_baseline(**params), "tier": tier_baseline(**params),
            "referral": referral_baseline(**params)}
