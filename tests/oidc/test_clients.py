"""Standard OAuth2/OIDC client libraries (authlib + requests) against a running Ferrite,
configured only through discovery."""

from __future__ import annotations

import warnings
from functools import partial
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken

with warnings.catch_warnings():  # authlib 1.x deprecates authlib.jose (for joserfc); it still works
    warnings.simplefilter("ignore", DeprecationWarning)
    from authlib.jose import JsonWebKey, JsonWebToken

from oidc_browser import (
    form_with_choice,
    form_with_field,
    html_page,
    new_browser,
    parse_forms,
    redirect_target,
    submit,
)

LIFETIME = 86400
AUTH_CODE_SCOPES = ["openid", "profile", "email", "design.domain", "user.access", "offline_access"]


# ---------------------------------------------------------------- helpers


def client(app, method="client_secret_basic", secret=None, **kwargs) -> OAuth2Session:
    return OAuth2Session(
        app.client_id, secret or app.client_secret, token_endpoint_auth_method=method, default_timeout=30, **kwargs
    )


def capture_responses(session: OAuth2Session) -> list:
    """Records the raw token-endpoint responses authlib sees (it only raises OAuthError)."""
    seen = []

    def hook(resp):
        seen.append(resp)
        return resp

    session.register_compliance_hook("access_token_response", hook)
    session.register_compliance_hook("refresh_token_response", hook)
    return seen


def expect_oauth_error(call, seen: list, status: int | tuple, error: str):
    """Runs an authlib token call that must fail; checks the raw response authlib saw."""
    seen.clear()
    try:
        result = call()
    except (OAuthError, requests.HTTPError, ValueError):  # OAuthError for JSON error bodies
        pass
    else:
        pytest.fail(f"expected {error}, but the request succeeded: {dict(result)}")
    assert seen, "no token-endpoint response was recorded"
    resp = seen[-1]
    statuses = status if isinstance(status, tuple) else (status,)
    assert resp.status_code in statuses, f"expected HTTP {status} ({error}), got {resp.status_code}: {resp.text}"
    assert resp.headers.get("Content-Type", "").startswith("application/json"), f"error body type: {resp.headers}"
    assert resp.json().get("error") == error, f"expected error={error!r}, got body {resp.text}"
    return resp


def verify_jwt(token: str, discovery: dict, jwks: dict, claims_cls=None, options=None, params=None):
    """Signature against jwks_uri's keys, then the standard time/iss claims (authlib.jose)."""
    algorithms = discovery["id_token_signing_alg_values_supported"]
    claims = JsonWebToken(algorithms).decode(
        token,
        JsonWebKey.import_key_set(jwks),
        claims_cls=claims_cls,
        claims_options={"iss": {"essential": True, "value": discovery["issuer"]}, **(options or {})},
        claims_params=params,
    )
    kids = [k.get("kid") for k in jwks["keys"]]
    assert claims.header.get("kid") in kids, f"JWT header {claims.header} has no kid among the JWKS kids {kids}"
    claims.validate(leeway=5)
    return claims


def check_service_token(token: dict, app, discovery, jwks):
    assert token.get("token_type", "").lower() == "bearer", f"token_type: {token}"
    assert token.get("expires_in") == LIFETIME, f"expires_in should be {LIFETIME}: {token}"
    assert token.get("scope") == "supply.domain", f"scope should be 'supply.domain': {token}"
    claims = verify_jwt(token["access_token"], discovery, jwks)
    assert claims.header.get("typ") == "at+jwt", f"access token header typ: {claims.header}"
    assert claims["iss"] == discovery["issuer"]
    assert claims.get("client_id") == app.client_id, f"client_id claim: {dict(claims)}"
    assert claims.get("sub") == app.client_id, f"sub of a client_credentials token is the client id: {dict(claims)}"
    assert claims.get("scope") == "supply.domain", f"scope claim: {dict(claims)}"
    assert claims["exp"] - claims["iat"] == LIFETIME, f"exp - iat: {dict(claims)}"
    assert claims.get("jti"), f"jti claim missing: {dict(claims)}"


