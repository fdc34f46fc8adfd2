"""One SQL repository class per repository port."""

from adapters.storage.repositories.bindings import SqlBindingRepository
from adapters.storage.repositories.endpoints import SqlEndpointRepository
from adapters.storage.repositories.keys import SqlKeyRepository
from adapters.storage.repositories.limits import SqlLimitRepository
from adapters.storage.repositories.model_definitions import SqlModelDefinitionRepository
from adapters.storage.repositories.revision import SqlConfigRevision
from adapters.storage.repositories.scorers import SqlScorerRepository
from adapters.storage.repositories.secrets import SqlKekRepository, SqlSecretRepository
from adapters.storage.repositories.usage import SqlUsageRepository

__all__ = [
    "SqlBindingRepository",
    "SqlConfigRevision",
    "SqlEndpointRepository",
    "SqlKekRepository",
    "SqlKeyRepository",
    "SqlLimitRepository",
    "SqlModelDefinitionRepository",
    "SqlScorerRepository",
    "SqlSecretRepository",
    "SqlUsageRepository",
]
