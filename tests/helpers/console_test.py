#!/usr/bin/python3
"""console_test.py: drive the web console of dataflow serve in headless
Chromium, as a person would, and check each change with the CLI.

usage: console_test.py URL VIEWER_TOKEN OPERATOR_TOKEN SHOTS_DIR

Prints one line per check, "ok DESC" or "not ok DESC", and "# ..." notes;
tests/integration/console.test turns them into TAP. Exits 77 when no
browser can be started. The pipeline is console.test's: jobs up (failed
at 20260102, parameters BATCH and PASSWORD), down and adhoc (triggered).
"""

import json
import os
import subprocess
import sys
import tempfile
import traceback

try:
    from selenium import webdriver
    from selenium.common.exceptions import (
        StaleElementReferenceException, TimeoutException)
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import Select, WebDriverWait
except ImportError as e:
    print(f"# no selenium: {e}")
    sys.exit(77)

URL, VIEWER, OPERATOR, SHOTS = sys.argv[1:5]
WAIT = 20  # seconds before a wait for the page gives up (not a sleep)
failed = 0


def check(cond, desc, note=None):
    global failed
    print(("ok " if cond else "not ok ") + desc, flush=True)
    if not cond:
        failed += 1
        if note is not None:
            for line in str(note).splitlines():
                print("# " + line)
    return cond


def cli(*args):
    """The JSON of a dataflow command."""
    out = subprocess.run(["dataflow", "--json", *args], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def job_status(job):
    return [j for j in cli("status")["jobs"] if j["jobid"] == job][0]


def start_browser():
    opts = webdriver.ChromeOptions()
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu",
              "--disable-dev-shm-usage", "--window-size=1280,1024",
              "--no-first-run", "--disable-extensions",
              "--disable-background-networking", "--disable-sync",
              "--disable-component-update", "--disable-default-apps",
              f"--user-data-dir={tempfile.mkdtemp(prefix='df-chrome.')}"):
        opts.add_argument(a)
    opts.binary_location = os.environ.get("DF_CHROMIUM", "/usr/bin/chromium")
    svc = Service(os.environ.get("DF_CHROMEDRIVER", "/usr/bin/chromedriver"))
    return webdriver.Chrome(service=svc, options=opts)


class Page:
    def __init__(self, driver):
        self.d = driver

    def wait(self, cond, what):
        try:
            return WebDriverWait(self.d, WAIT, poll_frequency=0.1,
                                 ignored_exceptions=[
                StaleElementReferenceException]).until(cond)
        except TimeoutException:
            raise AssertionError(f"timed out waiting for {what}; page "
                                 f"says: {self.text()[:2000]}")

    def fresh(self, fn):
        """fn(), again if a refresh replaced what it was reading."""
        for _ in range(10):
            try:
                return fn()
            except StaleElementReferenceException:
                continue
        return fn()

    def click(self, sel):
        self.fresh(lambda: self.visible(sel).click())

    def text(self):
        return self.d.find_element(By.TAG_NAME, "body").text

    def css(self, sel):
        return self.d.find_elements(By.CSS_SELECTOR, sel)

    def visible(self, sel):
        return self.wait(EC.visibility_of_element_located(
            (By.CSS_SELECTOR, sel)), sel)

    def has_text(self, sel, text):
        return self.wait(EC.text_to_be_present_in_element(
            (By.CSS_SELECTOR, sel), text), f"{text!r} in {sel}")

    def go(self, hash_):
        self.d.execute_script("location.hash = arguments[0]", hash_)

    def shot(self, name):
        os.makedirs(SHOTS, exist_ok=True)
        self.d.save_screenshot(os.path.join(SHOTS, f"console-{name}.png"))

    def fetch(self, method, path, headers=None, body=None):
        """Status of a request made by the page itself (its cookie)."""
        return self.d.execute_async_script("""
            const [m, p, h, b, done] = arguments;
            fetch(p, {method: m, credentials: "same-origin", headers: h,
                body: b}).then((r) => done(r.status),
                (e) => done(String(e)));""", method, path, headers or {},
            body)

    def sign_in(self, token, role):
        self.d.delete_all_cookies()
        self.d.get(URL)
        field = self.visible("#token")
        field.send_keys(token)
        field.send_keys(Keys.ENTER)
        self.has_text("#who", f"({role})")


