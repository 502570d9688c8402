"""The vocabularies: names users write resolve to entries; the hierarchy closes upward."""

from __future__ import annotations

import pytest

from elig.errors import EligError
from elig.models import Profile
from elig.profiles import resolve


@pytest.mark.parametrize(("field", "written", "entry"), [
    ("org_type", "高等学校", "高校"),
    ("org_type", "University", "高校"),
    ("org_type", "醫院", "医院"),                    # traditional
    ("org_type", "创投机构", "投资机构"),
    ("location", "Haidian", "海淀区"),
    ("location", "在京", "北京市"),
    ("zones", "中關村國家自主創新示範區", "中关村示范区"),  # traditional alias
    ("zones", "经开区", "北京经济技术开发区"),
    ("tags", "专精特新小巨人", "专精特新“小巨人”"),       # without the quotation marks
    ("tags", "專精特新「小巨人」", "专精特新“小巨人”"),
    ("tags", "三甲医院", "三级甲等医院"),
    ("ownership", "省（市）属国有企业", "省(市)属国有企业"),  # full-width brackets
    ("sectors", "AR/VR", "虚拟现实"),
    ("size", "small", "小型"),
])
def test_names_resolve(checker, field, written, entry):
    assert checker.base.taxonomy.resolve(field, written) == entry


@pytest.mark.parametrize(("field", "entry", "ancestor"), [
    ("location", "海淀区", "北京市"),
    ("location", "海淀区", "京津冀"),
    ("location", "雄安新区", "京津冀"),
    ("sectors", "人形机器人", "智能装备"),
    ("sectors", "人形机器人", "未来产业"),
    ("sectors", "人工智能", "高精尖产业"),
    ("zones", "中关村海淀园", "中关村示范区"),
    ("tags", "专精特新“小巨人”", "专精特新中小企业"),
    ("org_type", "孵化器", "科技服务机构"),
])
def test_hierarchy_upward(checker, field, entry, ancestor):
    assert ancestor in checker.base.taxonomy.up(field, entry)


@pytest.mark.parametrize(("field", "entry", "not_ancestor"), [
    ("location", "上海市", "京津冀"),
    ("location", "海淀区", "天津市"),
    ("zones", "北京经济技术开发区", "中关村示范区"),   # zones are planned areas, not implied
    ("sectors", "人工智能", "未来产业"),
])
def test_hierarchy_does_not_overreach(checker, field, entry, not_ancestor):
    assert not_ancestor not in checker.base.taxonomy.up(field, entry)


def test_unknown_value_suggests_the_closest(checker):
    with pytest.raises(EligError) as err:
        checker.base.taxonomy.resolve("org_type", "高效")
    assert "unknown value '高效'" in str(err.value)
    assert "did you mean" in str(err.value) and "高校" in str(err.value)


@pytest.mark.parametrize(("location", "held", "ruled_out", "open"), [
    ({"province": "天津市"}, set(), {"中关村示范区", "中关村海淀园", "北京经济技术开发区"}, set()),  # no Beijing zone lies in Tianjin
    ({"province": "境外"}, set(), {"中关村示范区", "城市副中心"}, set()),
    ({"province": "北京市", "district": "海淀区"}, set(), {"中关村昌平园", "中关村通州园"},
     {"中关村示范区", "中关村海淀园", "中关村科学城"}),  # may or may not be in them
    ({"province": "北京市"}, set(), set(), {"中关村示范区", "中关村海淀园"}),
    # zones are an open list: a firm in 通州 naming only 城市副中心 may still be in 中关村通州园
    ({"province": "北京市", "district": "通州区", "zones": ["城市副中心"]}, {"城市副中心"}, {"中关村海淀园"},
     {"中关村示范区", "中关村通州园"}),
    # the E-Town overlaps 中关村大兴-亦庄园 without lying inside 中关村示范区: naming it decides neither
    ({"zones": ["北京经济技术开发区"]}, {"北京经济技术开发区", "三城一区"}, set(),
     {"中关村示范区", "中关村大兴-亦庄园"}),
    ({"zones": ["中关村海淀园"], "not_zones": ["中关村科学城"]}, {"中关村海淀园", "中关村示范区"}, {"中关村科学城"},
     {"怀柔科学城"}),
])
def test_zones_listed_are_held_ruled_out_by_place_or_not_zones_else_unknown(checker, location, held, ruled_out,
                                                                            open):
    facts = resolve(Profile(org_type="企业", location=location), checker.base.taxonomy)
    assert held == set(facts.held["zones"])
    assert ruled_out <= facts.not_held["zones"]
    assert not open & (facts.held["zones"] | facts.not_held["zones"])


def test_a_zone_outside_the_stated_district_is_a_clear_error(checker):
    with pytest.raises(EligError) as err:
        resolve(Profile(location={"district": "朝阳区", "zones": ["中关村海淀园"]}), checker.base.taxonomy)
    assert "location.zones '中关村海淀园' lies in '海淀区', not in '朝阳区'" in str(err.value)
    with pytest.raises(EligError) as err:
        resolve(Profile(location={"zones": ["中关村海淀园"], "not_zones": ["中关村示范区"]}), checker.base.taxonomy)
    assert "location.zones and location.not_zones contradict each other on 中关村海淀园" in str(err.value)


def test_an_org_type_rules_out_the_tags_it_cannot_hold(checker):
    bank = resolve(Profile(org_type="银行"), checker.base.taxonomy)
    assert {"外资研发中心", "外籍人才", "双一流建设高校"} <= bank.not_held["tags"]
    person = resolve(Profile(org_type="个人"), checker.base.taxonomy)
    assert "外籍人才" not in person.not_held["tags"] and "独角兽企业" in person.not_held["tags"]
    unknown = resolve(Profile(), checker.base.taxonomy)
    assert not unknown.not_held["tags"]


def test_a_tag_its_org_type_cannot_hold_is_a_clear_error(checker):
    with pytest.raises(EligError) as err:
        resolve(Profile(org_type="个人", tags=["国家高新技术企业"]), checker.base.taxonomy)
    assert "tag '国家高新技术企业' is held only by 企业" in str(err.value)


@pytest.mark.parametrize(("written", "entry", "above", "not_above"), [
    ("区属国企", "区(县)属国有企业", {"地方国有企业", "国有", "区(县)属"}, {"省(市)属国有企业", "市属国有企业"}),
    ("地方国企", "地方国有企业", {"国有"}, {"省(市)属国有企业", "区(县)属国有企业"}),
    ("市属国企", "市属国有企业", {"省(市)属国有企业", "地方国有企业", "国有"}, {"中央企业"}),
])
def test_each_soe_level_keeps_its_own_level(checker, written, entry, above, not_above):
    taxonomy = checker.base.taxonomy
    assert taxonomy.resolve("ownership", written) == entry
    assert above <= taxonomy.up("ownership", entry) and not not_above & taxonomy.up("ownership", entry)


def test_a_district_soe_is_not_taken_for_a_municipal_one(checker):
    from elig.decide import logic
    from elig.models import Condition

    facts = resolve(Profile(org_type="企业", ownership="区属国企"), checker.base.taxonomy)
    municipal = Condition(field="ownership", op="in", values=("市属国有企业",), quote="q")
    local = Condition(field="ownership", op="in", values=("地方国有企业",), quote="q")
    assert (logic.evaluate(municipal, facts), logic.evaluate(local, facts)) == ("unmet", "met")
    vague = resolve(Profile(org_type="企业", ownership="地方国企"), checker.base.taxonomy)
    assert logic.evaluate(municipal, vague) == "unknown"  # a local SOE may be municipal or district-level
