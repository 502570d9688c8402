"""Segmentation of the sources into sentences: stable ids, exact offsets, broken lines joined,
headings kept as section labels."""

from __future__ import annotations

from pathlib import Path

import pytest

from elig.segment import segment

RULES = Path(__file__).resolve().parent.parent / "rules"
SOURCES = sorted(RULES.glob("*/source.txt"))


@pytest.mark.parametrize("source", SOURCES, ids=[p.parent.name for p in SOURCES])
def test_offsets_point_at_the_text(source):
    text = source.read_text(encoding="utf-8")
    for s in segment(text):
        assert text[s.start:s.end] == s.text and s.text.strip() == s.text


def test_lines_broken_mid_sentence_are_one_sentence():
    text = (RULES / "zgc-measures-2022" / "source.txt").read_text(encoding="utf-8")
    joined = [s for s in segment(text) if s.text.startswith("加快推进股权投资和创业投资份额")]
    assert len(joined) == 1 and joined[0].text.endswith("提升资金流动性。")


def test_sections_follow_the_documents_numbering():
    text = (RULES / "zgc-measures-2022" / "source.txt").read_text(encoding="utf-8")
    sentences = segment(text)

    def starting(prefix: str):
        return next(s for s in sentences if s.text.startswith(prefix))

    assert starting("支持高精尖产业具有较好市场前景").section == "二(一)1"
    assert starting("1. 支持高成长性企业发展。").kind == "heading"
    assert starting("支持投资机构加大早期投资力度").section == "二(二)5"
    assert starting("支持对象为注册在中关村示范区范围").section == "三(一)"


def test_titles_and_bylines_are_headings_not_sentences():
    text = "关于某某的通知\n\n京科发〔2022〕4号\n\n一、总体思路\n\n支持企业发展,提升能力。推动合作。\n"
    kinds = [(s.kind, s.text) for s in segment(text)]
    assert kinds == [("heading", "关于某某的通知"), ("heading", "京科发〔2022〕4号"), ("heading", "一、总体思路"),
                     ("sentence", "支持企业发展,提升能力。"), ("sentence", "推动合作。")]


def test_ids_are_stable():
    text = (RULES / "zgc-measures-2022" / "source.txt").read_text(encoding="utf-8")
    assert [s.id for s in segment(text)] == [s.id for s in segment(text)]
    assert segment(text)[0].id == "s001"
