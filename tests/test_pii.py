"""Tests of personal-data masking (issue 16): the patterns, the counts, and masking on by
default where comments leave the toolkit (follow-up queue and its CSV, rejected rows)."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csat_toolkit.core.followup import followup_queue, to_safe_csv
from csat_toolkit.core.pii import (
    PII_KINDS, MaskResult, find_pii, free_text_columns, luhn_valid, mask_columns, mask_pii,
    mask_text, masked_sentence,
)
from csat_toolkit.errors import FileFormatError, MissingColumnError, ParameterError
from csat_toolkit.io import load_responses
from csat_toolkit.io.loaded import REJECTED_CSV, mask_parquet

# --- what is masked ----------------------------------------------------------------------

MASKED = [
    # e-mail addresses
    ("mail jo@example.com please", "mail [email] please"),
    ("jo.doe+tag@mail.example.co.uk.", "[email]."),
    ("请联系zhang@example.com谢谢", "请联系[email]谢谢"),
    ("Στείλτε στο maria_p@otenet.gr παρακαλώ", "Στείλτε στο [email] παρακαλώ"),
    ("jo [at] example [dot] com", "[email]"),
    ("jo(at)example.com", "[email]"),
    ("jo at example dot com", "[email]"),
    ("ＪＯ＠ＥＸＡＭＰＬＥ．ＣＯＭ", "[email]"),
    ("=HYPERLINK(\"mailto:a@b.com\")", "=HYPERLINK(\"mailto:[email]\")"),
    # phone numbers, the brief's examples and their neighbours
    ("+44 20 7946 0958", "[phone]"),
    ("call (555) 123-4567 today", "call [phone] today"),
    ("+30 210 123 4567", "[phone]"),
    ("+371 2000 0000", "[phone]"),
    ("0712 345 678", "[phone]"),
    ("138 0013 8000", "[phone]"),
    ("081-234-5678", "[phone]"),
    ("13800138000", "[phone]"),
    ("+86 138 0013 8000", "[phone]"),
    ("+8613800138000", "[phone]"),
    ("0086 138 0013 8000", "[phone]"),
    ("555.123.4567", "[phone]"),
    ("01.23.45.67.89", "[phone]"),
    ("+44 (0)20 7946 0958", "[phone]"),
    ("mob. 26 123 456", "mob. [phone]"),
    ("030 12345678", "[phone]"),
    ("+40 721 234 567", "[phone]"),
    ("τηλ. 6912345678", "τηλ. [phone]"),
    ("电话：13800138000谢谢", "电话：[phone]谢谢"),
    ("โทร081-234-5678ครับ", "โทร[phone]ครับ"),
    # Unicode digits: Thai, full-width
    ("โทร ๐๘๑-๒๓๔-๕๖๗๘", "โทร [phone]"),
    ("１３８００１３８０００", "[phone]"),
    ("１３８－００１３－８０００", "[phone]"),
    # card-like numbers, Luhn or not
    ("card 4111 1111 1111 1111 was charged", "card [card] was charged"),
    ("4111-1111-1111-1111", "[card]"),
    ("4111111111111111", "[card]"),
    ("4111 1111 1111 1112", "[card]"),
    ("amex 3782-822463-10005", "amex [card]"),
    ("４１１１ １１１１ １１１１ １１１１", "[card]"),
    # several kinds in one text, emoji kept
    ("😡 a@b.com / 0712 345 678 / 5500 0000 0000 0004 😡",
     "😡 [email] / [phone] / [card] 😡"),
]

KEPT = [
    "2024-03-01", "01/03/2024", "1.3.2024", "2024/03/01-2024/03/05", "2024-03-01 2024-03-02",
    "2019-2024", "2024-03-01 10:30:00", "10:30", "at 14.30", "$1,299.00", "1 299,00 lei",
    "€ 12 345 678", "12.345.678 lei", "12345678,50", "3.14159265", "ticket 1234567",
    "#123456", "order ORD12345678", "A-1234-5678", "95%", "12345678%", "v10.0.19045.3803",
    "10.0.19045.3803", "1.2.3", "I was at amazon.com", "see you at noon", "no PII here 🙂",
    "x" * 30, "", "Πολύ αργή εξυπηρέτηση", "服务很慢", "บริการช้ามาก",
]


@pytest.mark.parametrize("text, expected", MASKED)
def test_masked(text, expected):
    assert mask_text(text) == expected


@pytest.mark.parametrize("text", KEPT)
def test_kept(text):
    assert mask_text(text) == text
    assert find_pii(text) == []


def test_kinds_found_in_order_email_card_phone():
    # digits inside an address are the address; a 16-digit card is not a phone
    assert mask_text("12345678901234@example.com") == "[email]"
    assert [m.kind for m in find_pii("4111 1111 1111 1111")] == ["card"]
    # a phone with its country code is not a card even with 13 digits
    assert [m.kind for m in find_pii("+86 138 0013 8000")] == ["phone"]


def test_find_pii_spans_are_in_the_original_text():
    text = "Γράψτε: ｍａｒｉａ＠ｅｘａｍｐｌｅ．ｇｒ ή ๐๘๑-๒๓๔-๕๖๗๘"
    found = find_pii(text)
    assert [(m.kind, text[m.start:m.end]) for m in found] == [
        ("email", "ｍａｒｉａ＠ｅｘａｍｐｌｅ．ｇｒ"), ("phone", "๐๘๑-๒๓๔-๕๖๗๘")]


def test_kinds_limit_what_is_masked():
    text = "a@b.com, 0712 345 678, 4111 1111 1111 1111"
    assert mask_text(text, kinds=("email",)) == "[email], 0712 345 678, 4111 1111 1111 1111"
    assert mask_text(text, kinds="phone") == "a@b.com, [phone], 4111 1111 1111 1111"
    assert mask_text(text, kinds=("card", "email")) == "[email], 0712 345 678, [card]"


def test_numbers_written_back_to_back_are_one_run():
    # 0712 345 678 4111 1111 1111 1111 is one run of 26 digits: longer than a card,
    # so kept (documented); a comma or a word between them separates them
    assert mask_text("0712 345 678 4111 1111 1111 1111") == "0712 345 678 4111 1111 1111 1111"
    assert mask_text("0712 345 678 / 4111 1111 1111 1111") == "[phone] / [card]"


def test_luhn():
    assert luhn_valid("4111 1111 1111 1111")
    assert luhn_valid("378282246310005")
    assert not luhn_valid("4111 1111 1111 1112")
    assert not luhn_valid("")


# --- a column of texts -------------------------------------------------------------------


def texts() -> pd.Series:
    return pd.Series(
        ["mail a@b.com or c@d.org", None, "call 0712 345 678", "fine",
         "card 4111 1111 1111 1111 and 4111 1111 1111 1112", "a@b.com", 42],
        index=[10, 11, 12, 13, 14, 15, 16], name="comment", dtype=object)


def test_mask_pii_series_text_and_counts():
    result = mask_pii(texts())
    assert isinstance(result, MaskResult)
    assert result.text.tolist() == ["mail [email] or [email]", None, "call [phone]", "fine",
                                    "card [card] and [card]", "[email]", 42]
    assert result.text.index.tolist() == [10, 11, 12, 13, 14, 15, 16]
    assert result.text.name == "comment"
    counts = result.counts
    assert counts["kind"].tolist() == ["email", "phone", "card"]
    assert counts["comments"].tolist() == [2, 1, 1]
    assert counts["matches"].tolist() == [3, 1, 2]
    assert counts["luhn_valid"].tolist()[2] == 1
    assert counts["luhn_valid"].isna().tolist() == [True, True, False]
    assert result.n_texts == 5
    assert result.to_dict() == {"email": 3, "phone": 1, "card": 2}
    assert result.per_text.loc[10].tolist() == [2, 0, 0]
    assert result.summary() == ("3 e-mail addresses, 1 phone number and 2 card-like numbers "
                                "masked in 4 of 5 texts.")


def test_mask_pii_keeps_dtypes_and_missing_values():
    strings = pd.Series(["a@b.com", pd.NA, "ok"], dtype="string")
    out = mask_pii(strings).text
    assert out.dtype == strings.dtype
    assert out.tolist()[0] == "[email]" and pd.isna(out.tolist()[1])
    cats = pd.Series(["a@b.com", "ok", "a@b.com"], dtype="category")
    out = mask_pii(cats).text
    assert isinstance(out.dtype, pd.CategoricalDtype)
    assert out.tolist() == ["[email]", "ok", "[email]"]
    assert mask_pii(cats).counts["comments"].tolist() == [2, 0, 0]
    assert mask_pii(["a@b.com", "x"]).text.tolist() == ["[email]", "x"]


def test_mask_pii_of_a_str_is_a_str():
    assert mask_pii("Call 0712 345 678") == "Call [phone]"


def test_mask_pii_nothing_found_and_empty():
    result = mask_pii(pd.Series(["ok", "fine"]))
    assert result.summary() == "No e-mail address, phone number or card-like number found to mask."
    empty = mask_pii(pd.Series([], dtype=object))
    assert empty.counts["matches"].tolist() == [0, 0, 0]
    assert empty.text.empty


def test_mask_result_display():
    result = mask_pii(pd.Series(["<b>a@b.com</b>"]))
    page = result._repr_html_()
    assert "1 e-mail address masked in 1 of 1 texts." in page
    assert "<b>a@b.com" not in page
    assert repr(result) == "MaskResult(1 e-mail address masked in 1 of 1 texts.)"


def test_masked_sentence_forms():
    assert masked_sentence({"email": 3, "phone": 1, "card": 0}) == (
        "3 e-mail addresses and 1 phone number masked.")
    assert masked_sentence({"card": 1}) == "1 card-like number masked."
    frame = pd.DataFrame({"kind": ["email", "phone"], "matches": [1, 2]})
    assert masked_sentence(frame) == "1 e-mail address and 2 phone numbers masked."
    assert masked_sentence(None) == "Personal data was not masked (mask_pii=False)."


def test_free_text_columns_by_name():
    frame = pd.DataFrame(columns=["response_id", "Comment", "Verbatim", "feedback_text",
                                 "Why did you score?", "reason", "team", "customer_id"])
    assert free_text_columns(frame) == ["Comment", "Verbatim", "feedback_text",
                                        "Why did you score?", "reason"]


def test_mask_columns_default_and_named():
    frame = pd.DataFrame({"customer_id": ["jo@example.com"], "comment": ["a@b.com"],
                          "note": ["0712 345 678"], "agent": ["0712 345 678"]})
    out = mask_columns(frame)
    assert out.iloc[0].tolist() == ["jo@example.com", "[email]", "[phone]", "0712 345 678"]
    assert out.attrs["pii_masked"] == {"email": 1, "phone": 1, "card": 0}
    assert out.attrs["pii_masked_columns"] == ["comment", "note"]
    assert frame["comment"].tolist() == ["a@b.com"]  # input untouched
    named = mask_columns(frame, "agent")
    assert named.iloc[0].tolist() == ["jo@example.com", "a@b.com", "0712 345 678", "[phone]"]


# --- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize("kinds", [("email", "address"), (), None, "ssn"])
def test_unknown_kinds(kinds):
    with pytest.raises(ParameterError, match="kinds must name what to mask, from email, "
                                             "phone, card"):
        mask_text("x", kinds=kinds)


def test_not_text():
    with pytest.raises(ParameterError, match="mask_text needs a text .str.; got int"):
        mask_text(12345678)
    with pytest.raises(ParameterError, match="find_pii needs a text .str.; got float"):
        find_pii(1.5)
    with pytest.raises(ParameterError, match="mask_pii needs texts: a pandas Series"):
        mask_pii(12345678)
    with pytest.raises(ParameterError, match="mask_columns needs a DataFrame; got list"):
        mask_columns(["a@b.com"])


def test_mask_columns_missing_column():
    with pytest.raises(MissingColumnError, match="Cannot mask the column.s. 'comments'"):
        mask_columns(pd.DataFrame({"comment": ["x"]}), ["comments"])


# --- properties --------------------------------------------------------------------------

TRICKY = st.lists(st.sampled_from(list("0123456789 +-.()/@%$,:ax[]_ＡＢ１๘€\n")
                                  + [" at ", " dot ", ".com", "4111", "2024-03-01", "[at]"]),
                  max_size=40).map("".join)
FILLER = st.text(alphabet=st.sampled_from(list("abc xyz,.!?😀ΑΒΓ慢ช้")), max_size=15)


@st.composite
def numbers(draw) -> str:
    """A phone or card-like number as people write them."""
    kind = draw(st.sampled_from(["phone", "card"]))
    n = draw(st.integers(8, 15)) if kind == "phone" else draw(st.integers(13, 19))
    first = draw(st.sampled_from("123456789"))
    digits = first + "".join(draw(st.lists(st.sampled_from("0123456789"),
                                           min_size=n - 1, max_size=n - 1)))
    sep = draw(st.sampled_from(["", " ", "-"] + ([] if kind == "card" else ["."])))
    size = 4 if kind == "card" or sep == "." else draw(st.integers(3, 4))
    if not sep:
        return digits
    groups = [digits[i:i + size] for i in range(0, n, size)]
    if len(groups[-1]) < 2 and sep == ".":  # groups of 2-4 digits: 4,4,3,2 not 4,4,4,1
        groups[-2:] = [groups[-2][:-1], groups[-2][-1] + groups[-1]]
    if len(groups[-1]) < 3 and kind == "card":
        groups[-2:] = [groups[-2] + groups[-1]]
    prefix = draw(st.sampled_from(["", "+"])) if kind == "phone" and sep != "." else ""
    return prefix + sep.join(groups)


@settings(max_examples=300)
@given(TRICKY)
def test_masking_is_idempotent(text):
    once = mask_text(text)
    assert mask_text(once) == once


@settings(max_examples=200)
@given(FILLER, numbers(), FILLER)
def test_numbers_in_text_leave_no_digits(before, number, after):
    text = f"{before} {number} {after}"
    masked = mask_text(text)
    assert not re.search(r"\d", masked), (text, masked)
    assert len(find_pii(text)) == 1


@settings(max_examples=100)
@given(st.lists(st.one_of(TRICKY, st.none()), max_size=8))
def test_counts_add_up(values):
    result = mask_pii(pd.Series(values, dtype=object))
    per_text = result.per_text
    assert result.counts["matches"].tolist() == per_text.sum().astype(int).tolist()
    assert result.counts["comments"].tolist() == (per_text > 0).sum().astype(int).tolist()
    assert result.n_texts == sum(v is not None for v in values)
    for value, out, row in zip(values, result.text, per_text.itertuples(index=False)):
        if value is None:
            assert out is None
            continue
        for kind, n in zip(PII_KINDS, row):
            placeholder = f"[{kind}]"
            assert out.count(placeholder) - value.count(placeholder) == n
        # nothing found in the masked text's matched spans again: no new digits
        assert len(re.findall(r"\d", out)) <= len(re.findall(r"\d", value))


# --- masking where comments leave the toolkit --------------------------------------------


def answers() -> pd.DataFrame:
    return pd.DataFrame({
        "response_id": ["r1", "r2", "r3", "r4"],
        "responded_at": pd.to_datetime(["2024-03-01", "2024-03-02", "2024-03-03", "2024-03-04"]),
        "survey": ["csat", "csat", "nps", "nps"],
        "score": [1.0, 5.0, 3.0, 6.0],
        "customer_id": ["jo@example.com", "B", "C", "D"],
        "comment": ["=HYPERLINK(\"mailto:a@b.com\")", "great, call 0712 345 678",
                    "charged twice on 4111 1111 1111 1111, ring +44 20 7946 0958",
                    "slow since 2024-03-01"],
        "why": ["see x@y.org", "", "", "ok"],
    })


def test_followup_queue_masks_comments_by_default():
    queue = followup_queue(answers(), columns=["why"])
    assert queue["response_id"].tolist() == ["r1", "r3", "r4"]
    assert queue["comment"].tolist() == [
        "=HYPERLINK(\"mailto:[email]\")", "charged twice on [card], ring [phone]",
        "slow since 2024-03-01"]
    assert queue["why"].tolist() == ["see [email]", "", "ok"]
    assert queue["customer_id"].tolist()[0] == "jo@example.com"  # contact details stay
    assert queue.attrs["pii_masked"] == {"email": 2, "phone": 1, "card": 1}
    assert queue.attrs["pii_masked_columns"] == ["comment", "why"]
    assert masked_sentence(queue.attrs["pii_masked"]) == (
        "2 e-mail addresses, 1 phone number and 1 card-like number masked.")


def test_followup_queue_opt_out():
    queue = followup_queue(answers(), mask_pii=False)
    assert queue["comment"].tolist()[0] == "=HYPERLINK(\"mailto:a@b.com\")"
    assert queue.attrs["pii_masked"] is None


def test_followup_queue_mask_pii_must_be_bool():
    with pytest.raises(ParameterError, match="mask_pii must be True or False; got 'no'"):
        followup_queue(answers(), mask_pii="no")


def test_followup_csv_is_masked_and_formula_safe(tmp_path):
    path = to_safe_csv(followup_queue(answers()), tmp_path / "followup.csv")
    written = pd.read_csv(path, encoding="utf-8-sig")
    assert written["comment"].tolist() == [
        "'=HYPERLINK(\"mailto:[email]\")", "charged twice on [card], ring [phone]",
        "slow since 2024-03-01"]
    raw = path.read_text(encoding="utf-8-sig")
    assert "a@b.com" not in raw and "7946" not in raw and "4111" not in raw


def rejected_source() -> pd.DataFrame:
    return pd.DataFrame({
        "response_id": [1, 2, 3, 3],
        "score": [4, 9, 2, 5],
        "comment": ["fine", "mail me: jo@example.com", "ok", "call 0712 345 678 or 081-234-5678"],
        "Feedback": ["", "card 4111 1111 1111 1111", "", ""],
    })


def test_rejected_rows_masked_by_default(tmp_path):
    loaded = load_responses(rejected_source(), survey="csat")
    assert loaded.rejected["source_row"].tolist() == [2, 4]
    out = loaded.rejected_export()
    assert out["comment"].tolist() == ["mail me: [email]", "call [phone] or [phone]"]
    assert out["feedback"].tolist() == ["card [card]", ""]
    assert out["response_id"].tolist() == [2, 3]
    assert out.attrs["pii_masked"] == {"email": 1, "phone": 2, "card": 1}
    assert loaded.rejected["comment"].tolist()[0] == "mail me: jo@example.com"  # kept in memory
    assert loaded.write_rejected(tmp_path) == [REJECTED_CSV]
    written = pd.read_csv(tmp_path / REJECTED_CSV, encoding="utf-8-sig")
    assert written["comment"].tolist() == ["mail me: [email]", "call [phone] or [phone]"]
    raw = (tmp_path / REJECTED_CSV).read_text(encoding="utf-8-sig")
    assert "jo@example.com" not in raw and "0712" not in raw and "4111" not in raw
    assert loaded.rejected_note() == (
        "Rejected rows are in rejected_rows.csv (1 e-mail address, 2 phone numbers and "
        "1 card-like number masked).")


def test_rejected_rows_opt_out(tmp_path):
    loaded = load_responses(rejected_source(), survey="csat")
    assert loaded.rejected_export(mask_pii=False).attrs["pii_masked"] is None
    loaded.write_rejected(tmp_path, mask_pii=False)
    written = pd.read_csv(tmp_path / REJECTED_CSV, encoding="utf-8-sig")
    assert written["comment"].tolist()[0] == "mail me: jo@example.com"
    with pytest.raises(ParameterError, match="mask_pii must be True or False; got 1"):
        loaded.rejected_export(mask_pii=1)


def test_rejected_note_without_anything_masked():
    frame = pd.DataFrame({"response_id": [1, 1], "score": [4, 5], "comment": ["a", "b"]})
    assert load_responses(frame, survey="csat").rejected_note() == (
        "Rejected rows are in rejected_rows.csv.")
    clean = pd.DataFrame({"response_id": [1, 2], "score": [4, 5]})
    assert load_responses(clean, survey="csat").rejected_note() == (
        "Rejected rows are in rejected_rows.csv.")


def test_engine_rejected_csv_is_masked(tmp_path):
    pytest.importorskip("duckdb")
    from csat_toolkit.io.engines import scan_responses

    scan = scan_responses(rejected_source(), engine="duckdb", survey="csat")
    assert scan.n_set_aside == 2
    scan.write_rejected(tmp_path)
    written = pd.read_csv(tmp_path / REJECTED_CSV, encoding="utf-8-sig")
    assert sorted(written["comment"].tolist()) == ["call [phone] or [phone]",
                                                   "mail me: [email]"]


def test_mask_parquet_file_and_folder(tmp_path):
    rows = pd.DataFrame({"source_row": [2, 4], "response_id": ["12345678", "r4"],
                         "comment": ["mail me: jo@example.com", "call 0712 345 678"],
                         "score": [9.0, 5.0]})
    one = tmp_path / "rejected_rows.parquet"
    rows.to_parquet(one)
    assert mask_parquet(one, batch_rows=1) == {"email": 1, "phone": 1, "card": 0}
    back = pd.read_parquet(one)
    assert back["comment"].tolist() == ["mail me: [email]", "call [phone]"]
    assert back["response_id"].tolist() == ["12345678", "r4"]  # ids are not free text
    assert back["score"].tolist() == [9.0, 5.0]
    folder = tmp_path / "spark"
    (folder / "part").mkdir(parents=True)
    rows.head(1).to_parquet(folder / "part-0.parquet")
    rows.tail(1).to_parquet(folder / "part" / "part-1.parquet")
    rows.assign(comment="fine").to_parquet(folder / "part-2.parquet")
    untouched = (folder / "part-2.parquet").read_bytes()
    assert mask_parquet(folder) == {"email": 1, "phone": 1, "card": 0}
    assert pd.read_parquet(folder / "part" / "part-1.parquet")["comment"].tolist() == [
        "call [phone]"]
    assert (folder / "part-2.parquet").read_bytes() == untouched
    assert sorted(p.name for p in folder.rglob("*")) == [
        "part", "part-0.parquet", "part-1.parquet", "part-2.parquet"]


def test_mask_parquet_errors(tmp_path):
    with pytest.raises(FileFormatError, match="Cannot mask .*nothing.parquet: no such file"):
        mask_parquet(tmp_path / "nothing.parquet")
    pd.DataFrame({"comment": ["x"]}).to_parquet(tmp_path / "r.parquet")
    with pytest.raises(ParameterError, match="kinds must name what to mask"):
        mask_parquet(tmp_path / "r.parquet", kinds=("ssn",))


def test_engine_rejected_parquet_is_masked_as_written(tmp_path):
    pytest.importorskip("duckdb")
    from csat_toolkit.io.engines import scan_responses

    scan = scan_responses(rejected_source(), engine="duckdb", survey="csat")
    written = scan.write_rejected(tmp_path)
    assert written == [REJECTED_CSV, "rejected_rows.parquet"]
    # the engine masked it as it wrote it: masking again finds nothing
    assert mask_parquet(tmp_path / "rejected_rows.parquet") == {
        "email": 0, "phone": 0, "card": 0}
    every = pd.read_parquet(tmp_path / "rejected_rows.parquet").sort_values("source_row")
    assert every["comment"].tolist() == ["mail me: [email]", "call [phone] or [phone]"]
    assert every["feedback"].tolist() == ["card [card]", ""]
    raw = tmp_path / "raw"
    raw.mkdir()
    scan.write_rejected(raw, mask_pii=False)  # the opt-out keeps the rows as read
    kept = pd.read_parquet(raw / "rejected_rows.parquet").sort_values("source_row")
    assert "@" in kept["comment"].iloc[0]


def test_large_column_masks_once_per_distinct_text():
    values = np.array(["mail a@b.com", "ok", "call 0712 345 678"] * 1000, dtype=object)
    result = mask_pii(pd.Series(values))
    assert result.counts["matches"].tolist() == [1000, 1000, 0]
    assert result.counts["comments"].tolist() == [1000, 1000, 0]
