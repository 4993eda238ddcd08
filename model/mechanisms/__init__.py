"""The model's mechanisms, one module each (farming, labour, pooling, cooperatives ...).

A mechanism is a class built with the model (``Mechanism(model)``); it keeps its own state,
reads its parameters from ``model.config``, pays through ``model.accounts`` and reaches
everything else through ``self.model``. Its schedule steps are methods without arguments
(the month is ``model.month``), listed in :meth:`model.jointmodel.JointVillageModel.month_steps`.
"""
