"""Names written by sound: a Chinese transliteration and the name it writes are matched by
their consonants, in both directions, and unrelated names are not."""

import pytest

from assistant.language.sounds import SoundIndex, close, en_key, keyable, name_runs, zh_keys

SAME = [("特斯拉", "Tesla"), ("赫顿", "Hutton"), ("纽卡斯尔", "Newcastle"), ("希普尚克斯", "Sheepshanks"),
        ("哈德良", "Hadrian"), ("塔尔博特", "Talbot"), ("詹姆斯", "James"), ("爱迪生", "Edison"),
        ("普利斯特里", "Priestley"), ("曼彻斯特", "Manchester"), ("胡格诺", "Huguenot")]
DIFFERENT = [("纽卡斯尔", "Manchester"), ("特斯拉", "Edison"), ("赫顿", "Newton"), ("哈德良", "Hamilton"),
             ("塔尔博特", "Dolby")]
# One consonant in five is forgiven (纽卡斯尔 for Newcastle drops the t), so a name that close can
# collide: 普利斯特里 (Priestley) matches Brazil too. That costs a false "found", never an abstention.


@pytest.mark.parametrize("han, latin", SAME)
def test_a_transliteration_sounds_like_the_name_it_writes(han, latin):
    assert close(zh_keys(han), en_key(latin)), (zh_keys(han), en_key(latin))


@pytest.mark.parametrize("han, latin", DIFFERENT)
def test_unrelated_names_do_not_match(han, latin):
    assert not close(zh_keys(han), en_key(latin)), (zh_keys(han), en_key(latin))


def test_runs_of_sound_writing_characters_are_found_in_a_question():
    assert name_runs("纽卡斯尔的铁路网每年有多少乘客?") == ["纽卡斯尔"]
    assert name_runs("约翰·希普尚克斯向博物馆捐赠了多少幅画？") == ["希普尚克斯"]  # 约翰 keys too short
    # Ordinary words made of such characters are not names; neither are two-consonant runs.
    assert name_runs("东西是什么") == [] and name_runs("休斯") == []


def test_a_text_holds_a_name_by_sound_in_either_script():
    english = SoundIndex.of(["In 1785 the geologist James Hutton read his paper. The theory of Hutton held."])
    assert english.holds("詹姆斯·赫顿") and english.holds("赫顿")
    assert not english.holds("纽卡斯尔")
    chinese = SoundIndex.of(["地质学家詹姆斯·赫顿在1785年宣读论文。"])
    assert chinese.holds("Hutton") and not chinese.holds("Newcastle")


def test_a_word_a_text_also_writes_in_lower_case_is_not_a_name():
    index = SoundIndex.of(["Teachers met. The teachers left; Tesla stayed."])
    assert "tesla" in index.latin and not any(t.startswith("teacher") for t in index.latin)


def test_only_names_long_enough_in_consonants_are_looked_for():
    assert keyable("纽卡斯尔") and keyable("James Hutton") and not keyable("休斯") and not keyable("Ann")
