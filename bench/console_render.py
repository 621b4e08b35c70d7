#!/usr/bin/python3
"""console_render.py: how long the web console takes to show one grid page,
in headless Chromium (bench/scale's console section; a figure, not a test).

usage: console_render.py URL TOKEN ROUNDS

Signs in, then ROUNDS times: from the overview, goes to the grid and times,
in the page, from the navigation (location.hash set) to the grid's rows in
the DOM. Prints one line: "rows R median MIN MAX" in ms.
"""

import os
import statistics
import sys
import tempfile

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

URL, TOKEN, ROUNDS = sys.argv[1], sys.argv[2], int(sys.argv[3])

# Resolve with the ms from setting the hash to a table.grid with rows.
TIMED = """
const [hash, done] = arguments;
const t0 = performance.now();
const seen = () => {
    const rows = document.querySelectorAll("table.grid tbody tr");
    if (rows.length) {
        obs.disconnect();
        done([performance.now() - t0, rows.length,
            document.querySelectorAll("table.grid thead th").length - 1]);
    }
};
const obs = new MutationObserver(seen);
obs.observe(document.getElementById("view"), {childList: true,
    subtree: true});
location.hash = hash;
"""


def main():
    opts = webdriver.ChromeOptions()
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu",
              "--disable-dev-shm-usage", "--window-size=1280,1024",
              f"--user-data-dir={tempfile.mkdtemp(prefix='df-chrome.')}"):
        opts.add_argument(a)
    opts.binary_location = os.environ.get("DF_CHROMIUM", "/usr/bin/chromium")
    d = webdriver.Chrome(service=Service(os.environ.get(
        "DF_CHROMEDRIVER", "/usr/bin/chromedriver")), options=opts)
    d.set_script_timeout(120)
    wait = WebDriverWait(d, 120, poll_frequency=0.05)
    try:
        d.get(URL)
        field = wait.until(lambda d: d.find_element(By.ID, "token"))
        field.send_keys(TOKEN, Keys.ENTER)
        wait.until(lambda d: "(viewer)" in d.find_element(By.ID, "who").text)
        times = []
        for _ in range(ROUNDS):
            d.execute_script("location.hash = '#/'")
            wait.until(lambda d: d.find_element(By.ID, "view-title").text
                       == "Overview" and d.find_elements(
                           By.CSS_SELECTOR, "#view table"))
            ms, rows, cols = d.execute_async_script(TIMED, "#/grid")
            times.append(ms)
        print(f"rows {rows} jobs {cols} median "
              f"{statistics.median(times):.0f} min {min(times):.0f} "
              f"max {max(times):.0f}")
    finally:
        d.quit()


main()
