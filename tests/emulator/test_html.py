"""The strict Telegram-HTML parser: what it accepts, what it refuses, and the texts."""

from __future__ import annotations

import pytest

from reflect_bot.emulator import HTMLParseError, entities_to_html, parse_html


def test_simple_tags_become_entities() -> None:
    parsed = parse_html("<b>bold</b> <strong>s</strong> <i>i</i><em>e</em> <u>u</u><ins>n</ins>")
    assert parsed.text == "bold s ie un"
    kinds = [(e["type"], e["offset"], e["length"]) for e in parsed.entities]
    assert kinds == [
        ("bold", 0, 4),
        ("bold", 5, 1),
        ("italic", 7, 1),
        ("italic", 8, 1),
        ("underline", 10, 1),
        ("underline", 11, 1),
    ]


def test_strikethrough_spoiler_code_blockquote_and_emoji() -> None:
    parsed = parse_html(
        "<s>a</s><strike>b</strike><del>c</del><tg-spoiler>d</tg-spoiler>"
        '<span class="tg-spoiler">e</span><code>f</code><blockquote>g</blockquote>'
        "<blockquote expandable>h</blockquote>"
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
    )
    assert parsed.text == "abcdefgh👍"
    assert [e["type"] for e in parsed.entities] == [
        "strikethrough",
        "strikethrough",
        "strikethrough",
        "spoiler",
        "spoiler",
        "code",
        "blockquote",
        "expandable_blockquote",
        "custom_emoji",
    ]
    assert parsed.entities[-1]["custom_emoji_id"] == "5368324170671202286"
    assert parsed.entities[-1]["length"] == 2  # 👍 is two UTF-16 code units


def test_pre_with_language_merges_into_one_entity() -> None:
    parsed = parse_html('<pre><code class="language-python">print(1)</code></pre>')
    assert parsed.entities == [{"offset": 0, "length": 8, "type": "pre", "language": "python"}]
    plain = parse_html("<pre>x</pre>")
    assert plain.entities == [{"offset": 0, "length": 1, "type": "pre"}]
    # A language outside <pre> is ignored, as on Telegram.
    assert parse_html('<code class="language-x">y</code>').entities == [
        {"offset": 0, "length": 1, "type": "code"}
    ]


def test_links_and_mentions() -> None:
    parsed = parse_html(
        '<a href="https://example.org/a?b=1&amp;c=2">site</a> <a href="tg://user?id=42">Ada</a>'
    )
    assert parsed.entities[0] == {
        "offset": 0,
        "length": 4,
        "type": "text_link",
        "url": "https://example.org/a?b=1&c=2",
    }
    assert parsed.entities[1]["type"] == "text_mention"
    assert parsed.entities[1]["user"]["id"] == 42
    # Telegram drops links it cannot use instead of failing.
    assert parse_html('<a href="javascript:alert(1)">x</a>').entities == []


def test_character_entities_are_decoded() -> None:
    parsed = parse_html("a &lt; b &gt; c &amp; &quot;d&quot; &#65;&#x42; &lt")
    assert parsed.text == 'a < b > c & "d" AB <'
    assert parsed.entities == []


def test_offsets_count_utf16_code_units() -> None:
    parsed = parse_html("😀😀 <b>x</b>")
    assert parsed.entities == [{"offset": 5, "length": 1, "type": "bold"}]


def test_tags_are_case_insensitive_and_nesting_is_kept() -> None:
    parsed = parse_html("<B>bold <I>both</I></B>")
    assert parsed.text == "bold both"
    assert [(e["type"], e["offset"], e["length"]) for e in parsed.entities] == [
        ("bold", 0, 9),
        ("italic", 5, 4),
    ]


def test_empty_entities_are_dropped() -> None:
    assert parse_html("a<b></b>b").entities == []


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("Hello <foo>x</foo>", 'Unsupported start tag "foo" at byte offset 6'),
        ("line<br>break", 'Unsupported start tag "br" at byte offset 4'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("é<b", "Unclosed start tag at byte offset 2"),
        ("<b>never closed", 'Can\'t find end tag corresponding to start tag "b"'),
        (
            "<b><i>x</b></i>",
            'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"',
        ),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        (
            "<a href=x y>z</a>",
            'Expected equal sign in declaration of an attribute of the tag "a" at byte offset 0',
        ),
        ("<tg-emoji>x</tg-emoji>", "Invalid custom emoji identifier specified"),
    ],
)
def test_refusals_match_telegram(source: str, message: str) -> None:
    with pytest.raises(HTMLParseError) as caught:
        parse_html(source)
    assert str(caught.value) == message


def test_bare_ampersand_is_refused_in_strict_mode_only() -> None:
    with pytest.raises(HTMLParseError, match='Unescaped "&" at byte offset 5'):
        parse_html("Tips & tricks")
    assert parse_html("Tips & tricks", strict_ampersand=False).text == "Tips & tricks"


def test_entities_to_html_round_trips() -> None:
    source = (
        '<b>Hi <i>there</i></b> &lt;3 <a href="https://e.org/">link</a> '
        '<pre><code class="language-py">x</code></pre>'
    )
    parsed = parse_html(source)
    rendered = entities_to_html(parsed.text, parsed.entities)
    assert rendered == source
    assert parse_html(rendered) == parsed
