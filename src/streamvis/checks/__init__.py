"""Input grammars: strict JSON checks, the plot grammar, the `--where` text."""
