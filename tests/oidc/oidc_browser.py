"""A minimal scripted "browser" for the authorization-code flow: generic HTML form parsing
(every form, its action resolved, the values a browser would submit) and manual redirects."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

import requests

# Input types a browser never submits unless they are the clicked control (or checked).
_NOT_SUBMITTED = {"submit", "button", "image", "reset", "file"}


@dataclass
class Form:
    action: str  # absolute URL (resolved against the page URL)
    method: str  # lower case
    fields: dict = field(default_factory=dict)  # what a browser submits by default (hidden included)
    hidden: dict = field(default_factory=dict)  # only type=hidden inputs
    inputs: dict = field(default_factory=dict)  # name -> type, every named input/button
    buttons: list = field(default_factory=list)  # (name, value) of named submit controls


class _FormParser(HTMLParser):
    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self._form: Form | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            # An empty or missing action submits to the document's own URL.
            action = urljoin(self.page_url, a.get("action") or self.page_url)
            self._form = Form(action=action, method=(a.get("method") or "get").lower())
            self.forms.append(self._form)
        elif self._form is None or "name" not in a:
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            name = a["name"]
            self._form.inputs[name] = kind
            if kind in ("submit", "image"):
                self._form.buttons.append((name, a.get("value", "")))
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form.fields[name] = a.get("value", "on")
            elif kind not in _NOT_SUBMITTED:
                self._form.fields[name] = a.get("value", "")
                if kind == "hidden":
                    self._form.hidden[name] = a.get("value", "")
        elif tag == "button":
            kind = (a.get("type") or "submit").lower()
            self._form.inputs[a["name"]] = "button-" + kind
            if kind == "submit":  # a <button> without value= submits "" (not its text)
                self._form.buttons.append((a["name"], a.get("value", "")))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def parse_forms(html: str, page_url: str) -> list[Form]:
    """Every <form> in the page, with the values a browser would submit by default."""
    parser = _FormParser(page_url)
    parser.feed(html)
    parser.close()
    return parser.forms


def form_with_field(forms: list[Form], name: str) -> Form:
    """The first form with a named input/button `name`."""
    for form in forms:
        if name in form.inputs:
            return form
    raise AssertionError(f"no form with a field named {name!r}; forms: {forms!r}")


def form_with_choice(forms: list[Form], name: str, value: str) -> Form:
    """The form in which `name=value` can be submitted (a submit button or a hidden/other input)."""
    for form in forms:
        if (name, value) in form.buttons or form.fields.get(name) == value:
            return form
    raise AssertionError(f"no form offering {name}={value!r}; forms: {forms!r}")


class _Browser(requests.Session):
    """Browsers treat http://127.0.0.1 as a secure context and send it `Secure` cookies;
    Python's cookie jar does not (and requests ignores jar policies), so relax them here."""

    def request(self, *args, **kwargs):
        for cookie in self.cookies:
            if cookie.domain in ("127.0.0.1", "localhost"):
                cookie.secure = False
        return super().request(*args, **kwargs)


def new_browser() -> requests.Session:
    browser = _Browser()
    browser.headers["Accept"] = "text/html,application/xhtml+xml"
    return browser


def redirect_target(resp: requests.Response) -> str:
    """The absolute Location of a redirect response (asserting it is one)."""
    assert resp.status_code in (302, 303), (
        f"expected a 302/303 redirect from {resp.request.method} {resp.url}, got HTTP "
        f"{resp.status_code}: {resp.text[:500]}"
    )
    location = resp.headers.get("Location")
    assert location, f"redirect from {resp.url} has no Location header"
    return urljoin(resp.url, location)


def html_page(resp: requests.Response, what: str) -> str:
    assert resp.status_code == 200, f"{what}: expected HTTP 200 at {resp.url}, got {resp.status_code}: {resp.text[:500]}"
    ctype = resp.headers.get("Content-Type", "")
    assert ctype.startswith("text/html"), f"{what}: expected text/html at {resp.url}, got {ctype!r}"
    return resp.text


def submit(browser: requests.Session, form: Form, extra: dict) -> requests.Response:
    assert form.method == "post", f"expected a POST form, got method={form.method!r} (action {form.action})"
    return browser.post(form.action, data={**form.fields, **extra}, allow_redirects=False, timeout=30)
