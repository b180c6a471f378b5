"""Search: the engine, the collections it searches, the query plan, the only parameter validators
(filters), fusion and its weighting rules, typed results, the record catalog.

Public face: `SearchEngine`, `Collection`, `QueryPlan`, `Filters`, `parse_filters`, `Catalog`,
`Ranking`, `SearchResponse`.
"""

from indexer.search.catalog import Catalog
from indexer.search.collection import Collection, collection_labels
from indexer.search.engine import FUSION, SearchEngine
from indexer.search.filters import MODES, Filters, parse_filters
from indexer.search.fusion import Candidates
from indexer.search.large_collection import LargeCollection
from indexer.search.plan import QueryPlan
from indexer.search.records_collection import RecordCollection
from indexer.search.results import RankInfo, Ranking, SearchResponse, result_dict

__all__ = ["SearchEngine", "FUSION", "MODES", "Filters", "parse_filters", "Catalog", "RankInfo", "Ranking",
           "SearchResponse", "result_dict", "Collection", "collection_labels", "Candidates", "QueryPlan",
           "RecordCollection", "LargeCollection"]
