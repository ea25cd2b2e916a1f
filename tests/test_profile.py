"""A corpus's own data beside its documents: title, what replies call it, examples, glossary."""

import pytest

from assistant.errors import CorpusError
from assistant.ingest.profile import Profile
from assistant.ingest.read import corpus_files
from samples import ROOT


def test_a_corpus_without_a_profile_gets_the_general_defaults(tmp_path):
    p = Profile.load(tmp_path)
    assert p.noun("en") == "the documents" and p.noun("zh") == "文档"
    assert p.examples == () and p.glossary == {} and p.title["en"]


def test_a_profile_names_the_corpus_and_brings_its_glossary(tmp_path):
    (tmp_path / "terms.tsv").write_text("# comment\nthree gorges dam\t三峡大坝|三峡工程\nYangtze\t长江\n",
                                        encoding="utf-8")
    (tmp_path / "profile.json").write_text(
        '{"title": {"en": "Rivers"}, "noun": {"en": "the report"}, "examples": ["长江有多长？"], '
        '"glossaries": ["terms.tsv"]}', encoding="utf-8")
    p = Profile.load(tmp_path)
    assert p.title["en"] == "Rivers" and p.title["zh"]  # a missing language keeps its default
    assert p.noun("en") == "the report" and p.noun("zh") == "文档" and p.examples == ("长江有多长？",)
    assert p.glossary == {"three gorges dam": ("三峡大坝", "三峡工程"), "yangtze": ("长江",)}


@pytest.mark.parametrize("content, message", [
    ("{", "cannot read the corpus profile"), ("[]", "must be a JSON object"),
    ('{"title": "Rivers"}', "'title' must be an object"), ('{"glossaries": ["none.tsv"]}', "cannot read the glossary"),
])
def test_a_broken_profile_is_named_with_the_fix(tmp_path, content, message):
    (tmp_path / "profile.json").write_text(content, encoding="utf-8")
    with pytest.raises(CorpusError, match=message):
        Profile.load(tmp_path)


def test_the_bundled_corpus_keeps_its_vocabulary_beside_it_and_never_indexes_it():
    p = Profile.load(ROOT / "corpus")
    assert p.noun("en") == "the paper" and len(p.glossary) > 1000 and p.examples
    assert [f.name for f in corpus_files(ROOT / "corpus")] == ["chen-2026-belt-and-road-15th-five-year-plan.md"]


def test_a_corpus_of_one_document_is_called_the_document(tmp_path):
    assert Profile.load(tmp_path).for_documents(1).noun("en") == "the document"
    assert Profile.load(tmp_path).for_documents(3).noun("en") == "the documents"
    (tmp_path / "profile.json").write_text('{"noun": {"en": "the report"}}', encoding="utf-8")
    assert Profile.load(tmp_path).for_documents(1).noun("en") == "the report"
