"""
Corrections with evidence: an implausible value that the file itself proves wrong, replaced by the value it proves.

The Quartiersatlas table is an extraction from a PDF; in a few cells two numbers were glued together
(Oberrath, 063007: ``Bevölkerung`` 2,036,643 where the age groups add up to 2,036). Such a value is always
reported as implausible (`geo.data.validate.check_values`). It is corrected only when the same row proves the
right value, by one of two rules:

``share_and_digits``
    A part (an age group's count) is implausible, but its share of the whole is given, and the whole is
    estimated from the other parts and their shares (the median of count / share, from at least three parts).
    The corrected count is the leading digits of the implausible value that match share x whole within
    the rounding of the share (0.1 percentage points): ``625192`` at 30.7 % of about 2,037 is 625.
``sum_of_parts``
    The whole is implausible, every part is known (as read, or corrected by the first rule), the share
    that each part has of their sum agrees with the share the table gives (within 0.1 percentage points),
    and the implausible value begins with the digits of that sum (two numbers glued together). The
    corrected whole is the sum of its parts. A negative whole, or one whose digits tell another story,
    stays missing: the parts prove a value, but not that the file meant it.

Values without such evidence stay missing. Each correction is recorded (old value, new value, rule,
evidence), listed in the report and on the Daten page, and can be declined by an admin: the decision is kept
in the dataset folder (`DECISIONS_FILE`), the files keep the values as read, so a declined correction is
undone and can be applied again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geo.core import files
from geo.core.access import AccessDeniedError, Action, Principal, require
from geo.core.errors import DataError
from geo.data.indicators import catalogue

if TYPE_CHECKING:
    from geo.register.store import Register

#: The admins' decisions on corrections, in the dataset folder.
DECISIONS_FILE = "korrekturen.json"

#: Shares are given to one decimal; with the rounding of the counts, 0.1 percentage points is the slack.
SHARE_TOLERANCE = 0.1
#: Parts of the population (counts with a share ``<part>_pct`` of the population).
AGE_GROUPS = (
    "alter_u6",
    "alter_6_17",
    "alter_18_29",
    "alter_30_49",
    "alter_50_64",
    "alter_65_79",
    "alter_80plus",
)
WHOLE = "bevoelkerung"

RULE_SHARE = "share_and_digits"
RULE_SUM = "sum_of_parts"


@dataclass(frozen=True)
class Correction:
    """One corrected value and why."""

    sozialraum_id: str
    indicator: str
    old: float
    new: float
    rule: str
    evidence: dict[str, Any] = field(default_factory=dict)
    applied: bool = True

    @property
    def key(self) -> tuple[str, str]:
        """What a decision refers to: the Sozialraum and the indicator."""
        return (self.sozialraum_id, self.indicator)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: `ids`, `column` (the file's header), `indicator`, `old`, `new`, `rule`, `evidence`, `applied`."""
        return {
            "ids": [self.sozialraum_id],
            "column": catalogue().get(self.indicator).column,
            "indicator": self.indicator,
            "old": _plain_number(self.old),
            "new": _plain_number(self.new),
            "rule": self.rule,
            "evidence": self.evidence,
            "applied": self.applied,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Correction:
        """The correction `as_dict` wrote."""
        return cls(
            sozialraum_id=str(data["ids"][0]),
            indicator=str(data["indicator"]),
            old=float(data["old"]),
            new=float(data["new"]),
            rule=str(data["rule"]),
            evidence=dict(data.get("evidence", {})),
            applied=bool(data.get("applied", True)),
        )


def _plain_number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else float(value)


def _known(value: object) -> bool:
    return value is not None and not (isinstance(value, float) and np.isnan(value)) and not pd.isna(value)


def _leading_digits(old: float, expected: float, tolerance: float) -> int | None:
    """The leading digits of `old` (a glued number) closest to `expected`, if within `tolerance`."""
    text = str(round(abs(old)))
    found = [int(text[:length]) for length in range(1, len(text))]
    fitting = [c for c in found if abs(c - expected) <= tolerance]
    return min(fitting, key=lambda c: abs(c - expected)) if fitting else None


def _row_corrections(sid: str, row: pd.Series, flagged: set[str]) -> list[Correction]:
    out: list[Correction] = []
    parts = {g: row.get(g) for g in AGE_GROUPS}
    shares = {g: row.get(f"{g}_pct") for g in AGE_GROUPS}
    fixed: dict[str, float] = {}
    bad_parts = [g for g in AGE_GROUPS if g in flagged]
    if bad_parts:
        estimates = [
            float(parts[g]) / float(shares[g]) * 100
            for g in AGE_GROUPS
            if g not in flagged and _known(parts[g]) and _known(shares[g]) and float(shares[g]) > 0
        ]
        if len(estimates) >= 3:
            estimate = float(np.median(estimates))
            for g in bad_parts:
                if not (_known(shares[g]) and _known(parts[g])):
                    continue
                expected = float(shares[g]) * estimate / 100
                tolerance = SHARE_TOLERANCE / 100 * estimate + 1
                new = _leading_digits(float(parts[g]), expected, tolerance)
                if new is None:
                    continue
                fixed[g] = new
                out.append(
                    Correction(
                        sid,
                        g,
                        float(parts[g]),
                        float(new),
                        RULE_SHARE,
                        {
                            "share": float(shares[g]),
                            "whole_estimate": round(estimate),
                            "parts_used": len(estimates),
                        },
                    )
                )
    if WHOLE in flagged and _known(row.get(WHOLE)):
        values = {g: fixed.get(g, parts[g]) for g in AGE_GROUPS}
        complete = all(_known(v) and (g not in flagged or g in fixed) for g, v in values.items())
        if complete and all(_known(shares[g]) for g in AGE_GROUPS):
            total = float(sum(float(v) for v in values.values()))
            gaps = (
                [abs(float(values[g]) / total * 100 - float(shares[g])) for g in AGE_GROUPS]
                if total > 0
                else []
            )
            old = float(row[WHOLE])
            glued = old > total and str(round(old)).startswith(str(round(total)))
            if gaps and max(gaps) <= SHARE_TOLERANCE and glued:
                out.append(
                    Correction(
                        sid,
                        WHOLE,
                        old,
                        total,
                        RULE_SUM,
                        {
                            "parts": len(AGE_GROUPS),
                            "largest_share_gap": round(max(gaps), 3),
                            "leading_digits": True,
                        },
                    )
                )
    return out


def propose(table: pd.DataFrame, implausible: dict[str, set[str]]) -> list[Correction]:
    """
    The corrections the rows themselves prove, for the implausible values named in `implausible`.

    Parameters
    ----------
    table
        Indicator table with `sozialraum_id` and the catalogue's ids as columns, values as read.
    implausible
        Sozialraum ID -> indicator ids found implausible.

    Returns
    -------
    list of Correction
        In the order of `implausible`; parts before their whole.
    """
    if not implausible:
        return []
    rows = table.drop_duplicates("sozialraum_id").set_index("sozialraum_id")
    out: list[Correction] = []
    for sid in sorted(implausible):
        if sid in rows.index:
            out.extend(_row_corrections(sid, rows.loc[sid], implausible[sid]))
    return out


# --- the admins' decisions ---------------------------------------------------------------------------------


def declined(folder: str | Path) -> frozenset[tuple[str, str]]:
    """(Sozialraum ID, indicator) of the corrections an admin declined for the dataset in `folder`."""
    path = Path(folder) / DECISIONS_FILE
    if not path.is_file():
        return frozenset()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return frozenset((str(d["sozialraum_id"]), str(d["indicator"])) for d in data.get("declined", []))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise DataError("error.corrections_unreadable", file=path.name, reason=str(exc)[:200]) from exc


def decide(
    folder: str | Path,
    correction: Correction,
    *,
    apply: bool,
    by: Principal,
    audit: Register | None = None,
) -> None:
    """
    Apply or decline `correction` for the dataset in `folder` (admins only); recorded in the audit log.

    The decision file is replaced as a whole (`geo.core.files.write_atomic`), so a reader sees the old decisions
    or the new ones.

    Raises
    ------
    geo.core.access.AccessDeniedError
        When `by` may not change the dataset (a demo account may not either).
    geo.core.files.WriteError
        When the decision cannot be written.
    """
    require(by, Action.IMPORT_DATA)
    if by.demo:  # a demo admin tries roles in the demo register; the dataset is not theirs to change
        raise AccessDeniedError("access.demo_no_import")
    folder = Path(folder)
    path = folder / DECISIONS_FILE
    current = {d for d in declined(folder) if d != correction.key}
    if not apply:
        current.add(correction.key)
    entries = [{"sozialraum_id": sid, "indicator": ind} for sid, ind in sorted(current)]
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    text = json.dumps({"declined": entries, "changed": stamp}, ensure_ascii=False, indent=1) + "\n"
    files.write_atomic(path, text)  # whole or not at all; a WriteError names the path and reason
    if audit is not None:
        audit.record(
            by,
            "data.correction",
            target="dataset",
            target_id=folder.name,
            sozialraum=correction.sozialraum_id,
            indicator=correction.indicator,
            applied=apply,
        )


def with_decisions(proposed: list[Correction], refused: frozenset[tuple[str, str]]) -> list[Correction]:
    """`proposed`, each marked applied unless an admin declined it."""
    return [replace(c, applied=c.key not in refused) for c in proposed]
