# Type stubs for funnelnet._core.graph.
