"""Golden files: the whole exported Markdown for a typical month, a hostile one and an empty range.

Each expected document is written out in full; "⏎" marks a hard line break (two trailing
spaces in the file, which an editor would strip from this source).
"""

# ruff: noqa: E501 - golden documents hold their lines as the renderer writes them.
from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

from reflect_bot.domain.export import ExportRequest, ExportScope
from reflect_bot.render.markdown import render
from tests.unit.export_support import checkin, journal_of, repair


def _golden(text: str) -> str:
    return text.replace("⏎\n", "  \n")


TYPICAL_MONTH = _golden(
    r"""---
title: "Reflective practice journal"
author: "Ana Ruiz"
exported_at: 2026-11-30T18:05:00+01:00
range_start: 2026-11-01
range_end: 2026-11-30
timezone: "Europe/Berlin"
reflections: 4
answers: 17
cpd_minutes: 16
ruptures: 1
repairs: 1
---

# Reflective practice journal

From 2026-11-01 to 2026-11-30 · Times in Europe/Berlin · Exported 2026-11-30 18:05

## 2026-11-03 Tue 17:40 · Post-session check-in

Time spent: 5 min · Concepts: [The therapeutic alliance](#the-therapeutic-alliance), [Rupture and repair](#rupture-and-repair)

**How connected did you feel?**

2/5 — on a scale from Distant (1) to Close (5)

**How aligned were your aims?**

3/5 — on a scale from Low (1) to High (5)

**How much did you agree on the work?**

3/5 — on a scale from Low (1) to High (5)

**How was the relationship overall?**

2/5 — on a scale from Low (1) to High (5)

**Was there a rupture?**

Yes: the client pulled back

**What would your client give it?**

2/5 — on a scale from Low (1) to High (5)

**Anything else?**

She went quiet when I mentioned the homework.⏎
I felt a pull to fill the silence. *(edited)*

## 2026-11-03 Tue 18:00 · Rupture repair

Time spent: 8 min · Concepts: [Rupture and repair](#rupture-and-repair), [Empathy](#empathy)

**What happened?**

I moved on too fast after she went quiet.

**What was your part in it?**

I could be more empathic about how hard the homework is.

## 2026-11-10 Tue 09:15 · Post-session check-in

Time spent: 2 min · Concepts: [The therapeutic alliance](#the-therapeutic-alliance), [Rupture and repair](#rupture-and-repair)

**How connected did you feel?**

5/5 — Close

**How aligned were your aims?**

4/5 — on a scale from Low (1) to High (5)

**How much did you agree on the work?**

4/5 — on a scale from Low (1) to High (5)

**How was the relationship overall?**

5/5 — High

**Was there a rupture?**

No

**What would your client give it?**

4/5 — on a scale from Low (1) to High (5)

**Anything else?**

*Skipped*

## 2026-11-18 Wed 00:30 · Post-session check-in (incomplete)

Time spent: 1 min · Concepts: [The therapeutic alliance](#the-therapeutic-alliance), [Rupture and repair](#rupture-and-repair)

**How connected did you feel?**

1/5 — Distant

**How aligned were your aims?**

3/5 — on a scale from Low (1) to High (5)

## Glossary

### Empathy

Sensing the client's world.

Sources:

- Review: A review of the alliance (Example, 2018), section “Alliance”, lines 10-12; cites Bordin, 1979

[Open this card in the bot](https://t.me/reflect_test_bot?start=c-empathy)

### Rupture and repair

A strain in the relationship, and mending it.

Repairs can deepen trust.

Sources:

- Review: A review of the alliance (Example, 2018), section “Alliance”, lines 10-12; cites Bordin, 1979

[Open this card in the bot](https://t.me/reflect_test_bot?start=c-rupture-and-repair)

### The therapeutic alliance

The working partnership between client and therapist.

Sources:

- Review: A review of the alliance (Example, 2018), section “Alliance”, lines 10-12; cites Bordin, 1979

[Open this card in the bot](https://t.me/reflect_test_bot?start=c-therapeutic-alliance)

## Totals

- Reflections: 4
- CPD minutes: 16
- Ruptures reported: 1
- Repair reflections completed: 1
"""
)

