"""gunicorn settings for `make run` and production; command-line flags override them.

Threads (gthread): the webhook intake commits concurrent deliveries together (group commit,
`webhooks.committer`), which needs several requests in flight per process, and gthread keeps
connections alive where sync workers close each one. ICM_WORKERS / ICM_THREADS override the
counts; ICM_ACCESS_LOG=- turns gunicorn's access log (one record per request) back on.
"""

import gc
import os

wsgi_app = "connector:create_app()"
worker_class = "gthread"
workers = int(os.environ.get("ICM_WORKERS", "2"))
threads = int(os.environ.get("ICM_THREADS", "16"))
keepalive = 5
accesslog = os.environ.get("ICM_ACCESS_LOG") or None
# The path without its query: pages and macros are loaded with `?jwt=<context token>`, and a query
# may carry an accountId. No Referer either (it holds the product page's URL, with its own query).
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(L)s "%(a)s"'


# Once a worker has loaded the app, move its ~130k start-up objects out of the collector's reach:
# otherwise a full collection walks them all on a random request (53-118 ms measured here;
# bench/bench_macro_routes.py prints it and measures both heaps).
def post_worker_init(worker):
    gc.freeze()
