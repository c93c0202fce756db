"""
axe-core in a Playwright page: the accessibility rules a page breaks, for the
browser tests and for re-running them on any state of the dashboard.

axe-core comes from npm at the version of package-lock.json (`make test`
runs `npm ci`). It goes into the page through the DevTools protocol
(page.evaluate), which the page's Content-Security-Policy does not govern, so
the page under test keeps its real policy.
"""

from pathlib import Path

AXE_SCRIPT = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

# The impacts a test fails on: what keeps someone from using the page.
# "moderate" and "minor" are worth a look but do not block an agent.
BLOCKING_IMPACTS = ("critical", "serious")


def _inject(page):
    if not AXE_SCRIPT.exists():
        raise RuntimeError(f"{AXE_SCRIPT} is missing: run `npm ci` (make test does this)")
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))


def violations(page, *, impacts=BLOCKING_IMPACTS):
    """
    The violations of axe's WCAG 2.x A/AA rules (and its best practices) on
    what the page shows now, with an impact in ``impacts``: a list of dicts
    with ``id``, ``impact``, ``help``, ``helpUrl`` and ``targets`` (one CSS
    selector per offending node, with axe's summary of what is wrong).
    """
    _inject(page)
    found = page.evaluate(
        """async () => {
            const result = await window.axe.run(document, {
                resultTypes: ['violations'],
                runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}
            });
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                targets: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary || ''}))
            }));
        }"""
    )
    return [violation for violation in found if violation["impact"] in impacts]


def describe(found):
    """A readable report of ``violations(page)``: rule, impact, help, and every node it names."""
    lines = []
    for violation in found:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["targets"]:
            summary = " ".join(node["summary"].split())
            lines.append(f"    {node['target']}: {summary}")
    return "\n".join(lines)


def assert_no_blocking_violations(page, where=""):
    """Fail with the readable report when axe finds a critical or serious violation."""
    found = violations(page)
    assert not found, f"axe-core found violations{' ' + where if where else ''}:\n{describe(found)}"
