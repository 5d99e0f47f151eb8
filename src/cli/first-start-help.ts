import { LoadedConfig } from '../config/config-loader';

/** What a newcomer needs after `npm start`: where the data is, a first offer and a lease group with curl. */
export function firstStartHelp(loaded: LoadedConfig): string {
  const { config } = loaded;
  const base = `http://${config.api.host_ip}:${config.api.port}`;
  const nodes = config.dummy_node.dummy_node_dir;
  return `
esi-leap is running in embedded mode (no esi-leap.conf found): SQLite, no authentication,
bound to ${config.api.host_ip} only. You act as project '${config.noauth.project_name}' (${config.noauth.project_id}) with roles ${config.noauth.roles.join(', ')}.
  database:    ${config.database.connection}
  dummy nodes: ${nodes}

Create a dummy node and offer it:
  mkdir -p ${nodes}
  echo '{"project_owner_id": "${config.noauth.project_id}", "resource_class": "baremetal", "properties": {"cpus": 16}}' > ${nodes}/node-1
  curl -s -X POST ${base}/v1/offers -H 'Content-Type: application/json' -d '{"resource_uuid": "node-1"}'
  curl -s ${base}/v1/offers

Book two more nodes at once, all or nothing (a lease group on nodes your project owns):
  for n in node-2 node-3; do echo '{"project_owner_id": "${config.noauth.project_id}", "resource_class": "baremetal", "properties": {"cpus": 32}}' > ${nodes}/$n; done
  curl -s -X POST ${base}/v1/lease_groups -H 'Content-Type: application/json' -d '{"count": 2, "from": "owned", "constraints": ["cpus>=32"]}'
API explorer: ${base}/docs
Web console:  ${base}/ui/
`;
}
