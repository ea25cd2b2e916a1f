"""A reader's uploads in the chat: a workspace of their own, the bundled corpus untouched."""

import pytest

from assistant import Assistant
from assistant.app import workspace as ws
from assistant.app.workspace import Workspace


@pytest.fixture
def bot(fake_settings):
    return Assistant.load(fake_settings, progress=False, log=lambda *_: None)


def upload(tmp_path, name, data):
    folder = tmp_path / "gradio-upload"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path, name


def test_an_upload_is_askable_in_its_workspace_only(bot, fake_settings, tmp_path):
    before = sorted(p.name for p in fake_settings.corpus_dir.iterdir())
    space = Workspace(bot, tmp_path)
    new_bot, messages = space.add([upload(tmp_path, "珠江.md", "# 珠江\n\n珠江全长 2320 公里，是中国南方最大的河流。\n")],
                                  progress=False)
    assert messages == ["珠江.md is indexed (31 characters): ask about it now"]
    answer = new_bot.ask("珠江全长多少公里？")
    assert not answer.abstained and answer.citations[0].source == "珠江.md" and "2320" in answer.citations[0].quote
    # The bundled corpus and the shared assistant are as they were.
    assert sorted(p.name for p in fake_settings.corpus_dir.iterdir()) == before
    assert "珠江.md" not in bot.index.documents and "small.md" in new_bot.index.documents
    # The workspace's index began from the bundled one: only the upload was embedded.
    embedded = new_bot.index.manifest["embedded"]
    assert embedded["texts"] == sum(1 + len(c.sentences) for c in new_bot.index.chunks if c.source == "珠江.md")
    assert embedded["reused"] > 0
    space.close()
    assert not space.root.exists()


def test_bad_uploads_are_refused_one_by_one(bot, tmp_path, monkeypatch):
    monkeypatch.setattr(ws, "MAX_UPLOAD_MB", 0.001)
    space = Workspace(bot, tmp_path)
    new_bot, messages = space.add([upload(tmp_path, "tool.exe", b"MZ\x90"), upload(tmp_path, "empty.md", b""),
                                   upload(tmp_path, "big.txt", "长" * 2000), upload(tmp_path, "scan.pdf", b"%PDF-1.7\n")],
                                  progress=False)
    text = "\n".join(messages)
    assert "tool.exe: a .exe file is not read here" in text and "empty.md is empty" in text
    assert "big.txt is 0.0 MB; the limit is 0.001 MB a file" in text
    assert "scan.pdf: the PDF is damaged" in text
    assert new_bot is not None and "scan.pdf" not in new_bot.index.documents
    assert not (space.corpus / "scan.pdf").exists()  # not kept to warn again on the next upload
    assert not (space.corpus / "tool.exe").exists() and not (space.corpus / "big.txt").exists()


def test_upload_names_stay_inside_the_workspace(bot, tmp_path):
    space = Workspace(bot, tmp_path)
    path, _ = upload(tmp_path, "x.md", "# 黄河\n\n黄河全长约5464公里。\n")
    new_bot, messages = space.add([(path, "../../outside.md"), (path, "x.md"), (path, "x.md")], progress=False)
    assert sorted(p.name for p in space.corpus.iterdir() if p.suffix == ".md") == \
        ["outside.md", "small.md", "x (2).md", "x.md"]
    assert not (tmp_path.parent / "outside.md").exists() and len(messages) == 3


def test_the_workspace_speaks_of_the_documents_and_uses_the_general_model(fake_settings, tmp_path):
    import json

    (fake_settings.corpus_dir / "profile.json").write_text(json.dumps(
        {"title": {"zh": "河流", "en": "Rivers"}, "noun": {"zh": "论文", "en": "the paper"}}), encoding="utf-8")
    from samples import PAPER

    (fake_settings.corpus_dir / "answer_model.json").write_bytes((PAPER.parent / "answer_model.json").read_bytes())
    bot = Assistant.load(fake_settings, progress=False, log=lambda *_: None)
    assert bot.ask("长江全长多少公里？").text.startswith("根据论文")
    space = Workspace(bot, tmp_path)
    new_bot, _ = space.add([upload(tmp_path, "a.md", "# 珠江\n\n珠江全长 2320 公里。\n")], progress=False)
    assert new_bot.ask("长江全长多少公里？").text.startswith("根据文档")
    assert new_bot.profile.title["en"] == "Rivers"  # the rest of the profile stays
    # A model fitted to the bundled corpus alone is not this corpus's: the general one answers.
    assert not (space.corpus / "answer_model.json").exists() and (space.corpus / "small.md").exists()
