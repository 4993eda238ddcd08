"""The four policies, each switched on or off in the scenario with its parameters."""

from __future__ import annotations

from model.mechanisms.contracts import EnterpriseContractParams
from model.mechanisms.coop_shares import CoopShareParams
from model.mechanisms.ecommerce import LivestreamParams
from model.mechanisms.pooling import LandPoolingParams
from model.params import Section


class PolicyParams(Section):
    """Policy switches and parameters."""

    land_pooling: LandPoolingParams = LandPoolingParams()
    coop_shares: CoopShareParams = CoopShareParams()
    enterprise_contracts: EnterpriseContractParams = EnterpriseContractParams()
    livestream_training: LivestreamParams = LivestreamParams()