def viewer(p):
    p.sign_in(VIEWER, "viewer")
    check(p.css("#token") and not p.css("#signin")[0].is_displayed(),
          "signing in with a viewer token hides the sign-in form")
    # The overview: jobs, their state in words, counts and last run.
    p.has_text("#view table", "adhoc")
    rows = p.fresh(lambda: {
        r.find_element(By.TAG_NAME, "th").text: r.text
        for r in p.css("#view table")[0].find_elements(
            By.CSS_SELECTOR, "tbody tr")})
    check(set(("up", "down", "adhoc")) <= set(rows),
          "the overview lists the jobs", rows)
    check("failed" in rows.get("up", ""),
          "the failed job's state is in words", rows.get("up"))
    check("20260103" in rows.get("up", "") and "SUCCEEDED" in rows["up"],
          "the last run is shown", rows.get("up"))
    check("Workers" in p.text(), "the overview shows the workers")
    p.shot("overview")

    # The graph: drawn by the page, each job's state in words too.
    p.go("#/graph")
    node = p.fresh(lambda: p.visible('svg.graph a[data-job="up"]')
                   .get_attribute("aria-label"))
    check(node == "job up: failed", "the graph shows the failed job in "
          "words", node)
    p.has_text("#view table", "up")
    p.shot("graph")

    # The grid: the failed cell by its words, then the failed filter.
    p.go("#/grid")
    sel = 'a.cell[data-job="up"][data-dataid="20260102"]'
    cell = p.fresh(lambda: (p.visible(sel).text,
                            p.visible(sel).get_attribute("aria-label")))
    check("failed" in cell[0] and cell[1] == "up 20260102: failed",
          "the grid shows the failed partition in words", cell)
    p.shot("grid")
    Select(p.visible("#grid-state")).select_by_value("failed")
    p.click("#grid-filter button")
    p.wait(lambda d: "state=failed" in d.current_url, "the failed filter")
    p.wait(lambda d: len(p.css("table.grid tbody tr")) == 1 and
           not p.css('a.cell[data-state="succeeded"]'), "only failed rows")
    check(len(p.css('a.cell[data-state="failed"]')) >= 1,
          "the failed filter keeps the failed partition")

    # The partition: its runs, masked params, stderr tail, explain.
    p.click(sel)
    p.has_text("pre.stderr", "boom: disk on fire")
    text = p.fresh(p.text)
    check("boom: disk on fire" in text, "the partition shows the stderr "
          "tail")
    check("PASSWORD" in text and "***" in text and "s3cret" not in text,
          "the parameters are masked", text)
    check("BATCH" in text and "Explain" in text and "exhausted" in text,
          "the partition shows its parameters and explain's answer", text)
    p.shot("partition")

    # A viewer sees no action, and the API refuses one all the same.
    check(not p.css("#resubmit-form"), "a viewer sees no resubmit")
    p.go("#/job/up")
    p.has_text("#view-title", "Job up")
    p.has_text("#view", "Last runs")
    check(not p.css("#pause-form, #ready-form, #trigger-form, "
                    "#resubmit-form"), "a viewer sees no operator action")
    csrf = p.d.execute_script("return sessionStorage.getItem('df-csrf')")
    st = p.fetch("POST", "/api/v1/jobs/up/pause",
                 {"Content-Type": "application/json",
                  "X-CSRF-Token": csrf or ""}, "{}")
    check(st == 403, "a viewer's forged pause is refused (403)", st)
    check(not job_status("up")["paused"], "and the job is not paused")

    # Nothing came from another origin.
    origin = URL.rstrip("/")
    names = p.d.execute_script("return performance.getEntriesByType("
                               "'resource').map((e) => e.name)")
    names.append(p.d.execute_script("return location.href"))
    outside = [n for n in names if not n.startswith(origin + "/")]
    check(not outside, "the page loads nothing from another origin",
          outside)

    p.click("#signout")
    p.visible("#token")
    check(p.fetch("GET", "/api/v1/session") == 401,
          "signing out ends the session")


