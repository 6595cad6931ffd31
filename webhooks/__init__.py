"""The durable webhook inbox: intake, handlers per event, the worker, reconciliation, and the
parked-delivery admin routes."""
