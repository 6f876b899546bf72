# Type stubs for funnelnet._core.datasets (the synthetic CRM generator's columns).
from typing import Any, Callable

def synthetic_crm(knobs: dict[str, Any], progress: Callable[[int, int], bool] | None = None) -> dict[str, Any]: ...
