"""Corrections with evidence: proven values replace implausible ones, recorded, reversible, never silent."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from geo.core.access import AccessDeniedError, Principal
from geo.core.report import Report
from geo.data import corrections, dataset, validate
from geo.register import accounts, store

ADMIN = Principal(label="admin", roles=frozenset({"admin"}))
COORDINATOR = Principal(label="k", roles=frozenset({"coordinator"}))
SHARES = {"alter_u6": 6.0, "alter_6_17": 10.0, "alter_18_29": 15.0, "alter_30_49": 30.0}
SHARES |= {"alter_50_64": 19.0, "alter_65_79": 14.0, "alter_80plus": 6.0}


def _row(sid: str, population: float, **overrides: float) -> dict[str, object]:
    """A consistent row of 2,000 people (shares as above), with some values replaced."""
    row: dict[str, object] = {"sozialraum_id": sid, "bevoelkerung": population}
    for group, share in SHARES.items():
        row[group] = 2000 * share / 100
        row[f"{group}_pct"] = share
    row.update(overrides)
    return row


def _table(*rows: dict[str, object]) -> pd.DataFrame:
    peers = [_row(f"0110{i:02d}", 2000.0) for i in range(1, 7)]
    return pd.DataFrame([*peers, *rows])


def test_a_glued_whole_is_the_sum_of_its_parts_when_their_shares_agree() -> None:
    report = Report()
    checked = validate.check_values(_table(_row("099001", 2_000_517.0)), report, city_population=14_000)
    (fix,) = report.corrections
    assert (fix["ids"], fix["column"], fix["old"], fix["new"], fix["rule"]) == (
        ["099001"],
        "Bevölkerung",
        2_000_517,
        2000,
        "sum_of_parts",
    )
    assert fix["evidence"]["leading_digits"] is True and fix["applied"] is True
    assert checked.set_index("sozialraum_id").at["099001", "bevoelkerung"] == 2000
    assert report.find("value_corrected") and not report.find("implausible_value")
    assert report.counts["population"] == 14_000


def test_glued_parts_are_corrected_from_their_share_and_digits_then_the_whole() -> None:
    row = _row("099001", 2_000_311.0, alter_30_49=600_123.0, alter_50_64=380_555.0)
    report = Report()
    checked = validate.check_values(_table(row), report, city_population=14_000).set_index("sozialraum_id")
    rules = {(c["indicator"], c["rule"]) for c in report.corrections}
    assert rules == {
        ("alter_30_49", "share_and_digits"),
        ("alter_50_64", "share_and_digits"),
        ("bevoelkerung", "sum_of_parts"),
    }
    assert checked.loc["099001", ["alter_30_49", "alter_50_64", "bevoelkerung"]].tolist() == [600, 380, 2000]


@pytest.mark.parametrize(
    "row",
    [
        _row("099001", 2_000_517.0, alter_u6_pct=9.0),  # the shares do not agree with the parts
        _row("099001", 3_020_000.0, alter_30_49=None, alter_30_49_pct=None),  # a part is unknown
        _row("099001", 2_000_517.0, alter_30_49=777_777.0),  # a glued part whose digits fit no share
        _row("099001", -2000.0),  # the parts fit, but nothing says the file meant their sum
        _row("099001", 3_000_517.0),  # the parts fit, the digits are another number's
    ],
    ids=["shares-disagree", "part-missing", "digits-do-not-fit", "negative", "other-digits"],
)
def test_without_evidence_an_implausible_value_stays_missing(row: dict[str, object]) -> None:
    report = Report()
    checked = validate.check_values(_table(row), report, city_population=14_000).set_index("sozialraum_id")
    assert report.corrections == [] or all(c["indicator"] != "bevoelkerung" for c in report.corrections)
    assert pd.isna(checked.at["099001", "bevoelkerung"])
    assert ("099001", "Bevölkerung") in {
        (i.ids[0], i.params["column"]) for i in report.find("implausible_value")
    }


def test_a_declined_correction_leaves_the_value_missing_and_says_so() -> None:
    report = Report()
    table = _table(_row("099001", 2_000_517.0))
    checked = validate.check_values(
        table, report, city_population=14_000, declined=frozenset({("099001", "bevoelkerung")})
    )
    assert pd.isna(checked.set_index("sozialraum_id").at["099001", "bevoelkerung"])
    assert [c["applied"] for c in report.corrections] == [False]
    declined = report.find("correction_declined")[0]
    assert "2.000.517" in declined.message("de") and "2.000" in declined.message("de")
    assert report.counts["population"] == 12_000


def test_an_admin_declines_and_applies_again_recorded_in_the_audit_log(
    tmp_path: Path, demo_dir: Path
) -> None:
    folder = tmp_path / "data"
    shutil.copytree(demo_dir, folder)
    table = pd.read_csv(folder / dataset.INDICATORS_FILE, sep=";", dtype={"Sozialraum-ID": str})
    sid = str(table["Sozialraum-ID"].iloc[0])
    true_population = int(
        table.loc[0, ["< 6 Jahre", "6–17", "18–29", "30–49", "50–64", "65–79", "80+"]].astype(float).sum()
    )
    table.loc[0, "Bevölkerung"] = float(f"{true_population}517")  # glued, as in the Quartiersatlas
    table.to_csv(folder / dataset.INDICATORS_FILE, sep=";", index=False)
    loaded = dataset.load_dataset(folder)
    fixes = [c for c in loaded.report.corrections if c["indicator"] == "bevoelkerung"]
    if not fixes:  # the demo's shares are rounded to one decimal like the city's: they must agree
        pytest.fail(f"no correction proposed; report: {[i.message() for i in loaded.report.issues][:5]}")
    fix = corrections.Correction.from_dict(fixes[0])
    assert loaded.spaces.set_index("sozialraum_id").at[sid, "bevoelkerung"] == true_population
    reg = store.Register(f"sqlite:///{tmp_path / 'register.sqlite'}")
    with pytest.raises(AccessDeniedError):
        corrections.decide(folder, fix, apply=False, by=COORDINATOR, audit=reg)
    demo_admin = Principal(label="demo", roles=frozenset({"admin"}), demo=True)
    with pytest.raises(AccessDeniedError):
        corrections.decide(folder, fix, apply=False, by=demo_admin, audit=reg)
    assert not (folder / corrections.DECISIONS_FILE).exists()
    corrections.decide(folder, fix, apply=False, by=ADMIN, audit=reg)
    assert json.loads((folder / corrections.DECISIONS_FILE).read_text())["declined"] == [
        {"sozialraum_id": sid, "indicator": "bevoelkerung"}
    ]
    declined = dataset.load_dataset(folder)
    assert pd.isna(declined.spaces.set_index("sozialraum_id").at[sid, "bevoelkerung"])
    assert declined.report.find("correction_declined")
    corrections.decide(folder, fix, apply=True, by=ADMIN, audit=reg)
    again = dataset.load_dataset(folder)
    assert again.spaces.set_index("sozialraum_id").at[sid, "bevoelkerung"] == true_population
    log = accounts.audit_log(reg, by=Principal.cli(), limit=None)
    assert [r for r in log.to_dict("records") if "correction" in str(r)][:2], log
    reg.close()


def test_an_unreadable_decision_file_is_named(tmp_path: Path) -> None:
    (tmp_path / corrections.DECISIONS_FILE).write_text("{kaputt", encoding="utf-8")
    with pytest.raises(corrections.DataError) as caught:
        corrections.declined(tmp_path)
    assert caught.value.key == "error.corrections_unreadable"
