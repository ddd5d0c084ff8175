"""The client toolkit: from a spreadsheet to merged results, against any Batch API.

One module per step, each usable from Python and behind a `batchyard` command:
prepare (rows -> requests), split (limits), submit (upload + create, resumable),
watch (progress), collect (merge in input order), retry (failed, missing,
expired lines), cost (estimate and actual), cleanup (server files). The manifest
is the job's memory: every step reads it and records what it did before moving
on, so any step can be killed and run again.
"""
