"""The four policies, each switched on or off in the scenario with its parameters."""

from __future__ import annotations

from model.cooperatives import CoopShareParams
from model.ecommerce import LivestreamParams
from model.enterprises import EnterpriseContractParams
from model.params import Section
from model.pooling import LandPoolingParams


class PolicyParams(Section):
    """Policy switches and parameters."""

    land_pooling: LandPoolingParams = LandPoolingParams()
    coop_shares: CoopShareParams = CoopShareParams()
    enterprise_contracts: EnterpriseContractParams = EnterpriseContractParams()
    livestream_training: LivestreamParams = LivestreamParams()