def design_session(ferrite, **kwargs) -> OAuth2Session:
    return client(
        ferrite.design,
        scope=" ".join(AUTH_CODE_SCOPES),
        redirect_uri=ferrite.redirect_uri,
        code_challenge_method="S256",
        **kwargs,
    )


def sign_in_to_consent(ferrite, discovery, browser, authorize_url: str) -> tuple[str, str]:
    """authorize → sign-in form → back to authorize → the consent page: (url, html)."""
    authz_path = urlsplit(discovery["authorization_endpoint"]).path

    sign_in_url = redirect_target(browser.get(authorize_url, allow_redirects=False, timeout=30))
    assert not sign_in_url.startswith(ferrite.redirect_uri), f"redirected to the client before sign-in: {sign_in_url}"
    page = html_page(browser.get(sign_in_url, allow_redirects=False, timeout=30), "sign-in page")
    form = form_with_field(parse_forms(page, sign_in_url), "password")
    assert "email" in form.inputs, f"sign-in form has no `email` field: {form}"
    assert "csrf_token" in form.hidden, f"sign-in form has no hidden `csrf_token`: {form}"

    back = redirect_target(submit(browser, form, {"email": ferrite.email, "password": ferrite.password}))
    assert (urlsplit(back).netloc, urlsplit(back).path) == (urlsplit(ferrite.issuer).netloc, authz_path), (
        f"after sign-in expected a redirect back to the authorization endpoint, got {back}"
    )
    consent = html_page(browser.get(back, allow_redirects=False, timeout=30), "consent page")
    return back, consent


def decide(browser, consent_url: str, consent_html: str, decision: str) -> tuple[str, dict]:
    """Submits the consent form with `decision`: (callback URL, its query parameters)."""
    form = form_with_choice(parse_forms(consent_html, consent_url), "decision", decision)
    callback = redirect_target(submit(browser, form, {"decision": decision}))
    return callback, {k: v[0] for k, v in parse_qs(urlsplit(callback).query).items()}


def assert_is_callback(ferrite, callback: str):
    parts, want = urlsplit(callback), urlsplit(ferrite.redirect_uri)
    assert (parts.scheme, parts.netloc, parts.path) == (want.scheme, want.netloc, want.path), (
        f"expected a redirect to the registered redirect_uri {ferrite.redirect_uri}, got {callback}"
    )
    assert not parts.fragment, f"response_mode should be query, got a fragment: {callback}"


# ---------------------------------------------------------------- 1. discovery


def test_discovery_document(ferrite, discovery):
    required = [
        "issuer",
        "authorization_endpoint",
        "token_endpoint",
        "jwks_uri",
        "response_types_supported",
        "subject_types_supported",
        "id_token_signing_alg_values_supported",
        "userinfo_endpoint",
        "introspection_endpoint",
        "revocation_endpoint",
        "grant_types_supported",
        "token_endpoint_auth_methods_supported",
        "code_challenge_methods_supported",
    ]
    missing = [key for key in required if key not in discovery]
    assert not missing, f"discovery lacks {missing}: {discovery}"
    assert discovery["issuer"] == ferrite.issuer, f"issuer {discovery['issuer']!r} != base URL {ferrite.issuer!r}"
    assert "code" in discovery["response_types_supported"]
    assert discovery["subject_types_supported"], "subject_types_supported is empty"
    algs = discovery["id_token_signing_alg_values_supported"]
    assert algs and "none" not in algs, f"id_token_signing_alg_values_supported: {algs}"
    for grant in ("client_credentials", "authorization_code", "refresh_token"):
        assert grant in discovery["grant_types_supported"], f"grant_types_supported lacks {grant}"
    for method in ("client_secret_basic", "client_secret_post"):
        assert method in discovery["token_endpoint_auth_methods_supported"], f"auth methods lack {method}"
    assert discovery["code_challenge_methods_supported"] == ["S256"]


