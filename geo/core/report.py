"""The validation report: issues with a code, a level, a translatable message and the IDs concerned."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from geo.core import i18n

Level = Literal["error", "warning"]


@dataclass(frozen=True)
class Issue:
    """One finding. Errors make the data unusable; warnings do not."""

    code: str
    level: Level
    ids: tuple[str, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
        """The finding as plain sentences in `lang`."""
        params = {
            k: i18n.format_number(v, lang, decimals=0)
            if isinstance(v, int) and not isinstance(v, bool)
            else v
            for k, v in self.params.items()
            if k != "n"
        }
        key = f"issue.{self.code}"
        if variant := params.pop("variant", None):
            key = f"{key}.{variant}"
        # `n` counts the IDs, unless the finding counts more than it lists (it then names `n` itself)
        count = self.params.get("n", len(self.ids))
        return i18n.translate(key, lang, ids=list(self.ids), n=count, **params)

    def as_dict(self, lang: str = i18n.DEFAULT_LANGUAGE) -> dict[str, Any]:
        """JSON-ready form: code, message and ids."""
        return {"code": self.code, "message": self.message(lang), "ids": list(self.ids)}


@dataclass
class Report:
    """Everything found while reading and checking one dataset."""

    issues: list[Issue] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    #: Values corrected with evidence (see `geo.data.corrections`), JSON-ready: ids, column, old, new, rule, …
    corrections: list[dict[str, Any]] = field(default_factory=list)

    def error(self, code: str, ids: list[str] | tuple[str, ...] = (), **params: Any) -> None:
        """Record a finding that makes the data unusable."""
        self.issues.append(Issue(code, "error", tuple(ids), params))

    def warning(self, code: str, ids: list[str] | tuple[str, ...] = (), **params: Any) -> None:
        """Record a finding the user should know about; the data stays usable."""
        self.issues.append(Issue(code, "warning", tuple(ids), params))

    @property
    def errors(self) -> list[Issue]:
        """Findings that make the data unusable."""
        return [i for i in self.issues if i.level == "error"]

    @property
    def warnings(self) -> list[Issue]:
        """Findings that leave the data usable."""
        return [i for i in self.issues if i.level == "warning"]

    @property
    def usable(self) -> bool:
        """True when there is no error."""
        return not self.errors

    def codes(self) -> set[str]:
        """The codes of all findings."""
        return {i.code for i in self.issues}

    def find(self, code: str) -> list[Issue]:
        """The findings with `code`."""
        return [i for i in self.issues if i.code == code]

    def as_dict(self, lang: str = i18n.DEFAULT_LANGUAGE) -> dict[str, Any]:
        """JSON-ready form: counts, errors and warnings."""
        return {
            "counts": dict(self.counts),
            "usable": self.usable,
            "corrections": [dict(c) for c in self.corrections],
            "errors": [i.as_dict(lang) for i in self.errors],
            "warnings": [i.as_dict(lang) for i in self.warnings],
        }

    def to_json(self) -> str:
        """Language-neutral JSON (codes, ids, parameters), to keep a report beside the data."""
        issues = [
            {"code": i.code, "level": i.level, "ids": list(i.ids), "params": i.params} for i in self.issues
        ]
        return json.dumps(
            {"counts": self.counts, "issues": issues, "corrections": self.corrections},
            ensure_ascii=False,
            indent=1,
            default=str,
        )

    @classmethod
    def from_json(cls, text: str) -> Report:
        """The report written by `to_json`."""
        data = json.loads(text)
        issues = [Issue(i["code"], i["level"], tuple(i["ids"]), dict(i["params"])) for i in data["issues"]]
        return cls(issues=issues, counts=dict(data["counts"]), corrections=list(data.get("corrections", [])))
