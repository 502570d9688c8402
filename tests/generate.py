"""Random applicant profiles drawn from the vocabularies, for tests that compare engines or look
for crashes: values known or left out, tags held, known absent or unknown, sometimes
contradictory (a tag both held and not held: such draws are skipped where facts are needed).
And rows shaped like a business-registry export (`registry_rows`), for the screening tests and
bench/screen.py."""

from __future__ import annotations

import random
from collections.abc import Iterator

from elig.errors import EligError
from elig.models import Profile
from elig.profiles import Facts, resolve
from elig.taxonomy import Taxonomy


def random_profiles(taxonomy: Taxonomy, n: int, seed: int = 7, spellings: bool = False) -> Iterator[dict]:
    """`n` profile dicts; with `spellings`, values are sometimes written by an alias or in English,
    and districts are drawn within their province."""
    rnd = random.Random(seed)

    def pick(field: str) -> str:
        entry = rnd.choice(sorted(taxonomy.vocab(field).entries))
        return spell(field, entry)

    def spell(field: str, entry: str) -> str:
        if not spellings or rnd.random() < 0.7:
            return entry
        found = taxonomy.vocab(field).entries[entry]
        return rnd.choice([found.en, *found.aliases])

    def maybe(value):
        return value if rnd.random() < 0.75 else None

    for _ in range(n):
        org_type = maybe(rnd.choice(sorted(taxonomy.vocab("org_type").entries)))
        can = taxonomy.up("org_type", org_type) if org_type else None
        holdable = sorted(t.id for t in taxonomy.vocab("tags").entries.values()
                          if can is None or not t.holders or can & set(t.holders))
        tags = sorted({rnd.choice(holdable) for _ in range(rnd.randint(0, 4))})
        not_tags = sorted({rnd.choice(sorted(taxonomy.vocab("tags").entries)) for _ in range(rnd.randint(0, 3))}
                          - set(tags))
        location = maybe({"province": maybe(pick("location")),
                          "zones": maybe(sorted({pick("zones") for _ in range(rnd.randint(0, 2))}))})
        if spellings and location and location.get("province") and rnd.random() < 0.5:
            province = taxonomy.resolve("location", location["province"])
            inside = sorted(e for e in taxonomy.vocab("location").entries
                            if e != province and province in taxonomy.up("location", e))
            if inside:
                location["district"] = spell("location", rnd.choice(inside))
        profile = {
            "name": maybe("".join(rnd.choice("北京科技有限公司甲乙丙 <>&\"'—ABC") for _ in range(rnd.randint(1, 12)))),
            "org_type": spell("org_type", org_type) if org_type else None, "ownership": maybe(pick("ownership")),
            "stage": maybe(pick("stage")), "size": maybe(pick("size")),
            "sectors": maybe(sorted({pick("sectors") for _ in range(rnd.randint(0, 3))})),
            "location": location and {k: v for k, v in location.items() if v is not None},
            "tags": [spell("tags", t) for t in tags], "not_tags": [spell("tags", t) for t in not_tags],
        }
        yield {k: v for k, v in profile.items() if v is not None}


def valid(taxonomy: Taxonomy, profile: dict) -> Facts | None:
    """The facts of a profile, or None where the draw contradicts itself."""
    try:
        return resolve(Profile.model_validate(profile), taxonomy)
    except EligError:
        return None


def generated_profiles(taxonomy: Taxonomy, n: int, seed: int = 7) -> Iterator[Facts]:
    """The facts of the consistent profiles among `n` drawn."""
    for profile in random_profiles(taxonomy, n, seed):
        facts = valid(taxonomy, profile)
        if facts is not None:
            yield facts


REGISTRY_HEADER = ["企业名称", "登记状态", "法定代表人", "注册资本", "成立日期", "统一社会信用代码", "企业类型", "所属省份",
                   "所属城市", "所属区县", "所属行业", "参保人数", "企业地址", "资质", "经营范围"]
_FORMS = ["有限责任公司(自然人投资或控股)", "有限责任公司（自然人独资）", "有限责任公司(法人独资)", "其他有限责任公司",
          "有限责任公司(国有独资)", "股份有限公司(上市、国有控股)", "股份有限公司(非上市、自然人投资或控股)",
          "有限责任公司(台港澳法人独资)", "有限责任公司(外国法人独资)", "有限责任公司(中外合资)", "个人独资企业",
          "有限合伙企业", "个体工商户", "农民专业合作社", "全民所有制", "集体所有制", "事业单位", "民办非企业单位"]
