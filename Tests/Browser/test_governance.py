"""Governance through the dashboard: organisations, federations, invitations, users, the
viewer's read-only view, approvals and the audit chain."""

import re

from playwright.sync_api import expect

from conftest import log_in
from cumulus_api import unique


def create_organisation(page, name: str, email: str, password: str) -> str:
    page.goto("/#/organisations")
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Administrator email").fill(email)
    page.get_by_label("Administrator name").fill(f"{name} admin")
    page.get_by_label("Administrator password").fill(password)
    page.get_by_role("button", name="Create organisation").click()
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    return re.search(r"#/organisations/([0-9a-f-]{36})", page.url).group(1)


def test_create_an_organisation_and_a_federation_then_invite_and_accept(admin_page, open_page, gateway, admin_token):
    page = admin_page
    org_name = unique("Clinic")
    org_admin = {"email": f"{unique('admin')}@example.org", "password": "clinic-password-123"}
    org_id = create_organisation(page, org_name, org_admin["email"], org_admin["password"])

    # The organisation's administrator is listed among its users.
    expect(page.locator(f"tr[data-user='{org_admin['email']}']")).to_be_visible()

    federation_name = unique("Oncology")
    page.goto("/#/federations")
    page.get_by_label("Name", exact=True).fill(federation_name)
    page.get_by_label("Owner organisation").select_option(org_id)
    page.get_by_role("button", name="Create federation").click()
    expect(page.get_by_role("heading", name=federation_name)).to_be_visible()
    federation_id = re.search(r"#/federations/([0-9a-f-]{36})", page.url).group(1)
    expect(page.locator(f"tr[data-member='{org_name}']")).to_contain_text("active")

    # Invite a second organisation (made through the API) and accept as its administrator.
    guest = gateway.make_tenant(admin_token, "Hospital")
    page.get_by_label("Organisation to invite").fill(guest["id"])
    page.get_by_role("button", name="Invite").click()
    expect(page.locator(f"tr[data-member='{guest['name']}']")).to_contain_text("invited")

    guest_page = open_page()
    log_in(guest_page, guest["email"], guest["password"])
    # Until accepted, an invitation grants nothing: it is answered on the federations page.
    invitation = guest_page.locator(f"tr[data-invitation='{federation_name}']")
    invitation.get_by_role("button", name="Accept invitation").click()
    expect(invitation).to_have_count(0)
    # Membership alone grants the guest's users nothing inside the federation (governance's
    # design: the owner binds roles there); the overview says so instead of a dead link.
    expect(guest_page.locator(f"tr[data-federation='{federation_name}']")).to_contain_text("you hold no role in this federation yet")

    # The owner sees both members active.
    page.reload()  # the owner's page was already on the federation
    expect(page.locator("tr[data-member]").filter(has_text="invited")).to_have_count(0)
    expect(page.locator("tr[data-member]").filter(has_text="active")).to_have_count(2)
    page.goto("/#/federations")
    expect(page.locator(f"tr[data-federation='{federation_name}']")).to_contain_text("2 active")
    assert page.problems == [] and guest_page.problems == []


# Buttons a viewer may press anywhere: none that change anything.
VIEWER_BUTTONS = {"logout", "show"}


def enabled_actions(page) -> list:
    return page.eval_on_selector_all("main button:not([disabled]), header button:not([disabled])",
                                     "buttons => buttons.map(b => b.dataset.action || b.textContent.trim())")


