"""Policy design: proposing alliance groupings and modes (``jointvillage design``).

One concept per module, in the order a search uses them::

    space (pool, encoding, repair) -> objectives (measures, constraints)
    -> feasibility (what the county cannot meet, before any run; what no screened
       grouping met, before the final runs)
    -> candidates (alliance files, scenarios) -> screening (short runs through execute)
    -> surrogate (random forests of the screening measures, optional)
    -> search (pymoo GA / NSGA-II) -> final (full runs against the programme's grouping)
    -> gains (each measure's gain with a paired interval)
    -> propose (the whole search) -> output (alliance file, gains, Pareto front)
"""
