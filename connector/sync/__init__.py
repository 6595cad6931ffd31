"""Sync to Jira: the worker that pushes the outbox (`connector.practice.outbox`) to each site.

`connector.sync.worker.drain_outbox(app)` pushes what is due (`icm worker` calls it in its loop):
goals become epics, expectations their children, cross-team links issue links, all in bulk.
"""
