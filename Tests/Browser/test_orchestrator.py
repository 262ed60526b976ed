"""Nodes and tasks through the dashboard: a node enrolled by the test appears, its telemetry
updates live, it is drained and undrained, and a task's per-node decisions are shown."""

import re
import time

import pytest
from playwright.sync_api import expect

from cumulus_api import Node, unique


@pytest.fixture
def scene(gateway, admin_token):
    tenant = gateway.make_tenant(admin_token, "Lab")
    federation = gateway.make_federation(tenant, "Genomics")
    nodes = []
    yield {"tenant": tenant, "federation": federation, "nodes": nodes}
    for node in nodes:
        node.stop()


def test_an_enrolled_node_appears_with_live_telemetry_and_can_be_drained(admin_page, gateway, scene):
    page = admin_page
    page.goto(f"/#/nodes?federationId={scene['federation']['id']}")
    expect(page.locator("main")).to_contain_text("No nodes match")

    node = Node.enrol(gateway, scene["tenant"], scene["federation"]["id"], unique("edge"))
    scene["nodes"].append(node)
    node.cpu = 12.5
    node.start()

    row = page.locator(f"tr[data-node='{node.hostname}']")
    expect(row).to_be_visible(timeout=20_000)
    expect(row).to_have_attribute("data-status", "active")
    expect(row.locator(".cpu")).to_have_text("12.5 %", timeout=20_000)

    # New telemetry shows without a reload.
    node.cpu = 77.0
    node.memory_used = 8 << 30
    expect(row.locator(".cpu")).to_have_text("77.0 %", timeout=20_000)
    expect(row.locator(".memory")).to_have_text("50.0 %")

    # The detail page draws the history as sparklines, and they grow.
    row.get_by_role("link", name=node.hostname).click()
    expect(page.get_by_role("heading", name=node.hostname)).to_be_visible()
    cpu_chart = page.locator("[data-chart='cpu'] svg")
    expect(cpu_chart).to_have_attribute("data-samples", re.compile(r"^([2-9]|\d\d+)$"), timeout=20_000)
    first = int(cpu_chart.get_attribute("data-samples"))
    expect(cpu_chart).not_to_have_attribute("data-samples", str(first), timeout=20_000)
    expect(page.locator("[data-chart='cpu'] svg path.spark-line")).to_have_count(1)
    expect(page.locator("[data-chart='memory'] svg")).to_have_attribute("aria-label", re.compile("latest 50.0 %"))
    expect(page.locator("[data-metric='cpu']")).to_have_text("77.0 %")
    expect(page.locator("main")).to_contain_text("clinic")  # the dataset it reports

    # Drain, see the status and the event, undrain.
    page.get_by_role("button", name="Drain").click()
    expect(page.locator("main h1 + p .badge")).to_have_text("draining")
    expect(page.locator("main")).to_contain_text(re.compile("drain", re.IGNORECASE))
    assert node.heartbeat().get("status") == "draining"
    page.get_by_role("button", name="Undrain").click()
    expect(page.locator("main h1 + p .badge")).to_have_text("active", timeout=20_000)
    assert page.problems == []
    assert node.errors == []


def test_a_task_shows_every_nodes_verdict(admin_page, gateway, admin_token, scene):
    tenant, federation = scene["tenant"], scene["federation"]
    node = Node.enrol(gateway, tenant, federation["id"], unique("small"))
    scene["nodes"].append(node)
    node.start()
    deadline = time.time() + 20
    while time.time() < deadline:
        _, listed = gateway.call("GET", f"/api/v1/nodes?federationId={federation['id']}", admin_token, expect=200)
        if any(n["status"] == "active" for n in listed["nodes"]):
            break
        time.sleep(0.5)

    # A task no node can take: it needs a dataset nobody holds and more GPUs than anyone has.
    _, task = gateway.call("POST", "/api/v1/tasks", admin_token, {
        "federationId": federation["id"], "organisationId": tenant["id"], "kind": "probe", "parameters": {},
        "requirement": {"dataset": "no-such-dataset", "minimumGPUs": 2}, "maxAttempts": 1,
        "reference": "browser-test"}, expect=201)
    task_id = task["id"].lower()

    page = admin_page
    page.goto(f"/#/tasks?federationId={federation['id']}")
    page.locator(f"tr[data-task='{task_id}']").get_by_role("link").click()
    expect(page.get_by_role("heading", name=re.compile(f"Task probe {task_id[:8]}"))).to_be_visible()
    attempt = page.locator("article.attempt").first
    expect(attempt).to_be_visible(timeout=20_000)
    verdicts = attempt.locator("tbody tr", has_text=node.hostname)
    expect(verdicts).to_contain_text("refused")
    expect(verdicts).to_contain_text("no-such-dataset")
    expect(verdicts).to_contain_text(re.compile("GPU", re.IGNORECASE))
    expect(page.locator("main")).to_contain_text("at least 2")  # the requirement, in words
    assert page.problems == []
