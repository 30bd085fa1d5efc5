"""Plants line terminators in a scratch copy of the frozen reference rules (`rules/` in the
current folder), for the hostile cases of this folder. Each plant says what
a reviewer's editor or terminal shows and what verdikt would read.

    python3 plant.py lone-cr | separators | string ...
"""
import sys

PATH = "rules/10-limit_adjustment.vk"


def replace(text, old, new):
    assert old in text, old
    return text.replace(old, new, 1)


def lone_cr(text):
    # An editor shows a second condition, `violations.open = 0`, on a line
    # of its own (a terminal overprints the comment with it); verdikt would
    # read the whole line as the comment, and raise merchants with open
    # violations.
    return replace(
        text,
        "    when all of\n      store.rating >= 4.8",
        "    when all of\n"
        "      # reviewed 2026-12\r"
        '      violations.open = 0                      else "有未处理违规"\n'
        "      store.rating >= 4.8",
    )


def separators(text):
    # U+2028 and VT in comments, U+0085 and FF between the tokens of code.
    text = replace(
        text,
        "  # The most the quota may rise to: 130% of today's limit, half of 90-day\n",
        "  # The most the quota may rise to:\u2028  # 130% of today's limit,\u000b  # half of 90-day\n",
    )
    text = replace(text, "  rule freeze \"冻结额度\"\n", "  rule freeze\u0085\"冻结额度\"\n")
    return replace(text, "  rule decrease \"降低额度\"\n", "  rule decrease\u000c\"降低额度\"\n")


def string(text):
    # U+2029 inside a reason a merchant reads.
    return replace(text, "不参与额度调整", "不参与\u2029额度调整")


PLANTS = {"lone-cr": lone_cr, "separators": separators, "string": string}

text = open(PATH, encoding="utf-8", newline="").read()
for name in sys.argv[1:]:
    text = PLANTS[name](text)
open(PATH, "w", encoding="utf-8", newline="").write(text)
