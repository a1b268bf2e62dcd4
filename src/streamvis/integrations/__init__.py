"""Framework integrations: a logger or callback per training framework, each an optional
extra (`pip install 'streamvis[lightning]'`, `[transformers]`, `[keras]`) and each a thin
layer over `streamvis.init` (quick.py), so every framework's metrics land in the same
shape (docs/compat.md, "Framework callbacks"; decision 0022):

- metrics: each metric key is a series of its own (the key, after the framework's
  grouping), with the fields `step` and the key's last part, as a `float` — always a
  float, so one metric name means one field type on a shared server, whichever
  framework logged it first;
- hyperparameters and arguments: `config.*` run attributes (`logger.log_config`);
- checkpoints (opt-in): run artifacts (`logger.save`).

Nothing here is imported by `import streamvis`: each module imports its framework, and
is imported only by a user who names it.
"""
