"""Each operator, on each kind of field, in three-valued logic: durable-rules and the Python
explanation give the same outcome, and that outcome is the expected one."""

from __future__ import annotations

import pytest

from elig.decide import logic
from elig.decide.durable import DurableMatcher, available
from elig.models import Condition, Profile
from elig.profiles import resolve

C = Condition
CASES = [
    # (condition, profile, expected outcome)
    (C(field="org_type", op="in", values=("企业",), quote="q"), {"org_type": "企业"}, "met"),
    (C(field="org_type", op="in", values=("企业",), quote="q"), {"org_type": "高校"}, "unmet"),
    (C(field="org_type", op="in", values=("企业",), quote="q"), {}, "unknown"),
    (C(field="org_type", op="in", values=("科研院所",), quote="q"), {"org_type": "新型研发机构"}, "met"),
    (C(field="org_type", op="not_in", values=("个人",), quote="q"), {"org_type": "企业"}, "met"),
    (C(field="org_type", op="not_in", values=("个人",), quote="q"), {"org_type": "个人"}, "unmet"),
    (C(field="org_type", op="not_in", values=("个人",), quote="q"), {}, "unknown"),
    (C(field="org_type", op="known", quote="q"), {"org_type": "企业"}, "met"),
    (C(field="org_type", op="known", quote="q"), {}, "unknown"),
    # among: an open list (高校、科研院所等) — the kinds named are met, any other may be meant
    (C(field="org_type", op="among", values=("高校", "科研院所"), quote="q"), {"org_type": "新型研发机构"}, "met"),
    (C(field="org_type", op="among", values=("高校", "科研院所"), quote="q"), {"org_type": "银行"}, "unknown"),
    (C(field="org_type", op="among", values=("高校", "科研院所"), quote="q"), {}, "unknown"),
    (C(field="sectors", op="among", values=("人工智能",), quote="q"), {"sectors": ["6G"]}, "unknown"),
    (C(field="sectors", op="among", values=("人工智能",), quote="q"), {"sectors": ["具身智能"]}, "met"),
    (C(field="location", op="in", values=("北京市",), quote="q"), {"location": {"district": "海淀区"}}, "met"),
    (C(field="location", op="in", values=("京津冀",), quote="q"), {"location": {"province": "天津市"}}, "met"),
    (C(field="location", op="in", values=("北京市",), quote="q"), {"location": {"province": "上海市"}}, "unmet"),
    (C(field="location", op="in", values=("北京市",), quote="q"), {"location": {"zones": ["中关村示范区"]}}, "met"),
    (C(field="location", op="not_in", values=("境外",), quote="q"), {"location": {"province": "北京市"}}, "met"),
    # known only at a coarser level than the rule asks: the finer fact would decide
    (C(field="location", op="in", values=("中心城区",), quote="q"), {"location": {"province": "北京市"}}, "unknown"),
    (C(field="location", op="in", values=("中心城区",), quote="q"),
     {"location": {"province": "北京市", "district": "昌平区"}}, "unmet"),
    (C(field="location", op="not_in", values=("中心城区",), quote="q"), {"location": {"province": "北京市"}}, "unknown"),
    (C(field="location", op="not_in", values=("中心城区",), quote="q"), {"location": {"district": "昌平区"}}, "met"),
    (C(field="org_type", op="in", values=("国家实验室",), quote="q"), {"org_type": "科研院所"}, "unknown"),
    (C(field="zones", op="any_of", values=("中关村海淀园",), quote="q"), {"location": {"zones": ["中关村示范区"]}},
     "unknown"),
    (C(field="sectors", op="all_of", values=("人工智能", "集成电路"), quote="q"), {"sectors": ["新一代信息技术"]},
     "unknown"),
    (C(field="sectors", op="all_of", values=("人工智能", "集成电路"), quote="q"), {"sectors": ["人工智能", "疫苗"]},
     "unmet"),
    (C(field="zones", op="any_of", values=("中关村示范区",), quote="q"),
     {"location": {"zones": ["中关村海淀园"]}}, "met"),
    # zones are an open list: naming none, or another, leaves a zone unknown unless not_zones or the place rule it out
    (C(field="zones", op="any_of", values=("中关村示范区",), quote="q"), {"location": {"zones": []}}, "unknown"),
    (C(field="zones", op="any_of", values=("中关村示范区",), quote="q"),
     {"location": {"zones": ["北京经济技术开发区"]}}, "unknown"),
    (C(field="zones", op="any_of", values=("中关村示范区",), quote="q"),
     {"location": {"not_zones": ["中关村示范区"]}}, "unmet"),
    (C(field="zones", op="any_of", values=("中关村海淀园",), quote="q"),
     {"location": {"district": "通州区", "zones": ["城市副中心"]}}, "unmet"),
    (C(field="zones", op="any_of", values=("中关村示范区",), quote="q"), {"location": {"province": "天津市"}}, "unmet"),
    (C(field="zones", op="not_in", values=("中关村示范区",), quote="q"), {"location": {"province": "天津市"}}, "met"),
    (C(field="zones", op="all_of", values=("中关村示范区", "三城一区"), quote="q"),
     {"location": {"zones": ["中关村海淀园", "中关村科学城"]}}, "met"),
    (C(field="zones", op="any_of", values=("中关村示范区",), quote="q"),
     {"location": {"province": "北京市", "district": "海淀区"}}, "unknown"),
    (C(field="sectors", op="all_of", values=("人工智能", "集成电路"), quote="q"),
     {"sectors": ["通用人工智能", "集成电路"]}, "met"),
    (C(field="sectors", op="all_of", values=("人工智能", "集成电路"), quote="q"), {"sectors": ["集成电路"]}, "unmet"),
    (C(field="sectors", op="all_of", values=("人工智能", "集成电路"), quote="q"), {}, "unknown"),
    (C(field="sectors", op="not_in", values=("医药健康",), quote="q"), {"sectors": ["疫苗"]}, "unmet"),
    (C(field="sectors", op="not_in", values=("医药健康",), quote="q"), {"sectors": ["6G"]}, "met"),
    # 人工智能 may be 具身智能, which is a 未来产业: the finer sector would decide
    (C(field="sectors", op="any_of", values=("未来产业",), quote="q"), {"sectors": ["人工智能"]}, "unknown"),
    (C(field="sectors", op="not_in", values=("未来产业",), quote="q"), {"sectors": ["人工智能"]}, "unknown"),
    (C(field="sectors", op="any_of", values=("未来产业",), quote="q"), {"sectors": ["医疗器械"]}, "unmet"),
    (C(field="tags", op="any_of", values=("国家高新技术企业", "中关村高新技术企业"), quote="q"),
     {"tags": ["中关村高新技术企业"]}, "met"),
    (C(field="tags", op="any_of", values=("国家高新技术企业", "中关村高新技术企业"), quote="q"),
     {"not_tags": ["国家高新技术企业"]}, "unknown"),
    (C(field="tags", op="any_of", values=("国家高新技术企业", "中关村高新技术企业"), quote="q"),
     {"not_tags": ["国家高新技术企业", "中关村高新技术企业"]}, "unmet"),
    (C(field="tags", op="any_of", values=("专精特新中小企业",), quote="q"), {"tags": ["小巨人"]}, "met"),
    (C(field="tags", op="any_of", values=("专精特新“小巨人”",), quote="q"),
     {"not_tags": ["专精特新中小企业"]}, "unmet"),   # not holding the parent rules out the child
    (C(field="tags", op="all_of", values=("博士", "外籍人才"), quote="q"), {"tags": ["博士", "外籍人才"]}, "met"),
    (C(field="tags", op="all_of", values=("博士", "外籍人才"), quote="q"), {"tags": ["博士"]}, "unknown"),
    (C(field="tags", op="all_of", values=("博士", "外籍人才"), quote="q"),
     {"tags": ["博士"], "not_tags": ["外籍人才"]}, "unmet"),
    (C(field="tags", op="not_in", values=("独角兽企业",), quote="q"), {"tags": ["独角兽企业"]}, "unmet"),
    (C(field="tags", op="not_in", values=("独角兽企业",), quote="q"), {"not_tags": ["独角兽企业"]}, "met"),
    (C(field="tags", op="not_in", values=("独角兽企业",), quote="q"), {}, "unknown"),
]