# ---------------------------------------------------------------- 2-4. client credentials


@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post"])
def test_client_credentials(ferrite, discovery, jwks, method):
    token = client(ferrite.supply, method).fetch_token(discovery["token_endpoint"], grant_type="client_credentials")
    check_service_token(token, ferrite.supply, discovery, jwks)


def test_client_credentials_wrong_secret_is_401(ferrite, discovery):
    session = client(ferrite.supply, "client_secret_basic", secret="not-the-secret")
    seen = capture_responses(session)
    call = partial(session.fetch_token, discovery["token_endpoint"], grant_type="client_credentials")
    resp = expect_oauth_error(call, seen, 401, "invalid_client")
    assert "WWW-Authenticate" in resp.headers, f"401 without WWW-Authenticate: {dict(resp.headers)}"


def test_client_credentials_wrong_secret_post(ferrite, discovery):
    session = client(ferrite.supply, "client_secret_post", secret="not-the-secret")
    seen = capture_responses(session)
    call = partial(session.fetch_token, discovery["token_endpoint"], grant_type="client_credentials")
    expect_oauth_error(call, seen, (400, 401), "invalid_client")


def test_client_credentials_foreign_scope_is_invalid_scope(ferrite, discovery):
    session = client(ferrite.supply)
    seen = capture_responses(session)
    call = partial(session.fetch_token, discovery["token_endpoint"], grant_type="client_credentials", scope="design.domain")
    expect_oauth_error(call, seen, 400, "invalid_scope")


# ---------------------------------------------------------------- 5. introspection and revocation


def test_introspection_and_revocation(ferrite, discovery):
    session = client(ferrite.supply)
    access_token = session.fetch_token(discovery["token_endpoint"], grant_type="client_credentials")["access_token"]

    resp = session.introspect_token(discovery["introspection_endpoint"], token=access_token)
    assert resp.status_code == 200, f"introspection: HTTP {resp.status_code}: {resp.text}"
    info = resp.json()
    assert info.get("active") is True, f"fresh token should be active: {info}"
    assert info.get("scope") == "supply.domain", f"introspection scope: {info}"
    assert info.get("client_id") == ferrite.supply.client_id, f"introspection client_id: {info}"

    resp = session.revoke_token(discovery["revocation_endpoint"], token=access_token)
    assert resp.status_code == 200, f"revocation: HTTP {resp.status_code}: {resp.text}"
    resp = session.introspect_token(discovery["introspection_endpoint"], token=access_token)
    assert resp.status_code == 200, f"introspection after revocation: HTTP {resp.status_code}: {resp.text}"
    assert resp.json().get("active") is False, f"revoked token should be inactive: {resp.text}"

    resp = session.revoke_token(discovery["revocation_endpoint"], token="no-such-token-" + generate_token(20))
    assert resp.status_code == 200, f"revoking an unknown token must answer 200 (RFC 7009): {resp.status_code}"


# ---------------------------------------------------------------- 6-8. authorization code + PKCE
# Deny runs before allow so that a remembered consent cannot hide the consent page.


def test_consent_denied_redirects_access_denied(ferrite, discovery):
    session = design_session(ferrite)
    url, state = session.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=generate_token(48)
    )
    browser = new_browser()
    consent_url, consent_html = sign_in_to_consent(ferrite, discovery, browser, url)
    callback, params = decide(browser, consent_url, consent_html, "deny")
    assert_is_callback(ferrite, callback)
    assert params.get("error") == "access_denied", f"expected error=access_denied: {callback}"
    assert params.get("state") == state, f"state must round-trip on errors too: {callback}"
    assert "code" not in params, f"a denied request must not carry a code: {callback}"


