"""The alliance trend as a PNG, drawn with Pillow, readable on a phone.

Telegram shows photos about 320–400 px wide; the chart is drawn at twice 400 px so text stays
sharp when the phone scales it. Each rating has a colour from the Okabe–Ito palette (safe for
the common colour-vision deficiencies) and its own marker shape, so the lines can be told apart
without colour too. A week with no rating breaks its line: no point is invented. Ruptures and
repairs are marked on a row beneath the weeks they happened in.

Pillow is imported when a chart is drawn, not when the bot starts (idle memory and start-up
stay as they were). The numbers themselves go in the caption (`trend_caption`), for screen
readers and for anyone who prefers them.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reflect_bot.domain.trend import AllianceTrend, TrendWeek
from reflect_bot.ui import texts

if TYPE_CHECKING:
    from PIL import ImageDraw, ImageFont

SCALE = 2
WIDTH, HEIGHT = 400 * SCALE, 300 * SCALE
BACKGROUND = (255, 255, 255)
INK = (34, 34, 34)
GRID = (225, 225, 225)
MUTED = (110, 110, 110)
# Okabe & Ito (2008), "Color Universal Design": blue, orange, bluish green, reddish purple.
SERIES_COLOURS = ((0, 114, 178), (230, 159, 0), (0, 158, 115), (204, 121, 167))
MARKERS = ("circle", "square", "triangle", "diamond")
RUPTURE_COLOUR = (213, 94, 0)  # vermillion
REPAIR_COLOUR = (0, 114, 178)
LOWEST, HIGHEST = 1, 5

# Plot area (left, top, right, bottom) in pixels.
LEFT, TOP, RIGHT, BOTTOM = 34 * SCALE, 58 * SCALE, 392 * SCALE, 238 * SCALE
EVENTS_Y = 252 * SCALE
DATES_Y = 270 * SCALE


@dataclass(frozen=True, slots=True)
class _Fonts:
    title: ImageFont.FreeTypeFont | ImageFont.ImageFont
    label: ImageFont.FreeTypeFont | ImageFont.ImageFont
    small: ImageFont.FreeTypeFont | ImageFont.ImageFont


def _fonts() -> _Fonts:
    from PIL import ImageFont

    # Pillow's own bundled font: the same glyphs on every machine, no system font needed.
    return _Fonts(
        title=ImageFont.load_default(size=15 * SCALE),
        label=ImageFont.load_default(size=12 * SCALE),
        small=ImageFont.load_default(size=10 * SCALE),
    )


def draw_trend(trend: AllianceTrend) -> bytes:
    """The chart as PNG bytes (call only when `trend.drawable`)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    fonts = _fonts()
    weeks = trend.weeks
    draw.text(
        (LEFT - 24 * SCALE, 8 * SCALE),
        texts.TREND_CHART_TITLE.format(weeks=len(weeks)),
        font=fonts.title,
        fill=INK,
    )
    _legend(draw, trend.steps, fonts)
    _grid(draw, fonts)
    xs = _week_xs(len(weeks))
    for index, step in enumerate(trend.steps):
        _series(draw, xs, [week.tenths.get(step) for week in weeks], index)
    _events(draw, xs, weeks, fonts)
    _dates(draw, xs, weeks, fonts)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()


def _week_xs(count: int) -> list[float]:
    inset = 10 * SCALE
    if count == 1:
        return [(LEFT + RIGHT) / 2]
    step = (RIGHT - LEFT - 2 * inset) / (count - 1)
    return [LEFT + inset + n * step for n in range(count)]


def _y(tenths: int) -> float:
    share = (tenths / 10 - LOWEST) / (HIGHEST - LOWEST)
    return BOTTOM - share * (BOTTOM - TOP)


def _legend(draw: ImageDraw.ImageDraw, steps: Sequence[str], fonts: _Fonts) -> None:
    x, y = float(LEFT - 24 * SCALE), 34 * SCALE
    for index, step in enumerate(steps):
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        draw.line([(x, y), (x + 16 * SCALE, y)], fill=colour, width=2 * SCALE)
        _marker(draw, x + 8 * SCALE, y, index)
        name = texts.DIGEST_ALLIANCE_NAMES.get(step, step)
        draw.text((x + 20 * SCALE, y), name, font=fonts.label, fill=INK, anchor="lm")
        x += 20 * SCALE + draw.textlength(name, font=fonts.label) + 14 * SCALE


def _grid(draw: ImageDraw.ImageDraw, fonts: _Fonts) -> None:
    for value in range(LOWEST, HIGHEST + 1):
        y = _y(value * 10)
        draw.line([(LEFT, y), (RIGHT, y)], fill=GRID, width=SCALE)
        draw.text((LEFT - 8 * SCALE, y), str(value), font=fonts.label, fill=MUTED, anchor="rm")


def _series(
    draw: ImageDraw.ImageDraw, xs: Sequence[float], values: Sequence[int | None], index: int
) -> None:
    colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
    # Lines that share values would hide each other: each series sits a little apart.
    nudge = (index - 1.5) * 2.5 * SCALE
    points = [
        (x + nudge, _y(v)) if v is not None else None for x, v in zip(xs, values, strict=True)
    ]
    for first, second in itertools.pairwise(points):
        if first is not None and second is not None:  # a gap breaks the line
            draw.line([first, second], fill=colour, width=2 * SCALE)
    for point in points:
        if point is not None:
            _marker(draw, point[0], point[1], index)


