"""Rule sets as data (see engine.py for the file format).

    from core import rules
    r = rules.get("publication.finance_interval_days", province="500000", on=day)
    r.value, str(r.citation)      # 31, 《中华人民共和国村民委员会组织法》（2018年修正）第三十条
"""
from .engine import (
    NATIONAL,
    Citation,
    Rule,
    RuleBook,
    RuleFileError,
    RuleNotFound,
    book,
    get,
    in_force,
    province_of,
    use,
)

__all__ = ["NATIONAL", "Citation", "Rule", "RuleBook", "RuleFileError", "RuleNotFound", "book", "get", "in_force",
           "province_of", "use"]
