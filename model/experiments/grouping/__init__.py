"""Policy design: proposing alliance groupings and modes (``jointvillage design``).

One concept per module, in the order a search uses them::

    space (pool, encoding, repair) -> objectives (measures, constraints)
    -> candidates (alliance files, scenarios) -> screening (short runs through execute)
    -> search (pymoo GA / NSGA-II) -> final (full runs against the programme's grouping)
    -> propose (the whole search) -> output (alliance file, gains, Pareto front)
"""
