# Type stubs for funnelnet._core.attribution.
