"""jointvillage: an agent-based model of cross-village joint building (跨村联建).

The package ``model`` holds the Mesa model and everything that drives it (scenario schema,
county builder, alliance formation, economic mechanisms, metrics, batch engine, CLI); the
package ``agents`` holds the agent classes.
"""

__version__ = "0.1.0"
