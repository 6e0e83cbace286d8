"""The design API end to end against the real server: a person's token from the authorization-code
+ PKCE flow (authlib), a real KiCad export uploaded to /files/upload, desUploadProject, and the BOM
read back over GraphQL."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
import requests
from authlib.common.security import generate_token

from oidc_browser import new_browser
from test_clients import client, decide, design_session, sign_in_to_consent

KICAD = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "boms" / "kicad" / "300-010.xml"

PROJECT = """query($id: ID!) { desProjectById(id: $id) { name workspaceUrl design { variants { name bom { bomItems {
  quantity bomItemInstances { designator } component { name manufacturerParts { companyName partNumber octopartId } } } } } } } }"""


def person_token(ferrite, discovery) -> str:
    session = design_session(ferrite)
    verifier = generate_token(48)
    url, state = session.create_authorization_url(discovery["authorization_endpoint"], code_verifier=verifier)
    browser = new_browser()
    consent_url, consent_html = sign_in_to_consent(ferrite, discovery, browser, url)
    callback, _ = decide(browser, consent_url, consent_html, "allow")
    token = session.fetch_token(
        discovery["token_endpoint"], authorization_response=callback, code_verifier=verifier, state=state
    )
    return token["access_token"]


def graphql(ferrite, token: str, query: str, variables: dict | None = None) -> dict:
    resp = requests.post(
        f"{ferrite.issuer}/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert resp.status_code == 200, f"POST /graphql: HTTP {resp.status_code}: {resp.text[:500]}"
    return resp.json()


def test_a_kicad_export_becomes_a_project_whose_bom_reads_back(ferrite, discovery):
    if not KICAD.is_file():
        pytest.skip(f"{KICAD} is absent")
    token = person_token(ferrite, discovery)
    workspaces = graphql(ferrite, token, "{ desWorkspaceInfos { url isDefault } }")
    assert "errors" not in workspaces, workspaces
    workspace = workspaces["data"]["desWorkspaceInfos"][0]
    assert workspace["isDefault"] and workspace["url"] == f"{ferrite.issuer}/workspaces/acme", workspace

    content = KICAD.read_bytes()
    upload = requests.post(
        f"{ferrite.issuer}/files/upload",
        files={"file": ("300-010.xml", content, "application/xml")},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert upload.status_code == 200, f"upload: HTTP {upload.status_code}: {upload.text}"
    file_id = upload.json()["id"]

    made = graphql(
        ferrite,
        token,
        "mutation($input: DesUploadProjectInput!) { desUploadProject(input: $input) { projectId errors { message } } }",
        {"input": {"workspaceUrl": workspace["url"], "fileId": file_id, "name": "Utonomy PSU", "description": "REV1.2"}},
    )
    assert "errors" not in made, made
    project_id = made["data"]["desUploadProject"]["projectId"]

    project = graphql(ferrite, token, PROJECT, {"id": project_id})["data"]["desProjectById"]
    assert project["name"] == "Utonomy PSU"
    [variant] = project["design"]["variants"]
    items = variant["bom"]["bomItems"]
    # Every <comp> of the file is one designator of one item, none twice.
    designators = [i["designator"] for item in items for i in item["bomItemInstances"]]
    expected = re.findall(rb'<comp ref="([^"]+)"', content)
    assert sorted(designators) == sorted(d.decode() for d in expected)
    assert sum(item["quantity"] for item in items) == len(expected)
    # U3 is the LTC3807EFE#PBF by Linear Technology.
    [u3] = [item for item in items if any(i["designator"] == "U3" for i in item["bomItemInstances"])]
    assert u3["component"]["manufacturerParts"][0]["partNumber"] == "LTC3807EFE#PBF"
    assert u3["component"]["manufacturerParts"][0]["companyName"] == "Linear Technology"

    # The file made its project; a guessed id is like a missing project; a supply token is refused.
    again = graphql(
        ferrite,
        token,
        "mutation($input: DesUploadProjectInput!) { desUploadProject(input: $input) { projectId } }",
        {"input": {"workspaceUrl": workspace["url"], "fileId": file_id, "name": "Twice"}},
    )
    assert again["errors"][0]["extensions"]["code"] == "NotFound", again
    guessed = graphql(ferrite, token, PROJECT, {"id": str(uuid.uuid4())})
    assert guessed["data"]["desProjectById"] is None, guessed
    supply = client(ferrite.supply).fetch_token(discovery["token_endpoint"], grant_type="client_credentials")
    refused = graphql(ferrite, supply["access_token"], PROJECT, {"id": project_id})
    assert "design.domain" in refused["errors"][0]["message"], refused
