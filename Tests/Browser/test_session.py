"""Logging in and out, refreshing an expired access token, and API errors shown in words."""

import json

from playwright.sync_api import expect

from conftest import log_in


def test_wrong_password_is_explained_and_the_right_one_logs_in(open_page, admin):
    page = open_page()
    page.goto("/")
    expect(page.get_by_role("heading", name="Log in to Cumulus")).to_be_visible()
    page.get_by_label("Email", exact=True).fill(admin["email"])
    page.get_by_label("Password", exact=True).fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Login failed")
    expect(alert).to_contain_text("the email or password is wrong")

    page.get_by_label("Password", exact=True).fill(admin["password"])
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Federations", exact=True)).to_be_visible()
    expect(page.locator("#account .who")).to_be_visible()
    assert page.problems == []


def test_an_expired_access_token_is_refreshed_and_logout_forgets_the_tokens(open_page, admin):
    page = open_page()
    log_in(page, admin["email"], admin["password"])
    before = json.loads(page.evaluate("sessionStorage.getItem('cumulus.session')"))
    # Pretend the access token has expired: the next request must rotate the refresh token.
    page.evaluate("""() => { const s = JSON.parse(sessionStorage.getItem('cumulus.session'));
                             s.expiresAt = Date.now() - 1000; sessionStorage.setItem('cumulus.session', JSON.stringify(s)); }""")
    page.reload()
    expect(page.get_by_role("heading", name="Federations", exact=True)).to_be_visible()
    after = json.loads(page.evaluate("sessionStorage.getItem('cumulus.session')"))
    assert after["refreshToken"] != before["refreshToken"]
    assert after["accessToken"] != before["accessToken"]

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in to Cumulus")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('cumulus.session')") is None
    # The refresh token was revoked at governance, not only forgotten here.
    status = page.evaluate("""async (token) => (await fetch('/api/v1/auth/refresh', {method: 'POST',
        headers: {'Content-Type': 'application/json'}, body: JSON.stringify({refreshToken: token})})).status""", after["refreshToken"])
    assert status == 401
    assert page.problems == []


def test_a_refused_request_shows_the_problem_and_its_fields(admin_page):
    page = admin_page
    page.goto("/#/organisations")
    page.get_by_label("Name", exact=True).fill("Too short password org")
    page.get_by_label("Administrator email").fill("someone@example.org")
    page.get_by_label("Administrator name").fill("Someone")
    password = page.get_by_label("Administrator password")
    password.fill("short")
    # The browser's own check would stop a short password; lift it so the server answers.
    password.evaluate("input => input.removeAttribute('minlength')")
    page.get_by_role("button", name="Create organisation").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("admin.password")
    expect(alert).to_contain_text("Bad Request")