def test_authorization_code_pkce_end_to_end(ferrite, discovery, jwks):
    session = design_session(ferrite)
    verifier, nonce = generate_token(48), generate_token(16)
    url, state = session.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    browser = new_browser()
    consent_url, consent_html = sign_in_to_consent(ferrite, discovery, browser, url)
    assert ferrite.design.name in consent_html, f"consent page does not name {ferrite.design.name!r}"
    for scope in AUTH_CODE_SCOPES:
        assert scope in consent_html, f"consent page does not mention scope {scope!r}"

    callback, params = decide(browser, consent_url, consent_html, "allow")
    assert_is_callback(ferrite, callback)
    assert params.get("code"), f"no code in the callback: {callback}"
    assert params.get("state") == state, f"state did not round-trip: {callback}"
    assert params.get("iss") == ferrite.issuer, f"iss (RFC 9207) should be the issuer: {callback}"

    token = session.fetch_token(
        discovery["token_endpoint"], authorization_response=callback, code_verifier=verifier, state=state
    )
    assert token.get("token_type", "").lower() == "bearer", f"token_type: {token}"
    assert token.get("refresh_token"), f"offline_access should yield a refresh_token: {token}"
    assert token.get("id_token"), f"openid should yield an id_token: {token}"
    assert "design.domain" in token.get("scope", "").split(), f"token response scope: {token}"

    access = verify_jwt(token["access_token"], discovery, jwks)
    assert access.header.get("typ") == "at+jwt", f"access token header typ: {access.header}"
    assert access.get("client_id") == ferrite.design.client_id, f"client_id claim: {dict(access)}"
    assert access.get("sub") and access["sub"] != ferrite.design.client_id, f"sub should be the user: {dict(access)}"
    assert "design.domain" in access.get("scope", "").split(), f"access token scope: {dict(access)}"

    id_token = verify_jwt(
        token["id_token"],
        discovery,
        jwks,
        claims_cls=CodeIDToken,
        options={"aud": {"essential": True, "value": ferrite.design.client_id}},
        params={"nonce": nonce, "client_id": ferrite.design.client_id, "access_token": token["access_token"]},
    )
    assert id_token["aud"] in (ferrite.design.client_id, [ferrite.design.client_id]), f"aud: {dict(id_token)}"
    assert id_token.get("nonce") == nonce, f"nonce: {dict(id_token)}"
    assert id_token["sub"] == access["sub"], "id_token and access token name different subjects"

    resp = session.get(discovery["userinfo_endpoint"])  # authlib adds the bearer token
    assert resp.status_code == 200, f"userinfo: HTTP {resp.status_code}: {resp.text}"
    userinfo = resp.json()
    assert userinfo.get("sub") == id_token["sub"], f"userinfo sub: {userinfo}"
    assert userinfo.get("email") == ferrite.email, f"userinfo email: {userinfo}"

    old_refresh = token["refresh_token"]
    seen = capture_responses(session)
    refreshed = session.refresh_token(discovery["token_endpoint"], refresh_token=old_refresh)
    new_refresh = refreshed.get("refresh_token")
    assert new_refresh and new_refresh != old_refresh, "refresh must rotate the refresh token"
    assert refreshed.get("access_token"), f"refresh gave no access token: {refreshed}"

    refresh = partial(session.refresh_token, discovery["token_endpoint"])
    expect_oauth_error(partial(refresh, refresh_token=old_refresh), seen, 400, "invalid_grant")
    # Reusing the rotated-out token must have revoked the whole chain, the new token included.
    expect_oauth_error(partial(refresh, refresh_token=new_refresh), seen, 400, "invalid_grant")


def test_unregistered_redirect_uri_shows_error_page(ferrite, discovery):
    session = design_session(ferrite)
    bad = urlsplit(ferrite.redirect_uri)._replace(path="/not-registered").geturl()
    url, _ = session.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=generate_token(48), redirect_uri=bad
    )
    resp = new_browser().get(url, allow_redirects=False, timeout=30)
    assert resp.status_code == 400, f"expected HTTP 400, got {resp.status_code} (Location: {resp.headers.get('Location')})"
    assert "Location" not in resp.headers, f"must not redirect anywhere: {resp.headers.get('Location')}"
    assert resp.headers.get("Content-Type", "").startswith("text/html"), f"error page type: {resp.headers}"