def graph(p):
    """The graph laid out by the server's dot: every job placed, a state
    change recoloured in place, the focus on a job with its cut, a node
    opening its job by click and by keyboard."""
    p.sign_in(VIEWER, "viewer")
    p.go("#/graph")
    svg = p.visible('svg.graph[data-layout="dot"]')
    jobs = p.fresh(lambda: sorted(a.get_attribute("data-job")
                                  for a in p.css("svg.graph a.job")))
    check(jobs == ["adhoc", "down", "up"], "the graph laid out by dot "
          "shows every job", jobs)

    def places():
        return p.d.execute_script("""
            return Array.from(document.querySelectorAll(
                "svg.graph a.job rect, svg.graph ellipse")).map((r) =>
                [r.parentNode.getAttribute("data-job") ||
                 r.parentNode.getAttribute("data-dataset"),
                 r.getAttribute("x") || r.getAttribute("cx"),
                 r.getAttribute("y") || r.getAttribute("cy")]).sort()""")
    before = places()
    down = 'svg.graph a.job[data-job="down"]'
    state = p.visible(down).get_attribute("data-state")
    subprocess.run(["dataflow", "pause", "--reason", "graph test", "down"],
                   check=True, capture_output=True)
    p.wait(lambda d: p.visible(down).get_attribute("data-state") ==
           "paused", "down shown paused")
    check(p.visible(down).get_attribute("aria-label") == "job down: paused"
          and "paused" in p.visible(down + " text.st").text,
          "a job paused by the CLI is shown paused, in words")
    check(places() == before and not EC.staleness_of(svg)(p.d),
          "recoloured in place: the same drawing, nothing moved")
    subprocess.run(["dataflow", "resume", "down"], check=True,
                   capture_output=True)
    p.wait(lambda d: p.visible(down).get_attribute("data-state") == state,
           "down shown as before")
    p.shot("graph")

    # The focus: down and one job around it, the rest cut.
    Select(p.visible("#gf-job")).select_by_value("down")
    Select(p.visible("#gf-depth")).select_by_value("1")
    p.click("#graph-focus button")
    p.wait(lambda d: "job=down" in d.current_url, "the focus on down")
    p.has_text("#view-title", "Graph around down")
    p.visible('svg.graph[data-layout="dot"] a.job[data-job="down"]')
    p.visible("svg.graph text.cut")
    jobs = p.fresh(lambda: sorted(a.get_attribute("data-job")
                                  for a in p.css("svg.graph a.job")))
    check(jobs == ["down", "up"], "the focus shows only down and the job "
          "next to it", jobs)
    rows = p.fresh(lambda: [r.text.split()[0] for r in p.css(
        "#view table tbody tr")])
    check(rows == ["down", "up"], "the table beside it too", rows)
    cut = p.fresh(lambda: [t.text for t in p.css("svg.graph text.cut")])
    check(cut == ["\u2026 1 more upstream"], "the cut is marked: what "
          "up reads is left out", cut)
    p.shot("graph-focus")

    # A job opens by the keyboard, and by a click.
    node = p.visible('svg.graph a.job[data-job="up"]')
    check(node.get_attribute("tabindex") == "0", "a job node is focusable")
    p.d.execute_script("arguments[0].focus()", node)
    p.d.switch_to.active_element.send_keys(Keys.ENTER)
    p.has_text("#view-title", "Job up")
    check("#/job/up" in p.d.current_url, "Enter on a job node opens it")
    p.d.back()
    p.click('svg.graph a.job[data-job="down"]')
    p.has_text("#view-title", "Job down")
    check("#/job/down" in p.d.current_url, "a click on a job opens it")


