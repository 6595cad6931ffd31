"""gunicorn settings for `make run` and production; command-line flags override them."""

import gc

wsgi_app = "connector:create_app()"
accesslog = "-"
# The path without its query: pages and macros are loaded with `?jwt=<context token>`, and a query
# may carry an accountId. No Referer either (it holds the product page's URL, with its own query).
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(L)s "%(a)s"'


# Once a worker has loaded the app, move its ~130k start-up objects out of the collector's reach:
# otherwise a full collection walks them all on a random request (53-118 ms measured here;
# bench/bench_macro_routes.py prints it and measures both heaps).
def post_worker_init(worker):
    gc.freeze()
