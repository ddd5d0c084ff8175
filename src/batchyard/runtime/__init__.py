"""The processes batchyard runs as: `serve` (API and engine), `worker` (engine only), `run`.

`serve.py` builds a process's services (store, blobs, backends, engine) and
runs the long-lived ones; `run.py` takes one file to completion in-process,
resumably, for `batchyard run`. The CLI is their only caller.
"""
