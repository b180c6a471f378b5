"""Search: the engine, the only parameter validators (filters), fusion, typed results, the record catalog.

Public face: `SearchEngine`, `Filters`, `parse_filters`, `Catalog`, `Ranking`, `SearchResponse`.
"""

from indexer.search.catalog import Catalog
from indexer.search.engine import FUSION, SearchEngine
from indexer.search.filters import MODES, Filters, parse_filters
from indexer.search.results import RankInfo, Ranking, SearchResponse, result_dict

__all__ = ["SearchEngine", "FUSION", "MODES", "Filters", "parse_filters", "Catalog", "RankInfo", "Ranking",
           "SearchResponse", "result_dict"]
