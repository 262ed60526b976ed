"""Training, models, costs and placement through the dashboard: a job created in the form runs
with participants played by the test, its chart and rounds follow live; its model versions, the
best one and a checked download; a budget added on the costs page; a placement asked in the
wizard, drawn as a Pareto scatter, and a point deployed."""

import re
import time

import pytest
from playwright.sync_api import expect

from cumulus_api import Node, unique


@pytest.fixture
def federation_with_nodes(gateway, admin_token):
    # Two organisations (participants are organisations), one node each.
    tenant = gateway.make_tenant(admin_token, "Clinic")
    guest = gateway.make_tenant(admin_token, "Hospital")
    federation = gateway.make_federation(tenant, "Cardio")
    gateway.call("POST", f"/api/v1/federations/{federation['id']}/invitations", tenant["token"], {"organisationId": guest["id"]}, expect=(200, 201))
    gateway.call("POST", f"/api/v1/federations/{federation['id']}/invitations/{guest['id']}/accept", guest["token"], expect=200)
    nodes = [Node.enrol(gateway, member, federation["id"], unique(f"ward{i}")).start() for i, member in enumerate([tenant, guest])]
    deadline = time.time() + 30
    while time.time() < deadline:
        _, listed = gateway.call("GET", f"/api/v1/nodes?federationId={federation['id']}", admin_token, expect=200)
        if sum(1 for n in listed["nodes"] if n["status"] == "active") == 2:
            break
        time.sleep(0.5)
    yield {"tenant": tenant, "federation": federation, "nodes": nodes}
    for node in nodes:
        node.stop()


def test_a_job_created_in_the_form_is_followed_live(admin_page, federation_with_nodes):
    page = admin_page
    federation, nodes = federation_with_nodes["federation"], federation_with_nodes["nodes"]
    name = unique("cardio-job")
    page.goto(f"/#/jobs?federationId={federation['id']}")
    expect(page.locator("main")).to_contain_text("No jobs yet in this federation")
    form = page.locator("form[data-form='new-job']")
    form.get_by_label("Name", exact=True).fill(name)
    form.get_by_label("Dataset", exact=True).fill("clinic")
    form.get_by_label("Inputs", exact=True).fill("4")
    form.get_by_label("Classes", exact=True).fill("2")
    form.get_by_label("Rounds", exact=True).fill("3")
    form.get_by_label("Participants per round (at least)").fill("2")
    form.get_by_label("Evaluate every k rounds (0: never)").fill("0")
    form.get_by_role("button", name="Create job").click()
    expect(page.get_by_role("heading", name=f"Job {name}")).to_be_visible()
    chart = page.locator("[data-chart='rounds'] svg")
    expect(chart).to_have_attribute("data-points", "0")

    # The participants train; the chart and the rounds follow without a reload.
    for number in (1, 2, 3):
        for index, node in enumerate(nodes):
            task = node.take_task()
            assert task is not None and task["kind"] == "train", f"round {number}: node {index} got {task}"
            node.train(task, shift=0.01 * (index + 1), train_loss=1.0 / number)
        expect(page.locator(f"tr[data-round='{number}']")).to_contain_text("2 / 2", timeout=20_000)
        expect(chart).to_have_attribute("data-points", str(number), timeout=20_000)
    expect(page.locator("main h1 + p .badge")).to_have_text("succeeded", timeout=20_000)
    expect(page.locator("[data-live='events']")).to_have_attribute("data-events", re.compile(r"^([5-9]|\d\d+)$"))
    expect(chart).to_have_attribute("aria-label", re.compile(r"train loss 0\.333 at round 3"))

    # Its model versions: one per round, charted, with the best and a download checked by hash.
    page.get_by_role("link", name="Model versions").click()
    expect(page.locator("tr[data-version]")).to_have_count(4)  # the initial model and three rounds
    expect(page.locator("[data-best]")).to_contain_text("Round")
    with page.expect_download() as download:
        page.locator(f"tr[data-version='{name}:3'] button[data-action='download']").click()
    assert download.value.suggested_filename == f"{name}-round-3.safetensors"
    expect(page.locator("#toast")).to_contain_text("SHA-256 checked")
    assert page.problems == []


def test_costs_and_the_placement_wizard(admin_page, federation_with_nodes):
    page = admin_page
    federation = federation_with_nodes["federation"]

    page.goto(f"/#/costs?federationId={federation['id']}")
    expect(page.locator("[data-total]")).to_be_visible()
    expect(page.locator("main")).to_contain_text("No budget yet for this federation")
    budget = page.locator("form[data-form='new-budget']")
    budget.get_by_label("Limit (USD)").fill("42.50")
    budget.get_by_role("button", name="Add budget").click()
    expect(page.locator("tr[data-budget^='42.5']")).to_contain_text("50 %, 80 %, 100 %")
    # A bad limit is explained, field by field.
    budget.get_by_label("Limit (USD)").fill("-3")
    budget.get_by_role("button", name="Add budget").click()
    expect(page.get_by_role("alert")).to_contain_text("limitUSD")
    # The overview sets this month's cost against the budget, beside the running jobs.
    page.goto("/#/federations")
    row = page.locator(f"tr[data-federation='{federation['name']}']")
    expect(row).to_contain_text("of $42.50")
    expect(row.locator("[data-running]")).to_have_attribute("data-running", "0")

    page.goto(f"/#/placement?federationId={federation['id']}")
    wizard = page.locator("form[data-form='placement']")
    wizard.get_by_label("Participants").fill("aws us-east-1\naws eu-central-1 ×2\ngcp europe-west4")
    wizard.get_by_role("button", name="Find placements").click()
    scatter = page.locator("[data-chart='front'] svg")
    expect(scatter).to_be_visible(timeout=30_000)
    expect(scatter.locator("[data-kind='recommended']")).to_have_count(1)
    expect(scatter.locator("[data-kind='knee']")).to_have_count(1)
    expect(scatter.locator("[data-kind='baseline']")).not_to_have_count(0)
    assert scatter.locator("[data-kind='front']").count() >= 1
    recommended = page.locator("tr[data-marks*='recommended']")
    expect(recommended).to_have_count(1)
    recommended.locator("button[data-action='deploy']").click()
    running = page.locator("tr[data-deployment='running']")
    expect(running).to_have_count(1, timeout=20_000)
    running.locator("button[data-action='stop']").click()
    expect(page.locator("tr[data-deployment='stopped']")).to_have_count(1, timeout=20_000)
    # A malformed participants line is refused in words before anything is sent.
    wizard.get_by_label("Participants").fill("somewhere")
    wizard.get_by_role("button", name="Find placements").click()
    expect(page.get_by_role("alert")).to_contain_text("line 1")
    assert page.problems == []
