"""Creates (or finds) the identities esi-leap's Keystone tests use; prints them as JSON.

Usage: identity_fixtures.py <identity v3 url> <admin password>
Plain REST with the standard library: Debian's python3 has no OpenStack client installed.
"""
import json
import sys
import urllib.error
import urllib.request

V3, ADMIN_PASSWORD = sys.argv[1], sys.argv[2]
DOMAIN = "default"
SERVICE_PASSWORD = "esi-leap-service-secret"
USER_PASSWORD = "esi-leap-user-secret"

# name -> parent project name (None: top level in the Default domain)
PROJECTS = {
    "service": None,
    "esi-owner": None,
    "esi-lessee": None,
    "esi-lessee-child": "esi-lessee",
    "esi-other": None,
}
ROLES = ["owner", "lessee", "esi_leap_owner", "esi_leap_lessee", "esi_leap_admin", "member"]
# user -> (project, role); "norole" holds only Keystone's own "member" role.
USERS = {
    "esi-leap": ("service", "admin"),
    "esi-owner-user": ("esi-owner", "owner"),
    "esi-owner-user2": ("esi-owner", "esi_leap_owner"),
    "esi-lessee-user": ("esi-lessee", "lessee"),
    "esi-sublessee-user": ("esi-lessee-child", "lessee"),
    "esi-other-user": ("esi-other", "esi_leap_lessee"),
    "esi-norole-user": ("esi-other", "member"),
}


def call(method, path, token=None, body=None, ok=(200, 201, 204)):
    request = urllib.request.Request(V3 + path, method=method)
    request.add_header("Accept", "application/json")
    if token:
        request.add_header("X-Auth-Token", token)
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, data, timeout=30) as response:
            text = response.read()
            return response.status, response.headers, json.loads(text) if text else None
    except urllib.error.HTTPError as err:
        if err.code in ok:
            return err.code, err.headers, None
        raise SystemExit(f"{method} {path}: {err.code} {err.read()[:300]!r}")


def admin_token():
    _, headers, _ = call("POST", "/auth/tokens", body={"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": "admin", "domain": {"id": DOMAIN}, "password": ADMIN_PASSWORD}}},
        "scope": {"project": {"name": "admin", "domain": {"id": DOMAIN}}}}})
    return headers["X-Subject-Token"]


def get_or_create(token, collection, name, body, query=""):
    _, _, found = call("GET", f"/{collection}?name={name}{query}", token)
    if found[collection]:
        return found[collection][0]["id"]
    _, _, created = call("POST", f"/{collection}", token, {collection[:-1]: body})
    return created[collection[:-1]]["id"]


def main():
    token = admin_token()
    _, _, admin_projects = call("GET", "/projects?name=admin", token)
    project_ids = {"admin": admin_projects["projects"][0]["id"]}
    for name, parent in PROJECTS.items():
        body = {"name": name, "domain_id": DOMAIN, "enabled": True}
        if parent:
            body["parent_id"] = project_ids[parent]
        project_ids[name] = get_or_create(token, "projects", name, body, f"&domain_id={DOMAIN}")
    role_ids = {name: get_or_create(token, "roles", name, {"name": name}) for name in ROLES + ["admin"]}
    user_ids = {}
    for name, (project, role) in USERS.items():
        password = SERVICE_PASSWORD if name == "esi-leap" else USER_PASSWORD
        body = {"name": name, "domain_id": DOMAIN, "password": password, "enabled": True}
        user_ids[name] = get_or_create(token, "users", name, body, f"&domain_id={DOMAIN}")
        call("PUT", f"/projects/{project_ids[project]}/users/{user_ids[name]}/roles/{role_ids[role]}", token)
    _, _, services = call("GET", "/services?type=lease", token)
    existing = [s["id"] for s in services["services"] if s.get("name") == "esi-leap"]
    if existing:
        service_id = existing[0]
    else:
        _, _, created = call("POST", "/services", token, {"service": {"name": "esi-leap", "type": "lease"}})
        service_id = created["service"]["id"]
    _, _, endpoints = call("GET", f"/endpoints?service_id={service_id}", token)
    for interface in ("public", "internal"):
        if not any(e["interface"] == interface for e in endpoints["endpoints"]):
            # Unversioned: esisdk appends /v1 to the catalog URL itself.
            call("POST", "/endpoints", token, {"endpoint": {
                "service_id": service_id, "interface": interface, "region_id": "RegionOne",
                "url": "http://127.0.0.1:7777"}})
    json.dump({
        "auth_url": V3,
        "domain": DOMAIN,
        "admin": {"user": "admin", "password": ADMIN_PASSWORD, "project": "admin"},
        "service": {"user": "esi-leap", "password": SERVICE_PASSWORD, "project": "service"},
        "user_password": USER_PASSWORD,
        "users": {name: {"id": user_ids[name], "project": project} for name, (project, _) in USERS.items()},
        "projects": project_ids,
    }, sys.stdout, indent=2)


main()
