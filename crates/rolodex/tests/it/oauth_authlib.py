"""Authlib's OAuth 2.0 client, used as a CRO-style integration would use it, against a running
Rolodex (run by oauth_authlib.rs, in the virtualenv of tools/oauth-client/requirements.txt).

Arguments: BASE_URL CLIENT_ID CLIENT_SECRET REDIRECT_URI USERNAME PASSWORD CUSTOMER_ID.

The script builds the authorization URL with PKCE S256, opens the page and submits its sign-in
form (hidden fields, CSRF value and cookie included) as a browser would, takes the code from
the redirect it is sent, exchanges it with `fetch_token`, calls CRO's surface with the access
token (GET /tenants/, POST and GET /customers/{id}/contacts), refreshes with `refresh_token`,
calls again with the new token, and finally checks that the spent refresh token is refused.
On success it prints one JSON line: what it made and saw.
"""

import json
import os
import sys
from html.parser import HTMLParser
from urllib.parse import urljoin

# The test server speaks plain HTTP on the loopback interface.
os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"

import requests  # noqa: E402
from authlib.common.security import generate_token  # noqa: E402
from authlib.integrations.base_client import OAuthError  # noqa: E402
from authlib.integrations.requests_client import OAuth2Session  # noqa: E402


class Form(HTMLParser):
    """The first form of a page: its action and its inputs' names and values."""

    def __init__(self):
        super().__init__()
        self.action = None
        self.fields = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and self.action is None:
            self.action = attrs.get("action", "")
        elif tag == "input" and attrs.get("type") == "hidden":
            self.fields[attrs["name"]] = attrs.get("value", "")


def check(condition, what):
    if not condition:
        sys.exit(f"failed: {what}")


def main():
    base, client_id, secret, redirect_uri, username, password, customer = sys.argv[1:8]
    token_url = f"{base}/oauth/token"
    client = OAuth2Session(
        client_id,
        secret,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
    )
    verifier = generate_token(64)
    url, state = client.create_authorization_url(
        f"{base}/oauth/authorize", code_verifier=verifier
    )

    browser = requests.Session()
    page = browser.get(url)
    check(page.status_code == 200, f"the sign-in page: {page.status_code} {page.text}")
    form = Form()
    form.feed(page.text)
    check(form.action, "the page has a form")
    answer = browser.post(
        urljoin(page.url, form.action),
        data={**form.fields, "username": username, "password": password, "decision": "allow"},
        allow_redirects=False,
    )
    check(answer.status_code in (302, 303), f"a redirect: {answer.status_code} {answer.text}")
    location = answer.headers["Location"]
    check(location.startswith(redirect_uri), f"back to the client: {location}")

    token = client.fetch_token(
        token_url,
        authorization_response=location,
        state=state,
        code_verifier=verifier,
    )
    tenant = str(token["tenant_id"])
    cro = {"x-tenant-id": tenant}

    tenants = client.get(f"{base}/tenants/")
    check(tenants.status_code == 200, f"GET /tenants/: {tenants.status_code} {tenants.text}")
    made = client.post(
        f"{base}/customers/{customer}/contacts",
        json={"name": "Grace Hopper", "email": "grace@example.com"},
        headers=cro,
    )
    check(made.status_code == 201, f"POST contacts: {made.status_code} {made.text}")

    first_refresh = token["refresh_token"]
    refreshed = client.refresh_token(token_url)
    check(refreshed["refresh_token"] != first_refresh, "the refresh token rotates")
    check(refreshed["access_token"] != token["access_token"], "a new access token")
    listed = client.get(f"{base}/customers/{customer}/contacts", headers=cro)
    check(listed.status_code == 200, f"GET contacts: {listed.status_code} {listed.text}")
    names = [c["name"] for c in listed.json()["items"]]

    try:
        client.refresh_token(token_url, refresh_token=first_refresh)
        refused = None
    except OAuthError as e:
        refused = e.error
    check(refused == "invalid_grant", f"the spent refresh token is refused: {refused}")

    print(
        json.dumps(
            {
                "tenant_id": int(tenant),
                "contact": made.json()["id"],
                "names": names,
                "tenants": [t["code"] for t in tenants.json()],
            }
        )
    )


main()
