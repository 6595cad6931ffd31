"""gunicorn settings for `make run` and production; command-line flags override them."""

import gc

wsgi_app = "connector:create_app()"
accesslog = "-"


# Once a worker has loaded the app, move its ~130k start-up objects out of the collector's reach:
# otherwise a full collection walks them all and costs 70-120 ms on a random request
# (bench/bench_macro_routes.py measures both).
def post_worker_init(worker):
    gc.freeze()
