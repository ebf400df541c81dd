"""The alliance chart, drawn for fixed data and compared with approved images (pixel-tolerant:
anti-aliasing may differ by a shade between Pillow builds, the picture may not)."""

from __future__ import annotations

import io
import os
from datetime import date
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from reflect_bot.domain.digest import IsoWeek
from reflect_bot.domain.trend import AllianceTrend, TrendWeek
from reflect_bot.render.charts import HEIGHT, WIDTH, draw_trend, trend_caption

GOLDEN = Path(__file__).parent.parent / "data" / "charts"
REGENERATE = os.environ.get("REFLECT_REGENERATE_GOLDEN") == "1"
# A pixel counts as different when a channel moves by more than this; at most this share may.
CHANNEL_TOLERANCE = 48
PIXEL_SHARE = 0.005

Ratings = tuple[int, int, int, int] | None


def _trend(
    values: list[Ratings], events: dict[int, tuple[int, int]] | None = None
) -> AllianceTrend:
    last = IsoWeek.containing(date(2026, 11, 30))
    weeks = []
    for n, rated in enumerate(values):
        tenths = dict(zip(("bond", "goals", "tasks", "overall"), rated or (None,) * 4, strict=True))
        ruptures, repairs = (events or {}).get(n, (0, 0))
        weeks.append(
            TrendWeek(
                week=last.shifted(n - len(values) + 1),
                tenths=tenths,
                check_ins=2 if rated else 0,
                ruptures=ruptures,
                repairs=repairs,
            )
        )
    return AllianceTrend(weeks=tuple(weeks))


TRENDS = {
    "gaps-and-ruptures": _trend(
        [
            (38, 40, 36, 39),
            None,
            (40, 42, 41, 40),
            (35, 30, 33, 34),
            (33, 30, 30, 31),
            None,
            None,
            (41, 40, 42, 44),
            (44, 43, 45, 45),
            (42, 42, 42, 42),
            (45, 44, 44, 46),
            (46, 45, 44, 47),
        ],
        {3: (1, 0), 4: (2, 1), 7: (0, 1)},
    ),
    "two-weeks": _trend([(30, 35, 40, 45), (50, 45, 40, 35)]),
    "half-a-year": _trend(
        [((20 + n) % 30 + 20, (25 + 2 * n) % 40 + 10, 30 + n % 20, 40 - n % 15) for n in range(26)]
    ),
}


@pytest.mark.parametrize("name", sorted(TRENDS))
def test_chart_matches_the_approved_picture(name: str) -> None:
    drawn = Image.open(io.BytesIO(draw_trend(TRENDS[name]))).convert("RGB")
    assert drawn.size == (WIDTH, HEIGHT)
    path = GOLDEN / f"{name}.png"
    if REGENERATE:
        drawn.save(path)
        pytest.skip(f"regenerated {path.name}: look at it before committing")
    approved = Image.open(path).convert("RGB")
    red, green, blue = ImageChops.difference(drawn, approved).split()
    largest = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    changed = largest.point(lambda v: 255 if v > CHANNEL_TOLERANCE else 0).histogram()[255]
    assert changed <= PIXEL_SHARE * WIDTH * HEIGHT, f"{changed} pixels differ from {path.name}"


def test_a_gap_week_has_no_point_and_no_line_through_it() -> None:
    """Week 2 of "gaps-and-ruptures" has no check-in: its column stays background from the
    5 line down to the 1 line, where a made-up point or a joining line would be."""
    from reflect_bot.render.charts import BOTTOM, TOP, _week_xs

    trend = TRENDS["gaps-and-ruptures"]
    drawn = Image.open(io.BytesIO(draw_trend(trend))).convert("RGB")
    x = round(_week_xs(len(trend.weeks))[5])  # the middle of the two empty weeks (5 and 6)
    column = [drawn.getpixel((x, y)) for y in range(TOP + 4, BOTTOM - 4)]
    coloured = [pixel for pixel in column if isinstance(pixel, tuple) and len(set(pixel)) > 1]
    assert coloured == []


def test_the_caption_gives_the_numbers_as_text() -> None:
    assert trend_caption(TRENDS["gaps-and-ruptures"]) == (
        "<b>Alliance over the last 12 weeks</b> · weekly check-in averages (1–5)\n"
        "14 Sep: Bond 3.8 · Goals 4.0 · Tasks 3.6 · Overall 3.9\n"
        "28 Sep: Bond 4.0 · Goals 4.2 · Tasks 4.1 · Overall 4.0\n"
        "5 Oct: Bond 3.5 · Goals 3.0 · Tasks 3.3 · Overall 3.4 · ruptures 1, repaired 0\n"
        "12 Oct: Bond 3.3 · Goals 3.0 · Tasks 3.0 · Overall 3.1 · ruptures 2, repaired 1\n"
        "2 Nov: Bond 4.1 · Goals 4.0 · Tasks 4.2 · Overall 4.4\n"
        "9 Nov: Bond 4.4 · Goals 4.3 · Tasks 4.5 · Overall 4.5\n"
        "16 Nov: Bond 4.2 · Goals 4.2 · Tasks 4.2 · Overall 4.2\n"
        "23 Nov: Bond 4.5 · Goals 4.4 · Tasks 4.4 · Overall 4.6\n"
        "30 Nov: Bond 4.6 · Goals 4.5 · Tasks 4.4 · Overall 4.7\n"
        "No check-in ratings in 3 of the 12 weeks (gaps in the chart)."
    )
