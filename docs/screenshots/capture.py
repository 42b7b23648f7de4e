"""Make the screenshots in this folder: the dashboard, and page 1 of the compliance report
(the HTML at 420 px wide, and the PDF). See docs/dashboard.md and docs/reports.md.

    DATABASE_URL=sqlite:////tmp/assetlife-shots.sqlite3 .venv/bin/python docs/screenshots/capture.py

It loads the demo fleet into that database (once), builds the report of the last closed
month, starts ``runserver`` on ``SHOTS_PORT`` (default 8151) and drives Debian's headless
Chromium (``CHROMIUM``, default /usr/bin/chromium) through Playwright; nothing downloads a
browser. It fails when the report's HTML scrolls sideways at 420 px.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
PORT = int(os.environ.get("SHOTS_PORT", "8151"))
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SERVERS = int(os.environ.get("SHOTS_SERVERS", "120"))
USER, PASSWORD = "shots", "shots-only-local"

sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "assetlife.settings")


def prepare() -> tuple[Path, Path]:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from circularity.models import Disposition
    from circularity.reports.build import CHART_CID, build_report, previous_month
    from circularity.reports.html import render_html
    from circularity.reports.pdf import render_pdf

    call_command("migrate", verbosity=0)
    if not Disposition.objects.exists():
        call_command("seed_demo", servers=SERVERS, no_progress=True)
    users = get_user_model().objects
    if not users.filter(username=USER).exists():
        users.create_superuser(USER, "shots@example.com", PASSWORD)
    report = build_report(previous_month())
    chart = "data:image/png;base64," + base64.b64encode(report.chart_png).decode()
    html = Path("/tmp/assetlife-report.html")
    html.write_text(render_html(report).replace(f"cid:{CHART_CID}", chart))
    pdf = Path("/tmp/assetlife-report.pdf")
    pdf.write_bytes(render_pdf(report))
    return html, pdf


def main() -> None:
    html, pdf = prepare()
    subprocess.run(
        ["pdftoppm", "-f", "1", "-l", "1", "-r", "80", "-png", "-singlefile", str(pdf), str(OUT / "report-pdf-page1")],
        check=True,
    )
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{PORT}", "--noreload"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            for _ in range(60):
                try:
                    page.goto(f"http://127.0.0.1:{PORT}/admin/login/")
                    break
                except Exception:  # the server is still starting
                    time.sleep(0.5)
            page.fill("#id_username", USER)
            page.fill("#id_password", PASSWORD)
            page.click("input[type=submit]")
            page.goto(f"http://127.0.0.1:{PORT}/admin/dashboard/")
            page.screenshot(path=str(OUT / "dashboard.png"), full_page=True)

            phone = browser.new_page(viewport={"width": 420, "height": 900})
            phone.goto(html.as_uri())
            overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            phone.screenshot(path=str(OUT / "report-html-420px.png"), full_page=False)
            phone.screenshot(path=str(OUT / "report-html-420px-full.png"), full_page=True)
            browser.close()
        if overflow > 0:
            raise SystemExit(f"The report's HTML scrolls sideways by {overflow} px at 420 px wide.")
        print(f"Written to {OUT}; no sideways overflow at 420 px.")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
