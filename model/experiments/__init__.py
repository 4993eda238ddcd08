"""Experiments: files, designs, the one executor, the results store, measures, comparison
and sensitivity."""
