"""Where runs execute: one module per backend, behind
:class:`model.experiments.evaluate.Evaluator`."""