# province, city, district as exports write it, and the division code of the place of registration
_PLACES = [("北京市", "北京市", "海淀区", "110108"), ("北京市", "北京市", "海淀", "110108"),
           ("北京", "北京市", "朝阳区", "110105"), ("北京市", "北京市", "北京经济技术开发区", "110115"),
           ("北京市", "北京市", "亦庄", "110115"), ("北京市", "北京市", "昌平区", "110114"),
           ("北京市", "北京市", "", "110102"), ("上海市", "上海市", "浦东新区", "310115"),
           ("河北省", "廊坊市", "固安县", "131022"), ("天津市", "天津市", "滨海新区", "120116"),
           ("广东省", "深圳市", "南山区", "440305")]
_INDUSTRIES = ["软件和信息技术服务业", "计算机、通信和其他电子设备制造业", "集成电路制造", "医药制造业", "I65", "3973",
               "C27", "科技推广和应用服务业", "研究和试验发展", "批发业", "人工智能", "集成电路、人工智能", ""]
_QUALIFICATIONS = ["高新技术企业", "科技型中小企业", "专精特新中小企业", "专精特新“小巨人”企业", "小巨人", "瞪羚企业",
                   "高新技术企业,科技型中小企业", "高新技术企业、专精特新中小企业", "高新技术企业；瞪羚企业", ""]
# values no vocabulary or registry table knows: each must come out as a warning naming it
UNKNOWN_VALUES = {"企业类型": ["有限公司(某种新形式)"], "所属行业": ["元宇宙服务业"], "资质": ["五星级企业"],
                  "所属区县": ["海淀新城"]}


def credit_code(body: str) -> str:
    """A 统一社会信用代码 from its first 17 characters, with the check character (GB 32100-2015)."""
    from elig.registry import CODE_CHARS, CODE_WEIGHTS

    total = sum(CODE_CHARS.index(c) * w for c, w in zip(body, CODE_WEIGHTS))
    return body + CODE_CHARS[(31 - total % 31) % 31]


def registry_rows(n: int, seed: int = 3, unknown_every: int = 0) -> list[list[str]]:
    """Rows shaped like a business-registry export (企查查, 天眼查 style), REGISTRY_HEADER's
    columns; every `unknown_every`-th row holds one value of UNKNOWN_VALUES. Row 0 is a Beijing
    高新技术企业 in 海淀."""
    from elig.registry import CODE_CHARS

    rnd = random.Random(seed)
    rows = []
    for i in range(n):
        province, city, district, division = rnd.choice(_PLACES)
        kind = rnd.choice(["91"] * 9 + ["52"])
        body = kind + division + "".join(rnd.choice(CODE_CHARS) for _ in range(9))
        code = credit_code(body) if rnd.random() > 0.02 else body + ("0" if credit_code(body)[-1] != "0" else "1")
        form = rnd.choice(_FORMS)
        row = [f"测试{i:06d}科技有限公司", rnd.choice(["存续", "在业", "注销", "吊销"]), "张三",
               f"{rnd.randint(10, 5000)}万元人民币", f"20{rnd.randint(0, 24):02d}-0{rnd.randint(1, 9)}-1{rnd.randint(0, 9)}",
               code, form, province, city, district, rnd.choice(_INDUSTRIES), str(rnd.randint(0, 900)),
               f"{province}{district}某某路{rnd.randint(1, 300)}号",
               rnd.choice(_QUALIFICATIONS) if kind == "91" and "公司" in form else "",
               "技术开发、技术咨询、技术服务；软件开发，销售自行开发的产品。"]
        if unknown_every and i % unknown_every == unknown_every - 1:
            column = rnd.choice(sorted(UNKNOWN_VALUES))
            row[REGISTRY_HEADER.index(column)] = rnd.choice(UNKNOWN_VALUES[column])
        rows.append(row)
    rows[0][5:11] = [credit_code("91110108" + "MA01ABCD1"), "有限责任公司(自然人投资或控股)", "北京市", "北京市", "海淀区",
                     "软件和信息技术服务业"]
    rows[0][13] = "高新技术企业"
    return rows