def operator(p):
    p.sign_in(OPERATOR, "operator")

    # The keyboard alone reaches the grid and its cells.
    p.d.execute_script("document.activeElement.blur()")
    for _ in range(12):
        p.d.switch_to.active_element.send_keys(Keys.TAB)
        if p.d.switch_to.active_element.text == "Grid":
            break
    check(p.d.switch_to.active_element.text == "Grid",
          "the keyboard reaches the grid link")
    p.d.switch_to.active_element.send_keys(Keys.ENTER)
    p.visible('a.cell[data-job="up"][data-dataid="20260102"]')
    for _ in range(60):
        p.d.switch_to.active_element.send_keys(Keys.TAB)
        if p.d.switch_to.active_element.get_attribute("data-dataid"):
            break
    focused = p.d.switch_to.active_element
    key = focused.get_attribute("href")
    check(key and focused.get_attribute("data-dataid"),
          "the keyboard reaches a grid cell")
    # The next refresh replaces the cells: the focus stays on that one.
    p.wait(EC.staleness_of(focused), "the grid's refresh")
    check(p.d.switch_to.active_element.get_attribute("href") == key,
          "a refresh keeps the keyboard's place in the grid")

    # The CSRF token is required of a session.
    st = p.fetch("POST", "/api/v1/jobs/up/pause",
                 {"Content-Type": "application/json"}, "{}")
    check(st == 403, "a mutation with the cookie but no X-CSRF-Token is "
          "refused (403)", st)
    check(not job_status("up")["paused"], "and changes nothing")

    # Resubmit the failed partition: the dry run's list first.
    p.go("#/partition/up/20260102")
    p.click("#rs-preview")
    p.has_text(".preview", "Dry run: 1 to resubmit")
    check("20260102" in p.fresh(lambda: p.css(".preview")[0].text),
          "the resubmit's dry run lists the partition")
    check(job_status("up")["failed"] == 1, "the dry run changes nothing")
    p.shot("resubmit-preview")
    p.click("#rs-confirm")
    p.has_text("#resubmit-form .said", "resubmitted 1")
    st = job_status("up")
    check(st["failed"] == 0 and st["claimable"] == 1,
          "after confirming, dataflow status shows the partition "
          "claimable again", st)

    # Pause and resume with a reason.
    p.go("#/job/up")
    p.visible("#pause-reason").send_keys("console test")
    p.click("#pause")
    p.has_text("#pause-form .said", "up paused")
    check(job_status("up")["paused"], "pause: dataflow status says paused")
    audit = cli("audit")["entries"][0]
    check(audit["action"] == "pause" and "console test" in
          json.dumps(audit), "the pause is audited with its reason", audit)
    p.click("#resume")
    p.has_text("#pause-form .said", "up resumed")
    check(not job_status("up")["paused"], "resume: dataflow status says "
          "not paused")

    # Mark an input ready.
    before = job_status("up")["claimable"]
    p.visible("#rd-dataids").send_keys("20260104")
    p.click("#ready")
    p.has_text("#ready-form .said", "20260104 ready")
    check(job_status("up")["claimable"] == before + 1,
          "mark ready: the new partition is claimable")

    # Trigger with a parameter.
    p.go("#/job/adhoc")
    name = p.visible("#tp-name-0")
    check(name.get_attribute("value") == "MODE",
          "the trigger form starts from the job's static parameters")
    value = p.visible("#tp-value-0")
    value.clear()
    value.send_keys("quick")
    p.visible("#tp-dataid").send_keys("t1")
    p.click("#trigger")
    p.has_text("#trigger-form .said", "triggered t1")
    check(job_status("adhoc")["claimable"] == 1,
          "trigger: dataflow status shows the new partition")
    subprocess.run(["runjob", "-q", "--job", "adhoc",
                    os.environ["DF_STEP"]], check=False)
    runs = cli("runs", "--job", "adhoc")["runs"]
    check(runs and runs[0]["dataid"] == "t1" and
          runs[0]["params"].get("MODE") == "quick",
          "the triggered run got the parameter", runs)

    p.click("#signout")
    p.visible("#token")
    check(True, "the operator signs out")


def tab_to(p, want, what, most=120):
    """Press TAB (the keyboard alone) until want(active element)."""
    for _ in range(most):
        a = p.d.switch_to.active_element
        if p.fresh(lambda: want(a)):
            return a
        a.send_keys(Keys.TAB)
    raise AssertionError(f"the keyboard did not reach {what} in {most} "
                         "TABs")


def by_id(name):
    return lambda a: a.get_attribute("id") == name


