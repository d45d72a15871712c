"""The text people read about rule sets, held word for word: `naerhed rules` (the list), `naerhed
rules NAME` for every packaged rule set and for the rule files in tests/golden/rules (every form
the description has), and the JSON Schema of a rule file; and the schema checked against the files
it describes (every packaged and golden rule file is valid, broken ones are not).

The references are in tests/golden/rules/*.txt and rule_set_schema.json. A change of wording on
purpose regenerates them in the same commit
(`.venv/bin/python tests/financing/test_rules_text.py --update`) and the diff shows what changed.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import sys
from pathlib import Path

import pytest
import yaml

from naerhed.cli import main
from naerhed.financing.rules import RULES_DIR, packaged_rule_files, rule_set_json_schema

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "rules"
#: Rule files of the tests: each form of the description (tests/golden/rules/*.yaml).
TEST_RULE_FILES = ("varied", "need_formula")
SCHEMA_REFERENCE = GOLDEN / "rule_set_schema.json"


def _command_text(*argv: str) -> str:
    """What `naerhed ARGV` prints, with the folders of the rule files written as <packaged> and
    <tests> so the text does not depend on where the repository is."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(list(argv))
    assert status == 0, out.getvalue()
    return out.getvalue().replace(str(RULES_DIR), "<packaged>").replace(str(GOLDEN), "<tests>")


def rule_texts() -> dict[str, str]:
    """Reference file name -> the text it holds."""
    texts = {"list.txt": _command_text("rules")}
    for name in packaged_rule_files():
        texts[f"{name}.txt"] = _command_text("rules", name)
    for name in TEST_RULE_FILES:
        texts[f"{name}.txt"] = _command_text("rules", str(GOLDEN / f"{name}.yaml"))
    return texts


def schema_text() -> str:
    return json.dumps(rule_set_json_schema(), indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("reference", ["list.txt", *(f"{n}.txt" for n in packaged_rule_files()),
                                       *(f"{n}.txt" for n in TEST_RULE_FILES)])
def test_rules_text_word_for_word(reference):
    expected = (GOLDEN / reference).read_text(encoding="utf-8")
    assert rule_texts()[reference] == expected


def test_every_packaged_rule_set_has_its_reference_text():
    stored = {path.stem for path in GOLDEN.glob("*.txt")} - {"list", *TEST_RULE_FILES}
    assert stored == set(packaged_rule_files())


def test_rule_set_schema_word_for_word():
    assert schema_text() == SCHEMA_REFERENCE.read_text(encoding="utf-8")


# --------------------------------------------------------------------------------------------
# The schema against the files
# --------------------------------------------------------------------------------------------


class _Yaml12Loader(yaml.SafeLoader):
    """YAML as an editor with a YAML 1.2 schema reads it: 1.5e9 is a number (PyYAML's YAML 1.1
    resolver reads it as text, which the model then converts)."""


_Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)$"),
    list("-+0123456789."),
)


def _as_json(path: Path):
    """The YAML file as JSON data (mapping keys such as region codes and years become text)."""
    return json.loads(json.dumps(yaml.load(path.read_text(encoding="utf-8"), _Yaml12Loader)))


def _validator():
    jsonschema = pytest.importorskip("jsonschema")
    return jsonschema.Draft202012Validator(rule_set_json_schema())


@pytest.mark.parametrize("path", [*packaged_rule_files().values(), *(GOLDEN / f"{n}.yaml" for n in TEST_RULE_FILES)],
                         ids=lambda p: p.stem)
def test_schema_accepts_every_packaged_and_golden_rule_file(path):
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in _validator().iter_errors(_as_json(path))]
    assert errors == []


def test_schema_rejects_broken_rule_files():
    validator = _validator()
    good = _as_json(GOLDEN / "varied.yaml")

    def messages(data) -> list[tuple[list, str]]:
        return [(list(e.absolute_path), e.validator) for e in validator.iter_errors(data)]

    without_pool = {k: v for k, v in good.items() if k != "pool_dkk"}
    assert messages(without_pool) == [([], "required")]  # required unless the file extends another
    assert messages({**without_pool, "extends": "nf2021"}) == []
    assert messages({**good, "pool_dk": 1.5e9}) == [([], "additionalProperties")]
    assert messages({**good, "pool_dkk": -1.0}) == [(["pool_dkk"], "anyOf")]
    assert messages({**good, "payout": {**good["payout"], "formula": "linear"}}) == [(["payout", "formula"], "anyOf")]
    assert messages({**good, "criteria": {**good["criteria"], "virtual_share": None}}) == []  # removed
    assert messages({**good, "years": [2030]}) == [(["years"], "minItems")]


if __name__ == "__main__":  # regenerate the references: python tests/financing/test_rules_text.py --update
    if sys.argv[1:] != ["--update"]:
        sys.exit("usage: python tests/financing/test_rules_text.py --update")
    for old in GOLDEN.glob("*.txt"):
        old.unlink()
    for reference, text in rule_texts().items():
        (GOLDEN / reference).write_text(text, encoding="utf-8")
    SCHEMA_REFERENCE.write_text(schema_text(), encoding="utf-8")
    print(f"wrote {GOLDEN}")