@pytest.fixture(scope="module")
def matcher():
    if not available():
        pytest.skip("durable-rules does not import here: the compiled evaluator decides (it evaluates "
                    "conditions with engine/decide/logic.py, tested below)")
    return DurableMatcher({str(i): (cond,) for i, (cond, _, _) in enumerate(CASES)})


IDS = [f"{c.field}-{c.op}-{o}-{i}" for i, (c, _, o) in enumerate(CASES)]


@pytest.mark.parametrize(("index", "case"), list(enumerate(CASES)), ids=IDS)
def test_operator_in_python(checker, index, case):
    cond, profile, expected = case
    facts = resolve(Profile.model_validate(profile), checker.base.taxonomy)
    assert logic.evaluate(cond, facts) == expected


@pytest.mark.parametrize(("index", "case"), list(enumerate(CASES)), ids=IDS)
def test_operator_in_durable_rules(checker, matcher, index, case):
    _, profile, expected = case
    facts = resolve(Profile.model_validate(profile), checker.base.taxonomy)
    assert matcher.outcomes(facts)[str(index)] == expected


def test_kleene_and_or():
    assert logic.all_of(["met", "unknown"]) == "unknown"
    assert logic.all_of(["met", "unknown", "unmet"]) == "unmet"
    assert logic.all_of(["met", "met"]) == "met"
    assert logic.any_of(["unmet", "unknown"]) == "unknown"
    assert logic.any_of(["unmet", "met"]) == "met"
    assert logic.any_of(["unmet", "unmet"]) == "unmet"


def test_operator_misuse_is_rejected():
    with pytest.raises(ValueError, match="use any_of"):
        Condition(field="sectors", op="in", values=("人工智能",), quote="q")
    with pytest.raises(ValueError, match="needs at least one value"):
        Condition(field="org_type", op="in", values=(), quote="q")
