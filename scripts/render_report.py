"""Renders a run's report.html to PNG with headless Chromium and fails on a blank or broken page.

    python3 scripts/render_report.py RUN_DIR [OUT.png]

Checks, in order: the page exists; Chromium loads it and its DOM holds the title and one inline <svg> per chart
file beside it, and no error page; the screenshot is written and is not blank (a white page compresses to a few
kilobytes). CI runs it on the report of the regression gate's run. Exit code 0 when the page is fine, 1 otherwise.
"""

import glob
import os
import shutil
import subprocess
import sys


def fail(message: str) -> None:
    print(f"render_report: {message}", file=sys.stderr)
    sys.exit(1)


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    fail("no Chromium found: apt-get install chromium")
    return ""


def main() -> None:
    if len(sys.argv) < 2:
        fail("usage: render_report.py RUN_DIR [OUT.png]")
    run = os.path.abspath(sys.argv[1])
    page = os.path.join(run, "report.html")
    out = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else os.path.join(run, "report.png")
    if not os.path.isfile(page):
        fail(f"{page} does not exist")
    charts = sorted(glob.glob(os.path.join(run, "*.svg")))
    browser = chromium()
    common = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--allow-file-access-from-files"]

    dom = subprocess.run(common + ["--dump-dom", "file://" + page], capture_output=True, text=True, timeout=120)
    if dom.returncode != 0:
        fail(f"Chromium could not load the page (exit {dom.returncode}): {dom.stderr[-400:]}")
    if "async-flows: webhooks or polling?" not in dom.stdout:
        fail("the page's title is missing from the rendered DOM: an error page or a broken template")
    inline = dom.stdout.count("<svg")
    if inline != len(charts) or inline == 0:
        fail(f"the page shows {inline} charts, but {len(charts)} .svg files sit beside it")

    if os.path.exists(out):
        os.remove(out)
    shot = subprocess.run(common + ["--window-size=1200,5200", f"--screenshot={out}", "file://" + page],
                          capture_output=True, text=True, timeout=120)
    if shot.returncode != 0 or not os.path.isfile(out):
        fail(f"no screenshot (exit {shot.returncode}): {shot.stderr[-400:]}")
    with open(out, "rb") as image:
        header = image.read(8)
    if header != b"\x89PNG\r\n\x1a\n":
        fail(f"{out} is not a PNG")
    size = os.path.getsize(out)
    if size < 50_000:
        fail(f"{out} is {size} bytes: the page rendered blank")
    print(f"ok: {page} renders with {inline} charts; screenshot {out} ({size // 1024} KiB)")


if __name__ == "__main__":
    main()
