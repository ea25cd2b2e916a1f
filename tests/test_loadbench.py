"""The load bench's correctness path at small size: /ask calls and browser sessions asking at once
all get the answer their question gets when the server is idle (no timing is asserted)."""

from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

if not Path("/usr/bin/chromium").exists():
    pytest.skip("no /usr/bin/chromium: apt-get install chromium fonts-wqy-microhei (as root) to run browser tests",
                allow_module_level=True)
pytest.importorskip("playwright.async_api", reason="playwright is not installed")


def test_answers_under_load_equal_the_idle_answers(real_bot):
    from assistant.app.loadbench import measure_load

    report = measure_load(real_bot.settings, callers=5, sessions=2, repeats=1, progress=False)
    assert report.wrong == []
    assert report.questions >= 3 and len(report.ms["idle"]) == 1 and len(report.ms["load"]) == 1
    assert len(report.calls) >= 5 and report.browser_answers >= 2  # every caller and reader answered
