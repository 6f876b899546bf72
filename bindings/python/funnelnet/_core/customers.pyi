# Type stubs for funnelnet._core.customers.
