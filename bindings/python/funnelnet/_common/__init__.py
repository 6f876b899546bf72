"""Private helpers shared by every area of the package (not public API).

- :mod:`.convert`: pandas/numpy columns to typed contiguous arrays, with errors that
  name the row (``as_array``, ``encode_labels``, ``ids_as_int64``, ``require_columns``).
- :mod:`.time`: the one time rule (time zones, periods, numbers) used by every area.
- :mod:`.options`: small argument helpers (``choice``, ``pick``, tqdm progress).
- :mod:`.deprecation`: renamed parameters and moved modules.
- :mod:`.results`: :class:`~.results.Result`, the base of the typed result objects.
- :mod:`.estimator`: ``fit_method``, 0.1's class-method fit spelling kept with a warning.
- :mod:`.persist`: model files (``JsonModel``: ``to_json``/``save``/``load`` through the
  C++ JSON; ``load_model``, dispatching on the C++ kind registry; ``write_atomic``).

Areas import from here and never from each other's private names.
"""
