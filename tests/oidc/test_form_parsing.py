"""Offline checks of the scripted browser's form parsing (no server needed)."""

from oidc_browser import form_with_choice, form_with_field, parse_forms

SIGN_IN = """<!doctype html><html><body>
<form method="get" action="/search"><input name="q"></form>
<form method="POST" action="../sign-in?next=%2Foauth2%2Fauthorize">
  <input type="hidden" name="csrf_token" value="tok&amp;en">
  <input type="hidden" name="return_to" value="/oauth2/authorize?client_id=x">
  <input type=email name=email>
  <input type="password" name="password">
  <input type="checkbox" name="remember" value="yes">
  <button type="submit">Sign in</button>
</form></body></html>"""

CONSENT = """<form method="post">
  <input type="hidden" name="csrf_token" value="c1">
  <input type="hidden" name="request_id" value="r1">
  <p>design-app wants design.domain</p>
  <button type="submit" name="decision" value="deny">Deny</button>
  <button name="decision" value="allow">Allow</button>
</form>"""

SPLIT_CONSENT = """<form method=post action="/consent"><input type=hidden name=decision value=deny>
<input type=hidden name=csrf_token value=a><input type=submit value=Deny></form>
<form method=post action="/consent"><input type=hidden name=decision value=allow>
<input type=hidden name=csrf_token value=b><input type=submit value=Allow></form>"""


def test_sign_in_form():
    forms = parse_forms(SIGN_IN, "http://127.0.0.1:1234/ui/login?x=1")
    form = form_with_field(forms, "password")
    assert form.method == "post"
    assert form.action == "http://127.0.0.1:1234/sign-in?next=%2Foauth2%2Fauthorize"
    assert form.hidden == {"csrf_token": "tok&en", "return_to": "/oauth2/authorize?client_id=x"}
    assert form.fields == {**form.hidden, "email": "", "password": ""}  # unchecked box not sent
    assert {"email", "password", "remember"} <= set(form.inputs)


def test_consent_form_with_buttons():
    page = "http://127.0.0.1:1234/oauth2/authorize?client_id=x&state=s"
    form = form_with_choice(parse_forms(CONSENT, page), "decision", "allow")
    assert form.action == page  # no action attribute: submits to the page itself
    assert form.hidden == {"csrf_token": "c1", "request_id": "r1"}
    assert ("decision", "deny") in form.buttons and ("decision", "allow") in form.buttons
    assert "decision" not in form.fields  # buttons are only sent when clicked


def test_consent_as_separate_forms():
    forms = parse_forms(SPLIT_CONSENT, "http://127.0.0.1:1234/oauth2/authorize")
    assert form_with_choice(forms, "decision", "allow").hidden["csrf_token"] == "b"
    assert form_with_choice(forms, "decision", "deny").hidden["csrf_token"] == "a"
