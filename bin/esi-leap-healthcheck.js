#!/usr/bin/env node
// The image's HEALTHCHECK: GET /healthcheck on the status port ([DEFAULT] status_port, 7778 in
// deploy/kubernetes), exit 0 on 200. Plain Node, no application code: it must answer in a second
// even when the service is busy. ESI_LEAP_HEALTHCHECK_URL points it elsewhere.
const url = process.env.ESI_LEAP_HEALTHCHECK_URL || 'http://127.0.0.1:7778/healthcheck';
fetch(url, { signal: AbortSignal.timeout(3000) }).then(
  (res) => {
    process.stdout.write(`${url}: ${res.status}\n`);
    process.exit(res.status === 200 ? 0 : 1);
  },
  (err) => {
    process.stdout.write(`${url}: ${err.cause?.code ?? err.name}\n`);
    process.exit(1);
  },
);
