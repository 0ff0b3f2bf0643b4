"""Seed data written by the first migration: the branch's units and the notice categories."""

from __future__ import annotations

UNITS: list[tuple[str, str, str]] = [
    ("sec1", "第一課", "First Section"),
    ("sec2", "第二課", "Second Section"),
    ("sec3", "第三課", "Third Section"),
    ("sec4", "第四課", "Fourth Section"),
    ("sec5", "第五課", "Fifth Section"),
    ("sec6", "第六課", "Sixth Section"),
    ("taoyuan", "桃園辦事處", "Taoyuan Office"),
    ("airport", "機場辦事處", "Airport Office"),
    ("personnel", "人事室", "Personnel Office"),
    ("accounting", "主計室", "Accounting Office"),
    ("ethics", "政風室", "Civil Service Ethics Office"),
    ("secretariat", "秘書室", "Secretariat"),
]

CATEGORIES: list[tuple[str, str, str]] = [
    ("cns", "正字標記", "CNS Mark"),
    ("rpc", "驗證登錄", "Registration of Product Certification"),
    ("type", "型式認可", "Type Approval"),
    ("batch", "逐批檢驗／報驗", "Batch Inspection"),
    ("regulated", "應施檢驗商品公告", "Regulated Product List Changes"),
    ("metrology", "度量衡器檢定", "Metrology"),
    ("origin", "產地證明", "Certificates of Origin"),
    ("market", "市場監督與商品安全", "Market Surveillance and Recalls"),
    ("events", "說明會與教育訓練", "Briefings and Training"),
]
