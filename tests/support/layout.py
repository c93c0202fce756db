"""
Whether a page fits its viewport: text cut off in controls and headings, and
a page wider than the window. For the dashboard at 1,024 px in German, and
for re-running on any page state (the lead runs it on the merged dashboard).
"""

# What an agent reads to know what a control does. Text in these (and in
# anything inside them) must be whole. Deliberately tiny elements
# (.visually-hidden, 1 px) are for screen readers and are skipped.
LABELLED = (
    "button, [role='button'], label, h1, h2, h3, h4, h5, h6, [role='menuitem'], "
    "[role='tab'], [role='option'], summary, th, legend, select, a[href]"
)

_FIND_CLIPPED = """(selector) => {
    const found = [];
    const describe = (node) => {
        let text = (node.innerText || node.value || '').trim().replace(/\\s+/g, ' ');
        const id = node.id ? '#' + node.id : '';
        const cls = node.classList.length ? '.' + Array.from(node.classList).join('.') : '';
        return {element: node.tagName.toLowerCase() + id + cls, text: text.slice(0, 80)};
    };
    const visible = (node) => {
        if (!node.getClientRects().length) { return false; }
        const style = getComputedStyle(node);
        return style.visibility !== 'hidden' && style.display !== 'none';
    };
    const tooSmallOnPurpose = (node) => node.clientWidth <= 1 || node.clientHeight <= 1;
    // Text that fits its own box can still stick out of a scrolling or
    // clipping box around it (a button wider than its panel).
    const cutByAncestor = (node) => {
        const rect = node.getBoundingClientRect();
        for (let box = node.parentElement; box && box !== document.documentElement; box = box.parentElement) {
            const overflow = getComputedStyle(box).overflowX;
            if (!['hidden', 'clip', 'auto', 'scroll'].includes(overflow)) { continue; }
            const outer = box.getBoundingClientRect();
            const left = outer.left + box.clientLeft;
            const right = left + box.clientWidth;
            if (rect.right > right + 1 || rect.left < left - 1) {
                return 'sticks out of ' + describe(box).element + ' (overflow ' + overflow + ')';
            }
        }
        return null;
    };
    const check = (node, owner) => {
        if (!visible(node) || tooSmallOnPurpose(node)) { return; }
        const style = getComputedStyle(node);
        const hides = ['hidden', 'clip', 'auto', 'scroll'].includes(style.overflowX);
        const wide = node.scrollWidth > node.clientWidth + 1;
        const tall = ['hidden', 'clip'].includes(style.overflowY) && node.scrollHeight > node.clientHeight + 1;
        let reason = null;
        if (wide && style.textOverflow === 'ellipsis') {
            reason = 'cut off with an ellipsis';
        } else if (wide && hides) {
            reason = 'cut off (overflow ' + style.overflowX + ')';
        } else if (wide) {
            reason = 'wider than its box';
        } else if (tall) {
            reason = 'cut off at the bottom';
        }
        if (!reason) { reason = cutByAncestor(node); }
        if (reason) {
            const item = describe(owner);
            item.reason = reason + (owner === node ? '' : ' in ' + describe(node).element);
            item.scrollWidth = node.scrollWidth;
            item.clientWidth = node.clientWidth;
            item.right = Math.round(node.getBoundingClientRect().right);
            found.push(item);
        }
    };
    document.querySelectorAll(selector).forEach((owner) => {
        if (owner.closest('.visually-hidden')) { return; }
        check(owner, owner);
        owner.querySelectorAll('*').forEach((inner) => {
            if (inner.matches(selector) || inner.closest('.visually-hidden')) { return; }
            check(inner, owner);
        });
    });
    return found;
}"""


def clipped_elements(page):
    """
    The visible buttons, labels, headings, menu items (and the like) whose
    text does not fit: wider than the element (scrollWidth > clientWidth),
    cut off by overflow or an ellipsis, in the element or anything inside it,
    or sticking out of a box around it that clips or scrolls.
    A list of dicts: ``element`` (tag#id.classes), ``text``, ``reason``,
    ``scrollWidth``, ``clientWidth``; empty when everything fits.
    """
    return page.evaluate(_FIND_CLIPPED, LABELLED)


def horizontal_overflow(page):
    """How many CSS pixels the page is wider than its viewport (0: no horizontal scroll)."""
    return page.evaluate(
        "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - document.documentElement.clientWidth"
    )


def describe(clipped):
    return "\n".join(
        f"{item['element']} {item['text']!r}: {item['reason']}"
        f" (scrollWidth {item['scrollWidth']}, clientWidth {item['clientWidth']}, right edge at {item['right']} px)"
        for item in clipped
    )


_STICKING_OUT = """(limit) => {
    const width = document.documentElement.clientWidth;
    const found = [];
    document.querySelectorAll('body *').forEach((node) => {
        const rect = node.getBoundingClientRect();
        if (rect.right <= width + 1 || !node.getClientRects().length) { return; }
        // Only the innermost: a parent is wide because of its child.
        if (Array.from(node.children).some((child) => child.getBoundingClientRect().right > width + 1)) { return; }
        const id = node.id ? '#' + node.id : '';
        const cls = node.classList.length ? '.' + Array.from(node.classList).join('.') : '';
        found.push(node.tagName.toLowerCase() + id + cls + ' (right edge at ' + Math.round(rect.right) + ' px)');
    });
    return found.slice(0, limit);
}"""


def sticking_out(page, limit=10):
    """The innermost elements that reach past the window's right edge (why a page scrolls sideways)."""
    return page.evaluate(_STICKING_OUT, limit)
