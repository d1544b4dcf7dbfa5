"""A small text chart of the session: the client's readiness and talk across the turns."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from mitrainer.codes import TalkType
from mitrainer.engine.session import Session
from mitrainer.i18n import t

TALK_MARKS = {
    TalkType.CHANGE: ("+", "bold $success"),
    TalkType.SUSTAIN: ("−", "bold $warning"),
    TalkType.DISCORD: ("!", "bold $error"),
    TalkType.NEUTRAL: ("·", "$text-muted"),
}
ROWS = 5


def chart_meter(session: Session) -> str | None:
    """The meter the chart follows: one named like readiness, else the first numeric meter."""
    numeric = [name for name, var in session.scenario.meters.items() if var.type in ("int", "number")]
    for name in numeric:
        if "readiness" in name.lower() or "readiness" in (session.scenario.variables[name].label or "").lower():
            return name
    return numeric[0] if numeric else None


class ProgressChart(Static):
    """Columns for the meter after each turn (turn 0 is the start), talk marks underneath.

    The talk row shows what the client said in answer to each response (its next line).
    """

    def show(self, session: Session) -> None:
        lines: list[Content] = []
        meter = chart_meter(session)
        talks = [turn.client.talk for turn in session.turns[1:]] + [session.current_line.talk]
        if meter is not None:
            var = session.scenario.variables[meter]
            values = [float(var.default)] + [float(turn.variables.get(meter, var.default)) for turn in session.turns]
            low = var.min if var.min is not None else min(values)
            high = var.max if var.max is not None else max(max(values), low + 1)
            span = (high - low) or 1
            heights = [round((v - low) / span * ROWS) for v in values]
            label = var.label or meter
            for row in range(ROWS, 0, -1):
                axis = f"{high:g}".rjust(4) if row == ROWS else (f"{low:g}".rjust(4) if row == 1 else "    ")
                cells = [("██" if h >= row else "  ") + " " for h in heights]
                lines.append(Content.assemble((axis + " ┤", "$text-muted"), ("".join(cells), "$accent")))
            lines.append(Content.assemble(("     └" + "───" * len(values), "$text-muted")))
            lines.append(Content.assemble(("      ", ""), ("".join(f"{n:<3d}" for n in range(len(values))),
                                                          "$text-muted")))
            lines.insert(0, Content.styled(t("summary.chart_meter", meter=label), "bold"))
        marks = [TALK_MARKS.get(talk, (" ", "")) if talk else (" ", "") for talk in talks]
        lines.append(Content.assemble(("      ", ""), "   ",
                                      *[item for mark, style in marks for item in ((mark, style), "  ")]))
        lines.append(Content.assemble((t("summary.chart_talk"), "$text-muted")))
        self.update(Content("\n").join(lines))
