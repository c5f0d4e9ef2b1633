"""The readable validation report of a data configuration: per file rows in = accepted +
quarantined, quarantine reasons with examples, and whether the data may be used."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from crm_research.data.reader.configuration import DataConfig
from crm_research.data.reader.quarantine import Validated


@dataclass
class SourceResult:
    table: str
    file: str
    rows_in: int = 0
    accepted: int = 0
    quarantined: int = 0
    encoding: str = ""
    reasons: Counter = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)
    error: str | None = None
    absent: list[str] = field(default_factory=list)  # optional columns the file does not have
    validated: Validated | None = None  # accepted rows (with want_rows)


def readable_report(
    cfg: DataConfig, results: list[SourceResult], out_dir: Path | None
) -> tuple[str, bool]:
    """The readable validation report and whether the data may be used. A file is refused when
    it cannot be read, or when more than ``max_quarantine_share`` of its rows are quarantined;
    the data are refused when no transaction is accepted."""
    amounts = f"amounts in {cfg.currency}"
    if cfg.analysis_currency != cfg.currency:
        amounts += f" × {cfg.fx_to_krw:g} = KRW"
    lines = [
        f"Data configuration {cfg.file}",
        f"as of {cfg.as_of:%Y-%m-%d %H:%M:%S} ({cfg.timezone}); {amounts}",
        "",
    ]
    ok = True
    for r in results:
        lines.append(f"{r.table}: {r.file}")
        if r.error:
            ok = False
            lines.append(f"  REFUSED: {r.error}")
            lines.append("")
            continue
        lines.append(
            f"  rows in {r.rows_in:,} = accepted {r.accepted:,} + quarantined {r.quarantined:,}   (encoding {r.encoding})"
        )
        share = r.quarantined / r.rows_in if r.rows_in else 0.0
        if share > cfg.max_quarantine_share:
            ok = False
            top = ", ".join(f"{k} ({n:,})" for k, n in r.reasons.most_common(3))
            lines.append(
                f"  REFUSED: {share:.1%} of the rows are quarantined, more than the limit {cfg.max_quarantine_share:.0%} (max_quarantine_share); top reasons: {top}"
            )
        if r.rows_in == 0:
            lines.append("  WARNING: the file has a header but no rows")
        if r.absent:
            lines.append(f"  not in this file (optional): {', '.join(r.absent)}")
        for kind, n in r.reasons.most_common():
            lines.append(f"  quarantined, {kind}: {n:,}")
            for ex in r.examples.get(kind, []):
                lines.append(f"      {ex}")
        lines.append("")
    orders = [r for r in results if r.table == "orders" and not r.error]
    if orders and sum(r.accepted for r in orders) == 0:
        ok = False
        lines.append("REFUSED: no transaction was accepted (orders); there is nothing to analyse")
    total_in = sum(r.rows_in for r in results)
    total_ok = sum(r.accepted for r in results)
    lines.append(
        f"total: {total_in:,} rows in, {total_ok:,} accepted, {total_in - total_ok:,} quarantined; "
        + ("every file usable" if ok else "data refused (see REFUSED above)")
    )
    if out_dir is not None:
        lines.append(f"accepted rows and quarantine written to {out_dir}")
    return "\n".join(lines), ok
