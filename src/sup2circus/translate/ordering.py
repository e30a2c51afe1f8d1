"""priority, [group:x], numprocs names: watcher names and the circus priorities that make
circusd start (and stop) watchers in supervisord's order."""

from __future__ import annotations

from ..circus_model import Watcher
from ..model import ProcessSpec
from .context import Context


def watcher_name(p: ProcessSpec) -> str:
    """A program alone in its group with one process keeps its name; others are GROUP:NAME."""
    if p.group_name == p.program_name and p.name == p.program_name and p.numprocs == 1:
        return p.name
    return f"{p.group_name}:{p.name}"


def start_priorities(ctx: Context) -> list[int]:
    """supervisord's start priority of each process: its group's, else its own."""
    group_priority = {g.name: g.priority for g in ctx.model.groups}
    return [group_priority.get(p.group_name, p.priority) for p in ctx.model.processes]


def circus_priorities(ctx: Context, sup_prio: list[int], names: list[str]) -> list[int]:
    """The circus priority of each watcher (given in start order, at supervisor priority
    ``sup_prio``, named ``names``).

    circusd starts watchers by priority descending, ties by name ascending. Prefer the
    readable ``-supervisor_priority``; fall back to distinct numbers when the names would
    break ties differently from supervisord, or when --exact stops them group by group
    (circus then also stops exactly in reverse start order).
    """
    if ctx.stop_order or not ordered(sup_prio, names):
        n = len(names)
        return [n - i for i in range(n)]
    return [-sp for sp in sup_prio]


def ordered(sup_prio: list[int], names: list[str]) -> bool:
    """True when circus's start order (priority descending, then name) of watchers at
    priority ``-sup_prio`` is their order in the list (a stable sort would keep it)."""
    for i in range(1, len(names)):
        a, b = sup_prio[i - 1], sup_prio[i]
        if a > b or (a == b and names[i - 1] > names[i]):
            return False
    return True


def group_findings(ctx: Context, converted: list[ProcessSpec]) -> None:
    """S2C121 (heterogeneous groups) and S2C108 (supervisord stops groups one at a time, which
    matters when the ``converted`` processes, in start order, come from several groups)."""
    m = ctx.model
    # a member named like its group is the watcher GROUP (supervisorctl's name too)
    named_like_group = {q.name for q in converted if q.group_name == q.name}
    for g in m.groups:
        if g.heterogeneous:
            alike = g.name in named_like_group
            ctx.reporter.report(
                "S2C121",
                g.loc_of("programs"),
                g.section,
                "programs",
                group=g.name,
                priority=g.priority,
                but=f" (not the member named {g.name}: it is the watcher {g.name})"
                if alike
                else "",
            )
    if len({q.group_name for q in converted}) > 1:
        first = converted[0]  # the first to start: its priority begins the order
        if ctx.stop_order:
            effect = "reproduced by sup2circus hooks (--exact)"
        else:
            effect = "circusd signals every watcher at once (--exact reproduces it)"
        ctx.reporter.report(
            "S2C108", first.loc_of("priority"), first.section, "priority", effect=effect
        )


def case_clashes(ctx: Context, watchers: list[Watcher]) -> None:
    """S2C502: watcher names that differ only in case."""
    seen: dict[str, str] = {}
    for w in watchers:
        low = w.name.lower()
        if low in seen and seen[low] != w.name:
            p = next(x for x in ctx.model.processes if f"{x.group_name}:{x.name}" == w.process)
            ctx.reporter.report(
                "S2C502", p.section_loc, p.section, None, first=seen[low], second=w.name
            )
        seen.setdefault(low, w.name)