def keyboard_actions(p):
    """Pause, resume and resubmit a range, by the keyboard alone."""
    p.go("#/job/up")
    p.has_text("#view-title", "Job up")
    p.wait(lambda d: d.switch_to.active_element.get_attribute("id") ==
           "view-title", "the focus on the view's title")
    tab_to(p, by_id("pause-reason"), "the pause's reason").send_keys(
        "keyboard test")
    tab_to(p, by_id("pause"), "the pause button").send_keys(Keys.ENTER)
    p.has_text("#pause-form .said", "up paused")
    check(job_status("up")["paused"], "the keyboard reaches pause and "
          "pauses the job (dataflow status)")
    tab_to(p, by_id("resume"), "the resume button").send_keys(Keys.ENTER)
    p.has_text("#pause-form .said", "up resumed")
    check(not job_status("up")["paused"], "the keyboard resumes it")

    # A range with downstream: the dry run's count, then the confirm.
    counts = lambda: {k: job_status("up")[k] for k in (  # noqa: E731
        "claimable", "done", "failed", "waiting")}
    before = counts()
    tab_to(p, by_id("rs-from"), "the range's start").send_keys("20260101")
    tab_to(p, by_id("rs-to"), "the range's end").send_keys("20260103")
    tab_to(p, by_id("rs-step"), "the range's step").send_keys("1")
    tab_to(p, by_id("rs-down"), "downstream").send_keys(Keys.SPACE)
    tab_to(p, by_id("rs-reason"), "the reason").send_keys("range test")
    tab_to(p, by_id("rs-preview"), "the preview").send_keys(Keys.ENTER)
    count = p.fresh(lambda: p.visible("#rs-count").text)
    rows = p.fresh(lambda: [r.text for r in p.css(
        ".preview tbody tr")])
    check("to resubmit" in count and any(r.startswith("down ") for r in
          rows) and any("20260103" in r for r in rows),
          "the range's dry run shows its count and lists the downstream "
          "partitions", (count, rows))
    check(counts() == before, "the range's dry run changes nothing",
          (before, counts()))
    n = int(count.split()[2])
    p.shot("resubmit-range")
    check(p.d.switch_to.active_element.get_attribute("id") ==
          "rs-confirm", "the focus is on the confirm button")
    p.d.switch_to.active_element.send_keys(Keys.ENTER)
    p.has_text("#resubmit-form .said", f"resubmitted {n}")
    up, down = job_status("up"), job_status("down")
    check(up["claimable"] == 4 and up["done"] == 0 and
          down["claimable"] == 0,
          "after confirming, dataflow status shows up's 20260101-04 "
          "claimable and down's waiting again", (up, down))
    audit = cli("audit", "--job", "up")["entries"][0]
    check(audit["action"] == "resubmit" and "range test" in
          json.dumps(audit) and "console-operator" in audit["who"],
          "the range resubmit is audited with the token's name", audit)


def pictures(p):
    """The timeline shows the test's run on its host; the backlog chart
    has its axes."""
    run = cli("runs", "--job", "adhoc")["runs"][0]
    p.go("#/timeline")
    p.has_text("#view-title", "Timeline")
    bar = p.fresh(lambda: p.visible(
        f'svg.timeline a.run[data-run="{run["run_id"]}"]'))
    label = p.fresh(lambda: bar.get_attribute("aria-label"))
    check(p.fresh(lambda: bar.get_attribute("data-host")) == run["host"]
          and "adhoc t1" in label and run["status"] in label,
          "the timeline shows a bar for the test's run, with its host",
          label)
    hosts = p.fresh(lambda: [t.text for t in p.css("svg.timeline "
                                                    "text.host")])
    check(any(h.startswith(run["host"] + " ") for h in hosts),
          "the timeline has a lane for the host", hosts)
    cap = p.fresh(lambda: p.visible("#timeline-caption").text)
    check("at most" in cap and "at once" in cap,
          "the timeline says how many ran at once", cap)
    p.shot("timeline")
    Select(p.visible("#tl-hours")).select_by_value("1")
    p.click("#timeline-form button")
    p.wait(lambda d: "hours=1" in d.current_url, "the hours selected")
    p.has_text("#timeline-caption", "last 1 h")

    p.go("#/job/up")
    p.visible("figure#backlog svg")
    texts = p.fresh(lambda: [t.text for t in p.css(
        "figure#backlog svg text")])
    check("claimable partitions" in texts and "time (UTC)" in texts,
          "the backlog chart has its axes labelled", texts)
    check(p.fresh(lambda: len(p.css("figure#backlog circle.point"))) > 1,
          "the backlog chart has its points")
    p.shot("backlog")


def charts(p):
    """The console's pictures and range resubmit (issue 17, 7-10)."""
    p.sign_in(OPERATOR, "operator")
    keyboard_actions(p)
    pictures(p)
    p.click("#signout")
    p.visible("#token")


def main():
    try:
        driver = start_browser()
    except Exception as e:
        print(f"# no browser: {e}")
        sys.exit(77)
    p = Page(driver)
    try:
        for part in (viewer, graph, operator, charts):
            try:
                part(p)
            except Exception:
                check(False, f"{part.__name__}: finished",
                      traceback.format_exc())
                p.shot(f"{part.__name__}-failed")
        logs = driver.get_log("browser")
        # The refusals the test provokes are logged as failed loads:
        # what must not be there is a script error.
        bad = [l for l in logs if l.get("level") == "SEVERE" and
               "Failed to load resource" not in l.get("message", "")]
        check(not bad, "the browser's console has no error", bad)
    finally:
        driver.quit()
    sys.exit(1 if failed else 0)


main()