def test_a_viewer_sees_everything_read_only(admin_page, open_page, gateway, admin_token):
    tenant = gateway.make_tenant(admin_token, "Bank")
    federation = gateway.make_federation(tenant, "Fraud")
    from cumulus_api import Node
    node = Node.enrol(gateway, tenant, federation["id"], unique("viewer-node")).start()
    try:
        # The administrator creates the viewer and binds the built-in viewer role, in the UI.
        page = admin_page
        page.goto(f"/#/organisations/{tenant['id']}")
        viewer = {"email": f"{unique('viewer')}@example.org", "password": "viewer-password-123"}
        create = page.locator("section", has=page.get_by_role("heading", name="Create a user"))
        create.get_by_label("Email", exact=True).fill(viewer["email"])
        create.get_by_label("Name", exact=True).fill("Vera Viewer")
        create.get_by_label("Password", exact=True).fill(viewer["password"])
        create.get_by_role("button", name="Create user").click()
        expect(page.locator(f"tr[data-user='{viewer['email']}']")).to_be_visible()
        grant = page.locator("section", has=page.get_by_role("heading", name="Grant a role"))
        grant.get_by_label("User").select_option(label=f"Vera Viewer <{viewer['email']}>")
        grant.get_by_label("Role").select_option(label="viewer")
        grant.get_by_label("Scope").select_option(label=f"organisation {tenant['name']}")
        grant.get_by_role("button", name="Grant role").click()
        expect(grant).to_contain_text("Granted viewer")

        view = open_page()
        log_in(view, viewer["email"], viewer["password"])

        # Federations: listed, but no form to create one.
        expect(view.locator(f"tr[data-federation='{federation['name']}']")).to_be_visible()
        expect(view.get_by_role("button", name="Create federation")).to_have_count(0)
        expect(view.get_by_text("You cannot create federations")).to_be_visible()
        assert set(enabled_actions(view)) <= VIEWER_BUTTONS

        # One federation: no invitation form, no enrolment, deletion disabled with its reason.
        view.goto(f"/#/federations/{federation['id']}")
        expect(view.get_by_text("Inviting organisations: Needs the federations:invite permission")).to_be_visible()
        delete = view.locator("button[data-action='delete-federation']")
        expect(delete).to_be_disabled()
        expect(view.get_by_text("Needs the federations:delete permission")).to_be_visible()
        expect(view.locator(f"a:has-text('{node.hostname}')")).to_be_visible()
        assert set(enabled_actions(view)) <= VIEWER_BUTTONS

        # Nodes: visible, with live telemetry, but drain is disabled with the reason.
        view.goto("/#/nodes")
        row = view.locator(f"tr[data-node='{node.hostname}']")
        expect(row).to_be_visible()
        expect(row.locator("button[data-action='drain']")).to_be_disabled()
        expect(row).to_contain_text("Needs the nodes:manage permission")
        assert set(enabled_actions(view)) <= VIEWER_BUTTONS

        view.goto(f"/#/nodes/{node.id}")
        expect(view.get_by_role("heading", name=node.hostname)).to_be_visible()
        expect(view.locator("button[data-action='drain']")).to_be_disabled()
        expect(view.locator("button[data-action='revoke']")).to_be_disabled()
        assert set(enabled_actions(view)) <= VIEWER_BUTTONS

        # Pages the viewer cannot use say why instead of failing.
        for route, text in [("/#/audit", "needs the audit:read permission"),
                            ("/#/organisations", "Creating organisations: Needs the orgs:create permission"),
                            ("/#/roles", "Creating roles needs the roles:manage permission"),
                            ("/#/credentials", "Adding credentials: Needs the credentials:create permission"),
                            ("/#/approvals", "Inbox"),
                            ("/#/tasks", "Recent tasks"),
                            ("/#/jobs", "Needs the jobs:create permission"),
                            ("/#/models", "Choose a job"),
                            ("/#/costs", "Needs the budgets:manage permission"),
                            ("/#/placement", "Needs the placements:create permission")]:
            view.goto(route)
            expect(view.locator("main")).to_contain_text(re.compile(re.escape(text), re.IGNORECASE))
            expect(view.get_by_role("alert")).to_have_count(0)
            assert set(enabled_actions(view)) <= VIEWER_BUTTONS, route

        # The administrator can review the viewer's permissions: only read permissions, unused.
        page.goto(f"/#/organisations/{tenant['id']}")
        page.locator(f"tr[data-user='{viewer['email']}']").get_by_role("link", name="Review").click()
        expect(page.get_by_role("heading", name="Permission review")).to_be_visible()
        expect(page.locator("main")).to_contain_text("nodes:read")
        expect(page.locator("main")).not_to_contain_text("nodes:manage")
        assert view.problems == [] and page.problems == []
    finally:
        node.stop()


def test_critical_actions_wait_for_a_second_person(admin_page, open_page, gateway, admin_token):
    tenant = gateway.make_tenant(admin_token, "Insurer")
    federation = gateway.make_federation(tenant, "Claims")
    owner = open_page()
    log_in(owner, tenant["email"], tenant["password"])
    owner.goto(f"/#/federations/{federation['id']}")
    owner.once("dialog", lambda dialog: dialog.accept())
    owner.locator("button[data-action='delete-federation']").click()
    expect(owner.locator("main")).to_contain_text("Approval requested")

    # The requester cannot decide their own request; the button says so.
    owner.goto("/#/approvals")
    card = owner.locator("article.approval", has_text=federation["name"])
    expect(card.locator("button[data-action='approve']")).to_be_disabled()
    expect(card).to_contain_text("another person must decide")

    # The platform administrator rejects it, with a reason.
    page = admin_page
    page.goto("/#/approvals")
    card = page.locator("article.approval", has_text=federation["name"])
    card.get_by_label("Reason").fill("not now")
    card.get_by_role("button", name="Reject").click()
    expect(page.locator("article.approval", has_text=federation["name"])).to_have_count(0)
    page.goto("/#/approvals?status=rejected")
    expect(page.locator("article.approval", has_text=federation["name"])).to_contain_text("not now")


def test_the_audit_log_shows_its_chain_intact_and_recent_entries(admin_page, gateway, admin_token):
    gateway.make_tenant(admin_token, "Audited")
    page = admin_page
    page.goto("/#/audit")
    expect(page.locator("[data-chain='intact']")).to_contain_text("Intact")
    expect(page.locator("main table")).to_contain_text("orgs:create")
    page.get_by_role("button", name="Verify again").click()
    expect(page.locator("[data-chain='intact']")).to_be_visible()
    assert page.problems == []
