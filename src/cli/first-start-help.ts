import { LoadedConfig } from '../config/config-loader';

/** What a newcomer needs after `npm start`: where the data is and a first offer with curl. */
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
API explorer: ${base}/docs
Web console:  ${base}/ui/
`;
}