HOSTILE_MONTH = _golden(
    r"""---
title: "Reflective practice journal"
author: "Dr. \"Ana\" <Ruiz> #1\nsecond: line"
exported_at: 2026-11-30T18:05:00+01:00
range_start: 2026-11-01
range_end: 2026-11-30
timezone: "Europe/Berlin"
reflections: 2
answers: 9
cpd_minutes: 13
ruptures: 1
repairs: 1
---

# Reflective practice journal

From 2026-11-01 to 2026-11-30 · Times in Europe/Berlin · Exported 2026-11-30 18:05

## 2026-11-04 Wed 20:00 · Post-session check-in

Time spent: 5 min · Concepts: [The therapeutic alliance](#the-therapeutic-alliance), [Rupture and repair](#rupture-and-repair)

**How connected did you feel?**

4/5 — on a scale from Distant (1) to Close (5)

**How aligned were your aims?**

3/5 — on a scale from Low (1) to High (5)

**How much did you agree on the work?**

4/5 — on a scale from Low (1) to High (5)

**How was the relationship overall?**

4/5 — on a scale from Low (1) to High (5)

**Was there a rupture?**

Yes: the client pulled back

**What would your client give it?**

3/5 — on a scale from Low (1) to High (5)

**Anything else?**

\# Not a heading⏎
\- not a list⏎
\+ nor this⏎
1\. nor this⏎
2\) nor this⏎
&gt; not a quote

&#124; a &#124; b &#124;⏎
&#124;---&#124;---&#124;⏎
\---⏎
\*\*\*

&#32;&#32;&#32;&#32;not code⏎
\`\`\`⏎
not a fence⏎
\`\`\`

## 2026-11-04 Wed 20:10 · Rupture repair

Time spent: 8 min · Concepts: [Rupture and repair](#rupture-and-repair), [The therapeutic alliance](#the-therapeutic-alliance)

**What happened?**

&lt;script&gt;alert('x')&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt; &amp;amp; \[link\](http://example.com) !\[img\](x.png) \[\[wiki\]\] \`code\` \*em\* \_\_strong\_\_ &#126;&#126;strike&#126;&#126; &#36;x&#36; &#61;&#61;mark&#61;&#61; &#37;&#37;hidden&#37;&#37; \#tag &#64;cite a\\b

**What was your part in it?**

🙂 עברית مرحبا — trust⏎
trailing spaces&#32;&#32;&#32;



after three blank lines&#9;⏎
&#61;&#61;&#61; and 2026. too

## Glossary

### Rupture and repair

A strain in the relationship, and mending it.

Repairs can deepen trust.

Sources:

- Review: A review of the alliance (Example, 2018), section “Alliance”, lines 10-12; cites Bordin, 1979

[Open this card in the bot](https://t.me/reflect_test_bot?start=c-rupture-and-repair)

### The therapeutic alliance

The working partnership between client and therapist.

Sources:

- Review: A review of the alliance (Example, 2018), section “Alliance”, lines 10-12; cites Bordin, 1979

[Open this card in the bot](https://t.me/reflect_test_bot?start=c-therapeutic-alliance)

## Totals

- Reflections: 2
- CPD minutes: 13
- Ruptures reported: 1
- Repair reflections completed: 1
"""
)

EMPTY_RANGE = _golden(
    r"""---
title: "Reflective practice journal"
exported_at: 2026-11-30T18:05:00+01:00
range_start: 2026-09-01
range_end: 2026-09-30
timezone: "Europe/Berlin"
reflections: 0
answers: 0
cpd_minutes: 0
ruptures: 0
repairs: 0
---

# Reflective practice journal

From 2026-09-01 to 2026-09-30 · Times in Europe/Berlin · Exported 2026-11-30 18:05

## Totals

- Reflections: 0
- CPD minutes: 0
- Ruptures reported: 0
- Repair reflections completed: 0
"""
)


def test_typical_month() -> None:
    """Ratings with their scale, a choice, an edited note, a skipped step, a repair that
    names a concept, an incomplete check-in after local midnight, glossary and totals."""
    reflections = [
        checkin(
            1,
            datetime(2026, 11, 3, 16, 40, tzinfo=UTC),
            ratings=(2, 3, 3, 2, 2),
            rupture="withdrawal",
            note="She went quiet when I mentioned the homework.\nI felt a pull to fill the silence.",
            note_edited=True,
            seconds=260,
        ),
        repair(
            2,
            datetime(2026, 11, 3, 17, 0, tzinfo=UTC),
            "I moved on too fast after she went quiet.",
            "I could be more empathic about how hard the homework is.",
        ),
        checkin(3, datetime(2026, 11, 10, 8, 15, tzinfo=UTC), ratings=(5, 4, 4, 5, 4), seconds=95),
    ]
    cancelled = checkin(
        4,
        datetime(2026, 11, 17, 23, 30, tzinfo=UTC),
        ratings=(1, 3, 3, 3, 3),
        status="incomplete",
        seconds=30,
    )
    reflections.append(dataclasses.replace(cancelled, answers=cancelled.answers[:2]))
    assert render(journal_of(reflections), bot_username="reflect_test_bot") == TYPICAL_MONTH


def test_hostile_month() -> None:
    """Markdown, HTML, tables, fences, indentation, blank lines, emoji and RTL stay literal;
    the author's name cannot break out of the YAML front matter."""
    reflections = [
        checkin(
            1,
            datetime(2026, 11, 4, 19, 0, tzinfo=UTC),
            rupture="withdrawal",
            note=(
                "# Not a heading\n- not a list\n+ nor this\n1. nor this\n2) nor this\n"
                "> not a quote\n\n| a | b |\n|---|---|\n---\n***\n\n    not code\n```\n"
                "not a fence\n```"
            ),
            seconds=300,
        ),
        repair(
            2,
            datetime(2026, 11, 4, 19, 10, tzinfo=UTC),
            "<script>alert('x')</script> & <b>bold</b> &amp; [link](http://example.com) "
            "![img](x.png) [[wiki]] `code` *em* __strong__ ~~strike~~ $x$ ==mark== "
            "%%hidden%% #tag @cite a\\b",
            "🙂 עברית مرحبا — trust\ntrailing spaces   \n\n\n\nafter three blank lines\t\n"
            "=== and 2026. too",
        ),
    ]
    journal = journal_of(reflections, author='Dr. "Ana" <Ruiz> #1\nsecond: line')
    assert render(journal, bot_username="reflect_test_bot") == HOSTILE_MONTH


def test_empty_range() -> None:
    """No reflections: front matter with zero counts, the title and the totals, no glossary."""
    request = ExportRequest(ExportScope.RANGE, start=date(2026, 9, 1), end=date(2026, 9, 30))
    journal = journal_of([], request, author=None)
    assert journal.is_empty
    assert render(journal, bot_username="reflect_test_bot") == EMPTY_RANGE