def _marker(draw: ImageDraw.ImageDraw, x: float, y: float, index: int) -> None:
    colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
    r = 4 * SCALE
    shape = MARKERS[index % len(MARKERS)]
    if shape == "circle":
        draw.ellipse([x - r, y - r, x + r, y + r], fill=colour, outline=BACKGROUND, width=SCALE)
    elif shape == "square":
        draw.rectangle([x - r, y - r, x + r, y + r], fill=colour, outline=BACKGROUND, width=SCALE)
    elif shape == "triangle":
        draw.polygon([(x, y - r - SCALE), (x - r, y + r), (x + r, y + r)], fill=colour)
    else:
        draw.polygon(
            [(x, y - r - SCALE), (x + r + SCALE, y), (x, y + r + SCALE), (x - r - SCALE, y)],
            fill=colour,
        )


def _events(
    draw: ImageDraw.ImageDraw, xs: Sequence[float], weeks: Sequence[TrendWeek], fonts: _Fonts
) -> None:
    """A downward triangle per week with ruptures (with the count), a ring per week with repairs."""
    r = 5 * SCALE
    for x, week in zip(xs, weeks, strict=True):
        if week.ruptures:
            cx = x - (r if week.repairs else 0)
            draw.polygon(
                [(cx - r, EVENTS_Y - r), (cx + r, EVENTS_Y - r), (cx, EVENTS_Y + r)],
                fill=RUPTURE_COLOUR,
            )
            if week.ruptures > 1:
                draw.text(
                    (cx, EVENTS_Y - r - 2 * SCALE),
                    str(week.ruptures),
                    font=fonts.small,
                    fill=RUPTURE_COLOUR,
                    anchor="mb",
                )
        if week.repairs:
            cx = x + (r if week.ruptures else 0)
            draw.ellipse(
                [cx - r, EVENTS_Y - r, cx + r, EVENTS_Y + r], outline=REPAIR_COLOUR, width=2 * SCALE
            )
    if any(week.ruptures or week.repairs for week in weeks):
        _event_key(draw, fonts)


def _event_key(draw: ImageDraw.ImageDraw, fonts: _Fonts) -> None:
    """What the two event marks mean, at the right end of the title line."""
    r = 4 * SCALE
    y = 16 * SCALE
    x = float(RIGHT)
    for label, mark in ((texts.TREND_KEY_REPAIR, "ring"), (texts.TREND_KEY_RUPTURE, "triangle")):
        draw.text((x, y), label, font=fonts.small, fill=MUTED, anchor="rm")
        x -= draw.textlength(label, font=fonts.small) + 4 * SCALE + r
        if mark == "ring":
            draw.ellipse([x - r, y - r, x + r, y + r], outline=REPAIR_COLOUR, width=2 * SCALE)
        else:
            draw.polygon([(x - r, y - r), (x + r, y - r), (x, y + r)], fill=RUPTURE_COLOUR)
        x -= r + 10 * SCALE


def _dates(
    draw: ImageDraw.ImageDraw, xs: Sequence[float], weeks: Sequence[TrendWeek], fonts: _Fonts
) -> None:
    """The Monday of each week, thinned out so labels never collide."""
    every = 1 if len(weeks) <= 6 else 2 if len(weeks) <= 13 else 4
    last = len(weeks) - 1
    for n, (x, week) in enumerate(zip(xs, weeks, strict=True)):
        if (last - n) % every:
            continue
        monday = week.week.start
        label = f"{monday.day} {texts.MONTH_NAMES[monday.month - 1]}"
        draw.text((x, DATES_Y), label, font=fonts.small, fill=MUTED, anchor="mt")


#: Telegram's limit for a photo's caption.
MAX_CAPTION_LENGTH = 1024


@dataclass(frozen=True, slots=True)
class Chart:
    """The chart and its numbers as text: the caption, and what did not fit in it (a message
    of its own, sent right after the photo)."""

    png: bytes
    caption: str
    numbers_after: str | None = None


def chart_of(trend: AllianceTrend) -> Chart | None:
    """The chart for `trend`, or None with fewer than two weeks of ratings."""
    if not trend.drawable:
        return None
    numbers = trend_caption(trend)
    png = draw_trend(trend)
    if len(numbers) <= MAX_CAPTION_LENGTH:
        return Chart(png, numbers)
    title = texts.TREND_CAPTION_TITLE.format(weeks=len(trend.weeks))
    return Chart(png, title, numbers)


def trend_caption(trend: AllianceTrend) -> str:
    """The chart's numbers as text (Telegram HTML): one line per week with ratings or events,
    then how many weeks had none. Longer than a photo caption allows (1,024 characters) for
    long spans: the sender then puts it in a message of its own."""
    lines = [texts.TREND_CAPTION_TITLE.format(weeks=len(trend.weeks))]
    for week in trend.weeks:
        if not week.rated and not week.ruptures:
            continue
        monday = week.week.start
        parts = [
            f"{texts.DIGEST_ALLIANCE_NAMES.get(step, step)} {_tenths(value)}"
            for step in trend.steps
            if (value := week.tenths.get(step)) is not None
        ]
        if week.ruptures:
            parts.append(
                texts.TREND_CAPTION_EVENTS.format(ruptures=week.ruptures, repairs=week.repairs)
            )
        day = f"{monday.day} {texts.MONTH_NAMES[monday.month - 1]}"
        lines.append(texts.TREND_CAPTION_WEEK.format(day=day, values=" · ".join(parts)))
    empty = sum(1 for week in trend.weeks if not week.rated)
    if empty:
        lines.append(texts.TREND_CAPTION_GAPS.format(empty=empty, weeks=len(trend.weeks)))
    return "\n".join(lines)


def _tenths(value: int) -> str:
    return f"{value // 10}.{value % 10}"
