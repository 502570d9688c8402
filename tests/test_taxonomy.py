"""The vocabularies: names users write resolve to entries; the hierarchy closes upward."""

from __future__ import annotations

import pytest

from engine.errors import EligError
from engine.models import Profile
from engine.profiles import resolve


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


@pytest.mark.parametrize(("location", "zones"), [
    ({"province": "天津市"}, frozenset()),           # no Beijing zone lies in Tianjin
    ({"province": "境外"}, frozenset()),
    ({"province": "北京市", "district": "海淀区"}, None),  # may or may not be in 中关村示范区
    ({"province": "北京市"}, None),
])
def test_a_place_outside_every_zone_rules_the_zones_out(checker, location, zones):
    facts = resolve(Profile(org_type="企业", location=location), checker.base.taxonomy)
    assert facts.known["zones"] == zones


def test_an_org_type_rules_out_the_tags_it_cannot_hold(checker):
    bank = resolve(Profile(org_type="银行"), checker.base.taxonomy)
    assert {"外资研发中心", "外籍人才", "双一流建设高校"} <= bank.not_held
    person = resolve(Profile(org_type="个人"), checker.base.taxonomy)
    assert "外籍人才" not in person.not_held and "独角兽企业" in person.not_held
    unknown = resolve(Profile(), checker.base.taxonomy)
    assert not unknown.not_held


def test_a_tag_its_org_type_cannot_hold_is_a_clear_error(checker):
    with pytest.raises(EligError) as err:
        resolve(Profile(org_type="个人", tags=["国家高新技术企业"]), checker.base.taxonomy)
    assert "tag '国家高新技术企业' is held only by 企业" in str(err.value)
