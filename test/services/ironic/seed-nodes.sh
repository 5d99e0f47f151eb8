#!/usr/bin/env bash
# Enroll N fake-hardware nodes and bring them to 'available' (power off), and the
# first DEPLOY of them on to 'active' (a fake image in instance_info).
#
#   test/services/ironic/seed-nodes.sh N OWNER_PROJECT_ID [OWNER_PROJECT_ID ...]
#
# Owners are assigned round-robin. Node names are $NODE_PREFIX-<i> (i = 1..N); a
# name that already exists is not created again, only driven to 'available'
# (so re-running is safe). Prints one line per node: uuid<TAB>name<TAB>owner.
#
# Env: NODE_PREFIX=fake-node, RESOURCE_CLASS=baremetal,
#      NODE_PROPERTIES='{"cpus":16,"memory_mb":65536,"local_gb":500,"cpu_arch":"x86_64"}', DEPLOY=0,
#      IRONIC_RUNTIME (the instance ironic-up.sh started there), IRONIC_TOKEN (keystone mode: an admin token; otherwise one is
#      fetched for OS_ADMIN_USER/OS_ADMIN_PASSWORD/OS_ADMIN_PROJECT), SEED_TIMEOUT=120.
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

[ $# -ge 2 ] || die "usage: $0 N OWNER_PROJECT_ID [OWNER_PROJECT_ID ...]"
N=$1; shift
[[ "$N" =~ ^[0-9]+$ ]] || die "N must be a number"
OWNERS=("$@")
NODE_PREFIX="${NODE_PREFIX:-fake-node}"
RESOURCE_CLASS="${RESOURCE_CLASS:-baremetal}"
NODE_PROPERTIES="${NODE_PROPERTIES:-{\"cpus\":16,\"memory_mb\":65536,\"local_gb\":500,\"cpu_arch\":\"x86_64\"\}}"
SEED_TIMEOUT="${SEED_TIMEOUT:-120}"
DEPLOY="${DEPLOY:-0}"
[[ "$DEPLOY" =~ ^[0-9]+$ ]] || die "DEPLOY must be a number"

require_instance
ensure_admin_token

# One Python process does the whole batch: create (4 in flight), then move all
# nodes through manage -> provide -> power off together, polling one list per round.
IR_URL="$IRONIC_URL" IR_VER="$IRONIC_API_VERSION" IR_TOKEN="${IRONIC_TOKEN:-}" \
N="$N" DEPLOY="$DEPLOY" PREFIX="$NODE_PREFIX" RC="$RESOURCE_CLASS" PROPS="$NODE_PROPERTIES" TIMEOUT="$SEED_TIMEOUT" \
"$PY" - "${OWNERS[@]}" <<'PYEOF'
import json, os, sys, time, urllib.error, urllib.request
from concurrent.futures import ThreadPoolExecutor

url, ver, tok = os.environ["IR_URL"], os.environ["IR_VER"], os.environ["IR_TOKEN"]
n, prefix, rc = int(os.environ["N"]), os.environ["PREFIX"], os.environ["RC"]
deploy = int(os.environ["DEPLOY"])
props, timeout, owners = json.loads(os.environ["PROPS"]), float(os.environ["TIMEOUT"]), sys.argv[1:]

def call(m, p, body=None, ok=(200, 201, 202, 204)):
    h = {"X-OpenStack-Ironic-API-Version": ver, "Accept": "application/json"}
    if tok:
        h["X-Auth-Token"] = tok
    if body is not None:
        h["Content-Type"] = "application/json"
    req = urllib.request.Request(url + p, method=m, headers=h,
                                 data=json.dumps(body).encode() if body is not None else None)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            d = r.read()
            return r.status, (json.loads(d) if d else None)
    except urllib.error.HTTPError as e:
        d = e.read().decode()
        if e.code in ok:
            return e.code, d
        raise SystemExit("%s %s -> HTTP %s %s" % (m, p, e.code, d))

FIELDS = "uuid,name,owner,provision_state,target_provision_state,power_state,target_power_state,last_error"
names = ["%s-%d" % (prefix, i + 1) for i in range(n)]
pool = ThreadPoolExecutor(4)   # the API runs one eventlet worker; 4 in flight is plenty

def listing():
    # our nodes only, one GET each: listing the whole (shared, possibly paginated) fleet
    # every poll round would cost more the more nodes earlier runs left behind
    found = pool.map(lambda nm: call("GET", "/v1/nodes/%s?fields=%s" % (nm, FIELDS), ok=(404,)), names)
    return {nm: body for nm, (code, body) in zip(names, found) if code == 200}

existing = listing()
def create(i_name):
    i, name = i_name
    body = {"name": name, "driver": "fake-hardware", "owner": owners[i % len(owners)],
            "resource_class": rc, "properties": props}
    return call("POST", "/v1/nodes", body)[1]
list(pool.map(create, [(i, nm) for i, nm in enumerate(names) if nm not in existing]))
nodes = listing()

def drive(action, ready, want, kind="provision", among=None):
    """Send `action` to every node (of `among`) in a state listed in `ready`, wait for `want`."""
    key = "provision_state" if kind == "provision" else "power_state"
    todo = [nm for nm in (among or names) if nodes[nm][key] in ready]
    list(pool.map(lambda nm: call("PUT", "/v1/nodes/%s/states/%s" % (nodes[nm]["uuid"], kind),
                                  {"target": action}), todo))
    deadline = time.time() + timeout
    while todo:
        time.sleep(0.1)
        cur = listing()
        for nm in list(todo):
            s = nodes[nm] = cur[nm]
            if s[key] == want and not s["target_" + key]:
                todo.remove(nm)
            elif s.get("last_error") and (s["provision_state"] or "").endswith("failed"):
                raise SystemExit("%s: %s (%s)" % (nm, s["provision_state"], s["last_error"]))
        if todo and time.time() > deadline:
            raise SystemExit("timeout: %s not %s" % (todo, want))

drive("manage", ("enroll",), "manageable")
drive("provide", ("manageable",), "available")
drive("power off", (None, "power on"), "power off", kind="power")
image = {"image_source": "http://127.0.0.1/fake.img", "root_gb": "10"}
for nm in names[:deploy]:
    if nodes[nm]["provision_state"] == "available":
        call("PATCH", "/v1/nodes/%s" % nodes[nm]["uuid"], [{"op": "add", "path": "/instance_info", "value": image}])
if deploy:
    drive("active", ("available",), "active", among=names[:deploy])
for i, nm in enumerate(names):
    s = nodes[nm]
    if s["provision_state"] != ("active" if i < deploy else "available"):
        print("warning: %s is %s (not touched)" % (nm, s["provision_state"]), file=sys.stderr)
    print("%s\t%s\t%s" % (s["uuid"], nm, s["owner"]))
PYEOF
